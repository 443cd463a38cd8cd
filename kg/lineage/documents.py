"""data/documents.csv: what users know about funding documents (title, issuer, date, parent 文号, total).

The file is maintained by hand and may hold only its header. Columns:
canonical,title,issuer,date,parent[,total_wan]. 文号 may be written in any bracket form; they are
stored canonical. Problems are reported as FILE:LINE and stop the build: a wrong parent would
silently change every trace through it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ingest.docnumber import DocNumber
from ingest.errors import DocNumberError, SourceError

__all__ = ["DOCUMENTS_FILE", "COLUMNS", "DocumentInfo", "DocumentsFileError", "load_documents"]

DOCUMENTS_FILE = "documents.csv"
COLUMNS = ("canonical", "title", "issuer", "date", "parent", "total_wan")
_REQUIRED = COLUMNS[:5]
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


class DocumentsFileError(SourceError):
    """data/documents.csv cannot be used as it stands."""


@dataclass(frozen=True)
class DocumentInfo:
    """One row of data/documents.csv, 文号 canonical."""

    canonical: str
    title: str | None
    issuer: str | None
    date: str | None
    parent: str | None
    total_wan: Decimal | None
    file: str  # as the data folder names its files: documents.csv lives at its root
    line: int

    def to_json(self) -> dict[str, object]:
        return {"canonical": self.canonical, "title": self.title, "issuer": self.issuer,
                "date": self.date, "parent": self.parent, "total_wan": self.total_wan,
                "source": {"file": self.file, "line": self.line}}


def _canonical(text: str, path: Path, line: int, column: str) -> str:
    try:
        return DocNumber.parse(text).canonical
    except DocNumberError as e:
        raise DocumentsFileError(f"{column}: not a 文号: {text!r}", path, line) from e


def load_documents(path: Path) -> dict[str, DocumentInfo]:
    """The rows of a documents.csv by canonical 文号; {} when the file does not exist.

    Raises:
        DocumentsFileError: a missing column, a bad 文号, date or total, a duplicate row, a document
            that is its own ancestor.
    """
    if not path.exists():
        return {}
    out: dict[str, DocumentInfo] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in _REQUIRED if c not in (reader.fieldnames or ())]
        if missing:
            raise DocumentsFileError(f"missing column(s) {', '.join(missing)}; expected "
                                     f"{','.join(COLUMNS)}", path, 1)
        for row in reader:
            n = reader.line_num
            cells = {k: (row.get(k) or "").strip() for k in COLUMNS}
            if not any(cells.values()):
                continue
            if not cells["canonical"]:
                raise DocumentsFileError("empty canonical 文号", path, n)
            canonical = _canonical(cells["canonical"], path, n, "canonical")
            parent = _canonical(cells["parent"], path, n, "parent") if cells["parent"] else None
            if parent == canonical:
                raise DocumentsFileError(f"{canonical} is its own parent", path, n)
            if cells["date"] and not _DATE.match(cells["date"]):
                raise DocumentsFileError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD: {cells['date']!r}",
                                         path, n)
            total = None
            if cells["total_wan"]:
                try:
                    total = Decimal(cells["total_wan"].replace(",", ""))
                except InvalidOperation as e:
                    raise DocumentsFileError(f"total_wan is not a number: {cells['total_wan']!r}",
                                             path, n) from e
                if total < 0:
                    raise DocumentsFileError(f"total_wan is negative: {total}", path, n)
            if canonical in out:
                raise DocumentsFileError(f"{canonical} already listed at line {out[canonical].line}",
                                         path, n)
            out[canonical] = DocumentInfo(canonical, cells["title"] or None, cells["issuer"] or None,
                                          cells["date"] or None, parent, total, path.name, n)
    for info in out.values():
        seen = {info.canonical}
        parent = info.parent
        while parent is not None and parent in out:
            if parent in seen:
                raise DocumentsFileError(f"{info.canonical}: parent chain loops back through {parent}",
                                         path, info.line)
            seen.add(parent)
            parent = out[parent].parent
    return out

"""Readers, one per format, into one grid model; the file's content decides, not its name.

Word (.docx), Excel (.xlsx, .xls), PDF and web pages are read into paragraphs and tables of cells
(`ingest.readers.grid`); the adapter hands them to the same table interpreter as text. Formats with
no maintained pure-Python reader (.doc, .wps, .ofd) get a message naming the format and how to
convert it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.errors import SourceError
from ingest.readers.grid import Document

__all__ = ["SUPPORTED_SUFFIXES", "TEXT_SUFFIXES", "sniff", "read_document"]

TEXT_SUFFIXES = (".txt",)
SUPPORTED_SUFFIXES = (".txt", ".docx", ".xlsx", ".xls", ".pdf", ".html", ".htm")
_NAMES = {"docx": "a Word .docx", "xlsx": "an Excel .xlsx", "xls": "an Excel .xls", "pdf": "a PDF",
          "html": "a web page (HTML)", "text": "a text", "ole": "an old Office (OLE2)", "ofd": "an OFD",
          "zip": "a zip"}
_BY_SUFFIX = {".docx": "docx", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".pdf": "pdf",
              ".html": "html", ".htm": "html", ".txt": "text", ".doc": "ole", ".wps": "ole",
              ".ofd": "ofd"}
# Formats no maintained pure-Python library reads (checked: python-docx, docx2python, mammoth read
# only .docx; olefile gives the .doc/.wps byte streams, not their text; no OFD reader on PyPI is
# maintained), so the user is told how to convert.
_CONVERT = {
    ".doc": "an old Word .doc file: open it in Word or WPS and save it as .docx (or run "
            "`soffice --headless --convert-to docx FILE`)",
    ".wps": "a WPS .wps file: open it in WPS and save it as .docx (or run "
            "`soffice --headless --convert-to docx FILE`)",
    ".ofd": "an OFD file (版式文档): export it as PDF from an OFD reader (数科阅读器, 福昕OFD) "
            "and add the PDF",
}


def sniff(data: bytes, path: Path) -> str:
    """The format the bytes are in: docx, xlsx, pdf, html, ole, ofd, zip or text."""
    head = data[:2048]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError):
            return _BY_SUFFIX.get(path.suffix.lower(), "zip") if path.suffix.lower() in (
                ".docx", ".xlsx", ".xlsm") else "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls" if path.suffix.lower() == ".xls" else "ole"
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in head.lower() or \
            probe.startswith((b"<table", b"<body", b"<meta", b"<head")):
        return "html"
    return "text"


def read_document(path: Path, data: bytes) -> tuple[Document | None, list[str]]:
    """The file as a grid document (None for text), plus notes such as a misleading extension.

    Raises SourceError for a file no reader can open, with the format named."""
    suffix = path.suffix.lower()
    kind = sniff(data, path)
    notes = []
    expected = _BY_SUFFIX.get(suffix)
    if suffix in _CONVERT and kind in ("ole", "ofd", "zip"):
        raise SourceError(f"{_CONVERT[suffix]}; this format cannot be read directly", path)
    if kind == "ole":
        raise SourceError(
            "an old Office (OLE2) file such as a Word .doc or WPS .wps: save it as .docx or .xlsx", path)
    if kind == "ofd":
        raise SourceError(_CONVERT[".ofd"] + "; this format cannot be read directly", path)
    if kind == "zip":
        if expected in ("docx", "xlsx"):
            raise SourceError(f"not {_NAMES[expected]} file: a zip package without its parts", path)
        raise SourceError("a zip archive, not a document: unpack it and add the files inside", path)
    if expected is not None and expected != kind and not (expected == "text" and kind == "html"):
        notes.append(f"named {suffix} but the content is {_NAMES[kind]} file; read as such")
    if kind == "text":
        if expected in ("docx", "xlsx", "xls", "pdf") and not _mostly_text(data):
            raise SourceError(f"named {suffix} but not {_NAMES[expected]} file (unrecognised bytes)", path)
        return None, notes
    if kind == "docx":
        from ingest.readers.docx_reader import read_docx
        return read_docx(path), notes
    if kind == "xlsx":
        from ingest.readers.xlsx_reader import read_xlsx
        return read_xlsx(path), notes
    if kind == "xls":
        from ingest.readers.xlsx_reader import read_xls
        return read_xls(path), notes
    if kind == "pdf":
        from ingest.readers.pdf_reader import read_pdf
        return read_pdf(path), notes
    from ingest.readers.html_reader import read_html
    return read_html(path, data), notes


def _mostly_text(data: bytes) -> bool:
    sample = data[:4096]
    return bool(sample) and b"\x00" not in sample

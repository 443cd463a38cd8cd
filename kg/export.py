"""Export the graph: Turtle, JSON-LD, N-Triples, or tables (CSV, XLSX) with Chinese headers.

Tables: one row per project (with its 文号 and policy themes), and one row per indicator (a second
sheet in XLSX; a second file `<name>_指标.csv` next to the CSV). CSV is UTF-8 with a BOM so Excel
opens it with the right encoding.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Graph

from ingest.errors import HrssError
from kg.namespace import PREFIXES
from kg.queries import run_named
from kg.settings import Settings
from kg.store import MemoryStore, Store

__all__ = ["FORMATS", "PROJECT_COLUMNS", "INDICATOR_COLUMNS", "export_graph", "export_store",
           "indicator_csv_path", "ExportError"]

FORMATS = ("ttl", "jsonld", "nt", "csv", "xlsx")
_RDF_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}

# (column in the query result, Chinese header)
PROJECT_COLUMNS: list[tuple[str, str]] = [
    ("year", "预算年度"), ("seq", "序号"), ("project_code", "项目编码"), ("project_name", "项目名称"),
    ("unit_code", "单位编码"), ("unit_name", "单位名称"), ("budget_wan", "预算数（万元）"),
    ("fiscal_wan", "财政拨款（万元）"), ("other_wan", "其他资金（万元）"), ("funding", "资金文件"),
    ("basis", "政策依据文件"), ("theme", "政策主题"), ("purpose", "项目用途"), ("file", "源文件"),
    ("first_line", "起始行"), ("last_line", "结束行"),
]
INDICATOR_COLUMNS: list[tuple[str, str]] = [
    ("year", "预算年度"), ("project_code", "项目编码"), ("project_name", "项目名称"),
    ("position", "指标序号"), ("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"),
    ("description", "绩效指标描述"), ("target_value", "指标值"), ("basis", "指标值确定依据"),
    ("file", "源文件"), ("line", "行"),
]
_AMOUNTS = {"budget_wan", "fiscal_wan", "other_wan"}


class ExportError(HrssError):
    """The export cannot be written."""


def indicator_csv_path(path: Path) -> Path:
    """Where the indicator table goes when the projects go to `path` (CSV)."""
    return path.with_name(f"{path.stem}_指标{path.suffix or '.csv'}")


def _tables(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in run_named(store, "project_links").rows:
        links[str(r["project"])][str(r["kind"])].append(str(r["label"]))
    projects = []
    for r in run_named(store, "projects_list").rows:
        row = dict(r)
        for kind in ("funding", "basis", "theme"):
            row[kind] = "；".join(sorted(links[str(r["project"])][kind]))
        projects.append(row)
    return projects, [dict(r) for r in run_named(store, "indicators_list").rows]


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _write_csv(path: Path, columns: Sequence[tuple[str, str]], rows: list[dict[str, Any]]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([h for _, h in columns])
        for r in rows:
            w.writerow([_cell(r.get(c)) for c, _ in columns])
    os.replace(tmp, path)


def _write_xlsx(path: Path, sheets: list[tuple[str, Sequence[tuple[str, str]], list[dict[str, Any]]]]
                ) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append([h for _, h in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append([_cell(r.get(c)) for c, _ in columns])
        for i, (c, h) in enumerate(columns, start=1):
            letter = ws.cell(row=1, column=i).column_letter
            if c in _AMOUNTS:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    if isinstance(cell.value, Decimal):
                        cell.number_format = "0.00"
            width = max([len(h) * 2] + [len(str(_cell(r.get(c)))) for r in rows[:200]])
            ws.column_dimensions[letter].width = min(max(8, width + 2), 60)
        ws.freeze_panes = "A2"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    wb.save(tmp)
    os.replace(tmp, path)


def export_graph(graph: Graph, fmt: str, path: Path, settings: Settings) -> list[Path]:
    """Write the graph in `fmt` to `path`; returns the files written."""
    if fmt not in FORMATS:
        raise ExportError(f"未知的导出格式 {fmt!r}：可用 {', '.join(FORMATS)}")
    path = Path(path)
    if not path.parent.exists():
        raise ExportError(f"{path.parent}: 目录不存在")
    if fmt in _RDF_FORMATS:
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True)
        kwargs: dict[str, Any] = {}
        if fmt == "jsonld":
            kwargs["context"] = dict(PREFIXES)
        data = graph.serialize(format=_RDF_FORMATS[fmt], encoding="utf-8", **kwargs)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return [path]
    # Tables are read with the named queries, uncapped: an export holds every row.
    store = MemoryStore(settings.with_(sparql_row_cap=2**62, sparql_timeout_s=0.0), graph)
    projects, indicators = _tables(store)
    if fmt == "csv":
        _write_csv(path, PROJECT_COLUMNS, projects)
        _write_csv(indicator_csv_path(path), INDICATOR_COLUMNS, indicators)
        return [path, indicator_csv_path(path)]
    _write_xlsx(path, [("项目", PROJECT_COLUMNS, projects), ("绩效指标", INDICATOR_COLUMNS, indicators)])
    return [path]


def export_store(store: Store, fmt: str, path: Path) -> list[Path]:
    """Export the graph held by a store (see export_graph)."""
    return export_graph(store.to_graph(), fmt, path, store.settings)

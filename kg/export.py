"""Export the graph: Turtle, N-Triples, N-Quads, JSON-LD, or tables (CSV, XLSX) with Chinese headers.

RDF is streamed from the store (Oxigraph's `dump`, rdflib's serializer for the memory store, one
streamed CONSTRUCT from an endpoint) into the file, never held whole in Python. JSON-LD has to be
built in memory, so it is refused above `settings.export_jsonld_max_triples` with a message.

Tables: one row per project (with its 文号 and policy themes), and one row per indicator (a second
sheet in XLSX; a second file `<name>_指标.csv` next to the CSV). CSV is UTF-8 with a BOM so Excel
opens it with the right encoding.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rdflib import Graph

from ingest.errors import HrssError
from kg.atomic import replaced
from kg.namespace import PREFIXES
from kg.queries import run_named
from kg.settings import Settings
from kg.store import MemoryStore, Store

__all__ = ["FORMATS", "PROJECT_COLUMNS", "INDICATOR_COLUMNS", "export_graph", "export_store",
           "indicator_csv_path", "ExportError"]

FORMATS = ("ttl", "jsonld", "nt", "nq", "csv", "xlsx")
_STREAMED = ("ttl", "nt", "nq")

# (column in the query result, Chinese header)
PROJECT_COLUMNS: list[tuple[str, str]] = [
    ("year", "预算年度"), ("seq", "序号"), ("project_code", "项目编码"), ("project_name", "项目名称"),
    ("region_code", "区划代码"), ("region_name", "地区"),
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


# Oxigraph keeps decimals by value (44.00 comes back as 44); the graph keeps the printed form too.
_PRINTED = ("SELECT ?project ?budget_wan ?fiscal_wan ?other_wan WHERE { ?project a hk:Project "
            "OPTIONAL { ?project hk:budgetPrinted ?budget_wan } OPTIONAL { ?project hk:fiscalPrinted "
            "?fiscal_wan } OPTIONAL { ?project hk:otherPrinted ?other_wan } }")


def _as_printed(value: Any, printed: Any) -> Any:
    """The amount with the digits the source printed, when the printed form is the same number."""
    try:
        exact = Decimal(str(printed))
    except (InvalidOperation, ValueError):
        return value
    return exact if isinstance(value, Decimal) and exact == value else value


def _projects(store: Store) -> Iterator[dict[str, Any]]:
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in run_named(store, "project_links").rows:
        links[str(r["project"])][str(r["kind"])].append(str(r["label"]))
    printed = {str(r["project"]): r for r in store.query(_PRINTED).rows}
    for r in run_named(store, "projects_list").rows:
        row = dict(r)
        forms = printed.get(str(r["project"]), {})
        for c in _AMOUNTS:
            row[c] = _as_printed(row.get(c), forms.get(c))
        for kind in ("funding", "basis", "theme"):
            row[kind] = "；".join(sorted(links[str(r["project"])][kind]))
        yield row


def _indicators(store: Store) -> Iterator[dict[str, Any]]:
    yield from run_named(store, "indicators_list").rows


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _write_csv(path: Path, columns: Sequence[tuple[str, str]], rows: Iterable[dict[str, Any]]) -> None:
    with replaced(path) as raw:
        f = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        w = csv.writer(f)
        w.writerow([h for _, h in columns])
        for r in rows:
            w.writerow([_cell(r.get(c)) for c, _ in columns])
        f.flush()
        f.detach()


def _write_xlsx(path: Path, sheets: list[tuple[str, Sequence[tuple[str, str]], Iterable[dict[str, Any]]]]
                ) -> None:
    """Sheets written row by row (openpyxl's write-only mode: no cell objects kept)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title)
        for i, (c, h) in enumerate(columns, start=1):
            # widths are set before the first row; headers and typical values decide them
            width = len(h) * 2 if c not in _AMOUNTS else 14
            ws.column_dimensions[get_column_letter(i)].width = min(max(8, width + 2), 60)
        ws.freeze_panes = "A2"
        header = []
        for _, h in columns:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for r in rows:
            values = []
            for c, _ in columns:
                v = _cell(r.get(c))
                if c in _AMOUNTS and isinstance(v, Decimal):
                    # openpyxl writes a Decimal as a number; its stubs leave Decimal out
                    cell = WriteOnlyCell(ws, value=v)  # type: ignore[arg-type]
                    cell.number_format = "0.00"
                    values.append(cell)
                else:
                    values.append(v)
            ws.append(values)
    with replaced(path) as f:
        wb.save(f)


def _check_target(fmt: str, path: Path) -> Path:
    if fmt not in FORMATS:
        raise ExportError(f"未知的导出格式 {fmt!r}：可用 {', '.join(FORMATS)}")
    path = Path(path)
    if not path.parent.exists():
        raise ExportError(f"{path.parent}: 目录不存在")
    return path


def _write_jsonld(store: Store, path: Path) -> None:
    limit = store.settings.export_jsonld_max_triples
    n = store.triple_count()
    if n > limit:
        raise ExportError(f"JSON-LD 要在内存中整体构建：图谱有 {n:,} 个三元组，超过上限 {limit:,}。"
                          "请改用 --format nt、nq 或 ttl（流式写出），或调大 export_jsonld_max_triples。")
    graph = store.to_graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    with replaced(path) as f:
        graph.serialize(destination=f, format="json-ld", encoding="utf-8", context=dict(PREFIXES))


def export_store(store: Store, fmt: str, path: Path) -> list[Path]:
    """Write the store's graph in `fmt` to `path`; returns the files written."""
    path = _check_target(fmt, path)
    if fmt in _STREAMED:
        with replaced(path) as f:
            store.dump(f, fmt)
        return [path]
    if fmt == "jsonld":
        _write_jsonld(store, path)
        return [path]
    # Tables are read with the named queries, uncapped: an export holds every row.
    whole = store.with_settings(store.settings.with_(sparql_row_cap=2**62))
    if fmt == "csv":
        _write_csv(path, PROJECT_COLUMNS, _projects(whole))
        _write_csv(indicator_csv_path(path), INDICATOR_COLUMNS, _indicators(whole))
        return [path, indicator_csv_path(path)]
    _write_xlsx(path, [("项目", PROJECT_COLUMNS, _projects(whole)),
                       ("绩效指标", INDICATOR_COLUMNS, _indicators(whole))])
    return [path]


def export_graph(graph: Graph, fmt: str, path: Path, settings: Settings) -> list[Path]:
    """Write an rdflib graph in `fmt` to `path` (see export_store)."""
    return export_store(MemoryStore(settings, graph), fmt, path)

"""A 部门预算绩效目标 document → projects, narrative and diagnostics.

Tables are found by their 项目编码 row, whatever the layout; the unit row and the heading stand just
before it. Everything between two tables that is not a table is narrative, filed under the section
heading it stands in (总体绩效目标, 工作保障措施 …).
"""

from __future__ import annotations

import bisect
import os
import re
from collections import Counter
from pathlib import Path

from ingest.columns import find_column_tables, parse_column_table
from ingest.errors import SourceError
from ingest.memo import interned
from ingest.notices import find_notice
from ingest.reader import (
    DEFAULT_MAX_BYTES,
    clean_text,
    damaged_lines,
    decode_source,
    display_name,
    load_bytes,
    load_source,
)
from ingest.readers import TEXT_SUFFIXES, read_document
from ingest.readers.adapter import place_result, to_rows, uses_bookmarks
from ingest.readers.grid import Document
from ingest.readers.text_tables import has_text_tables, text_rows
from ingest.records import Diagnostic, NarrativeItem, ParseResult, Project, SourceSpan
from ingest.rows import (
    BOOKMARK,
    Row,
    match_part_heading,
    match_section_heading,
    match_table_heading,
    split_rows,
)
from ingest.tables import UNIT_LABELS, collect_doc_refs, parse_table, parse_unit_row
from ingest.values import REPLACEMENT, shown

__all__ = ["parse_file", "parse_rows", "parse_text"]

# A Hebei 项目编码 starts with the six-digit division code and the two-digit budget year.
_CODE_YEAR = re.compile(r"^\d{6}(?P<yy>\d{2})")
_YEAR_MENTION = re.compile(r"(?<!\d)(?P<year>20\d{2})\s*年")
_NUMBERED = re.compile(r"^\s*(?P<num>[一二三四五六七八九十]+)\s*[、.．]\s*(?P<rest>.+)$")
_SUBNUMBERED = re.compile(r"^\s*[（(]\s*(?P<num>[一二三四五六七八九十]+)\s*[）)]\s*(?P<rest>.+)$")
_YEAR_LINE = re.compile(r"^\s*[（(]\s*20\d{2}\s*年度?\s*[）)]\s*$")
_DAMAGED_CODE = re.compile(r"[\d\ufffd]*\ufffd[\d\ufffd]*")
_TABLE_SECTIONS = ("分项绩效目标", "预算项目绩效目标", "项目支出绩效目标")


# Damaged lines are reported one by one up to this many, then summed up in one message.
_DAMAGE_REPORTS = 20


def parse_file(path: Path | str, name: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParseResult:
    """Read and parse one file; never raises for bad input (see the diagnostics instead).

    Files over `max_bytes`, FIFOs, devices and names that are not UTF-8 are refused before reading.
    """
    label = name or display_name(path)
    try:
        if Path(os.fsdecode(path)).suffix.lower() not in TEXT_SUFFIXES:
            # Word, Excel, PDF, web pages (or a name that lies): the readers decide by content
            data = load_bytes(path, max_bytes)
            doc, notes = read_document(Path(os.fsdecode(path)), data)
            if doc is not None:
                return _parse_document(doc, label, notes)
            source = decode_source(data, label)
            result = parse_text(source.text, label, source.encoding)
            result.diagnostics[:0] = [Diagnostic(label, None, n, "warning") for n in notes]
            return result
        source = load_source(path, max_bytes)
    except SourceError as e:
        return ParseResult(label, None, diagnostics=[Diagnostic(label, e.line, str(e.args[0]), "error")])
    except Exception as e:  # noqa: BLE001 - last resort: a file that cannot be read is a diagnostic
        return ParseResult(label, None, diagnostics=[Diagnostic(label, None, f"cannot read ({_internal(e)})", "error")])
    result = parse_text(source.text, label, source.encoding)
    if source.encoding not in ("utf-8",):
        result.diagnostics.insert(0, Diagnostic(label, None, f"decoded as {source.encoding.upper()}", "info"))
    return result


def parse_text(text: str, file: str, encoding: str | None = "utf-8") -> ParseResult:
    """Parse decoded text. `file` names the source in spans and messages; never raises.

    A failure inside one table costs that table (an error naming its line), not the file.
    """
    result = ParseResult(file, encoding)

    def warn(line: int | None, message: str, severity: str = "warning") -> None:
        result.diagnostics.append(Diagnostic(file, line, message, severity))

    try:
        text = clean_text(text)
        _report_damage(text, warn)
        lines = text.split("\n")
        # pipe tables and space-separated rows join Word's two text layouts, detected per table
        rows = text_rows(lines) if has_text_tables(text) else split_rows(lines)
        _parse(rows, file, result, warn, any(BOOKMARK.match(line) for line in lines), lines)
    except Exception as e:  # noqa: BLE001 - last resort: report, keep what was read
        warn(None, f"could not be parsed ({_internal(e)}); nothing more loaded", "error")
    return result


def parse_rows(rows: list[Row], file: str, encoding: str | None, bookmarks_used: bool) -> ParseResult:
    """Parse a stream of rows (a reader's grid through the adapter); `Row.lines` place the cells."""
    result = ParseResult(file, encoding)

    def warn(line: int | None, message: str, severity: str = "warning") -> None:
        result.diagnostics.append(Diagnostic(file, line, message, severity))

    try:
        _parse(rows, file, result, warn, bookmarks_used)
    except Exception as e:  # noqa: BLE001 - last resort: report, keep what was read
        warn(None, f"could not be parsed ({_internal(e)}); nothing more loaded", "error")
    return result


def _parse_document(doc: Document, label: str, notes: list[str]) -> ParseResult:
    """A read Word, Excel, PDF or web file → records whose spans name pages, tables and cells."""
    rows, places = to_rows(doc)
    result = parse_rows(rows, label, None, uses_bookmarks(doc))
    place_result(result, doc, places, notes)
    return result


def _internal(e: Exception) -> str:
    """A short description of an unexpected exception, for a diagnostic."""
    return f"internal error {type(e).__name__}: {str(e)[:80]}"


def _report_damage(text: str, warn) -> None:
    lines = damaged_lines(text)
    for line in lines[:_DAMAGE_REPORTS]:
        warn(line, "bytes that are not text replaced with U+FFFD (�); values touching them are not loaded")
    if len(lines) > _DAMAGE_REPORTS:
        warn(lines[_DAMAGE_REPORTS], f"{len(lines) - _DAMAGE_REPORTS} more lines with bytes that are not text "
             f"(lines {lines[_DAMAGE_REPORTS]}–{lines[-1]})")


def _parse(rows: list[Row], file: str, result: ParseResult, warn, bookmarks_used: bool,
           lines: list[str] | None = None) -> None:
    source_name = Path(file).name
    column_tables = find_column_tables(rows)
    in_columns = {i for h, e in column_tables for i in range(h, e)}
    column_starts = sorted(h for h, _ in column_tables)
    anchors = [a for a in _anchors(rows) if a not in in_columns]
    breaks = [
        i for i, r in enumerate(rows)
        if r.is_text and (match_part_heading(r.cells[0]) or match_section_heading(r.cells[0], bookmarks_used))
    ]

    starts = [_table_start(rows, a) for a in anchors]
    claimed: set[int] = set()
    drafts = []
    for k, anchor in enumerate(anchors):
        start, unit_idx, head_idx = starts[k]
        end = starts[k + 1][0] if k + 1 < len(anchors) else len(rows)
        at = bisect.bisect_right(breaks, anchor)
        if at < len(breaks):
            end = min(end, breaks[at])
        at = bisect.bisect_right(column_starts, anchor)
        if at < len(column_starts):
            end = min(end, column_starts[at])
        claimed.update(range(start, end))
        drafts.append((start, unit_idx, head_idx, anchor, end))

    part_of = _parts(rows)
    projects: list[Project] = []
    parts: list[int] = []
    for start, unit_idx, head_idx, anchor, end in drafts:
        try:
            project = _build_project(rows, start, unit_idx, head_idx, anchor, end, source_name, warn)
        except Exception as e:  # noqa: BLE001 - last resort: one table's failure must not cost the file
            warn(rows[start].first, f"table not loaded ({_internal(e)})", "error")
            continue
        projects.append(project)
        parts.append(part_of[anchor])
    for header, end in column_tables:
        try:
            found, first = parse_column_table(rows, header, end, source_name, warn)
        except Exception as e:  # noqa: BLE001 - last resort: one table's failure must not cost the file
            warn(rows[header].first, f"table not loaded ({_internal(e)})", "error")
            continue
        claimed.update(range(first, end))
        projects += found
        parts += [part_of[header]] * len(found)
    if column_tables:
        order = sorted(range(len(projects)), key=lambda k: projects[k].span.first_line)
        projects, parts = [projects[k] for k in order], [parts[k] for k in order]

    _fill_years(projects, parts, rows, warn)
    result.projects = _drop_duplicates(projects, warn)

    for i, r in enumerate(rows):
        if i not in claimed and r.is_text:
            hit = match_table_heading(r.cells[0])
            if hit and hit[1] and hit[1].endswith("绩效目标表"):
                warn(r.first, "table heading without a 项目编码 row; table not loaded")

    part_years = _part_years(projects, parts)
    result.narrative = _narrative(rows, claimed, bookmarks_used, part_of, part_years, source_name)
    if not result.projects:
        result.notices = find_notice(rows, lines, source_name, warn)
    if not result.projects and not result.narrative and not result.notices:
        warn(None, "no project table (项目编码 row) and no narrative found", "error")


def _is_anchor(row: Row) -> bool:
    return not row.is_text and (row.key.startswith("项目编码") or row.key.startswith("项目名称"))


def _anchors(rows: list[Row]) -> list[int]:
    """Row indexes where a table's body starts: its first 项目编码 / 项目名称 row."""
    out: list[int] = []
    for i, r in enumerate(rows):
        if _is_anchor(r) and not (out and i - out[-1] <= 2 and all(
                not rows[j].is_text and not re.search(r"单位\s*[:：]", rows[j].text)
                for j in range(out[-1] + 1, i))):
            out.append(i)
    return out


def _table_start(rows: list[Row], anchor: int) -> tuple[int, int | None, int | None]:
    """(first row index, unit row index, heading row index) of the table anchored at `anchor`."""
    unit_idx = None
    for j in (anchor - 1, anchor - 2):
        if j >= 0 and not _is_anchor(rows[j]):
            text = rows[j].text
            if "单位" in text and re.search(r"单位\s*[:：]", text) or re.match(r"^\d{6}\D", text):
                unit_idx = j
                break
    first = unit_idx if unit_idx is not None else anchor
    head_idx = None
    j = first - 1
    if j >= 1 and rows[j].is_text and _YEAR_LINE.match(rows[j].cells[0]):
        j -= 1  # "（2024年度）" under the heading
    if j >= 0 and rows[j].is_text and match_table_heading(rows[j].cells[0]) is not None:
        head_idx = j
        first = j
    return first, unit_idx, head_idx


def _build_project(rows, start, unit_idx, head_idx, anchor, end, source_name, warn) -> Project:
    seq = title = None
    head_line = rows[start].first
    if head_idx is not None:
        seq, title = match_table_heading(rows[head_idx].cells[0])  # type: ignore[misc]
        if title is None:
            warn(head_line, f"table {seq} has a number but no title")
        year_line = rows[head_idx + 1].cells[0] if head_idx + 1 < anchor else ""
        if title and _YEAR_LINE.match(year_line):
            title += year_line.strip()
    else:
        warn(head_line, "table has no heading")
    unit_code = unit_name = money = None
    if unit_idx is not None:
        unit_code, unit_name, money = _unit(rows[unit_idx], warn)

    d = parse_table(rows[anchor:end], source_name, warn)
    if unit_code is None and unit_name is None:
        # a form names its unit inside the table (实施单位, 预算单位, 主管部门 …)
        found = next((d.units[label] for label in UNIT_LABELS if label in d.units), None)
        if found is not None:
            unit_code, unit_name = found[0], found[1]
        elif unit_idx is None:
            warn(rows[anchor].first, "no unit row (预算单位 and 单位：万元) before 项目编码")
    money = d.money or money
    amounts, breakdown = _in_wan(d, money, rows[anchor].first, warn)
    if not d.project_code and d.code_line is not None:
        warn(rows[anchor].first, "项目编码 is blank")
    missing = [name for name, ok in (
        ("预算数", bool(d.amounts)), ("资金支出计划", d.plan is not None or not d.plan_expected),
        ("绩效目标", bool(d.goals)),
        ("indicator table", d.has_header),
    ) if not ok]
    if missing:
        warn(head_line, f"table is incomplete (cut off?): no {', '.join(missing)}")
    elif d.has_header and not d.indicators:
        warn(head_line, "indicator table has a header but no rows")
    purpose = "\n".join(text for text, _ in d.purpose) or None
    refs = collect_doc_refs(
        [("title", title, rows[head_idx].first if head_idx is not None else None),
         ("project_name", d.project_name, d.name_line)]
        + [("purpose", text, line) for text, line in d.purpose],
        warn,
    )
    basis_refs = collect_doc_refs([("basis", i.basis, i.span.first_line) for i in d.indicators], warn)
    return Project(
        year=None,
        seq=seq,
        title=title,
        unit_code=interned(unit_code),
        unit_name=interned(unit_name),
        project_code=d.project_code,
        project_name=d.project_name,
        budget_wan=amounts.get("budget_wan"),
        fiscal_wan=amounts.get("fiscal_wan"),
        other_wan=amounts.get("other_wan"),
        purpose=purpose,
        spending_plan=d.plan,
        goals=tuple(d.goals),
        indicators=tuple(d.indicators),
        doc_refs=refs,
        span=SourceSpan(source_name, head_line, max(d.last_line, rows[anchor].last)),
        year_source="none",
        basis_refs=basis_refs,
        field_lines=tuple(
            ([("unit", rows[unit_idx].first, rows[unit_idx].last)] if unit_idx is not None else [])
            + [(name, a, b) for name, (a, b) in d.lines.items()]
        ),
        budget_printed=d.printed.get("budget_wan"),
        amount_unit=interned(money),
        fiscal_breakdown=breakdown,
        long_term_goals=tuple(d.long_term),
    )


def _in_wan(d, money: str | None, line: int, warn):
    """The table's amounts (and breakdown) in 万元: printed 元 are divided by 10000, exactly."""
    if money in (None, "万元"):
        return d.amounts, tuple(d.breakdown)
    if money != "元":
        warn(line, f"amounts are in {money}, neither 万元 nor 元; kept as printed")
        return d.amounts, tuple(d.breakdown)
    amounts = {k: (v.scaleb(-4) if v is not None else None) for k, v in d.amounts.items()}
    breakdown = tuple((label, v.scaleb(-4) if v is not None else None, p) for label, v, p in d.breakdown)
    return amounts, breakdown


def _unit(row: Row, warn) -> tuple[str | None, str | None, str | None]:
    """(单位编码, 单位名称, money unit) of the unit row; a code touched by a replaced byte is dropped."""
    code, name, money = parse_unit_row(row.text)
    if REPLACEMENT in row.text:
        head = row.text.lstrip()[:8]
        if code is None and REPLACEMENT in head:  # where the six-digit code would stand
            damaged = _DAMAGED_CODE.match(name or "")
            warn(row.first, f"单位编码 {shown(damaged[0] if damaged else head)} has bytes that could not be "
                 "decoded; left empty")
            if damaged and name:
                name = name[damaged.end():].lstrip() or None  # the name proper starts after the code
        if name and REPLACEMENT in name:
            warn(row.first, f"单位名称 {shown(name)} has bytes that could not be decoded; kept as printed")
    return code, name, money


def _parts(rows: list[Row]) -> list[int]:
    """The part number (第一部分 = 1 …; 0 before any) of every row."""
    part, out = 0, []
    for r in rows:
        if r.is_text and match_part_heading(r.cells[0]):
            part += 1
        out.append(part)
    return out


def _fill_years(projects: list[Project], parts: list[int], rows: list[Row], warn) -> None:
    """Budget year from the project code; else the year most tables of the same part have."""
    from dataclasses import replace

    code_years: list[int | None] = []
    for p in projects:
        m = _CODE_YEAR.match(p.project_code or "")
        code_years.append(2000 + int(m["yy"]) if m else None)
    by_part: dict[int, Counter[int]] = {}
    for part, year in zip(parts, code_years):
        if year is not None:
            by_part.setdefault(part, Counter())[year] += 1
    for i, (p, year) in enumerate(zip(projects, code_years)):
        source = "code"
        if year is None:
            common = by_part.get(parts[i])
            mention = _YEAR_MENTION.search(p.title or "")
            if common:
                year, source = common.most_common(1)[0][0], "document"
            elif mention:
                year, source = int(mention["year"]), "title"
            else:
                source = "none"
                warn(p.span.first_line, "budget year unknown: not in the 项目编码 nor the document")
        projects[i] = replace(p, year=year, year_source=source)


def _drop_duplicates(projects: list[Project], warn) -> list[Project]:
    seen: dict[tuple[int | None, str], Project] = {}
    out = []
    for p in projects:
        if p.project_code:
            key = (p.year, p.project_code)
            if key in seen:
                first = seen[key]
                warn(
                    p.span.first_line,
                    f"项目编码 {p.project_code} already used by the table at line "
                    f"{first.span.first_line}; this table is not loaded",
                    "error",
                )
                continue
            seen[key] = p
        out.append(p)
    return out


def _part_years(projects: list[Project], parts: list[int]) -> dict[int, int]:
    counts: dict[int, Counter[int]] = {}
    for p, part in zip(projects, parts):
        if p.year is not None:
            counts.setdefault(part, Counter())[p.year] += 1
    return {part: c.most_common(1)[0][0] for part, c in counts.items()}


def _narrative(rows, claimed, bookmarks_used, part_of, part_years, source_name) -> list[NarrativeItem]:
    """Paragraphs of the narrative sections, each under its heading and parent heading."""
    items: list[NarrativeItem] = []
    section: str | None = None
    heading: str | None = None
    parent: str | None = None
    pending: list[Row] = []
    pending_heading: tuple[str | None, str | None, int] | None = None
    all_years = sorted(set(part_years.values()))

    part_by_line = {r.first: part_of[i] for i, r in enumerate(rows)}

    def year_of(line: int) -> int | None:
        y = part_years.get(part_by_line.get(line, 0))
        return y if y is not None else (all_years[0] if len(all_years) == 1 else None)

    def emit(h: str | None, par: str | None, text_rows: list[Row], first: int, last: int) -> None:
        text = "\n".join(r.cells[0] for r in text_rows)
        items.append(NarrativeItem(section or "", h, par, text, year_of(first), SourceSpan(source_name, first, last)))

    def flush() -> None:
        nonlocal pending, pending_heading
        if pending_heading is not None:
            h, par, line = pending_heading
            last = pending[-1].last if pending else line
            emit(h, par, pending, line, last)
        else:
            for r in pending:
                emit(None, parent, [r], r.first, r.last)
        pending, pending_heading = [], None

    for i, r in enumerate(rows):
        if i in claimed or not r.is_text:
            continue
        text = r.cells[0]
        if match_part_heading(text):
            flush()
            section = heading = parent = None
            continue
        title = match_section_heading(text, bookmarks_used)
        if title is not None:
            flush()
            section = None if title in _TABLE_SECTIONS else title
            heading = parent = None
            continue
        if section is None:
            continue
        body = BOOKMARK.sub("", text)
        top, sub = _NUMBERED.match(body), _SUBNUMBERED.match(body)
        m = top or sub
        if m is not None:
            flush()
            rest = m["rest"].strip()
            if top:
                parent = None
            short = len(rest) <= 30 and "。" not in rest.rstrip("。")
            if short:
                heading = rest.rstrip("。")
                pending_heading = (heading, parent, r.first)
                if top:
                    parent = heading
            else:
                first_sentence = rest.split("。", 1)[0]
                h = first_sentence if len(first_sentence) <= 40 else None
                emit(h, None if top else parent, [Row((rest,), r.lines, "text")], r.first, r.last)
                heading = None
        else:
            pending.append(r)
    flush()
    return items

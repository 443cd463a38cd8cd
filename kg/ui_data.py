"""Small computations the Streamlit pages need and the other core modules do not offer.

Pages stay thin: they call these functions and format what comes back. Nothing here imports
Streamlit. Row dictionaries use the Chinese column headers the UI shows.
"""

from __future__ import annotations

import importlib
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest import ParseResult, Project, parse_file
from ingest.docnumber import find_doc_numbers
from ingest.errors import HrssError, SourceError
from ingest.records import SourceSpan
from kg.corpus import SOURCE_SUFFIXES, Corpus
from kg.settings import Settings

__all__ = [
    "UploadError",
    "YearChange",
    "core_module",
    "source_file",
    "source_excerpt",
    "project_label",
    "project_rows",
    "indicator_rows",
    "spending_plan_rows",
    "unit_names",
    "unit_year_totals",
    "year_totals",
    "base_name",
    "year_changes",
    "change_rows",
    "diagnostic_rows",
    "stage_upload",
    "upload_loaded",
    "accept_upload",
    "parse_upload",
    "theme_labels",
    "as_rows",
    "history_rows",
    "theme_year_totals",
    "cross_year_links",
    "finding_rows",
    "count_rows",
    "PAGE_SIZE",
    "simple_search",
    "facet_rows",
    "to_decimal",
    "hit_docs",
    "theme_names",
    "corpus_doc_lookup",
    "card_project_rows",
    "mention_rows",
    "corpus_trace_down",
    "sankey_data",
    "trace_rows",
    "trace_total",
    "query_rows",
    "bind_query",
    "discard_upload",
    "EXPORT_FORMATS",
    "export_bytes",
    "UPLOAD_DIR",
]

UPLOAD_DIR = "uploads"
_STAGING = ".staging"  # a dot folder: kg.corpus.find_sources skips it, so a staged file is never built


class UploadError(HrssError):
    """An uploaded file that cannot be taken (wrong type, empty name)."""


# The public function each core module must offer before the UI uses it (a package may exist,
# half-written, before its API does).
_CORE_API = {
    "search": "open_index", "store": "open_store", "lineage": "load_lineage", "audit": "load_findings",
    "doccard": "lookup_document", "queries": "named_queries", "themes": "tag_project",
    "export": "export_store",
}


def core_module(name: str) -> Any | None:
    """The core module `kg.<name>` once it offers its public API, None until then."""
    try:
        module = importlib.import_module(f"kg.{name}")
    except ModuleNotFoundError as e:
        if e.name and (e.name == f"kg.{name}" or f"kg.{name}".startswith(e.name + ".")):
            return None
        raise
    return module if hasattr(module, _CORE_API.get(name, "__name__")) else None


def source_file(settings: Settings, corpus: Corpus, name: str) -> Path | None:
    """The source file a span names: the parsed path when the corpus has it, else under data_dir."""
    for r in corpus.results:
        p = Path(r.file)
        if (r.file == name or p.name == name) and p.is_file():
            return p
    direct = settings.data_dir / name
    if direct.is_file():
        return direct
    found = sorted(settings.data_dir.rglob(Path(name).name)) if settings.data_dir.is_dir() else []
    return found[0] if found else None


def source_excerpt(settings: Settings, corpus: Corpus, span: SourceSpan, context: int = 0) -> str:
    """The lines span.first_line..span.last_line of the source file, each prefixed by its number.

    Raises:
        SourceError: the file is no longer there or is shorter than the span.
    """
    path = source_file(settings, corpus, span.file)
    if path is None:
        raise SourceError("源文件不存在", span.file)
    from ingest.reader import read_source

    text, _ = read_source(path)
    lines = text.split("\n")
    first = max(1, span.first_line - context)
    last = min(len(lines), span.last_line + context)
    if span.first_line > len(lines):
        raise SourceError(f"文件只有 {len(lines)} 行", path, span.first_line)
    width = len(str(last))
    return "\n".join(f"{n:>{width}}  {lines[n - 1].rstrip()}" for n in range(first, last + 1))


def project_label(p: Project) -> str:
    """One line naming a project: year, name, code."""
    return f"{p.year or '—'} · {p.project_name or p.title or '（无名称）'} · {p.project_code or '（无编码）'}"


def project_rows(projects: Iterable[Project]) -> list[dict[str, Any]]:
    """One row per project for a table."""
    return [
        {
            "年度": p.year,
            "项目编码": p.project_code,
            "项目名称": p.project_name,
            "单位": p.unit_name,
            "单位编码": p.unit_code,
            "预算数(万元)": p.budget_wan,
            "文号": "、".join(p.doc_numbers),
        }
        for p in projects
    ]


def indicator_rows(p: Project) -> list[dict[str, Any]]:
    """The three-level indicator table, as printed, with its source lines."""
    return [
        {
            "一级指标": i.level1,
            "二级指标": i.level2,
            "三级指标": i.level3,
            "绩效指标描述": i.description,
            "指标值": i.value,
            "指标值确定依据": i.basis,
            "行": f"{i.span.first_line}" if i.span.first_line == i.span.last_line
            else f"{i.span.first_line}–{i.span.last_line}",
        }
        for i in p.indicators
    ]


def spending_plan_rows(p: Project) -> list[dict[str, Any]]:
    """The 资金支出计划 as (时间, 累计支出%) rows; empty when the plan is blank."""
    plan = p.spending_plan
    if plan is None or plan.is_blank:
        return []
    return [
        {"时间": label, "累计支出(%)": float(pct) if pct is not None else None, "原文": printed}
        for label, printed, pct in zip(plan.labels, plan.printed, plan.percents, strict=True)
    ]


def unit_names(projects: Iterable[Project]) -> dict[str, str]:
    """unit code → unit name (the first name seen), sorted by code."""
    out: dict[str, str] = {}
    for p in projects:
        if p.unit_code and p.unit_code not in out:
            out[p.unit_code] = p.unit_name or p.unit_code
    return dict(sorted(out.items()))


def unit_year_totals(projects: Iterable[Project]) -> list[dict[str, Any]]:
    """Per unit and year: number of projects and the summed 预算数."""
    acc: dict[tuple[str, str, int], list[Decimal]] = defaultdict(list)
    for p in projects:
        if p.year is None:
            continue
        acc[(p.unit_code or "", p.unit_name or "", p.year)].append(p.budget_wan or Decimal(0))
    return [
        {"单位编码": code, "单位": name, "年度": year, "项目数": len(v), "预算数(万元)": sum(v, Decimal(0))}
        for (code, name, year), v in sorted(acc.items())
    ]


def year_totals(projects: Iterable[Project], key: Any = None) -> list[dict[str, Any]]:
    """Per year (and per group when `key(project)` gives one or more group names): count and sum."""
    acc: dict[tuple[str, int], list[Decimal]] = defaultdict(list)
    for p in projects:
        if p.year is None:
            continue
        groups = key(p) if key else ["合计"]
        for g in groups or ["（未分类）"]:
            acc[(g, p.year)].append(p.budget_wan or Decimal(0))
    return [
        {"分组": g, "年度": y, "项目数": len(v), "预算数(万元)": sum(v, Decimal(0))}
        for (g, y), v in sorted(acc.items())
    ]


_BRACKET_CODE = re.compile(r"[\[【(（]\s*[0-9A-Z]{10,}\s*[\]】)）]")
_YEAR_PREFIX = re.compile(r"^(?:19|20)\d{2}年度?")
_SPACE = re.compile(r"\s+")


def base_name(p: Project) -> str:
    """The project name without the 文号, bracketed codes and a leading year it is printed with
    ("[13…]怀财资【2022】7号 办案及业务经费" → "办案及业务经费")."""
    name = p.project_name or p.title or ""
    for m in reversed(find_doc_numbers(name)):
        name = name[: m.start] + name[m.end:]
    name = _BRACKET_CODE.sub("", name)
    name = _SPACE.sub("", name).strip("　 ·-—:：")
    return _YEAR_PREFIX.sub("", name)


@dataclass(frozen=True)
class YearChange:
    """One project compared between two years: 新增, 取消, 增加, 减少 or 持平."""

    kind: str
    unit_code: str | None
    unit_name: str | None
    name: str
    before: Project | None
    after: Project | None

    @property
    def delta_wan(self) -> Decimal:
        a = self.before.budget_wan if self.before and self.before.budget_wan is not None else Decimal(0)
        b = self.after.budget_wan if self.after and self.after.budget_wan is not None else Decimal(0)
        return b - a


def year_changes(
    projects: Iterable[Project],
    year_from: int,
    year_to: int,
    links: dict[tuple[int, str], tuple[int, str]] | None = None,
) -> list[YearChange]:
    """What changed between two years: projects new, gone, grown, shrunk or unchanged.

    A project of `year_to` continues one of `year_from` when `links` (year, code) → (year, code) says
    so (the lineage's cross-year links); otherwise when both have the same unit and the same base name.
    """
    before = [p for p in projects if p.year == year_from]
    after = [p for p in projects if p.year == year_to] if year_to != year_from else []
    by_key: dict[tuple[str | None, str], list[Project]] = defaultdict(list)
    by_code = {(p.year, p.project_code): p for p in before if p.project_code}
    for p in before:
        by_key[(p.unit_code, base_name(p))].append(p)
    used: set[int] = set()
    out: list[YearChange] = []
    for p in after:
        prev = None
        link = (links or {}).get((p.year, p.project_code or ""))
        if link is not None:
            prev = by_code.get(link)
        if prev is None:
            prev = next((q for q in by_key.get((p.unit_code, base_name(p)), []) if id(q) not in used), None)
        if prev is None:
            out.append(YearChange("新增", p.unit_code, p.unit_name, base_name(p), None, p))
            continue
        used.add(id(prev))
        a, b = prev.budget_wan or Decimal(0), p.budget_wan or Decimal(0)
        kind = "增加" if b > a else "减少" if b < a else "持平"
        out.append(YearChange(kind, p.unit_code, p.unit_name, base_name(p), prev, p))
    for p in before:
        if id(p) not in used:
            out.append(YearChange("取消", p.unit_code, p.unit_name, base_name(p), p, None))
    order = {"新增": 0, "增加": 1, "减少": 2, "取消": 3, "持平": 4}
    return sorted(out, key=lambda c: (order[c.kind], c.unit_code or "", -abs(c.delta_wan)))


def change_rows(changes: Iterable[YearChange]) -> list[dict[str, Any]]:
    """YearChange records as table rows."""
    return [
        {
            "变化": c.kind,
            "单位": c.unit_name,
            "项目": c.name,
            "上年编码": c.before.project_code if c.before else None,
            "上年(万元)": c.before.budget_wan if c.before else None,
            "本年编码": c.after.project_code if c.after else None,
            "本年(万元)": c.after.budget_wan if c.after else None,
            "增减(万元)": c.delta_wan,
        }
        for c in changes
    ]


_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def diagnostic_rows(corpus: Corpus | ParseResult) -> list[dict[str, Any]]:
    """Ingest diagnostics (FILE:LINE: message) as rows; the file shown by its name."""
    diags = corpus.all_diagnostics() if isinstance(corpus, Corpus) else corpus.diagnostics
    rows = []
    for d in diags:
        name = Path(d.file).name
        rows.append({"级别": _SEVERITY.get(d.severity, d.severity), "文件": name, "行": d.line,
                     "说明": d.message, "位置": f"{name}:{d.line}: {d.message}" if d.line else f"{name}: {d.message}"})
    return rows


def stage_upload(settings: Settings, filename: str, data: bytes) -> Path:
    """Write an uploaded file into a staging folder under data_dir/uploads (never built from there).

    Raises:
        UploadError: the name is empty or the type is not one the parser reads.
    """
    name = Path(filename.replace("\\", "/")).name.strip()
    if not name or name.startswith("."):
        raise UploadError(f"文件名无效: {filename!r}")
    if Path(name).suffix.lower() not in SOURCE_SUFFIXES:
        raise UploadError(f"暂只支持 {'、'.join(SOURCE_SUFFIXES)} 文件: {name}")
    staging = settings.data_dir / UPLOAD_DIR / _STAGING / f"{time.time_ns()}"
    staging.mkdir(parents=True, exist_ok=True)
    path = staging / name
    path.write_bytes(data)
    return path


def upload_loaded(result: ParseResult) -> bool:
    """True when a parsed upload holds something worth adding: a project with code and year, or narrative."""
    return any(p.project_code and p.year for p in result.projects) or bool(result.narrative)


def accept_upload(settings: Settings, staged: Path) -> Path:
    """Move a staged upload into data_dir/uploads (a same-named older upload is replaced)."""
    target_dir = settings.data_dir / UPLOAD_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / staged.name
    shutil.move(str(staged), target)
    shutil.rmtree(staged.parent, ignore_errors=True)
    return target


def parse_upload(staged: Path) -> ParseResult:
    """Parse a staged upload; messages name the file by its uploaded name."""
    return parse_file(staged, name=staged.name)



def theme_labels(p: Project) -> list[str] | None:
    """The policy themes of a project (kg.themes), None while the themes module is not there."""
    themes = core_module("themes")
    if themes is None:
        return None
    return [_label(t) for t in themes.tag_project(p)]


def _label(obj: Any) -> str:
    for attr in ("label", "pref_label", "name", "title"):
        value = getattr(obj, attr, None)
        if isinstance(value, str):
            return value
    return str(obj)


def as_rows(items: Any) -> list[dict[str, Any]]:
    """Core result records (dataclasses, objects with to_json, dicts) as flat table rows."""
    import dataclasses

    rows = []
    for item in items or []:
        if hasattr(item, "to_json"):
            row = item.to_json()
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            row = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
        elif isinstance(item, dict):
            row = dict(item)
        else:
            row = {"值": item}
        rows.append({k: (v if isinstance(v, str | int | float | Decimal | None) else _flat(v))
                     for k, v in row.items()})
    return rows


def _flat(value: Any) -> str:
    if isinstance(value, list | tuple | set):
        return "、".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={_flat(v)}" for k, v in value.items())
    return _label(value) if not isinstance(value, str | int | float | Decimal) else str(value)


def history_rows(lineage: Any, p: Project) -> list[dict[str, Any]]:
    """A project's line across years (kg.lineage history) as table rows, oldest first."""
    if not p.project_code:
        return []
    hist = lineage.history(p.project_code)
    return [{"年度": e.year, "项目编码": e.project_code, "项目名称": e.project_name,
             "预算数(万元)": e.budget_wan, "增减(万元)": e.change_wan,
             "增减(%)": e.change_pct, "资金层级": e.fund_level, "文号": "、".join(e.documents)}
            for e in hist.entries]


def theme_year_totals(projects: list[Project]) -> list[dict[str, Any]]:
    """Per policy theme and year: count and summed 预算数 (one total per year without kg.themes).

    A project tagged with two themes counts in both.
    """
    if core_module("themes") is None:
        return year_totals(projects)
    return year_totals(projects, key=theme_labels)


def cross_year_links(lineage: Any | None) -> dict[tuple[int, str], tuple[int, str]]:
    """(year, code) → (previous year, code) from the lineage's cross-year links; {} without lineage."""
    if lineage is None:
        return {}
    links = getattr(lineage, "links", None)
    links = links() if callable(links) else links
    return {(k.year_to, k.code_to): (k.year_from, k.code_from) for k in links or ()}


def finding_rows(findings: Iterable[Any]) -> list[dict[str, Any]]:
    """Audit findings (kg.audit) as rows with the project columns the project links use."""
    rows = []
    for f in findings:
        span = getattr(f, "span", None)
        rows.append({
            "级别": f.severity,
            "规则": f"{f.rule_id} {f.rule_title}",
            "年度": f.year,
            "项目编码": f.project_code,
            "项目名称": f.project_name,
            "单位编码": f.unit_code,
            "字段": f.field,
            "原文值": None if f.value is None else str(f.value),
            "说明": f.message,
            "位置": f"{span.file}:{span.first_line}-{span.last_line}" if span else None,
        })
    return rows


def count_rows(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Counts of rows per combination of `keys`, most frequent first."""
    acc: dict[tuple[Any, ...], int] = defaultdict(int)
    for r in rows:
        acc[tuple(r.get(k) for k in keys)] += 1
    return [dict(zip(keys, k, strict=True)) | {"条数": n}
            for k, n in sorted(acc.items(), key=lambda kv: (-kv[1], str(kv[0])))]


PAGE_SIZE = 20


@dataclass
class SimpleResult:
    """The shape of kg.search's SearchResult, for the substring search used until kg.search exists."""

    total: int
    hits: list[Any]
    facets: dict[str, Any]
    doc_query: str | None = None


@dataclass
class SimpleHit:
    year: int | None
    project_code: str | None
    project_name: str | None
    title: str | None
    unit_code: str | None
    unit_name: str | None
    budget_wan: Decimal | None
    doc_refs: tuple[str, ...]
    score: float = 0.0
    highlights: tuple[Any, ...] = ()
    themes: tuple[str, ...] = ()


def simple_search(projects: Iterable[Project], query: str, year: int | None = None,
                  unit: str | None = None, theme: str | None = None, issuer: str | None = None,
                  amount_min: float | None = None, amount_max: float | None = None,
                  page: int = 1) -> SimpleResult:
    """A 文号 in the query matched exactly, every other word as a substring of title, name, purpose."""
    from ingest.docnumber import DocNumber, find_doc_query

    doc_query, rest = find_doc_query(query)
    words = rest.split() if doc_query else query.split()
    hits = []
    for p in projects:
        if doc_query and not any(doc_query.matches(DocNumber.parse(d)) for d in p.doc_numbers):
            continue
        text = " ".join(filter(None, [p.title, p.project_name, p.purpose, *p.doc_numbers]))
        if not all(w in text for w in words):
            continue
        if (year and p.year != year) or (unit and p.unit_code != unit):
            continue
        if issuer and not any(d.startswith(issuer) for d in p.doc_numbers):
            continue
        amount = float(p.budget_wan or 0)
        if (amount_min and amount < amount_min) or (amount_max and amount > amount_max):
            continue
        hits.append(SimpleHit(p.year, p.project_code, p.project_name, p.title, p.unit_code, p.unit_name,
                              p.budget_wan, p.doc_numbers))
    facets = {"year": count_rows([{"v": h.year} for h in hits], ("v",))}
    start = (max(page, 1) - 1) * PAGE_SIZE
    return SimpleResult(len(hits), hits[start:start + PAGE_SIZE], facets,
                        str(doc_query) if doc_query else None)


_FACET_NAMES = {"year": "年度", "unit": "单位", "theme": "主题", "issuer": "发文机关"}


def to_decimal(value: float | None) -> Decimal | None:
    """A number input's value as an exact Decimal amount; 0 or None means "no bound"."""
    return Decimal(str(value)) if value else None


def facet_rows(facets: Any, labels: dict[str, dict[str, str]] | None = None) -> dict[str, list[tuple[str, int]]]:
    """Search facets (name → {value: count} or [(value, count)] or count rows) as Chinese-named lists;
    `labels` (facet → value → label) names unit codes and theme ids."""
    labels = labels or {}
    out: dict[str, list[tuple[str, int]]] = {}
    for name, values in (facets or {}).items():
        if isinstance(values, dict):
            pairs = list(values.items())
        else:
            pairs = []
            for v in values:
                if isinstance(v, dict):
                    pairs.append((next(iter(v.values())), v.get("条数", v.get("count", 0))))
                elif isinstance(v, tuple | list):
                    pairs.append((v[0], v[1]))
                else:
                    pairs.append((getattr(v, "value", v), getattr(v, "count", 0)))
        names = labels.get(name, {})
        if pairs:
            out[_FACET_NAMES.get(name, name)] = [(names.get(str(k), str(k)), int(n)) for k, n in pairs]
    return out


def hit_docs(hit: Any) -> list[str]:
    """The canonical 文号 of a search hit (doc_refs may hold strings or DocRef records)."""
    return list(dict.fromkeys(getattr(d, "canonical", d) for d in (getattr(hit, "doc_refs", None) or ())))


def theme_names() -> list[str] | None:
    """Every policy theme's label, None while kg.themes is not there."""
    themes = core_module("themes")
    return None if themes is None else [t.label for t in themes.load_themes()]


@dataclass
class SimpleCard:
    """The shape of kg.doccard's DocCard, from the records alone (used until kg.doccard exists)."""

    canonical: str
    issuer: str
    organisation: str | None
    level: str | None
    year: int
    seq: int
    spellings: list[str]
    projects: list[Project]
    total_wan: Decimal
    mentions: list[Any]


@dataclass
class SimpleLookup:
    card: SimpleCard | None
    candidates: list[str]


def corpus_doc_lookup(projects: list[Project], text: str) -> SimpleLookup:
    """A 文号 looked up in the records: the card when one document matches, else the candidates."""
    from ingest.docnumber import DocNumber, DocQuery

    query = DocQuery.parse(text)
    cited = {DocNumber.parse(d) for p in projects for d in p.doc_numbers}
    matches = sorted(d for d in cited if query.matches(d))
    if len(matches) != 1:
        return SimpleLookup(None, [d.canonical for d in matches])
    doc = matches[0]
    refs = [(p, r) for p in projects for r in p.doc_refs if r.canonical == doc.canonical]
    cites = list({id(p): p for p, _ in refs}.values())
    return SimpleLookup(SimpleCard(
        doc.canonical, doc.issuer, doc.organisation, doc.level, doc.year, doc.seq,
        sorted({r.raw for _, r in refs}), cites, sum((p.budget_wan or Decimal(0) for p in cites), Decimal(0)),
        [{"file": p.span.file, "line": r.line, "field": r.field, "raw": r.raw} for p, r in refs],
    ), [])


def card_project_rows(projects: Iterable[Any]) -> list[dict[str, Any]]:
    """The projects of a DocCard (year, project_code, project_name, unit_code, unit_name, budget_wan)."""
    relation = {"funding": "资金来源", "basis": "政策依据"}
    return [
        {"年度": p.year, "项目编码": p.project_code, "项目名称": p.project_name, "单位": p.unit_name,
         "单位编码": p.unit_code, "预算数(万元)": p.budget_wan}
        | ({"引用方式": relation.get(p.relation, p.relation)} if hasattr(p, "relation") else {})
        for p in projects
    ]


def mention_rows(mentions: Iterable[Any]) -> list[dict[str, Any]]:
    """Where a 文号 is mentioned: file, line, field, the raw spelling."""
    def get(m: Any, k: str) -> Any:
        return m[k] if isinstance(m, dict) else getattr(m, k)

    return [{"文件": get(m, "file"), "行": get(m, "line"), "字段": get(m, "field"), "原文写法": get(m, "raw")}
            for m in mentions]


@dataclass
class SimpleTrace:
    """A document's money down to units and projects, from the records (until kg.lineage exists)."""

    doc: str
    level: str | None
    organisation: str | None
    projects: list[Project]

    @property
    def total_wan(self) -> Decimal:
        return sum((p.budget_wan or Decimal(0) for p in self.projects), Decimal(0))


def corpus_trace_down(lookup: SimpleLookup) -> SimpleTrace | None:
    """The SimpleTrace of a looked-up document card, None when the lookup found no single document."""
    card = lookup.card
    if card is None:
        return None
    return SimpleTrace(card.canonical, card.level, card.organisation, card.projects)


def _node(name: str | None, code: str | None, year: int | None, width: int = 14) -> str:
    """A short, unique Sankey label for a project: its name cut to `width`, its year and code."""
    short = (name or "")[:width] + ("…" if name and len(name) > width else "")
    return f"{short}（{year} · {code}）" if short else f"{code}（{year}）"


def _flow_links(trace: Any) -> list[tuple[str, str, Decimal]]:
    """(from, to, 万元) links of a trace: level → document → unit → project, or documents → project."""
    links: list[tuple[str, str, Decimal]] = []
    if isinstance(trace, SimpleTrace):
        level = f"{trace.level or '未知'}级 · {trace.organisation or ''}".strip(" ·")
        links.append((level, trace.doc, trace.total_wan))
        per_unit: dict[str, Decimal] = defaultdict(Decimal)
        for p in trace.projects:
            unit = p.unit_name or p.unit_code or "未知单位"
            per_unit[unit] += p.budget_wan or Decimal(0)
            links.append((unit, _node(p.project_name, p.project_code, p.year), p.budget_wan or Decimal(0)))
        links[1:1] = [(trace.doc, u, v) for u, v in per_unit.items()]
        return links
    if hasattr(trace, "units"):  # kg.lineage TraceDown
        doc = trace.document
        level = f"{doc.fund_level or doc.level or '未知'}级 · {doc.organisation or doc.issuer or ''}".strip(" ·")
        links.append((level, doc.canonical, trace.own_total_wan))
        for u in trace.units:
            unit = u.unit_name or u.unit_code
            links.append((doc.canonical, unit, u.total_wan))
            for pf in u.projects:
                links.append((unit, _node(pf.project_name, pf.project_code, pf.year), pf.budget_wan or Decimal(0)))
        for child in trace.children:
            links.append((doc.canonical, child.document.canonical, child.total_wan))
            links.extend(link for link in _flow_links(child)[1:])
        return links
    if hasattr(trace, "documents") and hasattr(trace, "project"):  # kg.lineage TraceUp
        p = trace.project
        target = _node(p.project_name, p.project_code, p.year)
        amount = p.budget_wan or Decimal(0)
        for d in trace.documents:
            chain = [*reversed(d.chain), d.canonical] if d.chain else [d.canonical]
            level = f"{d.fund_level or d.level or '未知'}级 · {d.organisation or ''}".strip(" ·")
            links.append((level, chain[0], d.amount_wan or amount))
            links.extend((a, b, d.amount_wan or amount) for a, b in zip(chain, chain[1:], strict=False))
            links.append((chain[-1], target, d.amount_wan or amount))
        if not trace.documents:
            links.append((f"{trace.fund_level or '未知'}级 · {trace.fund_source or '未引用文号'}", target, amount))
        return links
    return links


def sankey_data(trace: Any) -> dict[str, list[Any]]:
    """Nodes and links for a plotly Sankey: labels, source, target, value, link_labels.

    A kg.lineage TraceDown is drawn by kg.lineage.sankey; other traces by the links above.
    """
    lineage = core_module("lineage")
    if hasattr(trace, "units") and lineage is not None and hasattr(lineage, "sankey"):
        data = lineage.sankey(trace)
        return {
            "labels": [n["label"] for n in data["nodes"]],
            "source": [k["source"] for k in data["links"]],
            "target": [k["target"] for k in data["links"]],
            "value": [float(k["value"]) for k in data["links"]],
            "link_labels": [f"{k['value']:,.2f} 万元" for k in data["links"]],
        }
    links = _flow_links(trace)
    nodes: list[str] = []
    for a, b, _ in links:
        for n in (a, b):
            if n not in nodes:
                nodes.append(n)
    at = {n: i for i, n in enumerate(nodes)}
    return {
        "labels": nodes,
        "source": [at[a] for a, _, _ in links],
        "target": [at[b] for _, b, _ in links],
        "value": [float(v) for _, _, v in links],
        "link_labels": [f"{v:,.2f} 万元" for _, _, v in links],
    }


def trace_rows(trace: Any) -> list[dict[str, Any]]:
    """The table beside the Sankey: one row per project (down) or per document (up)."""
    if isinstance(trace, SimpleTrace):
        return card_project_rows(trace.projects)
    if hasattr(trace, "units"):
        return [{"年度": pf.year, "项目编码": pf.project_code, "项目名称": pf.project_name,
                 "单位": pf.unit_name, "单位编码": pf.unit_code, "预算数(万元)": pf.budget_wan,
                 "资金层级": pf.fund_level, "资金来源": pf.fund_source, "文号": pf.document}
                for pf in trace.projects]
    if hasattr(trace, "documents") and hasattr(trace, "project"):
        return [{"文号": d.canonical, "标题": d.title, "发文机关": d.organisation, "层级": d.level,
                 "资金层级": d.fund_level, "资金来源": d.fund_source, "金额(万元)": d.amount_wan,
                 "上级文件": " ← ".join(d.chain)} for d in trace.documents]
    return as_rows(trace if isinstance(trace, list) else [])


def trace_total(trace: Any) -> Decimal | None:
    """The traced total in 万元 when the trace has one."""
    if hasattr(trace, "total_wan"):
        return trace.total_wan
    project = getattr(trace, "project", None)
    return getattr(project, "budget_wan", None)


def query_rows(result: Any) -> list[dict[str, Any]]:
    """A store QueryResult (columns, rows as dicts or sequences) as rows of plain values."""
    columns = list(result.columns)
    out = []
    for row in result.rows:
        values = [row.get(c) for c in columns] if isinstance(row, dict) else list(row)
        out.append({c: v if isinstance(v, str | int | float | Decimal | None) else str(v)
                    for c, v in zip(columns, values, strict=False)})
    return out


def bind_query(named: Any, text: str, values: dict[str, str | None]) -> str:
    """The (possibly edited) text of a named query with its $parameters filled in."""
    import dataclasses

    given = {k: v for k, v in values.items() if v not in (None, "")}
    return dataclasses.replace(named, sparql=text).bind(**given)


def discard_upload(staged: Path) -> None:
    """Remove a staged upload that is not added."""
    shutil.rmtree(staged.parent, ignore_errors=True)


# format → (label, MIME type, file suffix)
EXPORT_FORMATS: dict[str, tuple[str, str, str]] = {
    "ttl": ("Turtle（.ttl）", "text/turtle", "ttl"),
    "jsonld": ("JSON-LD（.jsonld）", "application/ld+json", "jsonld"),
    "nt": ("N-Triples（.nt）", "application/n-triples", "nt"),
    "csv": ("CSV（项目与指标，zip）", "application/zip", "zip"),
    "xlsx": ("Excel（.xlsx）", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def export_bytes(store: Any, fmt: str, stem: str = "hrss-kg") -> tuple[bytes, str, str]:
    """The graph exported by kg.export in `fmt`, as (bytes, file name, MIME type); several files are zipped."""
    import tempfile
    import zipfile
    from io import BytesIO

    export = core_module("export")
    if export is None or fmt not in EXPORT_FORMATS:
        raise UploadError(f"无法导出为 {fmt}")
    label, mime, suffix = EXPORT_FORMATS[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        files = export.export_store(store, fmt, Path(tmp) / f"{stem}.{fmt}")
        if len(files) == 1 and fmt != "csv":
            return files[0].read_bytes(), files[0].name, mime
        buf = BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for f in files:
                z.write(f, f.name)
        return buf.getvalue(), f"{stem}-{fmt}.zip", "application/zip"

"""What every page shares: settings, cached core objects keyed on the build version, links, tables.

Heavy objects (store, search index, lineage, cards, totals, indexes) are loaded once per build with
st.cache_resource; the cache key holds the build id, so a rebuild (e.g. after an upload) is picked up
on the next rerun.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection
from decimal import Decimal
from itertools import islice
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from ingest.errors import HrssError
from kg.audit import Finding, FindingCount, matching
from kg.doccard import DocCards
from kg.published import Build
from ingest.records import Diagnostic
from kg.lineage import Lineage
from kg.projectpages import ProjectPages
from kg.search import SearchIndex
from kg.settings import Settings, load_settings
from kg.store import Store
from kg.totals import Totals
from views.model.amounts import format_wan
from views.model.params import ParamError, parse_amount, parse_int
from views.model.text import md_text, plot_text
from kg.workspace import Workspace

__all__ = [
    "PAGES", "NOT_BUILT", "settings", "build_version", "require_build", "search_index", "project_pages",
    "diagnostics",
    "store", "cards", "lineage", "finding_counts", "finding_page", "totals", "region_picker", "unit_url",
    "param", "int_param", "amount_param", "choice_param", "notice",
    "set_params", "project_link", "doc_link", "frame", "table", "project_table", "link_table", "downloads",
    "show_error", "safe", "nothing", "fmt_wan", "md_text", "plot_text", "chips", "chart_frame",
]

T = TypeVar("T")

# page key → (file, title, icon); app.py registers them, links use the file paths.
PAGES: dict[str, tuple[str, str, str]] = {
    "search": ("views/search.py", "搜索", ":material/search:"),
    "doc": ("views/doc.py", "文号", ":material/description:"),
    "trace": ("views/trace.py", "资金追溯", ":material/account_tree:"),
    "project": ("views/project.py", "项目", ":material/folder_open:"),
    "unit": ("views/unit.py", "单位", ":material/apartment:"),
    "years": ("views/years.py", "年度对比", ":material/compare_arrows:"),
    "quality": ("views/quality.py", "数据质量", ":material/fact_check:"),
    "sparql": ("views/sparql.py", "SPARQL", ":material/terminal:"),
    "data": ("views/data.py", "导入与导出", ":material/upload_file:"),
}

NOT_BUILT = ("尚未构建索引，暂无数据。请先在终端运行 `python -m kg build`（或 `make run`），"
             "或在「导入与导出」页上传文件并构建。")

fmt_wan = format_wan


def settings() -> Settings:
    """Settings from the environment (HRSS_DATA_DIR, HRSS_INDEX_DIR, HRSS_STORE …)."""
    return load_settings()


def build_version(s: Settings | None = None) -> str | None:
    """The published build id, None when nothing is built."""
    return Workspace((s or settings()).index_dir).version


def require_build() -> tuple[Settings, str]:
    """Settings and build id; shows the not-built message and stops the page when there is none."""
    s = settings()
    v = build_version(s)
    if v is None:
        st.warning(NOT_BUILT, icon=":material/info:")
        st.stop()
    return s, v


def _key(s: Settings, version: str) -> tuple[str, str, str, str]:
    return (str(s.index_dir), str(s.data_dir), s.store, version)


@st.cache_resource(max_entries=4)
def _build(key: tuple[str, ...], _s: Settings) -> Build:
    """The published build, opened once per version; its parts load on first use."""
    return Build.open(_s)


@st.cache_resource(show_spinner="正在载入项目索引…", max_entries=4)
def _project_pages(key: tuple[str, ...], _s: Settings) -> ProjectPages:
    return _build(key, _s).projects


@st.cache_resource(show_spinner="正在载入导入提示…", max_entries=4)
def _diagnostics(key: tuple[str, ...], _s: Settings) -> list[Diagnostic]:
    return _build(key, _s).diagnostics


@st.cache_resource(show_spinner="正在打开搜索索引…", max_entries=4)
def _search_index(key: tuple[str, ...], _s: Settings) -> SearchIndex:
    return _build(key, _s).search


@st.cache_resource(show_spinner="正在载入汇总数据…", max_entries=4)
def _totals(key: tuple[str, ...], _s: Settings) -> Totals:
    return _build(key, _s).totals


@st.cache_resource(show_spinner="正在打开图数据库…", max_entries=4)
def _store(key: tuple[str, ...], _s: Settings) -> Store:
    return _build(key, _s).store


@st.cache_resource(show_spinner="正在载入资金脉络…", max_entries=4)
def _lineage(key: tuple[str, ...], _s: Settings) -> Lineage:
    return _build(key, _s).lineage


@st.cache_resource(show_spinner="正在载入文号卡片…", max_entries=4)
def _cards(key: tuple[str, ...], _s: Settings) -> DocCards:
    return _build(key, _s).cards


@st.cache_resource(show_spinner="正在载入审核结果…", max_entries=4)
def _finding_counts(key: tuple[str, ...], _s: Settings) -> list[FindingCount]:
    return _build(key, _s).finding_counts


def _open(loader: Callable[[tuple[str, ...], Settings], T], what: str, required: bool) -> T | None:
    """A cached core object of the published build. A core error is shown; then the page stops when
    the object is required, else gets None (so one missing part does not hide the rest)."""
    s, v = require_build()
    try:
        return loader(_key(s, v), s)
    except HrssError as e:
        st.error(f"{what}不可用：{md_text(e)}。请重新构建（`python -m kg build`）。", icon=":material/error:")
        if required:
            st.stop()
        return None


def project_pages() -> ProjectPages:
    """The index of the build's project pages (kg.projectpages); a page reads one project by it."""
    return _open(_project_pages, "项目数据", True)  # type: ignore[return-value]


def diagnostics() -> list[Diagnostic]:
    """The ingest diagnostics of the build (diagnostics.json), without reading the records."""
    return _open(_diagnostics, "导入提示", True)  # type: ignore[return-value]


def search_index() -> SearchIndex:
    return _open(_search_index, "搜索索引", True)  # type: ignore[return-value]


def store() -> Store:
    return _open(_store, "图数据库", True)  # type: ignore[return-value]


def cards() -> DocCards:
    return _open(_cards, "文号卡片", True)  # type: ignore[return-value]


def totals() -> Totals:
    return _open(_totals, "汇总数据", True)  # type: ignore[return-value]


def lineage(required: bool = True) -> Lineage | None:
    return _open(_lineage, "资金脉络", required)


def finding_counts(required: bool = True) -> list[FindingCount] | None:
    """How many findings per rule, severity, year, unit and region (finding_counts.json)."""
    return _open(_finding_counts, "审核结果", required)


def finding_page(start: int, size: int | None, **criteria: Any) -> list[Finding]:
    """Findings start..start+size (all from start for None) of those matching `criteria`
    (kg.audit.matching), in stored order, read from findings.json only as far as they go."""
    s, v = require_build()
    found = matching(_build(_key(s, v), s).iter_findings(), **criteria)
    return safe(lambda: list(islice(found, start, None if size is None else start + size)))


def show_error(e: Exception) -> None:
    """A core error as a one-line message (shown as text: it may quote the input), never a traceback."""
    st.error(md_text(f"出错了：{e}"), icon=":material/error:")


def safe(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call the core; an HrssError is shown as a message and the page stops."""
    try:
        return fn(*args, **kwargs)
    except HrssError as e:
        show_error(e)
        st.stop()


def nothing(message: str) -> NoReturn:
    """Say that nothing was found (in Chinese; shown as text, it may quote the input) and stop the page."""
    st.info(md_text(message), icon=":material/search_off:")
    st.stop()


def param(name: str, default: str | None = None) -> str | None:
    """A query parameter of the URL (the page state), or default."""
    value = st.query_params.get(name)
    return value if value not in (None, "") else default


def notice(name: str, value: str, why: str, fallback: str) -> None:
    """Say that a URL parameter was not used and what is shown instead (as text: it quotes the URL)."""
    shown = value if len(value) <= 40 else value[:39] + "…"
    st.warning(md_text(f"网址参数 {name}={shown} 无效（{why}），已改用{fallback}。"), icon=":material/link_off:")


def int_param(name: str, lo: int | None = None, hi: int | None = None,
              choices: Collection[int] | None = None, fallback: str = "默认值") -> int | None:
    """A whole-number URL parameter; a bad one gets a notice and None."""
    value = param(name)
    try:
        return parse_int(value, lo, hi, choices)
    except ParamError as e:
        notice(name, value or "", str(e), fallback)
        return None


def amount_param(name: str, fallback: str = "不限") -> Decimal | None:
    """An amount bound (万元) from the URL; a bad one gets a notice and None (no bound)."""
    value = param(name)
    try:
        return parse_amount(value)
    except ParamError as e:
        notice(name, value or "", str(e), fallback)
        return None


def choice_param(name: str, options: list[str], default: str, fallback: str | None = None) -> int:
    """The index in `options` of a URL parameter's value; an unknown value gets a notice and `default`."""
    value = param(name, default)
    if value in options:
        return options.index(value)
    notice(name, value or "", "没有这个选项", fallback or f"「{default}」")
    return options.index(default)


def set_params(**values: Any) -> None:
    """Write the page state into the URL; None or "" removes a parameter."""
    for k, v in values.items():
        if v in (None, ""):
            if k in st.query_params:
                del st.query_params[k]
        elif st.query_params.get(k) != str(v):
            st.query_params[k] = str(v)


def project_link(code: str | None, year: int | None, label: str, region: str | None = None) -> None:
    """A link to the project page for (region, code, year)."""
    if not code:
        st.text(label)
        return
    params = {"project": code} | ({"year": str(year)} if year else {})
    params |= {"region": region} if region else {}
    st.page_link(PAGES["project"][0], label=md_text(label), query_params=params, icon=":material/folder_open:")


def unit_link(code: str, region: str, label: str) -> None:
    """A link to the 单位 page of one unit (region, code)."""
    st.page_link(PAGES["unit"][0], label=md_text(label), query_params={"unit": code, "region": region},
                 icon=":material/apartment:")


def doc_link(doc: str, page: str = "doc", label: str | None = None) -> None:
    """A link to the 文号 card (or the trace page) of a document."""
    icon = ":material/description:" if page == "doc" else ":material/account_tree:"
    st.page_link(PAGES[page][0], label=md_text(label or doc), query_params={"doc": doc}, icon=icon)


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame; amounts stay Decimal, whole-number columns with gaps stay whole."""
    df = pd.DataFrame(rows)
    for col in df.columns:
        values = [r.get(col) for r in rows if r.get(col) is not None]
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            df[col] = pd.array([r.get(col) for r in rows], dtype="Int64")
    return df


def _styled(df: pd.DataFrame) -> Styler:
    """Decimal columns (and any headed 万元) shown exactly as printed ("1,384.00"), right-aligned,
    sortable as numbers; a missing value in any column as "—" rather than None."""
    amounts = [c for c in df.columns
               if "万元" in str(c) or df[c].map(lambda x: isinstance(x, Decimal)).any()]
    return df.style.format(na_rep="—").format({c: format_wan for c in amounts}, na_rep="—")


def chart_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows for a chart: amounts as floats (bar lengths only) plus 金额, their exact text for labels;
    text (unit and theme names, shown by plotly in ticks, legends and hovers) made inert."""
    df = pd.DataFrame(rows)
    for col in df.columns:
        if df[col].map(lambda x: isinstance(x, str)).any():
            df[col] = df[col].map(lambda x: plot_text(x) if isinstance(x, str) else x)
    if "预算数(万元)" in df:
        df["金额"] = df["预算数(万元)"].map(format_wan)
        df["预算数(万元)"] = df["预算数(万元)"].map(float)
    return df


def table(rows: list[dict[str, Any]], key: str | None = None, empty: str = "（无）",
          columns: tuple[str, ...] | None = None) -> None:
    """Rows as a table, optionally only some columns (text cells are shown as text, never as HTML)."""
    if not rows:
        st.caption(empty)
        return
    df = frame(rows)
    st.dataframe(_styled(df[list(columns)] if columns else df), hide_index=True, key=key)


def project_url(code: str | None, year: int | None, region: str | None = None) -> str | None:
    """A relative URL of the project page (for link columns in tables)."""
    if not code:
        return None
    return "./project?" + urlencode({"project": code} | ({"year": year} if year else {})
                                    | ({"region": region} if region else {}))


def unit_url(code: str, region: str) -> str:
    """A relative URL of the 单位 page of one unit (region, code)."""
    return "./unit?" + urlencode({"unit": code, "region": region})


def project_table(rows: list[dict[str, Any]], key: str, empty: str = "（无）") -> None:
    """Rows with 项目编码 and 年度 shown with a link column to each project page."""
    if not rows:
        st.caption(empty)
        return
    df = frame(rows)
    df.insert(0, "打开", [project_url(r.get("项目编码"), r.get("年度"), r.get("地区编码")) for r in rows])
    st.dataframe(_styled(df), hide_index=True, key=key, column_config={
        "打开": st.column_config.LinkColumn("打开", display_text="查看"),
        "年度": st.column_config.NumberColumn(format="%d"),
    })


def link_table(rows: list[dict[str, Any]], key: str, link: str, text: str, empty: str = "（无）") -> None:
    """Rows in a fixed order (not for sorting) whose column `link` holds relative URLs, shown as links
    reading `text` (a row without one shows nothing there). Amounts (Decimal, or a header with 万元) are
    shown exactly as text, right-aligned, a missing one as "—"; a 差额 below zero in red."""
    if not rows:
        st.caption(empty)
        return
    df = frame(rows)
    amounts = [c for c in df.columns if "万元" in str(c) or df[c].map(lambda x: isinstance(x, Decimal)).any()]
    for c in amounts:
        df[c] = [format_wan(r.get(c)) for r in rows]
    df[link] = [r.get(link) or "" for r in rows]
    short = [c for c in amounts if str(c).startswith("差额")]
    styled = df.style.map(lambda x: "color: #c53030" if str(x).startswith("-") else "", subset=short)
    st.dataframe(styled, hide_index=True, key=key, column_config={
        link: st.column_config.LinkColumn(link, display_text=text),
        **{c: st.column_config.TextColumn(c, alignment="right") for c in amounts}})


def region_picker(t: Totals, wanted: str | None, key: str,
                  label: Callable[[str, list[str]], str]) -> str | None:
    """Selectboxes province → city → county (as deep as the regions go), starting from `wanted` (a
    region code of the URL); the region chosen, None for all."""
    chain = t.chain(wanted) if wanted else []
    scope: str | None = None
    depth = 0
    cols = st.columns(4)
    while kids := t.children(scope):
        options = [None, *kids]
        default = chain[depth] if depth < len(chain) and chain[depth] in kids else None
        pick = cols[min(depth, 3)].selectbox(label(scope or "", kids), options, index=options.index(default),
                                             format_func=lambda c: "全部" if c is None else t.label(c),
                             key=f"{key}-{depth}-{scope or 'top'}")
        if pick is None:
            break
        scope, depth = pick, depth + 1
    return scope


def downloads(rows: list[dict[str, Any]], name: str, key: str) -> None:
    """CSV and XLSX download buttons for a table (amounts written exactly)."""
    if not rows:
        return
    df = frame(rows)
    c1, c2 = st.columns(2)
    c1.download_button("下载 CSV", df.to_csv(index=False).encode("utf-8-sig"), f"{name}.csv",
                       "text/csv", key=f"{key}-csv", icon=":material/download:")
    buf = io.BytesIO()
    df.to_excel(buf, index=False)
    c2.download_button("下载 XLSX", buf.getvalue(), f"{name}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"{key}-xlsx", icon=":material/download:")


def chips(labels: list[str]) -> None:
    """Short labels in one line (as escaped text)."""
    if labels:
        st.markdown(" ".join(f":blue-badge[{md_text(x)}]" for x in labels))

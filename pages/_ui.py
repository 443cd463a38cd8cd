"""What every page shares: settings, cached core objects keyed on the build version, links, tables.

Heavy objects (corpus, store, search index, lineage, findings) are loaded once per build with
st.cache_resource; the cache key holds the build id, so a rebuild (e.g. after an upload) is picked up
on the next rerun. Core modules that are not installed yet come back as None and the page says so.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import streamlit as st

from ingest.errors import HrssError
from kg import ui_data
from kg.corpus import Corpus
from kg.settings import Settings, load_settings
from kg.workspace import Workspace

__all__ = [
    "PAGES", "settings", "build_version", "require_build", "corpus", "search_index", "store",
    "lineage", "findings", "core", "missing", "param", "int_param", "set_params", "project_link",
    "doc_link", "table", "downloads", "show_error", "safe", "fmt_wan", "NOT_BUILT", "md_text", "chips", "project_url", "project_table", "frame",
]

# page key → (file, title, icon); app.py registers them, links use the file paths.
PAGES: dict[str, tuple[str, str, str]] = {
    "search": ("pages/search.py", "搜索", ":material/search:"),
    "doc": ("pages/doc.py", "文号", ":material/description:"),
    "trace": ("pages/trace.py", "资金追溯", ":material/account_tree:"),
    "project": ("pages/project.py", "项目", ":material/folder_open:"),
    "unit": ("pages/unit.py", "单位", ":material/apartment:"),
    "years": ("pages/years.py", "年度对比", ":material/compare_arrows:"),
    "quality": ("pages/quality.py", "数据质量", ":material/fact_check:"),
    "sparql": ("pages/sparql.py", "SPARQL", ":material/terminal:"),
    "data": ("pages/data.py", "导入与导出", ":material/upload_file:"),
}

NOT_BUILT = ("尚未构建索引，暂无数据。请先在终端运行 `python -m kg build`（或 `make run`），"
             "或在「导入与导出」页上传文件并构建。")


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


@st.cache_resource(show_spinner="正在载入数据…", max_entries=4)
def _corpus(key: tuple[str, ...], _s: Settings) -> Corpus:
    return Workspace(_s.index_dir).load_corpus()


def corpus() -> Corpus:
    s, v = require_build()
    return _corpus(_key(s, v), s)


def core(name: str) -> Any | None:
    """The core module kg.<name>, None while it is not there."""
    return ui_data.core_module(name)


def _open(loader: Any, s: Settings, v: str, module: str, what: str) -> Any | None:
    """A cached core object; None (with a note) when the module is missing or this build lacks it."""
    if core(module) is None:
        return None
    try:
        return loader(_key(s, v), s)
    except HrssError as e:
        st.warning(f"{what}不可用：{e}", icon=":material/warning:")
        return None


@st.cache_resource(show_spinner="正在打开搜索索引…", max_entries=4)
def _search_index(key: tuple[str, ...], _s: Settings) -> Any:
    return core("search").open_index(_s)


def search_index() -> Any | None:
    s, v = require_build()
    return _open(_search_index, s, v, "search", "搜索索引")


@st.cache_resource(show_spinner="正在打开图数据库…", max_entries=4)
def _store(key: tuple[str, ...], _s: Settings) -> Any:
    return core("store").open_store(_s)


def store() -> Any | None:
    s, v = require_build()
    return _open(_store, s, v, "store", "图数据库")


@st.cache_resource(show_spinner="正在载入资金脉络…", max_entries=4)
def _lineage(key: tuple[str, ...], _s: Settings) -> Any:
    return core("lineage").load_lineage(_s)


def lineage() -> Any | None:
    s, v = require_build()
    return _open(_lineage, s, v, "lineage", "资金脉络")


@st.cache_resource(show_spinner="正在载入审核结果…", max_entries=4)
def _findings(key: tuple[str, ...], _s: Settings) -> list[Any]:
    return list(core("audit").load_findings(_s))


def findings() -> list[Any] | None:
    s, v = require_build()
    return _open(_findings, s, v, "audit", "审核结果")


def missing(what: str) -> None:
    """Say that a part of the core is not available in this installation yet."""
    st.info(f"{what}功能尚未就绪（对应的核心模块还未安装），先显示已有的部分。", icon=":material/hourglass_empty:")


def show_error(e: Exception) -> None:
    """A core error as a one-line message, never a traceback."""
    st.error(f"出错了：{e}", icon=":material/error:")


def param(name: str, default: str | None = None) -> str | None:
    """A query parameter of the URL (the page state), or default."""
    value = st.query_params.get(name)
    return value if value not in (None, "") else default


def int_param(name: str) -> int | None:
    value = param(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def set_params(**values: Any) -> None:
    """Write the page state into the URL; None or "" removes a parameter."""
    for k, v in values.items():
        if v in (None, ""):
            if k in st.query_params:
                del st.query_params[k]
        elif st.query_params.get(k) != str(v):
            st.query_params[k] = str(v)


def project_link(code: str | None, year: int | None, label: str, key: str | None = None) -> None:
    """A link to the project page for (code, year)."""
    if not code:
        st.write(label)
        return
    params = {"project": code} | ({"year": str(year)} if year else {})
    st.page_link(PAGES["project"][0], label=label, query_params=params, icon=":material/folder_open:")


def doc_link(doc: str, page: str = "doc", label: str | None = None) -> None:
    """A link to the 文号 card (or the trace page) of a document."""
    icon = ":material/description:" if page == "doc" else ":material/account_tree:"
    st.page_link(PAGES[page][0], label=label or doc, query_params={"doc": doc}, icon=icon)


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    # Decimals as floats for display; the exact values stay in the core and in exports.
    for col in df.columns:
        if df[col].map(lambda x: x.__class__.__name__ == "Decimal").any():
            df[col] = df[col].map(lambda x: float(x) if x is not None else None)
    return df


def table(rows: list[dict[str, Any]], key: str | None = None, height: int | str = "auto") -> None:
    """Rows as a table (text cells are shown as text, never as HTML)."""
    if not rows:
        st.caption("（无）")
        return
    st.dataframe(frame(rows), hide_index=True, key=key, height=height)


def downloads(rows: list[dict[str, Any]], name: str, key: str) -> None:
    """CSV and XLSX download buttons for a table."""
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


def safe(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the core; an HrssError is shown as a message and the page stops."""
    try:
        return fn(*args, **kwargs)
    except HrssError as e:
        show_error(e)
        st.stop()


def fmt_wan(value: Any) -> str:
    """An amount in 万元 with two decimals, "—" when missing."""
    return "—" if value is None else f"{value:,.2f}"



_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$"})


def md_text(text: str | None) -> str:
    """Source text made inert for st.markdown: every markdown/HTML character escaped, shown as printed."""
    return (text or "").translate(_MD_SPECIAL)


def chips(labels: list[str]) -> None:
    """Short labels in one line (as escaped text)."""
    if labels:
        st.markdown(" ".join(f":blue-badge[{md_text(x)}]" for x in labels))


def project_url(code: str | None, year: int | None) -> str | None:
    """A relative URL of the project page (for link columns in tables)."""
    if not code:
        return None
    from urllib.parse import urlencode

    return "./project?" + urlencode({"project": code} | ({"year": year} if year else {}))


def project_table(rows: list[dict[str, Any]], key: str) -> None:
    """Project rows (ui_data.project_rows) with a link column to each project page."""
    if not rows:
        st.caption("（无）")
        return
    df = frame(rows)
    df.insert(0, "打开", [project_url(r.get("项目编码"), r.get("年度")) for r in rows])
    st.dataframe(df, hide_index=True, key=key, column_config={
        "打开": st.column_config.LinkColumn("打开", display_text="查看"),
        "年度": st.column_config.NumberColumn(format="%d"),
        "预算数(万元)": st.column_config.NumberColumn(format="%.2f"),
    })

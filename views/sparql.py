"""SPARQL: read-only queries over the graph, prefilled with the named queries; results as a table."""

from __future__ import annotations

import streamlit as st

from kg.queries import named_queries
from kg.settings import Settings
from kg.store.runner import QueryRunner
from views import _ui
from views.model.sparql import bind_query, query_rows


@st.cache_resource(show_spinner="正在启动查询进程…", max_entries=2)
def _runner(key: tuple[str, ...], _s: Settings) -> QueryRunner:
    """The published build's query runner, its worker kept warm across reruns and sessions."""
    return QueryRunner(_s, warm=True)


st.title("SPARQL")
s, version = _ui.require_build()
runner = _ui.safe(_runner, (str(s.index_dir), s.store, version), s)
named = named_queries()
names = ["（自己写）", *named]
choice = st.selectbox("预置查询", names, index=_ui.choice_param("query", names, names[0]),
                      format_func=lambda n: n if n not in named else f"{named[n].title}（{n}）",
                      key="sparql-named")
_ui.set_params(query=choice if choice in named else None)
default = named[choice].sparql if choice in named else "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"
if st.session_state.get("sparql-last-choice") != choice:
    st.session_state["sparql-text"] = default
    st.session_state["sparql-last-choice"] = choice
nq = named.get(choice)
if nq is not None and nq.description:
    st.caption(nq.description)
values = {}
if nq is not None and nq.parameters:
    cols = st.columns(len(nq.parameters))
    for col, prm in zip(cols, nq.parameters, strict=True):
        values[prm.name] = col.text_input(_ui.md_text(f"${prm.name}（{prm.type}{'，可空' if prm.optional else ''}）"),
                                          key=f"sparql-p-{choice}-{prm.name}").strip() or None
text = st.text_area("查询（只读：不接受 INSERT/DELETE 等更新，也不接受 SERVICE）", height=220, key="sparql-text")
c1, c2 = st.columns(2)
limit = c1.number_input("最多行数", 1, s.sparql_row_cap, min(1000, s.sparql_row_cap), key="sparql-limit")
timeout = c2.number_input("超时（秒）", 1.0, s.sparql_timeout_s, min(10.0, s.sparql_timeout_s),
                          key="sparql-timeout")

if st.button("运行", type="primary", key="sparql-run", icon=":material/play_arrow:"):
    sparql = _ui.safe(bind_query, nq, text, values) if nq is not None else text
    result = _ui.safe(runner.query, sparql, limit=int(limit), timeout=float(timeout))
    rows = query_rows(result)
    if not rows:
        _ui.nothing("查询没有返回结果。")
    st.caption(f"{len(rows)} 行" + ("（已达上限，结果已截断）" if result.truncated else ""))
    _ui.table(rows, key="sparql-result")
    _ui.downloads(rows, "sparql", key="sparql-dl")

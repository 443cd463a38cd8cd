"""搜索: one box for keywords or a 文号, filters, facet counts and highlighted hits."""

from __future__ import annotations

import streamlit as st

from kg import ui_data
from pages import _ui

st.title("搜索")
s, _ = _ui.require_build()
corpus = _ui.corpus()
ALL = "全部"

q = st.text_input("关键词或文号", value=_ui.param("q", ""), key="search-q",
                  placeholder="例如：就业补助、养老保险 个人账户、冀财社〔2021〕176号")
years = [ALL] + [str(y) for y in sorted({p.year for p in corpus.projects if p.year}, reverse=True)]
units = ui_data.unit_names(corpus.projects)
themes = ui_data.theme_names()
c1, c2, c3, c4, c5 = st.columns([1, 2, 2, 1, 1])
year = c1.selectbox("年度", years, index=years.index(_ui.param("year", ALL)) if _ui.param("year", ALL) in years
                    else 0, key="search-year")
unit_opts = [ALL, *units]
unit = c2.selectbox("单位", unit_opts, index=unit_opts.index(_ui.param("unit", ALL)) if _ui.param("unit", ALL)
                    in unit_opts else 0, format_func=lambda c: c if c == ALL else f"{c} {units[c]}",
                    key="search-unit")
theme_opts = [ALL, *(themes or [])]
theme = c3.selectbox("主题", theme_opts, index=theme_opts.index(_ui.param("theme", ALL))
                     if _ui.param("theme", ALL) in theme_opts else 0, key="search-theme",
                     disabled=themes is None)
issuer = c3.text_input("发文机关（文号前缀，如 冀财社）", value=_ui.param("issuer", ""), key="search-issuer")
amount_min = c4.number_input("金额下限（万元）", min_value=0.0, value=float(_ui.param("min", 0) or 0),
                             key="search-min")
amount_max = c5.number_input("金额上限（万元）", min_value=0.0, value=float(_ui.param("max", 0) or 0),
                             key="search-max", help="0 表示不限")
page = _ui.int_param("page") or 1
_ui.set_params(q=q.strip(), year=None if year == ALL else year, unit=None if unit == ALL else unit,
               theme=None if theme == ALL else theme, issuer=issuer.strip(), min=amount_min or None,
               max=amount_max or None)

if not q.strip() and year == ALL and unit == ALL and theme == ALL and not issuer.strip():
    st.caption("输入关键词或文号开始搜索；可按年度、单位、主题、发文机关和金额筛选。")
    st.stop()

filters = dict(year=None if year == ALL else int(year), unit=None if unit == ALL else unit,
               theme=None if theme == ALL else theme, issuer=issuer.strip() or None,
               amount_min=ui_data.to_decimal(amount_min), amount_max=ui_data.to_decimal(amount_max))
index = _ui.search_index()
if index is None:
    _ui.missing("全文检索")
    result = ui_data.simple_search(corpus.projects, q, **filters, page=page)
else:
    result = _ui.safe(index.search, q.strip(), **filters, page=page, page_size=ui_data.PAGE_SIZE)

doc_query = getattr(result, "doc_query", None)
if doc_query:
    st.info(f"按文号检索：{doc_query}")
if not getattr(result, "matched_all_words", True):
    st.caption("没有同时包含所有词的项目，以下按命中词数排序。")
st.markdown(f"**共 {result.total} 条结果**")

facets = ui_data.facet_rows(result.facets, getattr(result, "facet_labels", None))
if facets:
    with st.expander("分面统计", expanded=False):
        for col, (name, rows) in zip(st.columns(len(facets)), facets.items(), strict=True):
            col.markdown(f"**{name}**")
            col.text("\n".join(f"{v}  ({n})" for v, n in rows))

for i, hit in enumerate(result.hits):
    with st.container(border=True):
        st.markdown(f"**{_ui.md_text(hit.project_name or hit.title)}**")
        st.caption(f"{hit.year or '—'} 年 · {hit.unit_name or ''}（{hit.unit_code or ''}）· "
                   f"预算 {_ui.fmt_wan(hit.budget_wan)} 万元 · {hit.project_code or ''}")
        for frag in getattr(hit, "highlights", None) or []:
            # Fragment.to_html() escapes the source text itself and only adds <mark>.
            st.markdown(f"<div class='hrss-frag'>…{frag.to_html()}…</div>", unsafe_allow_html=True)
        cols = st.columns([2, 3])
        with cols[0]:
            _ui.project_link(hit.project_code, hit.year, "打开项目")
        with cols[1]:
            for doc in ui_data.hit_docs(hit):
                _ui.doc_link(doc)

pages = max(1, -(-result.total // ui_data.PAGE_SIZE))
if pages > 1:
    new_page = st.number_input(f"页码（共 {pages} 页）", 1, pages, value=min(page, pages), key="search-page")
    if new_page != page:
        _ui.set_params(page=new_page)
        st.rerun()

"""搜索: one box for keywords or a 文号, filters, facet counts and highlighted hits.

The 单位 filter lists units as (region, code) with their county, from the build's totals, so a code
two counties use is two choices (`?unit=CODE&unit_region=REGION`); a 地区 chosen narrows the list.
The 单位 facet counts hits the same way, each unit named with its county.
"""

from __future__ import annotations

import streamlit as st

from views import _ui
from views.model.amounts import to_decimal
from views.model.params import AMOUNT_LIMIT_WAN
from views.model.text import highlight_md
from kg.rdf.iri import UnitKey
from views.model.totals import region_facets, region_options, unit_facet, unit_label

PAGE_SIZE = 20
ALL = "全部"
_FACETS = {"year": "年度", "unit": "单位", "theme": "主题", "issuer": "发文机关"}  # region: by level, below

st.title("搜索")
_ui.require_build()
index = _ui.search_index()
totals = _ui.totals()

q = st.text_input("关键词或文号", value=_ui.param("q", ""), key="search-q",
                  placeholder="例如：就业补助、养老保险 个人账户、冀财社〔2021〕176号")
years = [ALL] + [str(y) for y in index.years]
themes = sorted(index.themes.values())
limit = float(AMOUNT_LIMIT_WAN)


def unit_choice(units: dict[UnitKey, str]) -> UnitKey | None:
    """The unit of the URL (`unit`, with `unit_region` when its code is used in several regions);
    a code naming no unit of the list, or several, gets a notice and None (all units)."""
    code, where = _ui.param("unit"), _ui.param("unit_region")
    if not code:
        return None
    found = [k for k in units if k.code == code and (where is None or k.region == where)]
    if len(found) == 1:
        return found[0]
    why = "没有这个选项" if not found else f"{len(found)} 个地区使用这个单位编码，请在列表中选择"
    _ui.notice("unit", code, why, "全部单位")
    return None


c1, c2, c3, c4, c5 = st.columns([1, 2, 2, 1, 1])
year = c1.selectbox("年度", years, index=_ui.choice_param("year", years, ALL, "全部年度"), key="search-year")
region_opts = [ALL, *region_options(totals, index.regions)]
region = c2.selectbox("地区", region_opts, index=_ui.choice_param("region", region_opts, ALL, "全部地区"),
                      key="search-region", format_func=lambda c: c if c == ALL else totals.path(c),
                      help="省或市包括其下的县（区）")
units = {u.key: unit_label(totals, u) for u in totals.within(None if region == ALL else region)}
wanted = unit_choice(units)
unit_opts: list[UnitKey | None] = [None, *units]
unit = c2.selectbox("单位", unit_opts, index=unit_opts.index(wanted), key=f"search-unit-{region}",
                    format_func=lambda k: ALL if k is None else units[k], help="地区 · 单位编码 单位名称")
theme_opts = [ALL, *themes]
theme = c3.selectbox("主题", theme_opts, index=_ui.choice_param("theme", theme_opts, ALL, "全部主题"),
                     key="search-theme")
issuer = c3.text_input("发文机关（文号前缀，如 冀财社）", value=_ui.param("issuer", ""), key="search-issuer")
amount_min = c4.number_input("金额下限（万元）", min_value=0.0, max_value=limit,
                             value=float(_ui.amount_param("min") or 0), key="search-min")
amount_max = c5.number_input("金额上限（万元）", min_value=0.0, max_value=limit,
                             value=float(_ui.amount_param("max") or 0), key="search-max", help="0 表示不限")
page = _ui.int_param("page", lo=1, fallback="第 1 页") or 1
_ui.set_params(q=q.strip(), year=None if year == ALL else year, unit=unit.code if unit else None,
               unit_region=unit.region if unit else None, region=None if region == ALL else region,
               theme=None if theme == ALL else theme, issuer=issuer.strip(), min=amount_min or None,
               max=amount_max or None, page=page if page > 1 else None)

if not q.strip():
    st.caption("输入关键词或文号开始搜索；可按年度、单位、地区、主题、发文机关和金额筛选。")
    st.stop()

# a unit is searched in its own region: its code alone may name another county's unit too
result = _ui.safe(index.search, q.strip(), year=None if year == ALL else int(year),
                  unit=unit.code if unit else None,
                  region=unit.region if unit else (None if region == ALL else region),
                  theme=None if theme == ALL else theme,
                  issuer=issuer.strip() or None, amount_min=to_decimal(amount_min),
                  amount_max=to_decimal(amount_max), page=page, page_size=PAGE_SIZE)

if result.doc_query:
    st.info(f"按文号检索：{_ui.md_text(result.doc_query)}")
if result.total == 0:
    _ui.nothing(f"没有找到与「{q.strip()}」相符的项目。请换一个关键词，或放宽年度、单位、主题、金额等筛选条件。")
if not result.matched_all_words:
    st.caption("没有同时包含所有词的项目，以下按命中词数排序。")
st.markdown(f"**共 {result.total} 条结果**")

facets: dict[str, list[tuple[str, int]]] = {}
units = unit_facet(totals, result.unit_facet)
for name, title in _FACETS.items():
    if name == "unit":
        shown = [(label, n) for _, label, n in units]
    else:
        labels = result.facet_labels.get(name, {})
        shown = [(labels.get(str(v), str(v)), n) for v, n in result.facets.get(name, [])]
    if shown:
        facets[title] = shown
for level, counted in region_facets(totals, result.facets.get("region", [])).items():
    facets[level] = [(label, n) for _, label, n in counted]
if facets:
    with st.expander("分面统计", expanded=False):
        for col, (name, values) in zip(st.columns(len(facets)), facets.items(), strict=True):
            col.markdown(f"**{_ui.md_text(name)}**")
            if name == _FACETS["unit"]:  # each unit opens its 单位 page
                with col:
                    for key, label, n in units:
                        _ui.unit_link(key.code, key.region, f"{label}  ({n})")
            else:
                col.text("\n".join(f"{label}  ({n})" for label, n in values))

for hit in result.hits:
    with st.container(border=True):
        st.markdown(f"**{_ui.md_text(hit.project_name or hit.title)}**")
        st.caption(f"{hit.year or '—'} 年 · {_ui.md_text(totals.label(hit.region_code or ''))} · "
                   f"{_ui.md_text(hit.unit_name)}（{_ui.md_text(hit.unit_code)}）· "
                   f"预算 {_ui.fmt_wan(hit.budget_wan)} 万元 · {_ui.md_text(hit.project_code)}")
        for frag in hit.highlights:
            st.markdown(f"…{highlight_md(frag.segments)}…")
        cols = st.columns([2, 3])
        with cols[0]:
            _ui.project_link(hit.project_code, hit.year, "打开项目", hit.region_code)
        with cols[1]:
            for doc in hit.doc_refs:
                _ui.doc_link(doc)

if result.pages > 1:
    new_page = st.number_input(f"页码（共 {result.pages} 页）", 1, result.pages, value=min(page, result.pages),
                               key="search-page")
    if new_page != page:
        _ui.set_params(page=new_page)
        st.rerun()

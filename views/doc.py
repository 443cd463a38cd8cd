"""文号: the document card — canonical 文号, issuer, spellings, projects citing it and the total."""

from __future__ import annotations

import streamlit as st

from ingest.errors import DocNumberError
from kg.doccard import lookup_document
from views.model.rows import mention_rows, project_rows
from views import _ui

st.title("文号")
_ui.require_build()
text = st.text_input("文号（任意写法，或部分如 176号、冀财社2021；无文号的通知：标题）", value=_ui.param("doc", ""), key="doc-q",
                     placeholder="例如：冀财社〔2021〕176号").strip()
_ui.set_params(doc=text)
if not text:
    st.caption("输入文号查看它的资金去向：引用它的项目、金额与合计、出现位置。")
    st.stop()

try:
    lookup = lookup_document(_ui.cards(), text)
except DocNumberError:
    _ui.nothing(f"「{text}」不像文号。请输入如 冀财社〔2021〕176号、176号 或 冀财社2021 的写法。")
card = lookup.card
if card is None:
    if not lookup.candidates:
        _ui.nothing(f"没有找到文号「{text}」：已载入的文件中没有引用它。")
    st.markdown(f"**{len(lookup.candidates)} 个候选文号**")
    for c in lookup.candidates:
        _ui.doc_link(c.canonical, label=f"{c.canonical}（{len(c.projects)} 个项目，{_ui.fmt_wan(c.total_wan)} 万元）")
    st.stop()

st.markdown(f"### {_ui.md_text(card.canonical)}")
c = st.columns([3, 1, 1, 2])
c[0].metric("发文机关", _ui.md_text(card.organisation or card.issuer))
c[1].metric("层级", _ui.md_text(f"{card.level}级") if card.level else "未知")
c[2].metric("引用项目", len(card.projects))
c[3].metric("金额合计（万元）", _ui.fmt_wan(card.total_wan))
st.markdown("**见到的写法**")
st.text("\n".join(card.spellings) or "—")
_ui.doc_link(card.canonical, page="trace", label="查看资金追溯")

st.markdown("#### 引用它的项目")
_ui.project_table(project_rows(card.projects), key="doc-projects", empty="（没有项目引用这个文号）")
st.markdown(f"**合计：{_ui.fmt_wan(card.total_wan)} 万元**")

st.markdown("#### 出现位置")
_ui.table(mention_rows(card.mentions), key="doc-mentions")

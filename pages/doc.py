"""文号: the document card — canonical 文号, issuer, spellings, projects citing it and the total."""

from __future__ import annotations

import streamlit as st

from kg import ui_data
from pages import _ui

st.title("文号")
_ui.require_build()
text = st.text_input("文号（任意写法，或部分如 176号、冀财社2021）", value=_ui.param("doc", ""), key="doc-q",
                     placeholder="例如：冀财社〔2021〕176号")
_ui.set_params(doc=text.strip())
if not text.strip():
    st.caption("输入文号查看它的资金去向：引用它的项目、金额与合计、出现位置。")
    st.stop()

doccard, store = _ui.core("doccard"), None
if doccard is not None:
    store = _ui.store()
if doccard is None or store is None:
    _ui.missing("文号卡片（图谱）")
    lookup = ui_data.corpus_doc_lookup(_ui.corpus().projects, text)
else:
    lookup = _ui.safe(doccard.lookup_document, store, text.strip())

card = lookup.card
if card is None:
    candidates = [getattr(c, "canonical", c) for c in lookup.candidates]
    if not candidates:
        st.warning(f"没有找到文号：{text}")
        st.stop()
    st.markdown(f"**{len(candidates)} 个候选文号**")
    for c in candidates:
        _ui.doc_link(c)
    st.stop()

st.markdown(f"### {_ui.md_text(card.canonical)}")
c = st.columns(4)
c[0].metric("发文机关", card.organisation or card.issuer)
c[1].metric("层级", card.level or "未知")
c[2].metric("引用项目", len(card.projects))
c[3].metric("金额合计（万元）", _ui.fmt_wan(card.total_wan))
st.markdown("**见到的写法**")
st.text("\n".join(card.spellings) or "—")
_ui.doc_link(card.canonical, page="trace", label="查看资金追溯")

st.markdown("#### 引用它的项目")
rows = ui_data.card_project_rows(card.projects)
_ui.project_table(rows, key="doc-projects")
st.markdown(f"**合计：{_ui.fmt_wan(card.total_wan)} 万元**")

st.markdown("#### 出现位置")
_ui.table(ui_data.mention_rows(card.mentions), key="doc-mentions")

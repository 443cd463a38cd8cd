"""文号: the document card — canonical 文号, issuer, spellings, projects citing it and the total; for an
ingested funding notice its header, forwarding chain, allocation table (分配数 / 预算数 / 差额 per region)
and findings first."""

from __future__ import annotations

import streamlit as st

from ingest.errors import DocNumberError
from ingest.records import Notice
from kg.doccard import DocCard, lookup_document
from kg.docmatch import is_title_key
from kg.lineage import LineageQueryError, TraceDown
from views.model.notice import (XLSX_MIME, allocation_rows, allocation_table, finding_table, forwarding,
                                header_facts, paper_name, reconciliation_xlsx)
from views.model.rows import mention_rows, project_rows
from views import _ui


def notice_trace(card: DocCard) -> TraceDown | None:
    """The notice traced down (schema 2: its allocations beside the budgets), None when the lineage
    does not hold it."""
    lineage = _ui.lineage(required=False)
    if lineage is None:
        return None
    try:
        return lineage.trace_down(card.canonical)
    except LineageQueryError:
        return None


def notice_section(card: DocCard, notice: Notice) -> None:
    """The notice's own facts: header, forwarding chain, allocation table, findings, working paper."""
    trace = notice_trace(card)
    facts = dict(header_facts(notice))
    st.markdown(f"#### 资金下达通知：{_ui.md_text(facts.pop('标题', card.canonical))}")
    st.markdown("**发文机关**")
    _ui.chips(list(notice.issuers) or ["（未印发文机关）"])
    facts.pop("发文机关", None)
    st.text("\n".join(f"{k}：{v}" for k, v in facts.items()))
    ups, kids = forwarding(trace, notice)
    if ups or kids:
        for col, heading, docs in zip(st.columns(2), ("**上级文件**（本文转发）", "**转发文件**（转发本文）"),
                                      (ups, kids)):
            with col:
                st.markdown(heading)
                for d in docs:
                    _ui.doc_link(d)
                if not docs:
                    st.caption("（无）")
    st.markdown("#### 分配情况")
    rows = allocation_rows(trace, notice)
    _ui.link_table(allocation_table(rows, card.canonical), key="doc-allocations", link="项目", text="查看项目",
                   empty="（通知中没有读到分配表）")
    if trace is None or all(r.budgeted_wan is None for r in rows):
        st.caption("预算数与差额来自资金追溯；此通知尚未与各县预算对账。")
    else:
        st.caption("差额 = 预算数 − 分配数（万元）；负数表示县级预算中未见的分配资金。")
        st.download_button("下载对账底稿 XLSX", reconciliation_xlsx(trace), paper_name(card.canonical),
                           XLSX_MIME, key="doc-reconcile-xlsx", icon=":material/download:",
                           help="审计工作底稿：各地区分配数、预算数、差额，各项目及两方出处")
    found = card.findings
    st.markdown("#### 对账发现")
    _ui.table(finding_table(found), key="doc-findings", empty="（没有发现）")


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
        kind = "资金下达通知，" if c.notice is not None else ""
        _ui.doc_link(c.canonical,
                     label=f"{c.canonical}（{kind}{len(c.projects)} 个项目，{_ui.fmt_wan(c.total_wan)} 万元）")
    st.stop()

if is_title_key(card.canonical):  # a notice printing no 文号 of its own is kept under its title
    st.markdown(f"### {_ui.md_text(card.title or card.canonical)}")
    st.caption("此通知未印文号，按标题收录。")
else:
    st.markdown(f"### {_ui.md_text(card.canonical)}")
issuer = card.organisation or card.issuer or (card.notice.issuers[0] if card.notice and card.notice.issuers else "")
c = st.columns([3, 1, 1, 2])
c[0].metric("发文机关", _ui.md_text(issuer) or "未知")
c[1].metric("层级", _ui.md_text(f"{card.level}级") if card.level else "未知")
c[2].metric("引用项目", len(card.projects))
c[3].metric("金额合计（万元）", _ui.fmt_wan(card.total_wan))
st.markdown("**见到的写法**")
st.text("\n".join(card.spellings) or "—")
_ui.doc_link(card.canonical, page="trace", label="查看资金追溯")
if card.notice is not None:
    notice_section(card, card.notice)
elif card.title or card.declared_total_wan is not None:  # registered in data/documents.csv
    st.text("\n".join(x for x in (card.title and f"标题：{card.title}", card.date and f"日期：{card.date}",
                                  card.declared_total_wan is not None
                                  and f"文件总额：{_ui.fmt_wan(card.declared_total_wan)} 万元") if x))

st.markdown("#### 引用它的项目")
_ui.project_table(project_rows(card.projects), key="doc-projects", empty="（没有项目引用这个文号）")
st.markdown(f"**合计：{_ui.fmt_wan(card.total_wan)} 万元**")

st.markdown("#### 出现位置")
_ui.table(mention_rows(card.mentions), key="doc-mentions")

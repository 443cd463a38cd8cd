"""A funding notice in the UI: its 文号 card, the allocation table, the declared Sankey, the working paper.

The build holds the invented provincial notice 冀财社〔2021〕288号 (1000 万元: 张家口市 600 over 怀来县 250,
涿鹿县 200, 蔚县 150; 承德市 400 over 滦平县 220, 隆化县 180) and two county documents citing it (怀来县
budgets 250.00, 涿鹿县 180.00). The trace (schema 2) carries the allocations beside the budgets.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kg.build import build
from kg.doccard import lookup_document, read_cards
from kg.lineage import Lineage, load_lineage
from kg.lineage.model import RegionFlow
from kg.lineage.sankey import sankey
from kg.settings import Settings
from kg.workspace import Workspace
from views.model.flows import down_flow
from views.model.notice import (allocation_rows, allocation_table, forwarding, has_allocations, header_facts,
                                reconciliation_xlsx)

ROOT = Path(__file__).resolve().parent.parent
NOTICES = ROOT / "tests" / "data" / "notices"
APP = str(ROOT / "app.py")
DOC = "冀财社〔2021〕288号"
FILES = ("province_subtotals.txt", "county_huailai.txt", "county_zhuolu.txt")

UNPLACED = ({"recipient": "某某中心", "region_code": None, "amount_wan": Decimal("3"), "amount_printed": "3",
             "source": {"file": "province_subtotals.txt", "lines": [22, 22]}},)


@pytest.fixture(scope="module")
def notice_build(tmp_path_factory) -> Settings:
    tmp = tmp_path_factory.mktemp("notice-ui")
    (tmp / "data").mkdir()
    for name in FILES:
        shutil.copy(NOTICES / name, tmp / "data" / name)
    settings = Settings(data_dir=tmp / "data", index_dir=tmp / "indexes")
    build(settings)
    return settings


@pytest.fixture(scope="module")
def lineage(notice_build) -> Lineage:
    return load_lineage(notice_build)


@pytest.fixture
def env(notice_build, monkeypatch) -> Settings:
    monkeypatch.setenv("HRSS_DATA_DIR", str(notice_build.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(notice_build.index_dir))
    return notice_build


def run(view: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    at.switch_page(f"views/{view}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def table_with(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _undeclared(r: RegionFlow) -> RegionFlow | None:
    """The region as a trace without the notice shows it: no allocation, gone when nothing is budgeted."""
    if not r.all_units():
        return None
    subs = tuple(x for x in (_undeclared(s) for s in r.regions) if x is not None)
    return replace(r, regions=subs, allocated_wan=None, allocated_printed=None, allocation_source=None)


def _undeclared_trace(trace):
    regions = tuple(x for x in (_undeclared(r) for r in trace.regions) if x is not None)
    return replace(trace, regions=regions, allocated_wan=None, unplaced=())


# ---------------------------------------------------------------- the card in the build

def test_an_ingested_notice_has_its_record_on_its_card(notice_build):
    card = lookup_document(read_cards(Workspace(notice_build.index_dir).current), "冀财社2021 288").card
    assert card is not None and card.notice is not None
    assert card.notice.issuers == ("河北省财政厅", "河北省人力资源和社会保障厅")
    assert card.notice.declared_total_printed == "1000万元"
    assert [p.budget_wan for p in card.projects] == [Decimal("150.00"), Decimal("100.00"), Decimal("180.00")]
    assert card.to_json()["notice"]["allocations"][2]["recipient"] == "涿鹿县"


def test_a_notice_no_project_cites_still_has_a_card(tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(NOTICES / "city_forward.txt", tmp_path / "data")
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "indexes")
    build(settings)
    card = read_cards(Workspace(settings.index_dir).current).lookup("张财社〔2021〕95号").card
    assert card is not None and card.projects == [] and card.total_wan == 0
    assert card.notice is not None and card.notice.upstream == ("冀财社〔2021〕288号",)


def test_header_facts_keep_the_printed_forms(notice_build):
    notice = read_cards(Workspace(notice_build.index_dir).current).cards[DOC].notice
    assert header_facts(notice) == [
        ("标题", "河北省财政厅 河北省人力资源和社会保障厅关于提前下达2022年就业补助资金预算的通知"),
        ("发文机关", "河北省财政厅、河北省人力资源和社会保障厅"),
        ("成文日期", "2021年11月26日（2021-11-26）"),
        ("预算年度", "2022 年"), ("类型", "提前下达"), ("资金", "就业补助资金"), ("下达总额", "1000万元"),
        ("支出科目", "2080799"), ("主送", "张家口市、承德市财政局、人力资源和社会保障局")]
    assert forwarding(None, notice) == (["财社〔2021〕150号"], [])


# ---------------------------------------------------------------- allocation table from the trace

# (depth, region, code, 分配数, 预算数, 差额, linked): 差额 only where a project there cites the notice
EXPECTED_ROWS = [
    (0, "张家口市", "130700", Decimal(600), Decimal("430.00"), Decimal("-170.00"), True),
    (1, "蔚县", "130726", Decimal(150), Decimal(0), None, False),
    (1, "怀来县", "130730", Decimal(250), Decimal("250.00"), Decimal("0.00"), True),
    (1, "涿鹿县", "130731", Decimal(200), Decimal("180.00"), Decimal("-20.00"), True),
    (0, "承德市", "130800", Decimal(400), Decimal(0), None, False),
    (1, "滦平县", "130824", Decimal(220), Decimal(0), None, False),
    (1, "隆化县", "130825", Decimal(180), Decimal(0), None, False)]


def test_allocation_rows_read_budgets_and_differences_from_the_trace(lineage):
    rows = allocation_rows(lineage.trace_down(DOC))
    assert [(r.depth, r.name, r.region_code, r.allocated_wan, r.budgeted_wan, r.difference_wan, r.has_projects)
            for r in rows] == EXPECTED_ROWS
    assert [r.allocated_printed for r in rows] == ["600", "150", "250", "200", "400", "220", "180"]


def test_allocation_table_links_each_region_to_its_projects_and_lists_unplaced_recipients(lineage):
    table = allocation_table(allocation_rows(replace(lineage.trace_down(DOC), unplaced=UNPLACED)), DOC)
    assert table[1]["项目"] is None  # 蔚县: no project cites the notice
    assert table[3] == {"地区": "　涿鹿县", "地区代码": "130731", "分配数(万元)": Decimal(200),
                        "预算数(万元)": Decimal("180.00"), "差额(万元)": Decimal("-20.00"),
                        "项目": "./trace?doc=%E5%86%80%E8%B4%A2%E7%A4%BE%E3%80%942021%E3%80%95288%E5%8F%B7"
                                "&region=130731"}
    assert table[-1] == {"地区": "某某中心", "地区代码": "未定位", "分配数(万元)": Decimal(3), "预算数(万元)": None,
                         "差额(万元)": None, "项目": None}


def test_without_allocations_in_the_trace_the_table_is_the_notices_own(lineage, notice_build):
    trace = _undeclared_trace(lineage.trace_down(DOC))
    notice = read_cards(Workspace(notice_build.index_dir).current).cards[DOC].notice
    assert not has_allocations(trace)
    rows = allocation_rows(trace, notice)
    assert [(r.depth, r.name, r.allocated_wan, r.budgeted_wan) for r in rows] == [
        (0, "张家口市", Decimal(600), None), (1, "怀来县", Decimal(250), None), (1, "涿鹿县", Decimal(200), None),
        (1, "蔚县", Decimal(150), None), (0, "承德市", Decimal(400), None), (1, "滦平县", Decimal(220), None),
        (1, "隆化县", Decimal(180), None)]


def test_notice_findings_are_those_in_its_file_or_naming_it(notice_build):
    from kg.published import Build

    b = Build.open(notice_build)
    found = b.cards.cards[DOC].findings
    assert [(f.rule_id, f.span.file, f.region_code) for f in found] == [("L2.1", "province_subtotals.txt", "130731")]
    # the counties' own goal-table findings (R4.2) are not the notice's
    assert {f.rule_id for f in b.findings} - {f.rule_id for f in found} == {"R4.2"}


# ---------------------------------------------------------------- Sankey

def _links(data) -> dict[tuple[str, str], Decimal]:
    labels = [n["label"] for n in data["nodes"]]
    return {(labels[k["source"]], labels[k["target"]]): k["value"] for k in data["links"]}


def test_sankey_draws_the_declared_flow_with_an_unbudgeted_remainder(lineage):
    data = sankey(lineage.trace_down(DOC))
    links = _links(data)
    assert {k: v for k, v in links.items() if k[0] in (DOC, "张家口市", "承德市")} == {
        (DOC, "张家口市"): Decimal(600), (DOC, "承德市"): Decimal(400),
        ("张家口市", "怀来县"): Decimal(250), ("张家口市", "涿鹿县"): Decimal(200), ("张家口市", "蔚县"): Decimal(150),
        ("承德市", "滦平县"): Decimal(220), ("承德市", "隆化县"): Decimal(180)}
    assert {k: v for k, v in links.items() if k[1] == "未见预算"} == {
        ("涿鹿县", "未见预算"): Decimal("20.00"), ("蔚县", "未见预算"): Decimal(150),
        ("滦平县", "未见预算"): Decimal(220), ("隆化县", "未见预算"): Decimal(180)}
    # budgets below the counties as before
    assert links[("怀来县", "怀来县就业服务中心")] == Decimal("250.00")
    assert links[("涿鹿县", "涿鹿县就业服务中心")] == Decimal("180.00")
    assert links[("省级 · 省级补助资金", DOC)] == Decimal("430.00")
    assert [n["kind"] for n in data["nodes"]].count("unbudgeted") == 1


def test_sankey_without_allocations_draws_budgets_only(lineage):
    links = _links(sankey(_undeclared_trace(lineage.trace_down(DOC))))
    assert links[(DOC, "张家口市")] == Decimal("430.00")
    assert links[("张家口市", "涿鹿县")] == Decimal("180.00")
    assert not any(k[1] == "未见预算" for k in links)




def test_unplaced_allocations_get_a_node_of_their_own(lineage):
    trace = replace(lineage.trace_down(DOC), unplaced=UNPLACED)
    assert _links(sankey(trace))[(DOC, "某某中心（未定位）")] == Decimal(3)
    flow = down_flow(trace)
    zhuolu = flow.labels.index("涿鹿县")
    assert [flow.amounts[i] for i, (a, b) in enumerate(zip(flow.source, flow.target, strict=True))
            if a == zhuolu and flow.labels[b] == "未见预算"] == [Decimal("20.00")]


# ---------------------------------------------------------------- pages

def test_doc_page_shows_the_notice_header_and_its_allocations(env):
    at = run("doc", doc=DOC)
    shown = "\n".join([*(m.value for m in at.markdown), *(t.value for t in at.text)])
    assert "资金下达通知：河北省财政厅 河北省人力资源和社会保障厅关于提前下达2022年就业补助资金预算的通知" in shown
    assert ":blue-badge[河北省财政厅] :blue-badge[河北省人力资源和社会保障厅]" in shown
    assert "下达总额：1000万元" in shown and "预算年度：2022 年" in shown and "类型：提前下达" in shown
    assert ("财社〔2021〕150号", "doc") in [(link.proto.label, link.proto.page) for link in at.get("page_link")]


# the allocation table as the pages show it: amounts as printed, 差额 "—" where nothing cites the notice
SHOWN_ROWS = [
    ("张家口市", "130700", "600.00", "430.00", "-170.00", True),
    ("　蔚县", "130726", "150.00", "0.00", "—", False),
    ("　怀来县", "130730", "250.00", "250.00", "0.00", True),
    ("　涿鹿县", "130731", "200.00", "180.00", "-20.00", True),
    ("承德市", "130800", "400.00", "0.00", "—", False),
    ("　滦平县", "130824", "220.00", "0.00", "—", False),
    ("　隆化县", "130825", "180.00", "0.00", "—", False)]


def shown_rows(table) -> list[tuple]:
    return [(r["地区"], r["地区代码"], r["分配数(万元)"], r["预算数(万元)"], r["差额(万元)"], bool(r["项目"]))
            for _, r in table.iterrows()]


def test_doc_page_reconciles_allocations_with_the_traced_budgets(env):
    at = run("doc", doc=DOC)
    table = table_with(at, "分配数(万元)")
    assert shown_rows(table) == SHOWN_ROWS
    row = table[table["地区"] == "　涿鹿县"].iloc[0]
    assert row["项目"] == ("./trace?doc=%E5%86%80%E8%B4%A2%E7%A4%BE%E3%80%942021%E3%80%95288%E5%8F%B7"
                         "&region=130731")
    findings = table_with(at, "另一方位置")
    assert [tuple(r) for r in findings[["规则", "地区代码", "位置", "另一方位置"]].itertuples(index=False)] == [
        ("L2.1", "130731", "province_subtotals.txt:17", "county_zhuolu.txt:6-19")]
    assert findings["说明"][0].startswith("涿鹿县（130731）预算数 180.00 万元少于冀财社〔2021〕288号 分配数 200 万元")


def test_trace_page_with_a_region_keeps_that_regions_projects(env):
    at = run("trace", doc=DOC, region="涿鹿县")
    assert list(table_with(at, "项目编码")["项目编码"]) == ["13073122R4T8ZLJYBZ001"]
    assert at.query_params["region"] in ("130731", ["130731"])
    assert any("涿鹿县 · 1 个单位 · 1 个项目" in c.value for c in at.caption)
    assert [r[:5] for r in shown_rows(table_with(at, "分配数(万元)"))] == [
        ("张家口市", "130700", "—", "180.00", "—"), ("　涿鹿县", "130731", "200.00", "180.00", "-20.00")]


def test_trace_page_with_an_unknown_region_shows_every_region_with_a_notice(env):
    at = run("trace", doc=DOC, region="火星")
    assert any("region\\=火星 无效" in w.value for w in at.warning)
    assert len(table_with(at, "项目编码")) == 3


def test_trace_page_shows_the_reconciliation_beside_the_sankey(env):
    at = run("trace", doc=DOC)
    assert any(m.value == "#### 分配与预算对账" for m in at.markdown)
    assert shown_rows(table_with(at, "分配数(万元)")) == SHOWN_ROWS


# ---------------------------------------------------------------- the working paper

def _sheets(data: bytes) -> dict[str, list[tuple]]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_reconciliation_workbook_opens_with_a_row_per_region_and_project(lineage):
    sheets = _sheets(reconciliation_xlsx(lineage.trace_down(DOC)))
    paper = sheets["对账"]
    assert paper[0][:9] == ("文号", "地区代码", "地区", "层级", "分配数（万元）", "分配数（原文）", "预算数（万元）",
                            "差额（万元）", "分配来源")
    regions = [r[1:9] for r in paper[1:] if r[4] is not None]
    assert regions == [
        ("130700", "张家口市", "市", 600, "600", 430, -170, "province_subtotals.txt:15"),
        ("130726", "　蔚县", "县", 150, "150", 0, None, "province_subtotals.txt:18"),
        ("130730", "　怀来县", "县", 250, "250", 250, 0, "province_subtotals.txt:16"),
        ("130731", "　涿鹿县", "县", 200, "200", 180, -20, "province_subtotals.txt:17"),
        ("130800", "承德市", "市", 400, "400", 0, None, "province_subtotals.txt:19"),
        ("130824", "　滦平县", "县", 220, "220", 0, None, "province_subtotals.txt:20"),
        ("130825", "　隆化县", "县", 180, "180", 0, None, "province_subtotals.txt:21")]
    projects = [(r[1], r[9], r[11], r[13], r[14]) for r in paper[1:] if r[11] is not None]
    assert projects == [
        ("130730", "318002", "13073022K7Q2M9JYBZ001", 150, "county_huailai.txt:6-19"),
        ("130730", "318002", "13073022K7Q2M9JYBZ002", 100, "county_huailai.txt:20-33"),
        ("130731", "327004", "13073122R4T8ZLJYBZ001", 180, "county_zhuolu.txt:6-19")]
    assert sheets["文件"][1][:3] == (DOC, "河北省财政厅 河北省人力资源和社会保障厅关于提前下达2022年就业补助资金预算的通知",
                                     "财社〔2021〕150号")
    assert sheets["文件"][1][5:9] == (1000, 1000, 430, -570)


def test_both_pages_offer_the_working_paper(env):
    for view in ("doc", "trace"):
        at = run(view, doc=DOC)
        (button,) = [b for b in at.get("download_button") if "对账底稿" in b.proto.label]
        assert button.proto.label == "下载对账底稿 XLSX"


# ---------------------------------------------------------------- a city notice forwarding the province's

FORWARD = "张财社〔2021〕95号"  # 张家口市 forwards 冀财社〔2021〕288号: 怀来县 250, 涿鹿县 200, 蔚县 75, 市本级 75


@pytest.fixture(scope="module")
def forward_build(tmp_path_factory) -> Settings:
    tmp = tmp_path_factory.mktemp("notice-forward")
    (tmp / "data").mkdir()
    for name in (*FILES, "city_forward.txt"):
        shutil.copy(NOTICES / name, tmp / "data" / name)
    settings = Settings(data_dir=tmp / "data", index_dir=tmp / "indexes")
    build(settings)
    return settings


def test_forwarding_notices_link_both_ways_on_their_cards(forward_build, monkeypatch):
    monkeypatch.setenv("HRSS_DATA_DIR", str(forward_build.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(forward_build.index_dir))
    province, city = run("doc", doc=DOC), run("doc", doc=FORWARD)
    assert ("张财社〔2021〕95号", "doc") in [(x.proto.label, x.proto.page) for x in province.get("page_link")]
    assert ("冀财社〔2021〕288号", "doc") in [(x.proto.label, x.proto.page) for x in city.get("page_link")]
    table = table_with(city, "分配数(万元)")
    assert [(r["地区"], r["分配数(万元)"], r["预算数(万元)"]) for _, r in table.iterrows()] == [
        ("张家口市", "—", "0.00"), ("　张家口市本级", "75.00", "0.00"), ("　蔚县", "75.00", "0.00"),
        ("　怀来县", "250.00", "0.00"), ("　涿鹿县", "200.00", "0.00")]


def test_a_forwarding_child_does_not_declare_its_parents_money_twice(forward_build):
    lineage = load_lineage(forward_build)
    links = _links(sankey(lineage.trace_down(DOC)))
    assert links[("张家口市", "怀来县")] == Decimal(250) and links[("张家口市", "涿鹿县")] == Decimal(200)
    assert FORWARD not in {b for _, b in links}  # no project cites the city's notice
    city = _links(sankey(lineage.trace_down(FORWARD)))
    # the notice allocates to the counties, not to the city itself: the city carries their sum
    assert city[(FORWARD, "张家口市")] == Decimal(600)
    assert {a: v for (a, b), v in city.items() if b == "未见预算"} == {
        "张家口市本级": Decimal(75), "蔚县": Decimal(75), "怀来县": Decimal(250), "涿鹿县": Decimal(200)}


def test_trace_page_of_a_notice_no_project_cites_shows_its_allocations(forward_build, monkeypatch):
    monkeypatch.setenv("HRSS_DATA_DIR", str(forward_build.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(forward_build.index_dir))
    at = run("trace", doc=FORWARD)
    assert {m.label: m.value for m in at.metric} == {"分配数（万元）": "600.00", "预算数（万元）": "0.00",
                                                     "差额（万元）": "—"}
    assert len(table_with(at, "分配数(万元)")) == 5


def test_markup_in_a_notice_title_is_shown_as_text(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notice.txt").write_text(
        "冀财社〔2022〕77号\n关于下达![x](http://trap.example/a.png)就业补助资金的通知\n张家口市财政局：\n"
        "　　现下达2022年就业补助资金共计30万元，其中：怀来县30万元。\n河北省财政厅\n2022年1月5日\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "indexes")
    build(settings)
    monkeypatch.setenv("HRSS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(settings.index_dir))
    at = run("doc", doc="冀财社〔2022〕77号")
    heading = next(m.value for m in at.markdown if m.value.startswith("#### 资金下达通知"))
    assert "![x](" not in heading and "\\!\\[x\\]\\(http" in heading
    table = table_with(at, "分配数(万元)")
    assert [(r["地区"], r["分配数(万元)"]) for _, r in table.iterrows()] == [("张家口市", "—"), ("　怀来县", "30.00")]


def test_a_document_known_from_documents_csv_shows_its_title_and_total(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    shutil.copy(NOTICES / "county_huailai.txt", tmp_path / "data")
    (tmp_path / "data" / "documents.csv").write_text(
        "canonical,title,issuer,date,parent,total_wan\n"
        f"{DOC},提前下达2022年就业补助资金（登记）,河北省财政厅,2021-11-26,,1000\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "indexes")
    build(settings)
    monkeypatch.setenv("HRSS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(settings.index_dir))
    at = run("doc", doc=DOC)
    assert "标题：提前下达2022年就业补助资金（登记）\n日期：2021-11-26\n文件总额：1,000.00 万元" in [t.value for t in at.text]
    assert not any(m.value.startswith("#### 资金下达通知") for m in at.markdown)


def test_partial_doc_number_marks_the_ingested_notice_among_candidates(env):
    at = run("doc", doc="冀财社2021")
    assert [link.proto.label.replace("\\", "") for link in at.get("page_link")] == [
        "冀财社〔2021〕288号（资金下达通知，3 个项目，430.00 万元）"]


def test_the_unbudgeted_node_and_the_flows_into_it_stand_out(lineage):
    from views.model.flows import figure_data

    flow = down_flow(lineage.trace_down(DOC))
    data = figure_data(flow)
    at = flow.labels.index("未见预算")
    assert data["node"]["color"][at] == "#c53030"
    assert flow.hovers[at] == "已分配、但没有县级预算引用的资金"
    into = [i for i, t in enumerate(flow.target) if t == at]
    assert sorted(flow.link_hovers[i] for i in into) == [
        "涿鹿县 → 未见预算<br>20.00 万元", "滦平县 → 未见预算<br>220.00 万元", "蔚县 → 未见预算<br>150.00 万元",
        "隆化县 → 未见预算<br>180.00 万元"]
    assert {data["link"]["color"][i] for i in into} == {"rgba(197, 48, 48, 0.30)"}


def test_a_notice_without_a_docnumber_is_found_and_shown_by_its_title(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    shutil.copy(NOTICES / "no_docnumber.txt", tmp_path / "data")
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "indexes")
    build(settings)
    monkeypatch.setenv("HRSS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(settings.index_dir))
    at = run("doc", doc="公益性岗位补贴")
    assert at.markdown[0].value == "### 承德市财政局关于下达2022年公益性岗位补贴资金的通知"
    assert "此通知未印文号，按标题收录。" in [c.value for c in at.caption]
    assert {m.label: m.value for m in at.metric}["发文机关"] == "承德市财政局"
    assert [r[:4] for r in shown_rows(table_with(at, "分配数(万元)"))] == [
        ("承德市", "130800", "—", "0.00"), ("　滦平县", "130824", "50.00", "0.00"), ("　隆化县", "130825", "40.00", "0.00")]


@pytest.mark.parametrize("doc, name", [
    ("冀财社〔2021〕288号", "对账底稿-冀财社〔2021〕288号.xlsx"),
    ("title:承德市财政局关于下达2022年公益性岗位补贴资金的通知", "对账底稿-承德市财政局关于下达2022年公益性岗位补贴资金的通知.xlsx"),
    ('title:关于下达a/b\\c:d*e?"f"<g>|h资金的通知', "对账底稿-关于下达a_b_c_d_e__f__g__h资金的通知.xlsx"),
])
def test_working_paper_names_are_safe_file_names(doc, name):
    from views.model.notice import paper_name

    assert paper_name(doc) == name

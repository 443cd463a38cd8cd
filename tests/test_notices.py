"""Funding notices: header, allocation shapes, arithmetic checks, bad input, the ingest JSON."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA
from ingest import parse_file, parse_text
from ingest.notices.amounts import cell_amount
from ingest.notices.placing import place_notices
from ingest.records import Notice

NOTICES = DATA / "notices"


def notice(name: str) -> Notice:
    result = parse_file(NOTICES / name)
    assert result.projects == [] and len(result.notices) == 1
    return result.notices[0]


def messages(name: str) -> list[str]:
    return [str(d) for d in parse_file(NOTICES / name).diagnostics]


def rows(n: Notice) -> list[tuple[str, Decimal | None, int | None]]:
    return [(a.recipient, a.amount_wan, a.parent) for a in n.allocations]


def test_provincial_notice_header_fields():
    n = notice("province_subtotals.txt")
    assert n.doc_number == "冀财社〔2021〕288号"
    assert n.title == "河北省财政厅 河北省人力资源和社会保障厅关于提前下达2022年就业补助资金预算的通知"
    assert n.issuers == ("河北省财政厅", "河北省人力资源和社会保障厅")
    assert (n.date, n.date_printed) == ("2021-11-26", "2021年11月26日")
    assert n.addressees == ("张家口市", "承德市财政局", "人力资源和社会保障局")
    assert (n.fund_name, n.notice_kind, n.budget_year) == ("就业补助资金", "提前下达", 2022)
    assert (n.declared_total_wan, n.declared_total_printed) == (Decimal("1000"), "1000万元")
    assert n.subject_codes == ("2080799",)
    assert n.key == "冀财社〔2021〕288号"


def test_cited_documents_keep_their_role():
    n = notice("province_subtotals.txt")
    assert [(c.canonical, c.role) for c in n.cited] == [
        ("财社〔2021〕150号", "upstream"), ("财社〔2017〕164号", "basis")]
    assert n.cited[1].title == "就业补助资金管理办法"
    assert n.upstream == ("财社〔2021〕150号",)


def test_city_subtotals_with_indented_counties():
    n = notice("province_subtotals.txt")
    assert rows(n) == [
        ("张家口市", Decimal("600"), None), ("怀来县", Decimal("250"), 0), ("涿鹿县", Decimal("200"), 0),
        ("蔚县", Decimal("150"), 0), ("承德市", Decimal("400"), None), ("滦平县", Decimal("220"), 4),
        ("隆化县", Decimal("180"), 4)]
    assert [a.is_subtotal for a in n.allocations] == [True, False, False, False, True, False, False]
    assert n.children(4) == [5, 6]
    assert n.allocated_wan == Decimal("1000")
    assert (n.table_total_wan, n.table_total_printed) == (Decimal("1000"), "1000")
    assert n.allocations[3].note == "含市级统筹"
    assert n.allocations[1].span.to_json() == {"file": "province_subtotals.txt", "lines": [16, 16]}
    assert n.mismatches == ()


def test_side_by_side_pairs_read_left_column_first():
    n = notice("side_by_side.txt")
    assert [(a.recipient, a.amount_printed) for a in n.allocations] == [
        ("怀来县", "320.50"), ("涿鹿县", "198.00"), ("怀安县", "143.00"), ("蔚县", "210.00"), ("阳原县", "156.50")]
    assert [a.span.first_line for a in n.allocations] == [12, 13, 14, 12, 13]


@pytest.mark.parametrize("name, check, label, printed, summed, message", [
    ("side_by_side.txt", "total", "declared total", "1030", "1028.00",
     ":4: declared total 1030万元 ≠ sum of the allocations 1028.00万元 (difference 2.00万元)"),
    ("split_sources.txt", "parts", "承德市", "300.00", "290.00",
     ":14: allocation '承德市' 300.00万元 ≠ sum of its source columns 290.00万元 (difference 10.00万元)"),
])
def test_sums_that_do_not_add_up_are_diagnostics_with_both_figures(name, check, label, printed, summed, message):
    (m,) = notice(name).mismatches
    assert (m.check, m.label, m.printed_wan, m.summed_wan) == (check, label, Decimal(printed), Decimal(summed))
    assert m.difference_wan == Decimal(printed) - Decimal(summed)
    assert messages(name) == [f"{NOTICES / name}{message}"]


def test_split_source_columns_under_a_two_row_header():
    n = notice("split_sources.txt")
    assert n.title == "关于追加下达2022年城乡居民基本养老保险补助资金的通知"
    assert n.field_span("title").to_json()["lines"] == [3, 4]
    assert (n.notice_kind, n.fund_name) == ("追加", "城乡居民基本养老保险补助资金")
    assert n.issuers == ("河北省财政厅", "河北省人力资源和社会保障厅")
    first = n.allocations[0]
    assert (first.recipient, first.amount_wan) == ("张家口市", Decimal("500.00"))
    assert [(p.source, p.amount_wan, p.printed) for p in first.parts] == [
        ("中央资金", Decimal("400.00"), "400.00"), ("省级资金", Decimal("100.00"), "100.00")]


def test_forwarding_city_notice_with_running_text_allocations():
    n = notice("city_forward.txt")
    assert n.doc_number == "张财社〔2021〕95号"
    assert n.issuers == ("张家口市财政局", "张家口市人力资源和社会保障局")
    assert n.upstream == ("冀财社〔2021〕288号",)
    assert [(c.canonical, c.role) for c in n.cited] == [
        ("冀财社〔2021〕288号", "upstream"), ("财社〔2017〕164号", "basis")]
    assert [(a.recipient, a.amount_wan, a.amount_printed, a.origin) for a in n.allocations] == [
        ("怀来县", Decimal("250"), "250万元", "text"), ("涿鹿县", Decimal("200"), "200万元", "text"),
        ("蔚县", Decimal("75"), "75万元", "text"), ("市本级", Decimal("75"), "75万元", "text")]
    assert (n.declared_total_wan, n.allocated_wan, n.mismatches) == (Decimal("600"), Decimal("600"), ())
    assert n.budget_year == 2022 and n.date == "2021-12-10"


@pytest.mark.parametrize("text, expected", [
    ("其中：乐都区819万元，民和县1226万元……；另安排平安区、循化县各100万元。",
     [("乐都区", "819"), ("民和县", "1226"), ("平安区", "100"), ("循化县", "100")]),
    ("下达你市资金500万元，其中:甲县300万元,乙县200万元。", [("甲县", "300"), ("乙县", "200")]),
    ("其中中央资金400万元，省级资金100万元。", []),
])
def test_running_text_allocations(text, expected):
    doc = f"冀财社〔2022〕5号\n关于下达2022年就业补助资金的通知\n某市财政局：\n{text}\n某省财政厅\n2022年1月5日\n"
    (n,) = parse_text(doc, "t.txt").notices
    assert [(a.recipient, f"{a.amount_wan:f}") for a in n.allocations] == expected


def test_amounts_in_yuan_are_exact_wan():
    n = notice("yuan.txt")
    assert n.amount_unit == "元"
    assert [(a.recipient, a.amount_wan, a.amount_printed, a.unit) for a in n.allocations] == [
        ("怀来县", Decimal("123.456789"), "1,234,567.89", "元"),
        ("涿鹿县", Decimal("234.543261"), "2,345,432.61", "元")]
    assert n.declared_total_wan == Decimal("358.00005")
    assert n.declared_total_printed == "3,580,000.50元"
    assert n.table_total_wan == Decimal("358.00005") and n.mismatches == ()


def test_notice_without_allocation_table_still_loads():
    n = notice("no_table.txt")
    assert n.doc_number == "冀人社字〔2022〕12号"
    assert n.title == "河北省人力资源和社会保障厅 河北省财政厅关于清算2021年就业补助资金的通知"
    assert (n.date, n.date_printed) == ("2022-03-15", "二〇二二年三月十五日")
    assert (n.notice_kind, n.budget_year, n.allocations) == ("清算", 2021, ())
    assert messages("no_table.txt") == [
        f"{NOTICES / 'no_table.txt'}:1: notice has no allocation table and no allocations in its text"]


def test_non_numeric_amount_names_the_row_and_keeps_the_rest():
    n = notice("bad_amount.txt")
    assert [(a.recipient, a.amount_wan, a.amount_printed) for a in n.allocations] == [
        ("怀来县", Decimal("120"), "120"), ("涿鹿县", Decimal("100"), "100"), ("蔚县", None, "待定")]
    assert messages("bad_amount.txt") == [
        f"{NOTICES / 'bad_amount.txt'}:11: allocation '蔚县': amount '待定' is not a number; "
        "kept as printed, not counted"]


def test_notice_without_own_docnumber_is_kept_under_its_title():
    n = notice("no_docnumber.txt")
    assert n.doc_number is None
    assert n.key == "title:承德市财政局关于下达2022年公益性岗位补贴资金的通知"
    assert n.issuers == ("承德市财政局",)
    assert n.addressees == ("滦平县", "隆化县财政局")
    assert [(a.recipient, a.amount_wan) for a in n.allocations] == [("滦平县", Decimal("50")), ("隆化县", Decimal("40"))]
    assert messages("no_docnumber.txt") == [
        f"{NOTICES / 'no_docnumber.txt'}:1: notice prints no 文号 of its own; kept under its title "
        "'承德市财政局关于下达2022年公益性岗位补贴资金的通知'"]


@pytest.mark.parametrize("caption, doc_number, title", [
    ("附件：冀财社〔2022〕99号2022年就业补助资金分配表", "冀财社〔2022〕99号", None),
    ("附件：《河北省财政厅关于下达2022年公益性岗位补贴资金的通知》分配表", None,
     "河北省财政厅关于下达2022年公益性岗位补贴资金的通知"),
])
def test_a_table_file_keeps_the_notice_its_caption_names(caption, doc_number, title):
    (n,) = parse_text(f"{caption}\n单位：万元\n地区\t金额\n滦平县\t60\n隆化县\t40\n", "t.txt").notices
    assert (n.doc_number, n.title, n.date) == (doc_number, title, None)
    assert [(a.recipient, a.amount_wan) for a in n.allocations] == [("滦平县", Decimal("60")), ("隆化县", Decimal("40"))]


def test_subtotal_that_does_not_match_its_counties():
    doc = ("冀财社〔2022〕7号\n关于下达2022年就业补助资金的通知\n附件\n地区\t金额\n"
           "甲市\t100\n　乙县\t60\n　丙县\t30\n")
    result = parse_text(doc, "t.txt")
    (n,) = result.notices
    (m,) = n.mismatches
    assert (m.check, m.label, m.printed_wan, m.summed_wan, m.span.first_line) == (
        "subtotal", "甲市", Decimal("100"), Decimal("90"), 5)
    assert "t.txt:5: subtotal '甲市' 100万元 ≠ sum of its rows 90万元 (difference 10万元)" in map(
        str, result.diagnostics)


def test_city_rows_over_unindented_counties():
    doc = ("冀财社〔2022〕8号\n关于下达2022年就业补助资金的通知\n附件\n地区\t金额\n"
           "甲市\t90\n乙县\t60\n丙区\t30\n丁市\t10\n戊县\t10\n")
    (n,) = parse_text(doc, "t.txt").notices
    assert rows(n) == [("甲市", Decimal("90"), None), ("乙县", Decimal("60"), 0), ("丙区", Decimal("30"), 0),
                       ("丁市", Decimal("10"), None), ("戊县", Decimal("10"), 3)]


def test_goal_tables_and_plain_text_are_not_notices(sample):
    assert sample.notices == []
    assert parse_text("关于做好就业工作的意见\n各县：\n请认真落实。\n", "t.txt").notices == []


def test_county_goal_tables_cite_the_provincial_notice():
    budgets = {}
    for name in ("county_huailai.txt", "county_zhuolu.txt"):
        result = parse_file(NOTICES / name)
        assert result.notices == []
        budgets[name] = sum(p.budget_wan for p in result.projects if "冀财社〔2021〕288号" in p.doc_numbers)
    assert budgets == {"county_huailai.txt": Decimal("250.00"), "county_zhuolu.txt": Decimal("180.00")}


def test_ingest_json_prints_notices_with_kind():
    from kg.cli import cli

    result = CliRunner().invoke(cli, ["ingest", str(NOTICES / "province_subtotals.txt"),
                                      str(NOTICES / "county_zhuolu.txt"), "--json"])
    assert result.exit_code == 0
    objs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["kind"] for o in objs] == ["project", "notice"]
    n = objs[1]
    assert (n["doc_number"], n["declared_total_wan"], n["allocated_wan"]) == ("冀财社〔2021〕288号", 1000, 1000)
    assert n["allocations"][1] == {
        "index": 1, "recipient": "怀来县", "region_code": "130730", "amount_wan": 250, "amount_printed": "250",
        "unit": "万元", "parts": [], "parent": 0, "subtotal": False, "origin": "table", "note": None,
        "source": {"file": "province_subtotals.txt", "lines": [16, 16]}}
    assert '"declared_total_wan": 1000,' in result.stdout.splitlines()[1]


def test_a_file_holding_only_a_notice_loads():
    from kg.cli import cli

    result = CliRunner().invoke(cli, ["ingest", str(NOTICES / "no_table.txt")])
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines()[-1] == "0 个项目, 0 条指标, 1 个通知, 来自 1 个文件"


def test_table_in_the_one_cell_per_line_layout():
    doc = ("冀财社〔2022〕9号\n关于下达2022年就业补助资金的通知\n某市财政局：\n现下达资金共计70万元。\n某省财政厅\n"
           "2022年2月1日\n附件\n\t地区\n\t金额\n\n\t甲县\n\t40\n\n\t乙县\n\t30\n\n")
    result = parse_text(doc, "t.txt")
    (n,) = result.notices
    assert [(a.recipient, a.amount_wan, a.span.first_line) for a in n.allocations] == [
        ("甲县", Decimal("40"), 11), ("乙县", Decimal("30"), 14)]
    assert n.mismatches == () and n.allocated_wan == Decimal("70")


_CELL_TEXT = st.text(alphabet="县市区合计小其中万元0123456789.,- 　\t", max_size=12)


@settings(max_examples=60, deadline=None)
@given(cells=st.lists(st.lists(_CELL_TEXT, min_size=1, max_size=5), max_size=8))
def test_no_table_crashes_the_notice_reader(cells):
    body = "\n".join("\t".join(row) for row in cells)
    doc = f"冀财社〔2022〕3号\n关于下达2022年就业补助资金的通知\n附件\n地区\t金额\n{body}\n"
    result = parse_text(doc, "t.txt")
    assert len(result.notices) == 1
    for a in result.notices[0].allocations:
        assert a.amount_printed is None or a.amount_printed.strip()


@given(cents=st.integers(0, 10**12))
def test_yuan_to_wan_is_exact(cents):
    printed = f"{cents // 100}.{cents % 100:02d}"
    wan, unit = cell_amount(printed, "元")
    assert unit == "元" and wan * 10000 == Decimal(printed)


def test_web_page_fields_give_docnumber_issuer_and_date():
    doc = ("关于下达2022年就业补助资金的通知\n索引号：13000-2022-0042　发文机关：河北省财政厅\n"
           "发文字号：冀财社〔2022〕15号　成文日期：2022-04-08\n张家口市财政局：\n现下达资金共计30万元，其中：怀来县30万元。\n")
    result = parse_text(doc, "t.html")
    (n,) = result.notices
    assert (n.doc_number, n.issuers, n.date, n.date_printed) == (
        "冀财社〔2022〕15号", ("河北省财政厅",), "2022-04-08", "2022-04-08")
    assert n.addressees == ("张家口市财政局",)
    assert [(a.recipient, a.amount_wan) for a in n.allocations] == [("怀来县", Decimal("30"))]


@pytest.mark.parametrize("title, dated, year", [
    ("关于提前下达就业补助资金预算的通知", "2021年11月20日", 2022),  # 提前下达 funds the next year
    ("关于下达就业补助资金的通知", "2021年11月20日", 2021),
    ("关于提前下达2023年就业补助资金预算的通知", "2022年10月9日", 2023),
])
def test_budget_year_is_the_year_funded_not_the_docnumber_year(title, dated, year):
    doc = f"冀财社〔2021〕40号\n{title}\n某市财政局：\n现下达资金共计5万元，其中：甲县5万元。\n某省财政厅\n{dated}\n"
    (n,) = parse_text(doc, "t.txt").notices
    assert n.budget_year == year


def test_subtotal_rows_close_the_rows_above_them():
    doc = ("冀财社〔2022〕11号\n关于下达2022年就业补助资金的通知\n附件\n地区\t金额\n"
           "甲县\t60\n乙县\t30\n甲市小计\t90\n丙县\t10\n丁市小计\t12\n")
    result = parse_text(doc, "t.txt")
    (n,) = result.notices
    assert rows(n) == [("甲县", Decimal("60"), 2), ("乙县", Decimal("30"), 2), ("甲市小计", Decimal("90"), None),
                       ("丙县", Decimal("10"), 4), ("丁市小计", Decimal("12"), None)]
    assert n.allocated_wan == Decimal("102")
    assert [(m.label, m.printed_wan, m.summed_wan) for m in n.mismatches] == [("丁市小计", Decimal("12"), Decimal("10"))]


def test_a_city_row_without_its_own_figure_counts_through_its_counties():
    doc = ("冀财社〔2022〕12号\n关于下达2022年就业补助资金的通知\n附件\n地区\t金额\n"
           "甲市\t\n　乙县\t60\n　丙县\t30\n")
    (n,) = parse_text(doc, "t.txt").notices
    assert rows(n) == [("甲市", None, None), ("乙县", Decimal("60"), 0), ("丙县", Decimal("30"), 0)]
    assert n.allocated_wan == Decimal("90") and n.mismatches == ()


@pytest.fixture(scope="module")
def regions():
    from ingest.regions import RegionIndex

    return RegionIndex.load()


@pytest.mark.parametrize("name, region, placed", [
    ("province_subtotals.txt", "130000", [
        ("张家口市", "130700"), ("怀来县", "130730"), ("涿鹿县", "130731"), ("蔚县", "130726"),
        ("承德市", "130800"), ("滦平县", "130824"), ("隆化县", "130825")]),
    # 市本级 is the city's own share: its sub-region
    ("city_forward.txt", "130700", [
        ("怀来县", "130730"), ("涿鹿县", "130731"), ("蔚县", "130726"), ("市本级", "130700-shibenji")]),
])
def test_allocations_are_placed_in_their_regions(regions, name, region, placed):
    result = parse_file(NOTICES / name)
    place_notices(result, regions)
    (n,) = result.notices
    assert n.region_code == region
    assert [(a.recipient, a.region_code) for a in n.allocations] == placed
    assert [d for d in result.diagnostics if "region" in d.message] == []


def test_a_recipient_no_region_names_stays_unplaced(regions):
    doc = "冀财社〔2022〕13号\n关于下达2022年就业补助资金的通知\n附件\n单位\t金额\n怀来县\t5\n某某中心\t3\n"
    result = parse_text(doc, "t.txt")
    place_notices(result, regions)
    assert [(a.recipient, a.region_code) for a in result.notices[0].allocations] == [
        ("怀来县", "130730"), ("某某中心", None)]
    assert "t.txt:6: allocation '某某中心' names no known region; kept as printed, unplaced" in map(
        str, result.diagnostics)


def test_word_notice_through_the_grid():
    result = parse_file(NOTICES / "province_native.docx")
    (n,) = result.notices
    assert (n.doc_number, n.date, n.budget_year, n.subject_codes) == ("冀财社〔2022〕120号", "2022-05-16", 2022, ("2080505",))
    assert n.issuers == ("河北省财政厅", "河北省人力资源和社会保障厅")
    assert rows(n) == [
        ("张家口市", Decimal("420.00"), None), ("怀来县", Decimal("260.00"), 0), ("涿鹿县", Decimal("160.00"), 0),
        ("承德市", Decimal("280.00"), None), ("滦平县", Decimal("150.00"), 3), ("隆化县", Decimal("120.00"), 3)]
    assert [(p.source, p.printed) for p in n.allocations[1].parts] == [("中央资金", "208.00"), ("省级资金", "52.00")]
    assert (n.table_total_wan, n.declared_total_wan) == (Decimal("700.00"), Decimal("700"))
    assert n.allocations[1].span.to_json() == {"file": "province_native.docx", "table": 1, "rows": [5, 5]}
    assert (f"{NOTICES / 'province_native.docx'} table 1 row 7: subtotal '承德市' 280.00万元 ≠ sum of its rows "
            "270.00万元 (difference 10.00万元)") in map(str, result.diagnostics)


def test_excel_notice_through_the_grid():
    (n,) = parse_file(NOTICES / "city_native.xlsx").notices
    assert (n.doc_number, n.date, n.upstream) == ("张财社〔2022〕31号", "2021-12-20", ("冀财社〔2021〕288号",))
    assert n.field_span("doc_number").locator == "city_native.xlsx!分配表!A2"
    assert [(a.recipient, a.amount_wan, a.span.locator) for a in n.allocations] == [
        ("怀来县", Decimal("250"), "city_native.xlsx!分配表!A9:D9"),
        ("涿鹿县", Decimal("200"), "city_native.xlsx!分配表!A10:D10"),
        ("蔚县", Decimal("150"), "city_native.xlsx!分配表!A9:D9")]
    assert n.allocated_wan == n.declared_total_wan == Decimal("600")


@pytest.mark.parametrize("body", [
    "现下达资金" + "1" * 200_000 + "x",  # a run of digits that never becomes an amount
    "其中：" + "甲" * 100_000 + "1" * 100_000,  # one clause without an amount unit
    "根据《" + "》" * 50_000 + " " * 100_000 + "冀财社〔2022〕1号",
])
def test_long_hostile_paragraphs_are_read_without_backtracking(body):
    doc = f"冀财社〔2022〕2号\n关于下达2022年就业补助资金的通知\n某市财政局：\n{body}\n某省财政厅\n2022年1月5日\n"
    (n,) = parse_text(doc, "t.txt").notices
    assert (n.doc_number, n.date, n.allocations) == ("冀财社〔2022〕2号", "2022-01-05", ())


def test_an_attachment_file_does_not_warn_about_a_missing_date_and_a_notice_does():
    table = "附件：冀财社〔2022〕9号分配表\n地区\t金额\n怀来县\t40\n涿鹿县\t30\n"
    undated = "冀财社〔2022〕9号\n关于下达2022年就业补助资金的通知\n某市财政局：\n现下达资金共计70万元。\n" + table
    assert [d.message for d in parse_text(table, "table.txt").diagnostics] == []
    assert "notice date not found" in [d.message for d in parse_text(undated, "n.txt").diagnostics]

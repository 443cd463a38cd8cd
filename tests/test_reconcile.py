"""Notices in the build: declared allocations in the trace, forwarding chains, fund streams,
attachments, reconciliation findings (L2.*) and the XLSX working paper.

Fixtures: tests/data/reconcile/ (tests/make_reconcile_fixtures.py).
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.audit.engine import load_findings
from kg.build import build
from kg.cli import cli
from kg.lineage import load_lineage
from kg.lineage.model import RegionFlow, TraceDown
from kg.lineage.reconcile import HEADERS, write_xlsx
from kg.settings import Settings

DATA = Path(__file__).resolve().parent / "data"
RECONCILE = DATA / "reconcile"
PROVINCE = "冀财社〔2022〕60号"
CITY = "张财社〔2022〕12号"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(data_dir=RECONCILE, index_dir=tmp_path_factory.mktemp("reconcile-idx"))
    build(settings)
    return settings


@pytest.fixture(scope="module")
def province(built: Settings) -> TraceDown:
    return load_lineage(built).trace_down(PROVINCE)


def regions(trace: TraceDown) -> dict[str, RegionFlow]:
    out: dict[str, RegionFlow] = {}
    todo = list(trace.regions)
    while todo:
        r = todo.pop()
        out[r.region_name or r.region_code] = r
        todo.extend(r.regions)
    return out


def findings(settings: Settings, rule: str) -> list:
    return [f for f in load_findings(settings) if f.rule_id == rule]


def test_trace_gives_allocated_budgeted_and_difference_per_county_and_city(province):
    got = {name: (r.allocated_wan, r.budgeted_wan, r.difference_wan) for name, r in regions(province).items()}
    assert got == {
        "张家口市": (Decimal("500"), Decimal("540.00"), Decimal("40.00")),  # 300 + 150 + 赤城县 90
        "怀来县": (Decimal("300"), Decimal("300.00"), Decimal("0.00")),
        "涿鹿县": (Decimal("200"), Decimal("150.00"), Decimal("-50.00")),
        "赤城县": (None, Decimal("90.00"), None),
        "承德市": (Decimal("300"), Decimal("0"), None),  # no project there cites it: nothing to compare
        "滦平县": (Decimal("180"), Decimal("0"), None),
        "隆化县": (Decimal("110"), Decimal("0"), None),
    }
    assert (province.document.declared_total_wan, province.allocated_wan, province.total_wan) == (
        Decimal("820"), Decimal("820"), Decimal("540.00"))


def test_trace_json_keeps_schema_2_with_allocation_sources_and_unplaced(province):
    obj = province.to_json()
    assert obj["schema"] == 2
    city = obj["regions"][0]
    assert (city["region_code"], city["allocated_wan"], city["allocated_printed"]) == ("130700", Decimal("500"), "500")
    assert city["allocation_source"] == {"file": "province_2022.txt", "lines": [13, 13]}
    zhuolu = next(r for r in city["regions"] if r["region_code"] == "130731")
    assert (zhuolu["allocated_wan"], zhuolu["budgeted_wan"], zhuolu["difference_wan"]) == (
        Decimal("200"), Decimal("150.00"), Decimal("-50.00"))
    assert obj["unplaced"] == [{"recipient": "省社会保险事业管理局", "region_code": None, "amount_wan": Decimal("20"),
                                "amount_printed": "20", "source": {"file": "province_2022.txt", "lines": [19, 19]}}]
    assert obj["notice_source"] == {"file": "province_2022.txt", "lines": [1, 19]}


def test_a_project_citing_two_documents_is_shared_not_split(province):
    flows = {pf.project_code: (pf.budget_wan, pf.shared) for pf in province.projects}
    assert flows["13073022H5L2CXJM00002"] == (Decimal("120.00"), True)
    assert flows["13073022H5L2CXJM00001"] == (Decimal("180.00"), False)


def test_the_card_of_an_ingested_notice_comes_from_the_notice(province):
    d = province.document
    assert d.title == "河北省财政厅 河北省人力资源和社会保障厅关于下达2022年城乡居民基本养老保险补助资金的通知"
    assert (d.date, d.declared_total_wan) == ("2022-03-08", Decimal("820"))  # documents.csv says 800


def test_forwarding_chain_traced_down_from_the_province(province):
    (city,) = province.children
    assert city.document.canonical == CITY
    assert city.allocated_wan == Decimal("500")
    assert {n: r.allocated_wan for n, r in regions(city).items()} == {
        "张家口市": None, "怀来县": Decimal("300"), "涿鹿县": Decimal("200")}
    # documents.csv adds what no notice says: the county's own document under the city's
    assert [c.document.canonical for c in city.children] == ["怀财资〔2022〕5号"]
    assert [p.canonical for p in province.parents] == ["财社〔2022〕30号"]  # the notice wins over documents.csv


def test_forwarding_chain_traced_up_from_a_county_project(built):
    up = load_lineage(built).trace_up("13073022H5L2CXJM00002")
    assert {d.canonical: d.chain for d in up.documents} == {
        PROVINCE: ("财社〔2022〕30号",),
        "怀财资〔2022〕5号": (CITY, PROVINCE, "财社〔2022〕30号"),
    }


def test_a_region_budgeting_less_than_allocated_is_a_finding_with_both_amounts(built):
    (f,) = findings(built, "L2.1")
    assert (f.severity, f.region_code, f.year, f.location) == ("警告", "130731", 2022, "province_2022.txt:15")
    assert "涿鹿县（130731）预算数 150.00 万元少于冀财社〔2022〕60号 分配数 200 万元（差额 -50.00 万元）" in f.message
    assert "zhuolu_2022.txt:6-18" in f.message
    assert [r.locator for r in f.related] == ["zhuolu_2022.txt:6-18"]


def test_a_project_in_a_county_the_notice_allocates_nothing_to(built):
    (f,) = findings(built, "L2.2")
    assert (f.project_code, f.region_code, f.location) == ("13073222C3C6CXJM00001", "130732", "chicheng_2022.txt:6-18")
    assert "赤城县（130732）" in f.message and PROVINCE in f.message
    assert [r.locator for r in f.related] == ["province_2022.txt:13"]


def test_a_subtotal_that_does_not_add_up_is_an_error_finding(built):
    (f,) = findings(built, "L2.3")
    assert (f.severity, f.location, f.value) == ("错误", "province_2022.txt:16", "300")
    assert "小计「承德市」 300 万元，各行相加 290 万元（差 10 万元）" in f.message


def test_one_allocation_claimed_by_projects_of_two_counties(built):
    (f,) = findings(built, "L2.4")
    assert (f.location, f.region_code, f.year) == ("province_2021.txt:12", "130700", 2021)
    assert "怀来县（130730）、涿鹿县（130731）" in f.message
    assert sorted(r.locator for r in f.related) == ["huailai_2021.txt:6-18", "zhuolu_2021.txt:6-18"]


def test_documents_csv_disagreeing_with_the_notice_names_both_places(built):
    got = {f.field: f.message for f in findings(built, "L2.5")}
    assert set(got) == {"上级文件", "总额（万元）", "标题"}
    assert got["总额（万元）"] == (f"{PROVINCE} 的总额（万元）: documents.csv 第 2 行为「800」，"
                               "通知（province_2022.txt:5）为「820万元」；以通知为准")
    assert all(f.span.file.endswith("documents.csv") and f.span.first_line == 2 for f in findings(built, "L2.5"))


def test_a_notice_with_allocations_is_not_checked_against_its_total_by_l1(built):
    assert findings(built, "L1.1") == []


def test_the_same_fund_stream_is_linked_across_two_years(province, built):
    assert province.stream == {"key": "省|冀财社|城乡居民基本养老保险补助资金", "documents": [
        {"year": 2021, "canonical": "冀财社〔2021〕45号"}, {"year": 2022, "canonical": PROVINCE}]}
    assert load_lineage(built).trace_down("冀财社〔2021〕45号").stream == province.stream
    assert load_lineage(built).trace_down("冀财社〔2022〕99号").stream["documents"] == [
        {"year": 2022, "canonical": "冀财社〔2022〕99号"}]  # 就业补助资金: another stream


def test_an_attachment_file_is_joined_to_its_notice(built):
    t = load_lineage(built).trace_down("冀财社〔2022〕99号")
    assert [a.locator for a in t.attachments] == ["notice_99_table.xlsx!分配表!A1:B5"]
    assert {n: (r.allocated_wan, r.allocation_source.locator if r.allocation_source else None)
            for n, r in regions(t).items()} == {
        "张家口市": (None, None), "怀来县": (Decimal("80"), "notice_99_table.xlsx!分配表!A4:B4"),
        "涿鹿县": (Decimal("40"), "notice_99_table.xlsx!分配表!A5:B5")}
    assert (t.allocated_wan, t.document.declared_total_wan) == (Decimal("80") + Decimal("40"), Decimal("120"))


def test_an_attachment_file_naming_its_notice_by_title_is_joined(built):
    t = load_lineage(built).trace_down("冀财社〔2022〕88号")
    assert [a.locator for a in t.attachments] == ["notice_88_table.txt:1-5"]
    assert {n: r.allocated_wan for n, r in regions(t).items()} == {
        "承德市": None, "滦平县": Decimal("60"), "隆化县": Decimal("40")}
    assert t.document.title == "河北省财政厅关于下达2022年公益性岗位补贴资金的通知"


def test_findings_keep_both_sources_in_findings_json_and_audit_filters(built):
    result = CliRunner().invoke(cli, ["audit", "--rule", "L2", "--region", "涿鹿县", "--json",
                                      "--data", str(RECONCILE), "--indexes", str(built.index_dir)])
    assert result.exit_code == 0, result.output
    objs = json.loads(result.stdout)
    rows = objs["findings"] if isinstance(objs, dict) else objs
    assert [(o["rule_id"], o["region_code"], o["related_sources"]) for o in rows] == [
        ("L2.1", "130731", [{"file": "zhuolu_2022.txt", "lines": [6, 18]}])]


def test_findings_reach_the_graph_with_both_sources(built):
    from kg.namespace import PREFIXES
    from kg.store import open_store

    store = open_store(built)
    # its own source as its properties, the other side's as hk:relatedSource locators (no span nodes)
    q = ("".join(f"PREFIX {k}: <{v}> " for k, v in PREFIXES.items()) +
         "SELECT ?file ?line ?related WHERE { ?f hk:rule ?r ; hk:sourceFile ?file ; hk:firstLine ?line ; "
         "hk:relatedSource ?related . FILTER(STRENDS(STR(?r), 'L2.1') && CONTAINS(?related, 'zhuolu')) }")
    assert [(str(r["file"]), int(r["line"]), str(r["related"])) for r in store.query(q).rows] == [
        ("province_2022.txt", 15, "zhuolu_2022.txt:6-18")]
    q = ("".join(f"PREFIX {k}: <{v}> " for k, v in PREFIXES.items()) +
         "SELECT ?s WHERE { ?f hk:rule ?r ; prov:wasDerivedFrom ?s }")
    assert store.query(q).rows == []


def test_cli_trace_prints_allocated_budgeted_and_difference(built):
    result = CliRunner().invoke(cli, ["trace", PROVINCE, "--data", str(RECONCILE), "--indexes", str(built.index_dir)])
    assert result.exit_code == 0, result.output
    assert "    涿鹿县（130731）  分配数 200 万元  预算数 150.00 万元  差额 -50.00 万元  province_2022.txt:15" in result.output
    assert "  未落地区: 省社会保险事业管理局  分配数 20 万元" in result.output
    assert "  同一资金各年度: 2021年 冀财社〔2021〕45号、2022年 冀财社〔2022〕60号" in result.output


def test_xlsx_working_paper_cells(province, tmp_path):
    from openpyxl import load_workbook

    buffer = io.BytesIO()
    write_xlsx(province, buffer)
    path = tmp_path / "对账.xlsx"
    path.write_bytes(buffer.getvalue())
    rows = list(load_workbook(path)["对账"].iter_rows(values_only=True))
    assert rows[0] == HEADERS
    zhuolu = [r for r in rows if r[0] == PROVINCE and r[1] == "130731"]
    assert zhuolu[0][4:9] == (200, "200", 150, -50, "province_2022.txt:15")
    assert zhuolu[1][9:15] == ("327006", "涿鹿县社会保险事业中心", "13073122Z8L4CXJM00001",
                               "冀财社〔2022〕60号城乡居民基本养老保险补助资金", 150, "zhuolu_2022.txt:6-18")
    assert ("（未落地区）省社会保险事业管理局", 20) == next((r[2], r[4]) for r in rows if r[1] is None and r[0] == PROVINCE)
    summary = list(load_workbook(path)["文件"].iter_rows(values_only=True))
    assert summary[1][0] == PROVINCE and summary[1][5:9] == (820, 820, 540, -280)


def test_cli_trace_xlsx_writes_the_file(built, tmp_path):
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(cli, ["trace", PROVINCE, "--xlsx", str(out), "--data", str(RECONCILE),
                                      "--indexes", str(built.index_dir)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and f"对账表已写入 {out}" in result.output


TITLED = "title:承德市财政局关于下达2022年公益性岗位补贴资金的通知"


@pytest.fixture(scope="module")
def bad_notices(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("bad-notices")
    for name in ("no_table.txt", "bad_amount.txt", "no_docnumber.txt", "province_subtotals.txt"):
        (data / name).write_bytes((DATA / "notices" / name).read_bytes())
    settings = Settings(data_dir=data, index_dir=data / "idx")
    build(settings)
    return settings


def test_bad_notices_build(bad_notices):
    lineage = load_lineage(bad_notices)
    assert "冀人社字〔2022〕12号" in lineage.documents()  # no table: loads with its header
    assert lineage.trace_down("冀人社字〔2022〕12号").regions == ()


def test_a_notice_without_its_own_docnumber_enters_the_lineage_under_its_title(bad_notices):
    lineage = load_lineage(bad_notices)
    assert TITLED in lineage.documents()
    t = lineage.trace_down("公益性岗位补贴资金的通知")  # a part of the title names it
    assert t.document.canonical == TITLED
    assert (t.document.date, t.document.declared_total_wan, t.allocated_wan) == (
        "2022-05-10", Decimal("90"), Decimal("90"))
    assert {n: r.allocated_wan for n, r in regions(t).items()} == {
        "承德市": None, "滦平县": Decimal("50"), "隆化县": Decimal("40")}


def test_the_card_of_a_notice_without_docnumber_is_found_by_its_title(bad_notices):
    from kg.doccard import lookup_document

    found = lookup_document(bad_notices, "承德市财政局关于下达2022年公益性岗位补贴资金")
    card = found.card
    assert card is not None and found.candidates == [card]
    assert (card.canonical, card.title, card.year, card.seq, card.organisation, card.declared_total_wan) == (
        TITLED, "承德市财政局关于下达2022年公益性岗位补贴资金的通知", 2022, 0, "承德市财政局", Decimal("90"))
    assert lookup_document(bad_notices, TITLED).card == card


def test_a_notice_without_docnumber_is_a_document_of_the_graph_with_its_allocations(bad_notices):
    from kg.queries import run_named
    from kg.rdf import iri
    from kg.store import open_store
    from kg.validate import validate_build

    d = iri.plain(iri.document(TITLED))
    assert d.startswith("https://w3id.org/hrss-kg/id/doc/_title/") and len(d.rsplit("/", 1)[1]) == 16
    assert iri.document(TITLED) == iri.document(TITLED) != iri.document(TITLED + "（二）")
    rows = sparql(bad_notices, f"SELECT ?title ?org WHERE {{ <{d}> a hk:Document ; dcterms:identifier '{TITLED}' ; "
                               "dcterms:title ?title ; hk:issuerPrinted ?org }")
    assert [(str(r["title"]), str(r["org"])) for r in rows] == [(TITLED.removeprefix("title:"), "承德市财政局")]
    got = run_named(open_store(bad_notices), "notice_allocations", doc=TITLED).rows
    assert [(str(r["recipient"]), str(r["region_code"]), Decimal(str(r["allocated"]))) for r in got] == [
        ("滦平县", "130824", Decimal("50")), ("隆化县", "130825", Decimal("40"))]
    assert validate_build(bad_notices).conforms


def test_a_title_holding_a_docnumber_is_still_a_title_key():
    from kg.docmatch import DocNumbers, number_of

    key = "title:关于转下达冀财社〔2021〕288号城乡居民养老保险补助资金的通知"
    assert number_of(key) is None
    numbers = DocNumbers([key, "冀财社〔2021〕288号"])
    assert list(numbers) == ["冀财社〔2021〕288号"] and numbers.match_title("转下达冀财社") == [key]


def test_the_graph_states_the_notice_parent_and_total(built):
    from kg.namespace import PREFIXES
    from kg.store import open_store

    q = ("".join(f"PREFIX {k}: <{v}> " for k, v in PREFIXES.items()) +
         "SELECT ?parent ?total WHERE { ?d dcterms:identifier '冀财社〔2022〕60号' ; hk:parentDocument ?p ; "
         "hk:declaredTotal ?total . ?p dcterms:identifier ?parent }")
    rows = open_store(built).query(q).rows
    assert [(str(r["parent"]), Decimal(str(r["total"]))) for r in rows] == [("财社〔2022〕30号", Decimal("820"))]


def test_the_graph_with_notices_and_l2_findings_stays_valid(built):
    from kg.validate import validate_build

    assert validate_build(built).conforms


def test_the_document_card_of_a_notice_comes_from_the_notice(built):
    from kg.doccard import lookup_document

    card = lookup_document(built, "冀财社2022 60").card
    assert (card.title, card.date, card.declared_total_wan, card.total_wan) == (
        "河北省财政厅 河北省人力资源和社会保障厅关于下达2022年城乡居民基本养老保险补助资金的通知", "2022-03-08",
        Decimal("820"), Decimal("540.00"))


@pytest.mark.parametrize("region, allocated, budgeted", [
    ("130731", Decimal("200"), Decimal("150.00")),  # 涿鹿县's row
    ("130700", Decimal("500"), Decimal("540.00")),  # 张家口市's subtotal, not again its counties
    ("130800", Decimal("300"), Decimal("0")),
])
def test_trace_in_one_region_allocates_only_that_regions_share(built, region, allocated, budgeted):
    t = load_lineage(built).trace_down(PROVINCE, region)
    assert (t.allocated_wan, t.total_wan, t.unplaced) == (allocated, budgeted, ())


def test_findings_workbook_names_the_other_side(built, tmp_path):
    from openpyxl import load_workbook

    from kg.audit.engine import export_findings_xlsx

    path = export_findings_xlsx(findings(built, "L2.4"), tmp_path / "审核.xlsx")
    rows = list(load_workbook(path)["问题清单"].iter_rows(values_only=True))
    assert rows[0][-1] == "关联来源"
    assert rows[1][-1] == "huailai_2021.txt:6-18；zhuolu_2021.txt:6-18"


def test_attachment_joins_in_any_file_order_and_a_second_copy_is_no_attachment():
    from ingest import parse_text
    from kg.lineage.notices import derive_notices

    head = "冀财社〔2022〕9号\n关于下达2022年就业补助资金的通知\n某市财政局：\n现下达资金共计70万元。\n某省财政厅\n2022年2月1日\n"
    table = "地区\t金额\n怀来县\t40\n涿鹿县\t30\n"
    bare = parse_text(head, "bare.txt").notices
    full = parse_text(head + "附件\n" + table, "full.txt").notices
    caption = parse_text("附件：冀财社〔2022〕9号分配表\n" + table, "table.txt").notices
    (doc,) = derive_notices(caption + bare, {}).docs.values()
    assert (doc.notice.span.file, [a.span.file for a in doc.allocations], [s.file for s in doc.attachments]) == (
        "bare.txt", ["table.txt", "table.txt"], ["table.txt"])
    (doc,) = derive_notices(full + bare, {}).docs.values()
    assert (doc.notice.span.file, doc.attachments) == ("full.txt", ())


def test_sankey_draws_the_declared_allocations_and_what_no_budget_shows(province):
    from kg.lineage import sankey

    data = sankey(province)
    ids = [n["id"] for n in data["nodes"]]
    links = {(ids[k["source"]], ids[k["target"]]): k["value"] for k in data["links"]}
    doc = f"doc:{PROVINCE}"
    # the notice feeds its regions by what it allocates; 赤城县, which it does not list, by its budget
    assert links[(doc, "region:130700")] == Decimal(500) and links[(doc, "region:130800")] == Decimal(300)
    assert links[("region:130700", "region:130730")] == Decimal(300)
    assert links[("region:130700", "region:130732")] == Decimal("90.00")
    # allocated with no budget (or less budget) behind it flows on to 未见预算
    assert {a: v for (a, b), v in links.items() if b == "unbudgeted"} == {
        "region:130731": Decimal("50.00"), "region:130824": Decimal(180), "region:130825": Decimal(110),
        "region:130800": Decimal(10)}
    assert links[(doc, f"unplaced:{PROVINCE}:省社会保险事业管理局")] == Decimal(20)
    # the forwarding notices below are drawn by their budgets, in regions of their own
    assert links[("doc:怀财资〔2022〕5号", "region:怀财资〔2022〕5号/130700")] == Decimal("120.00")


def sparql(settings: Settings, body: str) -> list[dict]:
    from kg.namespace import PREFIXES
    from kg.store import open_store

    q = "".join(f"PREFIX {k}: <{v}> " for k, v in PREFIXES.items()) + body
    return list(open_store(settings).query(q).rows)


def test_notice_allocations_query_answers_the_trace_per_region_from_the_graph_alone(built, province):
    from kg.queries import run_named
    from kg.store import open_store

    rows = run_named(open_store(built), "notice_allocations", doc=PROVINCE).rows

    def dec(v: object) -> Decimal | None:
        return None if v is None else Decimal(str(v))

    got = {str(r["region_code"]): (dec(r["allocated"]), dec(r["budgeted"]), dec(r["difference"]))
           for r in rows if r["region_code"] is not None}
    traced = {r.region_code: (r.allocated_wan, r.budgeted_wan, r.difference_wan)
              for r in regions(province).values() if r.allocated_wan is not None}
    assert got == traced == {
        "130700": (Decimal("500"), Decimal("540.00"), Decimal("40.00")),
        "130730": (Decimal("300"), Decimal("300.00"), Decimal("0.00")),
        "130731": (Decimal("200"), Decimal("150.00"), Decimal("-50.00")),
        "130800": (Decimal("300"), Decimal("0"), None),
        "130824": (Decimal("180"), Decimal("0"), None),
        "130825": (Decimal("110"), Decimal("0"), None),
    }
    assert [(int(r["row"]), str(r["recipient"]), r["subtotal_of"] and int(r["subtotal_of"])) for r in rows] == [
        (1, "张家口市", None), (2, "怀来县", 1), (3, "涿鹿县", 1), (4, "承德市", None), (5, "滦平县", 4),
        (6, "隆化县", 4), (7, "省社会保险事业管理局", None)]
    unplaced = rows[-1]
    assert (dec(unplaced["allocated"]), unplaced["region_code"], unplaced["budgeted"]) == (Decimal("20"), None, None)


def test_each_allocation_row_is_a_node_of_its_document_with_its_source_row(built):
    # the row's lines are its own properties, its file the notice's unless it names its own (an
    # attachment's); printed digits and unit only where STR(hk:amountWan) in 万元 would not give them
    q = ("SELECT ?a ?file ?first ?place ?printed ?unit WHERE { ?a hk:allocationOf ?d ; hk:position ?n ; "
         "hk:amountWan ?wan ; hk:firstLine ?first . ?d dcterms:identifier ?id ; hk:sourceFile ?doc_file . "
         "OPTIONAL { ?a hk:sourceFile ?own } OPTIONAL { ?a hk:place ?place } "
         "OPTIONAL { ?a hk:amountPrinted ?p } OPTIONAL { ?a hk:amountUnit ?u } "
         "BIND(COALESCE(?own, ?doc_file) AS ?file) BIND(COALESCE(?p, STR(?wan)) AS ?printed) "
         "BIND(COALESCE(?u, '万元') AS ?unit) "
         "FILTER(?id = '冀财社〔2022〕60号' && ?n = 3 || ?id = '冀财社〔2022〕99号' && ?n = 1) } ORDER BY ?a")
    rows = sparql(built, q)
    assert [(str(r["a"]), str(r["file"]), int(r["first"]), r["place"] and str(r["place"]), str(r["printed"]),
             str(r["unit"])) for r in rows] == [
        ("https://w3id.org/hrss-kg/id/doc/%E5%86%80%E8%B4%A2%E7%A4%BE/2022/60/allocation/3",
         "province_2022.txt", 15, None, "200", "万元"),
        ("https://w3id.org/hrss-kg/id/doc/%E5%86%80%E8%B4%A2%E7%A4%BE/2022/99/allocation/1",
         "notice_99_table.xlsx", 4, "分配表!A4:B4", "80", "万元")]
    lean = sparql(built, "SELECT ?a ?p WHERE { ?a hk:allocationOf ?d ; ?p ?o . "
                         "FILTER(?p IN (rdf:type, hk:amountUnit, prov:wasDerivedFrom)) }")
    assert lean == []  # no type (the domain of hk:allocationOf), no span node, every amount in 万元
    counts = sparql(built, "SELECT ?id (COUNT(?a) AS ?n) WHERE { ?a hk:allocationOf ?d . "
                           "?d dcterms:identifier ?id } GROUP BY ?id ORDER BY ?id")
    assert {str(r["id"]): int(r["n"]) for r in counts} == {
        "冀财社〔2021〕45号": 2, "冀财社〔2022〕60号": 7, "冀财社〔2022〕88号": 2, "冀财社〔2022〕99号": 2,
        "张财社〔2022〕12号": 2}


def test_the_notice_header_is_on_its_document(built):
    def values(p: str) -> list[str]:
        rows = sparql(built, f"SELECT ?v WHERE {{ ?d dcterms:identifier '{PROVINCE}' ; {p} ?v }} ORDER BY ?v")
        return [str(r["v"]) for r in rows]

    assert values("hk:issuerPrinted") == ["河北省人力资源和社会保障厅", "河北省财政厅"]
    assert values("hk:addressee") == ["人力资源和社会保障局", "张家口市", "承德市财政局", "省社会保险事业管理局"]
    assert (values("hk:budgetYear"), values("hk:noticeKind"), values("hk:subjectCode")) == (
        ["2022"], ["下达"], ["2080505"])
    assert values("hk:forwards/dcterms:identifier") == ["财社〔2022〕30号"]
    assert values("hk:inStream/hk:streamKey") == ["省|冀财社|城乡居民基本养老保险补助资金"]


def test_a_fund_stream_links_its_yearly_notices(built):
    rows = sparql(built, "SELECT ?key ?id ?year WHERE { ?s hk:streamKey ?key . "
                         "?d hk:inStream ?s ; dcterms:identifier ?id ; hk:budgetYear ?year } ORDER BY ?key ?year")
    assert [(str(r["key"]), str(r["id"]), int(r["year"])) for r in rows if "养老" in str(r["key"])] == [
        ("市|张财社|城乡居民基本养老保险补助资金", CITY, 2022),
        ("省|冀财社|城乡居民基本养老保险补助资金", "冀财社〔2021〕45号", 2021),
        ("省|冀财社|城乡居民基本养老保险补助资金", PROVINCE, 2022)]
    assert len({str(r["key"]) for r in rows}) == 4  # and 就业补助资金, 公益性岗位补贴资金 of 冀财社


def test_split_source_columns_are_parts_of_their_row():
    from rdflib import URIRef

    from ingest import parse_file
    from kg.lineage.notice_triples import write_notices
    from kg.lineage.notices import derive_notices
    from kg.namespace import HK
    from kg.rdf import iri
    from kg.rdf.ntriples import graph_from_lines
    from kg.rdf.writer import Writer

    w = Writer()
    data = derive_notices(parse_file(DATA / "notices" / "split_sources.txt").notices, {})
    g = graph_from_lines(w.drain(write_notices(data, w)))
    row = URIRef(iri.plain(iri.notice_allocation("冀财社〔2022〕60号", 2)))
    parts = sorted((str(g.value(p, HK.fundSource)), g.value(p, HK.amountWan).toPython(),
                    str(g.value(p, HK.amountPrinted))) for p in g.objects(row, HK.hasPart))
    assert g.value(row, HK.amountWan).toPython() == Decimal("300.00")
    assert parts == [("中央资金", Decimal("240.00"), "240.00"), ("省级资金", Decimal("50.00"), "50.00")]
    assert str(g.value(row, HK.recipientPrinted)) == "承德市"


def test_shacl_an_allocation_row_without_amount_warns_and_one_in_two_regions_is_a_violation():
    from ingest import parse_text
    from ingest.records import Allocation, SourceSpan
    from ingest.regions import RegionIndex
    from kg.graph import write_regions
    from kg.lineage.notice_triples import write_notices
    from kg.lineage.notices import NoticeData, NoticeDoc
    from kg.rdf import iri
    from kg.rdf import ntriples as N
    from kg.rdf.ntriples import graph_from_lines
    from kg.rdf.writer import A, DCT, HKT, Writer
    from kg.validate import validate_graph

    (notice,) = parse_text("冀财社〔2022〕9号\n关于下达2022年就业补助资金的通知\n某市财政局：\n现下达资金。\n"
                           "某省财政厅\n2022年2月1日\n", "n.txt").notices
    blank = Allocation("怀来县", None, "—", "万元", SourceSpan("n.txt", 8, 8), region_code="130730")
    data = NoticeData(docs={"冀财社〔2022〕9号": NoticeDoc("冀财社〔2022〕9号", notice, (blank,))})
    w = Writer()
    doc = iri.document("冀财社〔2022〕9号")
    w.add(doc, A, HKT.Document)
    w.add(doc, DCT.identifier, N.lit("冀财社〔2022〕9号"))
    w.add(doc, HKT.docYear, N.integer(2022))
    w.add(doc, HKT.docSeq, N.integer(9))
    w.source(doc, notice.span)
    lines = [*w.drain(write_regions(w, ["130730", "130731"], RegionIndex.load())), *w.drain(write_notices(data, w))]
    g = graph_from_lines(lines)
    report = validate_graph(g)
    assert report.conforms and [r.path for r in report.warnings] == ["https://w3id.org/hrss-kg/amountWan"]
    # the row's line is its own, its file the notice's (not written on the row)
    assert [(r.file, r.line) for r in report.warnings] == [("n.txt", 8)]
    w.add(iri.notice_allocation("冀财社〔2022〕9号", 1), HKT.toRegion, iri.region("130731"))
    report = validate_graph(graph_from_lines([*lines, *w.take()]))
    assert [r.path for r in report.violations] == ["https://w3id.org/hrss-kg/toRegion"]


def test_a_notice_cites_its_upstream_and_basis_documents_by_role_with_their_issuer(bad_notices):
    rows = sparql(bad_notices, "SELECT ?role ?cited ?org ?level WHERE { ?d dcterms:identifier ?id ; ?role ?c . "
                               "?c a hk:Document ; dcterms:identifier ?cited ; dcterms:creator ?o . "
                               "?o skos:prefLabel ?org ; hk:adminLevel ?level . "
                               "FILTER(?role IN (hk:forwards, hk:basedOn) && STRSTARTS(?id, '冀财社')) } ORDER BY ?role")
    assert [(str(r["role"]).rsplit("/", 1)[1], str(r["cited"]), str(r["org"]), str(r["level"])) for r in rows] == [
        ("basedOn", "财社〔2017〕164号", "财政部", "中央"), ("forwards", "财社〔2021〕150号", "财政部", "中央")]

"""Fund lineage: tracing documents down and projects up, cross-year links, consistency checks."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.corpus import load_corpus
from kg.lineage import (
    AmbiguousDocumentError,
    DocumentsFileError,
    classify_fund,
    consistency_findings,
    load_documents,
    load_lineage,
    sankey,
)
from kg.audit import load_config
from kg.context import derive_context
from kg.lineage.rules import stream_key, strip_name
from kg.published import Build
from kg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "000_61c5a3a787465ec8.txt"
CHAIN = Path(__file__).resolve().parent / "data" / "lineage" / "chain"

CENTRAL_2021 = "13073021IYO89L3FUDICF"  # 城乡居民基本养老保险中央财政补助资金, 5660.00
CENTRAL_2022 = "13073022P007772100026"  # the same stream a year later, 5906.00


def _build(data: Path, index: Path) -> Settings:
    settings = Settings(data_dir=data, index_dir=index)
    build(settings)
    return settings


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("data")
    shutil.copy(SAMPLE, data / SAMPLE.name)
    return _build(data, tmp_path_factory.mktemp("idx"))


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return _build(CHAIN, tmp_path_factory.mktemp("chain-idx"))


# ---------------------------------------------------------------- rules


@pytest.mark.parametrize(("text", "level", "source"), [
    ("冀财社[2020]143号河北省财政厅关于提前下达2021年城乡居民基本养老保险中央财政补助资金预算", "中央",
     "中央财政补助资金"),
    ("冀财社﹝2021﹞153号 关于提前下达2022年中央就业补助资金预算的通知", "中央", "中央财政补助资金"),
    ("冀财社[2020]185号关于提前下达2021年省级城乡居民养老保险补助资金预算指标的通知", "省", "省级补助资金"),
    ("怀财资【2022】7号 就业补助县级配套", "县", "县级配套"),
    ("城乡居民养老县级配套", "县", "县级配套"),
    ("办案及业务经费", "县", "本级财政"),
])
def test_fund_rules_read_level_and_source_from_wording(text, level, source):
    fund = classify_fund([text])
    assert (fund.level, fund.source) == (level, source)


def test_issuer_level_decides_when_wording_names_no_level():
    fund = classify_fund(["办案及业务经费"], ["县"])
    assert (fund.level, fund.source, fund.rule) == ("县", "本级财政", "issuer:县")


def test_stream_key_strips_doc_numbers_years_issuers_and_boilerplate():
    a = "冀财社[2020]185号关于提前下达2021年省级城乡居民养老保险补助资金预算指标的通知"
    b = "冀财社﹝2021﹞176号 河北省财政厅关于提前下达2022年省级城乡居民养老保险补助资金预算指标的通知"
    assert stream_key(a) == stream_key(b) == "省级城乡居民养老保险补助资金"
    assert strip_name("[13073022X000010998170]怀财资【2022】7号 办案及业务经费绩效目标表") == "办案及业务经费"


# ---------------------------------------------------------------- trace down


def test_trace_176_gives_the_social_insurance_centre_projects_and_total(sample):
    t = load_lineage(sample).trace_down("冀财社〔2021〕176号")
    assert [(u.unit_code, u.unit_name) for u in t.units] == [("316007", "社会保险事业中心")]
    assert [(p.project_code, p.budget_wan) for p in t.units[0].projects] == [
        ("13073022P008368100011", Decimal("1384.00")), ("13073022P00836810002L", Decimal("44.00"))]
    assert t.total_wan == t.own_total_wan == Decimal("1428.00")
    assert (t.document.organisation, t.document.level, t.document.fund_source) == (
        "河北省财政厅", "省", "省级补助资金")


@pytest.mark.parametrize("form", ["冀财社[2021]176号", "冀财社2021 176", "冀财社【2021】176", "176号"])
def test_trace_accepts_the_doc_number_in_any_form(sample, form):
    assert load_lineage(sample).trace_down(form).document.canonical == "冀财社〔2021〕176号"


def test_a_partial_doc_number_naming_several_documents_lists_them(sample):
    with pytest.raises(AmbiguousDocumentError) as e:
        load_lineage(sample).trace_down("冀财社 2020")
    assert e.value.candidates == ["冀财社〔2020〕143号", "冀财社〔2020〕185号", "冀财社〔2020〕186号",
                                  "冀财社〔2020〕190号"]


def test_trace_185_gives_its_two_2021_projects(sample):
    t = load_lineage(sample).trace_down("冀财社[2020]185号")
    assert [(p.year, p.project_code, p.budget_wan) for p in t.projects] == [
        (2021, "13073021DW40F1G4N2XBW", Decimal("1381.00")),
        (2021, "13073021X05CXO1QRLOD1", Decimal("38.00"))]
    assert t.total_wan == Decimal("1419.00")


def test_county_approval_splits_into_matching_and_own_funds_in_the_sankey(sample):
    s = sankey(load_lineage(sample).trace_down("怀财资〔2022〕7号"))
    labels = [n["label"] for n in s["nodes"]]
    into_doc = {labels[lk["source"]]: lk["value"] for lk in s["links"]
                if labels[lk["target"]] == "怀财资〔2022〕7号"}
    assert into_doc == {"县级 · 县级配套": Decimal("7350.00"), "县级 · 本级财政": Decimal("1713.65")}


# ---------------------------------------------------------------- trace up


def test_trace_up_from_a_county_matching_project_shows_the_county_level(sample):
    up = load_lineage(sample).trace_up("13073022P00818310001K")
    assert (up.fund_level, up.fund_source, up.derived) == ("县", "县级配套", False)
    [doc] = up.documents
    assert (doc.canonical, doc.level, doc.organisation, doc.amount_wan) == (
        "怀财资〔2022〕7号", "县", "怀来县财政局", Decimal("50.00"))


def test_a_project_citing_no_document_gets_its_level_from_the_rules(sample):
    up = load_lineage(sample).trace_up("13073021XSNQ6GTAT4G0A")  # 企业养老保险县级配套, 2021
    assert (up.documents, up.derived, up.fund_level, up.fund_source) == ((), True, "县", "县级配套")
    plain = load_lineage(sample).trace_up("13073021KEBA9DBGSSA6G")  # 社保局经费
    assert (plain.fund_level, plain.fund_source, plain.fund_rule) == ("县", "本级财政", "default")


def test_central_funds_passed_down_by_a_provincial_notice_are_central(sample):
    up = load_lineage(sample).trace_up(CENTRAL_2022)
    assert [(d.canonical, d.level, d.fund_level) for d in up.documents] == [
        ("冀财社〔2021〕135号", "省", "中央")]


# ---------------------------------------------------------------- across years


def test_the_central_pension_subsidy_is_linked_across_years_with_evidence(sample):
    h = load_lineage(sample).history(CENTRAL_2022)
    assert [(e.year, e.project_code, e.budget_wan) for e in h.entries] == [
        (2021, CENTRAL_2021, Decimal("5660.00")), (2022, CENTRAL_2022, Decimal("5906.00"))]
    assert h.entries[1].change_wan == Decimal("246.00")
    [link] = h.links
    kinds = {e.kind: e.value for e in link.evidence}
    assert kinds["same_unit"] == "316007"
    assert kinds["same_stream"] == "城乡居民基本养老保险中央财政补助资金"
    assert link.confidence == "high" and link.score >= Decimal("0.85")


def test_the_two_provincial_pension_projects_pair_by_amount(sample):
    links = {(lk.code_from, lk.code_to) for lk in load_lineage(sample).cross_year_links()}
    assert ("13073021DW40F1G4N2XBW", "13073022P008368100011") in links  # 1381.00 → 1384.00
    assert ("13073021X05CXO1QRLOD1", "13073022P00836810002L") in links  # 38.00 → 44.00


def test_unrelated_projects_are_not_linked(sample):
    lineage = load_lineage(sample)
    pairs = {(lk.code_from, lk.code_to) for lk in lineage.cross_year_links()}
    # 2021 省级就业补助资金 (186号) and 2022 中央就业补助资金 (153号): same unit, different level
    assert ("13073021EGXVXST33UYPQ", "13073022P00801810001M") not in pairs
    # 2021 办案及业务经费 of 316007 has no successor: the 2022 ones belong to other units
    assert lineage.history("13073021P0HQNULH2UANG").links == ()
    # 企业养老保险县级配套 is not the predecessor of 机关事业养老县级配套
    assert [e.project_code for e in lineage.history("13073022P00817910001E").entries] == [
        "13073022P00817910001E"]


def test_histories_of_every_project_are_what_history_gives_each(sample):
    lineage = load_lineage(sample)
    nodes = [n for n, kind in lineage.graph.nodes(data="kind") if kind == "project"]
    one_by_one = [lineage.history(lineage.graph.nodes[n]["code"], lineage.graph.nodes[n]["year"],
                                  lineage.graph.nodes[n]["region"]) for n in nodes]
    assert list(lineage.histories([*nodes, "project:nowhere:2022:X"])) == [*one_by_one, None]
    assert sum(len(h.entries) > 1 for h in one_by_one) > 10


def test_every_sample_link_has_the_same_unit_and_strong_evidence(sample):
    links = load_lineage(sample).cross_year_links()
    assert len(links) == 16
    for link in links:
        kinds = {e.kind for e in link.evidence}
        assert "same_unit" in kinds
        assert kinds & {"same_stream", "same_name", "near_name", "same_matching_stream"}


def test_shortest_chain_joins_a_project_to_next_years_document(sample):
    assert load_lineage(sample).shortest_chain(CENTRAL_2021, "冀财社〔2021〕135号") == [
        f"project:130730:2021:{CENTRAL_2021}", f"project:130730:2022:{CENTRAL_2022}", "doc:冀财社〔2021〕135号"]


def test_totals_per_level_add_up_to_every_project(sample):
    totals = load_lineage(sample).totals()
    assert totals["level:中央"] == Decimal("12358.00")  # 5660 + 5906 + 792
    assert totals["level:省"] == Decimal("2896.00")
    assert totals["doc:冀财社〔2021〕176号"] == Decimal("1428.00")


def _lineage_findings(findings):
    return [f for f in findings if f.rule_id.startswith("L")]


def test_the_sample_has_no_consistency_findings(sample):
    assert _lineage_findings(Build.open(sample).findings) == []


# ---------------------------------------------------------------- documents.csv


def test_three_level_chain_traced_down_from_the_central_notice(chain):
    t = load_lineage(chain).trace_down("财社〔2021〕66号")
    assert (t.document.organisation, t.document.level, t.units) == ("财政部", "中央", ())
    [prov] = t.children
    assert prov.document.canonical == "冀财社〔2021〕135号"
    assert [p.budget_wan for p in prov.units[0].projects] == [Decimal("100.00")]
    [county] = prov.children
    assert county.document.canonical == "怀财社〔2022〕12号"
    assert [p.project_code for p in county.projects] == ["13073022TESTCHAIN0002"]
    assert t.total_wan == Decimal("130.00")


def test_three_level_chain_traced_up_from_the_county_project(chain):
    up = load_lineage(chain).trace_up("13073022TESTCHAIN0002")
    [doc] = up.documents
    assert (doc.canonical, doc.level) == ("怀财社〔2022〕12号", "县")
    assert doc.chain == ("冀财社〔2021〕135号", "财社〔2021〕66号")
    assert doc.chain_levels == ("省", "中央")
    assert up.fund_level == "中央"


def test_a_declared_total_that_does_not_add_up_is_an_audit_finding_at_its_line(chain):
    findings = _lineage_findings(Build.open(chain).findings)
    assert [(f.rule_id, f.severity, Path(f.span.file).name, f.span.first_line) for f in findings] == [
        ("L1.1", "警告", "documents.csv", 3)]
    assert "120.00" in findings[0].message and "130.00" in findings[0].message


def test_documents_csv_rejects_a_parent_loop_with_its_line(tmp_path):
    path = tmp_path / "documents.csv"
    path.write_text("canonical,title,issuer,date,parent\n冀财社〔2021〕1号,,,,冀财社〔2021〕2号\n"
                    "冀财社〔2021〕2号,,,,冀财社[2021]1号\n", encoding="utf-8")
    with pytest.raises(DocumentsFileError, match=r"documents.csv:2: .*loops"):
        load_documents(path)


def test_documents_csv_with_only_its_header_is_empty():
    assert load_documents(ROOT / "data" / "documents.csv") == {}


# ---------------------------------------------------------------- CLI


def test_cli_trace_json_gives_regions_units_projects_and_total(sample):
    result = CliRunner().invoke(cli, ["trace", "冀财社2021 176", "--json",
                                      "--indexes", str(sample.index_dir)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["schema"], out["budgeted_wan"], out["allocated_wan"], out["difference_wan"]) == (
        2, 1428.00, None, None)
    [city] = out["regions"]
    assert (city["region_code"], city["region_name"], city["level"], city["budgeted_wan"]) == (
        "130700", "张家口市", "city", 1428.00)
    [county] = city["regions"]
    assert (county["region_code"], county["region_name"], county["level"], county["budgeted_wan"]) == (
        "130730", "怀来县", "county", 1428.00)
    [unit] = county["units"]
    assert (unit["region_code"], unit["unit_code"], unit["total_wan"]) == ("130730", "316007", 1428.00)
    assert [p["budget_wan"] for p in unit["projects"]] == [1384.00, 44.00]
    assert {p["region_name"] for p in unit["projects"]} == {"怀来县"}


def test_cli_trace_project_and_history_speak_chinese(sample):
    up = CliRunner().invoke(cli, ["trace", "--project", "13073022P00818310001K",
                                  "--indexes", str(sample.index_dir)])
    assert "资金层级: 县级 · 县级配套" in up.output
    hist = CliRunner().invoke(cli, ["history", CENTRAL_2022, "--indexes", str(sample.index_dir)])
    assert "较上年 +246.00 万元" in hist.output and "same_stream" in hist.output


def test_cli_says_when_nothing_is_built(tmp_path):
    result = CliRunner().invoke(cli, ["trace", "176号", "--indexes", str(tmp_path)])
    assert result.exit_code == 1 and "尚未构建" in result.output


def test_one_document_under_two_issuer_prefixes_is_reported(tmp_path):
    (tmp_path / "documents.csv").write_text(
        "canonical,title,issuer,date,parent,total_wan\n冀财资〔2021〕176号,,河北省财政厅,,,\n"
        "冀财社〔2021〕176号,,,,,1428.00\n", encoding="utf-8")
    findings = _lineage_findings(derive_context(load_corpus([SAMPLE]), Settings(data_dir=tmp_path)).findings)
    assert [(f.rule_id, f.severity, f.value) for f in findings] == [("L1.2", "警告", "冀财资〔2021〕176号")]
    assert "冀财社〔2021〕176号" in findings[0].message and "同为 河北省财政厅" in findings[0].message


def test_a_project_code_under_two_units_is_reported(sample):
    from kg.lineage import Lineage

    view = load_lineage(sample).graph.copy()
    view.add_node("project:2022:13073021P0HQNULH2UANG", kind="project", year=2022,
                  code="13073021P0HQNULH2UANG", unit="316001", budget=Decimal("40.00"),
                  span=("x.txt", 7, 9))
    [finding] = consistency_findings(Lineage(view), load_config(), "documents.csv")
    assert (finding.rule_id, finding.severity, finding.project_code) == ("L1.3", "错误", "13073021P0HQNULH2UANG")
    assert "316001" in finding.message and "316007" in finding.message


def test_lineage_triples_keep_the_graph_valid_with_documents_csv(chain):
    from kg.validate import validate_build

    assert validate_build(chain).conforms


def test_lineage_lines_carry_the_documents_csv_chain_with_totals_as_printed():
    from kg.rdf import iri
    from kg.steps import graph_lines

    lines = set(graph_lines(derive_context(load_corpus([CHAIN]), Settings(data_dir=CHAIN))))
    county, province = iri.document("怀财社〔2022〕12号"), iri.document("冀财社〔2021〕135号")
    assert f"{county} <https://w3id.org/hrss-kg/parentDocument> {province} .\n" in lines
    assert (f'{county} <https://w3id.org/hrss-kg/declaredTotal> '
            f'"30.00"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n') in lines
    assert f'{province} <http://purl.org/dc/terms/issued> ' \
           f'"2021"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n' in lines

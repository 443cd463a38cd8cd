"""Regions in the graph: two counties whose units share codes stay apart in every part of a build."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.lineage.trace import AmbiguousProjectError
from kg.published import Build
from kg.queries import run_named
from kg.settings import Settings
from kg.validate import validate_graph
from tests.regions_fixture import NOTICE, notice_total, project_code, write_counties

ZHUOLU, CHICHENG = "130731", "130732"


@pytest.fixture(scope="module")
def counties(tmp_path_factory) -> Settings:
    data = tmp_path_factory.mktemp("data")
    write_counties(data)
    s = Settings(data_dir=data, index_dir=tmp_path_factory.mktemp("idx"))
    build(s)
    return s


def _cli(settings: Settings, *args: str):
    return CliRunner().invoke(cli, [*args, "--indexes", str(settings.index_dir)])


def test_units_of_two_counties_sharing_codes_are_eight_units(counties):
    units = Build.open(counties).units
    assert len(units) == 8
    assert sorted((k.region, k.code) for k in units) == [
        (r, c) for r in (ZHUOLU, CHICHENG) for c in ("901001", "901002", "901003", "901004")]
    assert units.find("901001", ZHUOLU).name == "涿鹿县人力资源和社会保障局"
    assert units.find("901001", CHICHENG).name == "赤城县人力资源和社会保障局"
    assert units.find("901001") is None and units.with_code("901002") == [
        k for k in sorted(units) if k.code == "901002"]


def test_the_shared_notice_traces_to_two_counties_whose_subtotals_add_to_the_total(counties):
    t = Build.open(counties).lineage.trace_down(NOTICE)
    [city] = t.regions
    assert (city.region_code, city.region_name, city.level) == ("130700", "张家口市", "city")
    counties_ = {r.region_name: r for r in city.regions}
    assert {n: (r.region_code, r.level, r.budgeted_wan) for n, r in counties_.items()} == {
        "涿鹿县": (ZHUOLU, "county", Decimal("1388.00")), "赤城县": (CHICHENG, "county", Decimal("1070.00"))}
    assert notice_total(ZHUOLU) == Decimal("1388.00") and notice_total(CHICHENG) == Decimal("1070.00")
    assert t.total_wan == city.budgeted_wan == Decimal("2458.00")
    zl = counties_["涿鹿县"]
    assert [(u.region_code, u.unit_code, u.unit_name, u.total_wan) for u in zl.units] == [
        (ZHUOLU, "901002", "社会保险事业中心", Decimal("1160.00")),
        (ZHUOLU, "901003", "就业服务中心", Decimal("228.00"))]


def test_trace_json_schema_2_keeps_the_regions_and_the_region_filter_narrows_it(counties):
    result = _cli(counties, "trace", NOTICE, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["schema"], out["budgeted_wan"], out["allocated_wan"], out["unplaced"]) == (2, 2458.00, None, [])
    county = out["regions"][0]["regions"][1]
    assert (county["region_name"], county["budgeted_wan"], county["allocated_wan"], county["difference_wan"]) == (
        "赤城县", 1070.00, None, None)
    assert {u["unit_code"]: u["total_wan"] for u in county["units"]} == {"901002": 970.00, "901003": 100.00}
    narrowed = json.loads(_cli(counties, "trace", NOTICE, "--region", "赤城县", "--json").output)
    assert narrowed["budgeted_wan"] == 1070.00
    assert [r["region_name"] for r in narrowed["regions"][0]["regions"]] == ["赤城县"]
    human = _cli(counties, "trace", NOTICE).output
    assert "涿鹿县（130731）  预算数 1388.00 万元" in human and "赤城县（130732）  预算数 1070.00 万元" in human


def test_a_unit_code_of_two_counties_lists_the_choices_and_region_picks_one(counties):
    lineage = Build.open(counties).lineage
    with pytest.raises(AmbiguousProjectError) as e:
        lineage.trace_down(NOTICE, unit="901002")
    assert e.value.candidates == [(ZHUOLU, "涿鹿县"), (CHICHENG, "赤城县")]
    result = _cli(counties, "trace", NOTICE, "--unit", "901002")
    assert result.exit_code != 0 and "130731 涿鹿县" in result.output and "130732 赤城县" in result.output
    one = lineage.trace_down(NOTICE, region=ZHUOLU, unit="901002")
    assert [(p.year, p.budget_wan) for p in one.projects] == [(2021, Decimal("560.00")), (2022, Decimal("600.00"))]


def test_histories_stay_inside_their_county(counties):
    lineage = Build.open(counties).lineage
    for region, amounts in ((ZHUOLU, ["560.00", "600.00"]), (CHICHENG, ["470.00", "500.00"])):
        h = lineage.history(project_code(region, 2022, "901002"))
        assert [(e.year, e.region_code, str(e.budget_wan)) for e in h.entries] == [
            (2021, region, amounts[0]), (2022, region, amounts[1])]
        assert [link.region_code for link in h.links] == [region]
    assert {link.region_code for link in lineage.cross_year_links()} == {ZHUOLU, CHICHENG}
    assert len(lineage.cross_year_links()) == 2


def test_kg_doc_names_both_counties(counties):
    card = Build.open(counties).cards.lookup(NOTICE).card
    assert card.regions == [(ZHUOLU, "涿鹿县"), (CHICHENG, "赤城县")]
    assert [(p.region_name, p.unit_code, str(p.budget_wan)) for p in card.projects] == [
        ("涿鹿县", "901002", "560.00"), ("涿鹿县", "901002", "600.00"), ("涿鹿县", "901003", "228.00"),
        ("赤城县", "901002", "470.00"), ("赤城县", "901002", "500.00"), ("赤城县", "901003", "100.00")]
    out = _cli(counties, "doc", NOTICE).output
    assert "地区: 涿鹿县（130731）、赤城县（130732）" in out


def test_search_filters_and_facets_by_county(counties):
    index = Build.open(counties).search
    everywhere = index.search("城乡居民养老保险补助")
    assert everywhere.total == 4
    assert dict(everywhere.facets["region"]) == {ZHUOLU: 2, CHICHENG: 2, "130700": 4, "130000": 4}
    assert everywhere.facet_labels["region"][CHICHENG] == "赤城县"
    chicheng = index.search("城乡居民养老保险补助", region="赤城县")
    assert sorted((h.region_code, h.region_name, h.year, str(h.budget_wan)) for h in chicheng.hits) == [
        (CHICHENG, "赤城县", 2021, "470.00"), (CHICHENG, "赤城县", 2022, "500.00")]
    assert index.search("城乡居民养老保险补助", region="130700").total == 4
    out = json.loads(_cli(counties, "search", "就业见习补贴", "--region", ZHUOLU, "--json").output)
    assert out["schema"] == 3 and [(h["region_code"], h["budget_wan"]) for h in out["hits"]] == [(ZHUOLU, 228.00)]


@pytest.mark.parametrize("backend", ["whoosh", "tantivy"])
def test_both_engines_filter_by_region_and_count_the_region_facet(counties, tmp_path, backend):
    from kg.search.indexing import build_index
    from kg.search.service import SearchIndex

    build_index(Build.open(counties).corpus.projects, tmp_path / "search", backend=backend)
    with SearchIndex(tmp_path / "search") as index:
        result = index.search("就业见习补贴", region="涿鹿")
        assert [(h.region_code, str(h.budget_wan)) for h in result.hits] == [(ZHUOLU, "228.00")]
        assert dict(index.search("就业见习补贴").facets["region"]) == {
            ZHUOLU: 1, CHICHENG: 1, "130700": 2, "130000": 2}


# every project has the indicator 服务对象满意度: all ten projects, two of each county's 901002
EVERY_UNIT = [(ZHUOLU, "涿鹿县", "901002", "社会保险事业中心", 2), (CHICHENG, "赤城县", "901002", "社会保险事业中心", 2),
              (ZHUOLU, "涿鹿县", "901001", "涿鹿县人力资源和社会保障局", 1), (ZHUOLU, "涿鹿县", "901003", "就业服务中心", 1),
              (ZHUOLU, "涿鹿县", "901004", "劳动保障监察大队", 1),
              (CHICHENG, "赤城县", "901001", "赤城县人力资源和社会保障局", 1), (CHICHENG, "赤城县", "901003", "就业服务中心", 1),
              (CHICHENG, "赤城县", "901004", "劳动保障监察大队", 1)]


@pytest.mark.parametrize("backend", ["whoosh", "tantivy"])
def test_both_engines_count_the_unit_facet_by_county_and_code(counties, tmp_path, backend):
    from kg.search.indexing import build_index
    from kg.search.service import SearchIndex

    build_index(Build.open(counties).corpus.projects, tmp_path / "search", backend=backend)
    with SearchIndex(tmp_path / "search") as index:
        result = index.search("服务对象满意度")
        assert result.total == 10
        got = [(u.region_code, u.region_name, u.unit_code, u.unit_name, u.count) for u in result.unit_facet]
        assert got == EVERY_UNIT


@pytest.mark.parametrize("backend", ["whoosh", "tantivy"])
def test_both_engines_filter_by_a_unit_of_one_county(counties, tmp_path, backend):
    from kg.search.indexing import build_index
    from kg.search.service import SearchIndex

    build_index(Build.open(counties).corpus.projects, tmp_path / "search", backend=backend)
    with SearchIndex(tmp_path / "search") as index:
        one = index.search("服务对象满意度", unit="901002", region=CHICHENG)
        assert sorted((h.region_code, h.unit_code, h.year, str(h.budget_wan)) for h in one.hits) == [
            (CHICHENG, "901002", 2021, "470.00"), (CHICHENG, "901002", 2022, "500.00")]
        assert [(u.region_code, u.unit_code, u.count) for u in one.unit_facet] == [(CHICHENG, "901002", 2)]
        assert index.search("服务对象满意度", unit="901002", region="赤城县").total == 2
        # the code alone: that code's unit in every county (the command refuses it, listing them)
        both = index.search("服务对象满意度", unit="901002")
        assert sorted((h.region_code, h.year) for h in both.hits) == [
            (ZHUOLU, 2021), (ZHUOLU, 2022), (CHICHENG, 2021), (CHICHENG, 2022)]
        assert [(u.region_code, u.count) for u in both.unit_facet] == [(ZHUOLU, 2), (CHICHENG, 2)]
        assert index.search("服务对象满意度", unit="901002", region="130700").total == 4  # a city: both


def test_search_json_schema_3_lists_the_unit_facet_by_county(counties):
    out = json.loads(_cli(counties, "search", "服务对象满意度", "--json").output)
    assert out["schema"] == 3 and list(out["facets"]) == ["year", "unit", "theme", "issuer", "region"]
    assert out["facets"]["unit"] == [
        {"region_code": r, "region_name": rn, "unit_code": c, "unit_name": un, "count": n}
        for r, rn, c, un, n in EVERY_UNIT]
    assert out["facets"]["year"] == [["2022", 8], ["2021", 2]]
    one = json.loads(_cli(counties, "search", "服务对象满意度", "--unit", "901001", "--region", ZHUOLU,
                          "--json").output)
    assert [(h["region_code"], h["unit_code"], h["budget_wan"]) for h in one["hits"]] == [
        (ZHUOLU, "901001", 80.00)]
    assert one["facets"]["unit"] == [{"region_code": ZHUOLU, "region_name": "涿鹿县", "unit_code": "901001",
                                      "unit_name": "涿鹿县人力资源和社会保障局", "count": 1}]
    human = _cli(counties, "search", "服务对象满意度").output
    assert "unit: 涿鹿县 901002 社会保险事业中心 2，赤城县 901002 社会保险事业中心 2" in human


def test_the_graph_puts_each_unit_in_its_county_and_totals_by_region(counties):
    b = Build.open(counties)
    report = validate_graph(b.store.to_graph())
    assert report.conforms and report.violations == []
    rows = run_named(b.store, "totals_by_region", year=2022).rows
    got = {(str(r["region_code"]), int(str(r["units"])), int(str(r["projects"])), str(r["budget_wan"])) for r in rows}
    assert got == {(ZHUOLU, 4, 4, "943.00"), (CHICHENG, 4, 4, "680.00"), ("130700", 8, 8, "1623.00"),
                   ("130000", 8, 8, "1623.00")}
    b.close()


def test_unit_queries_keep_same_code_units_of_two_counties_apart(counties):
    b = Build.open(counties)
    rows = run_named(b.store, "projects_by_unit", year=2022).rows
    got = [(str(r["region_code"]), str(r["unit_code"]), int(str(r["projects"]))) for r in rows]
    assert got == [(r, c, 1) for r in (ZHUOLU, CHICHENG) for c in ("901001", "901002", "901003", "901004")]
    assert sum(Decimal(str(r["budget_wan"])) for r in rows) == Decimal("1623.00")
    totals = run_named(b.store, "unit_totals").rows
    assert {(str(r["region_code"]), str(r["unit_code"])) for r in totals} == {
        (r, c) for r in (ZHUOLU, CHICHENG) for c in ("901001", "901002", "901003", "901004")}
    hierarchy = run_named(b.store, "unit_hierarchy").rows
    assert [(str(r["region_code"]), str(r["unit_code"])) for r in hierarchy][:2] == [
        (ZHUOLU, "901001"), (ZHUOLU, "901002")] and len(hierarchy) == 8
    b.close()


def test_the_sample_alone_keeps_its_projects_amounts_and_links_in_huailai(tmp_path):
    from kg.corpus import load_corpus

    sample = Path(__file__).resolve().parent.parent / "data"
    corpus = load_corpus([sample])
    assert len(corpus.projects) == 44
    assert {(p.region_code, p.region_evidence) for p in corpus.projects} == {("130730", "code_prefix")}
    s = Settings(data_dir=sample, index_dir=tmp_path / "idx")
    build(s)
    b = Build.open(s)
    assert sorted((k.region, k.code) for k in b.units) == [
        ("130730", c) for c in ("316001", "316004", "316005", "316007")]
    assert len(b.lineage.cross_year_links()) == 16
    t = b.lineage.trace_down("冀财社〔2021〕176号")
    assert [(r.region_code, r.budgeted_wan) for r in t.regions[0].regions] == [("130730", Decimal("1428.00"))]
    b.close()


def test_audit_compares_a_unit_with_its_own_county_and_filters_by_region(counties):
    findings = Build.open(counties).findings
    repeated = sorted((f.region_code, f.project_code, f.message) for f in findings if f.rule_id == "R18.1")
    assert [(r, c) for r, c, _ in repeated] == [(ZHUOLU, project_code(ZHUOLU, 2022, "901002")),
                                                 (CHICHENG, project_code(CHICHENG, 2022, "901002"))]
    assert project_code(CHICHENG, 2021, "901002") in repeated[1][2]
    assert project_code(ZHUOLU, 2021, "901002") not in repeated[1][2]
    out = json.loads(_cli(counties, "audit", "--region", "赤城县", "--json").output)
    assert out and {f["region_code"] for f in out} == {CHICHENG}
    assert len(out) == sum(1 for f in findings if f.region_code == CHICHENG)


def test_an_old_bare_unit_code_lists_its_regions_and_region_picks_one(counties):
    ambiguous = _cli(counties, "search", "补贴", "--unit", "901003")
    assert ambiguous.exit_code != 0 and "130731 涿鹿县" in ambiguous.output and "130732 赤城县" in ambiguous.output
    out = json.loads(_cli(counties, "search", "补贴", "--unit", "901003", "--region", "130732", "--json").output)
    assert [(h["region_code"], h["unit_code"], h["budget_wan"]) for h in out["hits"]] == [("130732", "901003", 100.00)]
    up = _cli(counties, "trace", "--project", project_code(CHICHENG, 2022, "901003")).output
    assert "地区: 赤城县（130732）" in up


def test_adding_the_second_county_to_a_build_of_the_first_keeps_both(tmp_path):
    from kg.build import add_sources

    first, second = write_counties(tmp_path / "fixtures")
    data = tmp_path / "data"
    data.mkdir()
    first.rename(data / first.name)
    s = Settings(data_dir=data, index_dir=tmp_path / "idx")
    build(s)
    report = add_sources(s, [second])
    assert report.counts["add"]["projects"] == 5
    b = Build.open(s)
    assert len(b.units) == 8 and len(b.corpus.projects) == 10
    assert sorted((h.region_code, h.year) for h in b.search.search("城乡居民养老保险补助").hits) == [
        (ZHUOLU, 2021), (ZHUOLU, 2022), (CHICHENG, 2021), (CHICHENG, 2022)]
    t = b.lineage.trace_down(NOTICE)
    assert [(r.region_code, r.budgeted_wan) for r in t.regions[0].regions] == [
        (ZHUOLU, Decimal("1388.00")), (CHICHENG, Decimal("1070.00"))]
    b.close()


def test_kg_add_region_places_a_document_that_names_no_place(tmp_path):
    first, second = write_counties(tmp_path / "fixtures")
    data = tmp_path / "data"
    data.mkdir()
    first.rename(data / first.name)
    s = Settings(data_dir=data, index_dir=tmp_path / "idx")
    build(s)
    # 赤城县's tables with its name and its codes' county prefix taken out: nothing in it names a place
    nameless = tmp_path / "nameless.txt"
    nameless.write_text(second.read_text(encoding="utf-8").replace("赤城县", "").replace(CHICHENG, "990000"),
                        encoding="utf-8")
    ambiguous = CliRunner().invoke(cli, ["add", str(nameless), "--region", "桥西区", "--data", str(data),
                                         "--indexes", str(s.index_dir)])
    assert ambiguous.exit_code != 0 and "地区 桥西区 不唯一" in ambiguous.output and "130703" in ambiguous.output
    result = CliRunner().invoke(cli, ["add", str(nameless), "--region", "赤城县", "--data", str(data),
                                      "--indexes", str(s.index_dir)])
    assert result.exit_code == 0, result.output
    b = Build.open(s)
    added = [p for p in b.corpus.projects if p.project_code and p.project_code.startswith("990000")]
    assert len(added) == 5
    assert {(p.region_code, p.region_evidence) for p in added} == {(CHICHENG, "sources.csv")}
    path, region = (data / "sources.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[:2]
    assert path.startswith("added/nameless-") and region == CHICHENG
    assert b.totals.unit(CHICHENG, "901002").years[2022].budget_wan == Decimal("500.00")

"""Regions: GB/T 2260 data, names in text, 文号 issuers, and each project's region with its evidence."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import DCTERMS, SKOS

from ingest import parse_text
from ingest.placing import UnitOverride, assign_regions, load_unit_overrides, source_regions
from ingest.regions import REGION_IRI, REGIONS_CSV, Region, RegionIndex, region_scheme_turtle

ROOT = Path(__file__).resolve().parent.parent
HKR = Namespace(REGION_IRI)


@pytest.fixture(scope="module")
def idx() -> RegionIndex:
    return RegionIndex.load()


def _doc(tables: list[tuple[str, str, str, str]], narrative: str = "做好年度各项工作。") -> str:
    """A tab-layout document: one table per (unit code, unit name, 项目编码, 项目名称)."""
    out = ["第一部分", "部门整体绩效目标", "[bookmark: _Toc_1]一、总体绩效目标", f"一、{narrative}",
           "[bookmark: _Toc_2]二、分项绩效目标"]
    for n, (unit_code, unit_name, code, name) in enumerate(tables, 1):
        out += [
            f"{n}.{name}绩效目标表",
            f"{unit_code}{unit_name}\t单位：万元",
            f"项目编码\t{code}\t项目名称\t{name}",
            "预算规模及资金用途\t预算数\t12.00\t其中：财政资金\t12.00\t其他资金\t0",
            "用于人员经费",
            "资金支出计划（%）\t3月底\t6月底\t10月底\t12月底",
            "25.00%\t50.00%\t75.00%\t100.00%",
            "绩效目标\t1.按时发放",
            "",
            "一级指标\t二级指标\t三级指标\t绩效指标描述\t指标值\t指标值确定依据",
            "产出指标\t数量指标\t发放人数\t发放人数\t≥30人\t年度计划",
        ]
    return "\n".join(out) + "\n"


def _place(idx, tables, narrative="做好年度各项工作。", file="data/a.txt", **kw):
    return assign_regions(parse_text(_doc(tables, narrative), file), idx, **kw)


def _regions(result):
    return [(p.region_code, p.region_evidence) for p in result.projects]


def _region_messages(result):
    return [str(d) for d in result.diagnostics if "region" in d.message]


# ---------------------------------------------------------------- the data


def test_regions_csv_has_the_agreed_header():
    with REGIONS_CSV.open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["code", "name", "level", "parent", "short_names", "aliases",
                                       "valid_from", "valid_to", "replaced_by"]


@pytest.mark.parametrize("code, name, level, parents", [
    ("130000", "河北省", "province", ()),
    ("130700", "张家口市", "city", ("130000",)),
    ("130730", "怀来县", "county", ("130700", "130000")),
    ("130728", "怀安县", "county", ("130700", "130000")),
    ("130731", "涿鹿县", "county", ("130700", "130000")),
    ("130681", "涿州市", "county", ("130600", "130000")),  # 县级市
    ("110101", "东城区", "county", ("110000",)),  # a municipality's district
    ("429004", "仙桃市", "county", ("420000",)),  # 省直辖县级市
    ("130700-chabeiguanliqu", "张家口市察北管理区", "sub", ("130700", "130000")),
    ("130700-shibenji", "张家口市本级", "sub", ("130700", "130000")),
])
def test_divisions_have_their_gb2260_codes_names_and_parents(idx, code, name, level, parents):
    r = idx.get(code)
    assert (r.name, r.level, idx.parents(code)) == (name, level, parents)


def test_chongli_county_became_chongli_district_in_2016(idx):
    old, new = idx.get("130733"), idx.get("130709")
    assert (old.name, old.valid_to, old.replaced_by, old.in_force) == ("崇礼县", "2016-07", "130709", False)
    assert (new.name, new.valid_from, new.in_force) == ("崇礼区", "2016-07", True)
    assert idx.current("130733") == "130709"
    assert (idx.get("130729").name, idx.current("130729")) == ("万全县", "130708")
    assert idx.current("130730") == "130730"


def test_changes_after_2019_come_from_the_later_lists(idx):
    # 邢台 2020: 任县 became 任泽区; 桥东区 kept its code as 襄都区; 邢台县 was abolished
    assert (idx.get("130526").name, idx.get("130526").valid_to, idx.current("130526")) == (
        "任县", "2025-12", "130505")
    assert (idx.get("130505").name, idx.get("130505").in_force) == ("任泽区", True)
    assert (idx.get("130502").name, idx.get("130502").aliases) == ("襄都区", ("桥东区",))
    assert idx.find_in_text("邢台市桥东区")[0].code == "130502"
    assert (idx.get("130521").valid_to, idx.get("130521").replaced_by) == ("2025-12", None)


def test_short_names_of_province_city_and_counties(idx):
    assert idx.by_short_name("冀")[0].name == "河北省"
    assert [r.name for r in idx.by_short_name("张", within="130000", level="city")] == ["张家口市"]
    # 怀 is two counties of 张家口市: ambiguous on its own
    assert [(r.code, r.name) for r in idx.by_short_name("怀", within="130700")] == [
        ("130728", "怀安县"), ("130730", "怀来县")]
    assert [r.code for r in idx.by_short_name("怀来")] == ["130730"]
    assert [r.code for r in idx.by_short_name("崇", within="130700")] == ["130709"]  # in force only


def test_names_in_text_with_offsets_and_ambiguity(idx):
    text = "张家口市桥西区人社局与桥西区、怀来县就业服务中心；主城区"
    found = [(m.start, m.end, m.text, m.codes) for m in idx.find_in_text(text)]
    assert found == [
        (0, 7, "张家口市桥西区", ("130703",)),
        (11, 14, "桥西区", ("130104", "130503", "130703")),  # 石家庄, 邢台, 张家口
        (15, 18, "怀来县", ("130730",)),
    ]
    assert idx.find_in_text("桥西区", within="130700")[0].code == "130703"
    assert idx.find_in_text("崇礼县就业局")[0].code == "130733"


@pytest.mark.parametrize("text, codes", [
    ("张家口市本级", ["130700-shibenji"]),  # not 张家口市 alone: the longest name wins
    ("察北管理区社会事务局", ["130700-chabeiguanliqu"]),
    ("蔚县人力资源和社会保障局", ["130726"]),
    ("张家口市蔚县就业服务中心", ["130726"]),
    ("落实省、市和县两级配套资金，相应县级财政", []),  # 和县 (340523) and 应县 (140622) are not meant
    ("宣化县劳动就业服务局", ["130721"]),  # a former code, resolved by .current()
    ("守护绿水青山区域生态", []),  # 区域, not 青山区 (150204, 420107)
])
def test_names_found_in_text(idx, text, codes):
    assert [m.code for m in idx.find_in_text(text)] == codes


def test_issuers_resolve_through_the_data_files_then_the_citing_project(idx):
    known = idx.issuer_region("怀财资")
    assert (known.region_code, known.organisation) == ("130730", "怀来县财政局")
    assert idx.issuer_region("冀财社").region_code == "130000"
    assert idx.issuer_region("张财社").region_code == "130700"
    # 怀社险 is in no data file: 怀 is 怀安县 or 怀来县, so the citing project decides, marked as such
    cited = idx.issuer_region("怀社险", citing_region="130728")
    assert (cited.region_code, cited.evidence) == ("130728", "citing_project")
    assert idx.issuer_region("怀社险", citing_region="130730").region_code == "130730"
    alone = idx.issuer_region("怀社险")
    assert alone.region_code is None and alone.evidence == "ambiguous"
    assert {"130728", "130730"} <= set(alone.candidates)
    assert idx.issuer_region("怀安财资").region_code == "130728"
    central = idx.issuer_region("中发", citing_region="130730")  # 中 is no 中山市 here
    assert (central.region_code, central.organisation, central.evidence) == (None, "中共中央", "issuers.csv")


def test_issuer_regions_agree_with_issuers_csv(idx):
    with (ROOT / "ontology" / "issuers.csv").open(encoding="utf-8") as f:
        places = {r["prefix"]: r["place"] for r in csv.DictReader(f)}
    with (ROOT / "ontology" / "issuer_regions.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for row in rows:
        if row["issuer"] in places:
            assert idx.get(row["region_code"]).name == places[row["issuer"]], row


def test_regions_ttl_is_the_scheme_made_from_the_csv(idx):
    assert (ROOT / "ontology" / "regions.ttl").read_text(encoding="utf-8") == region_scheme_turtle(idx)


def test_region_scheme_links_broader_narrower_and_replacements(idx):
    g = Graph().parse(data=region_scheme_turtle(idx, ["130730", "130733"]), format="turtle")
    assert (HKR["130730"], SKOS.broader, HKR["130700"]) in g
    assert (HKR["130700"], SKOS.narrower, HKR["130730"]) in g
    assert (HKR["130700"], SKOS.broader, HKR["130000"]) in g
    assert (HKR["130733"], DCTERMS.isReplacedBy, HKR["130709"]) in g
    assert (HKR["130709"], SKOS.prefLabel, Literal("崇礼区", lang="zh")) in g
    assert (HKR["130000"], SKOS.notation, Literal("130000")) in g


def test_region_scheme_leaves_out_a_parent_the_list_does_not_hold():
    # a trimmed regions list: the county names a city code that the list leaves out
    trimmed = RegionIndex([Region("990101", "甲县", "county", "990100"), Region("990200", "乙市", "city", None)])
    g = Graph().parse(data=region_scheme_turtle(trimmed, ["990101"]), format="turtle")
    assert {str(s) for s in g.subjects(SKOS.notation, None)} == {str(HKR["990101"])}
    assert (HKR["990101"], SKOS.prefLabel, Literal("甲县", lang="zh")) in g


# ---------------------------------------------------------------- placing projects


def test_sample_is_in_huailai_by_its_code_prefix(idx, sample):
    result = assign_regions(parse_text(Path(sample.file).read_text(encoding="utf-8"), sample.file), idx)
    assert {(p.region_code, p.region_evidence) for p in result.projects} == {("130730", "code_prefix")}
    assert len(result.projects) == 44
    assert (result.region_code, result.region_evidence) == ("130730", "projects")
    assert not _region_messages(result)


def test_code_prefix_counts_only_where_the_document_names_that_county(idx):
    # 130730… but nothing in the document says 怀来县: no guess
    result = _place(idx, [("316001", "人力资源和社会保障局", "13073023ABCDEFGHIJKLM", "办公经费")])
    assert _regions(result) == [("unknown:data/a.txt", "unknown")]


def test_unit_name_then_the_document_then_title_then_narrative(idx):
    result = _place(idx, [
        ("401001", "涿鹿县民政局", "ZL2023000001", "低保经费"),
        ("401002", "民政事务中心", "ZL2023000002", "怀安县养老服务补贴"),
    ], narrative="全面完成赤城县民政工作目标。")
    # the department's other unit is in 涿鹿县: so is this one, whatever its title cites
    assert _regions(result) == [("130731", "unit_name"), ("130731", "document")]
    title = _place(idx, [("401002", "民政事务中心", "ZL2023000002", "怀安县养老服务补贴")],
                   narrative="全面完成赤城县民政工作目标。")
    assert _regions(title) == [("130728", "title")]
    narrative = _place(idx, [("401003", "救助站", "ZL2023000003", "救助经费")],
                       narrative="全面完成赤城县民政工作目标。")
    assert _regions(narrative) == [("130732", "narrative")]


def test_the_funding_province_in_a_title_does_not_place_a_county_project(idx):
    result = _place(idx, [("316007", "社会保险事业中心", "SB2023000001", "河北省城乡居民养老保险补助")],
                    narrative="完成怀来县养老保险扩面工作。")
    assert _regions(result) == [("130730", "narrative")]
    alone = _place(idx, [("316007", "社会保险事业中心", "SB2023000001", "河北省城乡居民养老保险补助")])
    assert _regions(alone) == [("130000", "title")]


def test_a_unit_takes_the_region_of_its_other_projects_in_the_file(idx):
    result = _place(idx, [
        ("316007", "社会保险事业中心", "13072823ABCDEFGHIJKLM", "怀安县社保经费"),
        ("316007", "社会保险事业中心", "SB2023000002", "办公经费"),
    ])
    assert _regions(result) == [("130728", "code_prefix"), ("130728", "unit")]


def test_a_county_name_of_several_cities_is_narrowed_by_the_document(idx):
    result = _place(idx, [("401001", "桥西区民政局", "QX2023000001", "低保经费")],
                    narrative="张家口市民政工作要点。")
    assert _regions(result) == [("130703", "unit_name")]


def test_an_old_code_resolves_to_its_successor(idx):
    result = _place(idx, [("316001", "崇礼县人力资源和社会保障局", "13073315ABCDEFGHIJKLM", "办公经费")])
    assert _regions(result) == [("130709", "code_prefix")]


def test_conflict_between_code_and_unit_name_keeps_the_code_and_says_both(idx):
    result = _place(idx, [
        ("316001", "怀来县人力资源和社会保障局", "13073023ABCDEFGHIJKL1", "办公经费"),
        ("316005", "怀安县就业服务中心", "13073023ABCDEFGHIJKL2", "就业经费"),
        ("316005", "怀安县就业服务中心", "13073023ABCDEFGHIJKL3", "培训经费"),
    ])
    assert _regions(result) == [("130730", "code_prefix")] * 3
    # once for the unit, at its first project's unit row
    [message] = _region_messages(result)
    assert message == ("data/a.txt:18: region conflict: 项目编码 13073023ABCDEFGHIJKL2 says 怀来县 (130730), "
                       "unit name 怀安县就业服务中心 says 怀安县 (130728); kept 怀来县 (130730)")


def test_a_city_named_beside_a_county_code_is_no_conflict(idx):
    result = _place(idx, [("316001", "张家口市怀来县就业服务中心", "13073023ABCDEFGHIJKL1", "就业经费")])
    assert _regions(result) == [("130730", "code_prefix")]
    assert not _region_messages(result)


def test_sources_csv_places_a_document_naming_no_place(idx):
    settings, problems = source_regions(
        [{"path": "county/b.txt", "region_code": "130728"}, {"path": "c.txt", "region_code": "139999"},
         {"path": "d.txt", "region_code": ""}, {"path": "old.txt", "region_code": "130733"}], idx)
    assert settings == {"county/b.txt": "130728", "old.txt": "130709"}  # 崇礼县's code means 崇礼区
    assert [str(d) for d in problems] == [
        "data/sources.csv:3: region_code 139999 of c.txt is not a known division code "
        "(ontology/regions.csv); ignored"]
    result = _place(idx, [("316001", "人力资源和社会保障局", "X2023000001", "办公经费")],
                    file="/srv/hrss/data/county/b.txt", settings=settings)
    assert _regions(result) == [("130728", "sources.csv")]
    assert (result.region_code, result.region_evidence) == ("130728", "projects")


def test_unknown_is_scoped_to_its_file_and_reported_once(idx):
    tables = [("316001", "人力资源和社会保障局", "X2023000001", "办公经费"),
              ("316002", "就业服务中心", "X2023000002", "就业经费")]
    a, b = _place(idx, tables, file="data/a.txt"), _place(idx, tables, file="data/b.txt")
    assert {p.region_code for p in a.projects} == {"unknown:data/a.txt"}
    assert {p.region_code for p in b.projects} == {"unknown:data/b.txt"}
    [message] = _region_messages(a)
    assert message.startswith("data/a.txt: region unknown (no place named")
    assert message.endswith("2 projects kept as unknown:data/a.txt")


def test_units_csv_overrides_a_unit_region(idx, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("code,name,parent_code,region_code\n316007,社会保险事业中心,,130728\n"
                     "316009,,,130731\n316010,,,999999\n", encoding="utf-8")
    overrides, problems = load_unit_overrides(idx, units)
    assert overrides == [UnitOverride("316007", "社会保险事业中心", "130728", 2),
                         UnitOverride("316009", None, "130731", 3)]
    assert [str(d) for d in problems] == [f"{units}:4: region_code 999999 of unit 316010 is not a known "
                                          "division code (ontology/regions.csv); ignored"]
    result = _place(idx, [
        ("316007", "社会保险事业中心", "13073023ABCDEFGHIJKL1", "社保经费"),
        ("316001", "怀来县人力资源和社会保障局", "13073023ABCDEFGHIJKL2", "办公经费"),
        ("316009", "劳动监察大队", "JC2023000001", "监察经费"),
    ], overrides=overrides)
    # a blank name applies only where nothing else places the unit
    assert _regions(result) == [("130728", "override"), ("130730", "code_prefix"), ("130731", "override")]


def test_two_counties_with_the_same_unit_codes_give_separate_units(idx):
    units = [("316001", "人力资源和社会保障局"), ("316004", "劳动监察大队"),
             ("316005", "就业服务中心"), ("316007", "社会保险事业中心")]
    keys = set()
    for county, code in (("怀来县", "130730"), ("怀安县", "130728")):
        tables = [(u, f"{county}{name}" if i == 0 else name, f"{code}23ABCDEFGHIJK{i:02d}", "办公经费")
                  for i, (u, name) in enumerate(units)]
        result = _place(idx, tables, file=f"data/{code}.txt")
        assert {p.region_code for p in result.projects} == {code}
        keys |= {(p.region_code, p.unit_code) for p in result.projects}
    assert len(keys) == 8 and len({u for _, u in keys}) == 4


def test_a_name_of_several_places_alone_is_unknown_with_the_candidates(idx):
    result = _place(idx, [("301001", "就业服务中心", "30100124ABCDEFGHIJKLM", "就业经费")],
                    narrative="新华区全面落实就业政策。")
    assert _regions(result) == [("unknown:data/a.txt", "unknown")]
    [message] = _region_messages(result)
    assert "the narrative names 新华区 (130105, 130902, 410402, 410703)" in message


@settings(max_examples=60, deadline=None)
@given(picks=st.lists(st.sampled_from(["怀来县", "张家口市", "涿鹿县", "石家庄市新华区", "察北管理区", "河北省"]),
                      min_size=1, max_size=5),
       filler=st.sampled_from(["，", "人力资源和社会保障局", "2023年", " ", "、"]))
def test_every_full_name_in_text_is_found_where_it_stands(idx, picks, filler):
    text = filler.join(picks)
    found = idx.find_in_text(text)
    assert [m.text for m in found] == picks
    for m in found:
        assert text[m.start:m.end] == m.text and m.end - m.start == len(m.text) and len(m.codes) == 1

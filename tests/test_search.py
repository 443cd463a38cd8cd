"""kg.search: analysis, 文号 routing, filters, facets, highlights, pages, CLI, rebuild safety."""

from __future__ import annotations

import dataclasses
import json
import tempfile
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.records import SourceSpan
from kg.build import STEPS
from kg.cli import cli
from kg.search import Fragment, SearchError, SearchIndex, build_index, open_index
from kg.search.analysis import Analyzer, AnalyzerConfig, fold, get_analyzer
from kg.settings import Settings
from kg.workspace import Workspace

CITING_176 = {"13073022P008368100011", "13073022P00836810002L"}
CITING_HUAI_7 = {
    "13073022P00817010003J", "13073022P008171100011", "13073022P00817210001N",
    "13073022P00817310001C", "13073022P00854410001B", "13073022P00817010002Y",
    "13073022P00816910002T", "13073022P00818310001K", "13073022P00818210001X",
    "13073022P00817910001E", "13073022P007920100026", "13073022P00817610001D",
    "13073022P00817510001P", "13073022P008177100013", "13073022P00818010001J",
    "13073022P00817810001Q", "13073022P008508100015",
}
JIUYE_BUZHU = {  # 就业补助 in the title: county top-ups and provincial/central funds, both years
    "130730214AGM5M82WM4L8", "13073021EGXVXST33UYPQ",
    "13073022P00818310001K", "13073022P00801810001M",
}


BACKENDS = ["whoosh", "tantivy"]


@pytest.fixture(scope="module", params=BACKENDS)
def index(sample, tmp_path_factory, request) -> SearchIndex:
    """The sample indexed once per module by each backend; every search test runs on both."""
    out = tmp_path_factory.mktemp(f"search-{request.param}") / "search"
    build_index(sample.projects, out, backend=request.param)
    idx = SearchIndex(out)
    yield idx
    idx.close()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


def codes(result) -> list[str]:
    return [h.project_code for h in result.hits]


# ---- analysis


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return get_analyzer(AnalyzerConfig.default())


@pytest.mark.parametrize("term", ["城乡居民基本养老保险", "就业补助资金", "县级配套", "劳动保障监察",
                                  "公益性岗位", "职业技能培训"])
def test_user_dictionary_keeps_domain_terms_whole(analyzer, term):
    assert term in analyzer.index_terms(f"落实{term}政策")


def test_long_words_are_also_indexed_under_the_words_inside_them(analyzer):
    terms = analyzer.index_terms("城乡居民基本养老保险")
    assert {"城乡居民", "基本养老保险", "养老保险"} <= set(terms)


def test_table_boilerplate_is_not_indexed(analyzer):
    terms = analyzer.index_terms("就业补助县级配套资金绩效目标表")
    assert "绩效目标表" not in terms and "就业补助" in terms


def test_synonym_file_maps_the_misspelt_term(analyzer):
    assert {"草爆率", "参保率"} <= set(analyzer.index_terms("提升城乡居民养老保险草爆率"))
    [word] = analyzer.query_words("社保")
    assert {a.terms for a in word.alternatives} >= {("社保",), ("社会保险",)}


def test_folding_keeps_length_and_maps_width_case_and_traditional():
    text = "ＡＢＣ１２３　企業養老保險"
    assert fold(text) == "abc123 企业养老保险"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize("segmenter", ["jieba", "rjieba"])
def test_analyzer_writes_no_jieba_cache(tmp_path, monkeypatch, segmenter):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    Analyzer(AnalyzerConfig.default(["怀来县就业服务中心"]), segmenter)
    assert list(tmp_path.iterdir()) == []


# ---- full text


def test_jiuye_buzhu_puts_the_employment_subsidy_projects_of_both_years_first(index):
    result = index.search("就业补助")
    assert set(codes(result)[:4]) == JIUYE_BUZHU
    assert {h.year for h in result.hits[:4]} == {2021, 2022}


def test_misspelt_caobaolv_finds_the_project_that_misspells_it_first(index):
    assert codes(index.search("草爆率"))[0] == "13073022P008177100013"


def test_canbaolv_also_finds_and_marks_the_misspelling(index):
    hit = next(h for h in index.search("参保率").hits if h.project_code == "13073022P008177100013")
    assert any("<mark>草爆率</mark>" in f.to_html() for f in hit.highlights)


def test_traditional_characters_find_simplified_projects(index):
    assert set(codes(index.search("企業養老保險"))) == {"13073021XSNQ6GTAT4G0A", "13073022P007920100026"}


def test_unit_name_query_finds_the_units_projects(index):
    result = index.search("怀来县劳动监察大队")
    assert set(codes(result)) == {"130730217PAWFM4AHI9PZ", "13073021K9QPMIB2W0I7G",
                                  "13073022P00K1Q3100027", "13073022P000DP010003E"}


def test_projects_with_every_word_come_before_those_with_some(index):
    result = index.search("养老保险 个人账户")
    assert codes(result)[0] == "13073022P00818010001J"
    assert result.total > 1 and not result.matched_all_words


def test_a_query_of_only_punctuation_finds_nothing(index):
    result = index.search("，。！")
    assert result.total == 0 and result.hits == []


# ---- 文号 routing


@pytest.mark.parametrize("query, expected", [
    ("冀财社〔2021〕176号", CITING_176),
    ("冀财社﹝2021﹞176号", CITING_176),
    ("冀财社[2021]176", CITING_176),
    ("冀财社2021 176", CITING_176),
    ("冀财社２０２１ １７６", CITING_176),
    ("冀財社〔2021〕176號", CITING_176),  # traditional characters
    ("冀财社2021176号", CITING_176),  # no brackets
    ("冀财\u200b社〔2021〕17\u00ad6号", CITING_176),  # invisible characters
    ("176号", CITING_176),
    ("怀财资【2022】7号", CITING_HUAI_7),
    ("怀财资[2022]7号", CITING_HUAI_7),
    ("怀财资 2022 7", CITING_HUAI_7),
    ("冀财社[2020]185号", {"13073021DW40F1G4N2XBW", "13073021X05CXO1QRLOD1"}),
    ("冀人社字〔2021〕278号", CITING_176),  # cited as 政策依据 only
])
def test_each_doc_number_spelling_returns_exactly_the_projects_citing_it(index, query, expected):
    result = index.search(query, page_size=50)
    assert set(codes(result)) == expected
    assert result.total == len(expected)
    assert result.doc_query is not None


def test_doc_number_and_words_rank_the_cited_projects_by_the_words(index):
    result = index.search("怀财资【2022】7号 养老", page_size=50)
    assert set(codes(result)) == CITING_HUAI_7
    assert codes(result)[0] in {"13073022P00817910001E", "13073022P007920100026",
                                "13073022P008177100013"}


def test_doc_number_nobody_cites_returns_nothing(index):
    result = index.search("冀财社〔2019〕999号")
    assert result.total == 0 and str(result.doc_query) == "冀财社〔2019〕999号"


def test_doc_number_is_marked_in_its_printed_spelling(index):
    hit = index.search("冀财社2021 176").hits[0]
    assert hit.highlights[0].to_html().startswith("<mark>冀财社﹝2021﹞176号</mark>")
    assert hit.doc_refs == ["冀财社〔2021〕176号"]


# ---- filters, facets, pages


def test_year_filter_keeps_only_that_year(index):
    result = index.search("就业补助", year=2021)
    assert {h.year for h in result.hits} == {2021}
    assert {"130730214AGM5M82WM4L8", "13073021EGXVXST33UYPQ"} <= set(codes(result))
    assert result.total < index.search("就业补助").total


@pytest.mark.parametrize("unit", ["316005", "怀来县就业服务中心"])
def test_unit_filter_by_code_or_name_narrows_to_that_unit(index, unit):
    result = index.search("怀财资【2022】7号", unit=unit, page_size=50)
    assert set(codes(result)) == {"13073022P00817010002Y", "13073022P00816910002T",
                                  "13073022P00818310001K", "13073022P00818210001X"}


def test_amount_range_filter(index):
    result = index.search("怀财资【2022】7号", amount_min=Decimal("1000"), page_size=50)
    assert sorted((h.project_code, h.budget_wan) for h in result.hits) == [
        ("13073022P007920100026", Decimal("3000.00")),
        ("13073022P00817910001E", Decimal("4300.00")),
        ("13073022P00818010001J", Decimal("1340.00")),
    ]


def test_theme_filter_by_id_or_label(index):
    by_id = index.search("怀财资【2022】7号", theme="pension", page_size=50)
    by_label = index.search("怀财资【2022】7号", theme="养老保险", page_size=50)
    assert set(codes(by_id)) == set(codes(by_label)) == {
        "13073022P00817910001E", "13073022P007920100026", "13073022P008177100013",
        "13073022P00818010001J"}


def test_issuer_filter_keeps_projects_citing_that_issuer(index):
    result = index.search("养老保险", issuer="冀财社", page_size=50)
    assert result.total == 7
    assert all(any(d.startswith("冀财社") for d in h.doc_refs) for h in result.hits)


def test_facets_count_every_hit_not_just_the_page(index):
    result = index.search("就业补助", page_size=2)
    assert len(result.hits) == 2
    assert dict(result.facets["year"]) == {"2021": 4, "2022": 2}
    assert dict(result.facets["issuer"]) == {"冀财社": 3, "怀财资": 1}
    assert result.facet_labels["unit"]["316005"] == "怀来县就业服务中心"
    assert [(u.unit_code, u.unit_name, u.count) for u in result.unit_facet] == [
        ("316005", "怀来县就业服务中心", 5), ("316007", "社会保险事业中心", 1)]


def test_theme_facet_counts_themes_of_the_hits(index):
    result = index.search("冀财社2021 176")
    assert dict(result.facets["theme"]) == {"pension": 2, "social-insurance": 2}


def test_pages_split_the_hits_without_overlap(index):
    pages = [index.search("怀财资【2022】7号", page=p, page_size=5) for p in (1, 2, 3, 4)]
    seen = [c for r in pages for c in codes(r)]
    assert [len(r.hits) for r in pages] == [5, 5, 5, 2]
    assert set(seen) == CITING_HUAI_7 and len(seen) == 17
    assert pages[0].pages == 4


def test_bad_page_arguments_raise(index):
    with pytest.raises(SearchError):
        index.search("就业", page=0)
    with pytest.raises(SearchError):
        index.search("就业", amount_min=Decimal(5), amount_max=Decimal(1))


# ---- hits, highlights, JSON


def test_highlights_mark_the_query_terms(index):
    for hit in index.search("就业补助").hits[:4]:
        assert "<mark>就业补助</mark>" in hit.highlights[0].to_html()


def test_hit_carries_source_lines_and_amount(index):
    hit = next(h for h in index.search("冀财社2021 176").hits
               if h.project_code == "13073022P008368100011")
    assert hit.source == SourceSpan("000_61c5a3a787465ec8.txt", 2503, 2587)
    assert hit.budget_wan == Decimal("1384.00") and hit.unit_code == "316007"


def test_fragment_html_escapes_source_text():
    frag = Fragment("title", [("<script>x</script>", False), ("就业&补助", True)])
    assert frag.to_html() == "&lt;script&gt;x&lt;/script&gt;<mark>就业&amp;补助</mark>"


def test_a_title_with_markup_comes_out_escaped(sample, tmp_path, backend):
    p = dataclasses.replace(sample.projects[6], title="<script>alert(1)</script>就业补助县级配套资金")
    build_index([p], tmp_path / "search", backend=backend)
    with SearchIndex(tmp_path / "search") as idx:
        html = idx.search("就业补助").hits[0].highlights[0].to_html()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_json_has_the_documented_keys_first(index):
    data = index.search("就业补助", page_size=1).to_json()
    assert list(data)[:5] == ["query", "total", "hits", "facets", "page"]
    assert list(data["hits"][0])[:10] == ["year", "project_code", "project_name", "unit_code",
                                          "unit_name", "budget_wan", "score", "highlights",
                                          "doc_refs", "source"]
    assert data["hits"][0]["highlights"][0]["field"] == "title"


def test_rebuilding_into_the_same_directory_gives_the_same_index(sample, tmp_path, backend):
    out = tmp_path / "search"
    build_index(sample.projects, out, backend=backend)
    build_index(sample.projects, out, backend=backend)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["search"]
    with SearchIndex(out) as idx:
        assert idx.backend.count() == 44 and idx.backend.name == backend


def test_an_index_whose_unit_field_holds_bare_codes_asks_for_a_rebuild(sample, tmp_path, backend):
    build_index(sample.projects[:2], tmp_path / "search", backend=backend)
    meta_file = tmp_path / "search" / "meta.json"
    meta = json.loads(meta_file.read_text("utf-8"))
    del meta["region_units"]  # as written before units were keyed by region
    meta_file.write_text(json.dumps(meta), "utf-8")
    with pytest.raises(SearchError, match="kg build"):
        SearchIndex(tmp_path / "search")


# ---- build step, CLI, rebuild safety


def _publish(ws: Workspace, projects, backend: str = "whoosh") -> Path:
    out = ws.new_build()
    build_index(projects, out / "search", backend=backend)
    return ws.publish(out)


def test_search_is_a_build_step():
    assert "search" in [name for name, _ in STEPS]


def test_open_index_without_a_build_raises(tmp_path):
    from kg.workspace import NotBuiltError

    with pytest.raises(NotBuiltError):
        open_index(Settings(index_dir=tmp_path))


def test_cli_search_json(sample, tmp_path):
    _publish(Workspace(tmp_path), sample.projects)
    result = CliRunner().invoke(cli, ["search", "冀财社2021 176", "--json", "--indexes",
                                      str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 2
    assert {h["project_code"] for h in data["hits"]} == CITING_176
    assert data["hits"][0]["source"]["lines"] in ([2503, 2587], [2592, 2676])


def test_cli_search_human_output_shows_amount_and_fragment(sample, tmp_path):
    _publish(Workspace(tmp_path), sample.projects)
    result = CliRunner().invoke(cli, ["search", "外墙维修", "--indexes", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "13073022P00817310001C" in result.output and "18.00万元" in result.output
    assert "怀财资【2022】7号 局机关外墙维修资金绩效目标表" in result.output
    assert "000_61c5a3a787465ec8.txt:720-804" in result.output


def test_a_rebuild_while_searching_never_fails_the_search(sample, tmp_path, backend):
    ws = Workspace(tmp_path)
    _publish(ws, sample.projects, backend)
    settings = Settings(index_dir=tmp_path)
    held = open_index(settings)  # opened before every rebuild, its build is pruned under it
    errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def searching() -> None:
        while not stop.is_set():
            try:
                totals.append(held.search("冀财社2021 176").total)
                with open_index(settings) as fresh:
                    totals.append(fresh.search("就业补助").total)
            except BaseException as e:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(e)
                return

    thread = threading.Thread(target=searching)
    thread.start()
    try:
        for _ in range(3):
            _publish(ws, sample.projects, backend)
    finally:
        stop.set()
        thread.join()
    held.close()
    assert errors == []
    assert totals and set(totals) <= {2, 6}


def test_kg_build_publishes_a_searchable_index(tmp_path, monkeypatch):
    from kg import build as build_module
    from kg.settings import ROOT

    steps = [s for s in STEPS if s[0] in ("records", "search")]
    monkeypatch.setattr(build_module, "STEPS", steps)
    report = build_module.build(Settings(data_dir=ROOT / "data", index_dir=tmp_path))
    assert report.counts["search"]["documents"] == 44
    with open_index(Settings(index_dir=tmp_path)) as idx:
        assert set(codes(idx.search("冀财社〔2021〕176号"))) == CITING_176


def test_index_lists_its_years_newest_first(tmp_path):
    from kg.build import build
    from kg.search import open_index
    from kg.settings import Settings

    data = tmp_path / "data"
    data.mkdir()
    (data / "s.txt").write_bytes((Path(__file__).parent.parent / "data" / "000_61c5a3a787465ec8.txt").read_bytes())
    settings = Settings(data_dir=data, index_dir=tmp_path / "idx")
    build(settings)
    assert open_index(settings).years == [2022, 2021]

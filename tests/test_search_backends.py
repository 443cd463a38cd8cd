"""The fast path for large corpora: rjieba = jieba token for token, profiles, incremental updates."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.corpus import load_corpus
from kg.search import SearchIndex, build_index, open_index
from kg.search.analysis import Analyzer, AnalyzerConfig, default_segmenter
from kg.search.indexing import (
    META_FILE,
    SEARCH_DIR,
    _field_texts,
    add_to_index,
    delete_from_index,
    index_texts,
    project_document,
    project_key,
)
from kg.settings import PROFILES, Settings, SettingsError, load_settings

pytest.importorskip("rjieba")
pytest.importorskip("tantivy")

BACKENDS = ["whoosh", "tantivy"]
# Projects with the employment-subsidy title: the county top-ups and the provincial/central funds.
JIUYE_BUZHU = {"130730214AGM5M82WM4L8", "13073021EGXVXST33UYPQ",
               "13073022P00818310001K", "13073022P00801810001M"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """300 generated projects (bench.generate, seed 3), parsed as `kg build` parses them."""
    from bench.generate import generate

    out = tmp_path_factory.mktemp("generated")
    generate(300, 3, out)
    return load_corpus([out])


@pytest.fixture(scope="module")
def analyzers(sample):
    """The build's analyzer configuration (unit names and issuers added) on both segmenters."""
    units = sorted({p.unit_name for p in sample.projects if p.unit_name})
    config = AnalyzerConfig.default(units)
    return Analyzer(config, "jieba"), Analyzer(config, "rjieba")


def _texts(projects) -> list[str]:
    return [t for p in projects for t in index_texts(p).values()]


# ---- segmentation


def test_rjieba_is_the_segmenter_whenever_it_is_installed():
    assert default_segmenter() == "rjieba"


@pytest.mark.parametrize("corpus", ["sample", "generated"])
def test_rjieba_cuts_every_index_text_as_jieba_does(analyzers, corpus, request):
    jieba_, rjieba_ = analyzers
    projects = request.getfixturevalue(corpus).projects
    texts = _texts(projects)
    assert len(texts) > 5 * len(projects)
    differ = [t for t in texts
              if jieba_.segmenter.cut(jieba_.fold(t)) != rjieba_.segmenter.cut(rjieba_.fold(t))]
    assert differ == []
    differ = [t for t in texts if jieba_.index_terms(t) != rjieba_.index_terms(t)]
    assert differ == []


def test_both_segmenters_cut_the_words_jieba_alone_once_split_differently(analyzers):
    # Python jieba counts an existing word's frequency into the total again on add_word; words
    # already in the dictionary are not re-added, so these come out the same in both engines.
    jieba_, rjieba_ = analyzers
    for text, words in [("包含企业职工及自由职业者", ["包含", "企业", "职工", "及", "自由职业者"]),
                        ("培训费的存续期和执行率", ["培训费", "的", "存续期", "和", "执行", "率"])]:
        assert jieba_.segmenter.cut(text) == rjieba_.segmenter.cut(text) == words


def test_rjieba_gives_the_same_query_words_for_every_judged_query(analyzers):
    from pathlib import Path

    from kg.search.evaluation import load_judgments

    jieba_, rjieba_ = analyzers
    judged = load_judgments(Path(__file__).parent / "search_judgments.tsv")
    assert all(jieba_.query_words(j.query) == rjieba_.query_words(j.query) for j in judged)


def test_index_texts_are_exactly_what_the_document_is_cut_from(sample, analyzers):
    _, a = analyzers
    p = next(p for p in sample.projects if p.project_code == "13073022P008368100011")
    texts = index_texts(p)
    assert list(texts) == ["title", "name", "purpose", "goals", "indicators", "unit_text"]
    assert texts["unit_text"] == "社会保险事业中心" and texts["purpose"] == "按时足额缴纳和发放养老金"
    assert texts["indicators"].count("\n") == 5 and texts["indicators"].endswith("城乡参保对象满意度")
    doc = project_document(p, a, [])
    for name, text in texts.items():
        assert a.index_terms(text) == doc.terms[name].split(), name


def test_every_document_holds_each_texts_terms_in_order(generated, sample, analyzers):
    # The fields are joined once per distinct text: the same terms as cutting each text apart.
    _, a = analyzers
    for p in [*sample.projects, *generated.projects]:
        doc = project_document(p, a, [])
        for name, values in _field_texts(p).items():
            assert doc.terms[name].split() == [t for v in values for t in a.index_terms(v)], name


def test_both_engines_count_the_same_hits_and_facets_on_a_generated_corpus(generated, tmp_path):
    # Each engine scores with its own BM25: the counts and facets agree, the ranking may not.
    answers = {}
    for backend in BACKENDS:
        build_index(generated.projects, tmp_path / backend, backend=backend)
        with SearchIndex(tmp_path / backend) as ix:
            answers[backend] = [
                (r.total, r.to_json()["facets"])
                for q in ("就业补助", "养老保险", "培训", "冀财社", "满意度")
                for r in [ix.search(q)]
            ]
    assert answers["whoosh"] == answers["tantivy"]
    assert all(total for total, _ in answers["tantivy"])


# ---- profiles


def test_profiles_name_the_engines():
    assert PROFILES["small"] == {"search": "whoosh", "store": "memory"}
    assert PROFILES["large"] == {"search": "tantivy", "store": "oxigraph"}
    assert Settings().search_backend == "whoosh"
    assert Settings(profile="large").search_backend == "tantivy"


def test_large_profile_brings_the_oxigraph_store_unless_a_store_is_named(monkeypatch):
    monkeypatch.delenv("HRSS_STORE", raising=False)
    monkeypatch.setenv("HRSS_PROFILE", "large")
    assert load_settings().store == "oxigraph"
    assert load_settings(store="memory").store == "memory"
    monkeypatch.delenv("HRSS_PROFILE")
    assert load_settings().store == "memory"
    assert load_settings(profile="large").profile == "large"


def test_an_unknown_profile_raises():
    with pytest.raises(SettingsError, match="huge"):
        Settings(profile="huge")


def test_search_step_picks_the_profiles_engine_and_open_index_reads_it_back(sample, tmp_path):
    from kg.context import derive_context
    from kg.steps import search_step

    counts = search_step(derive_context(sample, Settings(profile="large")), tmp_path)
    meta = json.loads((tmp_path / SEARCH_DIR / META_FILE).read_text("utf-8"))
    assert counts["backend"] == meta["backend"] == "tantivy" and counts["documents"] == 44
    with open_index(Settings(), build_dir=tmp_path) as idx:  # the build decides, not the reader
        assert idx.backend.name == "tantivy"
        assert set(h.project_code for h in idx.search("就业补助").hits[:4]) == JIUYE_BUZHU


def test_cli_build_with_profile_large_builds_a_tantivy_index(tmp_path, monkeypatch):
    from kg import build as build_module
    from kg.cli import cli
    from kg.settings import ROOT

    monkeypatch.delenv("HRSS_PROFILE", raising=False)
    steps = [s for s in build_module.STEPS if s[0] in ("records", "search")]
    monkeypatch.setattr(build_module, "STEPS", steps)
    result = CliRunner().invoke(cli, ["build", "--profile", "large", "--store", "memory",
                                      "--data", str(ROOT / "data"), "--indexes", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with open_index(Settings(index_dir=tmp_path)) as idx:
        assert idx.meta["backend"] == "tantivy" and idx.backend.count() == 44


# ---- incremental updates


@pytest.mark.parametrize("backend", BACKENDS)
def test_adding_one_project_makes_it_searchable_and_leaves_the_others(sample, tmp_path, backend):
    added = next(p for p in sample.projects if p.project_code == "13073022P00818310001K")
    rest = [p for p in sample.projects if p is not added]
    build_index(rest, tmp_path / SEARCH_DIR, backend=backend)
    with SearchIndex(tmp_path / SEARCH_DIR) as before:
        assert set(h.project_code for h in before.search("就业补助").hits) >= JIUYE_BUZHU - {
            added.project_code}
        doc_before = [h.project_code for h in before.search("冀财社2021 176").hits]
        assert added.project_code not in {h.project_code for h in before.search("就业补助").hits}

    counts = add_to_index([added], tmp_path)
    assert counts == {"added": 1, "documents": 44, "backend": backend}
    with SearchIndex(tmp_path / SEARCH_DIR) as after:
        assert after.backend.count() == 44 and after.meta["documents"] == 44
        assert set(h.project_code for h in after.search("就业补助").hits[:4]) == JIUYE_BUZHU
        assert added.project_code in {h.project_code for h in
                                      after.search("怀财资【2022】7号", page_size=50).hits}
        assert [h.project_code for h in after.search("冀财社2021 176").hits] == doc_before


@pytest.mark.parametrize("backend", BACKENDS)
def test_adding_a_project_again_replaces_it(sample, tmp_path, backend):
    build_index(sample.projects, tmp_path / SEARCH_DIR, backend=backend)
    assert add_to_index(sample.projects[:3], tmp_path)["documents"] == 44


@pytest.mark.parametrize("backend", BACKENDS)
def test_deleting_a_project_removes_it_from_every_query(sample, tmp_path, backend):
    build_index(sample.projects, tmp_path / SEARCH_DIR, backend=backend)
    gone = next(p for p in sample.projects if p.project_code == "13073022P008368100011")
    counts = delete_from_index([project_key(gone)], tmp_path)
    assert counts == {"deleted": 1, "documents": 43, "backend": backend}
    with SearchIndex(tmp_path / SEARCH_DIR) as idx:
        assert [h.project_code for h in idx.search("冀财社2021 176").hits] == [
            "13073022P00836810002L"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_index_held_open_keeps_answering_while_another_adds(sample, tmp_path, backend):
    added = next(p for p in sample.projects if p.project_code == "13073022P00818310001K")
    build_index([p for p in sample.projects if p is not added], tmp_path / SEARCH_DIR,
                backend=backend)
    with SearchIndex(tmp_path / SEARCH_DIR) as held:
        assert held.search("怀财资【2022】7号", page_size=50).total == 16
        add_to_index([added], tmp_path)
        # The held reader sees the index before or after the commit, never a broken one.
        assert held.search("怀财资【2022】7号", page_size=50).total in (16, 17)
    with SearchIndex(tmp_path / SEARCH_DIR) as fresh:
        assert fresh.search("怀财资【2022】7号", page_size=50).total == 17

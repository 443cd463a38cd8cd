"""The benchmark harness stays correct: generated corpora parse back to exactly what was generated."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bench.check import check_records
from bench.generate import generate, load_expected
from bench.run import main as bench_main
from bench.run import percentiles
from kg.corpus import load_corpus


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    generate(250, 3, out)
    return out


def test_generator_writes_exactly_the_projects_asked_for(small_corpus):
    expected = load_expected(small_corpus)
    assert len(expected) == 250
    assert len({(e["year"], e["project_code"]) for e in expected}) == 250


def test_generator_is_deterministic_for_a_seed(tmp_path, small_corpus):
    generate(250, 3, tmp_path / "again")
    for f in sorted(small_corpus.glob("*.txt")) + [small_corpus / "expected.jsonl"]:
        assert (tmp_path / "again" / f.name).read_bytes() == f.read_bytes()


def test_another_seed_gives_other_codes(tmp_path, small_corpus):
    generate(250, 4, tmp_path / "other")
    codes = {e["project_code"] for e in load_expected(small_corpus)}
    assert not codes & {e["project_code"] for e in load_expected(tmp_path / "other")}


def test_both_layouts_and_the_sources_mess_are_generated(small_corpus):
    text = "\n".join(f.read_text(encoding="utf-8") for f in small_corpus.glob("*.txt"))
    assert "\t项目编码\n" in text  # one cell per line
    assert "项目编码\t" in text  # TAB rows
    assert "目标内容1" in text
    assert "效益指标、" in text
    for bracket in ("〔", "[", "【", "﹝", "（"):
        assert f"冀财社{bracket}" in text


def test_parsed_records_equal_generated_ones(small_corpus):
    corpus = load_corpus([small_corpus])
    expected = load_expected(small_corpus)
    report = check_records(expected, corpus.projects)
    assert report.ok, "\n".join(map(str, report.mismatches[:10]))
    by_key = {(p.year, p.project_code): p for p in corpus.projects}
    e = expected[0]
    p = by_key[(e["year"], e["project_code"])]
    assert p.budget_wan == Decimal(e["budget_wan"]) and list(p.doc_numbers) == e["doc_refs"]


def test_check_reports_a_changed_amount(small_corpus):
    expected = load_expected(small_corpus)
    expected[5] = dict(expected[5], budget_wan=str(Decimal(expected[5]["budget_wan"]) + 1))
    report = check_records(expected, load_corpus([small_corpus]).projects)
    assert not report.ok
    assert [(m.project_code, m.field) for m in report.mismatches] == [(expected[5]["project_code"], "budget_wan")]


def test_percentiles_are_nearest_rank():
    stats = percentiles([float(i) for i in range(1, 201)])
    assert (stats["p50"], stats["p95"], stats["p99"]) == (100.0, 190.0, 198.0)


def test_benchmark_runs_end_to_end_and_checks_correctness(tmp_path, capsys):
    bench_main(["--projects", "200", "--seed", "5", "--queries", "20", "--cache", str(tmp_path / "cache"),
                "--out", str(tmp_path / "results")])
    result = json.loads((tmp_path / "results" / "200-memory-small.json").read_text(encoding="utf-8"))
    assert result["projects"] == result["parsed_projects"] == 200
    assert result["check_ok"] is True and result["failures"] == []
    assert result["parse_s"] > 0 and result["segment_floor_s"] > 0
    for key in ("graph_build_s", "index_build_s", "doc_p95_ms", "search_p95_ms", "trace_p95_ms",
                "history_p95_ms", "incremental_add_s", "peak_rss_mb", "disk_mb", "full_rebuild_s"):
        assert key in result  # a figure, or None with its reason under not_available
        assert result[key] is not None or key in result["not_available"]
    assert "parse_s" in capsys.readouterr().out

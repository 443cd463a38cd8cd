"""Adding a document to a built Oxigraph build: graph, doc lookup, search, trace, records, version."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.audit import load_findings
from kg.build import add_sources, build
from kg.cli import cli
from kg.doccard import lookup_document
from kg.lineage import load_lineage
from kg.settings import Settings
from kg.store import open_store
from kg.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "000_61c5a3a787465ec8.txt"
TAB = Path(__file__).resolve().parent / "data" / "tab_layout.txt"
NEW_CODE = "13068123A1B2C3D4E5F6G"


@pytest.fixture(scope="module")
def added(tmp_path_factory):
    settings = Settings(index_dir=tmp_path_factory.mktemp("idx"), data_dir=SAMPLE.parent, store="oxigraph")
    build(settings, [SAMPLE])
    ws = Workspace(settings.index_dir)
    before = {"version": ws.version, "path": ws.current}
    with open_store(settings) as store:
        before["triples"] = store.triple_count()
    before["files"] = {name: _identity(ws.current / name) for name in STORED}
    before["findings"] = len(load_findings(settings))
    before["lineage"] = load_lineage(settings)  # cached: the add must refresh it
    report = add_sources(settings, [TAB])
    return settings, before, report


STORED = ("records/0000.pickle", "findings.json", "lineage.pickle", "diagnostics.json")


def _identity(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns, st.st_size


def test_adding_a_file_keeps_the_build_and_bumps_its_version(added):
    settings, before, report = added
    ws = Workspace(settings.index_dir)
    assert ws.current == before["path"]
    assert ws.version == f"{before['path'].name}+1" != before["version"]
    assert report.counts["add"]["projects"] == 2


def test_triple_counts_add_up(added):
    settings, before, report = added
    with open_store(settings) as store:
        after = store.triple_count()
    assert after == report.counts["add"]["triples"]
    assert 0 < after - before["triples"] <= report.counts["add"]["triples_added"]


def test_the_new_project_is_in_the_graph_with_its_printed_amount(added):
    settings, _, _ = added
    with open_store(settings) as store:
        rows = store.query(f'SELECT ?b ?bp WHERE {{ ?p hk:projectCode "{NEW_CODE}" ; hk:budgetWan ?b ; '
                           "hk:budgetPrinted ?bp }").rows
        years = store.query("SELECT ?y (COUNT(?p) AS ?n) WHERE { ?p a hk:Project ; hk:year ?y } "
                            "GROUP BY ?y ORDER BY ?y").rows
    assert rows == [{"b": Decimal("120.5"), "bp": "120.50"}]
    assert [(r["y"], r["n"]) for r in years] == [(2021, 20), (2022, 24), (2023, 2)]


def test_the_new_document_is_found_by_doc_lookup(added):
    settings, _, _ = added
    card = lookup_document(settings, "冀财社2022 88").card
    assert card is not None and [(p.project_code, p.budget_wan) for p in card.projects] == [
        (NEW_CODE, Decimal("120.50"))]
    assert "冀财社〔2022〕88号" in [c.canonical for c in lookup_document(settings, "88号").candidates]


def test_the_new_project_is_traced_and_the_old_ones_still_are(added):
    settings, _, _ = added
    lineage = load_lineage(settings)
    down = lineage.trace_down("冀财社〔2022〕88号")
    assert [(p.project_code, p.budget_wan) for p in down.projects] == [(NEW_CODE, Decimal("120.50"))]
    assert str(lineage.trace_down("冀财社〔2021〕176号").total_wan) == "1428.00"


def test_the_new_project_is_found_by_search(added):
    settings, _, _ = added
    from kg.search import open_index

    with open_index(settings) as index:
        keys = [(h.year, h.project_code) for h in index.search("冀财社〔2022〕88号").hits]
    assert keys == [(2023, NEW_CODE)]


def test_records_are_appended_as_a_part(added):
    settings, _, _ = added
    ws = Workspace(settings.index_dir)
    corpus = ws.load_corpus()
    assert len(corpus.projects) == 46
    parts = json.loads((ws.current / "records" / "index.json").read_text(encoding="utf-8"))["parts"]
    assert [p["projects"] for p in parts] == [44, 2]


def test_an_addition_leaves_the_stored_records_findings_and_lineage_untouched(added):
    settings, before, _ = added
    current = Workspace(settings.index_dir).current
    assert {name: _identity(current / name) for name in STORED} == before["files"]
    assert "0001.json" in [p.name for p in (current / "findings-added").iterdir()]
    assert "0001.pickle" in [p.name for p in (current / "lineage-added").iterdir()]


def test_readers_see_the_added_findings_after_the_stored_ones(added):
    settings, before, report = added
    findings = load_findings(settings)
    new = [(f.rule_id, f.project_code, f.span.first_line) for f in findings[before["findings"]:]]
    assert new == [("R3.5", NEW_CODE, 12), ("R4.2", NEW_CODE, 18),
                   ("R20.1", "13068123Q9W8E7R6T5Y4U", 24), ("R4.2", "13068123Q9W8E7R6T5Y4U", 32)]
    assert report.counts["add"]["findings"] == 4


def test_a_cached_lineage_is_refreshed_by_an_addition(added):
    settings, before, _ = added
    old, new = before["lineage"], load_lineage(settings)
    assert new is not old
    assert "project:2023:" + NEW_CODE in new.graph and "project:2023:" + NEW_CODE not in old.graph
    assert new.graph.number_of_nodes() > old.graph.number_of_nodes()


def test_adding_the_same_file_again_adds_nothing(added, tmp_path):
    settings, _, _ = added
    with open_store(settings) as store:
        before = store.triple_count()
    report = add_sources(settings, [TAB])
    assert report.counts["add"]["projects"] == 0 and report.counts["add"]["skipped"] == 2
    with open_store(settings) as store:
        assert store.triple_count() == before


def test_kg_add_on_the_memory_store_says_it_rebuilt(tmp_path):
    index = tmp_path / "idx"
    settings = Settings(index_dir=index, store="memory")
    build(settings, [SAMPLE])
    result = CliRunner().invoke(cli, ["add", str(TAB), "--indexes", str(index), "--store", "memory"])
    assert result.exit_code == 0, result.output
    assert "完整重建" in result.output
    assert len(Workspace(index).load_corpus().projects) == 46

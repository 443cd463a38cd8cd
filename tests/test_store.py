"""Stores: memory, Oxigraph on disk and a SPARQL endpoint answer the named queries alike."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.corpus import load_corpus
from kg.context import derive_context
from kg.steps import graph_step
from kg.queries import named_queries, run_named
from kg.settings import Settings
from kg.store import QueryTimeoutError, ReadOnlyError, StoreError, check_read_only, open_store
from kg.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "000_61c5a3a787465ec8.txt"
OXIGRAPH_BIN = Path(shutil.which("oxigraph") or ROOT / ".venv" / "bin" / "oxigraph")
P176 = "13073022P008368100011"
PARAMS = {
    "project_detail": {"year": 2022, "code": P176},
    "indicators_of_project": {"year": 2022, "code": P176},
    "document_info": {"doc": "冀财社〔2021〕176号"},
    "document_projects": {"doc": "冀财社〔2021〕176号"},
    "document_mentions": {"doc": "冀财社〔2021〕176号"},
}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([SAMPLE])


def _publish(corpus, index_dir: Path, store: str) -> Settings:
    """A published build holding only the graph (the graph step alone, as `kg build` runs it)."""
    settings = Settings(index_dir=index_dir, store=store)
    ws = Workspace(index_dir)
    out = ws.new_build()
    graph_step(derive_context(corpus, settings), out)
    ws.publish(out)
    return settings


@pytest.fixture(scope="module")
def memory(corpus, tmp_path_factory):
    settings = _publish(corpus, tmp_path_factory.mktemp("mem"), "memory")
    return open_store(settings)


@pytest.fixture(scope="module")
def oxigraph(corpus, tmp_path_factory):
    settings = _publish(corpus, tmp_path_factory.mktemp("ox"), "oxigraph")
    with open_store(settings) as store:
        yield store


def _answers(store) -> dict[str, list[dict]]:
    return {name: run_named(store, name, **PARAMS.get(name, {})).rows for name in named_queries()}


def test_memory_store_counts_projects_per_year(memory):
    rows = run_named(memory, "projects_by_year").rows
    assert rows == [{"year": 2021, "projects": 20, "budget_wan": Decimal("12001.87")},
                    {"year": 2022, "projects": 24, "budget_wan": Decimal("19334.65")}]


def test_memory_store_counts_projects_per_unit(memory):
    rows = run_named(memory, "projects_by_unit", year=2022).rows
    assert [(r["unit_code"], r["projects"], r["budget_wan"]) for r in rows] == [
        ("316001", 5, Decimal("136.00")), ("316004", 2, Decimal("45.00")),
        ("316005", 5, Decimal("942.66")), ("316007", 12, Decimal("18210.99"))]


def test_memory_store_keeps_decimals_as_printed(memory):
    [row] = run_named(memory, "project_detail", year=2022, code=P176).rows
    assert str(row["budget_wan"]) == "1384.00" and row["unit_code"] == "316007"
    assert (row["first_line"], row["last_line"]) == (2503, 2587)


@pytest.mark.parametrize("code, printed", [
    (P176, "1384.00"), ("13073022P008508100015", "0.99"), ("13073022P00816910002T", "3.66")])
def test_oxigraph_store_gives_amounts_back_as_printed(oxigraph, code, printed):
    rows = oxigraph.query(f'SELECT ?b ?bp ?fp WHERE {{ ?p hk:projectCode "{code}" ; hk:year 2022 ; '
                          "hk:budgetWan ?b ; hk:budgetPrinted ?bp ; hk:fiscalPrinted ?fp }").rows
    assert rows == [{"b": Decimal(printed), "bp": printed, "fp": printed}]


def test_oxigraph_doc_card_and_trace_give_amounts_as_printed(corpus, tmp_path):
    from kg.build import build
    from kg.doccard import lookup_document
    from kg.lineage import load_lineage

    settings = Settings(index_dir=tmp_path, store="oxigraph", data_dir=SAMPLE.parent)
    build(settings, [SAMPLE])
    card = lookup_document(settings, "冀财社2021 176").card
    assert [str(p.budget_wan) for p in card.projects] == ["1384.00", "44.00"]
    assert str(card.total_wan) == "1428.00"
    down = load_lineage(settings).trace_down("冀财社〔2021〕176号")
    assert [str(p.budget_wan) for p in down.projects] == ["1384.00", "44.00"]


def test_oxigraph_store_answers_every_named_query_like_memory(memory, oxigraph):
    assert oxigraph.triple_count() == memory.triple_count()
    assert _answers(oxigraph) == _answers(memory)


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:a> <urn:b> 1 }",
    "PREFIX x: <urn:x:>\nDELETE WHERE { ?s ?p ?o }",
    "# drop it all\nDROP ALL",
    "CLEAR DEFAULT",
    "LOAD <http://example.org/x.ttl>",
    "CREATE GRAPH <urn:g>",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <urn:a> <urn:b> 1 }",
])
def test_updates_are_refused(update):
    with pytest.raises(ReadOnlyError, match="只读"):
        check_read_only(update)


@pytest.mark.parametrize("query, form", [
    ('SELECT ?s WHERE { ?s hk:projectName "INSERT DATA { }" }', "SELECT"),
    ("PREFIX drop: <urn:drop:>\nASK { ?s drop:all ?o }", "ASK"),
    ("# DELETE everything? no\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
])
def test_queries_mentioning_update_words_are_allowed(query, form):
    assert check_read_only(query) == form


def test_kg_sparql_refuses_an_update(corpus, tmp_path):
    settings = _publish(corpus, tmp_path / "idx", "memory")
    result = CliRunner().invoke(cli, ["sparql", "DELETE WHERE { ?s ?p ?o }",
                                      "--indexes", str(settings.index_dir)])
    assert result.exit_code == 1
    assert "只读：不允许 SPARQL 更新（DELETE）" in result.output
    with open_store(settings) as store:
        assert run_named(store, "projects_by_year").rows[0]["projects"] == 20


def test_kg_sparql_prints_csv_of_a_named_query(corpus, tmp_path):
    settings = _publish(corpus, tmp_path / "idx", "memory")
    result = CliRunner().invoke(cli, ["sparql", "--named", "document_projects", "--param",
                                      "doc=冀财社〔2021〕176号", "--format", "csv",
                                      "--indexes", str(settings.index_dir)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("relation,year,project_code")
    assert [ln.split(",")[6] for ln in lines[1:]] == ["1384.00", "44.00"]


def test_kg_sparql_without_a_build_says_to_build(tmp_path):
    result = CliRunner().invoke(cli, ["sparql", "SELECT * {}", "--indexes", str(tmp_path)])
    assert result.exit_code == 1
    assert "python -m kg build" in result.output


def test_rows_are_capped(corpus, tmp_path):
    settings = _publish(corpus, tmp_path / "idx", "memory").with_(sparql_row_cap=5)
    with open_store(settings) as store:
        result = store.query("SELECT ?p WHERE { ?p a hk:Project }")
        assert len(result.rows) == 5 and result.truncated
        assert len(store.query("SELECT ?p WHERE { ?p a hk:Project }", limit=100).rows) == 5
        assert len(store.query("SELECT ?p WHERE { ?p a hk:Project }", limit=3).rows) == 3


def test_a_runaway_query_is_stopped(memory):
    with pytest.raises(QueryTimeoutError, match="时间上限"):
        memory.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=0.2)


def test_a_syntax_error_is_a_store_error(memory):
    with pytest.raises(StoreError, match="SPARQL"):
        memory.query("SELECT ?x WHERE { ?x ")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    if not OXIGRAPH_BIN.exists():
        pytest.fail(f"the oxigraph server binary is missing: {OXIGRAPH_BIN}")
    port = _free_port()
    proc = subprocess.Popen([str(OXIGRAPH_BIN), "serve", "--location",
                             str(tmp_path_factory.mktemp("oxserve")), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.server
def test_sparql_endpoint_answers_every_named_query_like_memory(corpus, memory, oxigraph_server,
                                                               tmp_path):
    settings = _publish(corpus, tmp_path / "idx", oxigraph_server)
    with open_store(settings) as store:
        assert store.kind == "endpoint"
        assert store.triple_count() == memory.triple_count()
        assert _answers(store) == _answers(memory)
        with pytest.raises(ReadOnlyError):
            store.query("DROP ALL")


@pytest.mark.server
def test_sparql_endpoint_build_keeps_readers_on_their_graph(corpus, oxigraph_server, tmp_path):
    first = _publish(corpus, tmp_path / "idx", oxigraph_server)
    old = open_store(first)
    _publish(corpus, tmp_path / "idx", oxigraph_server)
    new = open_store(first)
    assert old.endpoint.graph != new.endpoint.graph
    assert old.triple_count() == new.triple_count()  # the old graph is still there for its readers
    _publish(corpus, tmp_path / "idx", oxigraph_server)  # publishing it prunes the first build
    assert old.triple_count() > 0
    _publish(corpus, tmp_path / "idx", oxigraph_server)  # the next build drops the pruned one's graph
    assert old.triple_count() == 0

"""Stores: memory, Oxigraph on disk and a SPARQL endpoint answer the named queries alike."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
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
from kg.store import (QueryRunner, QueryTimeoutError, ReadOnlyError, StoreError, check_read_only,
                      open_store)
from kg.workspace import Workspace
from tests import servers

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "000_61c5a3a787465ec8.txt"
P176 = "13073022P008368100011"
PARAMS = {
    "project_detail": {"year": 2022, "code": P176},
    "indicators_of_project": {"year": 2022, "code": P176},
    "document_info": {"doc": "冀财社〔2021〕176号"},
    "document_projects": {"doc": "冀财社〔2021〕176号"},
    "document_mentions": {"doc": "冀财社〔2021〕176号"},
    "notice_allocations": {"doc": "冀财社〔2021〕176号"},
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
    # the printed form is stored only where the store's canonical decimal would lose digits
    rows = oxigraph.query(f'SELECT ?b ?bp ?fp WHERE {{ ?p hk:projectCode "{code}" ; hk:year 2022 ; '
                          "hk:budgetWan ?b ; hk:fiscalWan ?f . "
                          "OPTIONAL { ?p hk:budgetPrinted ?b_printed } OPTIONAL { ?p hk:fiscalPrinted ?f_printed } "
                          "BIND(COALESCE(?b_printed, STR(?b)) AS ?bp) BIND(COALESCE(?f_printed, STR(?f)) AS ?fp) }").rows
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


def test_a_runaway_query_is_stopped(corpus, tmp_path):
    settings = _publish(corpus, tmp_path / "idx", "memory")
    with QueryRunner(settings) as runner, pytest.raises(QueryTimeoutError, match="时间上限"):
        runner.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=0.5)


def test_virtuoso_bulk_loader_is_configured_from_the_environment(monkeypatch):
    from kg.settings import load_settings
    from kg.store.virtuoso import BulkLoader, bulk_loader

    monkeypatch.setenv("HRSS_VIRTUOSO_ISQL", "127.0.0.1:1111")
    monkeypatch.setenv("HRSS_VIRTUOSO_LOAD_DIR", "/srv/virtuoso/load")
    monkeypatch.setenv("HRSS_ENDPOINT_PASSWORD", "s3cret")
    s = load_settings()
    assert (s.virtuoso_isql, s.virtuoso_load_dir) == ("127.0.0.1:1111", Path("/srv/virtuoso/load"))
    assert bulk_loader(s.with_(virtuoso_isql="")) is None
    loader = BulkLoader("isql-vt", "127.0.0.1:1111", "dba", "s3cret")
    assert "s3cret" not in repr(loader) and "s3cret" not in repr(s)


def test_a_syntax_error_is_a_store_error(memory):
    with pytest.raises(StoreError, match="SPARQL"):
        memory.query("SELECT ?x WHERE { ?x ")


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    with servers.oxigraph_server(tmp_path_factory.mktemp("oxserve")) as url:
        yield url


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


# ---------------------------------------------------------------- Virtuoso

@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """Debian's Virtuoso 7 on 127.0.0.1 with its own ini and database, stopped after the module."""
    # the row and time limits are kept small so that a cut answer is seen with the sample's few rows
    with servers.virtuoso_server(tmp_path_factory.mktemp("virtuoso"), max_rows=100, max_seconds=5) as v:
        yield v.url


def _virtuoso_settings(url: str, index_dir: Path) -> Settings:
    return servers.Virtuoso(url, "", index_dir).settings(index_dir)


def _publish_with(corpus, settings: Settings) -> Settings:
    ws = Workspace(settings.index_dir)
    out = ws.new_build()
    graph_step(derive_context(corpus, settings.with_(sparql_row_cap=100_000)), out)
    ws.publish(out)
    return settings


@pytest.mark.server
def test_virtuoso_row_limit_never_cuts_a_read_silently(corpus, virtuoso, tmp_path):
    # The server returns at most 100 rows (ResultSetMaxRows) and says so only in a header.
    settings = _publish_with(corpus, _virtuoso_settings(virtuoso, tmp_path / "idx"))
    everything = "SELECT ?i WHERE { ?p hk:hasIndicator ?i }"  # 259 rows
    with open_store(settings) as store, pytest.raises(StoreError, match="只返回了前 100 行"):
        store.query(everything)
    with open_store(settings.with_(sparql_row_cap=100)) as store:
        result = store.query(everything)
        assert len(result.rows) == 100 and result.truncated
    path = tmp_path / "graph.nt"
    result = CliRunner().invoke(cli, ["export", "--format", "nt", "-o", str(path), "--store", virtuoso,
                                      "--indexes", str(settings.index_dir)],
                                env={"HRSS_ENDPOINT_USER": "dba", "HRSS_ENDPOINT_PASSWORD": "dba",
                                     "HRSS_ENDPOINT_UPDATE_PATH": "/sparql-auth"})
    assert result.exit_code == 1 and "导出未写出" in result.output and not path.exists()


@pytest.mark.server
def test_virtuoso_time_limit_is_a_timeout_error(corpus, virtuoso, tmp_path):
    # Past MaxQueryExecutionTime the server answers 500 "SR171: Transaction timed out"
    settings = _publish_with(corpus, _virtuoso_settings(virtuoso, tmp_path / "idx"))
    with open_store(settings) as store, pytest.raises(QueryTimeoutError, match="MaxQueryExecutionTime"):
        store.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?p ?o . ?c ?p ?o . ?d ?p ?o }")


@pytest.mark.server
def test_virtuoso_build_refuses_updates_and_service_through_the_runner(corpus, virtuoso, tmp_path):
    settings = _publish_with(corpus, _virtuoso_settings(virtuoso, tmp_path / "idx"))
    with QueryRunner(settings) as runner:
        assert runner.query("SELECT (COUNT(?p) AS ?n) WHERE { ?p a hk:Project }").rows == [{"n": 44}]
        with pytest.raises(ReadOnlyError):
            runner.query("DROP ALL")
        with pytest.raises(StoreError, match="SERVICE"):
            runner.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        graph = runner.graphs[0]
        assert runner.query(f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}").rows[0]["n"] > 0


# ---------------------------------------------------------------- kg serve


@pytest.fixture(scope="module")
def served(corpus, tmp_path_factory):
    from kg.store.serve import make_server

    settings = _publish(corpus, tmp_path_factory.mktemp("serve"), "oxigraph").with_(sparql_timeout_s=5.0)
    server, stop = make_server(settings, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()
    stop()


def _http(url: str, *, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str, str]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode("utf-8")


BY_YEAR = ("SELECT ?year (COUNT(?p) AS ?n) WHERE { ?p a hk:Project ; hk:year ?year } "
           "GROUP BY ?year ORDER BY ?year")


def test_serve_answers_get_with_sparql_json(served):
    status, ctype, body = _http(f"{served}?{urllib.parse.urlencode({'query': BY_YEAR})}")
    assert status == 200 and ctype.startswith("application/sparql-results+json")
    doc = json.loads(body)
    assert doc["head"]["vars"] == ["year", "n"]
    assert [(b["year"]["value"], b["n"]["value"]) for b in doc["results"]["bindings"]] == [
        ("2021", "20"), ("2022", "24")]
    assert doc["results"]["bindings"][0]["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_serve_answers_post_form_as_csv_and_raw_query_as_tsv(served):
    query = f'SELECT ?bp WHERE {{ ?p hk:projectCode "{P176}" ; hk:year 2022 ; hk:budgetPrinted ?bp }}'
    status, ctype, body = _http(served, data=urllib.parse.urlencode({"query": query}).encode(),
                                headers={"Accept": "text/csv",
                                         "Content-Type": "application/x-www-form-urlencoded"})
    assert (status, ctype.split(";")[0], body) == (200, "text/csv", "bp\r\n1384.00\r\n")
    status, ctype, body = _http(served, data=query.encode(), headers={
        "Accept": "text/tab-separated-values", "Content-Type": "application/sparql-query"})
    assert (status, body) == (200, '?bp\n"1384.00"\n')


def test_serve_gives_construct_as_ntriples(served):
    query = f'CONSTRUCT {{ ?p hk:projectCode ?c }} WHERE {{ ?p hk:projectCode ?c FILTER(?c = "{P176}") }}'
    status, ctype, body = _http(f"{served}?{urllib.parse.urlencode({'query': query})}")
    assert status == 200 and ctype.startswith("application/n-triples")
    assert body.splitlines() == [
        f'<https://w3id.org/hrss-kg/id/project/130730/2022/{P176}> <https://w3id.org/hrss-kg/projectCode> "{P176}" .']


@pytest.mark.parametrize("form, status, message", [
    ({"update": "DROP ALL"}, 403, "只读"),
    ({"query": "DELETE WHERE { ?s ?p ?o }"}, 403, "只读：不允许 SPARQL 更新（DELETE）"),
    ({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, 400, "SERVICE"),
    ({"query": "SELECT * WHERE " + "{" * 20_000 + "}" * 20_000}, 400, "嵌套"),
    ({"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "http://example.org/g"}, 400,
     "只能查询本图谱的图"),
    ({"query": "SELECT ?x WHERE { ?x "}, 400, "SPARQL 查询出错"),
])
def test_serve_refuses_with_a_status_and_a_chinese_message(served, form, status, message):
    got, _ctype, body = _http(served, data=urllib.parse.urlencode(form).encode())
    assert got == status and message in body


def test_serve_answers_while_a_runaway_query_is_killed(served):
    slow = urllib.parse.urlencode(
        {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
    box = {}
    t = threading.Thread(target=lambda: box.update(slow=_http(f"{served}?{slow}")))
    t.start()
    time.sleep(0.3)
    status, _ctype, body = _http(f"{served}?{urllib.parse.urlencode({'query': BY_YEAR, 'format': 'csv'})}")
    assert t.is_alive() and (status, body) == (200, "year,n\r\n2021,20\r\n2022,24\r\n")
    t.join(30)
    assert box["slow"][0] == 503 and "时间上限 5 秒" in box["slow"][2]


def test_serve_command_has_help():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "127.0.0.1" in result.output

"""Two real SPARQL servers, Virtuoso 7 and `oxigraph serve`, answer every named query as the embedded
Oxigraph store does on the same sources: the sample county, the invented two counties
(tests/regions_fixture.py, one amount changed so that every named query has rows) and an invented
provincial notice with the county tables that cite it (tests/data/reconcile).

Each answer is compared with the embedded store's, value by value with its type, so an amount is
the same Decimal (Virtuoso and Oxigraph keep xsd:decimal by value: "44.00" comes back as 44.0 or 44)
and a printed amount (hk:budgetPrinted …) the same string. The graph's shape is not written here:
the named queries are read from kg/queries/ and their parameters filled from the fixtures' values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.context import derive_context
from kg.corpus import load_corpus
from kg.queries import NamedQuery, named_queries
from kg.settings import Settings
from kg.steps import graph_step
from kg.store import QueryRunner, Store, open_store, read_graph_info
from kg.store.virtuoso import IsqlError, bulk_loader
from kg.workspace import Workspace
from tests.regions_fixture import NOTICE, project_code, write_counties
from tests.servers import ISQL_BIN, oxigraph_server, require, virtuoso_server
from views.model.sparql import bind_query

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "000_61c5a3a787465ec8.txt"
QUERIES = sorted(named_queries())
SERVERS = ("virtuoso", "oxigraph-serve")
# Parameter values as a user types them on the CLI (--param year=2022) or the SPARQL page.
VALUES = {
    "sample": {"year": "2022", "code": "13073022P008368100011", "doc": "冀财社〔2021〕176号",
               "unit": "316007"},
    "counties": {"year": "2022", "code": project_code("130731", 2022, "901002"), "doc": NOTICE,
                 "unit": "901002"},
    "notices": {"year": "2022", "code": "13073122Z8L4CXJM00001", "doc": "冀财社〔2022〕60号", "unit": "327006"},
}
# An ingested provincial notice with its allocation table, a forwarding city notice and three counties'
# tables citing it (tests/make_reconcile_fixtures.py): notice_allocations has rows only here.
NOTICES = ROOT / "tests" / "data" / "reconcile"
NOTICE_FILES = ("province_2022.txt", "city_2022.txt", "huailai_2022.txt", "zhuolu_2022.txt", "chicheng_2022.txt")


def _param_sets(query: NamedQuery, values: dict[str, str]) -> list[dict[str, str]]:
    """The required parameters alone, with each optional one, and with all of them."""
    missing = [p.name for p in query.parameters if p.name not in values]
    if missing:
        raise AssertionError(f"{query.name}: no test value for parameter(s) {missing}; add them to VALUES")
    required = {p.name: values[p.name] for p in query.parameters if not p.optional}
    optional = [p.name for p in query.parameters if p.optional]
    sets = [required, *({**required, o: values[o]} for o in optional)]
    if len(optional) > 1:
        sets.append({**required, **{o: values[o] for o in optional}})
    return sets


def _typed(rows: list[dict[str, object]]) -> list[dict[str, tuple[str, object]]]:
    """Each value with its type: Decimal("44.0") equals Decimal("44.00"), never the int 44 or a float."""
    return [{k: (type(v).__name__, v) for k, v in row.items()} for row in rows]


_ORDER_BY = re.compile(r"\bORDER\s+BY\b(.*?)(?:\bLIMIT\b|\bOFFSET\b|$)", re.IGNORECASE | re.DOTALL)


def _order_keys(sparql: str) -> list[str]:
    """The variables of the query's last ORDER BY clause."""
    clauses = _ORDER_BY.findall(sparql)
    return re.findall(r"[?$](\w+)", clauses[-1]) if clauses else []


def _comparable(sparql: str, rows: list[dict[str, object]]) -> tuple[list, list]:
    """The rows as a multiset, and their sequence of ORDER BY keys: rows that tie on every key may
    come in any order (each engine breaks ties its own way), everything else must not differ."""
    typed = _typed(rows)
    keys = [k for k in _order_keys(sparql) if rows and k in rows[0]]
    return (sorted(typed, key=repr), [tuple(r[k] for k in keys) for r in typed])


def _answers(store: Store, source: str) -> dict[str, tuple[list, list]]:
    queries = named_queries()
    out = {}
    for name in QUERIES:
        for params in _param_sets(queries[name], VALUES[source]):
            text = queries[name].bind(**params)
            out[f"{name} {params}"] = _comparable(text, store.query(text).rows)
    return out


def _publish(corpus, settings: Settings) -> Settings:
    """A published build holding only the graph, as `kg build`'s graph step writes it."""
    ws = Workspace(settings.index_dir)
    out = ws.new_build()
    graph_step(derive_context(corpus, settings), out)
    ws.publish(out)
    return settings


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    counties = write_counties(tmp_path_factory.mktemp("counties"))
    # one project whose 财政资金 + 其他资金 ≠ 预算数, so that amount_mismatches has a row to compare
    text = counties[1].read_text(encoding="utf-8")
    mismatch = text.replace("预算数\t20.00\t其中：财政资金\t20.00", "预算数\t20.00\t其中：财政资金\t18.50")
    assert mismatch != text
    counties[1].write_text(mismatch, encoding="utf-8")
    return {"sample": load_corpus([SAMPLE]), "counties": load_corpus(counties),
            "notices": load_corpus([NOTICES / name for name in NOTICE_FILES])}


@pytest.fixture(scope="module")
def embedded(corpora, tmp_path_factory):
    """The embedded Oxigraph store of each source: the answers every server must give."""
    stores = {}
    for source, corpus in corpora.items():
        settings = _publish(corpus, Settings(index_dir=tmp_path_factory.mktemp(f"emb-{source}"),
                                             store="oxigraph"))
        stores[source] = open_store(settings)
    yield stores
    for store in stores.values():
        store.close()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as v:
        yield v


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxserve")) as url:
        yield url


@pytest.fixture(scope="module")
def served(request, corpora, tmp_path_factory) -> Callable[[str], dict[str, Settings]]:
    """Settings of each source's build on a server (loaded through the Graph Store Protocol), by
    server; a server is started on first use, so a missing Virtuoso leaves oxigraph serve's tests."""
    builds: dict[str, dict[str, Settings]] = {}

    def on(server: str) -> dict[str, Settings]:
        if server not in builds:
            if server == "virtuoso":
                make = request.getfixturevalue("virtuoso").settings
            else:
                url = request.getfixturevalue("oxigraph_url")
                make = lambda idx: Settings(index_dir=idx, store=url)  # noqa: E731
            builds[server] = {source: _publish(corpus, make(tmp_path_factory.mktemp(f"{server}-{source}")))
                              for source, corpus in corpora.items()}
        return builds[server]

    return on


@pytest.mark.parametrize("name", QUERIES)
@pytest.mark.parametrize("server", SERVERS)
def test_server_answers_the_named_query_like_the_embedded_store(server, name, served, embedded):
    queries = named_queries()
    for source, settings in served(server).items():
        with open_store(settings) as store:
            assert store.kind == "endpoint"
            for params in _param_sets(queries[name], VALUES[source]):
                text = queries[name].bind(**params)
                got = _comparable(text, store.query(text).rows)
                assert got == _comparable(text, embedded[source].query(text).rows), f"{source} {params}"


@pytest.mark.parametrize("server", SERVERS)
def test_server_holds_as_many_triples_as_the_embedded_store(server, served, embedded):
    for source, settings in served(server).items():
        with open_store(settings) as store:
            assert store.triple_count() == embedded[source].triple_count() > 0, source


def test_the_sources_give_every_named_query_rows(embedded):
    # a comparison of two empty answers proves nothing: every query answers on one of the sources
    empty = {name for name in QUERIES if not any(
        rows for source in VALUES for key, (rows, _) in _answers(embedded[source], source).items()
        if key.split(" ", 1)[0] == name)}
    assert not empty


USER_QUERIES = [
    # written by a user on the SPARQL page, over any graph shape: each predicate's count, decimals in
    # order, short plain strings (Chinese names) in order, an ASK
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isLiteral(?o) && datatype(?o) = xsd:decimal) } "
    "GROUP BY ?o ORDER BY DESC(?o)",
    "SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && lang(?o) = \"\" && "
    "datatype(?o) = xsd:string && STRLEN(STR(?o)) < 12) } ORDER BY ?o",
    "ASK { ?s ?p ?o }",
]


@pytest.mark.parametrize("server", SERVERS)
def test_sparql_page_runner_answers_through_the_server_like_the_embedded_store(server, served, embedded):
    queries = named_queries()
    for source, settings in served(server).items():
        texts = list(USER_QUERIES)
        for name in ("project_detail", "document_projects", "projects_by_year"):
            q = queries[name]
            texts.append(bind_query(q, q.sparql, {p.name: VALUES[source][p.name] for p in q.parameters}))
        with QueryRunner(settings) as runner, QueryRunner(embedded[source].settings) as local:
            for text in texts:
                got, want = runner.query(text, limit=1000), local.query(text, limit=1000)
                assert (got.columns, _comparable(text, got.rows), got.truncated) == \
                    (want.columns, _comparable(text, want.rows), want.truncated), f"{source}: {text[:60]}"


# ---------------------------------------------------------------- Virtuoso's bulk loader


def test_virtuoso_bulk_loader_and_graph_store_give_the_same_graph(corpora, embedded, virtuoso, served,
                                                                   tmp_path):
    require(ISQL_BIN, "isql-vt is not installed (make virtuoso)")
    for source, corpus in corpora.items():
        bulk = _publish(corpus, virtuoso.settings(tmp_path / source, bulk=True))
        store_path = served("virtuoso")[source]
        bulk_build, gsp_build = Workspace(bulk.index_dir).current, Workspace(store_path.index_dir).current
        assert read_graph_info(bulk_build)["loader"] == "virtuoso-bulk"
        assert read_graph_info(gsp_build)["loader"] == "graph-store"
        with open_store(bulk) as b, open_store(store_path) as g:
            assert b.triple_count() == g.triple_count() == embedded[source].triple_count()
            assert _answers(b, source) == _answers(g, source)
    assert not [p for p in virtuoso.folder.iterdir() if p.name.startswith("hrss-load-")]


def test_virtuoso_bulk_loader_reports_a_file_the_server_could_not_load(virtuoso):
    require(ISQL_BIN, "isql-vt is not installed (make virtuoso)")
    loader = bulk_loader(virtuoso.settings(virtuoso.folder, bulk=True))
    with pytest.raises(IsqlError, match="批量装载失败"):
        loader.load("urn:hrss-test:broken", [b"<urn:a> <urn:b> not a term .\n"])
    assert not [p for p in virtuoso.folder.iterdir() if p.name.startswith("hrss-load-")]


def test_virtuoso_bulk_loader_falls_back_to_the_graph_store_when_isql_cannot_log_in(
        corpora, virtuoso, embedded, tmp_path):
    settings = virtuoso.settings(tmp_path, bulk=True).with_(virtuoso_isql="127.0.0.1:1")  # nothing there
    _publish(corpora["sample"], settings)
    info = read_graph_info(Workspace(tmp_path).current)
    assert info["loader"].startswith("graph-store (isql 127.0.0.1:1")
    assert info["triples"] == embedded["sample"].triple_count()


def test_virtuoso_build_records_no_credentials(virtuoso, served):
    info = read_graph_info(Workspace(served("virtuoso")["sample"].index_dir).current)
    assert "dba" not in json.dumps(info) and set(info) == {"triples", "backend", "url", "graph", "loader"}



def test_a_missing_server_is_skipped_here_and_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="not installed"):
        require(None, "virtuoso-opensource is not installed")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        require(None, "virtuoso-opensource is not installed")

"""User SPARQL cannot hurt the process that serves it: refused lexically, or stopped in its worker.

Each hostile query runs on the memory store and on Oxigraph through the one QueryRunner that
`kg sparql`, the SPARQL page and `kg serve` use, while another query answers meanwhile.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from kg.corpus import load_corpus
from kg.context import derive_context
from kg.steps import graph_step
from kg.settings import Settings
from kg.store import (QueryMemoryError, QueryRefusedError, QueryRunner, QueryTimeoutError,
                      ReadOnlyError, StoreError, check_query)
from kg.workspace import Workspace

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "000_61c5a3a787465ec8.txt"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a hk:Project }"
CARTESIAN_ORDER = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
CONCAT_DOUBLING = ('SELECT ?a40 WHERE { BIND("abcdefghijklmnop" AS ?a0) '
                   + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(40)) + " }")
CATASTROPHIC_REGEX = 'ASK { FILTER(REGEX("' + "a" * 40 + 'b", "^(a+)+$")) }'
CPU_BOUND = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([SAMPLE])


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def runner(request, corpus, tmp_path_factory):
    settings = Settings(index_dir=tmp_path_factory.mktemp(request.param), store=request.param,
                        sparql_memory_mb=40, sparql_timeout_s=120.0, sparql_workers=2)
    ws = Workspace(settings.index_dir)
    out = ws.new_build()
    graph_step(derive_context(corpus, settings), out)
    ws.publish(out)
    with QueryRunner(settings) as r:
        yield r


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 that records whether anything connected."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.3)
    yield sock
    sock.close()


def _connected(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except TimeoutError:
        return False
    conn.close()
    return True


def _meanwhile(runner: QueryRunner, hostile: str, timeout: float) -> tuple[BaseException | None, list, float, float]:
    """Run `hostile` in a thread; meanwhile a normal query. (error, its rows, when each finished)."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            runner.query(hostile, timeout=timeout)
        except BaseException as e:  # handed to the test
            box["error"] = e
        box["done"] = time.monotonic()

    # two warm workers first, so that the second query does not wait for a process to start
    warm = [threading.Thread(target=runner.query, args=(COUNT,)) for _ in range(2)]
    for w in warm:
        w.start()
    for w in warm:
        w.join(60)
    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.2)
    rows = runner.query(COUNT).rows
    answered = time.monotonic()
    t.join(60)
    assert not t.is_alive()
    return box.get("error"), rows, answered, box["done"]  # type: ignore[return-value]


def test_service_is_refused_before_any_request(runner, listener):
    port = listener.getsockname()[1]
    with pytest.raises(QueryRefusedError, match="不允许 SERVICE"):
        runner.query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}")
    assert not _connected(listener)


def test_service_past_the_check_still_reaches_no_listener(runner, listener, monkeypatch):
    # The worker has no network of its own: even a query the check let through cannot call out.
    port = listener.getsockname()[1]
    monkeypatch.setattr(runner, "check", lambda sparql: "SELECT")
    with pytest.raises(StoreError):
        runner.query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}")
    assert not _connected(listener)
    assert runner.query(COUNT).rows == [{"n": 44}]


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_from_another_graph_is_refused(runner, listener, clause):
    port = listener.getsockname()[1]
    with pytest.raises(QueryRefusedError, match="FROM 只能指定本图谱的图"):
        runner.query(f"SELECT * {clause} <http://127.0.0.1:{port}/g.ttl> WHERE {{ ?s ?p ?o }}")
    assert not _connected(listener)


def test_twenty_thousand_nested_braces_are_refused_without_parsing(runner):
    query = "SELECT * WHERE " + "{" * 20_000 + "?s ?p ?o" + "}" * 20_000
    with pytest.raises(QueryRefusedError, match="嵌套超过 40 层"):
        runner.query(query)
    assert runner.query(COUNT).rows == [{"n": 44}]


def test_an_overlong_query_is_refused(runner):
    with pytest.raises(QueryRefusedError, match="超过上限 100,000 字符"):
        runner.query("SELECT * WHERE { ?s ?p ?o }" + " " * 100_000)


def test_updates_are_refused_by_the_runner(runner):
    with pytest.raises(ReadOnlyError, match="只读：不允许 SPARQL 更新（INSERT）"):
        runner.query("INSERT DATA { <urn:a> <urn:b> 1 }")


@pytest.mark.parametrize("hostile", [CARTESIAN_ORDER, CONCAT_DOUBLING], ids=["order-by", "concat"])
def test_memory_hungry_queries_are_stopped_by_the_memory_limit(runner, hostile):
    error, rows, _answered, _done = _meanwhile(runner, hostile, timeout=120)
    assert isinstance(error, QueryMemoryError), error
    assert "内存上限（40 MB）" in str(error)
    assert rows == [{"n": 44}]
    assert runner.query(COUNT).rows == [{"n": 44}]  # the next query gets a fresh worker


def test_catastrophic_regex_cannot_outlast_the_time_limit(runner):
    error, rows, answered, done = _meanwhile(runner, CATASTROPHIC_REGEX, timeout=8)
    if runner.settings.store == "memory":
        # Python's re backtracks exponentially, holding the GIL: only killing the worker stops it
        assert isinstance(error, QueryTimeoutError) and "时间上限 8 秒" in str(error)
        assert answered < done
    else:
        assert error is None  # Oxigraph's regex engine is linear: it just answers
    assert rows == [{"n": 44}]


def test_a_cpu_bound_query_is_killed_at_the_time_limit(runner):
    error, rows, answered, done = _meanwhile(runner, CPU_BOUND, timeout=8)
    assert isinstance(error, QueryTimeoutError) and "时间上限 8 秒" in str(error)
    assert answered < done
    assert rows == [{"n": 44}]


@pytest.mark.parametrize("query, form", [
    ('SELECT ?s WHERE { ?s hk:projectName "SERVICE { {{{{" }', "SELECT"),
    ("SELECT ?service WHERE { ?service a hk:Project }", "SELECT"),
    ("PREFIX service: <urn:x:>\nASK { ?s service:p ?o }", "ASK"),
    ("# SERVICE <http://x/> in a comment\nASK {}", "ASK"),
    ("SELECT * FROM <https://w3id.org/hrss-kg/build/x/1> WHERE { ?s ?p ?o }", "SELECT"),
])
def test_the_check_reads_past_strings_comments_and_names(query, form):
    assert check_query(query, max_chars=10_000, max_depth=5,
                       graphs=("https://w3id.org/hrss-kg/build/x/1",)) == form


@pytest.mark.parametrize("query, message", [
    ('SELECT * WHERE { ?s ?p "open }', "没有结束引号"),
    ("SELECT * WHERE { service <urn:x> { ?s ?p ?o } }", "SERVICE"),
    ("PREFIX g: <http://127.0.0.1/>\nSELECT * FROM g:x WHERE { ?s ?p ?o }", "不能指定 <http://127.0.0.1/x>"),
    ("SELECT * WHERE { ?s ?p [ ?q [ ?r [ ?t ( 1 ( 2 ) ) ] ] ] }", "嵌套超过 5 层"),
    ("ASK { FILTER(?a<((((((1))))))>?b) }", "嵌套超过 5 层"),  # `<` read as an operator
])
def test_the_check_refuses(query, message):
    with pytest.raises(QueryRefusedError, match=message):
        check_query(query, max_chars=10_000, max_depth=5)


# ---------------------------------------------------------------- the SPARQL page


@pytest.fixture(scope="module")
def page_env(tmp_path_factory):
    from kg.build import build

    tmp = tmp_path_factory.mktemp("page")
    (tmp / "data").mkdir()
    (tmp / "data" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    settings = Settings(data_dir=tmp / "data", index_dir=tmp / "indexes", store="oxigraph")
    build(settings)
    return settings


def _page(page_env, monkeypatch, query: str):
    from streamlit.testing.v1 import AppTest

    for name, value in {"HRSS_DATA_DIR": page_env.data_dir, "HRSS_INDEX_DIR": page_env.index_dir,
                        "HRSS_STORE": "oxigraph", "HRSS_SPARQL_MEMORY_MB": 60}.items():
        monkeypatch.setenv(name, str(value))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("views/sparql.py").run()
    at.text_area(key="sparql-text").set_value(query)
    at.button(key="sparql-run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("query, message", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "不允许 SERVICE"),
    ("SELECT * WHERE " + "{" * 20_000 + "}" * 20_000, "嵌套超过 40 层"),
    (CONCAT_DOUBLING, "内存上限（60 MB）"),
])
def test_sparql_page_shows_why_a_query_was_stopped(page_env, monkeypatch, query, message):
    at = _page(page_env, monkeypatch, query)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert not at.dataframe


def test_sparql_page_answers_through_the_runner(page_env, monkeypatch):
    at = _page(page_env, monkeypatch, COUNT)
    assert not at.error
    assert at.dataframe[0].value.to_dict("records") == [{"n": 44}]


def test_a_parser_crash_past_the_check_costs_only_the_worker(runner, monkeypatch):
    # Without the check, 3,000 nested braces overflow the parser's stack (pyoxigraph: SIGSEGV);
    # only the worker dies, and the next query gets a fresh one.
    monkeypatch.setattr(runner, "check", lambda sparql: "SELECT")
    with pytest.raises(StoreError):
        runner.query("SELECT * WHERE " + "{" * 3_000 + "}" * 3_000)
    assert runner.query(COUNT).rows == [{"n": 44}]

"""Several users at once: concurrent sessions on the Streamlit server while one runs a slow SPARQL query.

    python -m bench.ui_load --sessions 10 --seconds 60        # make ui-load
    python -m bench.ui_load --sessions 3 --seconds 8 --views 6   # what tests/test_ui_load.py runs

Builds the sample (data/) into a temporary index, starts `streamlit run app.py` on 127.0.0.1 and
opens `--sessions` browser sessions over Streamlit's own websocket protocol (what the page's
JavaScript speaks: a BackMsg `rerun_script` with the page and its query string, answered by
ForwardMsgs up to `script_finished`). Each session opens search, trace and project pages in turn,
at most `--views` pages, until `--seconds` have passed; one more session runs a SPARQL query over a
cartesian product (stopped by the page's time limit) again and again meanwhile. A page's time is from
sending the rerun to its `script_finished`; an error is an exception box, an error alert, a script
that did not finish, or a dropped connection. Results go to bench/results/ui-load.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.ui_server import ROOT, streamlit_server

__all__ = ["SLOW_SPARQL", "PAGES", "Session", "run_load", "main"]

RESULTS = ROOT / "bench" / "results" / "ui-load.json"
# Every triple against every triple: far beyond any time limit on any store.
SLOW_SPARQL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# (page url path, query parameters) that each browsing session opens in turn
PAGES: list[tuple[str, dict[str, str]]] = [
    ("search", {"q": "就业补助"}),
    ("trace", {"doc": "怀财资〔2022〕7号"}),
    ("project", {"project": "13073022P007920100026", "year": "2022"}),
    ("search", {"q": "养老保险 个人账户", "year": "2022"}),
    ("trace", {"doc": "冀财社〔2021〕176号"}),
    ("project", {"project": "13073022P009FJ510002R", "year": "2022"}),
]
_RECV_TIMEOUT_S = 120


@dataclass
class View:
    """One page shown: its name, seconds to script_finished, and what went wrong (None when nothing)."""

    page: str
    seconds: float
    error: str | None = None


@dataclass
class Page:
    """What a page run sent: its elements' types, error texts, and widget ids by user key."""

    elements: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    widgets: dict[str, str] = field(default_factory=dict)
    finished: bool = False


class Session:
    """One browser tab's websocket to the Streamlit server."""

    def __init__(self, url: str) -> None:
        from websockets.sync.client import connect
        from websockets.typing import Subprotocol

        self._stack = ExitStack()
        self._ws = self._stack.enter_context(connect(
            url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=[Subprotocol("streamlit")], max_size=None,
            open_timeout=30))

    def close(self) -> None:
        self._stack.close()

    def open(self, page: str, params: dict[str, str], widgets: list[Any] | None = None) -> Page:
        """Run `page` with `params` (and widget states) and read its output up to script_finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = urlencode(params)
        msg.rerun_script.page_name = page
        for w in widgets or []:
            msg.rerun_script.widget_states.widgets.append(w)
        self._ws.send(msg.SerializeToString())
        out = Page()
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(self._ws.recv(timeout=_RECV_TIMEOUT_S))
            kind = fwd.WhichOneof("type")
            if kind == "script_finished":
                # 0 FINISHED_SUCCESSFULLY; 2 FINISHED_EARLY_FOR_RERUN would mean a rerun was lost
                out.finished = fwd.script_finished == 0
                return out
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                _read_element(fwd.delta.new_element, out)


def _read_element(el: Any, out: Page) -> None:
    kind = el.WhichOneof("type")
    out.elements.append(kind)
    if kind == "exception":
        out.errors.append(f"exception: {el.exception.type}: {el.exception.message}")
    elif kind == "alert" and el.alert.format == el.alert.ERROR:
        out.errors.append(f"error alert: {el.alert.body}")
    else:
        # a widget with a user key has the id "$$ID-<hash>-<key>"
        wid = getattr(getattr(el, kind, None), "id", "")
        if isinstance(wid, str) and wid.startswith("$$ID-") and wid.count("-") >= 2:
            out.widgets[wid.split("-", 2)[2]] = wid


def _timed_view(session: Session, page: str, params: dict[str, str],
                widgets: list[Any] | None = None) -> tuple[View, Page | None]:
    started = time.perf_counter()
    try:
        result = session.open(page, params, widgets)
    except Exception as e:  # a dropped connection or a timeout is an error of the run, not of the bench
        return View(page, time.perf_counter() - started, f"{type(e).__name__}: {e}"), None
    seconds = time.perf_counter() - started
    error = "; ".join(result.errors) or (None if result.finished else "script did not finish")
    return View(page, seconds, error), result


def _browse(url: str, deadline: float, max_views: int, offset: int, views: list[View]) -> None:
    session = Session(url)
    try:
        for i in range(max_views):
            if time.monotonic() >= deadline:
                break
            page, params = PAGES[(offset + i) % len(PAGES)]
            view, _ = _timed_view(session, page, params)
            views.append(view)
    finally:
        session.close()


def _sparql_widgets(ids: dict[str, str], query: str, timeout_s: float) -> list[Any]:
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    text, run, limit = WidgetState(), WidgetState(), WidgetState()
    text.id, text.string_value = ids["sparql-text"], query
    run.id, run.trigger_value = ids["sparql-run"], True
    limit.id, limit.double_value = ids["sparql-timeout"], timeout_s
    return [text, run, limit]


def _slow_sparql(url: str, browsing: threading.Event, timeout_s: float, runs: list[View], said: set[str]) -> None:
    """Run SLOW_SPARQL on the SPARQL page while the others browse; its time-out message is the expected end."""
    session = Session(url)
    try:
        _, first = _timed_view(session, "sparql", {})
        if first is None:
            runs.append(View("sparql", 0.0, "SPARQL page did not open"))
            return
        while True:
            view, page = _timed_view(session, "sparql", {}, _sparql_widgets(first.widgets, SLOW_SPARQL, timeout_s))
            # the page answers a query over the limit with an error alert: that is the limit working
            if view.error and page is not None and page.finished and all("error alert" in e for e in page.errors):
                said.update(page.errors)
                view.error = None
            runs.append(view)
            if not browsing.is_set():
                break
    finally:
        session.close()


def _p(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summarize(views: list[View]) -> dict[str, Any]:
    """Count, errors, p50/p95/max seconds, overall and per page."""
    def stats(vs: list[View]) -> dict[str, Any]:
        secs = [v.seconds for v in vs if v.error is None]
        return {"views": len(vs), "errors": sum(v.error is not None for v in vs),
                "p50_s": _round(_p(secs, 50)), "p95_s": _round(_p(secs, 95)),
                "max_s": _round(max(secs, default=None))}
    out = stats(views)
    out["pages"] = {name: stats([v for v in views if v.page == name]) for name in sorted({v.page for v in views})}
    out["error_samples"] = sorted({v.error for v in views if v.error})[:5]
    return out


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


@dataclass
class LoadResult:
    sessions: int
    seconds: float
    browse: dict[str, Any]
    alone: dict[str, Any]
    sparql: dict[str, Any]
    sparql_said: list[str]
    without_slow_query: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"schema": 1, "sessions": self.sessions, "seconds": round(self.seconds, 1),
                "alone": self.alone, "browse": self.browse, "sparql": self.sparql,
                "sparql_said": self.sparql_said, "browse_without_slow_query": self.without_slow_query}


def _concurrent(url: str, sessions: int, seconds: float, max_views: int, sparql_timeout_s: float | None,
                views: list[View], runs: list[View], said: set[str]) -> None:
    """`sessions` browsing at once until `seconds` have passed, plus the slow query when given its limit."""
    deadline = time.monotonic() + seconds
    browsing = threading.Event()
    browsing.set()
    threads = [threading.Thread(target=_browse, args=(url, deadline, max_views, i, views)) for i in range(sessions)]
    slow = threading.Thread(target=_slow_sparql, args=(url, browsing, sparql_timeout_s, runs, said))
    if sparql_timeout_s is not None:
        slow.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    browsing.clear()  # the slow query stops after its current run
    if sparql_timeout_s is not None:
        slow.join()


def run_load(url: str, sessions: int, seconds: float, max_views: int, sparql_timeout_s: float = 5.0,
             slow_query: bool = True, baseline: bool = False) -> LoadResult:
    """The load against a running server: a warm-up pass, one session alone (the floor), optionally
    the sessions without the slow query, then the sessions with it."""
    _browse(url, time.monotonic() + seconds, len(PAGES), 0, [])  # warm-up: caches of the build
    alone: list[View] = []
    _browse(url, time.monotonic() + seconds, len(PAGES), 0, alone)
    without: list[View] = []
    if baseline:
        _concurrent(url, sessions, seconds, max_views, None, without, [], set())
    views: list[View] = []
    runs: list[View] = []
    said: set[str] = set()
    started = time.monotonic()
    _concurrent(url, sessions, seconds, max_views, sparql_timeout_s if slow_query else None, views, runs, said)
    return LoadResult(sessions, time.monotonic() - started, summarize(views), summarize(alone), summarize(runs),
                      sorted(said), summarize(without) if baseline else None)


@contextmanager
def sample_server(log: Path | None = None) -> Iterator[str]:
    """The sample documents of data/ built into a temporary index and served on 127.0.0.1."""
    from kg.build import build
    from kg.settings import Settings

    with tempfile.TemporaryDirectory(prefix="hrss-ui-load-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        for f in sorted((ROOT / "data").glob("*.txt")):
            shutil.copy(f, data / f.name)
        settings = Settings(data_dir=data, index_dir=Path(tmp) / "indexes")
        build(settings)
        with streamlit_server(settings.data_dir, settings.index_dir, log=log) as url:
            yield url


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=10, help="browsing sessions at once")
    ap.add_argument("--seconds", type=float, default=60, help="how long they browse")
    ap.add_argument("--views", type=int, default=200, help="at most this many pages per session")
    ap.add_argument("--sparql-timeout", type=float, default=5.0, help="the slow query's time limit (s)")
    ap.add_argument("--no-slow-query", action="store_true", help="browse without the slow SPARQL session")
    ap.add_argument("--baseline", action="store_true",
                    help="first browse as long without the slow query, for comparison")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    with sample_server() as url:
        result = run_load(url, args.sessions, args.seconds, args.views, args.sparql_timeout,
                          not args.no_slow_query, args.baseline)
    text = json.dumps(result.to_json(), ensure_ascii=False, indent=1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

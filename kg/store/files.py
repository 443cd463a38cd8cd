"""How a build holds its graph: written by the build, appended to by `kg add`, opened by readers.

The build writes the graph for `settings.store` into its build directory and records what it wrote
in `graph.json`; `open_store` opens whatever the published build holds:

- memory: the rdflib graph pickled to `graph.pickle` (loads about twice as fast as N-Triples);
- oxigraph: a pyoxigraph database in `oxigraph/`, bulk-loaded, opened read-only;
- endpoint (settings.store is an http(s) URL): the graph is loaded into a named graph of its own
  build (through Virtuoso's bulk loader when `virtuoso_isql` is set, else the Graph Store
  Protocol); graphs of builds that no longer exist are dropped by the next build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg import ntriples as N
from kg.atomic import replaced, write_text
from kg.namespace import HK_BUILD
from kg.settings import Settings
from kg.store.base import Store, as_count
from kg.store.endpoint import Endpoint, EndpointStore
from kg.store.errors import StoreError
from kg.store.memory import MemoryStore, graph_of_lines
from kg.store.oxigraph import OxigraphStore
from kg.store.virtuoso import IsqlError, bulk_loader
from kg.workspace import NotBuiltError, Workspace

__all__ = ["GRAPH_INFO_FILE", "MEMORY_FILE", "OXIGRAPH_DIR", "StoreLoad", "open_store", "write_store",
           "start_store", "append_to_store", "class_counts", "read_graph_info"]

GRAPH_INFO_FILE = "graph.json"
MEMORY_FILE = "graph.pickle"
OXIGRAPH_DIR = "oxigraph"
_LOAD_CHUNK = 250_000  # N-Triples lines per Graph Store POST (bounds memory)
_BULK_CHUNK = 100_000  # lines per chunk handed to the loader's pipe (≈ 15 MB)
_LOAD_AHEAD = 2  # chunks joined ahead of the loader (each held until the pipe takes it)
_PIPE_NAME = ".graph-load.nt"  # the named pipe the bulk loader reads (removed when it ends)


def _is_url(store: str) -> bool:
    return store.startswith(("http://", "https://"))


def _workspace_key(index_dir: Path) -> str:
    return hashlib.sha1(str(index_dir.resolve()).encode("utf-8")).hexdigest()[:12]


def _write_info(path: Path, info: dict[str, Any]) -> None:
    write_text(path, json.dumps(info, ensure_ascii=False, indent=1))


def write_store(graph: Graph | Iterable[str], build_dir: Path, settings: Settings) -> dict[str, Any]:
    """Write the graph for settings.store into a build directory; returns what graph.json records.

    `graph` is an rdflib Graph or N-Triples lines; lines are streamed to Oxigraph's bulk loader and
    to an endpoint in chunks, never held whole.
    """
    backend = settings.store
    if backend == "memory":
        if not isinstance(graph, Graph):
            graph = graph_of_lines(graph)
        with replaced(build_dir / MEMORY_FILE) as f:
            pickle.dump(graph, f, protocol=pickle.HIGHEST_PROTOCOL)
        info: dict[str, Any] = {"triples": len(graph), "backend": "memory", "file": MEMORY_FILE}
    elif backend == "oxigraph":
        return start_store(_lines_of(graph), build_dir).wait()
    elif _is_url(backend):
        build_id = build_dir.name.removesuffix(".partial")
        key = _workspace_key(settings.index_dir)
        iri = str(HK_BUILD[f"{key}/{build_id}"])
        endpoint = Endpoint.from_settings(backend, settings, timeout=max(settings.sparql_timeout_s, 60.0))
        endpoint.update(f"DROP SILENT GRAPH <{iri}>")
        loader = _load_endpoint(endpoint, iri, _nt_chunks(graph), settings)
        _drop_stale(endpoint, settings, key)
        info = {"triples": endpoint.count(iri), "backend": "endpoint", "url": backend, "graph": iri,
                "loader": loader}
    else:
        raise StoreError(f"unknown store {backend!r}: use memory, oxigraph or an http(s) SPARQL URL")
    _write_info(build_dir / GRAPH_INFO_FILE, info)
    return info


def _load_endpoint(endpoint: Endpoint, graph: str, chunks: Iterator[bytes], settings: Settings) -> str:
    """Load the chunks into a named graph: Virtuoso's bulk loader when isql is configured and logs
    in, else the Graph Store Protocol; returns which loader ran (and why isql did not)."""
    fallback = "graph-store"
    try:
        loader = bulk_loader(settings)
        if loader is not None:  # log in and find the folder before any triple is written
            loader = dataclasses.replace(loader, load_dir=loader.writable_dir())
    except IsqlError as e:
        loader, fallback = None, f"graph-store ({e})"
    if loader is not None:
        loader.load(graph, chunks)
        return "virtuoso-bulk"
    for chunk in chunks:
        endpoint.post_graph(graph, chunk)
    return fallback


class StoreLoad:
    """Oxigraph's bulk load of a build's graph: one call over a pipe, in threads of its own.

    The graph's lines are joined into chunks by the caller (Python, under the GIL) and queued; a
    writer thread passes them into a named pipe in the build directory, which Oxigraph's bulk loader
    reads in one call (Rust, off the GIL). Writing the lines, the load and the build's next steps so
    share the machine's cores. One call, not one per chunk: each call ends by ingesting its files
    into the store, and the later calls' ingestion grows with the store (at 100k, 29 calls of 1 M
    lines took 432 s where one call over the whole file took 124 s).

    `wait()` finishes the load and returns what graph.json records; `cancel()` stops it (a failed
    build). Up to `_LOAD_AHEAD` chunks are queued.

    The loader works on `threads` batches of a million triples at a time (default: every core but
    one, which the build's own steps use meanwhile; at least one). Oxigraph takes its thread count
    from the cores its calling thread may run on, so that thread starts on `threads` cores and is
    given all of them back once the loader has begun reading: its batches still run on any core,
    but fewer are held at once (≈ 350 MB each).
    """

    def __init__(self, build_dir: Path, threads: int | None = None) -> None:
        self.build_dir = build_dir
        self._cores = _cores()
        self.threads = max(1, min(threads or len(self._cores) - 1, len(self._cores)))
        self._loader_id: int | None = None
        self._pipe = build_dir / _PIPE_NAME
        # Where the file system has no named pipes the lines go to a plain file, loaded in one call
        # once the last is written (the same store, only not overlapped with the next steps).
        self.piped = _make_fifo(self._pipe)
        self._db: ox.Store | None = ox.Store(str(build_dir / OXIGRAPH_DIR))
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_LOAD_AHEAD)
        self._errors: list[BaseException] = []
        self._stop = threading.Event()
        self._loader = threading.Thread(target=self._load, args=(self._db,), name="oxigraph-bulk-load",
                                        daemon=True)
        self._writer = threading.Thread(target=self._write, name="oxigraph-bulk-write", daemon=True)
        if self.piped:
            self._loader.start()
        self._writer.start()

    def _load(self, db: ox.Store) -> None:
        try:
            if self.piped and self.threads < len(self._cores):
                try:
                    os.sched_setaffinity(0, sorted(self._cores)[:self.threads])
                    self._loader_id = threading.get_native_id()
                except OSError:  # not allowed here: the loader uses every core
                    pass
            # Every IRI comes from kg.rdf.iri (percent-encoded) and every literal from
            # kg.rdf.ntriples: validating them again would cost a third of the load.
            db.bulk_load(path=str(self._pipe), format=ox.RdfFormat.N_TRIPLES, lenient=True)
        except BaseException as e:  # raised in the build's thread by put() or wait()
            self._errors.append(e)
            self._stop.set()
            self._release_writer()

    def _release_writer(self) -> None:
        """Open and close the pipe's reading end: a writer still waiting to open it goes on, and
        finds no reader (BrokenPipeError) instead of waiting for ever."""
        try:
            os.close(os.open(self._pipe, os.O_RDONLY | os.O_NONBLOCK))
        except OSError:
            pass

    def _write(self) -> None:
        try:
            with open(self._pipe, "wb", buffering=0) as pipe:  # waits for the loader to open it
                while not self._stop.is_set():
                    chunk = self._queue.get()
                    if chunk is None:
                        return
                    view = memoryview(chunk)
                    while view:  # each write waits for room in the pipe, off the GIL
                        view = view[pipe.write(view) or 0:]
                    self._give_back_cores()
        except BrokenPipeError:  # the loader stopped: its error is the one to report
            self._stop.set()
        except BaseException as e:
            self._errors.append(e)
            self._stop.set()

    def _give_back_cores(self) -> None:
        """The loader has read a chunk, so it has counted its threads: its thread may run anywhere."""
        if self._loader_id is not None:
            try:
                os.sched_setaffinity(self._loader_id, self._cores)
            except OSError:  # the loader has already ended
                pass
            self._loader_id = None

    def _raise(self) -> None:
        if self._errors:
            raise self._errors[0]

    def put_lines(self, lines: Iterable[str]) -> None:
        """Hand N-Triples lines to the loader, joined into chunks (the last one may be short)."""
        for chunk in N.chunks(lines, _BULK_CHUNK):
            self.put(chunk)

    def put(self, chunk: bytes) -> None:
        """Hand one chunk of N-Triples to the loader (waits while `_LOAD_AHEAD` are queued)."""
        while True:
            self._raise()
            if self._stop.is_set():
                raise StoreError("the Oxigraph bulk load stopped")
            try:
                self._queue.put(chunk, timeout=0.1)
                return
            except queue.Full:
                continue

    def _end_input(self) -> None:
        while self._writer.is_alive():
            try:
                self._queue.put(None, timeout=0.1)
                break
            except queue.Full:
                continue
        self._writer.join()

    def wait(self) -> dict[str, Any]:
        """Finish the load and compact the store; what graph.json records (written), and the
        compaction's seconds (`compact_s`)."""
        self._end_input()
        if not self.piped and not self._stop.is_set():
            self._loader.start()  # the file is whole: load it in one call
        if self._loader.ident is not None:
            self._loader.join()
        self._pipe.unlink(missing_ok=True)
        self._raise()
        db = self._db
        if db is None or self._stop.is_set():
            raise StoreError(f"{self.build_dir}: the Oxigraph load did not finish")
        db.flush()
        # The bulk loader leaves LZ4-compressed files that every read decompresses again; compacted,
        # the store reads several times faster at a province's size (100k projects: a 200k-row
        # query 5.7 → 1.3 s, `kg export` 266 → 66 s; 18–25 s of compaction, 1.2 → 2.0 GB on disk).
        t0 = time.perf_counter()
        db.optimize()
        compacted = round(time.perf_counter() - t0, 3)
        info = {"triples": len(db), "backend": "oxigraph", "dir": OXIGRAPH_DIR}
        self._db = None
        _write_info(self.build_dir / GRAPH_INFO_FILE, info)
        return {**info, "compact_s": compacted}

    def cancel(self) -> None:
        """Stop loading and close the store; the build is being discarded."""
        self._stop.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._end_input()  # closes the pipe: the loader reads its end and returns
        if self._loader.ident is not None:
            self._loader.join()
        self._pipe.unlink(missing_ok=True)
        self._db = None


def _cores() -> set[int]:
    """The cores this process may run on (one where the system cannot tell)."""
    try:
        return set(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return {0}


def _make_fifo(path: Path) -> bool:
    """Make a named pipe at path; False where the system or file system has none."""
    try:
        os.mkfifo(path)
    except (AttributeError, NotImplementedError, PermissionError, OSError):
        return False
    return True


def start_store(lines: Iterable[str], build_dir: Path) -> StoreLoad:
    """Oxigraph: the lines written to a new store in build_dir by a loader in the background; returns
    when the last chunk is handed over (`.wait()` for the end of the load)."""
    load = StoreLoad(build_dir)
    try:
        load.put_lines(lines)
    except BaseException:
        load.cancel()
        raise
    return load


def _lines_of(graph: Graph | Iterable[str]) -> Iterable[str]:
    if isinstance(graph, Graph):
        data = graph.serialize(format="nt", encoding="utf-8")
        return data.decode("utf-8").splitlines(keepends=True)
    return graph


def _nt_chunks(graph: Graph | Iterable[str]) -> Iterator[bytes]:
    return N.chunks(_lines_of(graph), _LOAD_CHUNK)


def read_graph_info(build_dir: Path) -> dict[str, Any]:
    """What a build's graph.json records (NotBuiltError when the build has no graph)."""
    info_path = build_dir / GRAPH_INFO_FILE
    if not info_path.exists():
        raise NotBuiltError(f"{build_dir}: no graph in this build")
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise StoreError(f"{info_path}: damaged graph record ({e}); rebuild with `python -m kg build`"
                         ) from e
    if not isinstance(info, dict):
        raise StoreError(f"{info_path}: damaged graph record; rebuild with `python -m kg build`")
    return info


def append_to_store(lines: Iterable[str], build_dir: Path, settings: Settings) -> int:
    """Add N-Triples lines to a build's graph in one transaction; returns the new triple count.

    Oxigraph: readers holding the store open see the graph before or after, never between. A SPARQL
    endpoint: the lines are posted to the build's named graph. The memory store cannot be appended
    to in place (StoreError): rebuild instead.
    """
    info = read_graph_info(build_dir)
    backend = info.get("backend")
    if backend == "oxigraph":
        db = ox.Store(str(build_dir / info["dir"]))
        data = "".join(lines).encode("utf-8")
        # Count what is new rather than len(db), which walks the whole store.
        fresh = sum(1 for q in {*ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}
                    if ox.Quad(q.subject, q.predicate, q.object) not in db)
        # load() is transactional (bulk_load is not): all the new triples appear at once
        db.load(data, format=ox.RdfFormat.N_TRIPLES)
        db.flush()
        info["triples"] = int(info["triples"]) + fresh if "triples" in info else len(db)
        del db
    elif backend == "endpoint":
        endpoint = Endpoint.from_settings(settings.store if _is_url(settings.store) else info["url"],
                                          settings, timeout=max(settings.sparql_timeout_s, 60.0))
        endpoint.post_graph(info["graph"], "".join(lines).encode("utf-8"))
        info["triples"] = endpoint.count(info["graph"])
    else:
        raise StoreError(f"{build_dir}: the {backend} store cannot be appended to; rebuild instead")
    _write_info(build_dir / GRAPH_INFO_FILE, info)
    return int(info["triples"])


_CLASSES = ("Project", "Document", "BudgetUnit")


def class_counts(store: Store) -> dict[str, int]:
    """Instances of the main classes in a graph (hk:Project …), by local name; indicators are the
    objects of hk:hasIndicator (typed by its range, not by rdf:type)."""
    values = " ".join(f"hk:{c}" for c in _CLASSES)
    rows = store.query(f"SELECT ?t (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?t {{ {values} }} "
                       "?s a ?t } GROUP BY ?t").rows
    counts = {str(r["t"]).rsplit("/", 1)[-1]: as_count(r["n"]) for r in rows}
    rows = store.query("SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?p hk:hasIndicator ?i }").rows
    n = as_count(rows[0]["n"]) if rows else 0
    if n:
        counts["Indicator"] = n
    return counts


def _drop_stale(endpoint: Endpoint, settings: Settings, key: str) -> None:
    """Drop this workspace's build graphs whose build directory is gone."""
    prefix = str(HK_BUILD[f"{key}/"])
    raw = endpoint.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }}', "application/sparql-results+json")
    builds = Workspace(settings.index_dir).builds
    for b in json.loads(raw)["results"]["bindings"]:
        g = b["g"]["value"]
        build_id = g[len(prefix):]
        if not (builds / build_id).exists() and not (builds / f"{build_id}.partial").exists():
            endpoint.update(f"DROP SILENT GRAPH <{g}>")


def open_store(settings: Settings, build_dir: Path | None = None) -> Store:
    """The graph store of a build (default: the published one), as that build wrote it."""
    if build_dir is None:
        build_dir = Workspace(settings.index_dir).current
    info = read_graph_info(build_dir)
    backend = info.get("backend")
    store: Store
    if backend == "memory":
        try:
            with (build_dir / info["file"]).open("rb") as f:
                store = MemoryStore(settings, pickle.load(f))
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError) as e:
            raise StoreError(f"{build_dir / str(info.get('file'))}: damaged graph ({e}); "
                             "rebuild with `python -m kg build`") from e
    elif backend == "oxigraph":
        store = OxigraphStore(settings, build_dir / info["dir"])
    elif backend == "endpoint":
        url = settings.store if _is_url(settings.store) else info["url"]
        store = EndpointStore(settings, Endpoint.from_settings(url, settings, info["graph"]))
    else:
        raise StoreError(f"{build_dir / GRAPH_INFO_FILE}: unknown graph backend {backend!r}")
    store.build_dir = build_dir
    return store

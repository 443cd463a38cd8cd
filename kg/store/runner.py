"""The one way user SPARQL runs: `kg sparql`, the SPARQL page and `kg serve` all call `QueryRunner`.

A query is first checked lexically (kg.store.check: size, nesting depth, read-only form, no SERVICE,
FROM only on the build's graphs), then sent to a worker process (kg.store.worker) that holds the
build's store open. The worker runs niced, without network (unless the store is an endpoint), with
its heap capped (`sparql_memory_mb` over what the opened store uses) and a CPU-time limit set for
each query; the runner kills it at the time limit. Whatever a query does — exhaust memory,
recurse, spin in a regex holding the GIL, crash the engine — only the worker dies, and the next
query gets a fresh one. Up to `sparql_workers` workers are kept warm and reused.

Queries hrss-kg writes itself (named queries behind document cards, lineage, exports, class
counts) keep calling `Store.query` in process: they are trusted and need no second copy of the
store.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from kg.namespace import PREFIXES
from kg.settings import Settings
from kg.store.base import QueryResult, TermRows
from kg.store.check import check_query
from kg.store.errors import (QueryMemoryError, QueryRefusedError, QueryTimeoutError, ReadOnlyError,
                             StoreError)
from kg.store.files import read_graph_info
from kg.store.worker import EXIT_MEMORY, WorkerConfig, pack
from kg.workspace import Workspace

__all__ = ["QueryRunner"]

_ROOT = str(Path(__file__).resolve().parent.parent.parent)
_ERRORS: dict[str, type[StoreError]] = {c.__name__: c for c in (
    StoreError, ReadOnlyError, QueryTimeoutError, QueryRefusedError, QueryMemoryError)}
_STARTUP_S = 120.0  # opening a large memory store in a fresh worker
_PREFIXES = {p: str(ns) for p, ns in PREFIXES.items()}


class _Gone(Exception):
    """The worker was already gone when a query was sent to it."""


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _netns_prefix() -> list[str]:
    """A command prefix that runs the worker in an empty network namespace, where the kernel allows.

    Oxigraph's own HTTP client (it follows SERVICE) is beyond Python's reach; without a network
    namespace the lexical check alone keeps SERVICE out.
    """
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    for argv in ([unshare, "--net"], [unshare, "--user", "--map-root-user", "--net"]):
        try:
            ok = subprocess.run([*argv, "true"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=10).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if ok:
            return argv
    return []


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, config: WorkerConfig, prefix: list[str]) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH")) if p)
        self.config = config
        self.proc = subprocess.Popen(
            [*prefix, sys.executable, "-m", "kg.store.worker"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0, env=env, cwd=_ROOT)
        self.recycle = False
        self.dead = False
        try:
            self._write(pack(config))
            reply = self._read(time.monotonic() + _STARTUP_S, _STARTUP_S)
        except (_Gone, StoreError):
            self.kill()
            raise
        if reply[0] != "ready":
            self.kill()
            raise _ERRORS.get(reply[1], StoreError)(reply[2])

    def ask(self, request: tuple[str, int, float], seconds: float) -> TermRows:
        """Send one query; its answer, or the error it raised, within `seconds`."""
        pid = self.proc.pid
        try:
            _soft, hard = resource.prlimit(pid, resource.RLIMIT_CPU)
            resource.prlimit(pid, resource.RLIMIT_CPU,
                             (int(_cpu_seconds(pid) + seconds) + 2, hard))
        except PermissionError:
            pass  # the wall-clock kill below still bounds the query
        except (OSError, ValueError) as e:
            raise _Gone() from e
        self._write(pack(request))
        reply = self._read(time.monotonic() + seconds, seconds)
        self.recycle = bool(reply[-1])
        if reply[0] == "ok":
            result: TermRows = reply[1]
            return result
        raise _ERRORS.get(reply[1], StoreError)(reply[2])

    def _write(self, data: bytes) -> None:
        stdin = self.proc.stdin
        assert stdin is not None  # noqa: S101 - Popen was given PIPE
        try:
            view = memoryview(data)
            while view:
                view = view[stdin.write(view) or 0:]
        except (BrokenPipeError, OSError) as e:
            self.dead = True
            raise _Gone() from e

    def _read(self, deadline: float, seconds: float) -> tuple[Any, ...]:
        stdout = self.proc.stdout
        assert stdout is not None  # noqa: S101 - Popen was given PIPE
        fd = stdout.fileno()
        head = self._read_exact(fd, 8, deadline, seconds)
        body = self._read_exact(fd, int.from_bytes(head, "big"), deadline, seconds)
        reply: tuple[Any, ...] = pickle.loads(body)
        return reply

    def _read_exact(self, fd: int, n: int, deadline: float, seconds: float) -> bytes:
        chunks: list[bytes] = []
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP)
        while n > 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                self.kill()
                raise QueryTimeoutError(f"查询超过时间上限 {seconds:g} 秒，已中止。")
            chunk = os.read(fd, min(n, 1 << 20))
            if not chunk:
                raise self._death()
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _death(self) -> StoreError:
        """What the worker's exit says about the query that killed it."""
        self.dead = True
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        mb = self.config.memory_mb
        if code in (EXIT_MEMORY, -signal.SIGABRT):
            return QueryMemoryError(f"查询超出内存上限（{mb} MB），已中止。"
                                    "请缩小查询范围（加 LIMIT、减少连接或字符串拼接）。")
        if code == -signal.SIGXCPU:
            return QueryTimeoutError("查询超过 CPU 时间上限，已中止。")
        return StoreError(f"查询进程意外退出（代码 {code}），已中止；服务不受影响，请简化查询。")

    def kill(self) -> None:
        self.dead = True
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not ignored
            pass
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


def _kill_all(workers: list[_Worker]) -> None:
    while workers:
        workers.pop().kill()


class QueryRunner:
    """Runs user SPARQL on one build (default: the published one) in limited worker processes.

    >>> with QueryRunner(settings) as runner:                      # doctest: +SKIP
    ...     runner.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
    [{'n': 12345}]
    """

    def __init__(self, settings: Settings, build_dir: Path | None = None, *, warm: bool = False
                 ) -> None:
        self.settings = settings
        self.build_dir = Workspace(settings.index_dir).current if build_dir is None else build_dir
        info = read_graph_info(self.build_dir)
        endpoint = info.get("backend") == "endpoint"
        self.graphs: tuple[str, ...] = (str(info["graph"]),) if endpoint and info.get("graph") else ()
        self._config = WorkerConfig(settings, self.build_dir, settings.sparql_memory_mb, endpoint)
        # an endpoint store's worker must reach its server; the others get no network at all
        self._prefix = [] if endpoint else _netns_prefix()
        self._idle: list[_Worker] = []
        self._live = 0
        self._closed = False
        self._cond = threading.Condition()
        self._finalizer = weakref.finalize(self, _kill_all, self._idle)
        if warm:
            threading.Thread(target=self._prewarm, daemon=True, name="sparql-prewarm").start()

    def check(self, sparql: str) -> str:
        """The query's form, or the error that refuses it (no worker involved)."""
        s = self.settings
        return check_query(sparql, max_chars=s.sparql_max_chars, max_depth=s.sparql_max_depth,
                           graphs=self.graphs, prefixes=_PREFIXES)

    def query(self, sparql: str, *, limit: int | None = None, timeout: float | None = None
              ) -> QueryResult:
        """Rows of Python values, at most `limit` (≤ the row cap), within `timeout` (≤ the setting)."""
        return self.query_terms(sparql, limit=limit, timeout=timeout).to_result()

    def query_terms(self, sparql: str, *, limit: int | None = None, timeout: float | None = None
                    ) -> TermRows:
        """Like `query`, with the answer as RDF terms (for `kg serve`)."""
        self.check(sparql)
        s = self.settings
        cap = s.sparql_row_cap if limit is None else max(0, min(limit, s.sparql_row_cap))
        seconds = s.sparql_timeout_s if not timeout else min(timeout, s.sparql_timeout_s)
        for attempt in range(2):
            worker = self._acquire(seconds)
            try:
                return worker.ask((sparql, cap, seconds), seconds)
            except _Gone:
                if attempt:  # a fresh worker that cannot take a query is a real failure
                    raise StoreError("查询进程无法启动，请稍后再试。") from None
            finally:
                self._release(worker)
        raise AssertionError("unreachable")  # pragma: no cover

    def _acquire(self, seconds: float) -> _Worker:
        wait_until = time.monotonic() + seconds
        with self._cond:
            while True:
                if self._closed:
                    raise StoreError("查询服务已关闭")
                if self._idle:
                    return self._idle.pop()
                if self._live < max(1, self.settings.sparql_workers):
                    self._live += 1
                    break
                remaining = wait_until - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeoutError(f"查询进程都在忙，等待超过 {seconds:g} 秒；请稍后再试。")
                self._cond.wait(remaining)
        try:
            return _Worker(self._config, self._prefix)
        except BaseException:
            with self._cond:
                self._live -= 1
                self._cond.notify()
            raise

    def _release(self, worker: _Worker) -> None:
        keep = not (worker.dead or worker.recycle)
        with self._cond:
            if keep and not self._closed:
                self._idle.append(worker)
            else:
                self._live -= 1
            self._cond.notify()
        if not keep or self._closed:
            worker.kill()

    def _prewarm(self) -> None:
        with self._cond:
            if self._closed or self._idle or self._live >= max(1, self.settings.sparql_workers):
                return
            self._live += 1
        try:
            worker = _Worker(self._config, self._prefix)
        except (StoreError, _Gone, OSError):
            with self._cond:
                self._live -= 1
                self._cond.notify()
            return
        self._release(worker)

    def close(self) -> None:
        """Stop the idle workers; busy ones stop when their query returns."""
        with self._cond:
            self._closed = True
            idle, self._idle[:] = list(self._idle), []
            self._cond.notify_all()
        _kill_all(idle)

    def __enter__(self) -> QueryRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""SPARQL servers for the tests: `oxigraph serve` and Debian's Virtuoso 7, each on 127.0.0.1 at a free
port with its own folder, stopped after.

Without the server binary a test is skipped, and fails when CI=true (`make test` installs both).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.settings import Settings

OXIGRAPH_BIN = Path(shutil.which("oxigraph") or Path(sys.executable).parent / "oxigraph")
VIRTUOSO_BIN = shutil.which("virtuoso-t")
ISQL_BIN = shutil.which("isql-vt")  # Debian's name of Virtuoso's isql (virtuoso-opensource-7-bin)
# A fresh Virtuoso database's administrator is dba/dba; a deployment sets HRSS_ENDPOINT_USER and
# HRSS_ENDPOINT_PASSWORD instead.
VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = os.environ.get("HRSS_TEST_VIRTUOSO_PASSWORD", "dba")

_VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {d}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {max_seconds}
"""


def require(binary: object, reason: str) -> None:
    """Skip without the binary; fail when CI=true, where `make test` has installed it."""
    if binary and Path(str(binary)).exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer {url} within {seconds:g} s")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[str]:
    """`oxigraph serve` on a free loopback port; its base URL."""
    require(OXIGRAPH_BIN, f"the oxigraph server binary is missing: {OXIGRAPH_BIN} (pip install oxigraph)")
    port = free_port()
    proc = subprocess.Popen([str(OXIGRAPH_BIN), "serve", "--location", str(folder), "--bind",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{url}/query?query=ASK%7B%7D", proc, 20)
        yield url
    finally:
        _stop(proc)


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its SPARQL URL, `host:port` of its SQL port (isql), its DirsAllowed folder."""

    url: str
    isql: str
    folder: Path

    def settings(self, index_dir: Path, *, bulk: bool = False) -> Settings:
        """Settings that write through /sparql-auth and the Graph Store (or the bulk loader)."""
        return Settings(index_dir=index_dir, store=self.url, endpoint_update_path="/sparql-auth",
                        endpoint_store_path="/sparql-graph-crud-auth", endpoint_user=VIRTUOSO_USER,
                        endpoint_password=VIRTUOSO_PASSWORD, virtuoso_isql=self.isql if bulk else None)


@contextmanager
def virtuoso_server(folder: Path, max_rows: int = 100_000, max_seconds: int = 60) -> Iterator[Virtuoso]:
    """Debian's Virtuoso 7 with its own ini and database on free loopback ports; `max_rows` and
    `max_seconds` are its ResultSetMaxRows and MaxQueryExecutionTime."""
    require(VIRTUOSO_BIN, "virtuoso-opensource is not installed (make virtuoso)")
    http, sql = free_port(), free_port()
    ini = _VIRTUOSO_INI.format(d=folder, sql=sql, http=http, max_rows=max_rows, max_seconds=max_seconds)
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    proc = subprocess.Popen([str(VIRTUOSO_BIN), "+configfile", str(folder / "virtuoso.ini"), "+foreground"],
                            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http}/sparql"
    try:
        _wait(f"{url}?query=ASK%7B%7D", proc, 120)
        yield Virtuoso(url, f"127.0.0.1:{sql}", folder)
    finally:
        _stop(proc)

"""The query worker: a process that opens one build's store and answers queries sent on stdin.

Run as `python -m kg.store.worker` by kg.store.runner, never by hand. Messages both ways are
length-prefixed pickles (the parent is the only peer). Before answering anything the worker lowers
its priority, turns off core dumps, makes sockets unusable unless the store is an endpoint, opens
the store, and then caps its heap (RLIMIT_DATA: private writable memory, which leaves Oxigraph's
mapped files alone) at what it holds plus `sparql_memory_mb`. Past the cap, Python raises
MemoryError (the worker exits with EXIT_MEMORY) and Rust aborts; either way only the worker dies.
"""

from __future__ import annotations

import os
import pickle
import resource
import socket
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ingest.errors import HrssError
from kg.settings import Settings
from kg.store.errors import StoreError
from kg.store.files import open_store

__all__ = ["WorkerConfig", "EXIT_MEMORY", "pack", "main"]

EXIT_MEMORY = 3
_HEADER = struct.Struct("!Q")


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker opens and how it is limited."""

    settings: Settings
    build_dir: Path
    memory_mb: int
    network: bool  # only an endpoint store talks to its own server
    nice: int = 10


def pack(obj: Any) -> bytes:
    """One message: 8-byte length, then the pickle."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _recv(f: IO[bytes]) -> Any:
    head = f.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (n,) = _HEADER.unpack(head)
    return pickle.loads(f.read(n))


def _refuse(*_args: Any, **_kwargs: Any) -> Any:
    raise OSError("网络访问已关闭：查询进程不访问网络")


def _disable_network() -> None:
    # The lexical check refuses SERVICE and foreign FROM already; this is the second wall.
    socket.socket.connect = _refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = _refuse  # type: ignore[method-assign]
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse


def _data_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmData:"):
                return int(line.split()[1])
    return 0


def _is_memory(e: BaseException) -> bool:
    seen = 0
    cur: BaseException | None = e
    while cur is not None and seen < 10:
        if isinstance(cur, MemoryError):
            return True
        cur, seen = cur.__cause__ or cur.__context__, seen + 1
    return False


def _answer(store: Any, request: tuple[str, int, float]) -> tuple[Any, ...]:
    sparql, cap, timeout = request
    try:
        return ("ok", store.query_terms(sparql, limit=cap, timeout=timeout))
    except RecursionError:
        return ("error", "QueryRefusedError", "查询嵌套过深，解析器无法处理；请减少嵌套。")
    except StoreError as e:
        if _is_memory(e):
            os._exit(EXIT_MEMORY)
        return ("error", type(e).__name__, str(e))
    except MemoryError:
        os._exit(EXIT_MEMORY)
    except Exception as e:  # an evaluator bug must not take the worker's protocol down
        if _is_memory(e):
            os._exit(EXIT_MEMORY)
        return ("error", "StoreError", f"SPARQL 查询出错: {e}")


def main() -> None:
    """Serve queries until stdin closes."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the protocol
    inp = sys.stdin.buffer
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    config: WorkerConfig = _recv(inp)
    if config is None:
        return
    os.nice(config.nice)
    if not config.network:
        _disable_network()
    try:
        store = open_store(config.settings, config.build_dir)
    except HrssError as e:
        out.write(pack(("error", "StoreError", str(e))))
        out.flush()
        return
    baseline = _data_kb()
    if config.memory_mb > 0:
        limit = baseline * 1024 + config.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    out.write(pack(("ready",)))
    out.flush()
    while (request := _recv(inp)) is not None:
        answer = _answer(store, request)
        # A worker that kept much of its budget after a large answer is replaced, not reused.
        recycle = _data_kb() - baseline > config.memory_mb * 512
        try:
            out.write(pack((*answer, recycle)))
            out.flush()
        except MemoryError:
            os._exit(EXIT_MEMORY)


if __name__ == "__main__":
    main()

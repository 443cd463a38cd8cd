"""Resident memory of a benchmark process, its children and any server it talks to, per stage.

Linux only (/proc). A background thread sums the RSS of this process, its descendants and the extra
processes named (an `oxigraph serve` the benchmark started) every `interval` seconds and keeps the
peak of each stage; the kernel's own high-water marks (VmHWM) catch what falls between two samples.

    with RssSampler(extra_pids=[server_pid]) as rss:
        rss.stage("parse"); ...; rss.stage("graph"); ...
    rss.peaks_mb  → {"parse": 812.4, "graph": 2301.0}
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

__all__ = ["RssSampler", "rss_mb", "hwm_mb"]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_mb(pid: int | None = None) -> float:
    """Current resident set of one process in MB (0 when it is gone)."""
    try:
        pages = int(Path(f"/proc/{pid or os.getpid()}/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * _PAGE / 2**20


def hwm_mb(pid: int | None = None) -> float:
    """The kernel's peak resident set (VmHWM) of one process in MB."""
    return _status_kb(pid or os.getpid(), "VmHWM") / 1024


def _descendants(pid: int) -> list[int]:
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = list(Path(f"/proc/{p}/task").iterdir())
        except OSError:
            continue
        for t in tasks:
            try:
                kids = [int(k) for k in (t / "children").read_text().split()]
            except (OSError, ValueError):
                continue
            out += kids
            todo += kids
    return out


class RssSampler:
    """Peak resident memory (this process + descendants + extra pids) per named stage, in MB."""

    def __init__(self, extra_pids: list[int] | None = None, interval: float = 0.1):
        self.extra_pids = list(extra_pids or [])
        self.interval = interval
        self.peaks_mb: dict[str, float] = {}
        self._stage = "start"
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def total_mb(self) -> float:
        me = os.getpid()
        pids = {me, *_descendants(me), *self.extra_pids}
        return sum(rss_mb(p) for p in pids)

    def _sample(self) -> None:
        now = self.total_mb()
        with self._lock:
            if now > self.peaks_mb.get(self._stage, 0.0):
                self.peaks_mb[self._stage] = now

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def stage(self, name: str) -> None:
        """Close the current stage (one last sample) and start counting `name`."""
        self._sample()
        with self._lock:
            self._stage = name

    def extra_hwm_mb(self) -> float:
        """The sum of the extra processes' own peaks (a server started before this process)."""
        return sum(hwm_mb(p) for p in self.extra_pids)

    def peak_mb(self, exclude: tuple[str, ...] = ()) -> float:
        """An upper bound of the whole peak: the largest sample, or this process's and the extra
        processes' high-water marks added (each reached at its own moment). Stages in `exclude`
        (other programs run by the benchmark) count only through this process's high-water mark."""
        sampled = max((v for k, v in self.peaks_mb.items() if k not in exclude), default=0.0)
        return max(sampled, hwm_mb() + self.extra_hwm_mb())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self._stop.set()
        self._thread.join(timeout=2)

"""Parse time of hostile inputs against a floor: the same number of bytes of ordinary text.

Each case is one shape that used to be quadratic (a 5 MB line, a 2 MB cell running over many lines);
the floor is the bundled sample repeated to the same size and parsed in the same run.

    python -m bench.parse_speed            # prints a table: case, MB, seconds, floor seconds, ratio
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from ingest import parse_text

__all__ = ["CASES", "LINE_BYTES", "CELL_BYTES", "floor_text", "seconds", "measure"]

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "000_61c5a3a787465ec8.txt"
LINE_BYTES = 5_000_000
CELL_BYTES = 2_000_000

_SECTION = "[bookmark: _Toc_1]一、总体绩效目标\n"
_TABLE = (
    "1.示例项目绩效目标表\n316005示例单位\t单位：万元\n项目编码\t13990026ABCDEFGHIJKLM\t项目名称\t示例项目\n"
    "预算规模及资金用途\t预算数\t10.00\t其中：财政资金\t10.00\t其他资金\t0\n用途说明\n"
    "一级指标\t二级指标\t三级指标\t指标描述\t指标值\t指标值确定依据\n"
    "产出指标\t数量指标\t人数\t服务人数\t≥80人\t计划\n"
)
_CELLS_TABLE = (
    "1.示例项目绩效目标表\n316005示例单位\t单位：万元\n\t项目编码\n\t13990026ABCDEFGHIJKLM\n\t项目名称\n"
    "\t示例项目\n\n\t预算规模及资金用途\n\t预算数\n\t10.00\n\n\t用途\n"
)


def _fill(unit: str, size: int) -> str:
    return unit * (size // len(unit.encode("utf-8")))


# name → (text of about `size` bytes); each builds the shape named, inside a real table or section.
CASES: dict[str, tuple[int, Callable[[int], str]]] = {
    "heading with a run of spaces": (LINE_BYTES, lambda n: _SECTION + "一、a" + " " * n + "b\n"),
    "line of TAB-separated cells": (LINE_BYTES, lambda n: _TABLE + _fill("x\t", n) + "\n"),
    "line of opening brackets": (LINE_BYTES, lambda n: _TABLE + "预算数\t" + _fill("（", n) + "\n"),
    "unit row with a run of spaces": (
        LINE_BYTES, lambda n: "316005" + " " * n + "单位：万元\n项目编码\t139900261\t项目名称\tx\n"),
    "indicator value of digits": (LINE_BYTES, lambda n: _TABLE + "产出指标\t数量指标\t人数\t服务\t" + "1" * n + "\n"),
    "amount with a run of spaces": (LINE_BYTES, lambda n: _TABLE.replace("10.00", "1" + " " * n + "x", 1)),
    "amount row of many cells": (LINE_BYTES, lambda n: _TABLE.replace("\t0\n", "\t0\t" + _fill("x\t", n) + "\n", 1)),
    "spending plan value with a run of spaces": (
        LINE_BYTES, lambda n: _TABLE.replace("用途说明\n", "资金支出计划\t3月底\t6月底\n1" + " " * n + "x\n", 1)),
    "cell over many lines (one cell per line)": (
        CELL_BYTES, lambda n: _CELLS_TABLE + "\t说明\n" + _fill("说明文字继续写下去，直到很长。\n", n) + "\n"),
    "cell over many lines (TAB rows)": (
        CELL_BYTES, lambda n: _TABLE + _fill("指标依据的说明继续写下去\n", n)),
    # a numbered goal whose unnumbered lines run on: each is joined to the goal above it
    "goal running on over many lines": (
        CELL_BYTES, lambda n: _TABLE.replace("用途说明\n", "绩效目标\t1.完成服务\n" + _fill("目标说明继续\n", n), 1)),
}


def floor_text(size: int) -> str:
    """Ordinary text of at least `size` bytes: the sample's lines, repeated."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    out: list[str] = []
    total = 0
    while total < size:
        for line in lines:
            out.append(line)
            total += len(line.encode("utf-8"))
            if total >= size:
                break
    return "".join(out)


def seconds(text: str) -> float:
    """Wall time of one parse_text call."""
    t0 = time.perf_counter()
    parse_text(text, "bench.txt")
    return time.perf_counter() - t0


def measure(name: str, floor: dict[int, float] | None = None) -> tuple[int, float, float]:
    """(bytes, seconds, floor seconds) for one case; `floor` caches the floor per size."""
    size, build = CASES[name]
    text = build(size)
    floor = {} if floor is None else floor
    if size not in floor:
        floor[size] = seconds(floor_text(size))
    return len(text.encode("utf-8")), seconds(text), floor[size]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.parse_args(argv)
    floor: dict[int, float] = {}
    print(f"{'case':<42} {'MB':>5} {'s':>7} {'floor s':>8} {'ratio':>6}")
    for name in CASES:
        size, took, base = measure(name, floor)
        print(f"{name:<42} {size / 1e6:5.1f} {took:7.3f} {base:8.3f} {took / base:6.2f}")


if __name__ == "__main__":
    main()

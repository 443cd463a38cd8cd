"""A mutation fuzzer for the parser: damaged copies of the sample and the test fixtures.

Every input is written to a file and read with `parse_file`, so decoding, the table walk and the
narrative are all exercised. An input fails when anything escapes, when a last-resort guard fires
(an "internal error" diagnostic), when a loaded value holds a replaced byte, or when it takes too long.

    PYTHONPATH=. python tests/fuzzing.py --count 100000 --seed 17     # make fuzz
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest import parse_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted([ROOT / "data" / "000_61c5a3a787465ec8.txt", *(ROOT / "tests" / "data").rglob("*.txt")])
LIMIT_SECONDS = 5.0

Mutation = Callable[[random.Random, bytes], bytes]

_CONTROLS = [bytes([b]) for b in (*range(0, 9), 11, 12, *range(14, 32), 127)]
_INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2028", "\u3000", "\ufffd"]
_NUMERALS = ["五十", "壹佰", "一千二百", "三点五", "伍拾万元", "十", "〇", "两百"]
_TOKENS = ["项目编码", "项目名称", "预算数", "财政资金", "其他资金", "资金支出计划", "绩效目标", "一级指标",
           "二级指标", "三级指标", "指标值", "单位：万元", "316005", "一、", "（一）", "第一部分", "绩效目标表",
           "冀财社〔2021〕176号", "怀财资[2022]", "≥80%", "\t", "（", "(", "、", "：", " ", "\n"]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def delete_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 5)):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def duplicate_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    j = min(len(lines), i + rng.randint(1, 8))
    lines[j:j] = lines[i:j] * rng.randint(1, 3)
    return b"\n".join(lines)


def swap_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 4)):
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def random_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    at = rng.randrange(len(out) + 1)
    out[at:at] = rng.randbytes(rng.randint(1, 16))
    return bytes(out)


def _insert_text(rng: random.Random, data: bytes, pieces: list[str], count: int) -> bytes:
    text = data.decode("utf-8", "surrogateescape")
    for _ in range(count):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(pieces) + text[at:]
    return text.encode("utf-8", "surrogateescape")


def controls(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(out) + 1)
        out[at:at] = rng.choice(_CONTROLS)
    return bytes(out)


def invisible(rng: random.Random, data: bytes) -> bytes:
    return _insert_text(rng, data, _INVISIBLE, rng.randint(1, 8))


def tokens(rng: random.Random, data: bytes) -> bytes:
    return _insert_text(rng, data, _TOKENS, rng.randint(1, 10))


def mixed_encoding(rng: random.Random, data: bytes) -> bytes:
    """Some lines re-encoded as GB18030 (or the whole file, with one line left in UTF-8)."""
    lines = _lines(data)
    whole = rng.random() < 0.3
    keep = rng.randrange(len(lines))
    for i, line in enumerate(lines):
        if (whole and i != keep) or (not whole and rng.random() < 0.1):
            lines[i] = line.decode("utf-8", "replace").encode("gb18030", "replace")
    return b"\n".join(lines)


def bom(rng: random.Random, data: bytes) -> bytes:
    mark = rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])
    return mark + data


def utf16(rng: random.Random, data: bytes) -> bytes:
    encoded = data.decode("utf-8", "replace").encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be"]))
    return encoded[: rng.randrange(len(encoded) + 1)] if rng.random() < 0.5 else encoded


def crlf(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n"]))


def chinese_numerals(rng: random.Random, data: bytes) -> bytes:
    """Amounts such as 36.00 printed as 五十 / 壹佰."""
    text = data.decode("utf-8", "surrogateescape")
    spots = [i for i in range(len(text) - 1) if text[i].isdigit() and text[i + 1] == "."]
    for at in rng.sample(spots, min(len(spots), rng.randint(1, 4))):
        text = text[:at] + rng.choice(_NUMERALS) + text[at + 1:]
    return text.encode("utf-8", "surrogateescape")


def long_line(rng: random.Random, data: bytes) -> bytes:
    """A line of up to 1 MB: spaces, tabs, CJK, brackets or a heading with a long run of spaces."""
    size = rng.choice([1000, 50_000, 1_000_000])
    kind = rng.randrange(6)
    if kind == 0:
        line = "一、a" + " " * size + "b"
    elif kind == 1:
        line = "\t".join(["x"] * (size // 2))
    elif kind == 2:
        line = "字" * (size // 3)
    elif kind == 3:
        line = "（" * (size // 3)
    elif kind == 4:
        line = "316005" + " " * size + "单位：万元"
    else:
        line = "1" * size
    lines = _lines(data)
    lines.insert(rng.randrange(len(lines) + 1), line.encode("utf-8"))
    return b"\n".join(lines)


def long_cell(rng: random.Random, data: bytes) -> bytes:
    """A cell running on over many lines (cell layout) inside the text."""
    lines = _lines(data)
    at = rng.randrange(len(lines) + 1)
    lines[at:at] = [b"\t\xe7\x9b\xae\xe6\xa0\x87"] + [b"\xe5\x86\x85\xe5\xae\xb9" * 10] * rng.choice([10, 1000, 5000])
    return b"\n".join(lines)


def repeated_tables(rng: random.Random, data: bytes) -> bytes:
    """A table (from a 项目编码 line on) copied several times."""
    lines = _lines(data)
    anchors = [i for i, line in enumerate(lines) if "项目编码".encode() in line]
    if not anchors:
        return data
    i = rng.choice(anchors)
    block = lines[max(0, i - 2): i + rng.randint(5, 60)]
    at = rng.randrange(len(lines) + 1)
    lines[at:at] = block * rng.randint(2, 20)
    return b"\n".join(lines)


def splice(rng: random.Random, data: bytes) -> bytes:
    other = rng.choice(SEED_BYTES)
    return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1):]


MUTATIONS: tuple[Mutation, ...] = (
    delete_lines, duplicate_lines, swap_lines, truncate, flip_bytes, random_bytes, controls, invisible,
    tokens, mixed_encoding, bom, utf16, crlf, chinese_numerals, long_line, long_cell, repeated_tables,
    splice,
)
# Expensive mutations (megabyte inputs) are drawn less often, so a run stays bounded.
_LARGE = (long_line, long_cell)
_WEIGHTS = tuple(0.15 if m in _LARGE else 1.0 for m in MUTATIONS)
SEED_BYTES = [p.read_bytes() for p in SEEDS]
# The sample holds both layouts and the narrative: a third of the inputs start from it.
_SEED_WEIGHTS = [len(SEEDS) / 2 if p.parent.name == "data" and p.parent.parent == ROOT else 1.0 for p in SEEDS]


def mutate(rng: random.Random) -> tuple[bytes, list[str]]:
    """One damaged input and the names of the mutations applied to it."""
    data = rng.choices(SEED_BYTES, _SEED_WEIGHTS)[0]
    names = []
    chosen = rng.choices(MUTATIONS, _WEIGHTS, k=rng.randint(1, 4))
    # Megabyte lines and cells come last, so repeating tables does not copy them twenty times over.
    for m in sorted(chosen, key=lambda m: m in _LARGE):
        data = m(rng, data)
        names.append(m.__name__)
    return data, names


def problems(result) -> list[str]:
    """What is wrong with a parse result beyond the input being bad."""
    out = [str(d) for d in result.diagnostics if "internal error" in d.message]
    for p in result.projects:
        for name in ("project_code", "unit_code"):
            value = getattr(p, name)
            if value and "\ufffd" in value:
                out.append(f"{name} {value!r} loaded with a replaced byte")
        for amount in (p.budget_wan, p.fiscal_wan, p.other_wan):
            if amount is not None and not amount.is_finite():
                out.append(f"amount {amount} is not finite")
        for ref in (*p.doc_refs, *p.basis_refs):
            if "\ufffd" in ref.raw:
                out.append(f"文号 {ref.raw!r} loaded with a replaced byte")
        if p.span.first_line < 1 or p.span.last_line < p.span.first_line:
            out.append(f"bad span {p.span}")
    for d in result.diagnostics:
        str(d).encode("utf-8")  # every message can be printed
    return out


@dataclass
class Report:
    count: int = 0
    seconds: float = 0.0
    slowest: float = 0.0  # CPU seconds of the slowest input
    slowest_case: str = ""
    slowest_wall: float = 0.0
    failures: list[str] = field(default_factory=list)


def run(count: int, seed: int, workdir: Path, limit: float = LIMIT_SECONDS, start: int = 0,
        progress: Callable[[Report], None] | None = None) -> Report:
    """Parse `count` mutated inputs, cases start… (deterministic for a seed); collect every failure."""
    report = Report()
    path = workdir / "input.txt"
    started = time.perf_counter()
    for case in range(start, start + count):
        rng = random.Random(f"{seed}:{case}")
        data, names = mutate(rng)
        path.write_bytes(data)
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            wrong = problems(parse_file(path))
        except Exception:  # noqa: BLE001 - exactly what the fuzzer looks for
            wrong = [traceback.format_exc(limit=-3)]
        # The limit is on CPU time: on a shared machine the wall time also counts other people's work.
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        report.slowest_wall = max(report.slowest_wall, took)
        if cpu > report.slowest:
            report.slowest, report.slowest_case = cpu, f"case {case} ({'+'.join(names)}, {len(data):,} bytes)"
        if cpu > limit:
            wrong.append(f"took {cpu:.1f} s of CPU")
        report.failures += [f"seed {seed} case {case} ({'+'.join(names)}): {w}" for w in wrong]
        report.count += 1
        if progress is not None and report.count % 5000 == 0:
            report.seconds = time.perf_counter() - started
            progress(report)
    report.seconds = time.perf_counter() - started
    return report


def _summary(report: Report) -> str:
    return (f"{report.count:,} inputs in {report.seconds:.0f} s; slowest {report.slowest:.2f} s CPU "
            f"({report.slowest_case}), {report.slowest_wall:.2f} s wall at most; {len(report.failures)} failures")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        report = run(args.count, args.seed, Path(tmp), progress=lambda r: print(_summary(r), flush=True))
    for f in report.failures[:50]:
        print(f, file=sys.stderr)
    print(_summary(report))
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())

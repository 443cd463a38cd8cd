"""A province-sized synthetic corpus: deterministic 部门预算绩效目标 documents plus the records they hold.

    python -m bench.generate --projects 10000 --seed 1 --out /tmp/corpus

One file per department and budget year, in either of the two layouts Word exports (TAB-separated rows,
or one cell per line with bookmark headings), spread over Hebei's county-level divisions
(bench/places.json). Vocabulary and value shapes come from real tables (bench/vocab.json). Funding
follows the real shape: a provincial notice (冀财社〔Y〕N号, issued the year before) funds projects in
every county that runs its stream; county 配套 projects cite the county's own 财资 budget approval; the
same projects come back every year under new codes and new notice numbers. The sources' mess comes at
a steady rate: continuation rows, placeholders (目标内容1), blank spending plans, every bracket form of
文号, joined-level cells ("效益指标、经济效益指标"), bare table numbers, glued unit rows.

Units are numbered the same way in every county (301001 人力资源和社会保障局 in each), as county budget
systems do, so only (region, unit code) tells two counties' units apart; county approval issuers are
those ontology/issuers.csv lists (怀财资 is 怀来县's), else made so as not to clash with them (怀安财资).

Beside the files, `expected.jsonl` holds one line per project: what a correct parser must read,
including the project's region (its county's GB/T 2260 code).
"""

from __future__ import annotations

import argparse
import json
import random
import string
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from bench.vocab import load_vocab
from ingest.docnumber import known_issuers

__all__ = ["PLACES_FILE", "EXPECTED_FILE", "Expected", "GeneratedCorpus", "county_issuers", "department_unit_code",
           "generate", "main"]

PLACES_FILE = Path(__file__).resolve().parent / "places.json"
EXPECTED_FILE = "expected.jsonl"
YEARS = tuple(range(2019, 2025))
PROVINCE_ISSUER = "冀财社"
APPROVAL_SUFFIX = "财资"
BRACKETS = ("〔〕", "[]", "【】", "﹝﹞", "（）")
# Rates of the sources' mess, per project (or per row where noted).
P_PLACEHOLDER_GOALS = 0.12
P_BLANK_PLAN = 0.04
P_PARTIAL_PLAN = 0.04
P_JOINED_LEVELS = 0.05
P_BARE_HEADING = 0.015
P_GLUED_UNIT_ROW = 0.03
P_OTHER_FUNDS = 0.08
# Per county: 项目编码 led by the unit code instead of the division code (a budget system numbering
# projects by unit), so the region comes from the unit names, not the code.
P_UNIT_LED_CODES = 0.15
P_NEW_VALUE = 0.3  # per indicator row: a value shape drawn from the whole vocabulary
_LEVEL2_JOINABLE = ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标")
_CODE_CHARS = string.ascii_uppercase + string.digits
_NUMERIC_FIRST = "0123456789"
_LEAD_CHARS = set("和及与的或见为号")  # one-character lead words the 文号 finder cuts issuers at


@dataclass
class Expected:
    """What a correct parser reads from one generated table."""

    file: str
    year: int
    project_code: str
    unit_code: str
    budget_wan: str
    fiscal_wan: str
    other_wan: str | None
    doc_refs: list[str]
    indicators: int
    name: str = ""
    region_code: str = ""  # the county's GB/T 2260 code: a unit is (region_code, unit_code)
    unit_name: str = ""


@dataclass
class GeneratedCorpus:
    """Where the corpus was written and what it holds."""

    out: Path
    files: int
    projects: int
    widest_notice: str
    widest_count: int
    seconds: float
    notice_counts: dict[str, int] = field(default_factory=dict)


def _doc(issuer: str, year: int, seq: int, rng: random.Random) -> tuple[str, str]:
    """(canonical, printed) for a 文号 in a random bracket form, with or without a trailing 号 space."""
    pair = rng.choice(BRACKETS)  # opening and closing bracket
    o, c = pair[0], pair[1]
    return f"{issuer}〔{year}〕{seq}号", f"{issuer}{o}{year}{c}{seq}号"


def _amount(rng: random.Random, base: float) -> Decimal:
    return Decimal(str(max(0.01, base * rng.uniform(0.8, 1.2)))).quantize(Decimal("0.01"), ROUND_HALF_UP)


class _World:
    """Counties, departments, issuers and the notice numbers of every funding stream and year."""

    def __init__(self, seed: int):
        self.seed = seed
        self.vocab = load_vocab()
        places = json.loads(PLACES_FILE.read_text(encoding="utf-8"))
        self.counties = places["counties"]
        self.departments = places["departments"]
        for dept in self.departments:
            if dept["streams"] == "vocab":
                dept["streams"] = self.vocab["notice_titles"]
                dept["names"] = self.vocab["project_names"]
        self.issuer_of = county_issuers(self.counties, places["prefectures"])
        schemes = random.Random(f"{seed}:code-schemes")
        self.unit_led = {c["code"] for c in self.counties if schemes.random() < P_UNIT_LED_CODES}
        self.city_name = {p["code"]: p["name"] for p in places["prefectures"]}
        # One notice per (stream, budget year), issued the year before; serials unique per issuer-year.
        rng = random.Random(f"{seed}:notices")
        self.streams = [(d, s) for d, dept in enumerate(self.departments) for s in dept["streams"]]
        self.notice: dict[tuple[int, str, int], int] = {}
        for year in YEARS:
            seqs = rng.sample(range(1, 400), len(self.streams) + 1)
            for (d, s), seq in zip(self.streams, seqs):
                self.notice[(d, s, year)] = seq

    def slots(self) -> Iterator[tuple[int, int]]:
        """(department, county) pairs: every county's first department before any second one."""
        for d in range(len(self.departments)):
            for c in range(len(self.counties)):
                yield d, c


@dataclass
class _Line:
    """A project that recurs every year in one department of one county."""

    unit: int
    kind: str  # routine | stream | wide | match
    name: str
    stream: str | None
    base: float
    table: int
    plan: int
    purpose: int
    goals: int
    other: bool


def _lines(world: _World, d: int, c: int, rng: random.Random) -> tuple[list[str], list[_Line]]:
    dept = world.departments[d]
    v = world.vocab
    units = dept["units"][: rng.randint(min(3, len(dept["units"])), len(dept["units"]))]
    n = rng.randint(10, 60)

    def line(kind: str, name: str, stream: str | None, base: float) -> _Line:
        return _Line(rng.randrange(len(units)), kind, name, stream, base,
                     rng.randrange(len(v["indicator_tables"])), rng.randrange(len(v["plans"])),
                     rng.randrange(len(v["purposes"])), rng.randrange(len(v["goals"])),
                     rng.random() < P_OTHER_FUNDS)

    out: list[_Line] = []
    streams = dept["streams"]
    wide = dept.get("wide_items") or []
    if wide:  # the widest stream (the first of the department's vocabulary) funds many items a county
        widest = next((s for s in streams if "中央就业补助" in s), streams[0])
        for item in rng.sample(wide, rng.randint(6, min(9, len(wide)))):
            out.append(line("wide", item, widest, 10 ** rng.uniform(1, 3)))
    for s in streams:
        if rng.random() < 0.6 and s not in {x.stream for x in out}:
            for _ in range(rng.choice((1, 1, 1, 2))):
                out.append(line("stream", s, s, 10 ** rng.uniform(0.5, 3.8)))
    names = dept["names"]
    for _ in range(rng.randint(1, 3)):
        match = [x for x in names if "配套" in x] or names
        out.append(line("match", rng.choice(match), None, 10 ** rng.uniform(1.5, 3.6)))
    while len(out) < n:
        out.append(line("routine", rng.choice(names), None, 10 ** rng.uniform(0, 2.5)))
    rng.shuffle(out)
    return units, out[:max(n, 10)]


def _code(rng: random.Random, division: str, year: int, used: set[str]) -> str:
    while True:
        tail = "".join(rng.choices(_CODE_CHARS, k=13))
        code = f"{division}{year % 100:02d}{tail}"
        if code not in used:
            used.add(code)
            return code


def _fill(text: str, place: str, year: int) -> str:
    return text.replace("{place}", place).replace("{year}", str(year)).replace("{prev_year}", str(year - 1))


class _File:
    """One department-year document being written."""

    def __init__(self, layout: str):
        self.layout = layout
        self.out: list[str] = []

    def row(self, *cells: str) -> None:
        if self.layout == "tab":
            self.out.append("\t".join(cells))
        else:
            self.out.extend("\t" + c for c in cells)
            self.out.append("")

    def text(self, line: str) -> None:
        self.out.append(line)


def _table(f: _File, world: _World, rng: random.Random, seq: int, bookmark: int, *, place: str,
           division: str, year: int, unit_code: str, unit_name: str, ln: _Line, approval: tuple[str, int],
           used: set[str], fname: str) -> Expected:
    v = world.vocab
    cells = f.layout == "cells"
    refs: list[str] = []

    def cite(issuer: str, doc_year: int, doc_seq: int) -> str:
        canonical, printed = _doc(issuer, doc_year, doc_seq, rng)
        refs.append(canonical)
        return printed

    purpose = _fill(v["purposes"][ln.purpose], place, year)
    if ln.kind in ("stream", "wide"):
        stream = ln.stream
        if stream is None:
            raise ValueError(f"a {ln.kind} line without its fund stream: {ln}")
        notice_seq = world.notice[(world.departments.index(_dept_of(world, ln)), stream, year)]
        title_text = _fill(stream, place, year)
        sep = rng.choice(("", " ", "  "))
        head = cite(PROVINCE_ISSUER, year - 1, notice_seq)
        name = f"{head}{sep}{title_text if ln.kind == 'stream' else ln.name}"
        title = name
        again = cite(PROVINCE_ISSUER, year - 1, notice_seq)
        purpose = f"贯彻执行河北省财政厅{title_text}（{again}）文件要求，{purpose}"
    else:
        name = _fill(ln.name, place, year)
        if cells and rng.random() < 0.7:
            name = f"{cite(*approval[:1], year, approval[1])} {name}"
            if rng.random() < 0.4:
                name = f"[{division}{year % 100:02d}X{rng.randrange(10 ** 12):012d}]{name}"
        title = name
        if ln.kind == "match":
            purpose = f"根据{cite(approval[0], year, approval[1])}文件，{purpose}"
    bare = not refs and rng.random() < P_BARE_HEADING
    heading = f"{seq}" if bare else f"{seq}.{title}绩效目标表"
    f.text(f"[bookmark: _Toc_4_4_{bookmark:010d}]{heading}" if cells else heading)
    if not cells and rng.random() < P_GLUED_UNIT_ROW:
        f.text(f"{unit_code}{unit_name}、单位：万元")
    else:
        f.row(f"{unit_code}{unit_name}", "单位：万元")
    code = _code(rng, unit_code if division in world.unit_led else division, year, used)
    f.row("项目编码", code, "项目名称", name)
    budget = _amount(rng, ln.base)
    other = _amount(rng, ln.base * 0.2) if ln.other else Decimal(0)
    fiscal = budget
    budget = fiscal + other
    other_printed = str(other) if ln.other else ("0" if not cells else " ")
    fiscal_label = "其中：财政    资金" if cells else "其中：财政资金"
    f.row("预算规模及资金用途", "预算数", str(budget), fiscal_label, str(fiscal), "其他资金", other_printed)
    f.row("", purpose) if cells else f.text(purpose)
    labels = v["plan_labels"]
    f.row("资金支出计划（%）", *labels)
    r = rng.random()
    if r < P_BLANK_PLAN:
        f.text("")
    else:
        plan = list(v["plans"][ln.plan])
        if r < P_BLANK_PLAN + P_PARTIAL_PLAN:
            cut = rng.randint(1, len(plan) - 1)
            plan = plan[:cut - 1] + ["100%"] + [""] * (len(plan) - cut)
        f.row("", *plan) if cells else f.row(*plan)
    if rng.random() < P_PLACEHOLDER_GOALS:
        goals = ["1.目标内容1"]
    else:
        goals = [f"{i}.{_fill(g, place, year)}" for i, g in enumerate(v["goals"][ln.goals], 1)]
    if cells:
        f.row("绩效目标", *goals)
        f.text("")
        f.text(" ")
    else:
        f.row("绩效目标", goals[0])
        for g in goals[1:]:
            f.text(g)
        f.text("")
    f.row("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据")
    rows = v["indicator_tables"][ln.table]
    joined = rng.random() < P_JOINED_LEVELS
    prev_l1 = None
    for l1, l2, l3, desc, value, basis in rows:
        if rng.random() < P_NEW_VALUE:
            value = rng.choice(v["values"])
        l3, desc, value, basis = (_fill(x, place, year) for x in (l3, desc, value, basis))
        if l1 != prev_l1 and joined and l1 == "效益指标" and l2 in _LEVEL2_JOINABLE:
            f.row(f"{l1}、{l2}", l3, desc, value, basis)
            joined = False
        elif l1 == prev_l1:
            f.row("", l2, l3, desc, value, basis) if cells else f.row(l2, l3, desc, value, basis)
        else:
            f.row(l1, l2, l3, desc, value, basis)
        prev_l1 = l1
    f.out.extend(["", "", " "] if cells else ["", ""])
    return Expected(fname, year, code, unit_code, str(budget), str(fiscal),
                    other_printed.strip() or None, list(dict.fromkeys(refs)), len(rows), name,
                    division, unit_name)


def county_issuers(counties: list[dict], prefectures: list[dict]) -> dict[str, str]:
    """Each county's budget-approval issuer (怀财资): as ontology/issuers.csv lists it, else the county's
    first character, or its first two where that character is taken (怀安县 → 怀安财资, 怀 being 怀来县's).
    """
    listed = {info.place: prefix for prefix, info in known_issuers().items()
              if info.place and prefix.endswith(APPROVAL_SUFFIX)}
    taken = {p["issuer"][0] for p in prefectures} | {PROVINCE_ISSUER[0]}
    taken |= {prefix[: -len(APPROVAL_SUFFIX)] for prefix in listed.values()}
    out: dict[str, str] = {}
    city_char = {p["code"]: p["issuer"][0] for p in prefectures}
    for c in counties:
        name = c["name"]
        if name in listed:
            out[c["code"]] = listed[name]
            continue
        # a name two cities share (桥西区) takes its city's character in front (张桥西)
        tries = (name[0], name[:2], city_char.get(c["prefecture"], "") + name[:2])
        abbr = next((a for a in tries if a not in taken and a[0] not in _LEAD_CHARS), tries[-1])
        taken.add(abbr)
        out[c["code"]] = abbr + APPROVAL_SUFFIX
    return out


def department_unit_code(department: int, unit: int) -> str:
    """A unit's budget code: the same department numbering in every county (316001, 316005 …), as
    county budget systems number them, so two counties' units share codes."""
    return f"3{department + 1:02d}{unit + 1:03d}"


def _dept_of(world: _World, ln: _Line) -> dict:
    return next(d for d in world.departments if ln.stream in d["streams"])


def generate(projects: int, seed: int, out: Path | str) -> GeneratedCorpus:
    """Write `projects` project tables (exactly) and expected.jsonl under `out`."""
    if projects < 1:
        raise ValueError(f"--projects must be at least 1, not {projects}")
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    world = _World(seed)
    used: set[str] = set()
    written = files = 0
    notice_counts: dict[str, int] = {}
    with (out / EXPECTED_FILE).open("w", encoding="utf-8") as exp:
        for d, c in world.slots():
            if written >= projects:
                break
            county = world.counties[c]
            place, division = county["name"], county["code"]
            rng = random.Random(f"{seed}:{d}:{c}")
            unit_names, lines = _lines(world, d, c, rng)
            unit_codes = [department_unit_code(d, u) for u in range(len(unit_names))]
            glued = [u != 0 and rng.random() < 0.2 for u in range(len(unit_names))]
            dept_short = f"d{d + 1}"
            for year in YEARS:
                if written >= projects:
                    break
                yr = random.Random(f"{seed}:{d}:{c}:{year}")
                layout = "cells" if yr.random() < 0.5 else "tab"
                approval = (world.issuer_of[division], yr.randint(1, 60))
                fname = f"{division}_{dept_short}_{year}.txt"
                f = _File(layout)
                f.text(" 第一部分")
                f.text("部门整体绩效目标")
                f.text("[bookmark: _Toc_2_2_0000000001]一、总体绩效目标")
                overall = _fill(world.vocab["purposes"][yr.randrange(len(world.vocab["purposes"]))], place, year)
                if division in world.unit_led:
                    # the department names itself in full (石家庄市新华区人力资源和社会保障局), as documents
                    # whose codes carry no division do
                    overall = f"{world.city_name[county['prefecture']]}{place}{world.departments[d]['units'][0]}" \
                              f"：{overall}"
                f.text(overall)
                if layout == "tab":
                    f.text("[bookmark: _Toc_2_2_0000000002]二、分项绩效目标")
                else:
                    f.text("第二部分")
                    f.text("预算项目绩效目标")
                for i, ln in enumerate(lines[: projects - written], 1):
                    uname = unit_names[ln.unit] if glued[ln.unit] else place + unit_names[ln.unit]
                    e = _table(f, world, yr, i, i + 3, place=place, division=division, year=year,
                               unit_code=unit_codes[ln.unit], unit_name=uname, ln=ln,
                               approval=approval, used=used, fname=fname)
                    exp.write(json.dumps(asdict(e), ensure_ascii=False) + "\n")
                    for r in e.doc_refs:
                        notice_counts[r] = notice_counts.get(r, 0) + 1
                    written += 1
                (out / fname).write_text("\n".join(f.out) + "\n", encoding="utf-8")
                files += 1
    widest = max(notice_counts, key=lambda doc: notice_counts[doc]) if notice_counts else ""
    result = GeneratedCorpus(out, files, written, widest, notice_counts.get(widest, 0),
                             time.perf_counter() - started, notice_counts)
    meta = {k: v for k, v in asdict(result).items() if k != "notice_counts"} | {"seed": seed, "out": str(out)}
    (out / "corpus.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def load_expected(out: Path | str) -> list[dict]:
    """The expected records written beside a generated corpus."""
    with (Path(out) / EXPECTED_FILE).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    ap.add_argument("--projects", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    g = generate(a.projects, a.seed, a.out)
    print(f"{g.projects} projects in {g.files} files under {g.out} in {g.seconds:.1f} s; "
          f"widest notice {g.widest_notice} funds {g.widest_count} projects")


if __name__ == "__main__":
    main()

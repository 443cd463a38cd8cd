"""Extract the generator's vocabulary from real documents into bench/vocab.json (run once, committed).

    python -m bench.vocab data/*.txt

What is kept: indicator tables (each row's six cells), value shapes, purposes, goals, spending plans,
project names and the unit names' suffixes, with place names, budget years and 文号 taken out so the
generator can put its own in. `bench/places.json` (division codes and names) is separate, hand-kept data.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from ingest import find_doc_numbers, parse_file

__all__ = ["VOCAB_FILE", "extract_vocab", "load_vocab", "main"]

VOCAB_FILE = Path(__file__).resolve().parent / "vocab.json"
_PLACE = re.compile(r"^[\u4e00-\u9fff]{1,4}?[县区市]")
_CODE_IN_BRACKETS = re.compile(r"\[\d{6,}[A-Z0-9]*\]")


def _strip_refs(text: str) -> str:
    """Text without its 文号 (and the brackets or spaces left around them)."""
    for m in reversed(find_doc_numbers(text)):
        text = text[: m.start] + text[m.end :]
    text = _CODE_IN_BRACKETS.sub("", text)
    text = re.sub(r"[（(]\s*[）)]", "", text)
    return text.strip(" \u3000")


def _template(text: str, year: int | None, places: set[str]) -> str:
    """Place names → {place}, the budget year → {year}, the year before → {prev_year}."""
    text = _strip_refs(text)
    for place in sorted(places, key=len, reverse=True):
        text = text.replace(place, "{place}")
    if year:
        text = text.replace(str(year), "{year}").replace(str(year - 1), "{prev_year}")
    return text


def extract_vocab(paths: list[Path]) -> dict:
    """The vocabulary of the given documents (see the module docstring)."""
    projects = [p for path in paths for p in parse_file(path).projects]
    places = {m.group(0) for p in projects if p.unit_name and (m := _PLACE.match(p.unit_name))}
    lists: list[list[Any]] = [[] for _ in range(8)]
    indicator_tables, values, purposes, goals, plans, names, units, notices = lists
    for p in projects:
        rows = [
            [_template(c or "", p.year, places) for c in
             (i.level1, i.level2, i.level3, i.description, i.value, i.basis)]
            for i in p.indicators
        ]
        if rows and all(all(r) and "、" not in r[0] for r in rows):
            indicator_tables.append(rows)  # clean tables only: the generator adds its own mess
        values.extend(r[4] for r in rows if r[4])
        if p.purpose:
            purposes.append(_template(p.purpose.replace("\n", ""), p.year, places))
        real_goals = [g for g in p.goals if "目标内容" not in g]
        if real_goals:
            goals.append([re.sub(r"^\d+[.．、]", "", _template(g, p.year, places)) for g in real_goals])
        if p.spending_plan and not p.spending_plan.is_blank:
            plans.append([x or "" for x in p.spending_plan.printed])
        if p.project_name and not p.doc_refs:
            names.append(_template(p.project_name, p.year, places))
        elif p.project_name and any((r.level or "") == "省" for r in _docs(p)):
            notices.append(_template(p.project_name, p.year, places).strip(" 、，"))
        if p.unit_name:
            units.append(_template(p.unit_name, p.year, places).removeprefix("{place}"))
    return {
        "indicator_tables": _unique(indicator_tables),
        "values": _unique(values),
        "purposes": _unique(purposes),
        "goals": _unique(goals),
        "plans": _unique(plans),
        "plan_labels": list(next((p.spending_plan.labels for p in projects if p.spending_plan), ())),
        "project_names": _unique(names),
        "unit_names": _unique(units),
        "notice_titles": _unique(notices),
    }


def _docs(p):
    from ingest import DocNumber

    return [DocNumber.parse(c) for c in p.doc_numbers]


def _unique(items: list) -> list:
    seen, out = set(), []
    for item in items:
        key = json.dumps(item, ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def load_vocab(path: Path = VOCAB_FILE) -> dict:
    """The committed vocabulary."""
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        raise SystemExit("usage: python -m bench.vocab FILE…")
    vocab = extract_vocab([Path(a) for a in args])
    VOCAB_FILE.write_text(json.dumps(vocab, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{VOCAB_FILE}: " + ", ".join(f"{k} {len(v)}" for k, v in vocab.items()))


if __name__ == "__main__":
    main()

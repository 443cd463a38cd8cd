"""Search quality against judged queries: nDCG@k and recall@k over a TSV of hand-marked projects.

File format (tests/search_judgments.tsv): query <TAB> filters <TAB> relevant <TAB> note, where filters
is "-" or key=value pairs (year, unit, theme, issuer) and relevant is "项目编码:grade …" (grade 2 or 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.search.backend import SearchError

__all__ = ["Judgment", "QueryScore", "load_judgments", "ndcg_at", "recall_at", "evaluate"]

_FILTER_KEYS = {"year": int, "unit": str, "theme": str, "issuer": str}


@dataclass(frozen=True)
class Judgment:
    """One judged query: its filters and the relevance grade of each relevant project code."""

    query: str
    filters: dict[str, Any]
    relevant: dict[str, int]
    line: int = 0


@dataclass(frozen=True)
class QueryScore:
    judgment: Judgment
    ranked: list[str]
    ndcg: float
    recall: float
    seconds: float = 0.0


@dataclass
class Evaluation:
    scores: list[QueryScore] = field(default_factory=list)

    @property
    def ndcg(self) -> float:
        return sum(s.ndcg for s in self.scores) / len(self.scores) if self.scores else 0.0

    @property
    def recall(self) -> float:
        return sum(s.recall for s in self.scores) / len(self.scores) if self.scores else 0.0


def load_judgments(path: Path) -> list[Judgment]:
    """The judged queries of a TSV file; raises SearchError on a malformed line."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 3:
            raise SearchError(f"{path}:{n}: expected query, filters and relevant projects")
        filters: dict[str, Any] = {}
        if cols[1].strip() not in ("", "-"):
            for pair in cols[1].split(","):
                key, _, value = pair.partition("=")
                if key.strip() not in _FILTER_KEYS or not value:
                    raise SearchError(f"{path}:{n}: bad filter {pair!r}")
                filters[key.strip()] = _FILTER_KEYS[key.strip()](value.strip())
        relevant = {}
        for item in cols[2].split():
            code, _, grade = item.partition(":")
            if not grade.isdigit() or int(grade) not in (1, 2, 3):
                raise SearchError(f"{path}:{n}: bad grade in {item!r}")
            relevant[code] = int(grade)
        if not relevant:
            raise SearchError(f"{path}:{n}: no relevant project marked")
        out.append(Judgment(cols[0], filters, relevant, n))
    return out


def ndcg_at(ranked: Sequence[str], relevant: dict[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the first k results (gain 2^grade − 1)."""
    dcg = sum((2 ** relevant.get(c, 0) - 1) / math.log2(i + 2) for i, c in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: Sequence[str], relevant: dict[str, int], k: int = 10) -> float:
    """Share of the relevant projects found in the first k, out of at most k (so 1.0 is reachable)."""
    found = sum(1 for c in ranked[:k] if c in relevant)
    return found / min(len(relevant), k) if relevant else 0.0


def evaluate(index: Any, judgments: Sequence[Judgment], k: int = 10) -> Evaluation:
    """Run every judged query on a SearchIndex and score its first k hits."""
    import time

    ev = Evaluation()
    for j in judgments:
        t0 = time.perf_counter()
        result = index.search(j.query, page_size=k, **j.filters)
        seconds = time.perf_counter() - t0
        ranked = [h.project_code or "" for h in result.hits]
        ev.scores.append(QueryScore(j, ranked, ndcg_at(ranked, j.relevant, k),
                                    recall_at(ranked, j.relevant, k), seconds))
    return ev

"""Chinese text analysis for search: folding, jieba/rjieba segmentation, stop words, synonyms, highlighting.

Engine-neutral: it turns text into index terms and queries into words with alternatives; a search
backend only ever sees the terms, so every engine indexes exactly the same tokens.

    >>> a = get_analyzer(AnalyzerConfig.default())
    >>> "就业补助" in a.index_terms("就业补助县级配套资金")
    True
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from threading import Lock
from typing import Any

__all__ = [
    "DATA_DIR",
    "AnalyzerConfig",
    "Alternative",
    "QueryWord",
    "Analyzer",
    "get_analyzer",
    "fold",
    "Segmenter",
    "SEGMENTERS",
    "new_segmenter",
    "default_segmenter",
]

DATA_DIR = Path(__file__).resolve().parent
_MAX_SUBWORD = 12
_MEMO_SIZE = 200_000  # distinct texts whose terms are remembered while indexing
# A term worth indexing has a letter, digit or CJK character; punctuation and spaces are dropped.
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_ONLY = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")


def _read_lines(path: Path) -> list[str]:
    return [
        line.strip() for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _variant_pairs(path: Path) -> str:
    """The traditional→simplified pairs of variants.txt as one string "險险業业…"."""
    return "".join(w for line in _read_lines(path) for w in line.split() if len(w) == 2)


@dataclass(frozen=True)
class AnalyzerConfig:
    """Everything segmentation depends on; saved with an index so queries are cut as documents were."""

    words: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, str], ...] = ()
    variants: str = ""  # traditional/simplified character pairs, concatenated

    @classmethod
    def default(cls, extra_words: Iterable[str] = ()) -> AnalyzerConfig:
        """The package data files (userdict.txt, stopwords.txt, synonyms.tsv, variants.txt) plus words."""
        words = [line.split()[0] for line in _read_lines(DATA_DIR / "userdict.txt")]
        words += [w.strip() for w in extra_words if w and w.strip()]
        synonyms = []
        for line in _read_lines(DATA_DIR / "synonyms.tsv"):
            parts = line.split("\t")
            if len(parts) == 2 and parts[0] and parts[1]:
                synonyms.append((parts[0].strip(), parts[1].strip()))
        return cls(
            words=tuple(dict.fromkeys(words)),
            stopwords=tuple(_read_lines(DATA_DIR / "stopwords.txt")),
            synonyms=tuple(synonyms),
            variants=_variant_pairs(DATA_DIR / "variants.txt"),
        )

    def to_json(self) -> dict[str, Any]:
        return {"words": list(self.words), "stopwords": list(self.stopwords),
                "synonyms": [list(p) for p in self.synonyms], "variants": self.variants}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnalyzerConfig:
        return cls(tuple(data["words"]), tuple(data["stopwords"]),
                   tuple((a, b) for a, b in data["synonyms"]), data.get("variants", ""))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=0), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> AnalyzerConfig:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Alternative:
    """One way a query word can match: every term must occur in the document (any field)."""

    terms: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class QueryWord:
    """A word of the query and the alternatives that match it (itself, its synonym, its parts)."""

    text: str
    alternatives: tuple[Alternative, ...] = field(default=())

    @property
    def terms(self) -> set[str]:
        return {t for a in self.alternatives for t in a.terms}


def _fold_table(variants: str) -> dict[int, int]:
    # Full-width ASCII → ASCII, the ideographic space → space, A-Z → a-z, 繁 → 简: one character for
    # one, so offsets found in folded text hold in the original.
    table = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
    table[0x3000] = 0x20
    table.update({c: c + 32 for c in range(ord("A"), ord("Z") + 1)})
    for i in range(0, len(variants) - 1, 2):
        table[ord(variants[i])] = ord(variants[i + 1])
    for c in range(0xFF21, 0xFF3B):  # full-width capitals fold straight to lower case
        table[c] = c - 0xFEE0 + 32
    return table


@cache
def _default_fold_table() -> dict[int, int]:
    return _fold_table(_variant_pairs(DATA_DIR / "variants.txt"))


def fold(text: str) -> str:
    """Width, case and traditional→simplified folding with the package tables (same length)."""
    return text.translate(_default_fold_table())


_JIEBA_LOCK = Lock()
SEGMENTERS = ("rjieba", "jieba")


class Segmenter:
    """jieba's dictionary segmentation (HMM off) with our words added: `cut` and `has_word`.

    Two engines give the same tokens: `rjieba` (the Rust port, ~20× faster) when it is installed,
    else `jieba`. Words already in jieba's dictionary are not added again: Python jieba's
    add_word counts an existing word's frequency into the total a second time while rjieba
    replaces it, and that drift alone splits 企业职工 or 执行率 differently. A new word gets the
    frequency each engine suggests for it, which is the same number in both.
    """

    name: str

    def cut(self, text: str) -> list[str]:
        raise NotImplementedError

    def has_word(self, word: str) -> bool:
        raise NotImplementedError


class _JiebaSegmenter(Segmenter):
    name = "jieba"

    def __init__(self, words: Iterable[str]):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        with _JIEBA_LOCK:
            # Building the prefix dictionary ourselves skips jieba.initialize(), which would write
            # jieba.cache into the system temp directory.
            tk.FREQ, tk.total = tk.gen_pfdict(tk.get_dict_file())
            tk.initialized = True
            for w in words:
                if not tk.FREQ.get(w):
                    tk.add_word(w)
        self._tk = tk
        self._freq = tk.FREQ

    def cut(self, text: str) -> list[str]:
        # HMM off: unknown runs are cut the same way wherever they stand, so a query word cut
        # alone gives the same terms as in the middle of a document.
        return list(self._tk.cut(text, HMM=False))

    def has_word(self, word: str) -> bool:
        return bool(self._freq.get(word))


class _RJiebaSegmenter(Segmenter):
    name = "rjieba"

    def __init__(self, words: Iterable[str]):
        import rjieba

        jb = rjieba.Jieba()
        for w in words:
            if not jb.has_word(w):
                jb.add_word(w, None, None)
        self._jb = jb
        self.has_word = jb.has_word  # type: ignore[method-assign]

    def cut(self, text: str) -> list[str]:
        return self._jb.cut(text, False)

    def has_word(self, word: str) -> bool:
        return self._jb.has_word(word)


def default_segmenter() -> str:
    """"rjieba" when it is installed, else "jieba"."""
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return "jieba"
    return "rjieba"


def new_segmenter(words: Iterable[str], engine: str | None = None) -> Segmenter:
    """A private segmenter with the words added; it never reads or writes a cache file."""
    engine = engine or default_segmenter()
    if engine == "rjieba":
        return _RJiebaSegmenter(words)
    if engine == "jieba":
        return _JiebaSegmenter(words)
    raise ValueError(f"unknown segmenter {engine!r}; known: {', '.join(SEGMENTERS)}")


class Analyzer:
    """Index terms and query words for one AnalyzerConfig (build once per process: get_analyzer)."""

    def __init__(self, config: AnalyzerConfig, segmenter: str | None = None):
        self.config = config
        self._table = _fold_table(config.variants)
        self._stop = frozenset(self.fold(w) for w in config.stopwords)
        self._syn: dict[str, str] = {self.fold(a): self.fold(b) for a, b in config.synonyms}
        self._variants_of: dict[str, set[str]] = {}
        for a, b in self._syn.items():
            self._variants_of.setdefault(b, set()).add(a)
        words = [self.fold(w) for w in (*config.words, *config.stopwords, *self._syn, *self._syn.values())]
        self.segmenter = new_segmenter(dict.fromkeys(w for w in words if w), segmenter)
        self._memo: dict[str, tuple[str, ...]] = {}
        self._line_memo: dict[str, str] = {}
        self._word_memo: dict[str, tuple[str, ...]] = {}

    def fold(self, text: str) -> str:
        """Width, case and traditional→simplified folding; the result has the same length."""
        return text.translate(self._table)

    def _cut(self, folded: str) -> list[str]:
        return self.segmenter.cut(folded)

    def _in_dict(self, word: str) -> bool:
        return self.segmenter.has_word(word)

    def _subwords(self, word: str) -> Iterator[str]:
        """Dictionary words inside a longer word (养老保险 inside 城乡居民基本养老保险)."""
        if len(word) < 3 or not _CJK_ONLY.match(word):
            return
        n = len(word)
        for i in range(n):
            for j in range(i + 2, min(n, i + _MAX_SUBWORD) + 1):
                if (i, j) != (0, n) and self._in_dict(word[i:j]):
                    yield word[i:j]

    def index_terms(self, text: str | None) -> list[str]:
        """The terms a text is indexed under: its words, the dictionary words inside them, synonyms."""
        return list(self.index_terms_of(text)) if text else []

    def index_terms_of(self, text: str) -> tuple[str, ...]:
        """index_terms as the tuple the analyzer keeps (not to be changed): no copy per call."""
        # Tables repeat their wording (服务对象满意度, 依据相关政策 …): each distinct text is cut once.
        cached = self._memo.get(text)
        if cached is None:
            cached = self._memo[text] = tuple(self._index_terms(text))
            if len(self._memo) > _MEMO_SIZE:
                self._memo.pop(next(iter(self._memo)))
        return cached

    def index_line_of(self, text: str) -> str:
        """index_terms_of joined by spaces, as the engines' whitespace-split text fields take them
        (a term never holds a space: jieba cuts at spaces and punctuation is no term)."""
        line = self._line_memo.get(text)
        if line is None:
            cached = self._memo.get(text)
            terms = cached if cached is not None else self._index_terms(text)
            line = self._line_memo[text] = " ".join(t for t in terms if t and " " not in t)
            if len(self._line_memo) > _MEMO_SIZE:
                self._line_memo.pop(next(iter(self._line_memo)))
        return line

    def _index_terms(self, text: str) -> list[str]:
        out: list[str] = []
        memo = self._word_memo
        for word in self._cut(self.fold(text)):
            terms = memo.get(word)
            if terms is None:
                terms = self._word_terms(word)
                if len(memo) < _MEMO_SIZE:  # words repeat far more than texts: a bounded memo
                    memo[word] = terms
            out += terms
        return out

    def _word_terms(self, word: str) -> tuple[str, ...]:
        """The terms one segmented word is indexed under (none for punctuation and stop words)."""
        if not _WORDLIKE.search(word) or word in self._stop:
            return ()
        terms = [t for t in (word, *self._subwords(word)) if t not in self._stop]
        terms += [s for s in dict.fromkeys(self._syn[t] for t in terms if t in self._syn)
                  if s not in terms]
        return tuple(terms)

    def _splits(self, word: str, limit: int = 3) -> list[tuple[str, ...]]:
        """The ways a long word splits into the fewest dictionary pieces of two characters or more.

        就业补助资金 → 就业补助|资金 and 就业|补助资金: a document with the pieces apart still matches.
        """
        n = len(word)
        if n < 4 or not _CJK_ONLY.match(word):
            return []
        # best[i]: (piece count, segmentations of word[:i] with that count)
        best: list[tuple[int, list[tuple[str, ...]]] | None] = [None] * (n + 1)
        best[0] = (0, [()])
        for i in range(n):
            here = best[i]
            if here is None:
                continue
            count, segs = here
            for j in range(i + 2, n + 1):
                if (i, j) == (0, n) or not self._in_dict(word[i:j]):
                    continue
                cand = [(*s, word[i:j]) for s in segs]
                there = best[j]
                if there is None or count + 1 < there[0]:
                    best[j] = (count + 1, cand[:limit])
                elif count + 1 == there[0]:
                    best[j] = (count + 1, (there[1] + cand)[:limit])
        last = best[n]
        return last[1] if last else []

    def query_words(self, text: str) -> list[QueryWord]:
        """The words of a query, each with the alternatives that match it; stop words dropped."""
        words = [w for w in self._cut(self.fold(text)) if _WORDLIKE.search(w)]
        kept = [w for w in words if w not in self._stop] or words
        out: list[QueryWord] = []
        for w in dict.fromkeys(kept):
            alts = [Alternative((w,), 1.0)]
            if w in self._syn:
                alts.append(Alternative((self._syn[w],), 1.0))
            alts += [Alternative(parts, 0.3) for parts in self._splits(w)]
            out.append(QueryWord(w, tuple(alts)))
        return out

    def highlight_terms(self, words: Iterable[QueryWord]) -> set[str]:
        """Strings to mark in a hit's text: the query words, their synonyms and the variants of those."""
        terms: set[str] = set()
        for w in words:
            terms |= w.terms
        for t in list(terms):
            terms |= self._variants_of.get(t, set())
        multi = {t for t in terms if len(t) > 1}
        return multi or terms

    def find_spans(self, text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
        """Non-overlapping (start, end) offsets of the terms in the text, longest terms first."""
        folded = self.fold(text)
        taken = [False] * len(folded)
        spans: list[tuple[int, int]] = []
        for term in sorted(set(terms), key=len, reverse=True):
            if not term:
                continue
            at = folded.find(term)
            while at >= 0:
                end = at + len(term)
                if not any(taken[at:end]):
                    spans.append((at, end))
                    for k in range(at, end):
                        taken[k] = True
                at = folded.find(term, at + 1)
        return sorted(spans)


@cache
def get_analyzer(config: AnalyzerConfig, segmenter: str | None = None) -> Analyzer:
    """The analyzer for a configuration, built once per process (jieba takes about a second).

    segmenter: "rjieba" or "jieba"; default rjieba when installed (both give the same terms).
    """
    return Analyzer(config, segmenter or default_segmenter())

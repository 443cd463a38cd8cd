"""What keeps a corpus small and its text functions fast: one string per distinct recurring text, and one
cache for the pure text functions a build calls on every cell and title."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from sys import intern
from typing import TypeVar

__all__ = ["SHORT_TEXT", "interned", "remembered"]

R = TypeVar("R")
S = TypeVar("S", bound="str | None")

SHORT_TEXT = 256  # longer texts are computed each time: a hostile file cannot fill a cache with them


def interned(text: str | None) -> str | None:
    """One string object per distinct text (unit codes and names, finding values, regions recur on
    every table or row); None and "" as they are."""
    return intern(text) if text else text


def remembered(maxsize: int, longest: int = SHORT_TEXT) -> Callable[[Callable[[S], R]], Callable[[S], R]]:
    """Cache a pure function of one text for texts of up to `longest` characters (cells, titles and
    names recur across the tables and years of a corpus); longer ones and None are not kept."""

    def wrap(fn: Callable[[S], R]) -> Callable[[S], R]:
        cached = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def call(text: S) -> R:
            if text is not None and len(text) <= longest:
                return cached(text)
            return fn(text)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call

    return wrap

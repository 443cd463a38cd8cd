"""Errors raised on purpose by hrss-kg: one root, with a location."""

from __future__ import annotations

from pathlib import Path

__all__ = ["HrssError", "DocNumberError", "SourceError"]


class HrssError(Exception):
    """Base for every error hrss-kg raises on purpose."""


class DocNumberError(HrssError, ValueError):
    """Text that is not a 文号 (document number)."""


class SourceError(HrssError):
    """A source file that cannot be read at all (empty, binary, undecodable)."""

    def __init__(self, message: str, path: Path | str, line: int | None = None):
        super().__init__(message)
        self.path, self.line = Path(path), line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.args[0]}"

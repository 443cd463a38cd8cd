"""JSON output that keeps Decimal amounts exactly as printed ("10.00" stays 10.00, a number)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = ["dumps", "to_plain"]

_MARK = "\u0000D:"
_MARKED = re.compile(r'"\\u0000D:([-+0-9.Ee]+)"')
_MARK_JSON = '"\\u0000D:'  # how json.dumps writes a marked Decimal's start
_PLAIN = frozenset({str, int, float, bool})
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def to_plain(obj: Any) -> Any:
    """Dataclasses, Decimals, paths and dates → JSON-ready values (Decimals marked for `dumps`)."""
    if obj is None or type(obj) in _PLAIN:  # most values: returned before the slower checks
        return obj
    if isinstance(obj, Decimal):
        return _MARK + format(obj, "f")
    if hasattr(obj, "to_json"):
        return to_plain(obj.to_json())
    if is_dataclass(obj) and not isinstance(obj, type):
        return to_plain(asdict(obj))
    if isinstance(obj, dict):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_plain(v) for v in obj]
    if isinstance(obj, (Path, date, datetime)):
        return str(obj)
    return obj


def dumps(obj: Any, indent: int | None = None) -> str:
    """json.dumps with Chinese kept readable and Decimals written as exact JSON numbers."""
    plain = to_plain(obj)
    text = (_ENCODER.encode(plain) if indent is None
            else json.dumps(plain, ensure_ascii=False, indent=indent))
    return _MARKED.sub(r"\1", text) if _MARK_JSON in text else text

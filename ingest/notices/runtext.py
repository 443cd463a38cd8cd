"""Allocations in running text: "其中：怀来县250万元，涿鹿县200万元；另安排蔚县、市本级各75万元"."""

from __future__ import annotations

import re

from ingest.notices.amounts import text_amount
from ingest.notices.blocks import Para
from ingest.records import Allocation

__all__ = ["read_running_text"]

_SEGMENT = re.compile(
    r"^(?P<names>.+?)\s*(?P<each>各)?\s*(?:为|安排|下达|分配|补助)?\s*"
    r"(?P<num>\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>万元|亿元|元)$"
)
_LEAD = re.compile(r"^(?:其中|另外|另行|另|再|并|分别|对|向|给予?|安排|下达|分配|拨付|补助)+[:：]?")
_REGION_NAME = re.compile(r"^[\u4e00-\u9fff（）()]{1,15}(?:县|区|市|旗|州|盟|本级|开发区|新区|管理区)$")
_NOT_A_NAME = ("你", "各", "全", "本", "我", "该")
_MAX_SEGMENT = 200


def _is_name(text: str) -> bool:
    return bool(_REGION_NAME.match(text)) and not text.startswith(_NOT_A_NAME)


def _names(text: str) -> list[str] | None:
    """The recipients before an amount: "另安排平安区、循化县" → 平安区, 循化县 (民和县 stays whole)."""
    parts: list[str] = []
    for k, piece in enumerate(re.split(r"[、，,]", text)):
        piece = _LEAD.sub("", piece.strip()).strip() if k == 0 else piece.strip()
        if _is_name(piece):
            parts.append(piece)
            continue
        # 和/及/与 join two names only when both sides are names ("怀来县和涿鹿县")
        words = [w for w in re.split(r"[和及与]", piece) if w]
        if len(words) > 1 and all(_is_name(w) for w in words):
            parts.extend(words)
        else:
            return None
    return parts or None


def read_running_text(paras: list[Para]) -> list[Allocation]:
    """Recipients and amounts printed in sentences; 各 gives each name the amount."""
    out: list[Allocation] = []
    for p in paras:
        text = p.text.replace("……", "").replace("…", "")
        at = text.find("其中")
        scope = text[at:] if at >= 0 else text
        for seg in re.split(r"[，,；;。]", scope):
            if len(seg) > _MAX_SEGMENT:
                continue  # a recipient and its amount make a short clause
            seg = re.sub(r"[（(][^）)]*[）)]$", "", seg.strip())
            m = _SEGMENT.match(seg)
            if m is None:
                continue
            names = _names(m["names"])
            if names is None or (len(names) > 1 and not m["each"]):
                continue
            wan = text_amount(m["num"], m["unit"])
            printed = f"{m['num']}{m['unit']}"
            out.extend(Allocation(n, wan, printed, m["unit"], p.span, origin="text") for n in names)
    return out

"""Which region a notice and each of its allocations are in, from the regions data.

The notice's region is its issuer's (冀财社 → 河北省; 承德市财政局 → 承德市). A recipient is looked up by
its printed name under the region of the row it is counted in (a county under its city's subtotal),
else under the notice's region, so 桥西区 is the one of the notice's city; 市本级 is the city's sub-region
`<city>-shibenji`. A recipient no region is named by keeps `region_code` None and is reported.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ingest.records import Allocation, Diagnostic, Notice, ParseResult

if TYPE_CHECKING:
    from ingest.regions import RegionIndex

__all__ = ["place_notice", "place_notices"]

_OWN_LEVEL = {"市本级": "shibenji", "本级": "shibenji", "省本级": "shengbenji", "县本级": "benji"}


def _notice_region(notice: Notice, index: RegionIndex) -> str | None:
    if notice.doc_number:
        from ingest.docnumber import DocNumber

        place = index.issuer_region(DocNumber.parse(notice.doc_number).issuer)
        if place.region_code:
            return place.region_code
    for issuer in notice.issuers:
        found = [m for m in index.find_in_text(issuer) if m.start == 0 and m.code]
        if found:
            return index.current(found[0].code)  # type: ignore[arg-type]
    return None


def _name(recipient: str) -> str:
    """The region name in a printed recipient ("其中：怀来县", "张家口市小计", "怀来县（含开发区）")."""
    name = re.sub(r"^其中\s*[:：]?", "", recipient.strip())
    name = re.sub(r"[（(][^）)]*[）)]$", "", name)
    return re.sub(r"\s+", "", re.sub(r"小\s*计$", "", name))


def _resolve(name: str, within: str | None, index: RegionIndex) -> str | None:
    if name in _OWN_LEVEL:
        code = f"{within}-{_OWN_LEVEL[name]}" if within else None
        return code if code in index else None
    codes = [index.current(c) for c in index.by_name(name)]
    if within is not None and len(set(codes)) > 1:
        codes = [c for c in codes if index.is_within(c, within)]
    if len(set(codes)) == 1:
        return codes[0]
    matches = index.find_in_text(name, within)
    if len(matches) == 1 and matches[0].text == name and matches[0].code:
        return index.current(matches[0].code)
    shorts = index.by_short_name(name, within=within)
    if len(shorts) == 1 and not codes:
        return shorts[0].code
    return None


def place_notice(notice: Notice, index: RegionIndex) -> tuple[Notice, list[Allocation]]:
    """The notice with its region and its recipients' regions set, and the recipients left unplaced."""
    region = _notice_region(notice, index)
    placed: list[Allocation] = []
    for a in notice.allocations:
        parent = placed[a.parent].region_code if a.parent is not None and a.parent < len(placed) else None
        code = _resolve(_name(a.recipient), parent or region, index)
        if code is None and parent and region:
            code = _resolve(_name(a.recipient), region, index)
        placed.append(replace(a, region_code=code))
    unplaced = [a for a in placed if a.region_code is None]
    return replace(notice, region_code=region, allocations=tuple(placed)), unplaced


def place_notices(result: ParseResult, index: RegionIndex) -> None:
    """Place every notice of a parse result in place; an unplaced recipient is a warning."""
    out = []
    for n in result.notices:
        placed, unplaced = place_notice(n, index)
        for a in unplaced:
            message = f"allocation {a.recipient!r} names no known region; kept as printed, unplaced"
            if a.span.is_text:
                result.diagnostics.append(Diagnostic(result.file, a.span.first_line, message))
            else:  # a Word, PDF, Excel or web file: the table row or cells
                locator = replace(a.span, file=result.file).locator
                result.diagnostics.append(Diagnostic(result.file, None, message, locator=locator))
        out.append(placed)
    result.notices = out

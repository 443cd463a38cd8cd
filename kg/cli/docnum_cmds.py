"""`docnum`: every 文号 in a text, canonical, with issuer, year, serial and where it was printed."""

from __future__ import annotations

from typing import Any

import click

from ingest.docnumber import find_doc_numbers
from ingest.docnumber.folding import INVISIBLE
from ingest.errors import HrssError
from ingest.reader import decode_source, load_source
from kg.cli.base import cli, echo_json, fail, json_option
from kg.cli.table import text_table

__all__ = ["docnum"]

SCHEMA = 1
# Shown as \uXXXX in the table so a soft hyphen or zero-width space inside a 文号 is visible.
_VISIBLE = {ord(c): f"\\u{ord(c):04x}" for c in INVISIBLE} | {ord("\n"): "\\n", ord("\t"): "\\t"}


def _rows(text: str, source: str | None) -> list[dict[str, Any]]:
    """Every 文号 in `text` as a JSON row, with its 1-based line (counted once, left to right)."""
    rows, line, at = [], 1, 0
    for m in find_doc_numbers(text):
        line += text.count("\n", at, m.start)
        at = m.start
        rows.append({**m.to_json(), "source": source, "line": line})
    return rows


def _read(path: str) -> str:
    """A file's text as ingest reads it (refusals, caps and decoding by line included); - is stdin."""
    if path != "-":
        return load_source(path).text
    with click.open_file("-", "rb") as f:
        return decode_source(f.read(), "-").text


@cli.command()
@click.argument("text", nargs=-1)
@click.option("--file", "-f", "files", multiple=True, metavar="F",
              help="Read the text from a file (repeatable; - is standard input).")
@json_option
def docnum(text: tuple[str, ...], files: tuple[str, ...], as_json: bool) -> None:
    """Every 文号 in a text: canonical (GB/T 9704), issuer, year, serial, line and raw spelling.

    The TEXT arguments are one text, one argument a line; with neither TEXT nor --file the text is
    read from standard input. Offsets are [start, end) in characters of the text as given (a file's
    as decoded, line ends \\n), even where invisible or traditional characters were folded to find it.

    \b
        python -m kg docnum "根据冀财社2021152号和粵財社〔2021〕305號"
        python -m kg docnum --file data/notice.txt --json
    """
    rows: list[dict[str, Any]] = []
    try:
        if text:
            rows += _rows("\n".join(text), None)
        for path in files or (() if text else ("-",)):
            rows += _rows(_read(path), path)
    except HrssError as e:
        raise fail(e) from e
    if as_json:
        echo_json({"schema": SCHEMA, "doc_numbers": rows})
        return
    if not rows:
        click.echo("没有找到文号")
        return
    table = [{"来源": r["source"] or "", "行": r["line"], "文号": r["canonical"], "发文字号": r["issuer"],
              "年份": r["year"], "序号": r["seq"], "发文机关": r["organisation"] or "-",
              "级别": r["level"] or "-", "原文": r["raw"].translate(_VISIBLE),
              "位置": f"{r['start']}-{r['end']}", "损坏": "是" if r["damaged"] else ""} for r in rows]
    columns = [c for c in table[0] if (c != "来源" or files) and (c != "损坏" or any(r["damaged"] for r in rows))]
    click.echo(text_table(columns, table))

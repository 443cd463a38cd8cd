"""The lexical check of a SPARQL query, made before any parser sees it.

Parsers recurse on nested groups (rdflib fails past ~50, pyoxigraph crashes the process near
2,200 nested braces), so size and nesting depth are measured here by one linear scan that skips
strings, IRIs and comments. The same scan then decides, on the text outside strings, whether it is
a query (SELECT / ASK / CONSTRUCT / DESCRIBE) and not an update, and refuses SERVICE (no store ever
makes a network request for a query) and FROM / FROM NAMED on graphs other than the build's own.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from kg.store.errors import QueryRefusedError, ReadOnlyError, StoreError

__all__ = ["check_read_only", "check_query", "scan", "Scanned"]

_OPEN, _CLOSE = "{([", "})]"
_SPECIAL = re.compile(r"""["'<#{}()\[\]]""")
_LONG = {'"': re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.DOTALL),
         "'": re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.DOTALL)}
_SHORT = {'"': re.compile(r'"(?:[^"\\\n\r]|\\.)*"'), "'": re.compile(r"'(?:[^'\\\n\r]|\\.)*'")}
_IRI = re.compile(r'<[^<>"{}|^`\\\s]*>')
_EOL = re.compile(r"[\n\r]")

_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*|BASE\s*)\s*<>\s*)*", re.IGNORECASE)
_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_UPDATE = re.compile(
    r"\b(INSERT\s+DATA|INSERT\s*\{|DELETE\s+DATA|DELETE\s+WHERE|DELETE\s*\{|WITH\s+<>"
    r"|(?:LOAD|CLEAR|DROP|CREATE)\s+(?:SILENT\s+)?(?:GRAPH|DEFAULT|NAMED|ALL|<>)"
    r"|(?:ADD|MOVE|COPY)\s+(?:SILENT\s+)?(?:GRAPH\s+)?(?:DEFAULT|<>)\s+TO)",
    re.IGNORECASE,
)
_UPDATE_WORD = re.compile(r"^\s*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
                          re.IGNORECASE)
# A keyword, not a variable (?service), a prefixed name (x:service) or a prefix (service:x)
_SERVICE = re.compile(r"(?<![?$:\w])SERVICE(?![\w:-])", re.IGNORECASE)
_FROM = re.compile(r"(?<![?$:\w])FROM\s+(?:NAMED\s+)?(<>|[^\s{}]*)", re.IGNORECASE)
_PREFIX_DECL = re.compile(r"(?<![?$:\w])PREFIX\s+([^\s:]*):\s*<>", re.IGNORECASE)


@dataclass(frozen=True)
class Scanned:
    """A query with strings replaced by "" and IRIs by <> (`iris` in order), and its depth."""

    bare: str
    iris: tuple[str, ...]
    depth: int


def _nesting(text: str) -> int:
    """The deepest run of ( and [ inside a token."""
    depth = deepest = 0
    for c in text:
        if c in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif c in ")]":
            depth = max(depth - 1, 0)
    return deepest


def _check_depth(sparql: str, offset: int, depth: int, max_depth: int | None) -> None:
    if max_depth is not None and depth > max_depth:
        raise QueryRefusedError(
            f"查询被拒绝：括号嵌套超过 {max_depth} 层（第 {sparql.count(chr(10), 0, offset) + 1} 行）。"
            "请把查询拆开或减少嵌套。")


def scan(sparql: str, max_depth: int | None = None) -> Scanned:
    """One linear pass over the text; QueryRefusedError past `max_depth` or on an open string."""
    pieces: list[str] = []
    iris: list[str] = []
    depth = deepest = 0
    pos = 0
    n = len(sparql)
    while pos < n:
        m = _SPECIAL.search(sparql, pos)
        if m is None:
            pieces.append(sparql[pos:])
            break
        i = m.start()
        pieces.append(sparql[pos:i])
        c = sparql[i]
        if c in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
            _check_depth(sparql, i, depth, max_depth)
            pieces.append(c)
            pos = i + 1
        elif c in _CLOSE:
            depth = max(depth - 1, 0)
            pieces.append(c)
            pos = i + 1
        elif c == "#":
            eol = _EOL.search(sparql, i)
            pieces.append(" ")
            pos = n if eol is None else eol.start()
        elif c == "<":
            iri = _IRI.match(sparql, i)
            if iri is None:  # the operator <
                pieces.append(c)
                pos = i + 1
            else:
                # An IRI may hold brackets, and a parser that reads `<` as "less than" recurses
                # on them: they count toward the depth while inside it.
                _check_depth(sparql, i, depth + _nesting(iri[0]), max_depth)
                iris.append(iri[0][1:-1])
                pieces.append("<>")
                pos = iri.end()
        else:  # a quote: each pattern runs once from here, so the scan stays linear
            s = (_LONG[c] if sparql.startswith(c * 3, i) else _SHORT[c]).match(sparql, i)
            if s is None:
                raise QueryRefusedError(
                    f"查询被拒绝：第 {sparql.count(chr(10), 0, i) + 1} 行的字符串没有结束引号。")
            pieces.append('""')
            pos = s.end()
    return Scanned("".join(pieces), tuple(iris), deepest)


def _form(scanned: Scanned) -> str:
    bare = scanned.bare
    body = _PROLOGUE.sub("", bare, count=1)
    update = _UPDATE.search(bare) or _UPDATE_WORD.match(body)
    if update:
        word = update.group(0).split()[0].split("{")[0].upper()
        raise ReadOnlyError(
            f"只读：不允许 SPARQL 更新（{word}）。图谱只能由 `python -m kg build` 重建；"
            "这里只接受 SELECT / ASK / CONSTRUCT / DESCRIBE 查询。")
    form = _FORM.match(body)
    if form is None:
        raise StoreError("不是 SPARQL 查询：应以 SELECT、ASK、CONSTRUCT 或 DESCRIBE 开头（可带 PREFIX）")
    return form[1].upper()


def check_read_only(sparql: str) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE); raises ReadOnlyError for any update."""
    return _form(scan(sparql))


def _iri_at(scanned: Scanned, offset: int) -> str:
    return scanned.iris[scanned.bare.count("<>", 0, offset)]


def _from_graph(scanned: Scanned, m: re.Match[str], prefixes: dict[str, str]) -> str | None:
    token = m[1]
    if token == "<>":
        return _iri_at(scanned, m.start(1))
    prefix, sep, local = token.partition(":")
    return prefixes[prefix] + local if sep and prefix in prefixes else None


def check_query(sparql: str, *, max_chars: int, max_depth: int, graphs: Collection[str] = (),
                prefixes: dict[str, str] | None = None) -> str:
    """The form of a user query that may run; raises for anything that must not reach a parser.

    Refused: more than `max_chars` characters or `max_depth` nested brackets (QueryRefusedError),
    an update (ReadOnlyError), SERVICE, and FROM / FROM NAMED on a graph not in `graphs`.
    """
    if len(sparql) > max_chars:
        raise QueryRefusedError(f"查询被拒绝：长度 {len(sparql):,} 字符，超过上限 {max_chars:,} 字符。")
    scanned = scan(sparql, max_depth)
    form = _form(scanned)
    if _SERVICE.search(scanned.bare):
        raise QueryRefusedError("查询被拒绝：不允许 SERVICE（联邦查询）。查询只在本图谱上运行，不访问网络。")
    known = dict(prefixes or {})
    known.update({m[1]: _iri_at(scanned, m.end() - 2) for m in _PREFIX_DECL.finditer(scanned.bare)})
    for m in _FROM.finditer(scanned.bare):
        graph = _from_graph(scanned, m, known)
        if graph is None or graph not in graphs:
            allowed = "、".join(f"<{g}>" for g in graphs) or "无（本图谱只有默认图）"
            raise QueryRefusedError(f"查询被拒绝：FROM 只能指定本图谱的图（可用: {allowed}），"
                                    f"不能指定 {'<' + graph + '>' if graph else m[1]}。")
    return form

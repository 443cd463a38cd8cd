"""The grid model every reader produces: paragraphs and tables of cells, each with its place."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Cell", "Table", "Paragraph", "Document", "Skipped", "column_letter"]


@dataclass(frozen=True)
class Cell:
    """One cell as displayed: its text, top-left grid position (0-based) and spans."""

    text: str
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1


@dataclass
class Table:
    """A table: cells on a grid. `pages[r]` is the page of grid row r (PDF), `origin` the sheet's
    top-left cell (Excel, 1-based row and column) so cell positions map back to A1 references."""

    cells: list[Cell]
    number: int  # 1-based, in reading order of the file
    pages: list[int] | None = None
    sheet: str | None = None
    origin: tuple[int, int] = (1, 1)

    @property
    def n_rows(self) -> int:
        return max((c.row + c.row_span for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return max((c.col + c.col_span for c in self.cells), default=0)

    def rows(self) -> list[list[str]]:
        """Each grid row's cells as the eye reads them: a cell spanning columns once, a cell
        merged down from a row above as an empty cell (the row keeps its column positions)."""
        out: list[list[tuple[int, str]]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append((c.col, c.text))
            for r in range(c.row + 1, c.row + c.row_span):
                out[r].append((c.col, ""))
        return [[text for _, text in sorted(row)] for row in out]

    def a1(self, first_row: int, last_row: int) -> str:
        """The A1 range of grid rows first..last (0-based), all columns."""
        r0, c0 = self.origin
        left, right = column_letter(c0), column_letter(c0 + max(self.n_cols, 1) - 1)
        return f"{left}{r0 + first_row}:{right}{r0 + last_row}"


@dataclass(frozen=True)
class Paragraph:
    """Text outside tables: a heading or body paragraph, with its bookmarks and page."""

    text: str
    page: int | None = None
    bookmarks: tuple[str, ...] = ()
    sheet: str | None = None
    cell: str | None = None  # A1 reference of a sheet's text cell outside any table


@dataclass(frozen=True)
class Skipped:
    """A table or page not read, and why (it goes into the file's report)."""

    where: str  # "table 3", "p.4", "sheet 目录"
    reason: str


@dataclass
class Document:
    """A file as read: blocks (paragraphs and tables) in reading order, plus what was skipped."""

    kind: str  # docx | xlsx | xls | pdf | html | text
    blocks: list[Paragraph | Table] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    pages: int | None = None
    notes: list[tuple[str | None, str]] = field(default_factory=list)  # (where, message) warnings

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def column_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out

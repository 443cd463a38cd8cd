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
    """A table: cells on a grid. `pages[r]` is the page of grid row r (PDF) and `boxes[r]` its
    rectangle there, `origin` the sheet's top-left cell (Excel, 1-based row and column) so cell
    positions map back to A1 references."""

    cells: list[Cell]
    number: int  # 1-based, in reading order of the file
    pages: list[int] | None = None
    sheet: str | None = None
    origin: tuple[int, int] = (1, 1)
    # PDF: grid row r's rectangle (x0, top, x1, bottom) on page `pages[r]`, in PDF points
    boxes: list[tuple[float, float, float, float]] | None = None

    @property
    def n_rows(self) -> int:
        return max((c.row + c.row_span for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return max((c.col + c.col_span for c in self.cells), default=0)

    def rows(self) -> list[list[str]]:
        """Each grid row's cells as the eye reads them: a cell spanning columns once, a cell
        merged down from a row above as an empty cell (the row keeps its column positions)."""
        width = self.n_cols
        # per row: column → text where a cell starts, None where a cell spanning columns covers it
        taken: list[dict[int, str | None]] = [{} for _ in range(self.n_rows)]
        for c in self.cells:
            for r in range(c.row, c.row + c.row_span):
                taken[r][c.col] = c.text if r == c.row else ""
                for k in range(c.col + 1, c.col + c.col_span):
                    taken[r][k] = None
        out = []
        for row in taken:
            # an empty grid position (no cell at all: Excel, a ragged HTML row) is an empty cell
            out.append([v for k in range(width) if (v := row.get(k, "")) is not None])
        return out

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

"""Write the sample as Word, Excel and web page from its TEXT layout (never from parsed records).

    python tests/make_native_fixtures.py            # .docx .xlsx .html under tests/data/native/
    python tests/make_native_fixtures.py --pdf      # and the PDFs, converted once with LibreOffice
    python tests/make_native_fixtures.py --templates  # only tests/data/templates/*.docx

It writes `sample.*` (the bundled sample) and `small.*` (tests/data/tab_layout.txt), and under
`bad/` an owner-password PDF, a user-password PDF and a scanned (image-only) PDF; and
`tests/data/templates/long_term_goals.docx` from its text (goal blocks side by side, the 绩效目标
label merged down over them).

The text export is read as a layout only: TAB rows, one-cell-per-line rows, the lines a cell runs on
over, and paragraphs. Tables get the structure the Word original had: a blank first cell (or a row
that lacks its first cell, or a text line inside a table) is a cell merged down from the row above
(vMerge); a row shorter than the table has its last cell spanning the rest (gridSpan); headings carry
their bookmarks. The unit line before a table (`316001…<TAB>单位：万元`) is a borderless paragraph.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "data" / "000_61c5a3a787465ec8.txt"
SMALL = HERE / "data" / "tab_layout.txt"
OUT = HERE / "data" / "native"
CONTINUE = object()  # a cell merged down from the row above

_BOOKMARK = re.compile(r"^\[bookmark: (?P<name>[^\]]+)\]")
_HEADING = re.compile(r"^\s*(\[bookmark:|第.+部分|[一二三四五六七八九十]+、|\d+[.．、].*绩效目标表)")
_LEVEL1 = ("产出指标", "效益指标", "满意度指标")
_UNIT = re.compile(r"^\d{6}\S+$")


def layout(lines: list[str]) -> list[tuple]:
    """("para", text) and ("table", rows) blocks; a row is a list of str or CONTINUE."""
    blocks: list[tuple] = []
    table: list[list] | None = None
    i = 0

    def close() -> None:
        nonlocal table
        if table:
            blocks.append(("table", table))
        table = None

    while i < len(lines):
        line = lines[i]
        if line.startswith("\t") and "\t" not in line[1:].rstrip("\t"):
            cells: list[str] = []
            while i < len(lines) and lines[i].strip("\n") != "":
                cur = lines[i]
                if cur.startswith("\t"):
                    cells.append(cur[1:].rstrip("\t").strip())
                else:
                    cells[-1] = f"{cells[-1]}\n{cur.strip()}" if cells[-1] else cur.strip()
                i += 1
            i += 1  # the blank line ending the row
            table = table if table is not None else []
            table.append([CONTINUE if (k == 0 and not c) else c for k, c in enumerate(cells)])
            continue
        if "\t" in line:
            table = table if table is not None else []
            table.append([c.strip() for c in line.split("\t")])
            i += 1
            continue
        if not line.strip():
            close()
        elif table and not _HEADING.match(line):
            last = table[-1]
            key = next((c for c in last if isinstance(c, str) and c), "")
            if key.startswith("绩效目标"):
                last[-1] = f"{last[-1]}\n{line.strip()}"  # the goals cell runs on
            elif len(last) == 2 and last[0] is CONTINUE:
                last[-1] = f"{last[-1]}\n{line.strip()}"
            else:
                table.append([CONTINUE, line.strip()])  # 资金用途 under the merged label
        else:
            close()
            blocks.append(("para", line.strip()))
        i += 1
    close()
    return [_split_unit(x) for b in blocks for x in _unit_first(b)]


def _unit_first(block: tuple) -> list[tuple]:
    """A table whose first row is the unit line → that line as a paragraph, then the table."""
    if block[0] == "table":
        rows = block[1]
        first = [c for c in rows[0] if isinstance(c, str) and c]
        if len(first) == 2 and _UNIT.match(first[0]) and first[1].startswith("单位"):
            out = [("para", f"{first[0]}\t{first[1]}")]
            return out + ([("table", rows[1:])] if rows[1:] else [])
    return [block]


def _split_unit(block: tuple) -> tuple:
    if block[0] != "table":
        return block
    rows = block[1]
    header = None
    for row in rows:
        texts = [c for c in row if isinstance(c, str)]
        if "一级指标" in texts:
            header = len(row)
        elif header and len(row) == header - 1 and isinstance(row[0], str) and row[0].split("、")[0] not in _LEVEL1:
            row.insert(0, CONTINUE)  # the merged 一级指标 cell is printed once
    return block


# -- Word ------------------------------------------------------------------------------------------

def write_docx(blocks: list[tuple], path: Path) -> None:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = docx.Document()
    doc.styles["Normal"].font.size = Pt(9)
    _page_number_footer(doc.sections[0].footer.paragraphs[0])
    bookmark_id = 0
    for kind, body in blocks:
        if kind == "para":
            m = _BOOKMARK.match(body)
            text = body[m.end():] if m else body
            p = doc.add_paragraph(style="Heading 2" if m else None)
            if m:
                start = OxmlElement("w:bookmarkStart")
                start.set(qn("w:id"), str(bookmark_id))
                start.set(qn("w:name"), m["name"])
                p._p.append(start)
            p.add_run(text)
            if m:
                end = OxmlElement("w:bookmarkEnd")
                end.set(qn("w:id"), str(bookmark_id))
                p._p.append(end)
                bookmark_id += 1
            continue
        rows = body
        width = max(len(r) for r in rows)
        table = doc.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        spans = []
        for r, row in enumerate(rows):
            row_spans = []
            col = 0
            for k, cell in enumerate(row):
                span = width - col - (len(row) - k - 1) if k == len(row) - 1 else 1
                if cell is CONTINUE and r > 0:
                    span = next((s for c, s in spans[r - 1] if c == col), span)
                row_spans.append((col, span))
                if cell is not CONTINUE:
                    _set_cell_text(table.cell(r, col), cell)
                col += span
            spans.append(row_spans)
        for r, row_spans in enumerate(spans):
            for col, span in row_spans:
                if span > 1:
                    table.cell(r, col).merge(table.cell(r, col + span - 1))
        for r, row in enumerate(rows):
            if row and row[0] is CONTINUE and r > 0:
                top = r - 1
                while top > 0 and rows[top][0] is CONTINUE:
                    top -= 1
                if r + 1 < len(rows) and rows[r + 1][0] is CONTINUE:
                    continue  # merge each run once, from its last row
                table.cell(top, 0).merge(table.cell(r, 0))
        doc.add_paragraph()
    doc.save(str(path))


def _page_number_footer(p) -> None:
    """"— 2 —" centred at the foot of every page, as county documents print it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    p._p.append(field)
    p.add_run(" —")


def _set_cell_text(cell, text: str) -> None:
    parts = text.split("\n")
    cell.paragraphs[0].text = parts[0]
    for part in parts[1:]:
        cell.add_paragraph(part)


# -- Excel -----------------------------------------------------------------------------------------

_FIXED = re.compile(r"^\d+\.(\d+)$")
_PERCENT = re.compile(r"^\d+(?:\.(\d+))?%$")


def _excel_value(text: str) -> tuple[object, str | None]:
    """A printed number as a number with the format that prints it the same; else the text."""
    m = _PERCENT.match(text)
    if m:
        places = len(m[1] or "")
        fmt = "0%" if not places else "0." + "0" * places + "%"
        return float(Decimal(text[:-1]) / 100), fmt
    m = _FIXED.match(text)
    if m and not text.startswith("0") or (m and text.startswith("0.")):
        return float(Decimal(text)), "#,##0." + "0" * len(m[1])
    if text == "0":
        return 0, "General"
    return text, None


def write_xlsx(blocks: list[tuple], path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效目标"
    r = 1
    for kind, body in blocks:
        if kind == "para":
            ws.cell(r, 1, _BOOKMARK.sub("", body))
            r += 1
            continue
        width = max(len(row) for row in body)
        top = r
        for i, row in enumerate(body):
            col = 1
            for k, cell in enumerate(row):
                span = width - col + 1 - (len(row) - k - 1) if k == len(row) - 1 else 1
                if cell is not CONTINUE:
                    value, fmt = _excel_value(cell)
                    c = ws.cell(r, col, value)
                    if fmt:
                        c.number_format = fmt
                if span > 1:
                    ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=col + span - 1)
                col += span
            if row[0] is CONTINUE and i > 0 and not (i + 1 < len(body) and body[i + 1][0] is CONTINUE):
                start = i - 1
                while start > 0 and body[start][0] is CONTINUE:
                    start -= 1
                ws.merge_cells(start_row=top + start, start_column=1, end_row=r, end_column=1)
            r += 1
        r += 1  # a blank row between tables
    wb.save(str(path))


# -- web page --------------------------------------------------------------------------------------

def _h(text: str) -> str:
    """Escaped, with runs of spaces kept as a browser shows them (&nbsp;)."""
    return html.escape(text).replace("  ", " &nbsp;")


def write_html(blocks: list[tuple], path: Path, charset: str = "gb18030") -> None:
    out = [f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">',
           "<title>部门预算绩效目标</title><style>td{border:1px solid}</style></head><body>",
           '<div class="nav"><a href="/">首页</a> | <a href="/zwgk">政务公开</a> | 财政预决算</div>',
           '<div class="content">']
    for kind, body in blocks:
        if kind == "para":
            m = _BOOKMARK.match(body)
            text = _h(body[m.end():] if m else body).replace("\t", "&#9;")
            out.append(f'<h3><a name="{html.escape(m["name"])}"></a>{text}</h3>' if m else f"<p>{text}</p>")
            continue
        width = max(len(row) for row in body)
        out.append("<table>")
        for i, row in enumerate(body):
            tds = []
            col = 0
            for k, cell in enumerate(row):
                span = width - col - (len(row) - k - 1) if k == len(row) - 1 else 1
                col += span
                if cell is CONTINUE:
                    continue
                down = 1
                if k == 0:
                    while i + down < len(body) and body[i + down][0] is CONTINUE:
                        down += 1
                attrs = (f' colspan="{span}"' if span > 1 else "") + (f' rowspan="{down}"' if down > 1 else "")
                tds.append(f"<td{attrs}>" + "<br>".join(_h(t) for t in cell.split("\n")) + "</td>")
            out.append("<tr>" + "".join(tds) + "</tr>")
        out.append("</table>")
    out.append('</div><div class="footer">主办：某某县财政局 联系电话：0000-0000000</div>'
               "<script>var x = '<table><tr><td>项目编码</td></tr></table>';</script></body></html>")
    path.write_bytes("\n".join(out).encode(charset))


def _soffice(source: Path, target: str, outdir: Path) -> None:
    """`soffice --headless --convert-to TARGET`, with a throw-away profile."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice is needed once to write the PDFs, the .xls and the calculated .xlsx")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", target, "--outdir", str(outdir), str(source)], check=True,
                       capture_output=True)


def write_pdf(docx_path: Path, pdf_path: Path, options: dict[str, object] | None = None) -> None:
    """Convert with LibreOffice; `options` are its PDF export settings (passwords)."""
    import json

    target = "pdf"
    if options:
        typed = {k: {"type": "boolean" if isinstance(v, bool) else "string", "value": str(v).lower()
                     if isinstance(v, bool) else v} for k, v in options.items()}
        target = "pdf:writer_pdf_Export:" + json.dumps(typed)
    with tempfile.TemporaryDirectory() as tmp:
        _soffice(docx_path, target, Path(tmp))
        shutil.move(Path(tmp) / (docx_path.stem + ".pdf"), pdf_path)


def write_scanned_pdf(path: Path) -> None:
    """A page that is only an image (ruled lines and grey bars, no text layer), as a scanner makes."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(img)
    for y in range(100, 700, 40):
        draw.rectangle((60, y, 540, y + 2), fill=0)
        draw.rectangle((60, y + 10, 300 + (y % 200), y + 24), fill=90)
    img.save(str(path), resolution=72)


def write_formula_xlsx(path: Path) -> None:
    """A sheet whose totals are formulas; LibreOffice recalculates it so the cached values are saved."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "测算"
    for ref, value, fmt in (("A1", "单价", None), ("B1", 1286.5, "#,##0.00"), ("A2", "合计", None),
                            ("B2", "=B1*2", "#,##0.00"), ("A3", "比例", None), ("B3", "=B1/B2/2.5", "0.00%")):
        ws[ref] = value
        if fmt:
            ws[ref].number_format = fmt
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / path.name
        wb.save(str(raw))
        _soffice(raw, "xlsx", Path(tmp) / "out")
        shutil.move(Path(tmp) / "out" / path.name, path)


def write_bad_pdfs(out: Path, small_docx: Path) -> None:
    """PDFs for the bad-input tests: owner password only (opens), user password, scanned."""
    out.mkdir(parents=True, exist_ok=True)
    write_pdf(small_docx, out / "owner_password.pdf",
              {"RestrictPermissions": True, "PermissionPassword": "owner-only"})
    write_pdf(small_docx, out / "user_password.pdf",
              {"EncryptFile": True, "DocumentOpenPassword": "open-me"})
    write_scanned_pdf(out / "scanned.pdf")


TEMPLATES = HERE / "data" / "templates"
WORD_TEMPLATES = ("long_term_goals",)


def write_word_templates(out: Path = TEMPLATES) -> None:
    """The text templates as Word tables; a row whose first cell is blank is merged down (vMerge)."""
    for stem in WORD_TEMPLATES:
        blocks = layout((out / f"{stem}.txt").read_text(encoding="utf-8").split("\n"))
        for kind, body in blocks:
            if kind == "table":
                for r, row in enumerate(body):
                    if r and row and row[0] == "":
                        row[0] = CONTINUE
        write_docx(blocks, out / f"{stem}.docx")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", action="store_true", help="also convert to PDF (LibreOffice, once)")
    parser.add_argument("--templates", action="store_true", help="only the Word templates")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.templates:
        write_word_templates()
        return
    args.out.mkdir(parents=True, exist_ok=True)
    for source, stem in ((SAMPLE, "sample"), (SMALL, "small")):
        blocks = layout(source.read_text(encoding="utf-8").split("\n"))
        base = args.out / stem
        write_docx(blocks, base.with_suffix(".docx"))
        write_xlsx(blocks, base.with_suffix(".xlsx"))
        write_html(blocks, base.with_suffix(".html"))
        if args.pdf:
            write_pdf(base.with_suffix(".docx"), base.with_suffix(".pdf"))
    if args.pdf:
        write_bad_pdfs(args.out / "bad", args.out / "small.docx")
        write_formula_xlsx(args.out / "formula.xlsx")
        _soffice(args.out / "small.xlsx", "xls", args.out)  # the old format, for the .xls reader


if __name__ == "__main__":
    main()

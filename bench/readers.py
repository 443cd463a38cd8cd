"""`python -m bench.readers`: ingest speed per format, against each library's own plain read.

    python -m bench.readers --copies 4      # the sample ×4 (≈124 PDF pages, 176 goal tables)

Writes the sample's text layout repeated `--copies` times as .txt, .docx, .xlsx, .html and (with
LibreOffice, once per run) .pdf, then times, each in this process and best of `--repeat`:
- `parse_file` on each (reader + grid adapter + table interpreter), and
- the floor: the library alone reading the same file — pdfplumber's `extract_text` of every page,
  python-docx opening the file and reading every paragraph and cell, openpyxl reading every value,
  lxml parsing the page and its text; for .txt, decoding the file.
Prints tables and pages per second and the ratio to the floor; writes JSON to --out.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def _generator():
    spec = importlib.util.spec_from_file_location("make_native_fixtures",
                                                  _ROOT / "tests" / "make_native_fixtures.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def write_files(out: Path, copies: int, pdf: bool = True) -> dict[str, Path]:
    gen = _generator()
    text = gen.SAMPLE.read_text(encoding="utf-8")
    # each copy its own 项目编码s, so no table is dropped as a duplicate
    big = "\n".join(text.replace("\t1307302", f"\t13073{k:02d}") for k in range(copies))
    out.mkdir(parents=True, exist_ok=True)
    files = {"txt": out / "big.txt"}
    files["txt"].write_text(big, encoding="utf-8")
    blocks = gen.layout(big.split("\n"))
    for fmt, write in (("docx", gen.write_docx), ("xlsx", gen.write_xlsx), ("html", gen.write_html)):
        files[fmt] = out / f"big.{fmt}"
        write(blocks, files[fmt])
    if pdf:
        files["pdf"] = out / "big.pdf"
        if not files["pdf"].exists() or files["pdf"].stat().st_mtime < files["docx"].stat().st_mtime:
            gen.write_pdf(files["docx"], files["pdf"])
    return files


def _floor(fmt: str, path: Path) -> int:
    """The library alone reading everything; returns a count so nothing is optimised away."""
    if fmt == "pdf":
        import pdfplumber

        with pdfplumber.open(str(path)) as pdf:
            return sum(len(p.extract_text() or "") for p in pdf.pages)
    if fmt == "docx":
        import docx

        d = docx.Document(str(path))
        n = sum(len(p.text) for p in d.paragraphs)
        return n + sum(len(c.text) for t in d.tables for r in t.rows for c in r.cells)
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(str(path), data_only=True)
        return sum(1 for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r if v)
    if fmt == "html":
        import lxml.html

        return len(lxml.html.document_fromstring(path.read_bytes()).text_content())
    return len(path.read_bytes().decode("utf-8"))


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def run(copies: int, repeat: int, out_dir: Path, pdf: bool = True) -> dict[str, Any]:
    from ingest import parse_file

    files = write_files(out_dir, copies, pdf)
    rows: dict[str, Any] = {}
    for fmt, path in files.items():
        result = parse_file(path)
        pages = None
        if fmt == "pdf":
            import pdfplumber

            with pdfplumber.open(str(path)) as f:
                pages = len(f.pages)
        parse_s = _best(lambda p=path: parse_file(p), repeat)
        floor_s = _best(lambda f=fmt, p=path: _floor(f, p), repeat)
        n = len(result.projects)
        rows[fmt] = {
            "bytes": path.stat().st_size, "pages": pages, "projects": n,
            "indicators": sum(len(p.indicators) for p in result.projects),
            "parse_s": round(parse_s, 3), "floor_s": round(floor_s, 3),
            "ratio_to_floor": round(parse_s / floor_s, 2) if floor_s else None,
            "tables_per_s": round(n / parse_s, 1),
            "pages_per_s": round(pages / parse_s, 2) if pages else None,
        }
    return {"copies": copies, "repeat": repeat, "formats": rows}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-pdf", action="store_true", help="skip the PDF (no LibreOffice)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/hrss-bench/readers"))
    ap.add_argument("--out", type=Path, default=RESULTS / "readers.json")
    args = ap.parse_args(argv)
    report = run(args.copies, args.repeat, args.work, pdf=not args.no_pdf)
    print(f"{'format':<6}{'pages':>6}{'tables':>8}{'parse s':>9}{'floor s':>9}{'× floor':>8}"
          f"{'tables/s':>10}{'pages/s':>9}")
    for fmt, r in report["formats"].items():
        print(f"{fmt:<6}{r['pages'] or '-':>6}{r['projects']:>8}{r['parse_s']:>9}{r['floor_s']:>9}"
              f"{r['ratio_to_floor']:>8}{r['tables_per_s']:>10}{r['pages_per_s'] or '-':>9}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Write the native-format notice fixtures (invented content) under tests/data/notices/.

    python tests/make_notice_fixtures.py

province_native.docx: a provincial notice whose 附件 is a Word table with a two-row header (其中 spans
the 中央资金 and 省级资金 columns, 地区 and 合计 are merged down), city subtotals and their counties
indented by full-width spaces; 承德市's subtotal (280.00) is 10.00 more than its counties (270.00), on
purpose. city_native.xlsx: a city's notice as a sheet, the 文号 under the title, the allocation table in
side-by-side pairs.
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "notices"

DOCX_PARAGRAPHS = [
    "河北省财政厅文件",
    "冀财社〔2022〕120号",
    "河北省财政厅 河北省人力资源和社会保障厅关于下达2022年城乡居民基本养老保险补助资金的通知",
    "张家口市、承德市财政局、人力资源和社会保障局：",
    "　　现下达你市2022年城乡居民基本养老保险补助资金共计700万元，列2022年政府收支分类科目"
    "“2080505机关事业单位基本养老保险缴费支出”，分配情况见附件。",
    "河北省财政厅　　河北省人力资源和社会保障厅",
    "2022年5月16日",
    "附件",
    "2022年城乡居民基本养老保险补助资金分配表",
    "单位：万元",
]
# rows of the table; None is a cell merged into the one above (vMerge) or to the left (gridSpan)
DOCX_TABLE = [
    ["地区", "合计", "其中", None],
    [None, None, "中央资金", "省级资金"],
    ["合计", "700.00", "560.00", "140.00"],
    ["张家口市", "420.00", "336.00", "84.00"],
    ["　　怀来县", "260.00", "208.00", "52.00"],
    ["　　涿鹿县", "160.00", "128.00", "32.00"],
    ["承德市", "280.00", "224.00", "56.00"],
    ["　　滦平县", "150.00", "120.00", "30.00"],
    ["　　隆化县", "120.00", "96.00", "24.00"],
]

XLSX_ROWS = [
    ["张家口市财政局关于下达2022年就业补助资金的通知"],
    ["张财社〔2022〕31号"],
    ["怀来县、涿鹿县、蔚县财政局："],
    ["根据冀财社〔2021〕288号文件，现下达2022年就业补助资金共计600万元。"],
    ["张家口市财政局"],
    ["2021年12月20日"],
    ["单位：万元"],
    ["单位", "金额", "单位", "金额"],
    ["怀来县", 250, "蔚县", 150],
    ["涿鹿县", 200, None, None],
]


def write_docx(path: Path) -> None:
    import docx

    doc = docx.Document()
    for text in DOCX_PARAGRAPHS:
        doc.add_paragraph(text)
    n_cols = len(DOCX_TABLE[0])
    table = doc.add_table(rows=len(DOCX_TABLE), cols=n_cols)
    for r, row in enumerate(DOCX_TABLE):
        for c, text in enumerate(row):
            if text is not None:
                table.cell(r, c).text = text
    # 其中 across the two source columns, 地区 and 合计 down over the second header row
    table.cell(0, 2).merge(table.cell(0, 3))
    table.cell(0, 0).merge(table.cell(1, 0))
    table.cell(0, 1).merge(table.cell(1, 1))
    doc.save(str(path))


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    """An allocation table as a workbook of one sheet, 分配表 (also tests/make_reconcile_fixtures.py)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "分配表"
    for row in rows:
        sheet.append(row)
    book.save(str(path))


def main() -> None:
    write_docx(OUT / "province_native.docx")
    write_xlsx(OUT / "city_native.xlsx", XLSX_ROWS)


if __name__ == "__main__":
    main()

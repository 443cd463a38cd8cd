"""Readers per format into one grid: the sample as Word, Excel, PDF and web page gives the text's records."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, SAMPLE
from ingest import SUPPORTED_SUFFIXES, SourceSpan, parse_file, parse_text
from ingest.readers.grid import Cell, Table
from ingest.readers.xlsx_reader import display
from kg.cli import cli
from kg.corpus import SOURCE_SUFFIXES, load_corpus

NATIVE = DATA / "native"
BAD = NATIVE / "bad"
FORMATS = ("docx", "xlsx", "html", "pdf")


def _without_provenance(project_json: dict) -> dict:
    out = {k: v for k, v in project_json.items() if k != "source"}
    out["indicators"] = [{k: v for k, v in i.items() if k not in ("lines", "source")}
                         for i in project_json["indicators"]]
    return out


@pytest.fixture(scope="module")
def text_records(sample):
    return [_without_provenance(p.to_json()) for p in sample.projects]


@pytest.fixture(scope="module")
def native():
    """Parse results of tests/data/native/sample.*, each parsed once, on first use."""
    return {}


def _parsed(fmt: str, cache: dict):
    if fmt not in cache:
        cache[fmt] = parse_file(NATIVE / f"sample.{fmt}")
    return cache[fmt]


@pytest.mark.parametrize("fmt", FORMATS)
def test_sample_in_each_format_gives_the_text_records_field_by_field(fmt, text_records, native):
    result = _parsed(fmt, native)
    records = [_without_provenance(p.to_json()) for p in result.projects]
    assert len(records) == len(text_records) == 44
    for mine, theirs in zip(records, text_records, strict=True):
        assert mine == theirs
    first = result.projects[0]
    assert (first.project_code, first.budget_wan, first.unit_code) == (
        "130730213QTTW95ZBZSQ9", Decimal("10.00"), "316001")
    assert first.goals == ("1.组织实施人事代理", "2.对毕业生就业指导服务及学历学位认证")
    assert not [d for d in result.diagnostics if d.severity == "error"]


@pytest.mark.parametrize("fmt, source, indicator", [
    ("docx", {"file": "sample.docx", "table": 1, "rows": [1, 6]},
     {"file": "sample.docx", "table": 2, "rows": [2, 2]}),
    ("pdf", {"file": "sample.pdf", "page": 2, "table": 1, "rows": [1, 6]},
     {"file": "sample.pdf", "page": 2, "table": 2, "rows": [2, 2]}),
    ("xlsx", {"file": "sample.xlsx", "sheet": "绩效目标", "cells": "A12:G26"},
     {"file": "sample.xlsx", "sheet": "绩效目标", "cells": "A22:F22"}),
    ("html", {"file": "sample.html", "table": 1, "rows": [1, 6]},
     {"file": "sample.html", "table": 2, "rows": [2, 2]}),
])
def test_provenance_names_page_table_rows_or_sheet_cells(fmt, source, indicator, native):
    project = _parsed(fmt, native).projects[0].to_json()
    assert project["source"] == source
    assert project["indicators"][0]["source"] == indicator
    assert "lines" not in project["indicators"][0]


def test_field_spans_point_at_the_goals_rows_of_a_pdf(native):
    p = _parsed("pdf", native).projects[0]
    assert p.field_span("goals").locator.endswith("sample.pdf p.2 table 1 row 6")


@pytest.mark.parametrize("span, locator", [
    (SourceSpan("a.txt", 13, 28), "a.txt:13-28"),
    (SourceSpan("a.txt", 7, 7), "a.txt:7"),
    (SourceSpan("a.pdf", 40, 44, page=3, table=2, rows=(5, 5)), "a.pdf p.3 table 2 row 5"),
    (SourceSpan("a.docx", 40, 44, table=2, rows=(1, 6)), "a.docx table 2 rows 1-6"),
    (SourceSpan("a.xlsx", 4, 9, sheet="Sheet1", cells="A5:L9"), "a.xlsx!Sheet1!A5:L9"),
    (SourceSpan("a.docx", 12, 12, paragraph=12), "a.docx paragraph 12"),
])
def test_locator_of_every_kind_of_span(span, locator):
    assert span.locator == locator


def test_text_span_json_is_unchanged():
    assert SourceSpan("a.txt", 13, 28).to_json() == {"file": "a.txt", "lines": [13, 28]}


def test_cli_ingest_json_of_a_docx_equals_the_text_export(tmp_path):
    runner = CliRunner()
    text = runner.invoke(cli, ["ingest", str(SAMPLE), "--json"])
    word = runner.invoke(cli, ["ingest", str(NATIVE / "sample.docx"), "--json"])
    assert word.exit_code == 0
    a = [_without_provenance(json.loads(line)) for line in text.stdout.splitlines()]
    b = [_without_provenance(json.loads(line)) for line in word.stdout.splitlines()]
    assert a == b and len(b) == 44


def test_every_format_reports_tables_found_read_and_skipped(native):
    reports = {fmt: [str(d) for d in _parsed(fmt, native).diagnostics if d.severity == "info"][-1]
               for fmt in FORMATS}
    assert reports["docx"].endswith("docx: 90 tables found, 90 read, 0 skipped")
    assert reports["pdf"].endswith("pdf, 31 pages: 87 tables found, 87 read, 0 skipped")


def test_pdf_joins_a_table_continued_on_the_next_page_and_drops_page_numbers():
    from ingest.readers.pdf_reader import read_pdf

    doc = read_pdf(NATIVE / "sample.pdf")
    assert any(t.pages and t.pages[0] != t.pages[-1] for t in doc.tables)
    texts = [b.text for b in doc.blocks if not isinstance(b, Table)]
    assert not any(t.startswith("—") for t in texts)
    # a wrapped heading is one paragraph again
    assert "11.冀财社[2020]186号关于提前下达2021年省级就业补助资金预算指标的通知绩效目标表" in texts


def test_docx_vertical_merge_and_grid_span_become_spans(tmp_path):
    import docx

    from ingest.readers.docx_reader import read_docx

    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).text = "产出指标"
    t.cell(0, 0).merge(t.cell(2, 0))
    t.cell(0, 1).text = "数量指标"
    t.cell(0, 1).merge(t.cell(0, 2))
    t.cell(1, 1).text = "质量指标"
    d.save(str(tmp_path / "m.docx"))
    table = read_docx(tmp_path / "m.docx").tables[0]
    assert Cell("产出指标", 0, 0, 3, 1) in table.cells
    assert Cell("数量指标", 0, 1, 1, 2) in table.cells
    assert table.rows() == [["产出指标", "数量指标"], ["", "质量指标", ""], ["", "", ""]]


@pytest.mark.parametrize("value, fmt, shown", [
    (1286.5, "#,##0.00", "1,286.50"),
    (0.2, "0.00%", "20.00%"),
    (0.3, "0%", "30%"),
    (10, "0.00", "10.00"),
    (3, "General", "3"),
    (2.5, "General", "2.5"),
    (1234567.891, "#,##0", "1,234,568"),
])
def test_excel_values_are_shown_with_their_number_format(value, fmt, shown):
    assert display(value, fmt) == shown


def test_excel_formulas_give_their_saved_values():
    from ingest.readers.xlsx_reader import read_xlsx

    doc = read_xlsx(NATIVE / "formula.xlsx")
    cells = {c.text for t in doc.tables for c in t.cells}
    assert {"1,286.50", "2,573.00", "20.00%"} <= cells


def test_excel_formula_never_calculated_is_reported(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "合计"
    wb.active["B1"] = "=1+1"
    wb.save(str(tmp_path / "f.xlsx"))
    result = parse_file(tmp_path / "f.xlsx")
    assert any("!Sheet!B1: 1 formula(s) have no saved value" in str(d) for d in result.diagnostics)


def test_html_rowspan_colspan_charset_and_no_page_chrome():
    from ingest.readers.html_reader import read_html

    page = ('<html><head><meta charset="gbk"></head><body><div class="nav">首页 | 政务公开</div>'
            "<p>预算单位：某局</p><table><tr><td rowspan=2>产出指标</td><td colspan=2>数量指标</td></tr>"
            "<tr><td>人次</td><td>≥800</td></tr></table><footer>版权所有</footer>"
            "<script>document.write('<table><tr><td>项目编码</td></tr></table>')</script></body></html>")
    doc = read_html(Path("p.html"), page.encode("gbk"))
    assert [b.text for b in doc.blocks if not isinstance(b, Table)] == ["预算单位：某局"]
    (table,) = doc.tables
    assert table.rows() == [["产出指标", "数量指标"], ["", "人次", "≥800"]]


def test_small_files_in_every_format_parse_the_same(tmp_path):
    text = [_without_provenance(p.to_json()) for p in parse_file(DATA / "tab_layout.txt").projects]
    for fmt in FORMATS:
        got = [_without_provenance(p.to_json()) for p in parse_file(NATIVE / f"small.{fmt}").projects]
        assert got == text, fmt
    assert [p["budget_wan"] for p in text] == [Decimal("120.50"),
                                                Decimal("36.00")]


def test_supported_suffixes_are_the_corpus_sources():
    assert SOURCE_SUFFIXES == SUPPORTED_SUFFIXES
    assert {".txt", ".docx", ".xlsx", ".pdf", ".html"} <= set(SUPPORTED_SUFFIXES)


# -- bad input ---------------------------------------------------------------------------------

def _write_bad(tmp: Path) -> dict[str, Path]:
    import openpyxl

    files = {}
    files["corrupt.docx"] = tmp / "corrupt.docx"
    files["corrupt.docx"].write_bytes(b"PK\x03\x04" + b"\x14\x00broken zip" * 20)
    wb = openpyxl.Workbook()
    files["empty.xlsx"] = tmp / "empty.xlsx"
    wb.save(str(files["empty.xlsx"]))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "收支"
    for row in (("科目", "金额"), ("办公费", 12), ("差旅费", 3)):
        ws.append(row)
    files["no_goals.xlsx"] = tmp / "no_goals.xlsx"
    wb.save(str(files["no_goals.xlsx"]))
    files["no_tables.html"] = tmp / "no_tables.html"
    files["no_tables.html"].write_text(
        '<html><body><div class="nav">首页</div><p>通知公告</p></body></html>', encoding="utf-8")
    files["old.doc"] = tmp / "old.doc"
    files["old.doc"].write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    files["form.wps"] = tmp / "form.wps"
    files["form.wps"].write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    import zipfile
    files["doc.ofd"] = tmp / "doc.ofd"
    with zipfile.ZipFile(files["doc.ofd"], "w") as z:
        z.writestr("OFD.xml", "<ofd:OFD/>")
    files["noise.pdf"] = tmp / "noise.pdf"
    files["noise.pdf"].write_bytes(bytes(range(256)) * 4)
    for name in ("user_password.pdf", "scanned.pdf"):
        files[name] = BAD / name
    return files


@pytest.mark.parametrize("name, message", [
    ("corrupt.docx", ": not a readable Word .docx file (damaged, or not a zip package)"),
    ("user_password.pdf", ": the PDF is encrypted with a password needed to open it"),
    ("scanned.pdf", ": a scanned PDF: none of its 1 page(s) has a text layer"),
    ("empty.xlsx", ": the workbook is empty: no sheet has any cell"),
    ("no_goals.xlsx", ": no project table (项目编码 row) and no narrative found"),
    ("no_tables.html", ": no project table (项目编码 row) and no narrative found"),
    ("old.doc", ": an old Word .doc file: open it in Word or WPS and save it as .docx"),
    ("form.wps", ": a WPS .wps file: open it in WPS and save it as .docx"),
    ("doc.ofd", ": an OFD file (版式文档): export it as PDF"),
    ("noise.pdf", ": named .pdf but not a PDF file (unrecognised bytes)"),
])
def test_bad_input_gets_one_clear_file_message(tmp_path, name, message):
    path = _write_bad(tmp_path)[name]
    result = parse_file(path)
    errors = [str(d) for d in result.diagnostics if d.severity == "error"]
    assert len(errors) == 1 and errors[0].startswith(f"{path}{message}")
    assert not result.projects


def test_extension_that_lies_is_read_by_content_with_a_warning(tmp_path):
    fake = tmp_path / "report.xlsx"
    shutil.copy(NATIVE / "small.docx", fake)
    result = parse_file(fake)
    assert [p.project_code for p in result.projects] == ["13068123A1B2C3D4E5F6G", "13068123Q9W8E7R6T5Y4U"]
    assert f"{fake}: named .xlsx but the content is a Word .docx file; read as such" in map(
        str, result.diagnostics)
    text_as_pdf = tmp_path / "export.pdf"
    shutil.copy(DATA / "tab_layout.txt", text_as_pdf)
    assert len(parse_file(text_as_pdf).projects) == 2


def test_owner_password_only_pdf_opens():
    result = parse_file(BAD / "owner_password.pdf")
    assert [p.budget_wan for p in result.projects] == [Decimal("120.50"),
                                                        Decimal("36.00")]


def test_bad_files_beside_good_ones_the_rest_loaded_no_traceback(tmp_path):
    _write_bad(tmp_path)
    for name in ("user_password.pdf", "scanned.pdf"):
        shutil.copy(BAD / name, tmp_path / name)
    shutil.copy(NATIVE / "small.pdf", tmp_path / "good.pdf")
    shutil.copy(NATIVE / "small.xlsx", tmp_path / "good.xlsx")
    corpus = load_corpus([tmp_path])
    assert len(corpus.projects) == 2  # the same two tables in both good files: the second is a duplicate
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path)])
    assert result.exit_code == 0
    assert "Traceback" not in result.output + result.stderr
    errs = [line for line in result.stderr.splitlines() if str(tmp_path / "scanned.pdf") in line]
    assert errs and "scanned PDF" in errs[0]


# -- text layouts beyond Word's exports ---------------------------------------------------------

@pytest.mark.parametrize("name", ["pipe_layout.txt", "space_layout.txt"])
def test_pipe_and_space_separated_tables_read_like_the_tab_layout(name):
    result = parse_file(DATA / name)
    assert not [d for d in result.diagnostics if d.severity != "info"]
    (p,) = result.projects
    assert (p.unit_code, p.unit_name, p.project_code) == ("401002", "涿州市就业服务中心", "13068123A1B2C3D4E5F6G")
    assert (p.budget_wan, p.fiscal_wan, p.other_wan) == (Decimal("120.50"), Decimal("100.50"), Decimal("20.00"))
    assert p.goals == ("1.完成职业技能培训800人次", "2.培训合格率不低于90%")
    assert p.purpose == "依据冀财社〔2022〕88号开展职业技能培训"
    assert [(i.level1, i.level2, i.level3, i.value) for i in p.indicators] == [
        ("产出指标", "数量指标", "培训人次", "≥800人次"),
        ("产出指标", "质量指标", "培训合格率", "≥90%"),
        ("效益指标", "社会效益指标", "就业率", "≥60%"),
        ("满意度指标", "服务对象满意度指标", "学员满意度", "≥90%"),
    ]
    assert p.span.to_json() == {"file": name, "lines": [1, 17] if name.startswith("pipe") else [1, 15]}


# -- other templates of the national family --------------------------------------------------------

TEMPLATES = DATA / "templates"


def test_multi_project_table_in_yuan_with_comparator_unit_weight_direction_columns():
    result = parse_file(TEMPLATES / "multi_project.html")
    assert not [d for d in result.diagnostics if d.severity != "info"]
    first, second = result.projects
    assert (first.unit_code, first.unit_name) == ("820001", "井研县就业创业促进中心")
    assert (first.project_name, first.year, first.year_source) == ("就业创业服务补助", 2024, "title")
    assert (first.budget_wan, first.budget_printed, first.amount_unit) == (
        Decimal("128.650000"), "1,286,500.00", "元")
    assert first.budget_wan == Decimal("1286500.00") / 10000
    assert [(i.level1, i.level2, i.level3, i.value, i.parsed.to_json(), i.weight, i.direction)
            for i in first.indicators] == [
        ("产出指标", "数量指标", "培训人次", "≥1200人次", {"op": "≥", "number": 1200, "unit": "人次"},
         Decimal("20"), "正向"),
        ("产出指标", "质量指标", "培训合格率", "≥95%", {"op": "≥", "number": 95, "unit": "%"},
         Decimal("30"), "正向"),
        ("效益指标", "社会效益指标", "城镇新增就业人数", "≥500人", {"op": "≥", "number": 500, "unit": "人"},
         Decimal("50"), "正向"),
    ]
    assert (second.unit_code, second.project_name, second.budget_wan, second.budget_printed) == (
        "820001", "公益性岗位补贴", Decimal("36.000000"), "360,000.00")
    assert [(i.value, i.weight, i.direction) for i in second.indicators] == [
        ("≤1500元/人·月", Decimal("100"), "反向")]
    row = first.to_json()
    assert (row["budget_printed"], row["amount_unit"]) == ("1,286,500.00", "元")
    assert row["indicators"][0]["weight"] == Decimal("20") and row["indicators"][0]["direction"] == "正向"


def test_form_with_unit_code_in_parentheses_and_fiscal_label_with_count_word():
    result = parse_file(TEMPLATES / "form_codes.txt")
    assert not [d for d in result.diagnostics if d.severity != "info"]
    (p,) = result.projects
    assert (p.unit_code, p.unit_name) == ("433001", "乌海市海勃湾区养老服务中心")
    assert (p.project_code, p.project_name, p.year) == ("15030224A0001", "社区养老服务补贴", 2024)
    assert p.title == "社区养老服务补贴项目支出绩效目标表（2024年度）"
    assert (p.budget_wan, p.fiscal_wan, p.other_wan, p.amount_unit) == (
        Decimal("3"), Decimal("3"), Decimal("0"), "万元")
    assert [(i.level3, i.value, i.parsed and i.parsed.op, i.weight, i.direction) for i in p.indicators] == [
        ("补贴发放人数", "≥120人", "≥", Decimal("30"), "正向"),
        ("补贴发放及时率", "=100%", "=", Decimal("20"), "正向"),
        ("老年人生活质量", "有所提高", None, Decimal("30"), "正向"),  # 指标性质 定性 is no comparator
        ("服务对象满意度", "≥90%", "≥", Decimal("20"), "正向"),
    ]
    assert p.indicators[1].level1 == "产出指标"  # merged 一级指标 inherited
    assert "budget_printed" not in p.to_json()  # printed in 万元: the JSON shape is the usual one


def test_application_form_with_outline_funding_block_and_goal_over_two_lines():
    result = parse_file(TEMPLATES / "outline_funding.txt")
    assert not [d for d in result.diagnostics if d.severity != "info"]
    (p,) = result.projects
    assert (p.unit_code, p.unit_name, p.project_code) == ("155", "濉溪县民政局", None)
    assert (p.budget_wan, p.fiscal_wan, p.other_wan) == (Decimal("6.80"), Decimal("6.30"), Decimal("0.50"))
    assert p.fiscal_breakdown == (("一般公共预算", Decimal("6.30"), "6.30"), ("政府性基金预算", Decimal("0"), "0"))
    assert p.goals == ("1.按时足额发放城乡居民养老保险待遇，确保发放率100%", "2.经办服务窗口群众满意度达到90%以上")
    assert [(i.level1, i.level2, i.value, i.weight) for i in p.indicators] == [
        ("产出指标", "数量指标", "≥3500人", Decimal("40")),
        ("产出指标", "质量指标", "=100%", Decimal("30")),
        ("满意度指标", "服务对象满意度指标", "≥90%", Decimal("30")),
    ]
    assert p.to_json()["fiscal_breakdown"] == [
        {"label": "一般公共预算", "amount_wan": Decimal("6.30"), "printed": "6.30"},
        {"label": "政府性基金预算", "amount_wan": Decimal("0"), "printed": "0"},
    ]


@pytest.mark.parametrize("text, unit", [
    ("316001怀来县人力资源和社会保障局\t单位：万元", ("316001", "怀来县人力资源和社会保障局", "万元")),
    ("(433001)乌海市海勃湾区养老服务中心", ("433001", "乌海市海勃湾区养老服务中心", None)),
    ("（433001）乌海市海勃湾区养老服务中心", ("433001", "乌海市海勃湾区养老服务中心", None)),
    ("820001-井研县就业创业促进中心", ("820001", "井研县就业创业促进中心", None)),
    ("[155]濉溪县民政局", ("155", "濉溪县民政局", None)),
    ("预算单位：【155】濉溪县民政局", ("155", "濉溪县民政局", None)),
    ("金额单位：元", (None, None, "元")),
])
def test_unit_code_forms_of_the_national_family(text, unit):
    from ingest.tables import parse_unit_row

    assert parse_unit_row(text) == unit


def test_old_xls_workbook_reads_its_tables_with_stored_numbers():
    result = parse_file(NATIVE / "small.xls")
    first, second = result.projects
    assert (first.project_code, first.budget_wan, first.fiscal_wan) == (
        "13068123A1B2C3D4E5F6G", Decimal("120.5"), Decimal("100.5"))
    assert [i.level3 for i in second.indicators] == ["安置人数", "补贴发放及时率", "困难人员收入", "岗位人员满意度"]
    assert any("numbers are read as stored" in str(d) for d in result.diagnostics)


LONG_TERM = ("1.三年内参保率稳定在95%以上", "2.建成区乡村三级经办服务网络")
ANNUAL = ("1.年内完成待遇资格认证2.4万人次", "2.待遇按月足额发放")


@pytest.mark.parametrize("name", ["long_term_goals.txt", "long_term_goals.docx"])
def test_long_term_and_annual_goal_blocks_are_both_kept(name):
    result = parse_file(TEMPLATES / name)
    assert not [d for d in result.diagnostics if d.severity != "info"]
    side_by_side, two_rows = result.projects
    # "绩效目标 | 中期目标（2021-2023年） | 年度目标", the blocks in the rows below (in Word the label
    # merged down over them)
    assert (side_by_side.project_code, side_by_side.budget_wan) == ("14070522B0007", Decimal("42.60"))
    assert side_by_side.goals == ANNUAL
    assert side_by_side.long_term_goals == LONG_TERM
    # "长期目标 | …" then "年度目标 | …" with a line running on
    assert two_rows.goals == ("1.组织高校毕业生见习300人", "2.见习留用率不低于40%")
    assert two_rows.long_term_goals == ("1.见习基地覆盖全部重点行业",)
    assert [i.level3 for i in side_by_side.indicators] == ["资格认证人次", "参保群众满意度"]
    row = side_by_side.to_json()
    assert (row["goals"], row["long_term_goals"]) == (list(ANNUAL), list(LONG_TERM))


def test_long_term_goals_point_at_their_rows_of_the_word_table():
    p = parse_file(TEMPLATES / "long_term_goals.docx").projects[1]
    assert p.field_span("long_term_goals").to_json() == {"file": "long_term_goals.docx", "table": 3, "rows": [4, 4]}
    assert p.field_span("goals").to_json() == {"file": "long_term_goals.docx", "table": 3, "rows": [5, 6]}


def test_a_lone_long_term_block_is_the_goals():
    text = ("1.培训补贴绩效目标表\n401002涿州市就业服务中心\t单位：万元\n项目编码\t13068124X0001\t项目名称\t培训补贴\n"
            "预算数\t5.00\n总体目标\t1.完成培训100人次\n一级指标\t二级指标\t三级指标\t指标值\n"
            "产出指标\t数量指标\t培训人次\t≥100人次\n")
    (p,) = parse_text(text, "lone.txt").projects
    assert (p.goals, p.long_term_goals) == (("1.完成培训100人次",), ())
    assert "long_term_goals" not in p.to_json()


def test_multi_project_table_with_a_long_term_column():
    text = ("单位名称\t项目名称\t预算数\t中期目标\t年度目标\t一级指标\t二级指标\t三级指标\t指标值\n"
            "316001怀来县就业服务中心\t就业援助\t8.00\t1.三年帮扶困难人员600人\t1.帮扶困难人员200人\t"
            "产出指标\t数量指标\t帮扶人数\t≥200人\n")
    (p,) = parse_text(text, "columns.txt").projects
    assert (p.project_name, p.goals, p.long_term_goals) == (
        "就业援助", ("1.帮扶困难人员200人",), ("1.三年帮扶困难人员600人",))

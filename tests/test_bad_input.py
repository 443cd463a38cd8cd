"""Bad input gets a FILE:LINE message; everything else in the file is still loaded."""

from __future__ import annotations

import codecs
import json
import os
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA
from ingest import parse_file
from ingest.reader import DEFAULT_MAX_BYTES
from kg.cli import cli

TAB = (DATA / "tab_layout.txt").read_text(encoding="utf-8")
CELLS = (DATA / "cell_layout.txt").read_text(encoding="utf-8")


def messages(result):
    return [str(d) for d in result.diagnostics]


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_empty_file_is_an_error_naming_the_file(tmp_path):
    path = write(tmp_path, "empty.txt", b"")
    r = parse_file(path)
    assert messages(r) == [f"{path}: file is empty"]
    assert r.projects == [] and not r.ok


def test_whitespace_only_file_counts_as_empty(tmp_path):
    path = write(tmp_path, "blank.txt", "\n \n\t\n")
    assert messages(parse_file(path)) == [f"{path}: file is empty"]


def test_binary_file_is_refused(tmp_path):
    path = write(tmp_path, "table.docx", b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4)
    r = parse_file(path)
    assert messages(r) == [f"{path}: not a readable Word .docx file (damaged, or not a zip package)"]
    assert r.diagnostics[0].severity == "error"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_gbk_text_is_decoded_and_says_so(tmp_path, encoding):
    path = write(tmp_path, "gbk.txt", TAB.encode(encoding))
    r = parse_file(path)
    assert r.encoding == "gb18030"
    assert messages(r)[0] == f"{path}: decoded as GB18030"
    assert [p.project_code for p in r.projects] == ["13068123A1B2C3D4E5F6G", "13068123Q9W8E7R6T5Y4U"]
    assert r.projects[0].unit_name == "涿州市就业服务中心"


def test_utf16_with_bom_is_decoded(tmp_path):
    path = write(tmp_path, "u16.txt", TAB.encode("utf-16"))
    r = parse_file(path)
    assert r.encoding == "utf-16" and len(r.projects) == 2


def test_undecodable_bytes_name_the_line(tmp_path):
    path = write(tmp_path, "bad.txt", "第一行\n第二行\n".encode() + b"\xff\xfe\xfd\xfc abc \x81\n")
    r = parse_file(path)
    assert r.encoding == "utf-8"
    assert messages(r) == [
        f"{path}:3: bytes that are not text replaced with U+FFFD (�); values touching them are not loaded",
        f"{path}: no project table (项目编码 row) and no narrative found",
    ]


def test_table_cut_off_midway_is_reported_and_the_rest_still_loads(tmp_path):
    # Keep the first table whole, then cut the second one right after its 预算规模 row.
    cut = TAB[: TAB.index("用于公益性岗位人员补贴")]
    path = write(tmp_path, "cut.txt", cut)
    r = parse_file(path)
    assert [p.project_code for p in r.projects] == ["13068123A1B2C3D4E5F6G", "13068123Q9W8E7R6T5Y4U"]
    assert len(r.projects[0].indicators) == 4
    assert r.projects[1].budget_wan == Decimal("36.00") and r.projects[1].indicators == ()
    assert f"{path}:22: table is incomplete (cut off?): no 资金支出计划, 绩效目标, indicator table" in messages(r)


def test_cell_layout_cut_inside_the_indicator_table_keeps_the_rows_read(tmp_path):
    cut = CELLS[: CELLS.index("\t效益指标\n")]
    r = parse_file(write(tmp_path, "cut.txt", cut))
    a = r.projects[0]
    assert [i.level3 for i in a.indicators] == ["监察检查户数", "欠薪案件结案率"]
    assert len(r.projects) == 1


def test_non_numeric_amount_is_reported_and_left_empty(tmp_path):
    path = write(tmp_path, "wushi.txt", TAB.replace("预算数\t36.00", "预算数\t五十"))
    r = parse_file(path)
    assert f"{path}:25: 预算数 '五十' is not a number; left empty" in messages(r)
    assert r.projects[1].budget_wan is None and r.projects[1].fiscal_wan == Decimal("36.00")
    assert r.projects[0].budget_wan == Decimal("120.50")


def test_duplicate_project_code_is_reported_and_only_the_first_table_loads(tmp_path):
    path = write(tmp_path, "dup.txt", TAB.replace("13068123Q9W8E7R6T5Y4U", "13068123A1B2C3D4E5F6G"))
    r = parse_file(path)
    assert [p.budget_wan for p in r.projects] == [Decimal("120.50")]
    assert (f"{path}:22: 项目编码 13068123A1B2C3D4E5F6G already used by the table at line 7; "
            "this table is not loaded") in messages(r)


def test_text_without_tables_is_an_error(tmp_path):
    path = write(tmp_path, "prose.txt", "这是一段说明文字，没有表格。\n")
    r = parse_file(path)
    assert messages(r) == [f"{path}: no project table (项目编码 row) and no narrative found"]


def test_cli_loads_good_files_and_reports_bad_ones_with_exit_0(tmp_path):
    good = write(tmp_path, "good.txt", TAB)
    bad = write(tmp_path, "bad.bin", b"\x00\x01\x02" * 100)
    result = CliRunner().invoke(cli, ["ingest", str(good), str(bad), "--json"])
    assert result.exit_code == 0
    assert f"{bad}: binary file, not text (Word .docx, Excel .xlsx/.xls, PDF and web pages are read" in result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_cli_exits_non_zero_when_nothing_could_be_read(tmp_path):
    empty = write(tmp_path, "empty.txt", b"")
    result = CliRunner().invoke(cli, ["ingest", str(empty)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{empty}: file is empty"
    assert "Traceback" not in result.output


def test_cli_reports_a_missing_file_without_a_traceback(tmp_path):
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "nope.txt: cannot read" in result.stderr


# --- issue 17: each failure reproduced; the file's other tables still load ---------------------------

REAL_CODES = ["13068123A1B2C3D4E5F6G", "13068123Q9W8E7R6T5Y4U"]


def loaded(result):
    return [(p.project_code, p.budget_wan) for p in result.projects]


def test_table_without_unit_row_is_diagnosed_not_raised(tmp_path):
    path = write(tmp_path, "t.txt", "项目编码\tX\n")
    r = parse_file(path)
    assert messages(r) == [
        f"{path}:1: table has no heading",
        f"{path}:1: no unit row (预算单位 and 单位：万元) before 项目编码",
        f"{path}:1: table is incomplete (cut off?): no 预算数, 绩效目标, indicator table",
        f"{path}:1: budget year unknown: not in the 项目编码 nor the document",
    ]
    assert loaded(r) == [("X", None)]


def test_table_without_unit_row_leaves_the_other_tables_loaded(tmp_path):
    r = parse_file(write(tmp_path, "t.txt", TAB + "项目编码\tX\n"))
    assert loaded(r) == [(REAL_CODES[0], Decimal("120.50")), (REAL_CODES[1], Decimal("36.00")), ("X", None)]


def test_cli_ingest_of_a_table_without_unit_row_exits_0_without_traceback(tmp_path):
    path = write(tmp_path, "t.txt", "项目编码\tX\n")
    result = CliRunner().invoke(cli, ["ingest", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}:1: no unit row (预算单位 and 单位：万元) before 项目编码" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_joined_indicator_cell_with_an_unnamed_column_names_only_real_fields(tmp_path):
    # A header column the reader cannot name (备注) is a None column; the merged cell then made the
    # "missing" list hold None and ', '.join() raise TypeError.
    text = TAB.replace("三级指标\t绩效指标描述\t", "三级指标\t备注\t", 1).replace(
        "效益指标、社会效益指标\t就业率\t培训后就业人数占比\t", "效益指标、社会效益指标、就业率\t", 1)
    path = write(tmp_path, "joined.txt", text)
    r = parse_file(path)
    assert loaded(r) == [(REAL_CODES[0], Decimal("120.50")), (REAL_CODES[1], Decimal("36.00"))]
    assert (f"{path}:20: malformed indicator row: cell '效益指标、社会效益指标、就业率' held several levels; "
            "kept what is clear") in messages(r)
    row = r.projects[0].indicators[2]
    assert (row.level1, row.level2, row.level3, row.value, row.basis) == (
        "效益指标", "社会效益指标", "就业率", "≥60%", "历史标准")


DAMAGED = "bytes that are not text replaced with U+FFFD (�); values touching them are not loaded"


def test_file_cut_inside_a_multibyte_character_costs_one_line(tmp_path):
    data = TAB.encode("utf-8")
    assert data.endswith("。\n".encode())
    path = write(tmp_path, "cut.txt", data[:-2])  # the last 。 loses its last byte
    r = parse_file(path)
    assert r.encoding == "utf-8"
    assert loaded(r) == [(REAL_CODES[0], Decimal("120.50")), (REAL_CODES[1], Decimal("36.00"))]
    assert f"{path}:38: {DAMAGED}" in messages(r)
    assert r.narrative[-1].text.endswith("成立工作专班，明确责任分工\ufffd")


def test_bom_and_one_bad_byte_give_the_line_and_leave_the_amount_empty(tmp_path):
    data = codecs.BOM_UTF8 + TAB.encode().replace("预算数\t36.00".encode(), "预算数\t3".encode() + b"\xff6.00")
    path = write(tmp_path, "bom.txt", data)
    r = parse_file(path)
    assert messages(r)[0] == f"{path}:25: {DAMAGED}"
    assert f"{path}:25: 预算数 '3�6.00' has bytes that could not be decoded; left empty" in messages(r)
    assert loaded(r) == [(REAL_CODES[0], Decimal("120.50")), (REAL_CODES[1], None)]
    assert r.projects[1].fiscal_wan == Decimal("36.00")


def test_damaged_project_code_is_left_empty_and_named(tmp_path):
    data = TAB.encode().replace(REAL_CODES[1].encode(), b"13068123Q9W8\xffE7R6T5Y4U")
    path = write(tmp_path, "code.txt", data)
    r = parse_file(path)
    assert f"{path}:24: 项目编码 '13068123Q9W8�E7R6T5Y4U' has bytes that could not be decoded; left empty" \
        in messages(r)
    assert loaded(r) == [(REAL_CODES[0], Decimal("120.50")), (None, Decimal("36.00"))]


def test_damaged_doc_number_is_not_loaded_as_a_shorter_one(tmp_path):
    # 涿财资[2023]12号 with a bad byte inside the serial must not become 涿财资〔2023〕1号.
    data = TAB.encode().replace("[2023]12号".encode(), b"[2023]1\xff2" + "号".encode())
    path = write(tmp_path, "docno.txt", data)
    r = parse_file(path)
    assert r.projects[1].doc_refs == ()
    assert f"{path}:24: 文号 '涿财资[2023]1�' in the project_name has bytes that could not be decoded; not loaded" \
        in messages(r)
    assert parse_file(write(tmp_path, "clean.txt", TAB)).projects[1].doc_numbers == ("涿财资〔2023〕12号",)


def test_damaged_unit_code_is_left_empty_and_the_name_kept(tmp_path):
    data = TAB.encode().replace("401002涿".encode(), b"4010\xff2" + "涿".encode())
    path = write(tmp_path, "unit.txt", data)
    r = parse_file(path)
    assert f"{path}:8: 单位编码 '4010�2' has bytes that could not be decoded; left empty" in messages(r)
    assert [(p.unit_code, p.unit_name) for p in r.projects] == [(None, "涿州市就业服务中心")] * 2
    assert loaded(r) == [(REAL_CODES[0], Decimal("120.50")), (REAL_CODES[1], Decimal("36.00"))]


def test_damaged_indicator_value_is_kept_as_printed_but_not_parsed(tmp_path):
    path = write(tmp_path, "value.txt", TAB.encode().replace("≥800人次".encode(), "≥8".encode() + b"\xff0" + "人次".encode()))
    r = parse_file(path)
    row = r.projects[0].indicators[0]
    assert (row.value, row.parsed) == ("≥8\ufffd0人次", None)
    assert f"{path}:18: 指标值 '≥8�0人次' has bytes that could not be decoded; kept as printed, not parsed" \
        in messages(r)


def test_one_gbk_line_in_a_utf8_file_costs_that_line_only(tmp_path):
    data = TAB.encode().replace("用于公益性岗位人员补贴".encode(), "用于公益性岗位人员补贴".encode("gbk"))
    path = write(tmp_path, "mixed.txt", data)
    r = parse_file(path)
    assert r.encoding == "utf-8"
    assert [m for m in messages(r) if DAMAGED in m] == [f"{path}:26: {DAMAGED}"]
    assert loaded(r) == [(REAL_CODES[0], Decimal("120.50")), (REAL_CODES[1], Decimal("36.00"))]


def test_control_characters_are_replaced_and_reported_with_their_line(tmp_path):
    path = write(tmp_path, "ctl.txt", TAB.replace("年度计划", "年度\x00计\x1b划", 1))
    r = parse_file(path)
    assert f"{path}:18: {DAMAGED}" in messages(r)
    assert r.projects[0].indicators[0].basis == "年度\ufffd计\ufffd划"


def test_many_damaged_lines_are_summed_up_after_twenty(tmp_path):
    path = write(tmp_path, "many.txt", b"".join(b"line \xff %d\n" % i for i in range(1, 101)) + TAB.encode())
    r = parse_file(path)
    damage = [m for m in messages(r) if "U+FFFD" in m or "not text" in m]
    assert damage[:2] == [f"{path}:1: {DAMAGED}", f"{path}:2: {DAMAGED}"]
    assert damage[20:] == [f"{path}:21: 80 more lines with bytes that are not text (lines 21–100)"]
    assert len(r.projects) == 2


def test_size_cap_refuses_a_larger_file_with_a_clear_message(tmp_path):
    path = write(tmp_path, "big.txt", TAB)
    r = parse_file(path, max_bytes=1000)
    assert messages(r) == [f"{path}: file is 2,253 bytes, over the limit of 1,000 bytes; not read"]
    assert len(parse_file(path).projects) == 2  # the default cap (200 MB) reads it


def test_sparse_file_over_the_default_cap_is_refused_before_reading(tmp_path):
    path = tmp_path / "sparse.txt"
    with path.open("wb") as f:
        f.truncate(DEFAULT_MAX_BYTES + 1)  # sparse: no disk used, 200 MB reported
    assert messages(parse_file(path)) == [
        f"{path}: file is {DEFAULT_MAX_BYTES + 1:,} bytes, over the limit of {DEFAULT_MAX_BYTES:,} bytes; not read"]


def _parse_in_thread(path, timeout=10.0):
    out = []
    worker = threading.Thread(target=lambda: out.append(parse_file(path)), daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), f"parse_file({path}) blocked"
    return out[0]


def test_fifo_is_refused_without_blocking(tmp_path):
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    assert messages(_parse_in_thread(path)) == [f"{path}: not a regular file (a FIFO, device or socket); not read"]


def test_device_is_refused_without_reading_it():
    r = _parse_in_thread(Path("/dev/zero"))
    assert messages(r) == ["/dev/zero: not a regular file (a FIFO, device or socket); not read"]


def test_folder_is_refused(tmp_path):
    assert messages(parse_file(tmp_path)) == [f"{tmp_path}: is a folder, not a file"]


def test_file_name_that_is_not_utf8_is_reported_with_replacement_characters(tmp_path):
    raw = os.fsencode(tmp_path) + b"/bad\xff\xfe.txt"
    fd = os.open(raw, os.O_WRONLY | os.O_CREAT)
    os.write(fd, TAB.encode())
    os.close(fd)
    r = parse_file(os.fsdecode(raw))
    assert messages(r) == [f"{tmp_path}/bad��.txt: file name is not valid UTF-8 (shown with U+FFFD); "
                           "rename the file to load it"]
    assert r.file == f"{tmp_path}/bad��.txt"
    str(r.diagnostics[0]).encode("utf-8")  # printable


def test_cli_ingest_of_a_fifo_and_a_good_file_loads_the_good_one(tmp_path):
    good = write(tmp_path, "good.txt", TAB)
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    result = CliRunner().invoke(cli, ["ingest", str(pipe), str(good), "--json"])
    assert result.exit_code == 0
    assert f"{pipe}: not a regular file (a FIFO, device or socket); not read" in result.stderr
    assert [json.loads(line)["project_code"] for line in result.stdout.splitlines()] == REAL_CODES


def test_an_unexpected_failure_in_one_table_costs_that_table_only(tmp_path, monkeypatch):
    import ingest.parser

    real = ingest.parser.parse_table

    def failing(rows, file, warn):
        if rows[0].first == 24:  # the second table's 项目编码 row
            raise RuntimeError("boom")
        return real(rows, file, warn)

    monkeypatch.setattr(ingest.parser, "parse_table", failing)
    path = write(tmp_path, "t.txt", TAB)
    r = parse_file(path)
    assert loaded(r) == [(REAL_CODES[0], Decimal("120.50"))]
    assert f"{path}:22: table not loaded (internal error RuntimeError: boom)" in messages(r)
    assert [d.severity for d in r.diagnostics if "internal error" in d.message] == ["error"]


def test_file_name_with_a_nul_is_a_diagnostic_with_the_nul_replaced():
    r = parse_file("a\x00b.txt")
    assert messages(r) == ["a�b.txt: cannot read: not a usable file name (embedded null byte)"]


def test_gbk_file_with_one_bad_byte_is_gbk_with_that_line_reported(tmp_path):
    data = TAB.encode("gbk").replace("预算数\t36.00".encode("gbk"), "预算数\t3".encode("gbk") + b"\xff6.00")
    path = write(tmp_path, "gbk_bad.txt", data)
    r = parse_file(path)
    assert r.encoding == "gb18030"
    assert messages(r)[:2] == [f"{path}: decoded as GB18030", f"{path}:25: {DAMAGED}"]
    assert loaded(r) == [(REAL_CODES[0], Decimal("120.50")), (REAL_CODES[1], None)]


def test_stray_high_byte_in_ascii_text_does_not_swallow_the_next_character(tmp_path):
    path = write(tmp_path, "stray.txt", b"budget 1\xc336.00\n")
    r = parse_file(path)
    assert r.encoding == "utf-8"
    assert messages(r)[0] == f"{path}:1: {DAMAGED}"

"""Bad input gets a FILE:LINE message; everything else in the file is still loaded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner

from conftest import DATA
from ingest import parse_file
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
    assert messages(r) == [f"{path}:3: text is neither UTF-8 nor GB18030/GBK"]


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
    assert f"{bad}: binary file, not text" in result.stderr
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

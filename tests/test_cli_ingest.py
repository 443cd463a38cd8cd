from __future__ import annotations

import json
from collections import Counter

from click.testing import CliRunner

from conftest import SAMPLE
from kg.cli import cli

KEYS = ["kind", "year", "seq", "title", "unit_code", "unit_name", "project_code", "project_name", "budget_wan",
        "fiscal_wan", "other_wan", "spending_plan", "goals", "indicators", "doc_refs", "source",
        "region_code", "region_name", "region_evidence"]


def run_json():
    result = CliRunner().invoke(cli, ["ingest", str(SAMPLE), "--json"])
    assert result.exit_code == 0
    return [json.loads(line) for line in result.stdout.splitlines()], result


def test_ingest_json_lines_have_exactly_the_documented_keys():
    rows, _ = run_json()
    assert len(rows) == 44
    assert all(list(r) == KEYS for r in rows)


def test_ingest_json_gives_each_project_its_region():
    rows, _ = run_json()
    assert Counter((r["region_code"], r["region_name"]) for r in rows) == {("130730", "怀来县"): 44}
    first = next(r for r in rows if r["project_code"] == "13073022P00817010003J")
    assert first["region_evidence"] == "code_prefix"


def test_ingest_json_amounts_are_numbers_with_the_printed_digits():
    result = CliRunner().invoke(cli, ["ingest", str(SAMPLE), "--json"])
    first = result.stdout.splitlines()[0]
    assert '"budget_wan": 10.00, "fiscal_wan": 10.00, "other_wan": 0,' in first
    row = json.loads(first)
    assert row["source"] == {"file": "000_61c5a3a787465ec8.txt", "lines": [13, 28]}
    assert row["indicators"][0]["value_parsed"] == {"op": "≥", "number": 80, "unit": "百分率"}


def test_ingest_json_counts_per_year():
    rows, _ = run_json()
    projects = Counter(r["year"] for r in rows)
    indicators, docs = Counter(), {}
    for r in rows:
        indicators[r["year"]] += len(r["indicators"])
        docs.setdefault(r["year"], set()).update(r["doc_refs"])
    assert projects == {2021: 20, 2022: 24}
    assert indicators == {2021: 102, 2022: 157}
    assert {y: len(d) for y, d in docs.items()} == {2021: 4, 2022: 4}


def test_ingest_warnings_go_to_stderr_as_file_line_message():
    _, result = run_json()
    lines = result.stderr.splitlines()
    assert f"{SAMPLE}:179: table 9 has a number but no title" in lines
    assert all(line.startswith(f"{SAMPLE}:") for line in lines)


def test_ingest_human_table_lists_every_project():
    result = CliRunner().invoke(cli, ["ingest", str(SAMPLE)])
    assert result.exit_code == 0
    assert "13073022P007772100026" in result.stdout and "5906.00" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "44 个项目, 259 条指标, 来自 1 个文件"


def test_every_command_has_help():
    runner = CliRunner()
    for name in cli.list_commands(None):
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert len(result.stdout.strip()) > 40, name


def test_data_files_beside_the_documents_are_skipped_not_parsed(tmp_path):
    (tmp_path / "documents.csv").write_text("canonical,title,issuer,date,parent\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(SAMPLE), str(tmp_path / "documents.csv"), "--json"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 44
    assert f"{tmp_path / 'documents.csv'}: skipped: a data file, not a source document" in result.stderr

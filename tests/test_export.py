"""Exports: RDF re-parses to the same triples; CSV and XLSX hold every project and indicator."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import cli
from kg.corpus import load_corpus
from kg.export import indicator_csv_path
from kg.context import derive_context
from kg.steps import graph_step
from kg.settings import Settings
from kg.workspace import Workspace

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "000_61c5a3a787465ec8.txt"


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def built(request, tmp_path_factory) -> tuple[Settings, int]:
    s = Settings(index_dir=tmp_path_factory.mktemp("idx"), store=request.param)
    ws = Workspace(s.index_dir)
    out = ws.new_build()
    counts = graph_step(derive_context(load_corpus([SAMPLE]), s), out)
    ws.publish(out)
    return s, counts["triples"]


def _export(settings: Settings, fmt: str, path: Path, code: int = 0) -> str:
    result = CliRunner().invoke(cli, ["export", "--format", fmt, "-o", str(path), "--store",
                                      settings.store, "--indexes", str(settings.index_dir)])
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("fmt, parser", [("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"),
                                         ("nq", "nquads")])
def test_rdf_export_reparses_to_the_same_triple_count(built, tmp_path, fmt, parser):
    settings, triples = built
    path = tmp_path / f"graph.{fmt}"
    _export(settings, fmt, path)
    g = Graph().parse(path, format=parser)
    assert len(g) == triples
    assert '"1384.00"' in path.read_text("utf-8")  # the printed form, kept beside the value
    assert not list(tmp_path.glob(".*.tmp"))


def test_jsonld_above_its_size_limit_is_refused_with_a_message(built, tmp_path):
    settings, triples = built
    path = tmp_path / "graph.jsonld"
    result = CliRunner().invoke(cli, ["export", "--format", "jsonld", "-o", str(path), "--store",
                                      settings.store, "--indexes", str(settings.index_dir)],
                                env={"HRSS_EXPORT_JSONLD_MAX_TRIPLES": "1000"})
    assert result.exit_code == 1
    assert f"图谱有 {triples:,} 个三元组，超过上限 1,000" in result.output
    assert "--format nt" in result.output and not path.exists()


def test_xlsx_holds_every_project_and_indicator(built, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "项目.xlsx"
    _export(built[0], "xlsx", path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["项目", "绩效指标"]
    rows = list(wb["项目"].iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert header[:4] == ("预算年度", "序号", "项目编码", "项目名称")
    assert len(data) == 44
    by_code = {r[2]: dict(zip(header, r)) for r in data}
    row = by_code["13073022P008368100011"]
    assert float(row["预算数（万元）"]) == 1384.0 and row["单位编码"] == "316007"
    assert (row["区划代码"], row["地区"]) == ("130730", "怀来县")
    assert row["资金文件"] == "冀财社〔2021〕176号"
    assert len(list(wb["绩效指标"].iter_rows(values_only=True))) == 1 + 259


def test_csv_has_a_bom_and_an_indicator_file(built, tmp_path):
    path = tmp_path / "projects.csv"
    _export(built[0], "csv", path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 44
    assert {r["预算年度"] for r in rows} == {"2021", "2022"}
    p = next(r for r in rows if r["项目编码"] == "13073022P00836810002L")
    assert p["预算数（万元）"] == "44.00"
    assert {(r["区划代码"], r["地区"]) for r in rows} == {("130730", "怀来县")}
    with indicator_csv_path(path).open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == 259

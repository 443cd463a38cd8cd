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
    assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.glob(".dump-*"))


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


def _quads(lines: list[str]) -> list[str]:
    return sorted(line for line in lines if line)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_dump_by_predicate_writes_each_triple_once_grouped_by_predicate(tmp_path, threads):
    import pyoxigraph as ox

    from kg.store.oxigraph import dump_by_predicate

    ex = "http://example.org/"
    db = ox.Store()
    node = ox.BlankNode("b1")
    triples = [ox.Quad(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(f"{ex}amount"),
                       ox.Literal(f"{i}.50", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")))
               for i in range(500)]
    triples += [ox.Quad(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(f"{ex}name"), ox.Literal(f"项目\n{i}\"号"))
                for i in range(0, 500, 7)]
    triples += [ox.Quad(node, ox.NamedNode(f"{ex}label"), ox.Literal("社保", language="zh")),
                ox.Quad(ox.NamedNode(f"{ex}s1"), ox.NamedNode(f"{ex}about"), node)]
    db.extend(triples)
    db.add(ox.Quad(ox.NamedNode(f"{ex}g"), ox.NamedNode(f"{ex}inNamed"), ox.Literal("x"), ox.NamedNode(f"{ex}graph")))
    path = tmp_path / "out.nt"
    with path.open("wb") as f:
        dump_by_predicate(db, f, tmp_path, threads=threads)
    lines = path.read_text("utf-8").split("\n")
    whole = db.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode("utf-8").split("\n")
    assert _quads(lines) == _quads(whole)  # the default graph only, every triple once
    assert len(_quads(lines)) == 500 + 72 + 2
    predicates = [line.split(" ")[1] for line in lines if line]
    assert predicates == sorted(predicates)  # grouped, groups in IRI order
    assert f'<{ex}s0> <{ex}name> "项目\\n0\\"号" .' in lines  # escapes as N-Triples writes them
    assert [p.name for p in tmp_path.iterdir()] == ["out.nt"]  # the parts are gone

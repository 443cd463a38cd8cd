"""The RDF graph of the sample: counts, one project's triples, determinism, units, SHACL."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, ORG, PROV, SKOS

from kg.context import derive_context
from kg.corpus import load_corpus
from kg.namespace import HK, HK_DATA, HK_LEVEL, HK_THEME
from kg.queries import run_named
from kg.rdf import iri
from kg.settings import Settings
from kg.store import MemoryStore
from kg.steps import build_graph as graph_of_context, graph_lines
from kg.units import derive_units
from kg.validate import validate_graph

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "000_61c5a3a787465ec8.txt"
FILE = SAMPLE.name
P176 = HK_DATA["project/130730/2022/13073022P008368100011"]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([SAMPLE])


def build_graph(corpus, settings: Settings) -> Graph:
    return graph_of_context(derive_context(corpus, settings))


def project_iri(p) -> URIRef:
    return URIRef(iri.plain(iri.project(iri.project_key(p))))


def document_iri(canonical: str) -> URIRef:
    return URIRef(iri.plain(iri.document(canonical)))


def unit_iri(code: str) -> URIRef:
    return URIRef(iri.plain(iri.unit(iri.UnitKey("130730", code))))


@pytest.fixture(scope="module")
def graph(corpus) -> Graph:
    return build_graph(corpus, Settings())


@pytest.fixture(scope="module")
def store(graph) -> MemoryStore:
    return MemoryStore(Settings(), graph)


def test_project_count_per_year(graph):
    years = Counter(int(y) for p in graph.subjects(RDF.type, HK.Project) for y in graph.objects(p, HK.year))
    assert years == {2021: 20, 2022: 24}


def test_project_count_per_unit(graph):
    units = Counter(str(graph.value(u, HK.unitCode))
                    for p in graph.subjects(RDF.type, HK.Project) for u in graph.objects(p, HK.unit))
    assert units == {"316007": 22, "316005": 10, "316001": 8, "316004": 4}


def test_project_iri_is_region_year_and_code(corpus):
    p = corpus.project("13073022P008368100011", 2022)
    assert project_iri(p) == P176
    assert unit_iri("316007") == HK_DATA["unit/130730/316007"]


def test_one_project_has_its_amounts_as_printed_decimals(graph):
    budget = graph.value(P176, HK.budgetWan)
    assert budget == Literal("1384.00", datatype=XSD.decimal)
    assert str(budget) == "1384.00" and budget.toPython() == Decimal("1384.00")
    assert str(graph.value(P176, HK.fiscalWan)) == "1384.00"
    assert graph.value(P176, HK.otherWan) is None  # not printed in the 2022 tables
    p2021 = HK_DATA["project/130730/2021/130730213QTTW95ZBZSQ9"]
    assert str(graph.value(p2021, HK.budgetWan)) == "10.00"
    assert str(graph.value(p2021, HK.otherWan)) == "0"


def test_one_project_has_its_unit_code_year_and_source_lines(graph):
    assert graph.value(P176, HK.unit) == HK_DATA["unit/130730/316007"]
    assert graph.value(P176, HK.projectCode) == Literal("13073022P008368100011")
    assert graph.value(P176, HK.year) == Literal(2022)
    assert (str(graph.value(P176, HK.sourceFile)), int(graph.value(P176, HK.firstLine)),
            int(graph.value(P176, HK.lastLine))) == (FILE, 2503, 2587)
    assert graph.value(P176, PROV.wasDerivedFrom) is None  # the span is the project's own properties


def test_a_span_s_file_and_lines_are_queryable(store):
    [row] = run_named(store, "project_detail", year=2022, code="13073022P008368100011").rows
    assert (row["file"], row["first_line"], row["last_line"]) == (FILE, 2503, 2587)
    mentions = run_named(store, "document_mentions", doc="冀财社〔2021〕176号").rows
    assert [(r["file"], r["line"], r["field"], r["project_code"]) for r in mentions] == [
        (FILE, 2503, "title", "13073022P008368100011"), (FILE, 2510, "project_name", "13073022P008368100011"),
        (FILE, 2592, "title", "13073022P00836810002L"), (FILE, 2599, "project_name", "13073022P00836810002L")]
    assert {r["raw"] for r in mentions} == {"冀财社﹝2021﹞176号"}


def test_one_project_links_funding_and_basis_documents_apart(graph):
    funded = {str(graph.value(d, DCTERMS.identifier)) for d in graph.objects(P176, HK.fundedBy)}
    basis = {str(graph.value(d, DCTERMS.identifier)) for d in graph.objects(P176, HK.citesBasis)}
    assert funded == {"冀财社〔2021〕176号"}
    assert basis == {"冀人社规〔2019〕2号", "冀人社字〔2021〕278号"}
    doc = document_iri("冀财社〔2021〕176号")
    assert (doc, RDF.type, HK.FundingDocument) in graph
    assert graph.value(doc, HK.docYear) == Literal(2021) and graph.value(doc, HK.docSeq) == Literal(176)
    assert str(graph.value(graph.value(doc, DCTERMS.creator), SKOS.prefLabel)) == "河北省财政厅"
    assert {str(s) for s in graph.objects(doc, HK.rawSpelling)} == {"冀财社﹝2021﹞176号"}
    assert (document_iri("冀人社规〔2019〕2号"), RDF.type, HK.PolicyDocument) in graph


def test_one_project_has_its_indicators_with_levels_and_lines(graph):
    inds = sorted(graph.objects(P176, HK.hasIndicator), key=lambda i: int(graph.value(i, HK.position)))
    assert len(inds) == 6
    first = inds[0]
    # the printed levels are the labels of the category concept and its broader one: not repeated
    assert graph.value(first, HK.level1) is None and graph.value(first, HK.level2) is None
    assert str(graph.value(first, HK.level3)) == "财政补助资金拨入财政专户金额（累计数）"
    assert graph.value(first, HK.category) == HK_LEVEL["quantity"]
    assert (HK_LEVEL["quantity"], SKOS.broader, HK_LEVEL["output"]) in graph
    assert (first, RDF.type, HK.Indicator) not in graph  # the range of hk:hasIndicator
    assert [int(graph.value(i, HK.firstLine)) for i in inds] == [2547, 2554, 2561, 2568, 2575, 2582]


def test_indicator_levels_survive_through_the_named_query(store):
    rows = run_named(store, "indicators_of_project", year=2022, code="13073022P008368100011").rows
    assert [(r["level1"], r["level2"], r["line"]) for r in rows] == [
        ("产出指标", "数量指标", 2547), ("产出指标", "质量指标", 2554), ("产出指标", "时效指标", 2561),
        ("产出指标", "成本指标", 2568), ("效益指标", "社会效益指标", 2575),
        ("满意度指标", "服务对象满意度指标", 2582)]
    assert rows[0]["level3"] == "财政补助资金拨入财政专户金额（累计数）"


def test_every_project_and_indicator_has_its_source_lines(graph):
    projects = set(graph.subjects(RDF.type, HK.Project))
    for p in projects:
        assert graph.value(p, HK.sourceFile) is not None and graph.value(p, HK.firstLine) is not None, p
    indicators = set(graph.objects(None, HK.hasIndicator))
    assert all(graph.value(i, HK.firstLine) is not None for i in indicators)
    assert len(indicators) == 259


def test_every_indicator_of_the_records_comes_back_whole_from_the_indicator_list(corpus, store):
    rows = {(r["year"], r["project_code"], r["position"]): r for r in run_named(store, "indicators_list").rows}
    assert len(rows) == 259
    for p in corpus.projects:
        for n, ind in enumerate(p.indicators, start=1):
            r = rows[(p.year, p.project_code, n)]
            assert (r["level1"], r["level2"], r["level3"], r["description"], r["target_value"], r["basis"],
                    r["file"], r["line"]) == (ind.level1, ind.level2, ind.level3, ind.description, ind.value,
                                              ind.basis, FILE, ind.span.first_line), (p.project_code, n)


@pytest.mark.parametrize("name, project_place, indicator_place", [
    ("sample.pdf", "p.2 table 1 rows 1-6", "p.2 table 2 row 2"),
    ("sample.docx", "table 1 rows 1-6", "table 2 row 2"),
    ("sample.xlsx", "绩效目标!A12:G26", "绩效目标!A22:F22"),
])
def test_a_place_in_a_word_pdf_or_excel_file_is_a_property_of_its_fact(name, project_place, indicator_place):
    native = load_corpus([ROOT / "tests" / "data" / "native" / name])
    g = build_graph(native, Settings())
    rows = MemoryStore(Settings(), g).query("""SELECT ?file ?place ?first ?last ?row_place ?row_line ?row_last WHERE {
        ?p hk:projectCode "130730213QTTW95ZBZSQ9" ; hk:sourceFile ?file ; hk:place ?place ; hk:firstLine ?first ;
           hk:lastLine ?last ; hk:hasIndicator ?i . ?i hk:position 1 ; hk:place ?row_place ; hk:firstLine ?row_line .
        OPTIONAL { ?i hk:lastLine ?row_last } }""").rows
    assert rows == [{"file": name, "place": project_place, "first": 12, "last": 25, "row_place": indicator_place,
                     "row_line": 21, "row_last": None}]
    assert validate_graph(g).conforms


def test_plan_entries_keep_their_printed_values_and_a_percentage_only_where_it_adds(store):
    rows = store.query("""SELECT ?position ?label ?printed ?percent WHERE {
        ?p hk:projectCode "13073022P008368100011" ; hk:planEntry ?e . ?e hk:position ?position ;
        hk:periodLabel ?label ; hk:printedValue ?printed . OPTIONAL { ?e hk:cumulativePercent ?percent } }
        ORDER BY ?position""").rows
    assert [(r["position"], r["label"], r["printed"], r["percent"]) for r in rows] == [
        (1, "3月底", "25%", None), (2, "6月底", "50%", None), (3, "10月底", "75%", None), (4, "12月底", "100%", None)]


def test_link_evidence_and_allocation_units_are_reachable(store):
    rows = store.query("""SELECT ?kind ?weight ?value WHERE {
        ?l hk:predecessor/hk:projectCode "13073021K9QPMIB2W0I7G" ; hk:successor/hk:projectCode ?succ ; hk:evidence ?e .
        BIND(STRBEFORE(?e, " ") AS ?kind) BIND(STRAFTER(?e, " ") AS ?rest)
        BIND(xsd:decimal(STRBEFORE(?rest, " ")) AS ?weight) BIND(STRAFTER(?rest, " ") AS ?value) } ORDER BY ?kind""").rows
    assert [(r["kind"], r["weight"], r["value"]) for r in rows] == [
        ("close_amount", Decimal("0.15"), "35.00 → 35.00"), ("same_fund_level", Decimal("0.05"), "县/本级财政"),
        ("same_name", Decimal("0.50"), "专项办公经费"), ("same_unit", Decimal("0.20"), "316004")]
    rows = store.query("""SELECT ?amount ?unit WHERE { ?d dcterms:identifier "冀财社〔2020〕185号" ; hk:allocates ?a .
        ?a hk:amount ?amount ; hk:toProject/hk:unit/hk:unitCode ?unit } ORDER BY ?amount""").rows
    assert rows == [{"amount": Decimal("38.00"), "unit": "316007"}, {"amount": Decimal("1381.00"), "unit": "316007"}]


def test_every_project_has_a_policy_theme(graph):
    projects = set(graph.subjects(RDF.type, HK.Project))
    assert all(graph.value(p, HK.theme) is not None for p in projects)
    assert (P176, HK.theme, HK_THEME["pension"]) in graph
    assert str(graph.value(HK_THEME["pension"], SKOS.prefLabel)) == "养老保险"


def test_narrative_items_are_in_the_graph(graph):
    items = set(graph.subjects(RDF.type, HK.NarrativeItem))
    assert len(items) == 38
    sections = Counter(str(graph.value(i, HK.section)) for i in items)
    assert set(sections) == {"总体绩效目标", "工作保障措施"}


def test_units_nest_under_the_bureau(graph):
    bureau = unit_iri("316001")
    assert str(graph.value(bureau, SKOS.prefLabel)) == "怀来县人力资源和社会保障局"
    assert (bureau, RDF.type, HK.BudgetUnit) in graph  # an org:Organization by rdfs:subClassOf
    assert graph.value(bureau, ORG.subOrganizationOf) is None
    for code in ("316004", "316005", "316007"):
        assert (unit_iri(code), ORG.subOrganizationOf, bureau) in graph


def test_units_csv_overrides_name_and_parent(corpus, tmp_path):
    csv = tmp_path / "units.csv"
    csv.write_text("code,name,parent_code\n316007,怀来县社会保险事业服务中心,316005\n316000,,\n", "utf-8")
    units = derive_units(corpus.projects, csv)
    assert units.find("316007").name == "怀来县社会保险事业服务中心"
    assert units.find("316007").parent == "316005"
    assert units.find("316004").parent == "316001"
    assert units.find("316000").parent == "316001"  # an empty parent_code keeps the derived one


def test_building_twice_gives_an_isomorphic_graph(corpus, graph):
    again = build_graph(load_corpus([SAMPLE]), Settings())
    assert len(again) == len(graph)
    assert isomorphic(again, graph)


def test_ingesting_the_same_file_twice_adds_nothing(graph):
    twice = build_graph(load_corpus([SAMPLE, SAMPLE]), Settings())
    assert len(twice) == len(graph)


def test_shacl_passes_on_the_sample_with_source_warnings(graph):
    report = validate_graph(graph)
    assert report.conforms and report.violations == []
    assert {(w.line, w.message) for w in report.warnings} == {
        (213, "源文件缺少指标值（hk:targetValue）"), (213, "源文件缺少绩效指标描述（hk:description）"),
        (289, "源文件缺少指标值（hk:targetValue）"), (289, "源文件缺少绩效指标描述（hk:description）")}


def _broken(graph: Graph) -> Graph:
    g = Graph()
    for t in graph:
        g.add(t)
    return g


def test_shacl_reports_fiscal_plus_other_not_equal_to_budget(graph):
    g = _broken(graph)
    p = HK_DATA["project/130730/2021/130730213QTTW95ZBZSQ9"]
    g.set((p, HK.fiscalWan, Literal("9.00", datatype=XSD.decimal)))
    report = validate_graph(g)
    assert not report.conforms
    [v] = report.violations
    assert v.focus == str(p) and (v.file, v.line) == (FILE, 13)
    assert v.message == "财政拨款 9.00 + 其他资金 0 ≠ 预算数 10.00（万元）"


def test_shacl_reports_a_project_without_unit_and_a_negative_amount(graph):
    g = _broken(graph)
    g.remove((P176, HK.unit, None))
    g.set((P176, HK.budgetWan, Literal("-1.00", datatype=XSD.decimal)))
    messages = {v.message for v in validate_graph(g).violations if v.focus == str(P176)}
    assert "项目必须恰有一个预算单位（hk:unit）" in messages
    assert "预算数（hk:budgetWan）必须是不小于 0 的 xsd:decimal" in messages


def test_shacl_reports_an_indicator_without_its_level2(graph):
    g = _broken(graph)
    ind = URIRef(f"{P176}/indicator/1")
    g.remove((ind, HK.level2, None))
    g.set((ind, HK.category, HK_LEVEL["output"]))  # a first-level concept implies no 二级指标
    [v] = validate_graph(g).violations
    assert (v.focus, v.message, v.file, v.line) == (str(ind), "指标必须恰有一个二级指标（hk:level2）", FILE, 2547)


def test_shacl_reports_a_blank_level1_that_the_category_would_imply(graph):
    g = _broken(graph)
    ind = URIRef(f"{P176}/indicator/1")
    g.add((ind, HK.level1, Literal("")))
    [v] = validate_graph(g).violations
    assert (v.focus, v.message, v.line) == (str(ind), "指标必须恰有一个一级指标（hk:level1）", 2547)


def test_shacl_reports_a_project_without_its_file_and_a_span_ending_before_it_starts(graph):
    g = _broken(graph)
    g.remove((P176, HK.sourceFile, None))
    ind = URIRef(f"{P176}/indicator/2")
    g.set((ind, HK.lastLine, Literal(2500)))
    found = {(v.focus, v.message) for v in validate_graph(g).violations}
    assert found == {(str(P176), "项目必须恰有一个源文件（hk:sourceFile）"),
                     (str(ind), "来源位置必须恰有一个起始行，且为小于结束行的正整数")}


def test_shacl_reports_a_finding_without_rule_or_lines(graph):
    g = _broken(graph)
    finding = next(f for f in graph.subjects(HK.rule, None) if graph.value(f, HK.aboutIndicator) is not None)
    g.remove((finding, HK.aboutIndicator, None))
    g.remove((finding, HK.rule, None))
    found = {v.message for v in validate_graph(g).violations if v.focus == str(finding)}
    assert found == set()  # without hk:rule it is no finding any more: nothing to check
    g.add((finding, HK.rule, URIRef(iri.plain(iri.rule("R7.1")))))
    found = {v.message for v in validate_graph(g).violations if v.focus == str(finding)}
    assert found == {"审核发现必须指向指标行（hk:aboutIndicator）或有自己的来源行（hk:firstLine）"}


# ---------------------------------------------------------------- one writer


def test_the_graph_lines_state_each_triple_once_and_parse_as_rdflib_reads_them(corpus, graph):
    from kg.rdf import ntriples as N

    lines = list(graph_lines(derive_context(corpus, Settings())))
    assert len(lines) == len(set(lines)) == len(graph) == 7229  # 7204 + the five L2 rules × 5 triples
    parsed = Graph().parse(data="".join(lines), format="nt")
    assert set(parsed) == set(N.to_triples(lines))


def test_graph_holds_lineage_allocations_and_findings(graph):
    allocation = URIRef(f"{HK_DATA}project/130730/2021/13073021IYO89L3FUDICF/allocation/"
                        "%E5%86%80%E8%B4%A2%E7%A4%BE%E3%80%942020%E3%80%95143%E5%8F%B7")
    assert graph.value(allocation, HK.amount) == Literal("5660.00", datatype=XSD.decimal)
    assert str(graph.value(allocation, HK.fundLevel)) == "中央"
    assert len(set(graph.subjects(HK.rule, None))) == 277


def test_a_finding_s_severity_and_title_are_reachable_through_its_rule(store):
    rows = store.query("""SELECT ?rule ?severity ?title ?line WHERE {
        ?f hk:rule ?r ; hk:aboutIndicator ?row . ?r dcterms:identifier ?rule ; hk:severity ?severity ;
        rdfs:label ?title . ?row hk:firstLine ?line . ?p hk:hasIndicator ?row ; hk:year 2022 ;
        hk:projectCode "13073022P008368100011" } ORDER BY ?line ?rule""").rows
    assert [(r["rule"], r["severity"], r["line"]) for r in rows] == [
        ("R10.1", "警告", 2547), ("R7.4", "提示", 2547), ("R7.1", "错误", 2554), ("R10.1", "警告", 2561),
        ("R7.1", "错误", 2561), ("R7.1", "错误", 2575), ("R7.1", "错误", 2582)]
    assert rows[2]["title"] == "比率指标超过100%"


def test_child_iris_are_built_from_the_parent_key():
    key = iri.ProjectKey("130730", 2022, "13073022P008368100011")
    assert iri.indicator(key, 3) == f"<{P176}/indicator/3>"
    assert iri.allocation(key, "冀财社〔2021〕176号") == (
        f"<{P176}/allocation/%E5%86%80%E8%B4%A2%E7%A4%BE%E3%80%942021%E3%80%95176%E5%8F%B7>")
    assert iri.project(iri.ProjectKey("", None, None, "a b.txt", 7)) == f"<{HK_DATA}project/na/_a%20b.txt-7>"


@pytest.mark.parametrize("text", ['他说"好"', "a\\b", "一\n二\r三\t四", "≥80%", ""])
def test_ntriples_literals_escape_as_rdflib_does(text):
    from kg.rdf import ntriples as N

    assert N.lit(text) == N.from_rdflib(Literal(text))
    assert N.lang(text, "zh") == N.from_rdflib(Literal(text, lang="zh"))
    assert N.to_rdflib(N.lang(text, "zh")) == Literal(text, lang="zh")
    line = N.line("<urn:x:s>", "<urn:x:p>", N.lit(text))
    assert list(Graph().parse(data=line, format="nt").objects()) == [Literal(text)]


def test_ntriples_terms_are_checked_by_the_namespace():
    from kg.rdf import ntriples as N

    terms = N.Terms(HK)
    assert terms.fundLevel == "<https://w3id.org/hrss-kg/fundLevel>"
    with pytest.raises(AttributeError):
        terms.fundLevle  # noqa: B018 - a misspelt term of the closed namespace


@pytest.mark.parametrize(("ahead", "piece"), [(0, 10_000), (1, 10_000), (3, 10_000), (0, 3), (1, 5)])
def test_chunks_join_lines_in_order_whether_built_ahead_or_not(ahead, piece, monkeypatch):
    from kg.rdf import ntriples as N

    monkeypatch.setattr(N, "_PIECE", piece)  # lines encoded at a time, fewer than a chunk's
    lines = [f"<urn:x:{n}> <urn:x:p> {N.integer(n)} .\n" for n in range(25)]
    out = list(N.chunks(iter(lines), 10, ahead=ahead))
    assert [c.count(b"\n") for c in out] == [10, 10, 5]
    assert b"".join(out).decode("utf-8") == "".join(lines)


def test_chunks_raise_the_error_of_the_lines_in_the_caller():
    from kg.rdf import ntriples as N
    from kg.units import UnitsError

    def lines():
        yield "<urn:x:a> <urn:x:p> <urn:x:b> .\n"
        raise UnitsError("bad contributor")

    with pytest.raises(UnitsError, match="bad contributor"):
        list(N.chunks(lines(), 1, ahead=1))


def test_chunks_stop_their_worker_when_the_caller_stops_early():
    import threading

    from kg.rdf import ntriples as N

    produced = []

    def lines():
        for n in range(10_000):
            produced.append(n)
            yield f"<urn:x:{n}> <urn:x:p> <urn:x:o> .\n"

    it = N.chunks(lines(), 10, ahead=1)
    assert next(it).count(b"\n") == 10
    it.close()
    assert not any(t.name == "ntriples-chunks" for t in threading.enumerate())
    assert len(produced) < 10_000


@pytest.mark.parametrize("digits, canonical", [
    ("1384.00", "1384"), ("9.14", "9.14"), ("10.50", "10.5"), ("0.00", "0"), ("130", "130")])
def test_a_printed_amount_is_kept_only_where_the_canonical_decimal_loses_digits(digits, canonical):
    from kg.rdf import Writer
    from kg.rdf.writer import canonical_decimal

    assert canonical_decimal(digits) == canonical
    w = Writer()
    w.amount("<urn:p>", "<urn:amount>", Decimal(digits), "<urn:printed>")
    printed = [line for line in w.take() if "<urn:printed>" in line]
    assert printed == ([] if digits == canonical else [f'<urn:p> <urn:printed> "{digits}" .\n'])


@pytest.mark.parametrize("span, place", [
    (("a.txt", 13, 28, {}), None),
    (("a.pdf", 40, 44, {"page": 3, "table": 2, "rows": (5, 9)}), "p.3 table 2 rows 5-9"),
    (("a.xlsx", 4, 9, {"sheet": "绩效目标", "cells": "A5:L9"}), "绩效目标!A5:L9"),
    (("a.docx", 12, 12, {"paragraph": 12}), "paragraph 12"),
])
def test_a_span_s_place_is_its_locator_without_the_file(span, place):
    from ingest.records import SourceSpan
    from kg.rdf.writer import place as place_of

    file, first, last, where = span
    assert place_of(SourceSpan(file, first, last, **where)) == place

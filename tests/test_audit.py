"""绩效目标审核: each rule fires on a small flawed table and stays silent on clean ones; sample findings."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from ingest import Project, SpendingPlan, parse_file
from ingest.records import DocRef
from ingest.values import parse_indicator_value
from kg.audit import (
    ALL_RULES,
    RULES,
    AuditError,
    Finding,
    export_findings_xlsx,
    filter_findings,
    load_config,
    load_findings,
    run_audit,
    summarize,
    write_findings,
    write_findings_triples,
)
from kg.cli import cli
from kg.corpus import load_corpus
from kg.rdf import Writer, iri
from kg.settings import load_settings

AUDIT_DATA = Path(__file__).resolve().parent / "data" / "audit"
CLEAN_TAB = AUDIT_DATA / "clean_tab.txt"
CLEAN_CELLS = AUDIT_DATA / "clean_cells.txt"
FLAWED_TAB = AUDIT_DATA / "flawed_tab.txt"


@pytest.fixture(scope="module")
def clean() -> Project:
    """A realistic, correct table in the TAB layout (2021 form)."""
    return parse_file(CLEAN_TAB).projects[0]


@pytest.fixture(scope="module")
def clean_cells() -> Project:
    """A realistic, correct table in the one-cell-per-line layout (2022 form)."""
    return parse_file(CLEAN_CELLS).projects[0]


@pytest.fixture(scope="module")
def flawed() -> list[Finding]:
    return run_audit(parse_file(FLAWED_TAB).projects)


@pytest.fixture(scope="module")
def sample_findings(sample) -> list[Finding]:
    return run_audit(sample.projects)


def ids(findings: list[Finding]) -> set[str]:
    return {f.rule_id for f in findings}


def fired(rule_id: str, projects: list[Project]) -> list[Finding]:
    return [f for f in run_audit(projects) if f.rule_id == rule_id]


def with_row(p: Project, n: int, **cells) -> Project:
    """The project with indicator row n changed (value re-parsed when given)."""
    rows = list(p.indicators)
    if "value" in cells:
        cells.setdefault("parsed", parse_indicator_value(cells["value"]))
    rows[n] = replace(rows[n], **cells)
    return replace(p, indicators=tuple(rows))


# ---------------------------------------------------------------- the registry


def test_every_rule_has_a_chinese_title_a_severity_and_a_basis():
    assert len({r.id for r in ALL_RULES}) == len(ALL_RULES)
    for r in ALL_RULES:
        assert r.severity in ("错误", "警告", "提示")
        assert r.basis and any("\u4e00" <= c <= "\u9fff" for c in r.title)


def test_required_rules_are_implemented():
    families = {r.id.split(".")[0] for r in RULES}
    assert {f"R{n}" for n in (3, 4, 5, 6, 7, 8, 9, 10, 11, 18, 19, 20)} <= families


def test_unknown_severity_in_a_config_is_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[severity]\n"R3.1" = "严重"\n', encoding="utf-8")
    with pytest.raises(AuditError, match="严重"):
        load_config(bad).severity(RULES[1])


# ---------------------------------------------------------------- clean tables: no false alarm


@pytest.mark.parametrize("path", [CLEAN_TAB, CLEAN_CELLS], ids=["tab", "cells"])
def test_clean_table_has_no_findings(path):
    result = parse_file(path)
    assert len(result.projects) == 1 and len(result.projects[0].indicators) >= 6
    assert run_audit(result.projects) == []


def test_clean_tables_of_two_units_and_years_raise_nothing_together(clean, clean_cells):
    assert run_audit([clean, clean_cells]) == []


# ---------------------------------------------------------------- completeness (R1, R3)


def test_project_without_indicators_is_an_error(clean):
    hits = fired("R1.1", [replace(clean, indicators=())])
    assert [h.severity for h in hits] == ["错误"]


@pytest.mark.parametrize("goal, fires", [
    ("1.目标内容1", True), ("2.同上", True), ("3.无", True), ("1.目标内容2保障就业服务", True),
    ("1.全年完成职业技能培训1200人次", False), ("2.无障碍设施改造10处", False),
])
def test_placeholder_goals(clean, goal, fires):
    hits = fired("R3.1", [replace(clean, goals=(goal,))])
    assert bool(hits) is fires
    if fires:
        assert hits[0].value == goal and hits[0].span == clean.field_span("goals")


def test_missing_goals_are_reported(clean):
    assert fired("R3.1", [replace(clean, goals=())])[0].message == "未填写绩效目标"


def test_blank_value_and_name_are_reported_on_their_row(clean):
    p = with_row(clean, 2, value=None, parsed=None, level3=" ")
    assert [(f.rule_id, f.span.first_line) for f in run_audit([p]) if f.rule_id in ("R3.2", "R3.3")] == [
        ("R3.2", 15), ("R3.3", 15)]


def test_blank_plan_is_an_error(clean):
    blank = SpendingPlan(clean.spending_plan.labels, (None, None, None, None))
    assert [f.rule_id for f in run_audit([replace(clean, spending_plan=blank)])] == ["R3.4"]
    assert [f.rule_id for f in run_audit([replace(clean, spending_plan=None)])] == ["R3.4"]


@pytest.mark.parametrize("printed, message", [
    (("50.00%", "100.00%", None, None), "资金支出计划 10月底、12月底 未填写"),
    (("20.00%", "40.00%", "60.00%", "90.00%"), "资金支出计划截至12月底累计仅 90%，未达到 100%"),
])
def test_incomplete_plan(clean, printed, message):
    plan = SpendingPlan(clean.spending_plan.labels, printed)
    assert [f.message for f in fired("R3.5", [replace(clean, spending_plan=plan)])] == [message]


# ---------------------------------------------------------------- indicator tree (R4)


def test_missing_level1_category_is_an_error(clean):
    p = replace(clean, indicators=tuple(i for i in clean.indicators if not i.level1.startswith("满意度")))
    assert [(f.value, f.severity) for f in fired("R4.1", [p])] == [("满意度", "错误")]


def test_output_without_cost_rows_is_a_hint(clean):
    p = replace(clean, indicators=tuple(i for i in clean.indicators if i.level2 != "成本指标"))
    assert [(f.value, f.severity) for f in fired("R4.2", [p])] == [("成本", "提示")]


def test_too_few_indicators(clean):
    assert fired("R4.3", [replace(clean, indicators=clean.indicators[:2])])[0].value == "2"


# ---------------------------------------------------------------- quantification (R5)


def test_words_where_a_number_is_needed(clean):
    p = with_row(clean, 0, value="全面实施全民参保计划")
    assert [f.span.first_line for f in fired("R5.1", [p])] == [13]
    # the same words in a 社会效益 row are not required to be numbers
    assert fired("R5.1", [with_row(clean, 4, value="全面实施全民参保计划")]) == []


def test_number_without_unit(clean):
    assert [f.value for f in fired("R5.2", [with_row(clean, 4, value="≥85")])] == ["≥85"]


@pytest.mark.parametrize("value, hint", [("23人数", "，应为「人」"), ("≥80相关文件", ""), ("≥90完成比例", "")])
def test_unit_glued_to_a_word(clean, value, hint):
    hits = fired("R5.3", [with_row(clean, 0, value=value)])
    assert len(hits) == 1 and hits[0].message.endswith("（文字与数字粘连）" + hint)


@pytest.mark.parametrize("value", ["≥1200人次", "≤1000元", "≥90%", "≥80百分率", "≤15个工作日"])
def test_real_units_are_accepted(clean, value):
    assert fired("R5.3", [with_row(clean, 0, value=value)]) == []


# ---------------------------------------------------------------- relevance and copying (R6, R18)


def test_same_word_in_level3_description_and_value(clean):
    p = with_row(clean, 0, level3="数量", description="数量", value="数量")
    assert [f.message for f in fired("R6.1", [p])] == ["三级指标、指标描述与指标值都是「数量」，指标没有实际内容"]
    assert fired("R6.1", [with_row(clean, 0, description="培训人次")]) == []


def test_shifted_columns_in_the_flawed_fixture(flawed):
    hits = [f for f in flawed if f.rule_id == "R6.3"]
    assert [(f.project_code, f.span.first_line, f.span.last_line) for f in hits] == [
        ("13099921FLAWEDTAB0002", 30, 31)]


def test_one_repeated_description_is_not_a_shift(clean):
    p = with_row(clean, 1, level3=clean.indicators[0].description)
    assert fired("R6.3", [p]) == []


def _twin(p: Project, code: str, name: str, unit: str | None = None, year: int | None = None) -> Project:
    return replace(p, project_code=code, project_name=name, unit_code=unit or p.unit_code,
                   year=year or p.year, doc_refs=(), span=replace(p.span, first_line=p.span.first_line + 100))


def test_copied_table_in_an_unrelated_project_of_the_same_unit(clean):
    other = _twin(clean, "13099921TWIN000000001", "办公设备购置")
    hits = fired("R6.2", [clean, other])
    assert sorted(f.project_code for f in hits) == ["13099921CLEANTAB00001", "13099921TWIN000000001"]
    assert all("本单位" in f.message and "其他单位" not in f.message for f in hits)


def test_copied_table_across_units_says_so(clean):
    other = _twin(clean, "13099921TWIN000000002", "办公设备购置", unit="909009")
    assert all("其他单位" in f.message for f in fired("R6.2", [clean, other]))


def test_related_projects_may_share_a_table(clean):
    ref = DocRef("冀财社〔2021〕176号", "冀财社〔2021〕176号", "title", clean.span.first_line)
    a = replace(clean, doc_refs=(ref,))
    b = replace(_twin(clean, "13099921TWIN000000003", "省级补助资金第二批"), doc_refs=(ref,))
    assert fired("R6.2", [a, b]) == []


def test_same_table_next_year_in_the_same_unit_is_copied_across_years(clean):
    later = _twin(clean, "13099922NEXT000000001", "职业技能培训补贴", year=2022)
    hits = fired("R18.1", [clean, later])
    assert [(f.year, f.project_code) for f in hits] == [(2022, "13099922NEXT000000001")]
    assert fired("R6.2", [clean, later]) == []  # different years: not a same-year copy
    assert fired("R18.1", [clean, _twin(clean, "13099922NEXT000000002", "x", unit="909009", year=2022)]) == []


# ---------------------------------------------------------------- plausibility (R7, R11, R19)


@pytest.mark.parametrize("value, fires", [
    ("≥190%", True), ("1100%", True), ("≥195%", True), (">100%", True), ("≥1.95", True),
    ("100%", False), ("≥95%", False), ("≤120%", False), ("≥0.95", False),
])
def test_rate_above_100_percent(clean, value, fires):
    assert bool(fired("R7.1", [with_row(clean, 1, value=value)])) is fires


def test_growth_rates_may_exceed_100_percent(clean):
    p = with_row(clean, 1, level3="参保人数增长率", description="较上年增长率", value="≥150%")
    assert fired("R7.1", [p]) == []


def test_decimal_rate_message_explains_the_confusion(clean):
    msg = fired("R7.1", [with_row(clean, 1, value="≥1.95")])[0].message
    assert "195%" in msg and "小数与百分数混淆" in msg


def test_cumulative_plan_going_down(clean):
    plan = SpendingPlan(clean.spending_plan.labels, ("30%", "60%", "50%", "100%"))
    assert [f.message for f in fired("R7.2", [replace(clean, spending_plan=plan)])] == [
        "累计支出计划下降：6月底 60% → 10月底 50%"]


def test_budget_must_equal_fiscal_plus_other(clean):
    assert fired("R19.1", [replace(clean, other_wan=Decimal("10.00"))])[0].value == "120"
    assert fired("R19.1", [replace(clean, budget_wan=Decimal("100.00"), other_wan=None)]) == []


@pytest.mark.parametrize("budget, fiscal, other, n", [("0", "0", None, 1), ("-5", "-5", None, 2)])
def test_zero_or_negative_amounts(clean, budget, fiscal, n, other):
    p = replace(clean, budget_wan=Decimal(budget), fiscal_wan=Decimal(fiscal), other_wan=other)
    assert len(fired("R7.3", [p])) == n


@pytest.mark.parametrize("value, fires", [("≥80%", True), ("≥0.8", True), ("≥85%", False), ("≥90百分比", False),
                                          ("23人数", False), ("≥1.9", False)])
def test_satisfaction_floor(clean, value, fires):
    assert bool(fired("R11.1", [with_row(clean, 6, value=value)])) is fires


def test_satisfaction_floor_is_configurable(clean, tmp_path):
    cfg = tmp_path / "strict.toml"
    cfg.write_text('[satisfaction]\nfloor = 95\n[severity]\n"R11.1" = "警告"\n', encoding="utf-8")
    hits = [f for f in run_audit([clean], load_config(cfg)) if f.rule_id == "R11.1"]
    assert [(f.value, f.severity) for f in hits] == [("≥90%", "警告")]


def test_rules_can_be_disabled(clean, tmp_path):
    cfg = tmp_path / "off.toml"
    cfg.write_text('[rules]\ndisabled = ["R3.1"]\n', encoding="utf-8")
    assert run_audit([replace(clean, goals=("1.同上",))], load_config(cfg)) == []


def test_default_count_values(clean):
    assert [f.value for f in fired("R7.4", [with_row(clean, 0, value="1人次")])] == ["1人次"]


# ---------------------------------------------------------------- inputs, time, basis (R8, R9, R10, R20)


def test_funds_arrival_rate_is_not_an_output(clean):
    p = with_row(clean, 1, level3="资金到位率", description="财政资金到位的比例")
    assert [f.severity for f in fired("R10.1", [p])] == ["警告"]
    sat = with_row(clean, 6, level3="预算执行率")
    assert fired("R10.1", [sat]) == []  # only 产出 and 效益 rows are checked


def test_timeliness_outside_the_budget_year(clean):
    p = with_row(clean, 2, description="2014年10月-2018年12月")
    assert fired("R8.1", [p])[0].message == "时效指标写的是 2014、2018 年，不在预算年度 2021 年内"
    assert fired("R8.1", [with_row(clean, 2, description="2021年12月底前完成")]) == []


def test_blank_basis(clean):
    assert [f.span.first_line for f in fired("R9.1", [with_row(clean, 3, basis=None)])] == [16]


def test_vague_basis_on_every_row(clean):
    rows = tuple(replace(i, basis="依据相关政策") for i in clean.indicators)
    assert len(fired("R9.2", [replace(clean, indicators=rows)])) == 1
    assert fired("R9.2", [with_row(clean, 0, basis="相关政策")]) == []  # other rows are specific


def test_cited_document_of_an_unknown_issuer(clean):
    ref = DocRef("某某字〔2021〕9号", "某某字[2021]9号", "basis", 14)
    hits = fired("R20.1", [replace(clean, basis_refs=(ref,))])
    assert [(f.value, f.span.first_line, f.field) for f in hits] == [("某某字〔2021〕9号", 14, "指标值确定依据")]


def test_cited_document_later_than_the_budget_year(clean):
    ref = DocRef("冀人社字〔2023〕5号", "冀人社字〔2023〕5号", "basis", 14)
    assert [f.value for f in fired("R20.2", [replace(clean, basis_refs=(ref,))])] == ["冀人社字〔2023〕5号"]


# ---------------------------------------------------------------- the flawed fixture, parsed


def test_flawed_fixture_findings_by_rule(flawed):
    assert {r: n for r, _, _, n in summarize(flawed)} == {
        "R3.1": 2, "R3.4": 1, "R3.5": 1, "R4.2": 1, "R5.2": 1, "R5.3": 1, "R6.1": 1, "R6.3": 1,
        "R7.1": 2, "R7.2": 1, "R9.2": 1, "R11.1": 1, "R19.1": 1}


def test_every_finding_points_at_source_lines(flawed, sample_findings):
    for f in flawed + sample_findings:
        assert f.span.file and 1 <= f.span.first_line <= f.span.last_line
        assert f.location.startswith(f.span.file + ":")


# ---------------------------------------------------------------- the sample document


def test_sample_placeholder_goals_are_the_2022_template_tables(sample_findings):
    hits = [f for f in sample_findings if f.rule_id == "R3.1" and "目标内容" in f.value]
    assert len(hits) == 11 and {f.year for f in hits} == {2022}
    assert {f.project_code for f in hits} >= {"13073022P00817010003J", "13073022P00K1Q3100027",
                                             "13073022P00818310001K"}
    same_as_above = {f.project_code for f in sample_findings if f.rule_id == "R3.1" and f.value.endswith("同上")}
    assert same_as_above == {"13073021A10HXCO261B4V", "13073021XSNQ6GTAT4G0A"}


def test_sample_rates_above_100_percent(sample_findings):
    rural = [f.value for f in sample_findings
             if f.rule_id == "R7.1" and f.project_code == "13073022P009FJ510002R"]
    assert rural == ["1100%", "≥195%", "≥190%", "≥190%"]
    decimals = [f for f in sample_findings if f.rule_id == "R7.1" and f.value.startswith("≥1.")]
    assert {f.project_code for f in decimals} == {"13073022P007920100026", "13073022P007772100026"}
    assert len([f for f in sample_findings if f.rule_id == "R7.1"]) == 21


def test_sample_blank_and_partial_spending_plans(sample_findings):
    blank = [(f.year, f.project_code) for f in sample_findings if f.rule_id == "R3.4"]
    assert blank == [(2021, "13073021ZW3NT2UCNRPF5")]
    partial = [f for f in sample_findings if f.rule_id == "R3.5"]
    assert [(f.project_code, f.value) for f in partial] == [
        ("130730217PAWFM4AHI9PZ", "3月底50.00%，6月底100.00%，10月底空，12月底空")]


def test_sample_glued_units_and_copied_tables(sample_findings):
    glued = {f.value for f in sample_findings if f.rule_id == "R5.3"}
    assert {"23人数", "≥80相关文件"} <= glued
    copies = sorted(f.project_code for f in sample_findings if f.rule_id == "R6.2")
    assert copies == ["13073021A10HXCO261B4V", "13073021KEBA9DBGSSA6G"]


def test_sample_shifted_columns_in_a_2021_table(sample_findings):
    hits = [f for f in sample_findings if f.rule_id == "R6.3"]
    assert [(f.year, f.project_code, f.span.first_line, f.span.last_line) for f in hits] == [
        (2021, "130730213QTTW95ZBZSQ9", 25, 27)]


def test_sample_summary(sample_findings):
    counts = {r: n for r, _, _, n in summarize(sample_findings)}
    assert counts["R3.1"] == 15 and counts["R6.1"] == 13 and counts["R10.1"] == 8
    assert "R19.1" not in counts and "R20.1" not in counts  # amounts add up; every issuer is known


# ---------------------------------------------------------------- storage, export, graph, CLI


def test_findings_round_trip_through_the_build_dir(tmp_path, sample_findings):
    counts = write_findings(sample_findings, tmp_path)
    assert counts["findings"] == len(sample_findings) == counts["错误"] + counts["警告"] + counts["提示"]
    assert load_findings(load_settings(), build_dir=tmp_path) == sample_findings


def test_load_findings_without_an_audit_says_so(tmp_path):
    with pytest.raises(AuditError, match="no audit findings"):
        load_findings(load_settings(), build_dir=tmp_path)


def test_filters(sample_findings):
    assert {f.rule_id for f in filter_findings(sample_findings, rule="R7")} <= {"R7.1", "R7.2", "R7.3", "R7.4"}
    errors_2021 = filter_findings(sample_findings, year=2021, severity="错误", unit="316007")
    assert errors_2021 and all(f.year == 2021 and f.unit_code == "316007" for f in errors_2021)
    with pytest.raises(AuditError):
        filter_findings(sample_findings, severity="fatal")


def test_xlsx_export_has_chinese_headers(tmp_path, flawed):
    path = export_findings_xlsx(flawed, tmp_path / "审核.xlsx")
    wb = load_workbook(path)
    rows = list(wb["问题清单"].iter_rows(values_only=True))
    assert rows[0][:3] == ("严重程度", "规则", "规则名称") and len(rows) == len(flawed) + 1
    assert ("R7.1", "比率指标超过100%", "错误", 2) in list(wb["汇总"].iter_rows(values_only=True))


def _finding_graph(projects: list[Project], findings: list[Finding]):
    from rdflib import Graph

    w = Writer()
    lines = list(w.drain(write_findings_triples(w, findings, projects, ALL_RULES)))
    return lines, Graph().parse(data="".join(lines), format="nt")


def test_findings_are_in_the_graph(flawed):
    from rdflib import RDF, Literal

    from kg.namespace import HK

    projects = parse_file(FLAWED_TAB).projects
    lines, g = _finding_graph(projects, flawed)
    assert lines == _finding_graph(projects, flawed)[0]  # deterministic IRIs
    assert len(lines) == len(set(lines))  # each triple once
    rows = g.query("""PREFIX hk: <https://w3id.org/hrss-kg/>
        SELECT ?p ?sev WHERE { ?f hk:rule ?r ; hk:aboutProject ?p . ?r <http://purl.org/dc/terms/identifier> "R7.2" ;
                               hk:severity ?sev }""")
    assert [(str(r.p), str(r.sev)) for r in rows] == [(iri.plain(iri.project(iri.project_key(projects[0]))), "错误")]
    assert len(set(g.subjects(HK.rule, None))) == len(flawed)
    assert set(g.subjects(RDF.type, HK.Finding)) == set()  # a finding is one by the domain of hk:rule
    assert set(g.objects(None, HK.severity)) <= {Literal(s) for s in ("错误", "警告", "提示")}
    assert not any((f, HK.severity, None) in g for f in g.subjects(HK.rule, None))  # all as their rules'


def test_a_finding_states_its_own_severity_and_field_only_where_they_differ_from_its_rule_s(flawed):
    projects = parse_file(FLAWED_TAB).projects
    r72 = next(f for f in flawed if f.rule_id == "R7.2")
    odd = replace(r72, severity="提示", field="其他字段", message="另一条")
    _, g = _finding_graph(projects, [*flawed, odd])
    rows = g.query("""PREFIX hk: <https://w3id.org/hrss-kg/>
        SELECT ?msg ?sev ?field WHERE { ?f hk:rule ?r ; hk:message ?msg . ?r <http://purl.org/dc/terms/identifier> "R7.2" ;
            hk:severity ?rule_sev ; hk:field ?rule_field .
            OPTIONAL { ?f hk:severity ?own_sev } OPTIONAL { ?f hk:field ?own_field }
            BIND(COALESCE(?own_sev, ?rule_sev) AS ?sev) BIND(COALESCE(?own_field, ?rule_field) AS ?field) }
        ORDER BY ?msg""")
    assert sorted((str(r.msg), str(r.sev), str(r.field)) for r in rows) == sorted([
        (r72.message, "错误", r72.field), ("另一条", "提示", "其他字段")])


def test_cli_without_a_build_says_so(tmp_path):
    result = CliRunner().invoke(cli, ["audit", "--indexes", str(tmp_path / "none")])
    assert result.exit_code == 1 and "尚未构建索引" in result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A published build holding the records and the audit of the sample (other steps left out)."""
    import pickle

    from kg.workspace import RECORDS_FILE, Workspace

    idx = tmp_path_factory.mktemp("idx")
    corpus = load_corpus([Path(__file__).resolve().parent.parent / "data"])
    ws = Workspace(idx)
    out = ws.new_build()
    (out / RECORDS_FILE).write_bytes(pickle.dumps(corpus))
    write_findings(run_audit(corpus.projects), out)
    ws.publish(out)
    return idx


def test_cli_summary_and_filters(built, tmp_path):
    r = CliRunner().invoke(cli, ["audit", "--indexes", str(built), "--rule", "R3.4", "--json"])
    assert r.exit_code == 0
    assert [(f["project_code"], f["source"]["lines"]) for f in json.loads(r.output)] == [
        ("13073021ZW3NT2UCNRPF5", [374, 374])]
    r = CliRunner().invoke(cli, ["audit", "--indexes", str(built), "--summary", "--year", "2022",
                                 "--severity", "错误", "--xlsx", str(tmp_path / "a.xlsx")])
    assert r.exit_code == 0 and "R7.1" in r.output and "R3.4" not in r.output
    assert (tmp_path / "a.xlsx").exists()


def test_cli_reruns_the_audit_with_another_config(built, tmp_path):
    cfg = tmp_path / "floor.toml"
    cfg.write_text("[satisfaction]\nfloor = 80\n", encoding="utf-8")
    base = CliRunner().invoke(cli, ["audit", "--indexes", str(built), "--rule", "R11.1", "--json"])
    low = CliRunner().invoke(cli, ["audit", "--indexes", str(built), "--rule", "R11.1", "--json",
                                   "--config", str(cfg)])
    assert len(json.loads(base.output)) == 7 and json.loads(low.output) == []


def test_cli_lists_the_rules():
    r = CliRunner().invoke(cli, ["audit", "--rules", "--json"])
    assert [x["id"] for x in json.loads(r.output)] == [r.id for r in ALL_RULES]


def test_finding_messages_and_labels_carry_chinese_language_tags(flawed):
    from rdflib import RDFS, Literal, URIRef

    from kg.namespace import HK

    _, g = _finding_graph(parse_file(FLAWED_TAB).projects, flawed)
    messages = {str(m): m.language for m in g.objects(None, HK.message)}
    assert messages["预算数 50 万元 ≠ 财政资金 40 + 其他资金 5 = 45 万元"] == "zh"
    assert set(g.objects(URIRef(iri.plain(iri.rule("R7.1"))), RDFS.label)) == {Literal("比率指标超过100%", lang="zh")}


def test_findings_alike_share_one_message_string(sample_findings):
    """A province has findings by the hundred thousand: equal messages are one object in memory."""
    by_message: dict[str, list[Finding]] = {}
    for f in sample_findings:
        by_message.setdefault(f.message, []).append(f)
    repeated = [fs for fs in by_message.values() if len(fs) > 1]
    assert len(repeated) >= 3
    assert all(f.message is fs[0].message for fs in repeated for f in fs)

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from bench.parse_speed import CASES as SPEED_CASES
from bench.parse_speed import measure
from conftest import DATA
from ingest import IndicatorValue, parse_file, parse_text
from ingest.values import parse_indicator_value

D = Decimal


def test_sample_has_20_projects_in_2021_and_24_in_2022(sample):
    assert Counter(p.year for p in sample.projects) == {2021: 20, 2022: 24}


def test_sample_indicator_counts_per_year(sample):
    per_year = Counter()
    for p in sample.projects:
        per_year[p.year] += len(p.indicators)
    assert per_year == {2021: 102, 2022: 157}


@pytest.mark.parametrize("code, budget, fiscal, other", [
    # TAB-separated layout (2021)
    ("130730213QTTW95ZBZSQ9", "10.00", "10.00", "0"),
    ("130730217WMUWG5ZGTL8N", "40.00", "40.00", "0"),
    ("13073021G4UZ6UPSBZHFU", "268.87", "268.87", "0"),
    ("13073021DW40F1G4N2XBW", "1381.00", "1381.00", "0"),
    ("13073021IYO89L3FUDICF", "5660.00", "5660.00", "0"),
    ("13073021X05CXO1QRLOD1", "38.00", "38.00", "0"),
    ("13073021XSNQ6GTAT4G0A", "2107.00", "2107.00", "0"),
    ("13073021ZW3NT2UCNRPF5", "2100.00", "2100.00", "0"),
    # one cell per line (2022): 其他资金 printed blank
    ("13073022P00817010003J", "50.00", "50.00", None),
    ("13073022P00816910002T", "3.66", "3.66", None),
    ("13073022P00801810001M", "792.00", "792.00", None),
    ("13073022P00817910001E", "4300.00", "4300.00", None),
    ("13073022P008508100015", "0.99", "0.99", None),
    ("13073022P007772100026", "5906.00", "5906.00", None),
    ("13073022P008368100011", "1384.00", "1384.00", None),
    ("13073022P00836810002L", "44.00", "44.00", None),
])
def test_amounts_are_exactly_as_printed(sample_projects, code, budget, fiscal, other):
    p = sample_projects[code]
    assert (p.budget_wan, p.fiscal_wan, p.other_wan) == (D(budget), D(fiscal), other and D(other))
    assert str(p.budget_wan) == budget  # the printed scale is kept: "10.00", not "10"


def test_unit_and_heading_fields(sample_projects):
    p = sample_projects["13073021EGXVXST33UYPQ"]
    assert (p.year, p.seq, p.unit_code, p.unit_name) == (2021, "11", "316005", "怀来县就业服务中心")
    assert p.title == "冀财社[2020]186号关于提前下达2021年省级就业补助资金预算指标的通知绩效目标表"
    assert p.project_name == "冀财社[2020]186号关于提前下达2021年省级就业补助资金预算指标的通知"
    q = sample_projects["13073022P00817010003J"]
    assert q.title == "[13073022X000010998170]怀财资【2022】7号 办案及业务经费绩效目标表"
    assert q.project_name == "[13073022X000010998170]怀财资【2022】7号 办案及业务经费"
    assert (q.seq, q.unit_code, q.unit_name) == ("1", "316001", "怀来县人力资源和社会保障局")


def test_unit_row_glued_with_a_comma_still_gives_code_and_name(sample_projects):
    p = sample_projects["13073021A10HXCO261B4V"]  # "316007社会保险事业中心、单位：万元"
    assert (p.unit_code, p.unit_name) == ("316007", "社会保险事业中心")


def test_table_numbers_are_kept_as_printed(sample):
    seqs_2021 = [p.seq for p in sample.projects if p.year == 2021]
    assert seqs_2021[:10] == ["1", "2", "3", "4", "5", "6", "7", "11", "8", "9"]
    untitled = [p for p in sample.projects if p.title is None]
    assert [(p.seq, p.project_code) for p in untitled] == [("9", "13073021KDK8ROKRWF0VR")]


def test_continuation_rows_inherit_level1(sample_projects):
    rows = [(i.level1, i.level2, i.level3, i.description, i.value, i.basis)
            for i in sample_projects["130730213QTTW95ZBZSQ9"].indicators]
    assert rows == [
        ("产出指标", "数量指标", "就业率", "学历验证率", "≥80百分率", "相关人才管理政策"),
        ("产出指标", "质量指标", "学历验证率", "求职信息提供率", "≥80百分率", "相关人才管理政策"),
        ("产出指标", "成本指标", "求职信息提供率", "为招聘单位提供信息率", "≥80百分率", "相关人才管理政策"),
        ("效益指标", "社会效益指标", "为招聘单位提供信息率", "信息提供量", "≥80百分率", "相关人才管理政策"),
        ("满意度指标", "服务对象满意度指标", "社会满意度", "社会满意度", "≥80百分率", "相关人才管理政策"),
    ]
    assert [i.span.first_line for i in sample_projects["130730213QTTW95ZBZSQ9"].indicators] == [
        24, 25, 26, 27, 28]


def test_joined_level_cell_is_split_when_the_intent_is_clear(sample_projects):
    ind = sample_projects["130730214AGM5M82WM4L8"].indicators[3]
    assert (ind.level1, ind.level2, ind.level3, ind.description, ind.value, ind.basis) == (
        "效益指标", "经济效益指标", "基本生活保障", "服务对象满意度", "≥90完成比例", "相关政策文件")
    assert ind.repaired


def test_malformed_row_keeps_what_is_clear_and_warns(sample, sample_projects):
    ind = sample_projects["13073021A10HXCO261B4V"].indicators[3]
    assert (ind.level1, ind.level2, ind.level3, ind.description, ind.value, ind.basis) == (
        "效益指标", "经济效益指标", "经济效益", None, None, "依据相关政策")
    messages = [str(d) for d in sample.diagnostics]
    assert any(m.endswith(":213: malformed indicator row: cell '效益指标、经济效益指标、经济效益' held "
                          "several levels and description, value are missing; kept what is clear")
               for m in messages)


def test_cell_layout_rows_with_blank_first_cell_inherit_level1(sample_projects):
    rows = [(i.level1, i.level2, i.level3, i.value) for i in sample_projects["13073022P00K1Q3100027"].indicators]
    assert rows == [
        ("产出指标", "数量指标", "完成率", ">90百分之"),
        ("产出指标", "质量指标", "完成率", ">90百分之"),
        ("产出指标", "时效指标", "完成率", ">90百分之"),
        ("产出指标", "成本指标", "完成率", ">90百分之"),
        ("效益指标", "经济效益指标", "完成率", "≥90百分之"),
        ("效益指标", "社会效益指标", "完成率", "≥90百分之"),
        ("效益指标", "可持续影响指标", "完成率", "≥90百分之"),
        ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90百分之"),
    ]


def test_impossible_values_are_kept_as_printed_and_parsed(sample_projects):
    values = [(i.value, i.parsed) for i in sample_projects["13073022P009FJ510002R"].indicators]
    assert values[1] == ("1100%", IndicatorValue(None, D("1100"), "%"))
    assert values[2] == ("≥195%", IndicatorValue("≥", D("195"), "%"))
    assert values[4] == ("≥190%", IndicatorValue("≥", D("190"), "%"))


def test_blank_basis_cell_is_null_not_empty(sample_projects):
    assert {i.basis for i in sample_projects["13073022P000DP010003E"].indicators} == {None}


@pytest.mark.parametrize("code, printed", [
    ("130730213QTTW95ZBZSQ9", ("20.00%", "40.00%", "70.00%", "100.00%")),
    ("130730217PAWFM4AHI9PZ", ("50.00%", "100.00%", None, None)),  # partly blank
    ("13073021ZW3NT2UCNRPF5", (None, None, None, None)),  # the plan row is blank
    ("13073022P00817010003J", ("30%", "50%", "80%", "100%")),
    ("13073022P009FJ510002R", ("25%", "50%", "75%", "100%")),
])
def test_spending_plans_as_printed(sample_projects, code, printed):
    plan = sample_projects[code].spending_plan
    assert plan.labels == ("3月底", "6月底", "10月底", "12月底")
    assert plan.printed == printed


def test_blank_plan_serialises_as_null(sample_projects):
    assert sample_projects["13073021ZW3NT2UCNRPF5"].to_json()["spending_plan"] is None
    assert sample_projects["130730217PAWFM4AHI9PZ"].to_json()["spending_plan"] == {
        "3月底": "50.00%", "6月底": "100.00%", "10月底": None, "12月底": None}


def test_goals_are_kept_as_printed(sample_projects):
    assert sample_projects["13073021A10HXCO261B4V"].goals == (
        "1.为新增的三名退伍兵发放工资", "2.支付单位日常开支", "3.同上")
    assert sample_projects["13073022P00818310001K"].goals == (
        "1.目标内容1提升就业服务水平，促进更多就业困难人员就业。",)


def test_doc_refs_per_year(sample):
    refs = Counter()
    for p in sample.projects:
        for d in p.doc_numbers:
            refs[(p.year, d)] += 1
    assert refs == {
        (2021, "冀财社〔2020〕186号"): 1, (2021, "冀财社〔2020〕185号"): 2, (2021, "冀财社〔2020〕190号"): 1,
        (2021, "冀财社〔2020〕143号"): 1, (2022, "怀财资〔2022〕7号"): 17, (2022, "冀财社〔2021〕153号"): 1,
        (2022, "冀财社〔2021〕135号"): 1, (2022, "冀财社〔2021〕176号"): 2,
    }


def test_doc_refs_remember_field_raw_spelling_and_line(sample_projects):
    refs = sample_projects["13073022P00818310001K"].doc_refs
    assert [(r.field, r.raw, r.line) for r in refs] == [
        ("title", "怀财资【2022】7号", 1304), ("project_name", "怀财资【2022】7号", 1311),
        ("purpose", "怀财资[2022]7号", 1322)]


def test_basis_column_documents_are_kept_apart(sample_projects):
    basis = {r.canonical for r in sample_projects["13073022P00817510001P"].basis_refs}
    assert basis == {"张人社字〔2020〕69号", "冀社险〔2021〕15号", "冀人社字〔2021〕222号"}
    assert sample_projects["13073022P00817510001P"].doc_numbers == ("怀财资〔2022〕7号",)


def test_project_spans_cover_heading_to_last_indicator(sample_projects):
    assert sample_projects["130730213QTTW95ZBZSQ9"].span.to_json() == {
        "file": "000_61c5a3a787465ec8.txt", "lines": [13, 28]}
    assert sample_projects["13073022P00817010003J"].span.to_json() == {
        "file": "000_61c5a3a787465ec8.txt", "lines": [453, 537]}


def test_narrative_sections_with_headings_and_lines(sample):
    by_section = Counter(n.section for n in sample.narrative)
    assert by_section == {"总体绩效目标": 7, "工作保障措施": 31}
    item = next(n for n in sample.narrative if n.heading == "推动实施就业促进工程")
    assert (item.parent, item.year, item.span.first_line, item.span.last_line) == (
        "全面提升就业服务水平", 2021, 392, 393)
    assert sample.narrative[0].heading == "强化学习，深入学习贯彻落实党的十九大精神"


def test_tab_layout_fixture(tmp_path):
    r = parse_file(DATA / "tab_layout.txt")
    a, b = r.projects
    assert (a.year, a.unit_code, a.project_code, a.budget_wan, a.fiscal_wan, a.other_wan) == (
        2023, "401002", "13068123A1B2C3D4E5F6G", D("120.50"), D("100.50"), D("20.00"))
    assert a.doc_numbers == ("冀财社〔2022〕88号",)
    assert a.spending_plan.printed == ("10.00%", "40.00%", None, None)
    assert [i.level1 for i in a.indicators] == ["产出指标", "产出指标", "效益指标", "满意度指标"]
    assert b.doc_numbers == ("涿财资〔2023〕12号",)
    assert [n.heading for n in r.narrative] == ["稳定就业，全面落实就业优先政策", "织密社会保障网", "加强组织领导"]


def test_repeated_cells_are_held_once(sample):
    """A province's records stay small: a cell printed in many tables is one string in memory, and
    the records carry no per-instance dict."""
    first, *rest = [i for p in sample.projects for i in p.indicators if i.level1 == "产出指标"]
    assert len(rest) > 50
    assert all(i.level1 is first.level1 for i in rest)
    units = {id(p.unit_name) for p in sample.projects if p.unit_name == sample.projects[0].unit_name}
    assert len(units) == 1
    assert not hasattr(first, "__dict__") and not hasattr(first.span, "__dict__")


def test_records_come_back_from_a_pickle_equal_and_still_frozen(sample):
    import dataclasses
    import pickle

    back = pickle.loads(pickle.dumps(sample.projects, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == sample.projects
    assert back[0].indicators[0].span == sample.projects[0].indicators[0].span
    assert back[0].budget_wan == sample.projects[0].budget_wan and back[0].spending_plan.printed
    with pytest.raises(dataclasses.FrozenInstanceError):
        back[0].indicators[0].level1 = "x"  # type: ignore[misc]


def test_a_cell_s_parse_is_remembered_only_for_short_texts():
    from ingest.memo import SHORT_TEXT, remembered

    calls = []

    @remembered(maxsize=8)
    def length(text):
        calls.append(text)
        return len(text or "")

    long = "一" * (SHORT_TEXT + 1)
    assert [length("≥95%"), length("≥95%"), length(long), length(long), length(None)] == [4, 4, SHORT_TEXT + 1,
                                                                                       SHORT_TEXT + 1, 0]
    assert calls == ["≥95%", long, long, None]
    # labels keep a lower limit (ingest.rows.LABEL_CHARS): a long cell is normalised every time
    from ingest.rows import LABEL_CHARS, norm_label

    cell = "其中：财政 资金" + " 说明" * LABEL_CHARS
    assert norm_label(cell) == "其中:财政资金" + "说明" * LABEL_CHARS
    assert norm_label("其中：财政    资金") == "其中:财政资金"
    assert parse_indicator_value("≥95%") is parse_indicator_value("≥95%")


def test_cell_layout_fixture():
    r = parse_file(DATA / "cell_layout.txt")
    a, b = r.projects
    assert (a.year, a.unit_code, a.unit_name, a.budget_wan, a.other_wan) == (
        2024, "401004", "涿州市劳动保障监察大队", D("15.00"), None)
    assert a.doc_numbers == ("涿财资〔2024〕3号",)
    assert [(i.level1, i.level2) for i in a.indicators][:2] == [("产出指标", "数量指标"), ("产出指标", "质量指标")]
    assert b.spending_plan.is_blank
    assert b.goals == ("1.仲裁结案率达到90%", "2.群众满意")
    assert r.diagnostics == []


@pytest.mark.parametrize("text, op, number, unit", [
    ("≥80百分率", "≥", "80", "百分率"), (">90百分之", ">", "90", "百分之"), ("1100%", None, "1100", "%"),
    ("≥1.95", "≥", "1.95", None), ("23人数", None, "23", "人数"), ("≤1上访率", "≤", "1", "上访率"),
    ("不低于90%", "≥", "90", "%"), ("＜５%", "<", "5", "%"),
])
def test_indicator_values_parse(text, op, number, unit):
    assert parse_indicator_value(text) == IndicatorValue(op, D(number), unit)


@pytest.mark.parametrize("text", ["数量", "全面实施全民参保计划", "", None])
def test_values_without_a_number_do_not_parse(text):
    assert parse_indicator_value(text) is None


def test_national_template_variant_labels_and_five_column_indicator_table():
    r = parse_file(DATA / "template_variants.txt")
    (p,) = r.projects
    assert (p.year, p.seq, p.unit_code, p.unit_name) == (2025, "1", "401003", "涿州市人才服务中心")
    assert (p.project_code, p.project_name) == ("13068125ABCDEF1234567", "就业见习补贴")
    assert (p.budget_wan, p.fiscal_wan, p.other_wan) == (D("60.00"), D("50.00"), D("10.00"))
    assert p.spending_plan.labels == ("一季度", "二季度", "三季度", "四季度")
    assert p.spending_plan.percents == (D("25"), D("50"), D("75"), D("100"))
    assert p.goals == ("1.组织见习岗位100个", "2.见习留用率不低于30%")
    assert [(i.level1, i.level2, i.level3, i.description, i.value) for i in p.indicators] == [
        ("产出指标", "数量指标", "见习岗位数", None, "≥100个"),
        ("产出指标", "质量指标", "见习留用率", None, "≥30%"),
        ("效益指标", "社会效益指标", "高校毕业生就业率", None, "≥90%"),
        ("满意度指标", "服务对象满意度指标", "见习人员满意度", None, "≥90%"),
    ]
    assert r.diagnostics == []


def test_cell_running_over_two_lines_stays_one_cell(tmp_path):
    text = (DATA / "cell_layout.txt").read_text(encoding="utf-8").replace(
        "\t全年检查用人单位户数\n", "\t全年检查用人单位户数\n（含个体工商户）\n")
    path = tmp_path / "wrapped.txt"
    path.write_text(text, encoding="utf-8")
    r = parse_file(path)
    first = r.projects[0].indicators[0]
    assert first.description == "全年检查用人单位户数\n（含个体工商户）"
    assert (first.value, first.basis) == ("≥200户", "年度计划")
    assert first.span.last_line == first.span.first_line + 6
    assert len(r.projects[0].indicators) == 4 and r.diagnostics == []


def test_goals_cell_with_line_breaks_gives_one_goal_per_line():
    r = parse_file(DATA / "cell_multiline.txt")
    assert r.projects[1].goals == ("1.仲裁结案率达到90%", "2.群众满意度达到85%")


# --- linear time: each shape that used to be quadratic, against the same bytes of ordinary text -----

@pytest.fixture(scope="module")
def floor_seconds():
    """Parse time of ordinary text (the sample repeated), per size, measured once in this run."""
    return {}


@pytest.mark.parametrize("case", sorted(SPEED_CASES))
def test_hostile_shapes_parse_within_20x_of_ordinary_text(case, floor_seconds):
    size, took, floor = measure(case, floor_seconds)
    # A 5 MB line / 2 MB cell: the quadratic versions took hours; linear ones stay near the floor.
    assert took <= 20 * max(floor, 0.05), f"{case}: {took:.2f} s for {size:,} bytes, floor {floor:.2f} s"


def test_numbered_heading_with_64000_spaces_is_one_paragraph_and_the_tables_load():
    # Took 25 s before (a lazy title followed by \s*$); now a plain narrative paragraph.
    tab = (DATA / "tab_layout.txt").read_text(encoding="utf-8")
    line = "一、a" + " " * 64_000 + "b"
    r = parse_text(tab.replace("二、织密社会保障", line + "\n二、织密社会保障", 1), "h.txt")
    assert [(p.project_code, p.budget_wan) for p in r.projects] == [
        ("13068123A1B2C3D4E5F6G", D("120.50")), ("13068123Q9W8E7R6T5Y4U", D("36.00"))]
    item = next(n for n in r.narrative if n.text.startswith("a "))
    assert (item.section, item.heading, item.text, item.span.first_line) == ("总体绩效目标", None, line[2:], 5)


def test_purpose_cell_over_100000_lines_is_kept_whole():
    # A cell running on over many lines (1.8 MB) took 103 s: each line was appended by copying the cell.
    cells = (DATA / "cell_layout.txt").read_text(encoding="utf-8")
    extra = "\n".join(f"第{i}行用途说明" for i in range(100_000))
    r = parse_text(cells.replace("开展劳动保障监察执法\n", f"开展劳动保障监察执法\n{extra}\n", 1), "c.txt")
    p = r.projects[0]
    assert (p.project_code, p.budget_wan, p.fiscal_wan) == ("13068124P00000000001A", D("15.00"), D("15.00"))
    assert p.purpose == "根据涿财资[2024]3号，开展劳动保障监察执法\n" + extra
    assert p.doc_numbers[:1] == ("涿财资〔2024〕3号",)
    assert len(r.projects) == len(parse_text(cells, "c.txt").projects)

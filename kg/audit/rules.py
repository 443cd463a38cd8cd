"""The review rules (R1–R20 of the 绩效目标审核 survey) as data: one small check per rule.

Every check gets all projects at once and yields `Hit`s; rules that compare projects (copied tables,
copies across years) group them by a hash of their indicator rows, so the cost stays linear.
Thresholds and word lists come from config.toml; nothing here knows a particular document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

from ingest.docnumber import find_doc_numbers, issuer_info
from ingest.records import Indicator, Project, SourceSpan
from kg.audit.copies import copied_across_years, copied_tables, indicator_rows_hash
from kg.audit.helpers import (
    blank, each_indicator, each_project, indicator_label, is_rate, norm, num, printed, row_hit, row_text,
    span_of, starts,
)
from kg.audit.model import AuditConfig, Hit, Rule

__all__ = ["RULES", "LINEAGE_RULES", "ALL_RULES", "rule", "rules_by_id", "indicator_rows_hash"]

B88_COMPLETE = "财预〔2015〕88号 第三章 审核（完整性）"
B88_INDICATORS = "财预〔2015〕88号 第二章 绩效指标；中发〔2018〕34号"
B88_QUANT = "财预〔2015〕88号 第二章 绩效目标要求（细化量化）"
B88_RELEVANT = "财预〔2015〕88号 第三章 审核（相关性）"
B88_APPROPRIATE = "财预〔2015〕88号 第三章 审核（适当性）"
B88_FEASIBLE = "财预〔2015〕88号 第三章 审核（可行性）"
B88_STANDARD = "财预〔2015〕88号 第二章 绩效标准"
B88_MATCH = "财预〔2015〕88号 绩效目标要求（相应匹配）"
COMMON = "常识"

_NUMBERING = re.compile(r"^\s*[(（]?\s*[0-9０-９一二三四五六七八九十]+\s*[.．、)）]\s*")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# A stray word after the number that still reads as a share ("完成比例", "满意度").
_RATE_ENDINGS = ("率", "度", "比", "比例")


# --- R1, R3: completeness --------------------------------------------------------------------------

@each_project
def no_indicators(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """A project with a budget has no indicator rows."""
    if not p.indicators:
        yield Hit(p, "绩效指标", "", "项目有预算但没有任何绩效指标", p.span)


@each_project
def placeholder_goals(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """绩效目标 missing, or an item that is a placeholder (同上, 无) or template text (目标内容1)."""
    if not any(norm(g) for g in p.goals):
        yield Hit(p, "绩效目标", "", "未填写绩效目标", p.field_span("goals"))
        return
    words = set(cfg.words("goals", "placeholders"))
    patterns = [re.compile(t) for t in cfg.words("goals", "template_patterns")]
    for g in p.goals:
        body = _NUMBERING.sub("", g).strip()
        if norm(body) in words or not norm(body):
            yield Hit(p, "绩效目标", g, f"绩效目标「{g}」是占位文字，没有实际内容", p.field_span("goals"))
        elif any(pat.search(body) for pat in patterns):
            rest = next(pat.sub("", body, count=1) for pat in patterns if pat.search(body)).strip()
            what = "保留了模板占位文字" if rest else "是模板占位文字，没有实际内容"
            yield Hit(p, "绩效目标", g, f"绩效目标「{g}」{what}", p.field_span("goals"))


@each_indicator
def blank_value(p: Project, ind: Indicator, cfg: AuditConfig) -> Hit | None:
    """An indicator row without 指标值."""
    if blank(ind.value):
        return row_hit(p, ind, "指标值", "", f"指标「{indicator_label(ind)}」未填写指标值")
    return None


@each_indicator
def blank_name(p: Project, ind: Indicator, cfg: AuditConfig) -> Hit | None:
    """An indicator row without a level-3 name."""
    if blank(ind.level3):
        return row_hit(p, ind, "三级指标", "", "指标行未填写三级指标名称")
    return None


@each_project
def blank_plan(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """资金支出计划 left blank."""
    if p.spending_plan is None or p.spending_plan.is_blank:
        yield Hit(p, "资金支出计划", "", "资金支出计划未填写", p.field_span("plan"))


def _plan_text(p: Project) -> str:
    plan = p.spending_plan
    if plan is None:
        return ""
    return "，".join(f"{lab}{val or '空'}" for lab, val in zip(plan.labels, plan.printed, strict=True))


@each_project
def incomplete_plan(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """A spending plan with blank periods, or whose last period does not reach 100%."""
    plan = p.spending_plan
    if plan is None or plan.is_blank:
        return
    pct = plan.percents
    blanks = [lab for lab, v in zip(plan.labels, pct, strict=True) if v is None]
    last = next((v for v in reversed(pct) if v is not None), None)
    if blanks:
        yield Hit(p, "资金支出计划", _plan_text(p),
                  f"资金支出计划 {'、'.join(blanks)} 未填写", p.field_span("plan"))
    elif last is not None and last < 100:
        yield Hit(p, "资金支出计划", _plan_text(p),
                  f"资金支出计划截至{plan.labels[-1]}累计仅 {num(last)}%，未达到 100%", p.field_span("plan"))


# --- R4: the indicator tree ------------------------------------------------------------------------

@each_project
def missing_level1(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """A required level-1 category (产出, 效益, 满意度) has no rows."""
    if not p.indicators:
        return
    required = cfg.words("categories", "required_level1")
    present = {starts(i.level1, required) for i in p.indicators}
    span = span_of(p.indicators, p.span)
    for cat in required:
        if cat not in present:
            yield Hit(p, "一级指标", cat, f"缺少一级指标「{cat}指标」", span)


@each_project
def missing_output_level2(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """产出 indicators do not cover 数量/质量/时效/成本."""
    wanted = cfg.words("categories", "output_level2")
    outputs = [i for i in p.indicators if norm(i.level1).startswith("产出")]
    if not outputs:
        return
    present = {starts(i.level2, wanted) for i in outputs}
    if any(norm(i.level1).startswith("成本") for i in p.indicators):
        present.add("成本")  # 101号 makes 成本 a level-1 category
    missing = [w for w in wanted if w not in present]
    if missing:
        yield Hit(p, "二级指标", "、".join(missing),
                  f"产出指标缺少二级指标：{'、'.join(m + '指标' for m in missing)}",
                  span_of(outputs, p.span))


@each_project
def too_few_indicators(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """Fewer indicator rows than local forms require."""
    least = int(cfg.get("categories", "min_indicators", 0))
    if p.indicators and len(p.indicators) < least:
        yield Hit(p, "绩效指标", str(len(p.indicators)),
                  f"仅有 {len(p.indicators)} 条绩效指标，少于 {least} 条",
                  span_of(p.indicators, p.span))


# --- R5: quantified values -------------------------------------------------------------------------

def _needs_number(ind: Indicator, cfg: AuditConfig) -> bool:
    kinds = cfg.words("categories", "quantitative_level2")
    return bool(starts(ind.level2, kinds)) or norm(ind.level1).startswith("成本")


@each_indicator
def not_measurable(p: Project, ind: Indicator, cfg: AuditConfig) -> Hit | None:
    """A 数量/质量/时效/成本 indicator whose value holds no number."""
    if blank(ind.value) or ind.parsed is not None or not _needs_number(ind, cfg):
        return None
    return row_hit(p, ind, "指标值", printed(ind),
                    f"{norm(ind.level2) or '定量'}「{indicator_label(ind)}」的指标值「{printed(ind)}」"
                    "不是可衡量的数值")


@each_indicator
def number_without_unit(p: Project, ind: Indicator, cfg: AuditConfig) -> Hit | None:
    """A numeric value without a unit of measure."""
    if ind.parsed is None or ind.parsed.unit:
        return None
    return row_hit(p, ind, "指标值", printed(ind),
                    f"指标值「{printed(ind)}」只有数字，没有计量单位")


def _unit_hint(unit: str, known: Sequence[str]) -> str:
    prefix = max((k for k in known if unit.startswith(k)), key=len, default=None)
    return f"，应为「{prefix}」" if prefix else ""


@each_indicator
def glued_unit(p: Project, ind: Indicator, cfg: AuditConfig) -> Hit | None:
    """The text after the number is not a unit of measure ("23人数", "≥80相关文件")."""
    if ind.parsed is None or not ind.parsed.unit:
        return None
    unit = norm(ind.parsed.unit)
    known = cfg.words("units", "known")
    if unit in known:
        return None
    return row_hit(p, ind, "指标值", printed(ind),
                    f"指标值「{printed(ind)}」中数字后的「{unit}」不是计量单位（文字与数字粘连）"
                    f"{_unit_hint(unit, known)}")


# --- R6: relevance and copying ---------------------------------------------------------------------

@each_indicator
def same_word_thrice(p: Project, ind: Indicator, cfg: AuditConfig) -> Hit | None:
    """Level 3, description and value are one and the same text."""
    a, b, c = norm(ind.level3), norm(ind.description), norm(ind.value)
    if a and a == b == c:
        return row_hit(p, ind, "指标值", printed(ind),
                        f"三级指标、指标描述与指标值都是「{a}」，指标没有实际内容")
    return None


@each_project
def shifted_columns(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """Columns shifted by a row: level 3 of a row repeats the description of the row above."""
    rows = p.indicators
    shifted = [cur for prev, cur in zip(rows, rows[1:])
               if norm(cur.level3) and norm(cur.level3) == norm(prev.description)
               and norm(cur.level3) != norm(cur.description)]
    if len(shifted) >= 2:  # one repeat can be chance; two or more is a shifted column
        names = "、".join(f"「{norm(r.level3)}」" for r in shifted)
        yield Hit(p, "指标表", names,
                  f"{len(shifted)} 行的三级指标与上一行的指标描述相同（{names}），疑似指标列错位一行",
                  span_of(shifted, p.span))


# --- R7: plausibility ------------------------------------------------------------------------------

def _percent_like(ind: Indicator, cfg: AuditConfig) -> bool:
    unit = norm(ind.parsed.unit) if ind.parsed and ind.parsed.unit else ""
    if unit in cfg.words("units", "percent"):
        return True
    if unit in cfg.words("units", "known"):
        return False
    return is_rate(ind, cfg)


@each_indicator
def rate_over_100(p: Project, ind: Indicator, cfg: AuditConfig) -> Hit | None:
    """A rate target above 100% (≥190%, 1100%), or a rate written as a decimal above 1 (≥1.95)."""
    v = ind.parsed
    if v is None or v.op in ("≤", "<") or not _percent_like(ind, cfg):
        return None
    if any(e in row_text(ind) for e in cfg.words("rates", "exempt")):
        return None  # growth may exceed 100%
    name = indicator_label(ind)
    if v.number > 100 or (v.number == 100 and v.op == ">"):
        return row_hit(p, ind, "指标值", printed(ind),
                        f"比率指标「{name}」的目标值「{printed(ind)}」超过 100%")
    if (not v.unit and is_rate(ind, cfg) and 1 < v.number < 10
            and v.number != v.number.to_integral_value()):
        return row_hit(p, ind, "指标值", printed(ind),
                        f"比率指标「{name}」的目标值「{printed(ind)}」按小数读为 "
                        f"{num(v.number * 100)}%（超过 100%），按百分数读又过低，疑似小数与百分数混淆")
    return None


@each_project
def plan_goes_down(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """A cumulative spending plan that decreases from one period to the next."""
    plan = p.spending_plan
    if plan is None or plan.is_blank:
        return
    seen: tuple[str, Decimal] | None = None
    for lab, v in zip(plan.labels, plan.percents, strict=True):
        if v is None:
            continue
        if seen is not None and v < seen[1]:
            yield Hit(p, "资金支出计划", _plan_text(p),
                      f"累计支出计划下降：{seen[0]} {num(seen[1])}% → {lab} {num(v)}%",
                      p.field_span("plan"))
        seen = (lab, v)


@each_project
def bad_amounts(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """A budget of zero or less, or a negative fiscal or other amount."""
    if p.budget_wan is not None and p.budget_wan <= 0:
        yield Hit(p, "预算数", num(p.budget_wan), f"预算数为 {num(p.budget_wan)} 万元（应大于 0）",
                  p.field_span("amounts"))
    for label, amount in (("财政资金", p.fiscal_wan), ("其他资金", p.other_wan)):
        if amount is not None and amount < 0:
            yield Hit(p, label, num(amount), f"{label}为负数：{num(amount)} 万元", p.field_span("amounts"))


@each_indicator
def default_count(p: Project, ind: Indicator, cfg: AuditConfig) -> Hit | None:
    """A 数量/成本 target left at the form's default (1人, 1元)."""
    v = ind.parsed
    if v is None or not v.unit or v.op in ("≤", "<"):
        return None
    kind = starts(ind.level2, ("数量", "成本")) or starts(ind.level1, ("成本",))
    if kind is None or norm(v.unit) not in cfg.words("defaults", "count_units"):
        return None
    if v.number not in {Decimal(str(n)) for n in cfg.get("defaults", "count_values", [])}:
        return None
    return row_hit(p, ind, "指标值", printed(ind),
                    f"{kind}指标「{indicator_label(ind)}」的目标值「{printed(ind)}」疑似未修改的默认值")


# --- R8, R9: feasibility and value basis -----------------------------------------------------------

@each_indicator
def timeliness_out_of_year(p: Project, ind: Indicator, cfg: AuditConfig) -> Hit | None:
    """A 时效 indicator naming only years other than the budget year."""
    if p.year is None or not norm(ind.level2).startswith("时效"):
        return None
    cells = [c.strip() for c in (ind.level3, ind.description, ind.value) if c and _YEAR.search(c)]
    years = {int(y) for c in cells for y in _YEAR.findall(c)}
    if years and p.year not in years:
        shown = "、".join(str(y) for y in sorted(years))
        return row_hit(p, ind, "时效指标", cells[0],
                        f"时效指标写的是 {shown} 年，不在预算年度 {p.year} 年内")
    return None


@each_indicator
def blank_basis(p: Project, ind: Indicator, cfg: AuditConfig) -> Hit | None:
    """An indicator row without 指标值确定依据."""
    if blank(ind.basis):
        return row_hit(p, ind, "指标值确定依据", "",
                        f"指标「{indicator_label(ind)}」未填写指标值确定依据")
    return None


@each_project
def vague_basis(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """Every stated basis is a vague phrase ("相关政策") citing no document or standard."""
    pattern = re.compile(str(cfg.get("basis", "vague_pattern", "^$")))
    stated = [i for i in p.indicators if not blank(i.basis)]
    if not stated:
        return
    vague = [i for i in stated if pattern.search(norm(i.basis)) and not find_doc_numbers(i.basis or "")]
    if len(vague) == len(stated):
        words = "、".join(dict.fromkeys(f"「{norm(i.basis)}」" for i in vague))
        yield Hit(p, "指标值确定依据", words,
                  f"指标值确定依据均为笼统表述（{words}），未说明计划、行业、历史等标准或文件",
                  span_of(vague, p.span))


# --- R10, R11 --------------------------------------------------------------------------------------

@each_indicator
def input_as_output(p: Project, ind: Indicator, cfg: AuditConfig) -> Hit | None:
    """An input (资金到位率, 预算执行率) set as an 产出 or 效益 indicator."""
    cat = starts(ind.level1, cfg.words("inputs", "checked_level1"))
    if cat is None:
        return None
    cells = (norm(ind.level3), norm(ind.description))
    word = next((w for w in cfg.words("inputs", "words") if any(w in c for c in cells)), None)
    if word is None:
        return None
    return row_hit(p, ind, "三级指标", indicator_label(ind),
                    f"「{word}」是投入或过程指标，不应作为{cat}指标")


@each_indicator
def low_satisfaction(p: Project, ind: Indicator, cfg: AuditConfig) -> Hit | None:
    """A 满意度 target below the configured floor."""
    v = ind.parsed
    if v is None or v.op in ("≤", "<") or not norm(ind.level1).startswith("满意度"):
        return None
    unit = norm(v.unit) if v.unit else ""
    if unit and unit not in cfg.words("units", "percent") and not unit.endswith(_RATE_ENDINGS):
        return None  # a count, a score or a stray word: not a percentage
    if not unit and 1 < v.number < 10 and v.number != v.number.to_integral_value():
        return None  # "≥1.9": a decimal/percent mix-up, reported by R7.1
    pct = v.number * 100 if (not unit and v.number <= 1) else v.number
    floor = Decimal(str(cfg.get("satisfaction", "floor", 0)))
    if pct < floor:
        return row_hit(p, ind, "指标值", printed(ind),
                        f"满意度目标「{printed(ind)}」低于 {num(floor)}%")
    return None


# --- R18, R19, R20 ---------------------------------------------------------------------------------

@each_project
def budget_sum(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """预算数 differs from 财政资金 + 其他资金."""
    if p.budget_wan is None or p.fiscal_wan is None:
        return
    other = p.other_wan or Decimal(0)
    total = p.fiscal_wan + other
    if total != p.budget_wan:
        yield Hit(p, "预算数", num(p.budget_wan),
                  f"预算数 {num(p.budget_wan)} 万元 ≠ 财政资金 {num(p.fiscal_wan)} + 其他资金 "
                  f"{num(other)} = {num(total)} 万元", p.field_span("amounts"))


def _cited(p: Project) -> Iterator[tuple[str, str, int]]:
    """(canonical 文号, field, line) of every distinct citation, first place seen."""
    seen: set[str] = set()
    for ref in (*p.doc_refs, *p.basis_refs):
        if ref.canonical not in seen:
            seen.add(ref.canonical)
            yield ref.canonical, ref.field, ref.line


_FIELD_CN = {"title": "标题", "project_name": "项目名称", "purpose": "资金用途", "basis": "指标值确定依据"}


def _issuer_of(canonical: str) -> tuple[str, int]:
    m = re.match(r"^(?P<issuer>.+?)〔(?P<year>\d{4})〕", canonical)
    return (m["issuer"], int(m["year"])) if m else (canonical, 0)


@each_project
def unknown_issuer(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """A cited 文号 whose issuer prefix is not a known issuing office."""
    for canonical, field, line in _cited(p):
        issuer, _ = _issuer_of(canonical)
        if issuer_info(issuer) is None:
            yield Hit(p, _FIELD_CN.get(field, field), canonical,
                      f"引用文号 {canonical} 的发文机关代字「{issuer}」不在已知发文机关表中，无法核实",
                      SourceSpan(p.span.file, line, line))


@each_project
def basis_after_year(p: Project, cfg: AuditConfig) -> Iterator[Hit]:
    """A cited 文号 issued after the budget year it is supposed to ground."""
    if p.year is None:
        return
    for canonical, field, line in _cited(p):
        _, year = _issuer_of(canonical)
        if year > p.year:
            yield Hit(p, _FIELD_CN.get(field, field), canonical,
                      f"引用文号 {canonical} 晚于预算年度 {p.year} 年", SourceSpan(p.span.file, line, line))


# --- the registry ----------------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    Rule("R1.1", "有预算无绩效指标", "错误", "中发〔2018〕34号（绩效目标作为预算安排的前置条件）",
         no_indicators),
    Rule("R3.1", "绩效目标缺失或为占位文字", "错误", B88_COMPLETE, placeholder_goals),
    Rule("R3.2", "指标值为空", "错误", B88_COMPLETE, blank_value),
    Rule("R3.3", "三级指标名称为空", "警告", B88_COMPLETE, blank_name),
    Rule("R3.4", "资金支出计划为空", "错误", B88_COMPLETE, blank_plan),
    Rule("R3.5", "资金支出计划不完整或未达100%", "警告", B88_COMPLETE, incomplete_plan),
    Rule("R4.1", "缺少一级指标", "错误", B88_INDICATORS, missing_level1),
    Rule("R4.2", "产出指标缺少二级指标", "提示", B88_INDICATORS, missing_output_level2, True),
    Rule("R4.3", "绩效指标过少", "提示", "省级绩效目标表填报指引（地方规则）", too_few_indicators, True),
    Rule("R5.1", "定量指标的指标值不可衡量", "警告", B88_QUANT, not_measurable),
    Rule("R5.2", "指标值缺少计量单位", "警告", B88_QUANT, number_without_unit),
    Rule("R5.3", "计量单位不规范（文字与数字粘连）", "警告", B88_QUANT, glued_unit),
    Rule("R6.1", "三级指标、描述与指标值相同", "警告", B88_RELEVANT, same_word_thrice),
    Rule("R6.2", "指标表与不相关项目雷同", "警告", B88_RELEVANT, copied_tables),
    Rule("R6.3", "指标列疑似错位", "警告", B88_COMPLETE, shifted_columns),
    Rule("R7.1", "比率指标超过100%", "错误", COMMON, rate_over_100),
    Rule("R7.2", "累计支出计划下降", "错误", COMMON, plan_goes_down),
    Rule("R7.3", "金额为零或负数", "错误", COMMON, bad_amounts),
    Rule("R7.4", "数量或成本指标疑似默认值", "提示", B88_APPROPRIATE, default_count, True),
    Rule("R8.1", "时效指标不在预算年度内", "提示", B88_FEASIBLE, timeliness_out_of_year),
    Rule("R9.1", "指标值确定依据为空", "警告", B88_STANDARD, blank_basis),
    Rule("R9.2", "指标值确定依据笼统", "提示", B88_STANDARD, vague_basis, True),
    Rule("R10.1", "投入指标作为产出或效益指标", "警告",
         "省级绩效目标表填报指引（投入不能作为绩效目标）；财预〔2020〕10号（预算执行率单列）",
         input_as_output, True),
    Rule("R11.1", "满意度目标偏低", "提示", "财预〔2015〕88号、中发〔2018〕34号（满意度指标；下限为地方惯例）",
         low_satisfaction, True),
    Rule("R18.1", "指标表跨年度照搬", "警告", "财预〔2015〕88号 第三章 审核（适当性）；实务", copied_across_years),
    Rule("R19.1", "预算数与资金来源合计不符", "错误", B88_MATCH, budget_sum),
    Rule("R20.1", "引用文号的发文机关未知", "警告", "工具检查（支撑财预〔2015〕88号 设定依据）", unknown_issuer),
    Rule("R20.2", "引用文号晚于预算年度", "警告", "工具检查（支撑财预〔2015〕88号 设定依据）", basis_after_year),
)


def rules_by_id() -> dict[str, Rule]:
    """The registry keyed by rule id."""
    return {r.id: r for r in ALL_RULES}


def rule(rule_id: str) -> Rule:
    """One rule by id; KeyError names the known ids."""
    table = rules_by_id()
    if rule_id not in table:
        raise KeyError(f"unknown rule {rule_id!r}; known: {', '.join(table)}")
    return table[rule_id]


def _checked_on_the_lineage(projects: Sequence[Project], cfg: AuditConfig) -> Iterator[Hit]:
    """Checked over the fund lineage by kg.lineage.checks, not project by project."""
    return iter(())


_NOTICE_BASIS = ("财预〔2015〕163号 第四章（绩效目标的下达）；资金下达通知的分配表；"
                 "财预〔2015〕88号 绩效目标要求（相应匹配）")
_LINEAGE_BASIS = "data/documents.csv（文件总额与上级文件）；ontology/issuers.csv（发文机关）"

# Checks along the fund lineage (kg.lineage.checks): their findings join the audit's.
LINEAGE_RULES: tuple[Rule, ...] = (
    Rule("L1.1", "文件总额与引用项目合计不符", "警告", _LINEAGE_BASIS, _checked_on_the_lineage),
    Rule("L1.2", "同一文件的发文机关写法不一", "警告", _LINEAGE_BASIS, _checked_on_the_lineage),
    Rule("L1.3", "同一项目编码属于多个单位", "错误", COMMON, _checked_on_the_lineage),
    Rule("L1.4", "项目引用多个资金文件", "提示", COMMON, _checked_on_the_lineage),
    Rule("L2.1", "地区预算数与通知分配数不符", "警告", _NOTICE_BASIS, _checked_on_the_lineage),
    Rule("L2.2", "引用的通知未向项目所在地区分配资金", "警告", _NOTICE_BASIS, _checked_on_the_lineage),
    Rule("L2.3", "通知分配数相加不符", "错误", "资金下达通知的分配表（小计、合计与文件总额）；常识",
         _checked_on_the_lineage),
    Rule("L2.4", "同一笔分配被多个县的项目引用", "警告", _NOTICE_BASIS, _checked_on_the_lineage),
    Rule("L2.5", "documents.csv 与通知所载不一致", "提示", "资金下达通知（以通知为准）；data/documents.csv",
         _checked_on_the_lineage),
)

ALL_RULES: tuple[Rule, ...] = RULES + LINEAGE_RULES

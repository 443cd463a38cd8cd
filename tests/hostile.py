"""Invented documents whose text carries Markdown and HTML, for the UI and browser tests."""

from __future__ import annotations


def hostile_document(url: str) -> str:
    """An invented two-table document whose title, unit, names and purpose carry Markdown and HTML."""
    unit = f"401009涿州市![u]({url}/unit)<img src={url}/unit-tag>中心"
    head = "一级指标\t二级指标\t三级指标\t绩效指标描述\t指标值\t指标值确定依据"
    return "\n".join([
        "[bookmark: _Toc_2]二、分项绩效目标",
        f"1.![t]({url}/title)培训[点我](http://phish.example/)**补贴**绩效目标表",
        f"{unit}\t单位：万元",
        f"项目编码\t13068123HOST1LE000001\t项目名称\t`代码` $x^2$ **粗体** <img src={url}/name> 培训补贴",
        "预算规模及资金用途\t预算数\t12.00\t其中：财政资金\t12.00\t其他资金\t0",
        f"依据冀财社〔2022〕88号 用于[链接]({url}/purpose)",
        "资金支出计划（%）\t3月底\t6月底\t10月底\t12月底",
        f"10.00%\t![p]({url}/plan)\t75.00%\t100.00%",
        f"绩效目标\t1.完成![g]({url}/goal)培训",
        "",
        head,
        f"产出指标\t数量指标\t培训人次<img src={url}/ind>\t全年完成\t≥80人次\t年度计划",
        "2.培训补贴绩效目标表",
        f"{unit}\t单位：万元",
        f"项目编码\t13068122HOST1LE000002\t项目名称\t`代码` $x^2$ **粗体** <img src={url}/name> 培训补贴",
        "预算规模及资金用途\t预算数\t10.00\t其中：财政资金\t10.00\t其他资金\t0",
        "依据冀财社〔2021〕88号",
        "绩效目标\t1.完成培训",
        "",
        head,
        "产出指标\t数量指标\t培训人次\t全年完成\t≥80人次\t年度计划",
        "",
    ])

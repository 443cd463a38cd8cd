"""Two invented county documents of the sample's template whose units share codes (901001 …), both
citing one provincial notice (冀财社〔2021〕99号): the fixture of the regions tests."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

NOTICE = "冀财社〔2021〕99号"
UNITS = {"901001": "人力资源和社会保障局", "901002": "社会保险事业中心", "901003": "就业服务中心",
         "901004": "劳动保障监察大队"}
# county code, name → (unit, year, project name, budget, cites the notice)
COUNTIES = {
    ("130731", "涿鹿县"): [
        ("901001", 2022, "人力资源市场建设", "80.00", False),
        ("901002", 2021, "城乡居民养老保险补助", "560.00", True),
        ("901002", 2022, "城乡居民养老保险补助", "600.00", True),
        ("901003", 2022, "就业见习补贴", "228.00", True),
        ("901004", 2022, "劳动保障监察执法", "35.00", False),
    ],
    ("130732", "赤城县"): [
        ("901001", 2022, "人力资源市场建设", "60.00", False),
        ("901002", 2021, "城乡居民养老保险补助", "470.00", True),
        ("901002", 2022, "城乡居民养老保险补助", "500.00", True),
        ("901003", 2022, "就业见习补贴", "100.00", True),
        ("901004", 2022, "劳动保障监察执法", "20.00", False),
    ],
}


def project_code(region: str, year: int, unit: str) -> str:
    return f"{region}{year % 100:02d}RGTEST{unit}0001"


def _table(n: int, region: str, county: str, unit: str, year: int, name: str, budget: str, cites: bool) -> str:
    unit_name = f"{county}{UNITS[unit]}" if unit == "901001" else UNITS[unit]
    title = f"{NOTICE}{year}年{name}" if cites else name
    return "\n".join([
        f"{n}.{title}绩效目标表",
        f"{unit}{unit_name}\t单位：万元",
        f"项目编码\t{project_code(region, year, unit)}\t项目名称\t{title}",
        f"预算规模及资金用途\t预算数\t{budget}\t其中：财政资金\t{budget}\t其他资金\t0.00",
        f"用于{county}{name}",
        "资金支出计划（%）\t3月底\t6月底\t10月底\t12月底",
        "25.00%\t50.00%\t75.00%\t100.00%",
        f"绩效目标\t1.按时完成{year}年{name}任务",
        "",
        "一级指标\t二级指标\t三级指标\t绩效指标描述\t指标值\t指标值确定依据",
        "产出指标\t数量指标\t服务人次\t全年服务人次\t≥1000人次\t年度工作计划",
        "效益指标\t社会效益指标\t政策知晓率\t服务对象对政策的知晓比例\t≥90%\t年度工作计划",
        "满意度指标\t服务对象满意度指标\t服务对象满意度\t服务对象对服务的满意度\t≥90%\t上年度满意度调查",
        "",
    ])


def write_counties(data: Path) -> list[Path]:
    """One document per county under `data`; their paths."""
    data.mkdir(parents=True, exist_ok=True)
    out = []
    for (region, county), rows in COUNTIES.items():
        tables = [_table(n, region, county, *row) for n, row in enumerate(rows, start=1)]
        path = data / f"county_{region}.txt"
        path.write_text("二、分项绩效目标\n" + "\n".join(tables), encoding="utf-8")
        out.append(path)
    return out


def notice_total(region: str) -> Decimal:
    """The 预算数 of a county's projects citing the notice."""
    rows = next(r for (code, _), r in COUNTIES.items() if code == region)
    return sum((Decimal(b) for _, _, _, b, cites in rows if cites), Decimal(0))

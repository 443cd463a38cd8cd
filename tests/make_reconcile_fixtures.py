"""Write the reconciliation fixtures (invented content) under tests/data/reconcile/.

    python tests/make_reconcile_fixtures.py

A small data folder for `kg build`:

- province_2022.txt: 冀财社〔2022〕60号 allocates 820万元 of 城乡居民基本养老保险补助资金: 张家口市 500
  (怀来县 300, 涿鹿县 200), 承德市 300 (滦平县 180, 隆化县 110: 10 short of its subtotal, on purpose) and
  20 to a body that names no region; it forwards 财社〔2022〕30号.
- province_2021.txt: the same fund stream a year earlier, 冀财社〔2021〕45号: 张家口市 300, 承德市 200, no
  counties below them.
- city_2022.txt: 张财社〔2022〕12号 forwards 60号 (根据冀财社〔2022〕60号文件) to 怀来县 300 and 涿鹿县 200.
- county projects: 怀来县 budgets 180 + 120 = 300 under 60号 (matches; the 120 also cites 怀财资〔2022〕5号, so it
  is shared), 涿鹿县 150 (50 short), 赤城县 90 (60号 allocates nothing to it); in 2021 怀来县 160 and
  涿鹿县 140 both under 45号's one 张家口市 row.
- notice_99.txt + notice_99_table.xlsx: a notice without its table, and the table published as its
  own sheet, captioned with the notice's 文号; notice_88.txt + notice_88_table.txt: the same, the
  caption printing the notice's title.
- documents.csv: 60号 with another parent, total and title than the notice states; 怀财资〔2022〕5号,
  which no notice covers, under 12号.
"""

from __future__ import annotations

from pathlib import Path

from make_notice_fixtures import write_xlsx  # run as a script: tests/ is on the path

OUT = Path(__file__).resolve().parent / "data" / "reconcile"

PROVINCE_2022 = """河北省财政厅文件
冀财社〔2022〕60号
河北省财政厅 河北省人力资源和社会保障厅关于下达2022年城乡居民基本养老保险补助资金的通知
张家口市、承德市财政局、人力资源和社会保障局，省社会保险事业管理局：
　　根据《财政部 人力资源社会保障部关于下达2022年城乡居民基本养老保险补助资金预算的通知》（财社〔2022〕30号），现下达2022年城乡居民基本养老保险补助资金共计820万元（详见附件），列2022年政府收支分类科目“2080505”。
河北省财政厅　　河北省人力资源和社会保障厅
2022年3月8日
附件
2022年城乡居民基本养老保险补助资金分配表
单位：万元
序号	地区	金额	备注
	合计	820	
1	张家口市	500	
	　　怀来县	300	
	　　涿鹿县	200	
2	承德市	300	
	　　滦平县	180	
	　　隆化县	110	
3	省社会保险事业管理局	20	
"""

PROVINCE_2021 = """河北省财政厅文件
冀财社〔2021〕45号
河北省财政厅 河北省人力资源和社会保障厅关于下达2021年城乡居民基本养老保险补助资金的通知
张家口市、承德市财政局、人力资源和社会保障局：
　　现下达2021年城乡居民基本养老保险补助资金共计500万元（详见附件）。
河北省财政厅　　河北省人力资源和社会保障厅
2021年3月10日
附件
2021年城乡居民基本养老保险补助资金分配表
单位：万元
地区	金额
张家口市	300
承德市	200
"""

CITY_2022 = """张家口市财政局文件
张财社〔2022〕12号
张家口市财政局 张家口市人力资源和社会保障局关于下达2022年城乡居民基本养老保险补助资金的通知
怀来县、涿鹿县财政局、人力资源和社会保障局：
　　根据冀财社〔2022〕60号文件，现将2022年城乡居民基本养老保险补助资金500万元下达给你们，其中：怀来县300万元，涿鹿县200万元。
张家口市财政局　　张家口市人力资源和社会保障局
2022年3月20日
"""

NOTICE_99 = """河北省财政厅文件
冀财社〔2022〕99号
河北省财政厅关于下达2022年就业补助资金的通知
张家口市财政局：
　　现下达2022年就业补助资金共计120万元，分配情况见附件。
河北省财政厅
2022年6月2日
"""

NOTICE_99_TABLE = [
    ["附件：冀财社〔2022〕99号2022年就业补助资金分配表"],
    ["单位：万元"],
    ["地区", "金额"],
    ["怀来县", 80],
    ["涿鹿县", 40],
]

NOTICE_88 = """河北省财政厅文件
冀财社〔2022〕88号
河北省财政厅关于下达2022年公益性岗位补贴资金的通知
承德市财政局：
　　现下达2022年公益性岗位补贴资金共计100万元，分配情况见附件。
河北省财政厅
2022年5月9日
"""

NOTICE_88_TABLE = """附件：《河北省财政厅关于下达2022年公益性岗位补贴资金的通知》分配表
单位：万元
地区	金额
滦平县	60
隆化县	40
"""

DOCUMENTS_CSV = """canonical,title,issuer,date,parent,total_wan
冀财社〔2022〕60号,2022年城乡居民养老保险补助资金（登记）,河北省财政厅,2022-03-08,财社〔2022〕31号,800
怀财资〔2022〕5号,怀来县转下达城乡居民养老保险补助资金,怀来县财政局,2022-04-01,张财社〔2022〕12号,
"""

_PROJECT = """{n}.{name}绩效目标表
{unit}	单位：万元
项目编码	{code}	项目名称	{name}
预算规模及资金用途	预算数	{amount}	其中：财政资金	{amount}	其他资金	0
用于城乡居民基本养老保险基础养老金补助。
资金支出计划（%）	3月底	6月底	10月底	12月底
25.00%	50.00%	75.00%	100.00%
绩效目标	1.按时足额发放基础养老金

一级指标	二级指标	三级指标	绩效指标描述	指标值	指标值确定依据
产出指标	数量指标	享受待遇人数	领取基础养老金人数	≥5000人	年度计划
效益指标	社会效益指标	发放到位率	基础养老金按时发放比例	100%	相关政策
满意度指标	服务对象满意度指标	参保人员满意度	满意度调查	≥90%	满意度调查
"""


def county(place: str, unit: str, projects: list[tuple[str, str, str]]) -> str:
    """A county goal document: (项目编码, 项目名称 citing the notice, 预算数) per table."""
    head = (f"第一部分\n部门整体绩效目标\n一、总体绩效目标\n一、保障{place}城乡居民养老保险待遇按时发放。\n"
            "二、分项绩效目标\n")
    body = "".join(_PROJECT.format(n=i, unit=unit, code=code, name=name, amount=amount)
                   for i, (code, name, amount) in enumerate(projects, start=1))
    return head + body + f"三、工作保障措施\n一、加强资金管理\n{place}严格按照上级下达的资金用途专款专用。\n"


COUNTIES = {
    "huailai_2022.txt": county("怀来县", "318005怀来县社会保险事业中心", [
        ("13073022H5L2CXJM00001", "冀财社〔2022〕60号城乡居民基本养老保险补助资金（基础养老金）", "180.00"),
        ("13073022H5L2CXJM00002",
         "冀财社〔2022〕60号 怀财资〔2022〕5号城乡居民基本养老保险补助资金（缴费补贴）", "120.00"),
    ]),
    "zhuolu_2022.txt": county("涿鹿县", "327006涿鹿县社会保险事业中心", [
        ("13073122Z8L4CXJM00001", "冀财社〔2022〕60号城乡居民基本养老保险补助资金", "150.00"),
    ]),
    "chicheng_2022.txt": county("赤城县", "332004赤城县社会保险事业中心", [
        ("13073222C3C6CXJM00001", "冀财社〔2022〕60号城乡居民基本养老保险补助资金", "90.00"),
    ]),
    "huailai_2021.txt": county("怀来县", "318005怀来县社会保险事业中心", [
        ("13073021H5L2CXJM00001", "冀财社〔2021〕45号城乡居民基本养老保险补助资金", "160.00"),
    ]),
    "zhuolu_2021.txt": county("涿鹿县", "327006涿鹿县社会保险事业中心", [
        ("13073121Z8L4CXJM00001", "冀财社〔2021〕45号城乡居民基本养老保险补助资金", "140.00"),
    ]),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    texts = {"province_2022.txt": PROVINCE_2022, "province_2021.txt": PROVINCE_2021,
             "city_2022.txt": CITY_2022, "notice_99.txt": NOTICE_99, "documents.csv": DOCUMENTS_CSV,
             "notice_88.txt": NOTICE_88, "notice_88_table.txt": NOTICE_88_TABLE,
             **COUNTIES}
    for name, text in texts.items():
        (OUT / name).write_text(text, encoding="utf-8")
    write_xlsx(OUT / "notice_99_table.xlsx", NOTICE_99_TABLE)


if __name__ == "__main__":
    main()

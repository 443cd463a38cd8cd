"""The Streamlit pages, run headless with AppTest against the sample built into a tmp index."""

from __future__ import annotations

import json
import shutil
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kg.build import build
from kg.settings import Settings
from views.model.amounts import AmountError, format_change, format_wan

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SAMPLE = ROOT / "data" / "000_61c5a3a787465ec8.txt"
TIMEOUT = 60


def _build(tmp: Path) -> Settings:
    data = tmp / "data"
    data.mkdir()
    shutil.copy(SAMPLE, data / SAMPLE.name)
    settings = Settings(data_dir=data, index_dir=tmp / "indexes")
    build(settings)
    return settings


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Settings:
    return _build(tmp_path_factory.mktemp("ui-sample"))


@pytest.fixture
def env(sample, monkeypatch) -> Settings:
    monkeypatch.setenv("HRSS_DATA_DIR", str(sample.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(sample.index_dir))
    return sample


def run(page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    """Every text the page shows (markdown, text, code, metrics, captions, dataframes) as one string."""
    parts = [e.value for e in (*at.markdown, *at.text, *at.code, *at.caption, *at.title, *at.info,
                                *at.warning, *at.error, *at.success)]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    parts += [df.value.to_csv(index=False) for df in at.dataframe]
    parts += [link.proto.label for link in at.get("page_link")]
    return "\n".join(str(p) for p in parts)


def test_app_without_a_build_says_so_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("HRSS_INDEX_DIR", str(tmp_path / "nothing"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "尚未构建索引" in at.warning[0].value


def test_doc_deep_link_shows_projects_and_total(env):
    at = run(doc="冀财社〔2021〕176号")
    shown = texts(at)
    assert "13073022P008368100011" in shown and "13073022P00836810002L" in shown
    assert {m.label: m.value for m in at.metric}["金额合计（万元）"] == "1,428.00"
    assert "合计：1,428.00 万元" in shown


def test_partial_doc_number_lists_candidates(env):
    at = run(doc="冀财社2020")
    shown = texts(at)
    for doc in ("冀财社〔2020〕143号", "冀财社〔2020〕185号", "冀财社〔2020〕186号", "冀财社〔2020〕190号"):
        assert doc in shown


def table_with(at: AppTest, column: str):
    """The first table shown that has `column`."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def links(at: AppTest) -> list[tuple[str, str]]:
    """(label, page) of every page link shown."""
    return [(link.proto.label, link.proto.page) for link in at.get("page_link")]


def test_search_with_year_shows_only_that_year(env):
    at = run(q="就业补助", year="2022")
    hits = [c.value for c in at.caption if "预算" in c.value and "万元" in c.value]
    assert hits, texts(at)
    assert all(h.startswith("2022 年") for h in hits)
    assert any("就业补助县级配套" in m.value for m in at.markdown)
    assert at.query_params["year"] == ["2022"] or at.query_params["year"] == "2022"


def test_project_deep_link_opens_that_project(env):
    at = run(project="13073022P00817010003J")
    shown = texts(at)
    assert at.selectbox(key="project-pick").value.project_code == "13073022P00817010003J"
    assert {m.label: m.value for m in at.metric}["预算数（万元）"] == "50.00"
    assert "办案及业务经费" in shown
    # the source excerpt: the exact lines of the table in the original file
    assert "453  [bookmark: _Toc_4_4_0000000004]1.[13073022X000010998170]怀财资【2022】7号" in at.code[-1].value
    assert at.code[-1].value.splitlines()[-1].startswith("537")


def test_trace_page_shows_the_document_total_and_its_projects(env):
    at = run("trace", doc="冀财社〔2021〕176号")
    assert {m.label: m.value for m in at.metric}["合计（万元）"] == "1,428.00"
    table = at.dataframe[0].value
    assert set(table["项目编码"]) == {"13073022P008368100011", "13073022P00836810002L"}
    assert len(at.get("plotly_chart")) == 1


def test_unit_page_shows_amounts_by_year(env):
    at = run(unit="316007")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["2021 年预算（万元）"] == "11,441.00"
    assert metrics["2022 年预算（万元）"] == "18,210.99"


def test_years_page_joins_years_by_the_lineage_links(env):
    at = run("years")
    metrics = {m.label: m.value for m in at.metric}
    kinds = ("新增", "取消", "增加", "减少", "持平")
    assert [metrics[k] for k in kinds] == ["8", "4", "5", "0", "11"]
    changes = at.dataframe[-1].value
    grown = changes[changes["变化"] == "增加"].set_index("本年编码")
    # 企业养老保险县级配套: 2,107.00 → 3,000.00
    assert grown.loc["13073022P007920100026", "上年编码"] == "13073021XSNQ6GTAT4G0A"
    assert grown.loc["13073022P007920100026", "增减(万元)"] == Decimal("893.00")
    # a 2022 notice continues the 2021 one of the same fund stream (not "new" because its name changed)
    assert grown.loc["13073022P008368100011", "上年编码"] == "13073021DW40F1G4N2XBW"


def test_quality_page_shows_ingest_warnings_with_lines(env):
    at = run("quality")
    diags = at.dataframe[-1].value
    assert "000_61c5a3a787465ec8.txt:179: table 9 has a number but no title" in set(diags["位置"])


def test_sparql_page_refuses_an_update(env):
    at = run("sparql")
    if any("尚未就绪" in i.value for i in at.info):
        pytest.skip("kg.store is not installed")
    at.text_area(key="sparql-text").set_value('INSERT DATA { <urn:a> <urn:b> "c" }')
    at.button(key="sparql-run").click().run()
    assert at.error, texts(at)
    assert not at.dataframe


def test_broken_upload_shows_file_line_warnings_and_keeps_data(tmp_path, monkeypatch):
    settings = _build(tmp_path)
    monkeypatch.setenv("HRSS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(settings.index_dir))
    from kg.workspace import Workspace

    before = Workspace(settings.index_dir).version
    broken = "1.坏表绩效目标表\n316001怀来县人力资源和社会保障局\t单位：万元\n项目编码\t\t项目名称\t\n预算规模及资金用途\t预算数\tabc\n"
    at = run("data")
    at.file_uploader(key="data-upload").set_value(("broken.txt", broken.encode(), "text/plain"))
    at.run()
    shown = texts(at)
    assert "broken.txt:4: 预算数 'abc' is not a number; left empty" in shown
    assert "broken.txt:3: 项目编码 is blank" in shown
    assert "未加入" in at.error[0].value
    assert Workspace(settings.index_dir).version == before
    assert not (settings.data_dir / "uploads" / "broken.txt").exists()
    assert len(Workspace(settings.index_dir).load_corpus().projects) == 44


def test_good_upload_is_added_and_script_in_title_shows_as_text(tmp_path, monkeypatch):
    settings = _build(tmp_path)
    monkeypatch.setenv("HRSS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(settings.index_dir))
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    # the first 2021 table, with a new code and a title holding markup
    table = [ln.replace("130730213QTTW95ZBZSQ9", "130730219SCRIPTTEST01") for ln in lines[13:28]]
    doc = "\n".join(["1.人才<script>alert(1)</script>中心办公经费绩效目标表", *table]) + "\n"
    at = run("data")
    at.file_uploader(key="data-upload").set_value(("script.txt", doc.encode(), "text/plain"))
    at.run()
    at.button(key="data-add").click().run()
    assert not at.exception
    assert "已加入 script.txt" in at.success[0].value
    at = run(project="130730219SCRIPTTEST01")
    heading = next(m for m in at.markdown if "script" in m.value)
    assert not heading.allow_html
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in heading.value
    assert "1.人才<script>alert(1)</script>中心办公经费绩效目标表" in at.code[-1].value


@pytest.mark.parametrize("fmt, name", [("ttl", "hrss-kg.ttl"), ("xlsx", "hrss-kg.xlsx"), ("csv", "hrss-kg-csv.zip")])
def test_export_offers_the_graph_as_a_download(env, fmt, name):
    at = run("data")
    at.selectbox(key="data-format").set_value(fmt)
    at.button(key="data-export").click().run()
    assert not at.exception
    button = at.get("download_button")[0]
    assert name in button.proto.label


def sankey_spec(at: AppTest) -> dict:
    """The Sankey trace of the trace page's plotly chart."""
    charts = at.get("plotly_chart")
    assert len(charts) == 1, texts(at)
    return json.loads(charts[0].proto.spec)["data"][0]


def test_trace_down_sankey_has_short_labels_and_exact_amounts_in_the_hover(env):
    sankey = sankey_spec(run("trace", doc="冀财社〔2021〕176号"))
    assert sankey["node"]["label"] == [
        "冀财社〔2021〕176号", "省级 · 省级补助资金", "社会保险事业中心",
        "省级城乡居民养老保险补助资金 ·0011", "省级城乡居民养老保险补助资金 ·002L",
    ]
    # the full printed name, code and amount in the hover of a project
    assert sankey["node"]["customdata"][3] == (
        "冀财社﹝2021﹞176号 河北省财政厅关于提前下达2022年省级城乡居民养老保险补助资金预算指标的通知"
        "<br>2022 年 · 13073022P008368100011<br>社会保险事业中心 · 1,384.00 万元")
    assert sankey["link"]["customdata"] == [
        "省级 · 省级补助资金 → 冀财社〔2021〕176号<br>1,428.00 万元",
        "冀财社〔2021〕176号 → 社会保险事业中心<br>1,428.00 万元",
        "社会保险事业中心 → 省级城乡居民养老保险补助资金 ·0011<br>1,384.00 万元",
        "社会保险事业中心 → 省级城乡居民养老保险补助资金 ·002L<br>44.00 万元",
    ]


def test_trace_chart_grows_with_the_number_of_projects(env):
    small = run("trace", doc="冀财社〔2021〕176号")
    big = run("trace", doc="怀财资〔2022〕7号")
    heights = [json.loads(a.get("plotly_chart")[0].proto.spec)["layout"]["height"] for a in (small, big)]
    assert heights == [260, 740]  # 17 projects under 怀财资〔2022〕7号
    assert {m.label: m.value for m in big.metric}["合计（万元）"] == "9,063.65"
    assert "职业年金投资运营前个人账户…" in sankey_spec(big)["node"]["label"]


def test_trace_up_shows_the_chain_from_project_to_document(env):
    at = run("trace", project="13073022P008368100011", year="2022")
    assert at.radio(key="trace-mode").value == "从项目向上"
    assert at.text[0].value == ("省级城乡居民养老保险补助资金（2022 · 13073022P008368100011） ← "
                                "冀财社〔2021〕176号（省级 · 河北省财政厅 · 省级补助资金，1,384.00 万元）")
    docs = at.dataframe[0].value
    assert list(docs["文号"]) == ["冀财社〔2021〕176号"] and list(docs["金额(万元)"]) == [Decimal("1384.00")]
    assert sankey_spec(at)["node"]["label"] == ["省级城乡居民养老保险补助资金", "省级 · 省级补助资金",
                                               "冀财社〔2021〕176号"]


def test_trace_up_of_a_project_without_documents_names_its_fund_rule(env):
    at = run("trace", project="13073022P009FJ510002R")
    assert at.text[0].value == "城乡居民养老县级配套（2022 · 13073022P009FJ510002R） ← 县级 · 县级配套（未引用文号，按资金规则判定）"
    assert {m.label: m.value for m in at.metric}["合计（万元）"] == "2,100.00"


def test_project_page_lists_its_findings_with_source_lines(env):
    at = run(project="13073022P009FJ510002R", year="2022")
    findings = table_with(at, "规则")
    over = findings[findings["规则"] == "R7.1 比率指标超过100%"]
    assert list(over["级别"]) == ["错误"] * 4
    assert list(over["原文值"]) == ["1100%", "≥195%", "≥190%", "≥190%"]
    assert list(over["行"]) == ["1664–1669", "1671–1676", "1685–1690", "1692–1697"]
    assert len(findings) == 6 and list(findings["级别"])[:4] == ["错误"] * 4  # most severe first
    assert any("共 6 条（错误 4，提示 2）" in c.value for c in at.caption)
    # each finding's source lines as an excerpt of the original file
    excerpt = next(c.value for c in at.code if c.value.startswith("1664"))
    assert excerpt.splitlines()[-1].startswith("1669") and "1100%" in excerpt


def test_project_page_shows_the_amount_change_across_years(env):
    at = run(project="13073022P007920100026", year="2022")
    metric = next(m for m in at.metric if m.label == "2022 年预算（万元）")
    assert metric.value == "3,000.00"
    assert metric.delta == "+893.00 万元（+42.38%）较上年"
    history = table_with(at, "增减(万元)")
    assert list(history["项目编码"]) == ["13073021XSNQ6GTAT4G0A", "13073022P007920100026"]
    assert list(history["预算数(万元)"]) == [Decimal("2107.00"), Decimal("3000.00")]
    chart = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]
    assert chart["text"] == ["2,107.00", "3,000.00"]


@pytest.mark.parametrize("page, params, message", [
    ("search", {"q": "火星探测"}, "没有找到与「火星探测」相符的项目"),
    ("doc", {"doc": "冀财社〔2099〕1号"}, "没有找到文号「冀财社〔2099〕1号」"),
    ("doc", {"doc": "就业"}, "「就业」不像文号"),
    ("trace", {"doc": "冀财社〔2099〕1号"}, "没有找到可追溯的资金"),
    ("trace", {"doc": "冀人社字〔2021〕222号"}, "冀人社字〔2021〕222号 没有拨款到任何项目"),
    ("trace", {"project": "NOSUCHCODE"}, "资金血缘中没有项目 NOSUCHCODE"),
    ("project", {"project": "NOSUCHCODE"}, "没有找到项目编码 NOSUCHCODE"),
    ("unit", {"unit": "999999"}, "没有找到单位编码 999999"),
])
def test_every_page_says_in_chinese_when_nothing_is_found(env, page, params, message):
    at = run(page, **params)
    assert message in texts(at)
    assert not at.error and not at.get("plotly_chart")


def test_search_hits_show_amounts_as_printed(env):
    at = run(q="冀财社2021 176")
    hits = [c.value for c in at.caption if " 万元 · " in c.value]
    assert hits == ["2022 年 · 社会保险事业中心（316007）· 预算 1,384.00 万元 · 13073022P008368100011",
                    "2022 年 · 社会保险事业中心（316007）· 预算 44.00 万元 · 13073022P00836810002L"]


@pytest.mark.parametrize("value, shown", [
    (Decimal("1384"), "1,384.00"), (Decimal("1384.00"), "1,384.00"), (Decimal("18210.99"), "18,210.99"),
    (Decimal("0.125"), "0.125"), (Decimal("12345678901234.57"), "12,345,678,901,234.57"), (None, "—"),
])
def test_amounts_are_shown_exactly_as_printed(value, shown):
    assert format_wan(value) == shown


def test_a_float_amount_is_refused_and_changes_carry_their_sign():
    with pytest.raises(AmountError):
        format_wan(1384.0)  # type: ignore[arg-type]
    changes = [format_change(Decimal(v)) for v in ("893.00", "-10.5", "0.00")]
    assert changes == ["+893.00", "-10.50", "0.00"]


def test_users_get_the_viewer_toolbar_without_deploy():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["toolbarMode"] == "viewer"


def test_pages_are_not_in_a_pages_directory():
    # With a pages/ folder beside app.py, Streamlit serves the first deep link after start-up
    # (/project?project=…) with its legacy folder navigation instead of app.py's.
    assert not (ROOT / "pages").exists()
    assert (ROOT / "views" / "project.py").is_file()

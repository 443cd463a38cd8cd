"""The Streamlit pages, run headless with AppTest against the sample built into a tmp index."""

from __future__ import annotations

import html
import json
import re
import shutil
import tomllib
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

from kg.build import build
from kg.settings import Settings
from tests.hostile import hostile_document
from views.model.amounts import AmountError, format_change, format_wan
from views.model.files import UploadError, original_names, parse_upload, stage_upload, stored_name
from views.model.text import WORD_JOINER, highlight_md, md_text, plot_lines, plot_text

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


def run(view: str | None = None, /, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params)
    if view:
        at.switch_page(f"views/{view}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain(markdown: str) -> str:
    """What a Markdown source escaped by md_text shows: the escaping backslashes (and the invisible
    word joiners that break autolinks) removed."""
    return _ESCAPED.sub(r"\1", markdown).replace(WORD_JOINER, "")


def markdown_sources(at: AppTest) -> list[str]:
    """Every Markdown source the page hands to the browser (text, alerts, labels, metrics)."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.title, *at.info, *at.warning, *at.error,
                               *at.success)]
    parts += [x for m in at.metric for x in (m.label, m.value, m.delta) if x]
    parts += [link.proto.label for link in at.get("page_link")]
    parts += [w.label for w in (*at.text_input, *at.selectbox, *at.number_input, *at.button)]
    return [str(p) for p in parts]


def texts(at: AppTest) -> str:
    """Every text the page shows (markdown, text, code, metrics, captions, dataframes) as one string."""
    parts = [plain(m) for m in markdown_sources(at)]
    parts += [e.value for e in (*at.text, *at.code)]
    parts += [f"{plain(m.label)}={plain(m.value)}" for m in at.metric]
    parts += [df.value.to_csv(index=False) for df in at.dataframe]
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
    picked = next(box for box in at.selectbox if box.label == "项目")  # the picker starts at the project shown
    assert picked.value.project_code == "13073022P00817010003J"
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
    at.toggle(key="years-list").set_value(True).run()
    changes = at.dataframe[-1].value
    assert len(changes) == 8 + 4 + 5 + 11
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
    assert not list((settings.data_dir / "added").glob("broken*"))
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
    assert "已加入 script.txt（保存为 script-" in plain(at.success[0].value)
    at = run(project="130730219SCRIPTTEST01")
    heading = next(m for m in at.markdown if "script" in m.value)
    assert not heading.allow_html
    assert "\\<script\\>alert\\(1\\)\\<\\/script\\>" in heading.value
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
        "冀财社〔2021〕176号", "省级 · 省级补助资金", "张家口市", "怀来县", "社会保险事业中心",
        "省级城乡居民养老保险补助资金 ·0011", "省级城乡居民养老保险补助资金 ·002L",
    ]
    # the full printed name, code and amount in the hover of a project
    assert sankey["node"]["customdata"][5] == (
        "冀财社﹝2021﹞176号 河北省财政厅关于提前下达2022年省级城乡居民养老保险补助资金预算指标的通知"
        "<br>2022 年 · 13073022P008368100011<br>社会保险事业中心 · 1,384.00 万元")
    assert sankey["link"]["customdata"] == [
        "省级 · 省级补助资金 → 冀财社〔2021〕176号<br>1,428.00 万元",
        "冀财社〔2021〕176号 → 张家口市<br>1,428.00 万元",
        "张家口市 → 怀来县<br>1,428.00 万元",
        "怀来县 → 社会保险事业中心<br>1,428.00 万元",
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
    assert hits == ["2022 年 · 怀来县 · 社会保险事业中心（316007）· 预算 1,384.00 万元 · 13073022P008368100011",
                    "2022 年 · 怀来县 · 社会保险事业中心（316007）· 预算 44.00 万元 · 13073022P00836810002L"]


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


# --- untrusted text is shown as text (issue 17: deep links and data rendered as Markdown) ---

HOSTILE = [
    "![x](http://127.0.0.1:9/x)", "[a](http://phish.example/)", "<img src=http://127.0.0.1:9/i>",
    "**bold**", "`code`", "$x^2$", ":red[红] :material/hub:", "&lt;b&gt;", "a\\b", "<http://h.example>",
    "www.phish.example http://phish.example", "~~del~~ _em_ # h", "| a | b |",
]


def render(markdown: str) -> str:
    """HTML of a Markdown source by a CommonMark parser with GFM tables and strikethrough."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


@pytest.mark.parametrize("value", HOSTILE)
def test_md_text_shows_markup_as_its_characters(value):
    assert render(md_text(value)).replace(WORD_JOINER, "") == f"<p>{html.escape(value, quote=False)}</p>\n"


def test_md_text_keeps_a_value_on_one_line():
    assert render(md_text("1. 项目\n# 标题\n    缩进")) == "<p>1. 项目 # 标题     缩进</p>\n"


@pytest.mark.parametrize("value, broken", [
    ("见 http://phish.example/a", "http\u2060\\:\\/\\/phish"), ("www.phish.example", "www\u2060\\."),
    ("a@phish.example", "a\u2060\\@phish"), ("HTTPS://X.EXAMPLE", "HTTPS\u2060\\:"),
])
def test_md_text_breaks_bare_urls_and_addresses_that_gfm_would_link(value, broken):
    # GFM links bare URLs on the text after escapes are resolved; a word joiner stops the pattern
    assert broken in md_text(value)
    assert plain(md_text(value)) == value


def test_plot_text_makes_plotly_markup_inert():
    assert plot_text('<a href="http://h">x</a><br>') == '&lt;a href="http://h"&gt;x&lt;/a&gt;&lt;br&gt;'
    assert plot_lines("名称<b>", "2022 年") == "名称&lt;b&gt;<br>2022 年"


def inert(at: AppTest) -> list[str]:
    """Markup the page would render from its Markdown sources and plotly charts (should be none)."""
    # the pages' own markup is bold and headings; anything else came from the data
    markup = r"<(img|a|em|code|del|table)\b|<strong>(粗体|补贴|粗|bold)</strong>"
    found = [m for m in markdown_sources(at) if re.search(markup, render(m))]
    for chart in at.get("plotly_chart"):
        found += re.findall(r"<(?:img|a|b|i|span)\b[^>]*>", chart.proto.spec)
    return found


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Settings:
    tmp = tmp_path_factory.mktemp("ui-hostile")
    (tmp / "data").mkdir()
    (tmp / "data" / "![f](http%3A%2F%2F127.0.0.1%3A9%2Ff).txt").write_text(
        hostile_document("http://127.0.0.1:9"), encoding="utf-8")
    settings = Settings(data_dir=tmp / "data", index_dir=tmp / "indexes")
    build(settings)
    return settings


@pytest.fixture
def hostile_env(hostile, monkeypatch) -> Settings:
    monkeypatch.setenv("HRSS_DATA_DIR", str(hostile.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(hostile.index_dir))
    return hostile


@pytest.mark.parametrize("page, params", [
    ("search", {"q": "培训补贴"}),
    ("doc", {"doc": "冀财社〔2022〕88号"}),
    ("trace", {"doc": "冀财社〔2022〕88号"}),
    ("trace", {"project": "13068123HOST1LE000001"}),
    ("project", {"project": "13068123HOST1LE000001", "year": "2023"}),
    ("unit", {"unit": "401009"}),
    ("unit", {}),
    ("years", {}),
    ("quality", {}),
])
def test_document_text_with_markup_is_shown_as_text_on_every_page(hostile_env, page, params):
    at = run(page, **params)
    assert not inert(at), inert(at)
    shown = texts(at)
    assert "http://127.0.0.1:9/" in shown or "粗体" in shown or page in ("years", "quality")


def test_hostile_names_show_their_characters(hostile_env):
    at = run("project", project="13068123HOST1LE000001", year="2023")
    heading = next(m.value for m in at.markdown if m.value.startswith("### "))
    assert plain(heading) == "### ![t](http://127.0.0.1:9/title)培训[点我](http://phish.example/)**补贴**绩效目标表"
    unit = next(link.proto.label for link in at.get("page_link") if "401009" in link.proto.label)
    assert plain(unit) == "401009 涿州市![u](http://127.0.0.1:9/unit)<img src=http://127.0.0.1:9/unit-tag>中心"
    assert not inert(at)


@pytest.mark.parametrize("page, params", [
    (None, {"doc": "![x](http://127.0.0.1:9/x)"}),
    ("doc", {"doc": "[a](http://phish.example/) 冀财社2021"}),
    ("trace", {"doc": "<img src=http://127.0.0.1:9/x>"}),
    ("trace", {"project": "**粗**![x](http://127.0.0.1:9/x)"}),
    ("search", {"q": "![x](http://127.0.0.1:9/x)"}),
    ("search", {"q": "就业", "unit": "![x](http://127.0.0.1:9/x)"}),
    ("project", {"project": "![x](http://127.0.0.1:9/x)"}),
    ("unit", {"unit": "$x$![x](http://127.0.0.1:9/x)"}),
])
def test_deep_link_text_is_shown_as_text(env, page, params):
    at = run(page, **params)
    assert not inert(at), inert(at)
    if "q" not in params:  # a search shows its query only in the box (as text)
        assert "http://127.0.0.1:9/x" in texts(at) or "phish" in texts(at)


# --- bad URL parameters fall back to defaults with a notice, never an exception box ---

@pytest.mark.parametrize("page, params, notice, reset", [
    ("search", {"q": "就业", "min": "abc"}, "网址参数 min=abc 无效（不是数字），已改用不限", "min"),
    ("search", {"q": "就业", "max": "-5"}, "网址参数 max=-5 无效（金额不能为负数），已改用不限", "max"),
    ("search", {"q": "就业", "min": "1e309"}, "网址参数 min=1e309 无效（超过上限", "min"),
    ("search", {"q": "就业", "max": "nan"}, "网址参数 max=nan 无效（不是有限的数字）", "max"),
    ("search", {"q": "就业", "year": "1999"}, "网址参数 year=1999 无效（没有这个选项），已改用全部年度", "year"),
    ("search", {"q": "就业", "unit": "垃圾"}, "网址参数 unit=垃圾 无效（没有这个选项），已改用全部单位", "unit"),
    ("search", {"q": "就业", "theme": "x"}, "网址参数 theme=x 无效（没有这个选项），已改用全部主题", "theme"),
    ("search", {"q": "就业", "page": "-3"}, "网址参数 page=-3 无效（超出范围），已改用第 1 页", "page"),
    ("project", {"project": "13073022P00817010003J", "year": "abc"}, "网址参数 year=abc 无效（不是整数）", None),
    ("trace", {"project": "13073022P008368100011", "year": "99999"}, "网址参数 year=99999 无效（超出范围）",
     None),
    ("years", {"to": "1800"}, "网址参数 to=1800 无效（没有这个值），已改用2022 年", "to"),
    ("years", {"from": "abc"}, "网址参数 from=abc 无效（不是整数），已改用2021 年", "from"),
    ("years", {"region": "999999"}, "网址参数 region=999999 无效（没有这个地区），已改用全部地区", "region"),
    ("unit", {"region": "x![a](http://h.example)"}, "网址参数 region=x![a](http://h.example) 无效（没有这个地区）",
     "region"),
    ("search", {"q": "就业", "region": "999999"}, "网址参数 region=999999 无效（没有这个选项），已改用全部地区", "region"),
    ("sparql", {"query": "no-such-query"}, "网址参数 query=no-such-query 无效（没有这个选项）", "query"),
])
def test_bad_url_parameters_fall_back_with_a_notice(env, page, params, notice, reset):
    at = run(page, **params)  # run() asserts no exception box
    assert any(notice in plain(w.value) for w in at.warning), [w.value for w in at.warning]
    if reset:
        assert at.query_params.get(reset) != [params[reset]]


def test_bad_amount_bounds_still_search(env):
    at = run(q="就业补助", min="abc", max="-5")
    assert "共 " in texts(at) and at.number_input(key="search-min").value == 0.0


# --- uploads: unique stored names, long names, the original name kept ---

def test_stored_names_are_short_unique_and_safe():
    long = "预" * 300 + ".txt"
    name = stored_name(long, b"a")
    assert len(name.encode()) < 255 and name.startswith("预" * 60 + "-") and name.endswith(".txt")
    assert stored_name("同名.txt", b"a") != stored_name("同名.txt", b"b")
    assert stored_name("同名.txt", b"a") == stored_name("同名.txt", b"a")
    assert stored_name("..\\../a/b:c?.TXT", b"") == "b_c-e3b0c44298fc.txt"
    with pytest.raises(UploadError):
        stored_name("x.exe", b"")


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="data-upload").set_value((name, data, "text/plain"))
    at.run()
    at.button(key="data-add").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _one_table(code: str, unit: str = "316001怀来县人力资源和社会保障局") -> bytes:
    head = "一级指标\t二级指标\t三级指标\t绩效指标描述\t指标值\t指标值确定依据"
    return "\n".join([
        "1.培训经费绩效目标表", f"{unit}\t单位：万元", f"项目编码\t{code}\t项目名称\t培训经费",
        "预算规模及资金用途\t预算数\t7.00\t其中：财政资金\t7.00\t其他资金\t0", "绩效目标\t1.完成培训", "",
        head, "产出指标\t数量指标\t培训人次\t全年完成\t≥80人次\t年度计划", "",
    ]).encode()


def test_same_named_uploads_are_both_kept_and_a_300_character_name_works(tmp_path, monkeypatch):
    settings = _build(tmp_path)
    monkeypatch.setenv("HRSS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(settings.index_dir))
    from kg.workspace import Workspace

    at = _upload(run("data"), "同名.txt", _one_table("130730229UPLOADA00001"))
    assert "已加入 同名.txt（保存为 同名-" in plain(at.success[0].value)
    at = _upload(run("data"), "同名.txt", _one_table("130730229UPLOADB00002"))
    long = "很长的文件名" * 50 + ".txt"  # 300 characters, 900 bytes: over NAME_MAX
    at = _upload(run("data"), long, _one_table("130730229UPLOADC00003"))
    assert f"已加入 {long}" in plain(at.success[0].value)
    codes = {p.project_code for p in Workspace(settings.index_dir).load_corpus().projects}
    assert {"130730229UPLOADA00001", "130730229UPLOADB00002", "130730229UPLOADC00003"} <= codes
    stored = sorted(p.name for p in (settings.data_dir / "added").glob("*.txt"))
    assert len(stored) == 3 and all(len(n.encode()) < 255 for n in stored)
    originals = original_names(settings)
    assert sorted(originals.values()) == sorted(["同名.txt", "同名.txt", long])
    assert set(originals) == set(stored)


def test_the_same_content_uploaded_again_is_not_added_twice(tmp_path, monkeypatch):
    settings = _build(tmp_path)
    monkeypatch.setenv("HRSS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(settings.index_dir))
    from kg.workspace import Workspace

    data = _one_table("130730229UPLOADD00004")
    _upload(run("data"), "第一次.txt", data)
    version = Workspace(settings.index_dir).version
    at = _upload(run("data"), "第二次.txt", data)
    assert "第二次.txt 的内容已经导入过" in plain(at.success[0].value)
    assert Workspace(settings.index_dir).version == version
    assert len(list((settings.data_dir / "added").glob("*.txt"))) == 1


def test_highlights_are_inert_and_neighbouring_matches_join():
    segments = [("就业", True), ("补助", True), ("![x](http://h/x)", False), ("**", True)]
    assert highlight_md(segments) == (":orange-background[就业补助]\\!\\[x\\]\\(http\u2060\\:\\/\\/h\\/x\\)"
                                      ":orange-background[\\*\\*]")


def test_no_page_hands_raw_html_to_the_browser():
    sources = [ROOT / "app.py", *sorted((ROOT / "views").rglob("*.py"))]
    offenders = [p.name for p in sources
                 if re.search(r"unsafe_allow_html\s*=\s*True|\bst\.html\(|components\.v1", p.read_text("utf-8"))]
    assert offenders == []


def test_the_core_never_imports_the_views():
    offenders = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "kg").rglob("*.py"))
                 if re.search(r"^\s*(from|import)\s+views\b", p.read_text("utf-8"), re.M)]
    assert offenders == []


def test_an_upload_name_with_control_characters_is_staged_and_parsed(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "indexes")
    staged = stage_upload(settings, "坏\x00名\n字.txt", _one_table("130730229UPLOADE00005"))
    assert staged.path.name.startswith("坏_名_字-") and staged.original_name == "坏\x00名\n字.txt"
    assert [p.project_code for p in parse_upload(staged).projects] == ["130730229UPLOADE00005"]


def test_a_word_upload_is_read_and_added(tmp_path, monkeypatch):
    settings = _build(tmp_path)
    monkeypatch.setenv("HRSS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(settings.index_dir))
    data = (ROOT / "tests" / "data" / "native" / "small.docx").read_bytes()
    at = run("data")
    uploader = at.file_uploader(key="data-upload")
    assert ".docx" in uploader.label and ".pdf" in uploader.label
    at = _upload(at, "小样.docx", data)
    assert "已加入 小样.docx（保存为 小样-" in plain(at.success[0].value)
    assert len(list((settings.data_dir / "added").glob("小样-*.docx"))) == 1


# --- regions: two invented counties whose units share codes (tests/regions_fixture.py) ---

@pytest.fixture(scope="module")
def counties(tmp_path_factory) -> Settings:
    from tests.regions_fixture import write_counties

    tmp = tmp_path_factory.mktemp("ui-counties")
    write_counties(tmp / "data")
    settings = Settings(data_dir=tmp / "data", index_dir=tmp / "indexes")
    build(settings)
    return settings


@pytest.fixture
def counties_env(counties, monkeypatch) -> Settings:
    monkeypatch.setenv("HRSS_DATA_DIR", str(counties.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(counties.index_dir))
    return counties


def test_unit_page_lists_each_county_s_units_with_their_totals_per_year(counties_env):
    at = run("unit")
    units = at.dataframe[-1].value.set_index(["县（区）", "单位编码"])
    assert len(units) == 8  # four codes, two counties: never merged
    assert units.loc[("涿鹿县", "901002"), "2021年预算(万元)"] == Decimal("560.00")
    assert units.loc[("赤城县", "901002"), "2021年预算(万元)"] == Decimal("470.00")
    assert units.loc[("赤城县", "901002"), "2022年预算(万元)"] == Decimal("500.00")
    assert units.loc[("涿鹿县", "901001"), "单位"] == "涿鹿县人力资源和社会保障局"
    assert set(units["市"]) == {"张家口市"} and set(units["省"]) == {"河北省"}


def test_a_unit_code_of_two_counties_offers_both(counties_env):
    at = run(None, unit="901002")  # the old deep link, on a bare URL
    choices = [(plain(link.proto.label), dict(parse_qsl(link.proto.query_string)))
               for link in at.get("page_link") if "901002" in link.proto.label]
    assert [label for label, _ in choices] == ["河北省 › 张家口市 › 涿鹿县 · 901002 社会保险事业中心",
                                               "河北省 › 张家口市 › 赤城县 · 901002 社会保险事业中心"]
    assert [q["region"] for _, q in choices] == ["130731", "130732"]
    assert not at.metric


def test_unit_and_region_open_that_county_s_unit(counties_env):
    at = run("unit", unit="901002", region="130732")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"2021 年预算（万元）": "470.00", "2022 年预算（万元）": "500.00"}
    projects = table_with(at, "项目编码")
    assert set(projects["项目编码"]) == {"13073221RGTEST9010020001", "13073222RGTEST9010020001"}
    assert set(projects["文号"]) == {"冀财社〔2021〕99号"} and set(projects["地区编码"]) == {"130732"}
    changes = table_with(at, "变化")
    assert list(changes["变化"]) == ["增加"] and list(changes["增减(万元)"]) == [Decimal("30.00")]


@pytest.mark.parametrize("params", [{"region": "130700"}, {}])  # one province, one city: shown inside
def test_years_page_drills_down_to_county_subtotals_that_add_up(counties_env, params):
    at = run("years", **params)
    table = at.dataframe[0].value.set_index("名称")
    assert list(table.index) == ["涿鹿县", "赤城县", "合计"]
    assert table.loc["涿鹿县", "2022年预算(万元)"] == Decimal("943.00")
    assert table.loc["赤城县", "2022年预算(万元)"] == Decimal("680.00")
    assert table.loc["合计", "2022年预算(万元)"] == Decimal("1623.00") == sum(table["2022年预算(万元)"][:2])
    assert table.loc["合计", "2021年项目数"] == 2
    assert {m.label: m.value for m in at.metric}["新增"] == "6"


def test_years_page_drills_into_a_county_s_units_and_one_unit(counties_env):
    at = run("years", region="130732")
    table = at.dataframe[0].value.set_index("编码")
    assert table.loc["901002", "名称"] == "901002 社会保险事业中心"
    assert table.loc["901002", "2021年预算(万元)"] == Decimal("470.00")
    assert table.loc["130732", "2022年预算(万元)"] == Decimal("680.00")  # 合计 of 赤城县
    at = run("years", region="130732", unit="901002")
    assert list(at.dataframe[0].value["预算数(万元)"]) == [Decimal("470.00"), Decimal("500.00")]
    assert {m.label: m.value for m in at.metric}["增加"] == "1"


SHARED_PROJECT = "13073122RGTEST9010020001"


@pytest.fixture
def shared_code_env(tmp_path, monkeypatch) -> Settings:
    """The two counties, 赤城县's 2022 社会保险事业中心 project printed with 涿鹿县's 项目编码."""
    from tests.regions_fixture import write_counties

    write_counties(tmp_path / "data")
    chicheng = tmp_path / "data" / "county_130732.txt"
    text = chicheng.read_text(encoding="utf-8")
    chicheng.write_text(text.replace("13073222RGTEST9010020001", SHARED_PROJECT), encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "indexes")
    build(settings)
    monkeypatch.setenv("HRSS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(settings.index_dir))
    return settings


def test_a_project_code_of_two_counties_offers_both_and_region_opens_one(shared_code_env):
    at = run(None, project=SHARED_PROJECT)
    choices = {plain(link.proto.label): dict(parse_qsl(link.proto.query_string))["region"]
               for link in at.get("page_link") if SHARED_PROJECT in link.proto.label}
    name = f"{SHARED_PROJECT} 冀财社〔2021〕99号2022年城乡居民养老保险补助"
    assert choices == {f"河北省 › 张家口市 › 涿鹿县 · {name}": "130731", f"河北省 › 张家口市 › 赤城县 · {name}": "130732"}
    assert not at.metric
    at = run("project", project=SHARED_PROJECT, region="130732")
    assert {m.label: m.value for m in at.metric}["预算数（万元）"] == "500.00"
    unit = next(link for link in at.get("page_link") if "社会保险事业中心" in link.proto.label)
    assert dict(parse_qsl(unit.proto.query_string)) == {"unit": "901002", "region": "130732"}


def test_search_filters_by_region_and_counts_projects_by_province_city_and_county(counties_env):
    at = run("search", q="城乡居民养老保险补助")
    assert "共 4 条结果" in texts(at)
    shown = texts(at)
    assert {"**省**", "**市**", "**县（区）**"} <= {m.value for m in at.markdown}
    assert "河北省  (4)" in shown and "张家口市  (4)" in shown
    assert "涿鹿县  (2)" in shown and "赤城县  (2)" in shown
    at = run("search", q="城乡居民养老保险补助", region="130732")
    hits = [c.value for c in at.caption if " 万元 · " in c.value]
    assert sorted(hits) == [
        "2021 年 · 赤城县 · 社会保险事业中心（901002）· 预算 470.00 万元 · 13073221RGTEST9010020001",
        "2022 年 · 赤城县 · 社会保险事业中心（901002）· 预算 500.00 万元 · 13073222RGTEST9010020001"]
    assert at.selectbox(key="search-region").value == "130732"
    link = next(link for link in at.get("page_link") if link.proto.label == "打开项目")
    assert dict(parse_qsl(link.proto.query_string))["region"] == "130732"


def _unit_links(at: AppTest) -> dict[str, dict[str, str]]:
    """The links to 单位 pages, by their label as shown (Markdown escapes removed)."""
    return {link.proto.label.replace("\\", ""): dict(parse_qsl(link.proto.query_string))
            for link in at.get("page_link") if link.proto.page == "unit"}


def test_search_unit_facet_counts_each_county_s_unit_apart_and_opens_its_unit_page(counties_env):
    links = _unit_links(run("search", q="城乡居民养老保险补助"))
    assert links["涿鹿县 · 901002 社会保险事业中心  (2)"] == {"unit": "901002", "region": "130731"}
    assert links["赤城县 · 901002 社会保险事业中心  (2)"] == {"unit": "901002", "region": "130732"}
    links = _unit_links(run("search", q="城乡居民养老保险补助", unit="901002", unit_region="130731"))
    assert list(links) == ["涿鹿县 · 901002 社会保险事业中心  (2)"]


def _refuse(monkeypatch, *targets: str) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("a page read the whole build")

    for target in targets:
        monkeypatch.setattr(target, refuse)


@pytest.fixture
def no_records(monkeypatch):
    """The records cannot be loaded, nor the whole lineage or the whole findings list: a page that
    tries fails."""
    _refuse(monkeypatch, "kg.published.read_records", "kg.workspace.read_records", "kg.corpus.load_corpus",
            "kg.published.load_lineage", "kg.published.load_findings")


@pytest.mark.parametrize("region, county, budget, history", [
    ("130732", "赤城县", "500.00", [Decimal("470.00"), Decimal("500.00")]),
    ("130731", "涿鹿县", "600.00", [Decimal("560.00"), Decimal("600.00")]),
])
def test_project_page_of_a_shared_code_shows_its_county_s_project_from_its_own_item(
        shared_code_env, no_records, region, county, budget, history):
    at = run("project", project=SHARED_PROJECT, region=region)
    assert {m.label: m.value for m in at.metric}["预算数（万元）"] == budget
    assert any(f"河北省 › 张家口市 › {county}" in c.value for c in at.caption)
    years = table_with(at, "增减(万元)")
    assert list(years["预算数(万元)"]) == history and set(years["地区编码"]) == {region}
    from kg.audit.engine import load_findings

    every = [f for f in load_findings(shared_code_env) if f.project_code == SHARED_PROJECT and f.year == 2022]
    own = [f for f in every if f.region_code == region]
    assert len(own) < len(every)  # the other county's findings on the same code are not shown
    assert sorted(table_with(at, "规则")["说明"]) == sorted(f.message for f in own)


def test_project_picker_opens_a_unit_s_project_without_the_records(counties_env, no_records):
    from kg.rdf.iri import UnitKey

    at = run("project")
    assert not at.metric
    next(box for box in at.selectbox if box.label == "单位").select(UnitKey("130732", "901002")).run()
    projects = next(box for box in at.selectbox if box.label == "项目")
    assert [o.rsplit(" · ", 1)[-1] for o in projects.options] == ["13073222RGTEST9010020001",
                                                                  "13073221RGTEST9010020001"]
    projects.select_index(1).run()
    assert {m.label: m.value for m in at.metric}["预算数（万元）"] == "470.00"


def test_quality_page_reads_neither_the_records_nor_every_finding(counties_env, no_records):
    at = run("quality")
    assert not at.exception and "解析源文件时的" in texts(at)
    assert len(table_with(at, "原文值")) == sum(table_with(at, "条数")["条数"]) > 0


@pytest.fixture
def counties_copy(tmp_path, monkeypatch) -> Settings:
    """The two counties built afresh in tmp_path (uploads change it)."""
    from tests.regions_fixture import write_counties

    write_counties(tmp_path / "data")
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "indexes")
    build(settings)
    monkeypatch.setenv("HRSS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(settings.index_dir))
    return settings


NO_PLACE = "99990023NOPLACE000001"  # a table that names no place: the upload's 地区 places it


def test_an_upload_given_a_region_by_name_is_placed_there_as_kg_add_region_does(counties_copy):
    from kg.sources import read_sources

    at = run("data")
    at.file_uploader(key="data-upload").set_value(("档案.txt", _one_table(NO_PLACE, "909001档案室"), "text/plain"))
    at.run()
    at.text_input(key="data-region").input("赤城县").run()
    assert "地区：河北省 › 张家口市 › 赤城县（130732）" in texts(at)
    at.button(key="data-add").click().run()
    assert not at.exception and "地区 河北省 › 张家口市 › 赤城县" in plain(at.success[0].value)
    rows, _ = read_sources(counties_copy.data_dir)
    assert [(r.original_name, r.region_code) for r in rows] == [("档案.txt", "130732")]
    at = run("project", project=NO_PLACE)
    assert any("河北省 › 张家口市 › 赤城县" in c.value for c in at.caption)
    assert {m.label: m.value for m in at.metric}["预算数（万元）"] == "7.00"


@pytest.mark.parametrize("text, message", [
    ("桥西区", "地区 桥西区 不唯一"),
    ("火星县", "没有这个地区: 火星县"),
])
def test_an_upload_region_naming_no_region_or_several_is_refused(counties_copy, text, message):
    at = run("data")
    at.file_uploader(key="data-upload").set_value(("档案.txt", _one_table(NO_PLACE, "909001档案室"), "text/plain"))
    at.run()
    at.text_input(key="data-region").input(text).run()
    assert message in plain(at.error[0].value)
    assert at.button(key="data-add").disabled
    assert not (counties_copy.data_dir / "sources.csv").exists()


def test_search_unit_filter_names_each_unit_s_county_and_searches_that_unit_alone(counties_env):
    at = run("search", q="城乡居民养老保险补助")
    box = at.selectbox(key="search-unit-全部")
    assert [o for o in box.options if "901002" in o] == ["涿鹿县 · 901002 社会保险事业中心",
                                                        "赤城县 · 901002 社会保险事业中心"]
    box.select_index(box.options.index("赤城县 · 901002 社会保险事业中心")).run()
    hits = sorted(c.value for c in at.caption if " 万元 · " in c.value)
    assert hits == [
        "2021 年 · 赤城县 · 社会保险事业中心（901002）· 预算 470.00 万元 · 13073221RGTEST9010020001",
        "2022 年 · 赤城县 · 社会保险事业中心（901002）· 预算 500.00 万元 · 13073222RGTEST9010020001"]
    assert at.selectbox(key="search-region").value == "全部"  # no 地区 needed
    assert {k: at.query_params[k] for k in ("unit", "unit_region")} in (
        {"unit": "901002", "unit_region": "130732"}, {"unit": ["901002"], "unit_region": ["130732"]})


def test_search_unit_link_keeps_its_region_and_a_bare_shared_code_is_asked_for(counties_env):
    at = run("search", q="城乡居民养老保险补助", unit="901002", unit_region="130731")
    assert "共 2 条结果" in texts(at) and "涿鹿县 · 社会保险事业中心" in texts(at)
    at = run("search", q="城乡居民养老保险补助", unit="901002")
    assert any("2 个地区使用这个单位编码" in plain(w.value) for w in at.warning)
    assert "共 4 条结果" in texts(at)


def test_findings_streamed_and_counted_are_the_findings_stored(env):
    from kg.audit.engine import iter_findings, load_findings, read_finding_counts
    from kg.workspace import Workspace

    stored = load_findings(env)
    build_dir = Workspace(env.index_dir).current
    assert list(iter_findings(build_dir)) == stored
    counts = read_finding_counts(build_dir)
    assert sum(c.count for c in counts) == len(stored)
    assert sum(c.count for c in counts if c.rule_id == "R7.1") == sum(f.rule_id == "R7.1" for f in stored)


def test_quality_page_filters_by_severity_from_the_counts(env):
    from kg.audit.engine import load_findings

    at = run("quality")
    at.selectbox(key="q-sev").select("错误").run()
    rows = table_with(at, "原文值")
    assert set(rows["级别"]) == {"错误"}
    assert len(rows) == sum(f.severity == "错误" for f in load_findings(env))


def test_quality_page_shows_findings_a_page_at_a_time_and_downloads_all_on_request(env):
    from views.quality import PAGE_ROWS

    at = run("quality")
    total = sum(at.dataframe[0].value["条数"])
    assert len(table_with(at, "原文值")) == min(total, PAGE_ROWS) and total > 20
    assert not at.get("download_button")  # the files are made when asked for
    at.button(key="q-dl-make").click().run()
    assert len(at.get("download_button")) == 2


def test_tables_show_a_missing_amount_or_count_as_a_dash_never_none():
    from views import _ui

    rows = [{"名称": "甲", "2021年预算(万元)": None, "2022年预算(万元)": Decimal("12.5"), "2021年项目数": None},
            {"名称": "乙", "2021年预算(万元)": None, "2022年预算(万元)": None, "2021年项目数": 3}]
    styler = _ui._styled(_ui.frame(rows))
    styler._compute()
    shown = [[cell["display_value"] for cell in row[1:]] for row in styler._translate(False, False)["body"]]
    assert shown == [["甲", "—", "12.50", "—"], ["乙", "—", "—", "3"]]


def test_every_deep_link_in_the_readme_names_a_page_the_app_has():
    """`/search?…` opens "page not found": the default page (搜索) lives at `/`, the others at their key."""
    from views._ui import PAGES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = {m.group(1) for m in re.finditer(r"`(/[a-z]*)\?[^`]*`", readme)}
    assert "/" in paths and "/unit" in paths and "/years" in paths
    assert paths <= {"/"} | {f"/{key}" for key in PAGES if key != "search"}

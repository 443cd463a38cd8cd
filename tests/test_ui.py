"""The Streamlit pages, run headless with AppTest against the sample built into a tmp index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kg.build import build
from kg.settings import Settings

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
        at.switch_page(f"pages/{page}.py").run()
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
    assert "453  [bookmark: _Toc_4_4_0000000004]1.[13073022X000010998170]怀财资【2022】7号" in at.code[0].value
    assert at.code[0].value.splitlines()[-1].startswith("537")


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


def test_years_page_lists_new_and_gone_projects(env):
    at = run("years")
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["新增"]) > 0 and int(metrics["取消"]) > 0
    changes = at.dataframe[-1].value
    grown = changes[changes["变化"] == "增加"]
    assert "企业养老保险县级配套" in set(grown["项目"])


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
    assert "1.人才<script>alert(1)</script>中心办公经费绩效目标表" in at.code[0].value


@pytest.mark.parametrize("fmt, name", [("ttl", "hrss-kg.ttl"), ("xlsx", "hrss-kg.xlsx"), ("csv", "hrss-kg-csv.zip")])
def test_export_offers_the_graph_as_a_download(env, fmt, name):
    at = run("data")
    at.selectbox(key="data-format").set_value(fmt)
    at.button(key="data-export").click().run()
    assert not at.exception
    button = at.get("download_button")[0]
    assert name in button.proto.label

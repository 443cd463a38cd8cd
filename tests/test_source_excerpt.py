"""The 项目 page's source excerpt for every format: the rows the parser read, as the file prints them."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import DATA
from ingest.errors import SourceError
from ingest.records import SourceSpan
from kg.build import build
from kg.corpus import Corpus, load_corpus
from kg.settings import Settings
from views.model.rows import line_range
from views.model.source import source_excerpt, source_image

NATIVE = DATA / "native"
APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.mark.parametrize("name, first_row, amount_row", [
    ("small.docx", "表1 行1  项目编码 | 13068123A1B2C3D4E5F6G | 项目名称 | 职业技能培训补贴",
     "表1 行2  预算规模及资金用途 | 预算数 | 120.50 | 其中：财政资金 | 100.50 | 其他资金 | 20.00"),
    ("small.xlsx", "绩效目标!A9   项目编码 | 13068123A1B2C3D4E5F6G | 项目名称 | 职业技能培训补贴",
     "绩效目标!A10  预算规模及资金用途 | 预算数 | 120.50 | 其中：财政资金 | 100.50 | 其他资金 | 20.00"),
    ("small.pdf", "第1页 表1 行1  项目编码 | 13068123A1B2C3D4E5F6G | 项目名称 | 职业技能培训补贴",
     "第1页 表1 行2  预算规模及资金用途 | 预算数 | 120.50 | 其中：财政资金 | 100.50 | 其他资金 | 20.00"),
    ("small.html", "表1 行1  项目编码 | 13068123A1B2C3D4E5F6G | 项目名称 | 职业技能培训补贴",
     "表1 行2  预算规模及资金用途 | 预算数 | 120.50 | 其中：财政资金 | 100.50 | 其他资金 | 20.00"),
])
def test_excerpt_of_a_native_file_gives_its_rows_with_their_places(name, first_row, amount_row):
    corpus = load_corpus([NATIVE / name])
    project = corpus.projects[0]
    assert (project.project_code, str(project.budget_wan)) == ("13068123A1B2C3D4E5F6G", "120.50")
    lines = source_excerpt(Settings(data_dir=NATIVE), project.span, files(corpus)).splitlines()
    assert first_row in lines
    assert amount_row in lines
    # the last row is the indicator table's last row, as printed
    assert lines[-1].endswith("满意度指标 | 服务对象满意度指标 | 学员满意度 | 学员满意度调查 | ≥90% | 满意度调查")



def files(corpus: Corpus) -> list[str]:
    """The paths the corpus parsed (where a project page finds its source file)."""
    return [r.file for r in corpus.results]

def test_excerpt_of_an_indicator_span_is_its_one_row():
    corpus = load_corpus([NATIVE / "small.xlsx"])
    span = corpus.projects[0].indicators[0].span
    assert source_excerpt(Settings(data_dir=NATIVE), span, files(corpus)) == (
        "绩效目标!A17  产出指标 | 数量指标 | 培训人次 | 全年完成培训人次 | ≥800人次 | 年度计划")


def test_missing_native_file_gives_the_chinese_error(tmp_path):
    corpus = load_corpus([])
    span = SourceSpan("gone.docx", 3, 5, table=1, rows=(1, 3))
    with pytest.raises(SourceError, match="源文件不存在"):
        source_excerpt(Settings(data_dir=tmp_path), span, files(corpus))


@pytest.fixture(scope="module")
def word_build(tmp_path_factory) -> Settings:
    tmp = tmp_path_factory.mktemp("word-build")
    data = tmp / "data"
    data.mkdir()
    shutil.copy(NATIVE / "small.docx", data / "small.docx")
    shutil.copy(DATA / "templates" / "long_term_goals.docx", data / "long_term_goals.docx")
    settings = Settings(data_dir=data, index_dir=tmp / "indexes")
    build(settings)
    return settings


def _project_page(settings: Settings, code: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("HRSS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HRSS_INDEX_DIR", str(settings.index_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(project=code)
    at.switch_page("views/project.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_project_page_of_a_word_file_shows_its_table_rows(word_build, monkeypatch):
    at = _project_page(word_build, "13068123A1B2C3D4E5F6G", monkeypatch)
    excerpt = at.code[-1].value
    assert "表1 行2  预算规模及资金用途 | 预算数 | 120.50 |" in excerpt
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert "small.docx table 1 rows 1-6（表格按行列出，单元格以 | 分隔）" in captions


def test_excerpt_of_a_span_read_back_from_json_is_found_by_its_place():
    corpus = load_corpus([NATIVE / "small.pdf"])
    span = SourceSpan.from_json(corpus.projects[0].indicators[1].span.to_json())
    assert (span.first_line, span.page, span.table, span.rows) == (0, 1, 2, (3, 3))
    assert source_excerpt(Settings(data_dir=NATIVE), span, files(corpus)) == (
        "第1页 表2 行3   | 质量指标 | 培训合格率 | 培训考核合格人数占比 | ≥90% | 行业标准")
    cells = SourceSpan.from_json({"file": "small.xlsx", "sheet": "绩效目标", "cells": "A17:F18"})
    xlsx = load_corpus([NATIVE / "small.xlsx"])
    assert source_excerpt(Settings(data_dir=NATIVE), cells, files(xlsx)).splitlines() == [
        "绩效目标!A17  产出指标 | 数量指标 | 培训人次 | 全年完成培训人次 | ≥800人次 | 年度计划",
        "绩效目标!A18   | 质量指标 | 培训合格率 | 培训考核合格人数占比 | ≥90% | 行业标准"]


def test_row_column_names_the_place_of_a_native_span():
    corpus = load_corpus([NATIVE / "small.xlsx"])
    assert line_range(corpus.projects[0].indicators[0].span) == "绩效目标!A17:F17"
    assert line_range(load_corpus([NATIVE / "small.pdf"]).projects[0].indicators[0].span) == "p.1 table 2 row 2"


def test_project_page_shows_long_term_beside_annual_goals(word_build, monkeypatch):
    at = _project_page(word_build, "14070522B0007", monkeypatch)
    texts = [t.value for t in at.text]
    assert "1.年内完成待遇资格认证2.4万人次\n2.待遇按月足额发放" in texts
    assert "1.三年内参保率稳定在95%以上\n2.建成区乡村三级经办服务网络" in texts
    assert "**中长期目标**" in [m.value for m in at.markdown]
    assert "表1 行4  绩效目标 | 中期目标（2021-2023年） | 年度目标" in at.code[-1].value.splitlines()


def test_pdf_span_gives_its_page_region_as_png():
    corpus = load_corpus([NATIVE / "small.pdf"])
    project = corpus.projects[0]
    png = source_image(Settings(data_dir=NATIVE), project.span, files(corpus), resolution=72)
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
    from PIL import Image

    # table 1 and the indicator table below it on p.1: 84.6–516.55 × 239.4–487.9 pt, padded by 4 pt
    assert Image.open(io.BytesIO(png)).size == (439, 256)
    word = load_corpus([NATIVE / "small.docx"])
    assert source_image(Settings(data_dir=NATIVE), word.projects[0].span, files(word)) is None


def test_project_page_of_a_pdf_shows_the_page_region(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(NATIVE / "small.pdf", data / "small.pdf")
    settings = Settings(data_dir=data, index_dir=tmp_path / "indexes")
    build(settings)
    at = _project_page(settings, "13068123A1B2C3D4E5F6G", monkeypatch)
    assert "第1页 表1 行2  预算规模及资金用途 | 预算数 | 120.50 |" in at.code[-1].value
    (image,) = at.get("image")
    assert image.proto.imgs[0].caption == "PDF 第 1 页中这些表格行的原样（图像）"


def test_audit_span_over_indicator_rows_keeps_their_place():
    from kg.audit.helpers import span_of

    xlsx = load_corpus([NATIVE / "small.xlsx"]).projects[0]
    assert span_of(xlsx.indicators, xlsx.span).to_json() == {
        "file": "small.xlsx", "sheet": "绩效目标", "cells": "A17:F20"}
    pdf = load_corpus([NATIVE / "small.pdf"]).projects[0]
    assert span_of(pdf.indicators[1:3], pdf.span).to_json() == {
        "file": "small.pdf", "page": 1, "table": 2, "rows": [3, 4]}

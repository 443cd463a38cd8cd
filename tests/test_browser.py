"""End to end in a real browser: Debian's chromium driven by Playwright against `streamlit run app.py`.

Search, open a hit, follow its 文号 to the trace page and check what it shows; open an ingested funding
notice's card and its trace and check the allocation table. Screenshots and the times (server start;
navigation start to the first page's content, cold and warm) go to test-output/; with
HRSS_README_SCREENSHOTS=1 the notice's pictures are copied to docs/screenshots/ for the README.
Never downloads a browser: without /usr/bin/chromium the test is skipped (and fails when CI=true).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from bench.ui_server import CHROMIUM, CHROMIUM_ARGS, ROOT, is_local, streamlit_server, trap_listener
from kg.build import build
from kg.settings import Settings
from tests.hostile import hostile_document

SAMPLE = ROOT / "data" / "000_61c5a3a787465ec8.txt"
NOTICES = ROOT / "tests" / "data" / "notices"
OUT = ROOT / "test-output"
README_SHOTS = ROOT / "docs" / "screenshots"

pytestmark = pytest.mark.browser
EXPECT_TIMEOUT_MS = 30_000  # the first page of a cold server loads every core object


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} not installed (make browser installs Debian's chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def trap():
    with trap_listener() as t:
        yield t


@pytest.fixture(scope="module")
def server(tmp_path_factory, trap):
    """The sample plus an invented document whose text points at the trap listener, built and served."""
    _require_chromium()
    tmp = tmp_path_factory.mktemp("browser")
    (tmp / "data").mkdir()
    shutil.copy(SAMPLE, tmp / "data" / SAMPLE.name)
    (tmp / "data" / "markup.txt").write_text(hostile_document(trap.url), encoding="utf-8")
    settings = Settings(data_dir=tmp / "data", index_dir=tmp / "indexes")
    build(settings)
    started = time.monotonic()
    with streamlit_server(settings.data_dir, settings.index_dir) as url:
        yield url, started, time.monotonic()


# Records when the search box first appears, in ms since navigation start (performance.now()).
FIRST_CONTENT_JS = """
new MutationObserver((_, obs) => {
  if (document.querySelector('input[aria-label="关键词或文号"]')) {
    window.__firstContentMs = performance.now();
    obs.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def _first_content_s(page) -> float:
    return page.evaluate("window.__firstContentMs") / 1000


def test_search_open_hit_and_trace_its_document(server):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)

    url, started, ready = server
    OUT.mkdir(exist_ok=True)
    timings: dict[str, float] = {"server_start_s": ready - started}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.add_init_script(FIRST_CONTENT_JS)
            page.set_default_timeout(30_000)
            page.goto(url)
            expect(page.get_by_label("关键词或文号")).to_be_visible()
            timings["first_page_s"] = _first_content_s(page)  # cold: nothing cached yet
            timings["start_to_first_content_s"] = time.monotonic() - started
            page.goto(url)
            expect(page.get_by_label("关键词或文号")).to_be_visible()
            timings["page_load_s"] = _first_content_s(page)  # warm: core objects cached
            # users get the viewer toolbar: no Deploy button
            expect(page.get_by_role("button", name="Deploy")).to_have_count(0)

            page.get_by_label("关键词或文号").fill("企业养老保险 怀财资〔2022〕7号")
            page.get_by_label("关键词或文号").press("Enter")
            expect(page.get_by_text("共 17 条结果")).to_be_visible()
            expect(page.get_by_text("预算 3,000.00 万元 · 13073022P007920100026")).to_be_visible()
            main = page.get_by_role("main")
            hit = main.locator('a[href*="project=13073022P007920100026"]').first
            expect(hit).to_be_visible()
            page.screenshot(path=OUT / "search.png")

            hit.click()
            expect(page.get_by_role("heading", name="项目")).to_be_visible()
            expect(page.get_by_text("13073022P007920100026").first).to_be_visible()
            expect(page.get_by_text("+893.00 万元（+42.38%）较上年")).to_be_visible()

            main.get_by_role("link", name="追溯资金去向").first.click()
            expect(page.get_by_role("heading", name="资金追溯")).to_be_visible()
            expect(page.get_by_text("9,063.65").first).to_be_visible()
            assert "doc=" in page.url
            labels = page.locator(".js-plotly-plot .sankey .node-label")
            expect(labels.filter(has_text="怀财资〔2022〕7号")).to_have_count(1)
            expect(labels.filter(has_text="企业养老保险县级配套")).to_have_count(1)
            expect(labels.filter(has_text="社会保险事业中心")).to_have_count(1)
            page.set_viewport_size({"width": 1280, "height": 1250})  # the whole Sankey in the picture
            page.wait_for_timeout(500)  # let the Sankey finish drawing before the screenshot
            page.screenshot(path=OUT / "trace.png")
        finally:
            browser.close()
    (OUT / "browser-timings.json").write_text(json.dumps(timings, indent=1), encoding="utf-8")


def _pages(trap_url: str) -> list[tuple[str, str, str, str | None]]:
    """(screenshot name, URL path and query, page heading, a text the page must show)."""
    doc = quote("冀财社〔2022〕88号")
    return [
        ("search", f"/?q={quote('培训补贴')}", "搜索", "粗体"),
        ("doc", f"/doc?doc={doc}", "文号", "引用它的项目"),
        ("trace-down", f"/trace?doc={doc}", "资金追溯", "12.00"),
        ("trace-up", "/trace?project=13068123HOST1LE000001", "资金追溯", "资金链"),
        ("project", "/project?project=13068123HOST1LE000001&year=2023", "项目", "点我"),
        ("project-sample", "/project?project=13073022P007920100026&year=2022", "项目", "3,000.00"),
        ("unit", "/unit?unit=401009", "单位", "2023 年预算（万元）"),
        ("years", "/years", "年度对比", "各主题预算数（万元）"),
        ("quality", "/quality", "数据质量", "导入提示"),
        ("sparql", "/sparql", "SPARQL", "预置查询"),
        ("data", "/data", "导入与导出", "导出"),
        # deep links carrying markup and bad values (issue 17)
        ("deep-doc", "/?doc=" + quote(f"![x]({trap_url}/deep)"), "文号", "不像文号"),
        ("deep-trace", "/trace?doc=" + quote(f"<img src={trap_url}/deep-img>"), "资金追溯", None),
        ("bad-min", "/?q=x&min=abc", "搜索", "网址参数 min=abc 无效"),
        ("bad-max", "/?q=x&max=-5", "搜索", "网址参数 max=-5 无效"),
        ("huge-min", "/?q=x&min=1e309", "搜索", "网址参数 min=1e309 无效"),
        ("bad-year", "/?q=x&year=1999", "搜索", "网址参数 year=1999 无效"),
        ("bad-project", "/project?project=" + quote("[a](http://phish.example/)") + "&year=abc", "项目",
         "没有找到项目编码 [a]"),
    ]


def test_every_page_makes_no_request_off_the_machine(server, trap):
    """Every request of every page stays on 127.0.0.1; markup in documents and deep links makes none."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)

    url, _, _ = server
    shots = OUT / "pages"
    shots.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            context.on("request", lambda r: requests.append(r.url))
            # nothing may leave the machine even if a page asked: off-machine requests are refused
            context.route(lambda u: not is_local(u), lambda route: route.abort())
            page = context.new_page()
            page.set_default_timeout(30_000)
            for name, path, heading, shows in _pages(trap.url):
                page.goto(url + path)
                expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
                if shows:
                    expect(page.get_by_text(shows, exact=False).first).to_be_visible()
                # the script has finished: the toolbar's Stop button is gone
                expect(page.get_by_role("button", name="Stop")).to_have_count(0)
                expect(page.locator("[data-testid^='stSkeleton']")).to_have_count(0)  # lazy elements drawn
                for chart in page.get_by_test_id("stPlotlyChart").all():
                    expect(chart.locator(".main-svg").first).to_be_visible()
                page.wait_for_timeout(500)  # let charts finish drawing
                expect(page.get_by_test_id("stException")).to_have_count(0)
                # no link or image made from the data: the planted URLs show as text only
                planted = page.locator(f"main a[href*='phish.example'], main a[href*='{trap.url}'], "
                                       f"main img[src*='{trap.url}']")
                expect(planted).to_have_count(0)
                page.screenshot(path=shots / f"{name}.png", full_page=True)
            icons = page.eval_on_selector_all("link[rel~='icon']", "els => els.map(e => e.href)")
        finally:
            browser.close()
    outside = sorted({r for r in requests if not is_local(r)})
    assert outside == [], outside
    assert trap.paths == [], trap.paths
    assert icons and all(is_local(i) for i in icons), icons


NOTICE = "冀财社〔2021〕288号"
# The invented provincial notice against the two county documents citing it, as the 文号 page shows
# it: 地区, 地区代码, 分配数, 预算数, 差额 (budgeted − allocated; "—" where no project cites the notice).
NOTICE_ROWS = [
    ["张家口市", "130700", "600.00", "430.00", "-170.00"],
    ["\u3000蔚县", "130726", "150.00", "0.00", "—"],
    ["\u3000怀来县", "130730", "250.00", "250.00", "0.00"],
    ["\u3000涿鹿县", "130731", "200.00", "180.00", "-20.00"],
    ["承德市", "130800", "400.00", "0.00", "—"],
    ["\u3000滦平县", "130824", "220.00", "0.00", "—"],
    ["\u3000隆化县", "130825", "180.00", "0.00", "—"],
]


@pytest.fixture(scope="module")
def notice_server(tmp_path_factory):
    """The provincial notice 冀财社〔2021〕288号 and the 怀来县 and 涿鹿县 documents citing it, built and served."""
    _require_chromium()
    tmp = tmp_path_factory.mktemp("browser-notice")
    (tmp / "data").mkdir()
    for name in ("province_subtotals.txt", "county_huailai.txt", "county_zhuolu.txt"):
        shutil.copy(NOTICES / name, tmp / "data" / name)
    settings = Settings(data_dir=tmp / "data", index_dir=tmp / "indexes")
    build(settings)
    with streamlit_server(settings.data_dir, settings.index_dir) as url:
        yield url


def _grid(page, header: str):
    """The dataframe with a column `header`. A dataframe draws on a canvas; its accessible table, hidden
    from view, holds the same cells as text (so text content, not visible text, is read)."""
    page.wait_for_function("h => [...document.querySelectorAll('[data-testid=stDataFrame] th')]"
                           ".some(th => th.textContent === h)", arg=header)
    for grid in page.get_by_test_id("stDataFrame").all():
        if header in grid.locator("th").all_text_contents():
            return grid
    raise AssertionError(f"no table with a column {header}")


def _grid_rows(grid, columns: int) -> list[list[str]]:
    """The first `columns` cells of each body row of a dataframe."""
    return [[c.text_content() or "" for c in row.locator("td").all()[:columns]]
            for row in grid.locator("tbody tr").all()]


def _save(page, name: str) -> None:
    page.screenshot(path=OUT / f"{name}.png")
    if os.environ.get("HRSS_README_SCREENSHOTS") == "1":
        shutil.copy(OUT / f"{name}.png", README_SHOTS / f"{name}.png")


def test_notice_card_and_trace_show_allocations_beside_budgets(notice_server):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1900}, locale="zh-CN")
            context.route(lambda u: not is_local(u), lambda route: route.abort())
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{notice_server}/?doc={quote(NOTICE)}")
            expect(page.get_by_role("heading", name="文号", exact=True)).to_be_visible()
            expect(page.get_by_role("heading", name="分配情况")).to_be_visible()
            expect(page.get_by_text("河北省人力资源和社会保障厅").first).to_be_visible()
            expect(page.get_by_text("下达总额：1000万元")).to_be_visible()
            expect(page.get_by_role("button", name="Stop")).to_have_count(0)
            assert _grid_rows(_grid(page, "分配数(万元)"), 5) == NOTICE_ROWS
            assert _grid_rows(_grid(page, "规则"), 3) == [["L2.1", "警告", "130731"]]
            expect(page.get_by_role("button", name="下载对账底稿 XLSX")).to_be_visible()
            page.wait_for_timeout(500)
            _save(page, "notice")

            page.get_by_role("link", name="查看资金追溯").click()
            expect(page.get_by_role("heading", name="资金追溯")).to_be_visible()
            expect(page.get_by_role("heading", name="分配与预算对账")).to_be_visible()
            labels = page.locator(".js-plotly-plot .sankey .node-label")
            expect(labels.filter(has_text="未见预算")).to_have_count(1)
            expect(labels.filter(has_text=re.compile("^涿鹿县$"))).to_have_count(1)
            expect(labels.filter(has_text="承德市")).to_have_count(1)
            assert _grid_rows(_grid(page, "分配数(万元)"), 5) == NOTICE_ROWS
            expect(page.get_by_role("button", name="下载对账底稿 XLSX")).to_be_visible()
            page.set_viewport_size({"width": 1280, "height": 1350})
            page.wait_for_timeout(500)  # let the Sankey finish drawing before the screenshot
            _save(page, "trace-notice")
        finally:
            browser.close()

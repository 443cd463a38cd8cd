"""End to end in a real browser: Debian's chromium driven by Playwright against `streamlit run app.py`.

Search, open a hit, follow its 文号 to the trace page and check what it shows. Screenshots and the
times (server start; navigation start to the first page's content, cold and warm) go to test-output/.
Never downloads a browser: without /usr/bin/chromium the test is skipped (and fails when CI=true).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kg.build import build
from kg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "000_61c5a3a787465ec8.txt"
CHROMIUM = Path("/usr/bin/chromium")
OUT = ROOT / "test-output"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
]

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} not installed (make browser installs Debian's chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("streamlit did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _require_chromium()
    tmp = tmp_path_factory.mktemp("browser")
    (tmp / "data").mkdir()
    shutil.copy(SAMPLE, tmp / "data" / SAMPLE.name)
    settings = Settings(data_dir=tmp / "data", index_dir=tmp / "indexes")
    build(settings)
    port = _free_port()
    env = os.environ | {"HRSS_DATA_DIR": str(settings.data_dir), "HRSS_INDEX_DIR": str(settings.index_dir)}
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, proc)
        yield url, started, time.monotonic()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


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

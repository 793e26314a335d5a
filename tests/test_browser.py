"""End-to-end browser tests: the real app (``streamlit run``) in Debian's Chromium via Playwright.

One Streamlit server (on the session's small demo database) and one browser serve the whole module.
Skipped when Chromium or Playwright is missing. Run with ``pytest -m e2e tests/test_browser.py``.
"""
from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("AKUTINDBLIK_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).is_file():
    pytest.skip(f"Chromium not found at {CHROMIUM} (set AKUTINDBLIK_CHROMIUM or apt-get install chromium)",
                allow_module_level=True)
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError as exc:  # pragma: no cover - depends on the environment
    pytest.skip(f"playwright is not importable ({exc})", allow_module_level=True)

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
RUN_TIMEOUT_MS = 45_000  # one script run (first runs warm the query cache; a 2-core machine is slow)
CHART_TIMEOUT_MS = 30_000
PAGES_WITHOUT_CHARTS = {"metode"}  # url paths (see app.py) of pages that draw no Plotly chart

DONE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stStatusWidget"]');
}"""


# --- server and browser ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def app_url(demo_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """Base URL of a Streamlit server running app.py on the demo database; stopped after the module."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = dict(os.environ, AKUTINDBLIK_DB=str(demo_db), OPENBLAS_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
           "--server.address=127.0.0.1", f"--server.port={port}", "--server.fileWatcherType=none",
           "--browser.gatherUsageStats=false"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                pytest.fail(f"Streamlit did not become healthy (exit code {proc.poll()}); log:\n{tail}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_page(browser):
    """Factory of fresh pages, each in its own context (its own Streamlit session)."""
    contexts = []

    def make():
        ctx = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen",
                                  viewport={"width": 1600, "height": 900}, accept_downloads=True)
        ctx.set_default_timeout(RUN_TIMEOUT_MS)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


# --- helpers ---------------------------------------------------------------------------------------------


def wait_for_run(page, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait until the script run is finished: the app says notRunning and the status widget is gone,
    and stays so for a few polls (a rerun triggered by a page switch or a URL sync may start late)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    stable = 0
    while stable < 2:
        if time.monotonic() > deadline:
            raise AssertionError(f"script run did not finish within {timeout_ms / 1000:.0f} s on {page.url}")
        stable = stable + 1 if page.evaluate(DONE) else 0
        page.wait_for_timeout(250)


def open_app(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_for_run(page)


def params_of(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def wait_for_params(page, expected: dict[str, str], timeout_s: float = 15) -> dict[str, str]:
    """The URL's query parameters once they include ``expected`` (sync_url writes them after a run)."""
    deadline = time.monotonic() + timeout_s
    while True:
        params = params_of(page)
        if all(params.get(k) == v for k, v in expected.items()) or time.monotonic() > deadline:
            return params
        page.wait_for_timeout(200)


def problems_on(page) -> list[str]:
    found = []
    n_exc = page.locator('[data-testid="stException"]').count()
    if n_exc:
        first = page.locator('[data-testid="stException"]').first.inner_text()[:300]
        found.append(f"{n_exc} exception element(s): {first!r}")
    if "Traceback" in page.locator("body").inner_text():
        found.append("the text 'Traceback' is shown")
    return found


def nav_link(page, text: str):
    return page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=text).first


def click_nav(page, link) -> None:
    """Click a sidebar navigation link and wait for the new page's run to finish."""
    path = urlsplit(link.get_attribute("href") or "/").path.rstrip("/")
    link.click()
    page.wait_for_function("p => window.location.pathname.replace(/\\/$/, '').endsWith(p)", arg=path,
                           timeout=RUN_TIMEOUT_MS)
    wait_for_run(page)


# --- tests -----------------------------------------------------------------------------------------------


def test_every_page_renders_without_errors(app_url, new_page):
    page = new_page()
    open_app(page, app_url + "/")
    links = page.locator('[data-testid="stSidebarNavLink"]')
    n = links.count()
    assert n >= 8, f"expected the 8 pages of app.py in the sidebar navigation, found {n}"
    failures = []
    for i in range(n):
        link = links.nth(i)
        name = link.inner_text().strip().splitlines()[-1]  # drop the icon's ligature name ("dashboard")
        url_path = urlsplit(link.get_attribute("href") or "/").path.strip("/").rsplit("/", 1)[-1]
        try:
            click_nav(page, link)
        except Exception as exc:  # noqa: BLE001 - collect and report every page at the end
            failures.append(f"{name}: navigation or run did not finish ({exc.__class__.__name__}: {exc})")
            continue
        problems = problems_on(page)
        if url_path not in PAGES_WITHOUT_CHARTS:
            try:
                page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(
                    state="attached", timeout=CHART_TIMEOUT_MS)
            except Exception:  # noqa: BLE001
                problems.append(f"no Plotly chart rendered ({page.locator('[data-testid=stPlotlyChart]').count()}"
                                " chart containers)")
        failures += [f"{name} (/{url_path}): {p}" for p in problems]
    assert not failures, "pages with problems:\n" + "\n".join(failures)


def test_shared_link_keeps_the_view_across_pages_and_sessions(app_url, new_page):
    expected = {"area": "muni:751", "sex": "F", "lang": "en"}
    page = new_page()
    open_app(page, app_url + "/?area=muni:751&age=80%2B&sex=F&std=1&lang=en")
    assert not problems_on(page), problems_on(page)
    params = wait_for_params(page, expected)
    assert {k: params.get(k) for k in expected} == expected, f"deep link not kept on the first page: {page.url}"
    assert params.get("age") == "80+" and params.get("std") == "1", page.url
    # English page titles (analysis/texts/common.py); Method is cheap to run, so the test stays quick
    for label in ("Avoidable admissions", "Method"):
        link = nav_link(page, label)
        expect(link).to_be_visible()
        click_nav(page, link)
        assert not problems_on(page), f"{label}: {problems_on(page)}"
        params = wait_for_params(page, expected)
        assert {k: params.get(k) for k in expected} == expected, f"after going to {label!r}: {page.url}"
        expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("Or choose municipalities")
    shared = page.url

    fresh = new_page()
    open_app(fresh, shared)
    assert not problems_on(fresh), problems_on(fresh)
    munis = fresh.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text="Or choose municipalities")
    expect(munis).to_have_count(1)
    tags = munis.locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]')  # the chosen values
    expect(tags).to_have_text(["Aarhus"])
    assert {k: v for k, v in wait_for_params(fresh, expected).items() if k in expected} == expected, fresh.url


def test_stale_link_shows_a_notice_not_an_error(app_url, new_page):
    page = new_page()
    open_app(page, app_url + "/?area=muni:99999&start=1999-01")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="kunne ikke bruges")
    expect(alert.first).to_be_visible()
    expect(alert.first).to_contain_text("area")
    assert not problems_on(page), problems_on(page)
    params = wait_for_params(page, {})
    assert "muni:99999" not in params.get("area", "") and params.get("start") != "1999-01", page.url


def test_table_behind_a_chart_downloads_as_csv(app_url, new_page, tmp_path):
    page = new_page()
    open_app(page, app_url + "/forebyggelige")
    assert not problems_on(page), problems_on(page)
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="Tabel bag figuren").first
    expander.locator("summary").click()
    button = expander.locator('[data-testid="stDownloadButton"] button')
    expect(button).to_be_visible()
    with page.expect_download(timeout=RUN_TIMEOUT_MS) as info:
        button.click()
    download = info.value
    target = tmp_path / (download.suggested_filename or "table.csv")
    download.save_as(target)
    assert target.suffix == ".csv", download.suggested_filename
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) >= 2, f"expected a header and at least one data row, got {rows[:3]}"
    header, first = rows[0], rows[1]
    assert header and all(h.strip() for h in header), f"header row has blank names: {header}"
    assert len(first) == len(header), (header, first)

"""Debian's Chromium (headless, driven by Playwright) against the real server: the 76000 page shows the
CMS values and curated sections; the scribe workspace turns a knee arthroscopy dictation with
fluoroscopy into a visible bundling alert and re-checks edited lines. A screenshot of each page is saved
under test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.web.conftest import Server
from tests.web.samples import DOS, knee_scope_dictation

SHOTS = Path(__file__).parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_code_page_76000(page: Page, server: Server) -> None:
    page.goto(f"{server.base_url}/codes/76000?date={DOS}")
    expect(page.locator("#rate")).to_have_text("$44.09")
    expect(page.locator("#total-rvus")).to_have_text("1.32")
    expect(page.locator("#site-table")).to_contain_text("$243.77")
    expect(page.locator("#site-table")).to_contain_text("APC 5523")
    expect(page.locator("#documentation h2")).to_have_text("Documentation requirements")
    expect(page.locator("#documentation")).to_contain_text("Fluoroscopy time")
    expect(page.locator("#faq")).to_contain_text("Can I bill 76000 with a knee arthroscopy")
    page.locator("#faq summary").first.click()
    expect(page.locator("#faq details").first).to_contain_text("modifier indicator 1")
    shot(page, "code_76000")
    page.select_option("select[name=locality]", "01112-05")
    page.click("form.pickers button")
    expect(page.locator("#rate")).to_have_text("$57.69")


def test_home_and_search(page: Page, server: Server) -> None:
    page.goto(server.base_url + "/")
    shot(page, "home")
    page.fill("form.big-search input[name=q]", "fluoroscopy")
    page.click("form.big-search button")
    expect(page.locator("#results")).to_contain_text("76000")
    shot(page, "search")


def test_scribe_workspace_bundling_alert(page: Page, server: Server) -> None:
    account = server.accounts["a"]
    page.goto(server.base_url + "/scribe")
    expect(page).to_have_url(f"{server.base_url}/login?next=/scribe")
    shot(page, "login")
    page.fill("input[name=username]", account.username)
    page.fill("input[name=password]", account.password)
    page.click("form[action='/login'] button")
    expect(page).to_have_url(server.base_url + "/scribe")
    page.fill("#dictation", knee_scope_dictation())
    page.fill("#dictation-form input[name=date]", DOS)
    page.select_option("#dictation-form select[name=setting]", "facility")
    page.click("#run-scribe")
    alerts = page.locator("#alerts")
    expect(alerts).to_be_visible()
    expect(alerts).to_contain_text("76000 not billed")
    expect(alerts).to_contain_text("29881")
    expect(page.locator("#evidence mark").first).to_be_visible()
    expect(page.locator("#lines .code").first).to_have_value("29881")
    # the coder adds the fluoroscopy anyway: the re-check names the NCCI edit
    page.click("#add-line")
    page.locator("#lines .code").last.fill("76000")
    page.locator("#lines .mods").last.fill("26")
    expect(page.locator("#check-status")).to_have_text("checked")
    expect(page.locator("#alert-list")).to_contain_text("NCCI-PTP")
    expect(page.locator("#lines .outcome").last).to_have_text("denied")
    shot(page, "scribe")
    page.click("#save-form button")
    expect(page.locator("#history")).to_contain_text("76000-26")
    shot(page, "encounter")
    page.goto(server.base_url + "/encounters")
    shot(page, "encounters")


def test_api_docs_render_offline(page: Page, server: Server) -> None:
    page.goto(server.base_url + "/docs")
    expect(page.locator(".swagger-ui").first).to_be_visible()
    expect(page.get_by_text("/api/v1/check").first).to_be_visible()
    shot(page, "docs")

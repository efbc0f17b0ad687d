"""Chromium (Playwright) over the code pages of the families: a sample of 150 family codes shows documentation
requirements, denial reasons and an FAQ of at least three answered questions; the page fits a 390 px phone,
its first Tab stop is the skip link, and the form fields' borders have 3:1 contrast with the page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from claimscribe.knowledge.curated import family_of
from tests.web.conftest import Server
from tests.web.samples import DOS
from tests.web.test_browser import browser  # noqa: F401  (the module's Chromium fixture)

SAMPLE_SIZE = 150


def _sample() -> list[str]:
    codes = sorted(family_of())
    step = len(codes) / SAMPLE_SIZE
    return [codes[int(i * step)] for i in range(SAMPLE_SIZE)]


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def test_a_sample_of_150_family_pages_has_requirements_denials_and_answers(
    phone: Page, server: Server
) -> None:
    sample = _sample()
    assert len(set(sample)) == SAMPLE_SIZE
    thin = []
    for code in sample:
        phone.goto(f"{server.base_url}/codes/{code}?date={DOS}")
        counts = phone.evaluate(
            """() => ({
                docs: document.querySelectorAll('#documentation li').length,
                denials: document.querySelectorAll('#denials li').length,
                answers: [...document.querySelectorAll('#faq details')]
                    .filter(d => d.querySelector('summary').textContent.trim().endsWith('?')
                                 && d.querySelector('p').textContent.trim().length > 20).length,
            })"""
        )
        if counts["docs"] < 1 or counts["denials"] < 1 or counts["answers"] < 3:
            thin.append((code, counts))
    assert not thin, thin


@pytest.mark.parametrize("code", ["29881", "76000", "64483", "70450"])
def test_code_page_fits_a_390_px_phone(phone: Page, server: Server, code: str) -> None:
    phone.goto(f"{server.base_url}/codes/{code}?date={DOS}")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{code}: the page is {width} px wide"


def _luminance(rgb: str) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (float(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_skip_link_first_and_form_borders_have_3_to_1_contrast(phone: Page, server: Server) -> None:
    phone.goto(f"{server.base_url}/codes/29881?date={DOS}")
    phone.keyboard.press("Tab")
    assert phone.evaluate("() => document.activeElement.getAttribute('href')") == "#main"
    colours = phone.evaluate(
        """() => [...document.querySelectorAll('form.pickers input, form.pickers select')].map(e => [
            getComputedStyle(e).borderTopColor, getComputedStyle(e.closest('.card')).backgroundColor])"""
    )
    assert colours
    for border, background in colours:
        light, dark = sorted((_luminance(border), _luminance(background)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 3, (border, background)

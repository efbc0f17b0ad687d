"""Debian's Chromium (Playwright) against the real server: the diagnosis pages.

A page for one code of every chapter of the ICD-10-CM tabular shows the code's title, its place in the chapter
and the chapter's own notes, as the CDC XML has them (read here with ElementTree, apart from the importer);
search finds a code by words and opens its page.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import cache

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import MIRROR
from tests.web.conftest import Server
from tests.web.test_browser import ARGS, CHROMIUM, SHOTS

ON = "2026-05-01"  # within the April 2026 tabular
# One billable code per chapter, 1 to 22 in the tabular's order (chapter 22 is U00-U85).
SAMPLES = {
    "1": "A41.9",
    "2": "C50.911",
    "3": "D63.1",
    "4": "E11.42",
    "5": "F32.9",
    "6": "G63",
    "7": "H40.9",
    "8": "H66.90",
    "9": "I10",
    "10": "J18.9",
    "11": "K21.9",
    "12": "L40.0",
    "13": "M54.16",
    "14": "N18.4",
    "15": "O80",
    "16": "P07.30",
    "17": "Q66.89",
    "18": "R10.9",
    "19": "S52.501A",
    "20": "W19.XXXA",
    "21": "Z96.651",
    "22": "U07.1",
}
NOTE_TAGS = ("includes", "excludes1", "excludes2", "useAdditionalCode", "codeFirst", "notes")


@cache
def tabular() -> ET.Element:
    return ET.parse(MIRROR / "icd10cm" / "icd10c-tabular-April-1-2026.xml").getroot()


def chapter_facts(number: str) -> tuple[str, list[str]]:
    """The chapter's title and the texts of the notes directly under it."""
    chapter = next(c for c in tabular().iter("chapter") if (c.findtext("name") or "").strip() == number)
    notes = [" ".join((n.text or "").split()) for tag in NOTE_TAGS for n in chapter.findall(f"{tag}/note")]
    return " ".join((chapter.findtext("desc") or "").split()), notes


def title_of(code: str) -> str:
    """The tabular title of the code, or of its leaf when the code is built with a seventh character."""
    names = {(d.findtext("name") or "").strip(): d for d in tabular().iter("diag")}
    while code not in names:
        code = code[:-1].rstrip(".X") if code[-1] != "." else code[:-1]
    return " ".join((names[code].findtext("desc") or "").split())


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("chapter", list(SAMPLES), ids=[f"chapter-{c}-{SAMPLES[c]}" for c in SAMPLES])
def test_a_code_of_every_chapter(page: Page, server: Server, chapter: str) -> None:
    code = SAMPLES[chapter]
    chapter_title, chapter_notes = chapter_facts(chapter)
    page.goto(f"{server.base_url}/diagnoses/{code}?date={ON}")
    expect(page.locator("h1")).to_contain_text(code)
    expect(page.locator("#dx-title")).to_contain_text(title_of(code))
    expect(page.locator("#billable")).to_have_text("Yes")
    expect(page.locator("#hierarchy")).to_contain_text(f"Chapter {chapter} — {chapter_title}")
    for text in chapter_notes[:3]:
        expect(page.locator("#notes")).to_contain_text(text)
    if chapter == "13":
        page.screenshot(path=str(SHOTS / "diagnosis_M54_16.png"), full_page=True)


def test_m54_16_page_names_its_excludes1_note_and_links_it(page: Page, server: Server) -> None:
    # M54.1 Excludes1 "radiculopathy with lumbar and other intervertebral disc disorder (M51.1-)"
    page.goto(f"{server.base_url}/diagnoses/M54.16?date={ON}")
    group = page.locator("#notes-excludes1")
    expect(group).to_contain_text("radiculopathy with lumbar and other intervertebral disc disorder (M51.1-)")
    group.locator("a", has_text="M51.1").first.click()
    expect(page.locator("#dx-title")).to_have_text(title_of("M51.1"))
    expect(page.locator("#children")).to_contain_text("M51.16")


def test_search_by_words_opens_the_page(page: Page, server: Server) -> None:
    page.goto(f"{server.base_url}/diagnoses?q=tetanus+neonatorum&date={ON}")
    page.locator("#results a", has_text="A33").click()
    expect(page.locator("#ages")).to_have_text("0–0")  # I/OCE newborn range (upper bound 0)
    expect(page.locator("#history")).to_contain_text("2019-07-01 to open")

"""Search a coder can use, over HTTP: the words a coder types (family lay terms, descriptor words), a
misspelling, and an exact code going straight to its page."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import Server

ON = "2026-03-01"


def _codes(server: Server, query: str) -> list[str]:
    with server.client() as c:
        r = c.get("/search", params={"q": query, "date": ON})
    assert r.status_code == 200
    return re.findall(r'<td><a href="/codes/([0-9A-Z]{5})">', r.text)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("epidural", {"62321", "62323", "64483"}),  # knowledge/families/epidural.yaml
        ("transforaminal", {"64483", "64484"}),  # transforaminal epidural codes (epidural.yaml labels)
        ("meniscectomy", {"29880", "29881"}),  # knee_arthroscopy.yaml labels
        ("artroscopy", {"29881"}),  # a coder's misspelling
        ("arthroplsty knee", {"27447"}),  # misspelt word + a second word: total knee arthroplasty
        ("carpel tunnel", {"64721"}),  # carpal tunnel release (carpal_tunnel_hand.yaml)
        ("fluoroscopy", {"76000"}),  # the PFS short descriptor
    ],
)
def test_words_and_typos_find_the_codes(server: Server, query: str, expected: set[str]) -> None:
    found = _codes(server, query)
    assert expected <= set(found[:25]), (query, found[:25])


def test_the_most_specific_codes_come_first(server: Server) -> None:
    # 29880/29881 name the meniscectomy in their labels; the rest of the family only in its terms
    assert set(_codes(server, "meniscectomy")[:2]) == {"29880", "29881"}
    assert _codes(server, "arthroplsty knee")[0] == "27447"


def test_an_exact_code_goes_to_its_page(server: Server) -> None:
    with server.client() as c:
        r = c.get("/search", params={"q": " 29881 "}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/codes/29881"


def test_when_words_find_nothing_the_shortlist_answers_and_says_so(server: Server) -> None:
    with server.client() as c:
        html = c.get("/search", params={"q": "zzzzqqqq xxxxyyyy", "date": ON}).text
    rows = re.findall(r"<tr><td><a.*?</tr>", html, re.S)
    assert "No code matches" in html or all("nearest in meaning" in row for row in rows)

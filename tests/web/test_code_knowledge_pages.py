"""The /codes/{code} pages of the whole code set over HTTP: every family code has documentation requirements,
denial reasons and an FAQ of at least three answered questions; the page facts follow the CMS files (NA
office indicator, the 26 amount in a facility, a deleted code, another fee schedule, older RVUs with a newer
conversion factor, the data staleness warning); the scribe's promise; no internal rule ids on the page."""

from __future__ import annotations

import re

import pytest

from claimscribe.knowledge.curated import family_of
from tests.web.conftest import Server

ON_2024 = "2024-08-01"  # RVU24C and CF 33.2875 together: no mixed vintages
ON_2026 = "2026-03-01"  # RVU26A excerpt (has 29881) and CF 33.4009
FAMILY_CODES = sorted(family_of())


def _section(html: str, anchor: str) -> str:
    match = re.search(rf'<section class="card" id="{anchor}">(.*?)</section>', html, re.S)
    assert match, anchor
    return match.group(1)


def test_every_family_code_page_has_requirements_denials_and_three_answers(server: Server) -> None:
    assert len(FAMILY_CODES) >= 150
    thin = []
    with server.client() as c:
        for code in FAMILY_CODES:
            r = c.get(f"/codes/{code}", params={"date": ON_2026})
            if r.status_code != 200:
                thin.append((code, r.status_code))
                continue
            html = r.text
            docs = _section(html, "documentation").count("<li>")
            denials = _section(html, "denials").count("<li>")
            answers = re.findall(r"<details><summary>.*?</summary><p>(.+?)</p>", _section(html, "faq"), re.S)
            if docs < 1 or denials < 1 or len([a for a in answers if a.strip()]) < 3:
                thin.append((code, docs, denials, len(answers)))
    assert not thin, thin


def test_office_na_code_headlines_the_facility_rate(server: Server) -> None:
    # RVU26A excerpt, 29881: NON-FAC NA indicator "NA"; facility total 15.44 RVUs x CF 33.4009 = $515.71
    with server.client() as c:
        html = c.get("/codes/29881", params={"date": ON_2026}).text
    assert "Medicare national, facility" in html and "Medicare national, office" not in html
    assert re.search(r'id="rate">\$515\.71<', html)
    assert "Not valued in the office" in html
    assert re.search(r"<td>Office \(PFS non-facility\)</td><td>NA</td>", html)


def test_facility_physician_amount_of_a_pctc_code_is_the_26_amount(server: Server) -> None:
    # RVU24C, 70450-26: 0.85 + 0.30 + 0.04 = 1.19 facility RVUs x CF 33.2875 = $39.61
    # (global facility 3.26 x 33.2875 = $108.52)
    with server.client() as c:
        html = c.get("/codes/70450", params={"date": ON_2024}).text
    assert re.search(r'id="facility-physician">\$39\.61<', html)
    assert "$108.52" in html  # the global facility row is still in the RVU table


def test_deleted_code_says_when_and_what_instead(server: Server) -> None:
    # knowledge/rules/deleted_codes.yaml: 76001 deleted 2019-01-01, report 76000 (no RVU24C row)
    with server.client() as c:
        r = c.get("/codes/76001", params={"date": ON_2024})
    assert r.status_code == 200
    assert "was deleted on 2019-01-01" in r.text and 'href="/codes/76000"' in r.text


@pytest.mark.parametrize(
    ("code", "schedule"),
    [
        ("36415", "clinical laboratory"),  # RVU24C status X
        ("00400", "anesthesia fee schedule"),  # RVU24C status J
    ],
)
def test_code_paid_elsewhere_names_the_fee_schedule_instead_of_zero(
    server: Server, code: str, schedule: str
) -> None:
    with server.client() as c:
        html = c.get(f"/codes/{code}", params={"date": ON_2024}).text
    assert schedule in html
    assert not re.search(r'id="rate">\$0\.00<', html)


def test_older_rvus_with_a_newer_conversion_factor_are_said_at_the_top(server: Server) -> None:
    # 70450 has no row in the RVU26A excerpt: RVU24C values with the 2026 CF 33.4009
    with server.client() as c:
        html = c.get("/codes/70450", params={"date": ON_2026}).text
    top = html.index('id="data-notes"')
    assert top < html.index("<h1>")
    assert "older RVUs with a newer conversion factor" in html[top : html.index("<h1>")]


def test_staleness_warning_is_at_the_top(server: Server) -> None:
    # the mirror's newest NCCI MUE release is 2024-07-01 (in force to 2024-09-30)
    with server.client() as c:
        html = c.get("/codes/29881", params={"date": ON_2026}).text
    notes = html[html.index('id="data-notes"') : html.index("<h1>")]
    assert "stale data" in notes and "NCCI MUE" in notes


def test_page_has_the_scribe_promise_links_and_no_internal_ids(server: Server) -> None:
    with server.client() as c:
        html = c.get("/codes/29881", params={"date": ON_2026}).text
    promise = html[html.index('id="scribe-promise"') :]
    assert "What the scribe captures for 29881" in promise
    assert "State which knee (right or left)" in promise  # knee_arthroscopy.yaml laterality prompt
    assert re.search(r'<span class="cite"><a href="https://', html)  # citations are links
    assert "DOC-KNEE" not in html and "[NCCI-PTP]" not in html
    assert 'class="skip" href="#main"' in html
    assert "No descriptor" not in html


def test_a_code_without_curated_knowledge_shows_what_its_cms_indicators_derive(server: Server) -> None:
    # RVU24C 28285: bilateral indicator 1, global 090 -> side, 50 at 150%, what the global includes
    with server.client() as c:
        html = c.get("/codes/28285", params={"date": ON_2024}).text
    assert "Side of the procedure" in _section(html, "documentation")
    assert "From CMS data: bilateral surgery indicator 1" in html
    assert "How do I bill 28285 on both sides?" in _section(html, "faq")

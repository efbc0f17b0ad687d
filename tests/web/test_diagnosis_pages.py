"""The diagnosis pages over HTTP against the real server: status codes for bad and unknown codes, the seventh
characters of a fracture code, the age limits of a maternity code by I/OCE quarter, and search."""

from __future__ import annotations

from tests.web.conftest import Server

ON = "2026-05-01"


def test_bad_and_unknown_codes_are_4xx_without_a_traceback(server: Server) -> None:
    with server.client() as c:
        bad = c.get("/diagnoses/not-a-code")
        unknown = c.get(f"/diagnoses/M99.99?date={ON}")  # shaped like a code, not in the tabular
    assert 400 <= bad.status_code < 500 and "Traceback" not in bad.text
    assert "not an ICD-10-CM code" in bad.text
    assert unknown.status_code == 404 and "M99.99" in unknown.text


def test_fracture_page_lists_its_seventh_characters(server: Server) -> None:
    # Tabular S52 sevenChrDef: A initial encounter for closed fracture ... S sequela.
    with server.client() as c:
        page = c.get(f"/diagnoses/S52.501?date={ON}")
    assert page.status_code == 200
    assert "initial encounter for closed fracture" in page.text and "sequela" in page.text
    assert "takes a seventh character" in page.text


def test_maternity_code_shows_both_age_ranges_of_the_ioce(server: Server) -> None:
    # I/OCE dx file: O80 ages 12-55 from 2019-07-01 to 2019-09-30, 9-64 from 2019-10-01.
    with server.client() as c:
        page = c.get(f"/diagnoses/O80?date={ON}")
    assert "2019-07-01 to 2019-09-30" in page.text and "12–55" in page.text
    assert "2019-10-01 to open" in page.text and "9–64" in page.text


def test_search_by_code_prefix(server: Server) -> None:
    with server.client() as c:
        page = c.get(f"/diagnoses?q=M54.1&date={ON}")
    assert page.status_code == 200
    assert 'href="/diagnoses/M54.16"' in page.text


def test_finding_messages_link_their_diagnoses_and_stay_escaped() -> None:
    from claimscribe.web.filters import dxlinks

    html = str(dxlinks("Diagnosis 1 G63 <script> with M54.16, not CPT 76000"))
    assert '<a href="/diagnoses/G63">G63</a>' in html
    assert '<a href="/diagnoses/M54.16">M54.16</a>' in html
    assert "&lt;script&gt;" in html and "76000</a>" not in html


def test_a_dotted_icd10_code_under_codes_opens_its_diagnosis_page(server: Server) -> None:
    with server.client(follow_redirects=False) as c:
        moved = c.get(f"/codes/m54.16?date={ON}")
    assert moved.status_code == 307 and moved.headers["location"] == f"/diagnoses/M54.16?date={ON}"

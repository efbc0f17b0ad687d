"""`/api/v1`: codes (public), check, scribe, price and encounters (authenticated), with typed models so
`/openapi.json` describes every request and response."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from claimscribe.claims import history
from claimscribe.claims.model import Claim, ClaimLine
from claimscribe.claims.readers import ClaimError, numbered, read_claims_text
from claimscribe.edits.claim_response import claim_responses
from claimscribe.edits.engine import check_claim
from claimscribe.edits.model import CheckResult
from claimscribe.errors import BadInputError
from claimscribe.knowledge.payment import place_of_service_rules
from claimscribe.numbers import Number
from claimscribe.reference.codebook import Codebook
from claimscribe.reference.models import CodeRecord
from claimscribe.scribe.evidence import with_note_facts
from claimscribe.scribe.gaps import Gap
from claimscribe.web import code_search
from claimscribe.web.context import Db, api_user, codebook, date_or_today
from claimscribe.web.limits import MAX_AUDIO_BYTES

router = APIRouter(prefix="/api/v1")
# Routes that read the codebook are `async def`; the CPU work of check, scribe and price runs on a worker
# thread (each thread reads the codebook through its own DuckDB cursor), so one large claim or dictation
# never stalls the other requests of the process.
CLAIM_TYPES: dict[str, str | None] = {
    "application/json": "json",
    "application/fhir+json": "fhir",
    "application/edi-x12": "x12",
    "text/plain": None,  # X12 837P as text; detected (JSON typed as text/plain is read as JSON)
    "text/csv": "csv",
}
FHIR_JSON = "application/fhir+json"
AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".ogg", ".webm", ".flac")


class ErrorOut(BaseModel):
    error: str


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 413, 415, 422)
}


class CodeHit(BaseModel):
    code: str
    descriptor: str | None


class CheckResponse(BaseModel):
    """One result per claim in the body (an X12 interchange may carry several), and the claims that
    could not be read."""

    results: list[CheckResult]
    errors: list[str]


class ScribeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=100_000)
    date: dt.date | None = None
    setting: Literal["office", "facility"] = "office"


class ScribeOut(BaseModel):
    transcript: str
    facts: dict[str, Any]
    lines: list[ClaimLine]
    diagnoses: list[str]
    gaps: list[Gap]
    note: str
    interpretation_report_draft: str | None
    rationale: list[dict[str, Any]]
    check: CheckResult | None
    prompts: list[str] = []  # what the coder still has to do (no code mapped, imaging presumed integral)
    shortlists: list[dict[str, Any]] = []  # candidate codes, low confidence, for unmapped procedures


class PriceLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=5, max_length=5)
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: int = Field(default=1, gt=0, le=999)


class PriceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date
    setting: Literal["office", "facility"] = "office"
    claim_type: Literal["professional", "institutional"] = "professional"
    locality: str | None = Field(default=None, max_length=12, description="MAC-locality, e.g. 01112-05")
    diagnoses: list[str] = Field(default_factory=list, max_length=12)
    lines: list[PriceLineIn] = Field(min_length=1, max_length=50)


class PricedLine(BaseModel):
    code: str
    modifiers: list[str]
    units: int
    fee_schedule: Number | None = Field(description="the code's unadjusted rate for the setting")
    outcome: str
    allowed: Number | None = Field(description="what Medicare allows after the edits and claim rules")


class PriceOut(BaseModel):
    lines: list[PricedLine]
    total_allowed: Number
    findings: int


def extra_schemas() -> dict[str, Any]:
    """Schemas the hand-written request bodies refer to, for the OpenAPI components."""
    schema = Claim.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {**defs, "Claim": schema}


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _text_body(request: Request) -> str:
    body = await request.body()
    if not body.strip():
        raise BadInputError("the request body is empty")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BadInputError(f"the request body is not UTF-8 text (byte {e.start})") from e


@router.get("/codes/{code}", response_model=CodeRecord, responses=ERRORS, tags=["reference"])
async def get_code(
    code: str,
    book: Annotated[Codebook, Depends(codebook)],
    date: Annotated[str | None, Query(description="date of service YYYY-MM-DD (default today)")] = None,
    locality: Annotated[str | None, Query(description="MAC-locality, e.g. 01112-05")] = None,
) -> CodeRecord:
    """What the CMS data says about one code on a date of service, priced nationally or for a locality."""
    return book.code(code, date_or_today(date), locality=locality or None)


@router.get("/codes", response_model=list[CodeHit], responses=ERRORS, tags=["reference"])
async def search_codes(
    book: Annotated[Codebook, Depends(codebook)],
    q: Annotated[str, Query(min_length=1, max_length=100, description="a code or words")],
    date: Annotated[str | None, Query()] = None,
) -> list[CodeHit]:
    """The code typed exactly, or the codes for the words: descriptors, the curated families' lay terms,
    typos forgiven (web/code_search.py, the search page's)."""
    on = date_or_today(date)
    if code_search.exact_code(q) is not None:
        return [CodeHit(code=c, descriptor=d) for c, d in book.search(q, on)]
    return [CodeHit(code=h.code, descriptor=h.descriptor) for h in code_search.search(book, q, on)]


_CHECK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Claim"}},
            "application/fhir+json": {"schema": {"type": "object"}},
            "application/edi-x12": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/check",
    response_model=CheckResponse,
    responses={
        **ERRORS,
        200: {"content": {FHIR_JSON: {"schema": {"type": "object", "description": "FHIR R4 ClaimResponse"}}}},
    },
    openapi_extra=_CHECK_BODY,
    tags=["claims"],
)
async def check(
    request: Request,
    book: Annotated[Codebook, Depends(codebook)],
    _user: Annotated[Any, Depends(api_user)],
) -> Any:
    """Every Medicare edit over the claims in the body (JSON, FHIR R4 Claim or X12 837P by Content-Type);
    with `Accept: application/fhir+json`, FHIR R4 ClaimResponse(s) instead."""
    kind = _content_type(request)
    if kind not in CLAIM_TYPES:
        raise BadInputError(f"Content-Type {kind or '(none)'!r} is not one of {', '.join(CLAIM_TYPES)}")
    text = await _text_body(request)
    checked, results, errors = await run_in_threadpool(_check_text, text, CLAIM_TYPES[kind], book)
    if not results:
        raise BadInputError(errors[0] if errors else "the body holds no claim")
    if FHIR_JSON in request.headers.get("accept", "").lower():
        # Accept: application/fhir+json -> the outcome as FHIR R4 ClaimResponse(s) (edits/claim_response.py)
        document = claim_responses(list(zip(checked, results, strict=True)), errors=errors)
        return JSONResponse(document, media_type=FHIR_JSON)
    # serialized by pydantic on the worker thread too: FastAPI's generic encoder of a 2,000-line answer
    # costs as much CPU as the check itself
    content = await run_in_threadpool(CheckResponse(results=results, errors=errors).model_dump_json)
    return Response(content=content, media_type="application/json")


def _check_text(
    text: str, kind: str | None, book: Codebook
) -> tuple[list[Claim], list[CheckResult], list[str]]:
    """The claims checked, their results and the one-line errors of those that could not be (a worker
    thread's work: reading and checking a large body is CPU)."""
    results: list[CheckResult] = []
    checked: list[Claim] = []
    errors: list[str] = []
    items = list(numbered(read_claims_text(text, kind)))
    claims = [item for _, item in items if not isinstance(item, ClaimError)]
    # The claims of one body are one patient history for FREQUENCY (claims/history.py).
    with history.given(history.History.from_claims(claims)):
        for position, item in items:
            if isinstance(item, ClaimError):
                errors.append(f"{item.position}: {item.message}")
                continue
            try:
                item = with_note_facts(item, book)  # the note as evidence (scribe/evidence.py)
                results.append(check_claim(item, book))
                checked.append(item)
            except BadInputError as e:
                errors.append(f"claim {position}: {e}")  # by place in the body: a claim id may be PHI
    return checked, results, errors


def _scribe(text: str, book: Codebook, on: dt.date, setting: str) -> ScribeOut:
    from claimscribe.scribe.pipeline import as_json, scribe_text

    result = scribe_text(text, book, on=on, setting=setting, check=True)  # type: ignore[arg-type]
    doc = as_json(result)
    return ScribeOut(
        transcript=result.transcript,
        facts=doc["facts"],
        lines=result.lines,
        diagnoses=result.diagnoses,
        gaps=result.gaps,
        note=result.note.text,
        interpretation_report_draft=doc["interpretation_report_draft"],
        rationale=doc["rationale"],
        check=result.check,
        prompts=result.prompts,
        shortlists=doc["shortlists"],
    )


_SCRIBE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ScribeIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["audio"],
                    "properties": {
                        "audio": {"type": "string", "format": "binary"},
                        "date": {"type": "string", "format": "date"},
                        "setting": {"type": "string", "enum": ["office", "facility"]},
                    },
                }
            },
        },
    }
}


async def transcribe_upload(upload: Any) -> str:
    """Speech recognition of an uploaded audio file, off the event loop; the file is deleted after."""
    from claimscribe.scribe.pipeline import read_dictation

    name = Path(getattr(upload, "filename", "") or "audio.wav").name
    suffix = Path(name).suffix.lower()
    if suffix not in AUDIO_SUFFIXES:
        raise BadInputError(
            f"audio file type {suffix or '(none)'!r} is not one of {', '.join(AUDIO_SUFFIXES)}"
        )
    data = await upload.read()
    if not data:
        raise BadInputError("the audio file is empty")
    if len(data) > MAX_AUDIO_BYTES:
        raise BadInputError("the audio file is larger than 50 MB")
    with tempfile.TemporaryDirectory(prefix="claimscribe-audio-") as tmp:
        path = Path(tmp) / f"dictation{suffix}"
        path.write_bytes(data)
        return await run_in_threadpool(read_dictation, path)


@router.post(
    "/scribe", response_model=ScribeOut, responses=ERRORS, openapi_extra=_SCRIBE_BODY, tags=["scribe"]
)
async def scribe(
    request: Request,
    book: Annotated[Codebook, Depends(codebook)],
    _user: Annotated[Any, Depends(api_user)],
) -> ScribeOut:
    """A dictation (JSON text, or a multipart `audio` file) to facts, lines, prompts and the check."""
    kind = _content_type(request)
    if kind == "application/json":
        body = await request.body()
        try:
            data = ScribeIn.model_validate_json(body)
        except ValueError as e:
            raise BadInputError(_first_error(e)) from None
        return await run_in_threadpool(_scribe, data.text, book, data.date or dt.date.today(), data.setting)
    if kind == "multipart/form-data":
        form = await request.form()
        upload = form.get("audio")
        if upload is None or isinstance(upload, str):
            raise BadInputError("the form has no 'audio' file")
        setting = str(form.get("setting") or "office")
        if setting not in ("office", "facility"):
            raise BadInputError(f"setting {setting!r} is not office or facility")
        on = date_or_today(str(form.get("date") or ""))
        text = await transcribe_upload(upload)
        return await run_in_threadpool(_scribe, text, book, on, setting)
    raise BadInputError(f"Content-Type {kind or '(none)'!r} is not application/json or multipart/form-data")


def _first_error(error: Exception) -> str:
    """One line from a pydantic validation error: where and what."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where or 'body'}: {first.get('msg', 'invalid')}"
    return str(error).splitlines()[0]


@router.post("/price", response_model=PriceOut, responses=ERRORS, tags=["claims"])
async def price(
    data: PriceIn,
    book: Annotated[Codebook, Depends(codebook)],
    _user: Annotated[Any, Depends(api_user)],
) -> PriceOut:
    """Each line's fee schedule rate for the setting and what Medicare allows after the edits."""
    try:
        claim = Claim(
            claim_type=data.claim_type,
            date_of_service=data.date,
            place_of_service=place_of_service_rules().settings[data.setting],
            locality=data.locality,
            diagnoses=data.diagnoses,
            lines=[ClaimLine(code=ln.code, modifiers=ln.modifiers, units=ln.units) for ln in data.lines],
        )
    except ValueError as e:
        raise BadInputError(_first_error(e)) from None
    result = check_claim(claim, book)
    lines: list[PricedLine] = []
    for line, verdict in zip(claim.lines, result.lines, strict=True):
        record = book.code(line.code, data.date, locality=data.locality)
        pay = record.payment
        fee: Decimal | None
        if data.claim_type == "institutional":
            fee = pay.opps.rate if pay.opps else None
        else:
            fee = pay.pfs_nonfacility if data.setting == "office" else pay.pfs_facility
        lines.append(
            PricedLine(
                code=line.code,
                modifiers=line.modifiers,
                units=line.units,
                fee_schedule=fee,
                outcome=verdict.outcome,
                allowed=verdict.allowed,
            )
        )
    return PriceOut(lines=lines, total_allowed=result.total_allowed, findings=len(result.findings))


# -- encounters -----------------------------------------------------------------------------------------


def _store() -> Any:
    from claimscribe.store import encounters

    return encounters


try:
    from claimscribe.store.encounters import EncounterIn, EncounterOut, EncounterSummary, VersionOut
except ImportError:  # the store package lands separately; the routes below need it
    EncounterIn = EncounterOut = EncounterSummary = VersionOut = None  # type: ignore[assignment,misc]


if EncounterIn is not None:

    @router.post(
        "/encounters", response_model=EncounterOut, status_code=201, responses=ERRORS, tags=["encounters"]
    )
    def create_encounter(
        data: EncounterIn,
        session: Db,
        user: Annotated[Any, Depends(api_user)],
    ) -> Any:
        """Save a draft encounter (version 1)."""
        return _store().create_encounter(session, user, data)

    @router.get("/encounters", response_model=list[EncounterSummary], responses=ERRORS, tags=["encounters"])
    def list_encounters(session: Db, user: Annotated[Any, Depends(api_user)]) -> Any:
        """The encounters of the caller's practice."""
        return _store().list_encounters(session, user)

    @router.get(
        "/encounters/{encounter_id}", response_model=EncounterOut, responses=ERRORS, tags=["encounters"]
    )
    def read_encounter(
        encounter_id: str,
        session: Db,
        user: Annotated[Any, Depends(api_user)],
    ) -> Any:
        """One encounter at its current version."""
        return _store().get_encounter(session, user, encounter_id)

    @router.put(
        "/encounters/{encounter_id}", response_model=EncounterOut, responses=ERRORS, tags=["encounters"]
    )
    def update_encounter(
        encounter_id: str,
        data: EncounterIn,
        session: Db,
        user: Annotated[Any, Depends(api_user)],
    ) -> Any:
        """A new version of an encounter; earlier versions are kept."""
        return _store().update_encounter(session, user, encounter_id, data)

    @router.get(
        "/encounters/{encounter_id}/history",
        response_model=list[VersionOut],
        responses=ERRORS,
        tags=["encounters"],
    )
    def encounter_history(
        encounter_id: str,
        session: Db,
        user: Annotated[Any, Depends(api_user)],
    ) -> Any:
        """Every version of an encounter, oldest first."""
        return _store().encounter_history(session, user, encounter_id)

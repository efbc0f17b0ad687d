"""The server-rendered pages: code reference and search (public); login; the scribe workspace and saved
encounters (logged in). Form POSTs carry a CSRF token; dictation text travels only in POST bodies."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from claimscribe.errors import BadInputError, ClaimscribeError, UnknownCodeError
from claimscribe.reference.codebook import Codebook
from claimscribe.web import code_page, code_search, diagnosis_page
from claimscribe.web.context import (
    AppContext,
    CsrfError,
    Ctx,
    Db,
    client_address,
    codebook,
    date_or_today,
    optional_page_user,
    page_user,
)

router = APIRouter(include_in_schema=False)
FEATURED = ("76000", "29881", "62323", "20611", "99213", "77002")


def render(
    request: Request, name: str, ctx: AppContext, user: Any, status: int = 200, **values: Any
) -> Response:
    """A template with the user and this browser's CSRF token; sets the pre-login CSRF cookie once."""
    token = ctx.signer.csrf_token(request)
    shown = user if isinstance(user, dict) or user is None else {"username": user.username, "role": user.role}
    response = ctx.templates.TemplateResponse(
        request, name, {"user": shown, "csrf": token, **values}, status_code=status
    )
    if getattr(request.state, "new_csrf", None):
        ctx.signer.set_csrf(request, response, token)
    return response


def require_csrf(request: Request, ctx: AppContext, sent: str | None) -> None:
    if not ctx.signer.csrf_ok(request, sent):
        raise CsrfError("the form's CSRF token is missing or wrong: reload the page and try again")


@router.get("/")
def home(request: Request, ctx: Ctx, user: Annotated[Any, Depends(optional_page_user)]) -> Response:
    return render(request, "home.html", ctx, user, featured=FEATURED)


@router.get("/search")
async def search(
    request: Request,
    ctx: Ctx,
    book: Annotated[Codebook, Depends(codebook)],
    user: Annotated[Any, Depends(optional_page_user)],
    q: str = "",
    date: str | None = None,
) -> Response:
    on = date_or_today(date)
    query = q.strip()[:100]
    code = code_search.exact_code(query)
    if code is not None:
        suffix = f"?date={on.isoformat()}" if date else ""
        return RedirectResponse(f"/codes/{code}{suffix}", status_code=303)
    hits = code_search.search(book, query, on) if query else []
    return render(request, "search.html", ctx, user, q=query, hits=hits, on=on)


@router.get("/codes/{code}")
async def code_view(
    code: str,
    request: Request,
    ctx: Ctx,
    book: Annotated[Codebook, Depends(codebook)],
    user: Annotated[Any, Depends(optional_page_user)],
    date: str | None = None,
    locality: str | None = None,
    with_code: Annotated[str | None, Query(alias="with", max_length=10)] = None,
) -> Response:
    if diagnosis_page.is_diagnosis(code):  # an ICD-10-CM code written with its dot has its own page
        query = f"?date={quote(date)}" if date else ""
        return RedirectResponse(f"/diagnoses/{quote(code.strip().upper())}{query}", status_code=307)
    try:
        page = code_page.build(
            book,
            code,
            date_or_today(date),
            (locality or "").strip() or None,
            (with_code or "").strip() or None,
        )
    except UnknownCodeError:
        gone = code_page.deleted(code)
        if gone is None:
            raise
        return render(request, "code_deleted.html", ctx, user, d=gone)
    return render(
        request,
        "code.html",
        ctx,
        user,
        page=page,
        r=page.record,
        k=page.curated,
        indicators=code_page.MODIFIER_INDICATORS,
    )


@router.get("/codes/{code}/partners")
async def code_partners(
    code: str,
    request: Request,
    ctx: Ctx,
    book: Annotated[Codebook, Depends(codebook)],
    user: Annotated[Any, Depends(optional_page_user)],
    date: str | None = None,
) -> Response:
    page = code_page.build(book, code, date_or_today(date), None)
    return render(request, "partners.html", ctx, user, page=page, r=page.record)


# -- login ----------------------------------------------------------------------------------------------


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/scribe"


@router.get("/login")
def login_form(request: Request, ctx: Ctx, next: str | None = None) -> Response:
    return render(request, "login.html", ctx, None, next=_safe_next(next), message=None)


@router.post("/login")
def login(
    request: Request,
    ctx: Ctx,
    session: Db,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/scribe",
) -> Response:
    from claimscribe.store import web_sessions
    from claimscribe.store.accounts import authenticate
    from claimscribe.store.errors import ThrottledError

    require_csrf(request, ctx, csrf_token)
    try:
        user = authenticate(session, username.strip(), password, address=client_address(request))
    except ThrottledError as e:
        return render(request, "login.html", ctx, None, status=429, next=_safe_next(next), message=f"{e}.")
    if user is None:
        return render(
            request,
            "login.html",
            ctx,
            None,
            status=401,
            next=_safe_next(next),
            message="Unknown user name or wrong password.",
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    ctx.signer.start_session(request, response, web_sessions.start(session, user))
    return response


@router.post("/logout")
def logout(
    request: Request,
    ctx: Ctx,
    session: Db,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """End the server-side session: the cookie, even kept or copied, no longer logs anyone in."""
    from claimscribe.store import web_sessions

    require_csrf(request, ctx, csrf_token)
    sid = ctx.signer.session_id(ctx.signer.session(request))
    if sid:
        web_sessions.end(session, sid)
    response = RedirectResponse("/", status_code=303)
    ctx.signer.end_session(response)
    return response


@router.get("/logout")
def logout_form(request: Request, ctx: Ctx, user: Annotated[Any, Depends(optional_page_user)]) -> Response:
    return render(request, "logout.html", ctx, user)


# -- scribe workspace -----------------------------------------------------------------------------------


def _spans(facts: dict[str, Any]) -> list[tuple[int, int, str]]:
    """Every evidence span of the facts, labelled with the fact it supports."""
    spans: list[tuple[int, int, str]] = []
    for proc in facts.get("procedures", []):
        spans += [(e["start"], e["end"], f"procedure: {proc.get('name')}") for e in proc.get("evidence", [])]
    for img in facts.get("imaging", []):
        spans += [(e["start"], e["end"], f"imaging: {img.get('modality')}") for e in img.get("evidence", [])]
    for name, evidence in facts.get("evidence", {}).items():
        spans += [(e["start"], e["end"], name.replace("_", " ")) for e in evidence]
    return spans


def _workspace(
    request: Request,
    ctx: AppContext,
    user: Any,
    text: str,
    on: dt.date,
    setting: str,
    book: Codebook,
    status: int = 200,
    encounter_id: str = "",
) -> Response:
    from claimscribe.web.api import _scribe

    try:
        result = _scribe(text, book, on, setting)
    except BadInputError as e:
        return render(
            request,
            "scribe.html",
            ctx,
            user,
            status=422,
            result=None,
            error=str(e),
            text=text,
            on=on,
            setting=setting,
            encounter_id=encounter_id,
        )
    from claimscribe.scribe.extract import extract  # facts again, whole, for the re-checks the page makes

    facts_full = extract(text).model_dump(mode="json")
    prices = {line.index: line for line in result.check.lines} if result.check else {}
    alerts = [r for r in result.rationale if r.get("kind") == "not_suggested"]
    return render(
        request,
        "scribe.html",
        ctx,
        user,
        status=status,
        result=result,
        error=None,
        text=text,
        on=on,
        setting=setting,
        spans=_spans(result.facts),
        prices=prices,
        alerts=alerts,
        encounter_id=encounter_id,
        facts_json=facts_full,
        lines_json=[ln.model_dump(mode="json", exclude_none=True) for ln in result.lines],
    )


@router.get("/scribe")
def scribe_form(request: Request, ctx: Ctx, user: Annotated[Any, Depends(page_user)]) -> Response:
    return render(
        request,
        "scribe.html",
        ctx,
        user,
        result=None,
        error=None,
        text="",
        on=dt.date.today(),
        setting="office",
        encounter_id="",
    )


@router.post("/scribe")
async def scribe_text_form(
    request: Request,
    ctx: Ctx,
    book: Annotated[Codebook, Depends(codebook)],
    user: Annotated[Any, Depends(page_user)],
    dictation: Annotated[str, Form(max_length=100_000)] = "",
    date: Annotated[str, Form(max_length=20)] = "",
    setting: Annotated[str, Form(max_length=20)] = "office",
    encounter_id: Annotated[str, Form(max_length=64)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    require_csrf(request, ctx, csrf_token)
    if setting not in ("office", "facility"):
        raise BadInputError(f"setting {setting!r} is not office or facility")
    return _workspace(
        request, ctx, user, dictation, date_or_today(date), setting, book, encounter_id=encounter_id
    )


@router.post("/scribe/audio")
async def scribe_audio_form(
    request: Request,
    ctx: Ctx,
    book: Annotated[Codebook, Depends(codebook)],
    user: Annotated[Any, Depends(page_user)],
    audio: UploadFile,
    date: Annotated[str, Form(max_length=20)] = "",
    setting: Annotated[str, Form(max_length=20)] = "office",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    from claimscribe.web.api import transcribe_upload

    require_csrf(request, ctx, csrf_token)
    if setting not in ("office", "facility"):
        raise BadInputError(f"setting {setting!r} is not office or facility")
    text = await transcribe_upload(audio)
    return _workspace(request, ctx, user, text, date_or_today(date), setting, book, encounter_id="")


# -- encounters -----------------------------------------------------------------------------------------


@router.post("/encounters")
def save_encounter(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: Annotated[Any, Depends(page_user)],
    title: Annotated[str, Form(max_length=120)] = "",
    date: Annotated[str, Form(max_length=20)] = "",
    setting: Annotated[str, Form(max_length=20)] = "office",
    dictation: Annotated[str, Form(max_length=100_000)] = "",
    lines: Annotated[str, Form(max_length=200_000)] = "[]",
    diagnoses: Annotated[str, Form(max_length=20_000)] = "[]",
    facts: Annotated[str, Form(max_length=500_000)] = "null",
    findings: Annotated[str, Form(max_length=500_000)] = "null",
    encounter_id: Annotated[str, Form(max_length=64)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    from claimscribe.store import encounters

    require_csrf(request, ctx, csrf_token)
    try:
        data = encounters.EncounterIn(
            title=title.strip() or "Untitled encounter",
            date_of_service=date_or_today(date),
            setting=setting,
            dictation=dictation,
            facts=json.loads(facts),
            lines=json.loads(lines),
            diagnoses=json.loads(diagnoses),
            findings=json.loads(findings),
        )
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise BadInputError(f"the encounter form is not valid: {where}: {message}") from None
    except ValueError as e:  # a field that is not JSON
        raise BadInputError("the encounter form is not valid: " + str(e).splitlines()[0]) from None
    if encounter_id:
        saved = encounters.update_encounter(session, user, encounter_id, data)
    else:
        saved = encounters.create_encounter(session, user, data)
    return RedirectResponse(f"/encounters/{saved.id}", status_code=303)


@router.get("/encounters")
def encounter_list(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: Annotated[Any, Depends(page_user)],
) -> Response:
    from claimscribe.store import encounters

    return render(request, "encounters.html", ctx, user, items=encounters.list_encounters(session, user))


@router.get("/encounters/{encounter_id}")
def encounter_view(
    encounter_id: str,
    request: Request,
    ctx: Ctx,
    session: Db,
    user: Annotated[Any, Depends(page_user)],
) -> Response:
    from claimscribe.store import encounters

    item = encounters.get_encounter(session, user, encounter_id)
    history = encounters.encounter_history(session, user, encounter_id)
    shown = item.model_copy(
        update={"lines": shown_lines(item.lines), "findings": shown_findings(item.findings)}
    )
    versions = [v.model_copy(update={"lines": shown_lines(v.lines)}) for v in history]
    return render(request, "encounter.html", ctx, user, e=shown, history=versions)


@router.get("/admin/audit")
def audit_page(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: Annotated[Any, Depends(page_user)],
    encounter: Annotated[str | None, Query(max_length=36)] = None,
) -> Response:
    """The practice's audit log for its admins (others: 403, and the attempt is audited)."""
    from claimscribe.store import audit

    wanted = (encounter or "").strip() or None
    events = audit.audit_events(session, user, encounter_id=wanted, limit=500)
    return render(request, "audit.html", ctx, user, events=events, encounter=wanted)


def _text(value: Any, limit: int = 200) -> str:
    return value[:limit] if isinstance(value, str) else ""


def shown_lines(lines: Any) -> list[dict[str, Any]]:
    """Saved lines as the page shows them: code, modifiers and units as text, whatever an older version
    stored (encounters saved before lines were validated may hold any JSON; their page must still open)."""
    shown: list[dict[str, Any]] = []
    for line in lines if isinstance(lines, list) else []:
        if not isinstance(line, dict):
            shown.append({"code": "(unreadable line)", "modifiers": [], "units": "?"})
            continue
        modifiers = line.get("modifiers")
        units = line.get("units", 1)
        shown.append(
            {
                "code": _text(line.get("code"), 10) or "(no code)",
                "modifiers": [_text(m, 4) for m in modifiers if isinstance(m, str)][:4]
                if isinstance(modifiers, list)
                else [],
                "units": units if isinstance(units, int) and not isinstance(units, bool) else "?",
            }
        )
    return shown


def shown_findings(findings: Any) -> dict[str, Any] | None:
    """The saved check result's findings as text (rule, severity, message), or None."""
    if not isinstance(findings, dict) or not isinstance(findings.get("findings"), list):
        return None
    kept = [
        {
            "rule": _text(f.get("rule"), 60),
            "severity": _text(f.get("severity"), 10),
            "message": _text(f.get("message"), 1000),
        }
        for f in findings["findings"]
        if isinstance(f, dict)
    ]
    return {"findings": kept}


__all__ = ["ClaimscribeError", "router"]

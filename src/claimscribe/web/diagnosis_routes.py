"""The diagnosis reference pages: /diagnoses/{ICD-10-CM code} and /diagnoses?q= (search by code or words).

Public like the procedure pages; the code is in the path, never patient data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from claimscribe.reference.codebook import Codebook
from claimscribe.web import diagnosis_page
from claimscribe.web.context import Ctx, codebook, date_or_today, optional_page_user
from claimscribe.web.pages import render

router = APIRouter(include_in_schema=False)
QUERY_LENGTH = 100


@router.get("/diagnoses")
async def diagnosis_search(
    request: Request,
    ctx: Ctx,
    book: Annotated[Codebook, Depends(codebook)],
    user: Annotated[Any, Depends(optional_page_user)],
    q: str = "",
    date: str | None = None,
) -> Response:
    on = date_or_today(date)
    query = q.strip()[:QUERY_LENGTH]
    hits = diagnosis_page.search(book, query, on) if query else []
    return render(request, "diagnosis_search.html", ctx, user, q=query, hits=hits, on=on)


@router.get("/diagnoses/{code}")
async def diagnosis_view(
    code: str,
    request: Request,
    ctx: Ctx,
    book: Annotated[Codebook, Depends(codebook)],
    user: Annotated[Any, Depends(optional_page_user)],
    date: str | None = None,
) -> Response:
    page = diagnosis_page.build(book, code, date_or_today(date))
    return render(request, "diagnosis.html", ctx, user, **diagnosis_page.context(page))

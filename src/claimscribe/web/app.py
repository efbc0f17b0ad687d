"""The FastAPI application factory: one codebook per process, the app database migrated by `serve`,
errors as one-line JSON for the API and a friendly page for the pages, never a traceback."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

import fastapi_offline
import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from claimscribe import config
from claimscribe.errors import BadInputError, ClaimscribeError, UnknownCodeError
from claimscribe.reference.codebook import Codebook
from claimscribe.web import filters
from claimscribe.web.context import (
    STATIC,
    TEMPLATES,
    AppContext,
    AuthRequired,
    CsrfError,
    LoginRequired,
)
from claimscribe.web.middleware import BodyLimit, CrashGuard, RequestLog, SecurityHeaders
from claimscribe.web.security import Signer, secret_key

log = logging.getLogger("claimscribe.web")


def _store_statuses() -> list[tuple[type[Exception], int]]:
    try:
        from claimscribe.store.errors import AuthError, ForbiddenError, NotFoundError, ThrottledError
    except ImportError:
        return []
    return [(AuthError, 401), (ForbiddenError, 403), (NotFoundError, 404), (ThrottledError, 429)]


def status_for(error: ClaimscribeError) -> int:
    """The HTTP status of an error a user can act on."""
    table: list[tuple[type[Exception], int]] = [
        (AuthRequired, 401),
        (CsrfError, 403),
        *_store_statuses(),
        (UnknownCodeError, 404),
        (BadInputError, 422),
    ]
    return next((status for kind, status in table if isinstance(error, kind)), 400)


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    filters.install(env)
    return Jinja2Templates(env=env)


def _engine(database_url: str | None) -> Any:
    try:
        from claimscribe.store.db import make_engine, sessions
    except ImportError:  # the store package is optional until it lands; pages that need it say so
        return None, None
    engine = make_engine(database_url)
    return engine, sessions(engine)


def create_app(codebook_path: Path | None = None, database_url: str | None = None) -> FastAPI:
    """The app over a codebook file (default: the configured one) and an app database URL (default:
    `CLAIMSCRIBE_DATABASE_URL` or var/app.db beside the codebook). The database must be migrated
    (`claimscribe serve` does it on start)."""
    book_path = Path(codebook_path) if codebook_path else config.codebook_path()
    book = Codebook(book_path)
    engine, sessions = _engine(database_url)
    app = FastAPI(
        title="claimscribe",
        version="1",
        summary="Medicare code reference, claim checks, scribe and saved encounters.",
        docs_url=None,  # served below from the vendored Swagger UI (no CDN)
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.ctx = AppContext(
        codebook=book, sessions=sessions, signer=Signer(secret_key(book_path.parent)), templates=_templates()
    )
    _install_errors(app)
    from claimscribe.web import accounts_api, api, diagnosis_routes, pages

    app.include_router(api.router)
    app.include_router(accounts_api.router)
    _openapi_with(app, api.extra_schemas())
    app.include_router(pages.router)
    app.include_router(diagnosis_routes.router)
    # Swagger UI's files come from the fastapi-offline package: /docs works with no CDN and no copy here.
    swagger = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/swagger-ui", StaticFiles(directory=str(swagger)), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    # Outermost last: the log sees every answer, the headers go on every answer (a 413 too), GZip
    # compresses pages and API answers of 1 kB or more.
    app.add_middleware(CrashGuard, respond=_internal_error)
    app.add_middleware(BodyLimit)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog)
    return app


# Swagger UI from the fastapi-offline package's files and our own start-up script (no inline script).
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>claimscribe API</title>
<link rel="stylesheet" href="/swagger-ui/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head><body><div id="swagger-ui"></div>
<script src="/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body></html>
"""


def _openapi_with(app: FastAPI, schemas: dict[str, Any]) -> None:
    """The generated OpenAPI document plus the schemas of bodies read by hand (the claim formats)."""
    from fastapi.openapi.utils import get_openapi

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            components = doc.setdefault("components", {})
            components.setdefault("schemas", {}).update(schemas)
            components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
            for path, operations in doc["paths"].items():
                for method, operation in operations.items():
                    if not (method == "get" and path.startswith("/api/v1/codes")):
                        operation["security"] = [{"bearer": []}]
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def error_response(request: Request, status: int, message: str) -> Response:
    """JSON `{"error": ...}` for the API, a friendly page for the pages."""
    message = " ".join(message.split())[:500]
    if _is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    ctx: AppContext = request.app.state.ctx
    return ctx.templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "user": None, "csrf": ""},
        status_code=status,
    )


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(ClaimscribeError)
    async def _known(request: Request, exc: ClaimscribeError) -> Response:
        return error_response(request, status_for(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return error_response(request, 422, f"{where or 'request'}: {first.get('msg', 'invalid')}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no page at {request.url.path}"
        return error_response(request, exc.status_code, message)


async def _internal_error(scope: Any, receive: Any, send: Any) -> None:
    """The answer to a request whose route raised what no handler took (web.middleware.CrashGuard logs it)."""
    request = Request(scope, receive)
    await error_response(request, 500, "internal error")(scope, receive, send)


def html(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status)

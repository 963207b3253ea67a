"""The web workspace: `create_app(db_url, read_only=False)` gives the FastAPI app that
`whopushed serve` runs (pages under /, the REST API under /api, vendored assets under
/static; nothing is loaded from elsewhere)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from .. import __version__
from .render import render
from .workbench import QueryError, Workbench

# No inline script runs and nothing loads from another origin: a script that slipped
# past escaping still could not execute. Styles allow inline (Leaflet and vis-timeline
# position their elements with style attributes).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the headers above to every response (a plain ASGI wrapper: no per-request
    task overhead)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in names]
            await send(message)

        return await self.app(scope, receive, send_with_headers)


@asynccontextmanager
async def _lifespan(app: FastAPI):
    yield
    app.state.workbench.close()


def create_app(db_url: str, read_only: bool = False) -> FastAPI:
    """The app over the database at `db_url`. With `read_only`, every page, API response
    and search shows only records marked public (and nothing that points at others)."""
    from .routes import api, pages

    app = FastAPI(title="whopushed", version=__version__,
                  description="Who launched a strike from one state's territory against another: incidents, "
                              "claims with their parties and sources, the weighing of who operated the "
                              "launcher, and what follows in law. Shapes as in docs/json.md."
                              + (" This server is read-only and shows public records only." if read_only else ""),
                  docs_url=None, redoc_url=None,  # those pages load their scripts from a CDN
                  lifespan=_lifespan)
    app.state.workbench = Workbench(db_url, read_only=read_only)
    app.state.read_only = read_only
    app.mount("/static", StaticFiles(directory=str(files("whopushed.web") / "static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(QueryError)
    async def _bad_query(request: Request, exc: QueryError):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return HTMLResponse(render(request, "error.html", status=400, message=str(exc)), status_code=400)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/") or request.url.path.startswith("/static/"):
            return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)
        return HTMLResponse(render(request, "error.html", status=exc.status_code, message=str(exc.detail)),
                            status_code=exc.status_code)

    app.add_middleware(SecurityHeaders)
    return app


def registered_routes(app: FastAPI) -> list:
    """Every route the app answers, flattened (FastAPI keeps an included router as one
    entry of app.routes); each has .path and .methods (None for a mount)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before included routers were kept whole
        return list(app.routes)
    return list(iter_route_contexts(app.routes))

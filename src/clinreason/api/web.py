"""The web page at `/`: a case form, steps streamed as they happen, and the audited result.

Pages and fragments are Jinja2 templates (`api/templates/`) rendered with autoescaping, so any
text from a note, a model or a trace is shown as text. The script and style sheet are served
from `api/static/` (no build step, nothing from another host; a Content-Security-Policy allows
only this server's own script and styles).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from clinreason.render.html import TEMPLATES, figures_css
from clinreason.trace import DISCLAIMER

HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)


@cache
def environment() -> Environment:
    """The template environment (autoescaping on for every template); the figure macros come
    from `clinreason.render`, shared with `clinreason report`."""
    return Environment(
        loader=ChoiceLoader([FileSystemLoader(HERE / "templates"), FileSystemLoader(TEMPLATES)]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    """Render one template with autoescaping."""
    return environment().get_template(template).render(**context)


def strategy_choices() -> list[str]:
    """'auto' and every strategy name, for the form."""
    from clinreason.strategies import STRATEGIES

    return ["auto", *STRATEGIES]


def page_response(page: str) -> HTMLResponse:
    """A page with the headers every page gets (strict CSP, no caching, no referrer)."""
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


def install(app: FastAPI, *, token_required: bool, backend_label: str, runs: bool = False) -> None:
    """Add the page at `/` and its static files at `/static` to `app` (`runs`: link the run
    browser)."""
    page = render(
        "page.html",
        runs=runs,
        strategies=strategy_choices(),
        backend=backend_label,
        token_required=token_required,
        disclaimer=DISCLAIMER,
    )

    @app.get("/", include_in_schema=False)
    async def index() -> HTMLResponse:
        return page_response(page)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)  # no icon; saves the browser's 404

    style = figures_css()

    @app.get("/static/figures.css", include_in_schema=False)
    async def figures_style() -> Response:  # declared before the mount, so it is matched first
        return Response(style, media_type="text/css", headers={"X-Content-Type-Options": "nosniff"})

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

"""Render the figures of a trace with Jinja2 (autoescaping on): one renderer for page and report."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from clinreason.render.figures import argument_figures, differential_of
from clinreason.trace import Trace

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
"""Where `figures.html` lives; the web page adds it to its own template path."""
FIGURES_CSS = HERE / "figures.css"
_FIGURES = '{% from "figures.html" import figures %}{{ figures(arguments, differential) }}'


@cache
def environment() -> Environment:
    """The template environment of the shared macros (autoescaping on)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def figures_html(trace: Trace, *, ns: str = "", step_anchor: str = "step-") -> str:
    """The differential and the argument graphs of `trace` as HTML ('' when it has neither).

    Args:
        trace: the trace to draw.
        ns: prefix of every element id (unique per case when many cases share a page).
        step_anchor: prefix of the ids of the page's step items (links go to `#<prefix><id>`).
    """
    arguments = argument_figures(trace, ns=ns, step_anchor=step_anchor)
    differential = differential_of(trace, ns=ns, step_anchor=step_anchor)
    if not arguments and differential is None:
        return ""
    template = environment().from_string(_FIGURES)
    return template.render(arguments=arguments, differential=differential)


def figures_css() -> str:
    """The style sheet of the figures (the page serves it; a report inlines it)."""
    return FIGURES_CSS.read_text(encoding="utf-8")

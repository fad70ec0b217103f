"""Each format rendered to plain text, so one set of assertions covers all four."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from rich.console import Console

from agents.aggregate import ReleaseReport
from render.release import render_html, render_json, render_markdown, render_terminal

Render = Callable[[ReleaseReport], str]


def terminal_text(report: ReleaseReport, written: Mapping[str, Path] | None = None) -> str:
    console = Console(file=io.StringIO(), width=250, force_terminal=False, color_system=None)
    render_terminal(report, console, written=written)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def _markdown_text(report: ReleaseReport) -> str:
    return re.sub(r"\\(.)", r"\1", render_markdown(report))  # drop Markdown escapes


def _html_text(report: ReleaseReport) -> str:
    return html.unescape(render_html(report))


RENDERERS: dict[str, Render] = {
    "terminal": terminal_text,
    "md": _markdown_text,
    "html": _html_text,
    "json": render_json,
}


@pytest.fixture(params=sorted(RENDERERS))
def as_text(request: pytest.FixtureRequest) -> Render:
    return RENDERERS[request.param]


@pytest.fixture(params=["html", "md", "terminal"])
def as_prose(request: pytest.FixtureRequest) -> Render:
    """The formats people read; JSON carries the same facts as fields (test_json.py)."""
    return RENDERERS[request.param]

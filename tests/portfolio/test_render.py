"""Every format of the portfolio summary: escaping, the advisory banner and sign-off, charts,
Confluence storage format; and the demo organisation's summary rendered offline."""

from __future__ import annotations

import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console

from agents.portfolio.report import PortfolioSummary
from render.portfolio import render_html, render_json, render_markdown, render_terminal
from render.portfolio.common import charts, standalone_svg
from render.portfolio.storage import render_storage, storage_withdrawn, xml_text
from tests.portfolio.sample import home, summary

__all__ = ["home"]
EMAIL = "ann.lee@example.com"


def storage_tree(body: str) -> ET.Element:
    """Storage format is XHTML with ac:/ri: prefixes: well-formed once they are declared."""
    wrapped = '<root xmlns:ac="urn:ac" xmlns:ri="urn:ri">' + body + "</root>"
    return ET.fromstring(wrapped)  # noqa: S314 - our own output, parsed to check it


def terminal(s: PortfolioSummary) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    render_terminal(s, console)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def test_storage_format_is_well_formed_and_escapes_every_text() -> None:
    s = summary()
    s = s.model_copy(update={"summary": s.summary + " <script>x</script> & \x07bell"})
    body, found = render_storage(s)
    tree = storage_tree(body)
    assert "<script>" not in body and "&lt;script&gt;" in body and "\x07" not in body
    assert "Refunds &lt;b&gt;&amp; returns&lt;/b&gt;" in body
    macro = tree[0]
    assert macro.get("{urn:ac}name") == "info"
    text = "".join(macro.itertext())
    assert ("Advisory — generated on 2024-06-01 12:00 UTC, signed off by paula on "
            "2024-06-02 09:14 UTC") in text
    images = [a.get("{urn:ri}filename") for a in tree.iter("{urn:ri}attachment")]
    assert images == [c.filename for c in found] and len(found) == 2
    headings = [h.text for h in tree.iter("h2")]
    assert headings == ["Executive summary", "Epics", "Teams", "Findings",
                        "Data coverage and gaps"]
    link = next(tree.iter("a"))
    assert link.get("href") == "https://acme.atlassian.net/browse/PAY-1"


def test_a_pending_summary_is_a_marked_draft_and_a_rejected_one_is_withdrawn() -> None:
    body, _ = render_storage(summary("pending_signoff"))
    first = storage_tree(body)[0]
    assert first.get("{urn:ac}name") == "note"
    assert "".join(first.itertext()).startswith("Draft — pending sign-off")
    notice = storage_withdrawn(summary("rejected"))
    assert "rejected by paula on 2024-06-02 09:14 UTC" in notice
    assert "Executive summary" not in notice
    storage_tree(notice)


def test_charts_are_standalone_svg_files_with_their_own_style() -> None:
    found = charts(summary())
    assert [c.name for c in found] == ["portfolio-epics", "portfolio-teams"]
    for chart in found:
        root = ET.fromstring(chart.standalone())  # noqa: S314 - our own output
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.find("{http://www.w3.org/2000/svg}style") is not None
        assert re.fullmatch(r"portfolio-(epics|teams)-[0-9a-f]{10}\.svg", chart.filename)
    assert standalone_svg('<svg id="a" viewBox="0 0 1 1"></svg>').count("xmlns=") == 1


def test_markdown_html_json_and_terminal_carry_banner_signoff_and_tables() -> None:
    s = summary("pending_signoff")
    md, page, data, text = render_markdown(s), render_html(s), render_json(s), terminal(s)
    for out in (md, page, text):
        assert "Advisory only" in out and "Pending sign-off" in out
        assert "advisor signoff pf-0123456789ab" in out
        assert "PAY-1" in out and "likely late" in out
    assert "Refunds \\<b\\>\\& returns\\</b\\>" in md
    assert "<b>" not in page and "Content-Security-Policy" in page and "<svg" in page
    assert PortfolioSummary.model_validate(json.loads(data)) == s


def test_every_format_masks_pii_that_reached_the_summary() -> None:
    s = summary().model_copy(update={"summary": f"Ask {EMAIL} about PAY-1."})
    outputs = [render_markdown(s), render_html(s), render_json(s), terminal(s),
               render_storage(s)[0]]
    for out in outputs:
        assert EMAIL not in out and "[REDACTED:email]" in out.replace("\\", "")


def test_xml_text_drops_what_xml_cannot_hold() -> None:
    assert xml_text('a\x00b<"c">\ufffe') == "ab&lt;&quot;c&quot;&gt;"


def test_the_demo_portfolio_summary_renders_offline(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        from advisor.demo import demo_snapshot_path
    except ImportError:
        pytest.skip("the demo organisation is not built yet")
    if not demo_snapshot_path().exists():
        pytest.skip("the demo snapshot is not built yet")
    from advisor.cli import main

    out = tmp_path / "demo"
    monkeypatch.setattr(sys, "argv", ["advisor", "portfolio-summary", "--demo", "--projects",
                                      "PAY", "--format", "md,html", "--output", str(out),
                                      "--quiet"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code in (0, None), capsys.readouterr().err
    (md,) = out.glob("*.md")
    (page,) = out.glob("*.html")
    markdown, html_text = md.read_text(), page.read_text()
    assert markdown.startswith("# Portfolio summary — ")
    assert "Pending sign-off" in markdown and "PAY-102" in markdown
    assert "| Epic |" in markdown and "| Team |" in markdown
    assert "<svg" in html_text and "PAY-102" in html_text

"""HTML: one self-contained file, escaped text, inline SVG charts a browser test can find."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from agents.aggregate import ADVISORY_BANNER
from render.release import render_html
from tests.render import sample


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside each <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.svg_titles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        if self.stack[-2:] == ["svg", "title"]:
            self.svg_titles.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def _parse(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    return parser


def test_loads_nothing_from_anywhere() -> None:
    text = render_html(sample.release_report())
    tags = _parse(text)
    assert not any("src" in attrs for _, attrs in tags.tags)
    assert tags.named("link") == []
    assert tags.named("script") == []
    assert "@import" not in text
    assert "url(" not in text
    # Web addresses appear only as navigation links to evidence, never as resources.
    hrefs = [attrs["href"] for attrs in tags.named("a")]
    assert hrefs
    assert all(h and h.startswith("https://github.com/acme/") for h in hrefs)
    outside_links = re.sub(r'<a class="ev" href="[^"]*"', "", text)
    assert "http://" not in outside_links
    assert "https://" not in outside_links.replace("https://github.com/acme/", "")


def test_content_security_policy_forbids_fetches_and_scripts() -> None:
    metas = _parse(render_html(sample.release_report())).named("meta")
    csp = next(m["content"] for m in metas if m.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None
    assert "default-src 'none'" in csp
    assert "script-src" not in csp


def test_script_in_a_finding_title_is_escaped() -> None:
    text = render_html(sample.release_report())
    assert "<script>" not in text
    assert html.escape(sample.SCRIPT_TITLE) in text
    assert "javascript:" not in text  # the unsafe evidence URL is not a link


def test_every_title_escaped_and_present() -> None:
    report = sample.release_report()
    text = render_html(report)
    for title in sample.titles(report):
        assert html.escape(title) in text


def test_three_kinds_of_chart_each_accessible() -> None:
    tags = _parse(render_html(sample.release_report()))
    svgs = tags.named("svg")
    kinds = [s["data-chart"] for s in svgs]
    assert kinds == ["agent-scores", "findings-by-severity", "trend", "trend"]
    assert [s["id"] for s in svgs] == ["chart-agent-scores", "chart-findings-by-severity",
                                       "chart-trend-1", "chart-trend-2"]
    assert all(s["role"] == "img" for s in svgs)
    assert len(tags.svg_titles) == 4
    assert "payments-api p99 latency" in tags.svg_titles


def test_agent_chart_shows_numbers_and_the_unassessed_agent() -> None:
    text = render_html(sample.release_report())
    chart = re.search(r'<svg id="chart-agent-scores".*?</svg>', text, re.S)
    assert chart is not None
    assert ">78</text>" in chart.group(0)
    assert "band-high" in chart.group(0)
    assert "band-unassessed" in chart.group(0)
    assert "not assessed (counted as worst case)" in chart.group(0)


def test_trend_charts_label_min_max_and_ticks() -> None:
    text = render_html(sample.release_report())
    chart = re.search(r'<svg id="chart-trend-1".*?</svg>', text, re.S)
    assert chart is not None
    svg = chart.group(0)
    assert "min 180 ms" in svg
    assert "max 344 ms" in svg
    assert svg.count('class="tick"') >= 5  # three values, two timestamps
    points = re.search(r'points="([^"]+)"', svg)
    assert points is not None
    assert len(points.group(1).split()) == 50


def test_banner_first_and_prominent() -> None:
    text = render_html(sample.release_report())
    assert text.index(html.escape(ADVISORY_BANNER)) < text.index("<main>")
    assert 'class="signoff signoff-pending"' in text


def test_printable() -> None:
    text = render_html(sample.release_report())
    assert "@media print" in text
    assert "print-color-adjust:exact" in text

"""The HTML report in a real browser: opens offline, no console errors, charts drawn.

Uses Debian's Chromium through Playwright's bundled driver; skips only where neither
can be had (``.ci/run`` installs Chromium).
"""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest

from render.release import render_html
from tests.render.sample import SCRIPT_TITLE, release_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed here")

# Flags for a closed network: no background traffic, no sandbox as root.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _distinct_colours(png: bytes, limit: int = 50) -> int:
    """Count distinct RGB colours of a PNG (8-bit RGB/RGBA, no filters beyond the spec's)."""
    pos, chunks = 8, []
    width = height = colour_type = 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, _, colour_type = struct.unpack(">IIBB", data[:10])
        elif kind == b"IDAT":
            chunks.append(data)
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    channels = 4 if colour_type == 6 else 3
    stride = width * channels + 1
    colours = set()
    for row in range(0, height, max(1, height // 40)):
        line = raw[row * stride + 1:(row + 1) * stride]  # sampled rows; filters blur, fine
        for x in range(0, width * channels, channels * max(1, width // 60)):
            colours.add(line[x:x + 3])
            if len(colours) >= limit:
                return len(colours)
    return len(colours)


def test_html_report_opens_offline_without_errors_and_shows_its_charts(tmp_path: Path) -> None:
    html = render_html(release_report())
    page_file = tmp_path / "report.html"
    page_file.write_text(html, encoding="utf-8")
    errors: list[str] = []
    requests: list[str] = []
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri(), wait_until="load")
            charts = {c: page.locator(f"[data-chart='{c}']")
                      for c in ("agent-scores", "findings-by-severity", "trend")}
            for name, locator in charts.items():
                assert locator.count() >= 1, f"chart {name} missing"
                box = locator.first.bounding_box()
                assert box and box["width"] > 50 and box["height"] > 20, f"chart {name} not drawn"
            assert page.locator("text=Advisory").first.is_visible()
            assert SCRIPT_TITLE in page.inner_text("body"), "hostile title shown as text"
            shot = page.screenshot(full_page=True)
        finally:
            browser.close()
    (tmp_path / "report.png").write_bytes(shot)
    assert errors == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests
    assert len(shot) > 20_000 and _distinct_colours(shot) > 8, "the screenshot is blank"

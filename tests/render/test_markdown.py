"""Markdown: a PR comment under GitHub's size limit, with no HTML but <details>."""

from __future__ import annotations

import re

import pytest

from agents.aggregate import ADVISORY_BANNER, ReleaseReport
from agents.models import Finding
from render.release import render_markdown
from render.release.markdown import GITHUB_COMMENT_LIMIT
from tests.render import sample

_TAG = re.compile(r"(?<!\\)</?([A-Za-z][\w-]*)")


def _many_findings(count: int) -> ReleaseReport:
    report = sample.release_report()
    template = report.agents[0].findings[1]
    findings = [
        template.model_copy(update={
            "fingerprint": f"fp-{i:04d}", "title": f"Generated finding number {i:04d}",
            "explanation": "A long explanation of the problem. " * 30})
        for i in range(count)
    ]
    agents = [report.agents[0].model_copy(update={"findings": findings}), *report.agents[1:]]
    return report.model_copy(update={"agents": agents, "top_risks": findings[:10]})


def test_only_details_html() -> None:
    text = render_markdown(sample.release_report())
    assert set(_TAG.findall(text)) == {"details", "summary", "b"}
    assert text.count("<details>") == text.count("</details>") == 3


def test_finding_text_cannot_inject_html_or_links() -> None:
    text = render_markdown(sample.release_report())
    assert "<script>" not in text
    assert r"\<script\>alert(1)\</script\>" in text
    assert "javascript:" not in text  # an unsafe evidence URL is shown as a ref, not a link


def test_banner_first_and_unavailable_agent_marked() -> None:
    text = render_markdown(sample.release_report())
    assert text.index(ADVISORY_BANNER.split(":")[0]) < text.index("## Score by agent")
    assert "**unavailable: not assessed (counted as worst case)**" in text
    assert "100 (worst case)" in text


def test_annotations_and_suggested_tests() -> None:
    text = render_markdown(sample.release_report())
    assert "priority 1 (1 = look first)" in text
    assert "refund lookup with UNION SELECT" in text
    assert "A placeholder in a test fixture, never deployed." in text
    assert "suggested by the LLM, not by a deterministic check" in text
    assert "CWE-798" in text


def test_the_file_is_never_cut() -> None:
    report = _many_findings(400)
    text = render_markdown(report)
    assert len(text) > GITHUB_COMMENT_LIMIT
    assert all(f"Generated finding number {i:04d}" in text for i in range(400))
    assert ("A long explanation of the problem. " * 30).strip() in text
    assert "not shown" not in text and "…" not in text


def test_comment_size_cap_says_what_it_left_out_and_links_the_full_report() -> None:
    report = _many_findings(400)
    url = "https://github.com/acme/payments/actions/runs/42#artifacts"
    text = render_markdown(report, max_chars=GITHUB_COMMENT_LIMIT, full_report=url)
    assert len(text) <= GITHUB_COMMENT_LIMIT
    match = re.search(r"(\d+) more findings not shown: see \[the full report\]\(([^)]+)\)",
                      text)
    assert match is not None and int(match.group(1)) > 0 and match.group(2) == url
    assert "This comment is shortened to fit" in text
    assert ADVISORY_BANNER.split(":")[0] in text
    assert sample.SNAPSHOT_HASH in text  # the footer survives the cut
    assert text.count("<details>") == text.count("</details>")
    for clipped in re.findall(r"(\S*)…\(more in the full report\)", text):
        assert not clipped or clipped[-1].isalnum()  # cut between words, never in one


@pytest.mark.parametrize("limit", [2_000, 2_500])
def test_last_resort_cut_keeps_banner_and_footer(limit: int) -> None:
    text = render_markdown(_many_findings(50), max_chars=limit)
    assert len(text) <= limit
    assert re.search(r"Comment cut to fit: \d+ characters not shown; the full report", text)
    assert "**Sign-off:** Pending sign-off" in text
    assert sample.SNAPSHOT_HASH in text
    assert text.count("<details>") == text.count("</details>")


def test_table_cells_stay_in_their_column() -> None:
    report = sample.release_report()
    odd: Finding = report.top_risks[0].model_copy(update={"title": "a | b\nc"})
    text = render_markdown(report.model_copy(update={"top_risks": [odd]}))
    row = next(line for line in text.splitlines() if line.startswith("| 1 |"))
    assert r"a \| b c" in row
    assert len(re.split(r"(?<!\\)\|", row)) == 7  # five cells between the outer pipes


def test_empty_report_renders() -> None:
    report = sample.release_report(agents=[], contributions=[], top_risks=[], gaps=[],
                                   trends=[], report_id=None, snapshot_hash=None)
    text = render_markdown(report)
    assert "No findings." in text
    assert "No data gaps reported." in text
    assert "`not registered`" in text

"""The demo release report in every format: every planted risk, every finding counted the
same as the JSON, a ten-second summary, and no path of this machine anywhere."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from advisor.demo import demo_plan_path
from advisor.demo.planted import PLANTED, PlantedRisk
from agents.aggregate import ReleaseReport
from agents.models import Finding
from render.release import render_html, render_json, render_markdown
from tests.graphs.demo_run import RELEASE_AGENTS, run_demo_release
from tests.render.conftest import terminal_text
from tests.render.test_markdown import _many_findings

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("terminal", "md", "html", "json")


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> ReleaseReport:
    state = run_demo_release(tmp_path_factory.mktemp("demo-formats"))
    return ReleaseReport.model_validate(state["report"])


def rendered(report: ReleaseReport, fmt: str) -> str:
    """Each format as the text a reader sees (Markdown escapes and HTML entities undone)."""
    if fmt == "terminal":
        return terminal_text(report)
    if fmt == "md":
        return re.sub(r"\\(.)", r"\1", render_markdown(report))
    if fmt == "html":
        return html.unescape(render_html(report))
    return render_json(report)


def listed(report: ReleaseReport, fmt: str) -> int:
    """How many findings a format lists (each once, under its agent)."""
    if fmt == "md":
        return len(re.findall(r"^\*\*\d+\. ", render_markdown(report), flags=re.M))
    if fmt == "html":
        return render_html(report).count('<div class="finding')
    if fmt == "terminal":
        listing = terminal_text(report).split("All findings (", 1)[1]
        return len(re.findall(r"^ *\d+\. \[(?:critical|high|medium|low|info)\] ", listing,
                              flags=re.M))
    return sum(len(a["findings"]) for a in json.loads(render_json(report))["agents"])


def _citing(report: ReleaseReport, risk: PlantedRisk) -> Finding:
    return next(f for a in report.agents if a.agent == risk.agent for f in a.findings
                if risk.category in f.categories and any(risk.evidence in e.ref
                                                         for e in f.evidence))


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_lists_as_many_findings_as_the_json_and_says_the_totals(
        demo_report: ReleaseReport, fmt: str) -> None:
    total = sum(len(a.findings) for a in demo_report.agents)
    assert demo_report.counts.total == total == listed(demo_report, "json")
    assert listed(demo_report, fmt) == total
    if fmt == "json":
        data = json.loads(render_json(demo_report))
        assert data["counts"] == demo_report.counts.model_dump()
        return
    text = rendered(demo_report, fmt)
    assert demo_report.counts.text() in text  # "49 findings: 3 critical, …" everywhere
    assert f"Top risks ({len(demo_report.top_risks)} of {total})" in text


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("risk", [r for r in PLANTED if r.agent in RELEASE_AGENTS],
                         ids=lambda r: r.id)
def test_every_planted_risk_is_in_every_format(demo_report: ReleaseReport, fmt: str,
                                               risk: PlantedRisk) -> None:
    finding = _citing(demo_report, risk)
    if fmt == "json":
        data = json.loads(render_json(demo_report))
        [listed_once] = [f for a in data["agents"] for f in a["findings"]
                         if f["fingerprint"] == finding.fingerprint]
        assert any(risk.evidence in e["ref"] for e in listed_once["evidence"])
        return
    text = rendered(demo_report, fmt)
    assert finding.title in text and risk.category in text
    if fmt != "terminal":  # the terminal lists each finding on one line; files say all
        assert risk.evidence in text and finding.recommendation in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_path_of_this_machine_in_any_format(demo_report: ReleaseReport, fmt: str) -> None:
    text = rendered(demo_report, fmt)
    for local in {str(ROOT), str(Path.home()), str(demo_plan_path().parent), "/tmp/"}:
        assert local not in text, local
    assert not re.search(r"(?<![\w.])/(?:home|Users|root|work|tmp)/", text)


def test_the_summary_takes_ten_seconds(demo_report: ReleaseReport) -> None:
    assert demo_report.verdict == "high risk"
    assert demo_report.verdict_rule == "any critical finding ⇒ high risk"
    assert len(demo_report.headline) == 3
    why, most, first = demo_report.headline
    assert why.startswith("High risk: 3 critical findings")
    assert most.startswith("Most severe: ") and first.startswith("First: ")
    assert not any("Not covered" in s or "gap" in s for s in demo_report.headline)
    top = {f.category for f in demo_report.top_risks}
    assert "alarm-active" in top  # production is firing now: it makes the top risks


def test_each_gap_is_listed_once(demo_report: ReleaseReport) -> None:
    assert len(demo_report.gaps) == len(set(demo_report.gaps))
    text = terminal_text(demo_report)
    assert f"Data gaps ({len(demo_report.gaps)}, each once)" in text


def test_suggested_tests_come_from_the_change_and_never_restate_a_title(
        demo_report: ReleaseReport) -> None:
    untested = [f for a in demo_report.agents for f in a.findings
                if "untested-change" in f.categories]
    assert untested and all(f.suggested_tests for f in untested)
    assert any(re.search(r"`\w+\(\)` \(src/payments/[\w/]+\.py:\d+\)", t)
               for f in untested for t in f.suggested_tests)
    for agent in demo_report.agents:
        for finding in agent.findings:
            notes = finding.annotation.suggested_tests if finding.annotation else []
            for test in [*finding.suggested_tests, *notes]:
                assert finding.title not in test, test


def test_a_markdown_report_of_200_findings_is_complete() -> None:
    report = _many_findings(200)
    text = render_markdown(report)
    assert len(re.findall(r"^\*\*\d+\. Generated finding number \d{4}\*\*", text,
                          flags=re.M)) == 200
    assert "not shown" not in text and "more in the full report" not in text
    assert text.count("A long explanation of the problem.") == 200 * 30

"""The agent as a whole: the Agent contract, policy, missing data, metrics, links, summary."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from agents.advisory import ReportDigest, SummaryResult
from agents.base import Agent, AgentInput
from agents.models import CoverageStatus, LlmUsage
from agents.policy import load_policy
from agents.portfolio import KINDS, PortfolioAgent, PortfolioPolicy
from agents.registry import agent_factory
from governance.errors import ConfigError
from tests.agents.portfolio.factories import (
    AS_OF,
    JIRA_URL,
    epic,
    issue,
    link,
    policy,
    release,
    run,
    snapshot,
    weekly_done,
)
from tests.configs import agent_config

REPO = Path(__file__).resolve().parents[3]


def _portfolio() -> list:
    return [epic("PAY-1", labels=["target-2024-06-10"], summary="Refunds"),
            *[issue(f"PAY-{n}", epic="PAY-1") for n in range(2, 12)],
            issue("PAY-12", epic="PAY-1", status="Blocked"),
            issue("PAY-13", epic="PAY-1", updated=AS_OF - timedelta(days=30)),
            *weekly_done("PAY", [3, 3, 3, 3, 3, 1, 0, 1])]


def test_implements_the_agent_protocol_and_is_registered() -> None:
    agent: Agent = PortfolioAgent()
    assert (agent.name, agent.needs) == ("portfolio", ("jira",))
    assert isinstance(agent_factory("portfolio", agent_config())(), PortfolioAgent)


def test_shipped_policy_section_is_valid_and_matches_the_defaults() -> None:
    shipped = load_policy(REPO / "config" / "policy.yaml").section("portfolio", PortfolioPolicy)
    assert shipped == PortfolioPolicy()


def test_bad_policy_value_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"portfolio\.throughput"):
        run(snapshot(), {"throughput": {"weeks": 4, "recent_weeks": 4}})
    with pytest.raises(ConfigError, match="label_pattern"):
        run(snapshot(), {"target": {"label_pattern": "^target$"}})
    with pytest.raises(ConfigError, match="unknown_key"):
        run(snapshot(), {"unknown_key": 1})


def test_without_jira_the_report_is_partial_and_says_why() -> None:
    result = run(snapshot(jira=False))
    report = result.report
    assert report.status == "partial"
    assert report.coverage[0].status == CoverageStatus.MISSING
    assert any(g.source == "jira" and g.what == "all data" for g in report.gaps)
    assert report.score.value > 0 and report.score.uncertainty
    assert result.view.epics == [] and result.view.teams == []


def test_metrics_cover_every_finding_type_and_the_portfolio() -> None:
    report = run(snapshot(_portfolio())).report
    assert {f"findings.{k}" for k in KINDS} <= set(report.metrics)
    assert report.metrics["findings_group.epic"] == 3
    assert report.metrics["epics"] == 1 and report.metrics["teams"] == 1
    assert report.metrics["epic_items_total"] == 12 and report.metrics["done_ratio"] == 0.0
    assert report.metrics["epic.PAY-1.progress_pct"] == 0.0
    assert isinstance(report.metrics["epic.PAY-1.p85"], str)
    assert report.metrics["as_of"] == AS_OF.isoformat()


def test_every_finding_has_evidence_with_jira_urls() -> None:
    issues = [*_portfolio(), issue("PAY-30", epic="PAY-1", links=[link("OPS-1")])]
    findings = run(snapshot(issues, fix_version="1.0", release_date=AS_OF.date())
                   ).report.findings
    assert {f.category for f in findings} >= {"epic-slipping", "blocked-work", "stale-work",
                                              "throughput-drop"}
    for finding in findings:
        issues_cited = [e for e in finding.evidence if e.kind == "issue"]
        assert issues_cited, finding.category
        assert all(e.url == f"{JIRA_URL}/browse/{e.ref}" for e in issues_cited)


def test_jira_url_falls_back_to_the_policy_then_to_none() -> None:
    body = snapshot([epic("PAY-1")], url=None)
    assert run(body).view.epics[0].url is None
    assert run(body, {"jira_base_url": "https://jira.example.com/"}).view.epics[0].url == (
        "https://jira.example.com/browse/PAY-1")


def test_offline_executive_summary_is_in_business_language() -> None:
    result = run(snapshot(_portfolio()))
    summary = result.report.summary or ""
    assert summary.startswith("Portfolio PAY: 1 epic across 1 team, over the 14 days to "
                              "1 June 2024. 0 of 12 planned work items are done (0%).")
    assert "1 epic is likely to miss its target: PAY-1 (85% likely done by" in summary
    assert "Delivery pace dropped in 1 team." in summary
    assert "Advisory only" in summary
    assert result.report.llm.provider == "offline" and result.report.llm.calls == 0


class _RecordingAdvisor:
    provider = "fake"

    def __init__(self) -> None:
        self.digests: list[ReportDigest] = []

    def annotate(self, findings, context):  # type: ignore[no-untyped-def]
        raise AssertionError("not used")

    def summarise(self, report: ReportDigest) -> SummaryResult:
        self.digests.append(report)
        return SummaryResult(summary="Narrative by Grace Hopper.", narrator="llm:fake",
                             usage=LlmUsage(provider="fake", calls=1))


def test_the_summary_goes_through_the_given_advisor_and_is_masked() -> None:
    advisor = _RecordingAdvisor()
    issues = [*_portfolio(), issue("PAY-40", epic="PAY-1", assignee="Grace Hopper")]
    result = run(snapshot(issues), advisor=advisor)
    [digest] = advisor.digests
    assert digest.agent == "portfolio" and digest.subject == "portfolio PAY"
    assert digest.findings == result.report.findings
    assert "Grace Hopper" not in digest.model_dump_json()
    assert (result.report.summary or "").endswith("Narrative by [masked:assignee].")
    assert result.report.llm.calls == 1


def test_a_set_of_epics_across_projects() -> None:
    ops = release([epic("OPS-1"), issue("OPS-2", epic="OPS-1"), epic("OPS-9"),
                   issue("OPS-10", epic="OPS-9")], project="OPS")
    body = snapshot([epic("PAY-1"), issue("PAY-2", epic="PAY-1")])
    everything = run(body, releases=[ops]).view
    assert [e.key for e in everything.epics] == ["OPS-1", "OPS-9", "PAY-1"]
    chosen = run(body, releases=[ops], epics=["ops-1", "PAY-1"]).view
    assert [e.key for e in chosen.epics] == ["OPS-1", "PAY-1"]
    assert chosen.subject == "portfolio of epics OPS-1, PAY-1"
    assert [t.team for t in chosen.teams] == ["OPS", "PAY"]


def test_as_of_defaults_to_the_snapshot_time() -> None:
    body = snapshot([epic("PAY-1")])
    view = PortfolioAgent().run(AgentInput(snapshot=body), policy()).view
    assert view.as_of == body.created_at
    assert view.period_start == body.created_at - timedelta(days=14)
    assert PortfolioAgent(period_days=30).run(AgentInput(snapshot=body), policy()
                                              ).view.period_days == 30


def test_missing_changelog_raises_uncertainty_not_safety() -> None:
    issues = [epic("PAY-1"), issue("PAY-2", epic="PAY-1"), *weekly_done("PAY", [1, 1, 1, 1])]
    without = run(snapshot(issues)).report
    given = run(snapshot(issues), scope_changes=[]).report
    assert any("epic-link changelog" in u for u in without.score.uncertainty)
    assert without.score.value > given.score.value
    assert given.status == "complete" and without.status == "partial"


def test_analyse_returns_the_report_of_run() -> None:
    body = snapshot(_portfolio())
    agent = PortfolioAgent(as_of=AS_OF)
    assert agent.analyse(AgentInput(snapshot=body), policy()) == agent.run(
        AgentInput(snapshot=body), policy()).report


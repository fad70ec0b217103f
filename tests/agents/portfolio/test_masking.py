"""Only aggregates leave the agent: masking is one function over the whole result."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.models import (
    AgentReport,
    AgentStatus,
    Confidence,
    Evidence,
    EvidenceKind,
    Finding,
    RiskScore,
    Severity,
)
from agents.portfolio import PortfolioPolicy, PortfolioResult, PortfolioView, TeamRow
from agents.portfolio.masking import mask_output, masking_for
from tests.agents.portfolio.factories import (
    epic,
    issue,
    link,
    run,
    snapshot,
    weekly_done,
)

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def _result(text: str, assignees: dict[str, int] | None = None) -> PortfolioResult:
    finding = Finding(fingerprint="f", agent="portfolio", category="stale-work",
                      severity=Severity.LOW, confidence=Confidence.HIGH, title=text,
                      explanation=text, recommendation="r",
                      evidence=[Evidence(kind=EvidenceKind.ISSUE, ref="PAY-1", detail=text)])
    report = AgentReport(agent="portfolio", status=AgentStatus.COMPLETE, findings=[finding],
                         metrics={"note": text}, score=RiskScore(value=3), summary=text)
    team = TeamRow(team="PAY", projects=["PAY"], open_items=1, throughput=[1, 1],
                   throughput_mean=1.0, throughput_slope=0.0, resolved_in_window=2,
                   bug_share_pct=0.0, assignees=assignees)
    view = PortfolioView(subject="portfolio PAY", as_of=NOW, period_start=NOW, period_days=14,
                         projects=["PAY"], teams=[team])
    return PortfolioResult(report=report, view=view)


def test_mask_output_replaces_people_and_sensitive_values_everywhere() -> None:
    issues = [issue("PAY-1", assignee="Alice Example", summary="Acme contract renewal")]
    policy = PortfolioPolicy(sensitive_fields=("summary",))
    masking = masking_for(issues, policy)
    text = "Alice Example asked about Acme contract renewal"
    masked = mask_output(_result(text), masking)
    expected = "[masked:assignee] asked about [masked:summary]"
    finding = masked.report.findings[0]
    assert finding.title == finding.explanation == expected
    assert finding.evidence[0].detail == expected
    assert masked.report.summary == expected and masked.report.metrics["note"] == expected
    assert finding.severity is Severity.LOW  # enums survive the walk


def test_mask_output_drops_assignee_counts_unless_configured() -> None:
    result = _result("fine", assignees={"Bob": 2})
    hidden = mask_output(result, masking_for([], PortfolioPolicy()))
    assert hidden.view.teams[0].assignees is None
    shown = mask_output(result, masking_for(
        [], PortfolioPolicy.model_validate({"team": {"show_assignees": True}})))
    assert shown.view.teams[0].assignees == {"Bob": 2}


def test_masking_matches_whole_words_only_and_skips_short_values() -> None:
    masking = masking_for([issue("PAY-1", assignee="Ann"), issue("PAY-2", assignee="QA")],
                          PortfolioPolicy())
    assert masking.text("Ann reviewed the Annual plan with QA") == (
        "[masked:assignee] reviewed the Annual plan with QA")


def test_fields_the_snapshot_does_not_carry_are_listed_not_masked() -> None:
    masking = masking_for([issue("PAY-1")], PortfolioPolicy(
        sensitive_fields=("customfield_10090", "contract_value", "labels")))
    assert masking.not_carried == ("contract_value", "customfield_10090")
    result = run(snapshot([issue("PAY-1")]), {"sensitive_fields": ["customfield_10090"]})
    assert result.report.metrics["sensitive_fields_not_in_snapshot"] == "customfield_10090"


def test_a_full_run_leaks_no_names_descriptions_or_sensitive_titles() -> None:
    issues = [epic("PAY-1", summary="Acme Corp contract 4711 migration"),
              *[issue(f"PAY-{n}", epic="PAY-1", assignee="Carol Secret",
                      description="Contract value 1.2M EUR, penalty clause 7",
                      links=[link("OPS-1")]) for n in range(2, 6)],
              *weekly_done("PAY", [3, 3, 3, 3, 3, 0, 0, 0])]
    result = run(snapshot(issues), {"sensitive_fields": ["summary"]})
    dumped = result.model_dump_json()
    assert "Carol Secret" not in dumped
    assert "penalty clause" not in dumped and "1.2M" not in dumped
    assert "Acme Corp" not in dumped
    assert result.view.epics[0].title == "[masked:summary]"
    assert result.report.findings  # the run did find things to say


def test_assignee_counts_appear_only_when_configured() -> None:
    issues = [issue("PAY-1", assignee="Dan Visible"), issue("PAY-2", assignee="Dan Visible"),
              issue("PAY-3")]
    hidden = run(snapshot(issues))
    assert hidden.view.teams[0].assignees is None
    assert "Dan Visible" not in hidden.model_dump_json()
    shown = run(snapshot(issues), {"team": {"show_assignees": True}})
    assert shown.view.teams[0].assignees == {"Dan Visible": 2, "unassigned": 1}

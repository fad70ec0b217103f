"""The agent as a whole: the Agent contract, missing data, metrics, links, redaction, scale."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agents.base import Agent
from agents.delivery import KINDS, DeliveryAgent, DeliveryPolicy
from connectors.provenance import Gap
from connectors.snapshot import SnapshotBody
from governance.errors import ConfigError
from tests.agents.delivery.factories import (
    T0,
    changed,
    issue,
    of,
    pr,
    review,
    run,
    snapshot,
)
from tests.configs import policy


def test_implements_the_agent_protocol() -> None:
    agent: Agent = DeliveryAgent()
    assert (agent.name, agent.needs) == ("delivery", ("github", "jira"))


def test_shipped_policy_section_is_valid_and_matches_the_defaults() -> None:
    shipped = policy().section("delivery", DeliveryPolicy)
    assert shipped == DeliveryPolicy()


def test_bad_policy_value_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"delivery\.process\.large_pr_lines"):
        run(snapshot(), {"process": {"large_pr_lines": 0}})
    with pytest.raises(ConfigError, match="high_threshold"):
        run(snapshot(), {"change_risk": {"medium_threshold": 0.9, "high_threshold": 0.8}})
    with pytest.raises(ConfigError, match="unknown_key"):
        run(snapshot(), {"unknown_key": 1})


def test_metrics_cover_every_finding_type_and_the_release() -> None:
    issues = [issue(), issue("PAY-2", status="In Progress", category="indeterminate")]
    report = run(snapshot(prs=[pr(), pr(2, merged_at=None)], issues=issues))
    assert {f"findings.{k}" for k in KINDS} <= set(report.metrics)
    assert report.metrics["findings.scope-not-done"] == 1
    assert report.metrics["findings_group.scope"] == 1
    assert report.metrics["prs_merged"] == 1
    assert report.metrics["prs_not_merged"] == 1
    assert report.metrics["issues_in_scope"] == 2
    assert report.metrics["done_ratio"] == 0.5
    assert isinstance(report.metrics["change_risk_mean"], float)
    assert report.metrics["change_risk_max"] == report.metrics["change_risk_mean"]


def test_missing_jira_never_lowers_the_score() -> None:
    with_jira = run(snapshot())
    without = run(snapshot(jira=False))
    assert without.status == "partial" and with_jira.status == "complete"
    assert without.score.value >= with_jira.score.value
    assert any("jira" in u for u in without.score.uncertainty)


def test_missing_github_is_partial_with_gaps() -> None:
    report = run(snapshot(github=False))
    assert report.status == "partial"
    assert {"process checks", "done-without-code check"} <= {g.what for g in report.gaps}
    assert report.metrics["prs_merged"] == 0
    assert report.metrics["change_risk_mean"] is None


def test_jira_gaps_in_the_snapshot_make_the_report_partial() -> None:
    gap = Gap(source="jira", what="changelog of PAY-1", why="HTTP 500")
    assert run(snapshot(jira_gaps=[gap])).status == "partial"


def test_jira_links_fall_back_to_the_policy_base_url() -> None:
    body = snapshot(issues=[issue(status="Open", category="new")], jira_asked={})
    [unlinked] = of(run(body), "scope-not-done")
    assert unlinked.evidence[0].url is None
    [linked] = of(run(body, {"jira_base_url": "https://jira.example.com/"}), "scope-not-done")
    assert linked.evidence[0].url == "https://jira.example.com/browse/PAY-1"


def test_free_text_is_redacted() -> None:
    secret = "Fix for jane.doe@example.com"
    body = snapshot(prs=[pr(title=secret, keys=[])],
                    issues=[issue(status="Open", category="new", summary=secret)])
    report = run(body)
    text = report.model_dump_json()
    assert "jane.doe@example.com" not in text
    assert "[REDACTED:email]" in of(report, "pr-without-issue")[0].title


def test_fingerprints_are_stable_and_distinct() -> None:
    body = snapshot(prs=[pr(1, reviews=[]), pr(2, reviews=[])])
    first, second = run(body), run(body)
    assert [f.fingerprint for f in first.findings] == [f.fingerprint for f in second.findings]
    assert len({f.fingerprint for f in first.findings}) == len(first.findings)


def test_findings_are_deterministic_and_sorted_by_severity() -> None:
    report = run(snapshot(prs=[pr(reviews=[review("bob", "COMMENTED")], keys=[])]))
    ranks = [f.severity.rank for f in report.findings]
    assert ranks == sorted(ranks, reverse=True)


# -- scale ------------------------------------------------------------------------------


def _body(n_prs: int, n_issues: int) -> SnapshotBody:
    prs = [pr(n, title=f"PAY-{n} change {n}", keys=[f"PAY-{n}"],
              merged_at=T0 + timedelta(minutes=n),
              files=[changed(f"pay/m{n % 50}/f{n}.py", 20), changed(f"tests/test_{n}.py", 5)])
           for n in range(1, n_prs + 1)]
    issues = [issue(f"PAY-{n}", summary=f"Work item {n}", status="Open", category="new")
              if n > n_prs else issue(f"PAY-{n}", summary=f"Work item {n}")
              for n in range(1, n_issues + 1)]
    return snapshot(prs=prs, issues=issues)


def test_a_thousand_prs_and_two_thousand_issues_are_all_assessed() -> None:
    # Behaviour at scale only; how the cost grows is measured by `python -m bench analysis`.
    report = run(_body(1000, 2000))
    assert report.metrics["prs_merged"] == 1000
    assert report.metrics["findings.scope-not-done"] == 1000

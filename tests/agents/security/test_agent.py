"""SecurityAgent over a release snapshot: report, coverage, metrics, and scale."""

from __future__ import annotations

from agents.base import Agent, AgentInput
from agents.models import AgentStatus, CoverageStatus
from agents.security import SecurityAgent
from connectors.snapshot import SnapshotBody, SnapshotRequest
from tests.agents.security.builders import (
    CRITICAL,
    added,
    changed,
    hunk,
    policy,
    pull,
    snapshot,
)

AWS_KEY = "AKIAZ3MHN7QWERTY5XVB"


def _agent() -> SecurityAgent:
    return SecurityAgent(critical_paths=CRITICAL)


def test_it_is_an_agent() -> None:
    agent: Agent = _agent()
    assert (agent.name, agent.needs) == ("security", ("github", "osv"))


def test_release_report_collects_every_pr() -> None:
    prs = [pull(added("app/keys.py", [f'KEY = "{AWS_KEY}"']), number=1),
           pull(changed("auth/login.py", hunk(3, 3, ["+    check(user)"])), number=2),
           pull(changed("README.md", hunk(1, 1, ["+docs"])), number=3)]
    report = _agent().analyse(AgentInput(snapshot=snapshot(*prs)), policy())
    assert report.agent == "security" and report.status is AgentStatus.COMPLETE
    assert [f.category for f in report.findings] == ["critical-path-unreviewed", "secret"]
    assert report.score.value > 0
    assert {f.name for f in report.score.factors} == {"secret", "critical-path-unreviewed"}
    assert report.metrics["pull_requests"] == 3 and report.metrics["files_scanned"] == 3
    assert "acme/pay#1" in str(report.metrics["checklist"])
    osv = next(c for c in report.coverage if c.source == "osv")
    assert osv.status is CoverageStatus.AVAILABLE and "no dependency changes" in osv.detail
    assert AWS_KEY not in report.model_dump_json()


def test_a_quiet_release_is_complete_and_scores_zero() -> None:
    report = _agent().analyse(AgentInput(snapshot=snapshot(pull(changed(
        "app/util.py", hunk(1, 1, ["+def add(a, b):", "+    return a + b"]))))), policy())
    assert (report.status, report.findings, report.score.value) == (AgentStatus.COMPLETE, [], 0)


def test_missing_patches_are_gaps() -> None:
    # As the connector reads GitHub: no patch and lines changed = withheld (truncated);
    # no patch and nothing counted = binary.
    pr = pull(changed("app/big.py", None, truncated=True), changed("logo.png", None))
    report = _agent().analyse(AgentInput(snapshot=snapshot(pr)), policy())
    assert report.status is AgentStatus.PARTIAL
    [gap] = report.gaps
    assert "app/big.py" in gap.what and "logo.png" not in gap.what


def test_no_github_data_is_a_missing_source() -> None:
    snap = SnapshotBody(subject="x", asked=SnapshotRequest())
    report = _agent().analyse(AgentInput(snapshot=snap), policy())
    assert report.status is AgentStatus.PARTIAL and report.findings == []
    assert report.coverage[0].status is CoverageStatus.MISSING


def test_review_pull_for_the_pr_bot() -> None:
    pr = pull(added("app/keys.py", [f'KEY = "{AWS_KEY}"']))
    result = _agent().review_pull(pr, policy(), repo="acme/pay")
    assert [f.category for f in result.findings] == ["secret"]
    assert result.checklist.items[0].category == "secret"
    assert result.url == pr.html_url


def test_a_large_release_is_scanned_whole() -> None:
    # Behaviour at scale only; throughput is measured by `python -m bench scan`.
    lines = [f"    value_{i} = compute(item_{i}, 'label-{i}')  # step {i}" for i in range(100)]
    body = hunk(1, 1, ["+def build(items):", *[f"+{line}" for line in lines]])
    prs = [pull(changed(f"svc/mod_{n}.txt", body), number=n) for n in range(1, 201)]
    report = _agent().analyse(AgentInput(snapshot=snapshot(*prs)), policy())
    assert report.metrics["added_lines"] == 20_200 and report.findings == []

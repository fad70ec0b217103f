"""The platform agent end to end: contract, gaps, metrics, policy, stability."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from agents.models import AgentStatus, CoverageStatus
from agents.platform import PlatformAgent
from agents.platform.findings import KINDS
from agents.platform.policy import PlatformPolicy
from agents.policy import load_policy
from agents.registry import agent_factory
from governance.errors import ConfigError
from tests.agents.platform.factories import (
    FIXTURES,
    NOW,
    added_file,
    alarm,
    cloudwatch,
    daily_deployments,
    of,
    page,
    pr,
    run,
    series,
    snapshot,
    space,
)
from tests.agents.platform.test_manifests import RISKY
from tests.configs import agent_config

ROOT = Path(__file__).resolve().parents[3]


def _busy_snapshot():  # type: ignore[no-untyped-def]
    latency = [0.27 + 0.001 * (i % 7) for i in range(144)] + [0.41 + 0.001 * (i % 5)
                                                                for i in range(24)]
    cloud = cloudwatch([alarm("payments-api-5xx", "ALARM")],
                       [series("payments_api_p99_latency", "payments-api p99 latency (s)",
                               latency)])
    return snapshot([pr(1, [added_file("k8s/deployment.yaml", RISKY)])],
                    deployments=daily_deployments(NOW - timedelta(days=84), 84),
                    cloud=cloud, confluence=space([page("Checkout rollback")]))


def test_report_contract() -> None:
    report = run(_busy_snapshot(), plans=[FIXTURES / "plan_release.json"])
    assert report.agent == "platform"
    assert {f.category for f in report.findings} <= set(KINDS)
    assert all(f.evidence and f.agent == "platform" for f in report.findings)
    categories = {f.category for f in report.findings}
    assert {"destructive-change", "security-relevant-change", "alarm-active",
            "metric-regression", "missing-health-probe", "rollout-strategy",
            "no-rollback-runbook", "drift-hint"} <= categories
    severities = [f.severity.rank for f in report.findings]
    assert severities == sorted(severities, reverse=True)
    assert 0 < report.score.value <= 100
    assert {c.source: c.status for c in report.coverage} == {
        "github": CoverageStatus.AVAILABLE, "cloudwatch": CoverageStatus.AVAILABLE,
        "confluence": CoverageStatus.AVAILABLE}


def test_metrics_hold_dora_figures_and_counts() -> None:
    metrics = run(_busy_snapshot(), plans=[FIXTURES / "plan_release.json"]).metrics
    for key in ("dora_deployments", "dora_deploys_per_week", "dora_deployment_frequency_band",
                "dora_lead_time_hours", "dora_change_failure_rate", "dora_change_failure_band",
                "dora_recovery_hours", "dora_baseline_deployment_frequency_band",
                "plan_delete", "plans_read", "iac_files", "alarms_alarm", "series_tested"):
        assert key in metrics, key
    assert metrics["dora_deployment_frequency_band"] == "elite"
    assert metrics["dora_deployments"] == 28


def test_fingerprints_are_stable_across_runs() -> None:
    first = run(_busy_snapshot(), plans=[FIXTURES / "plan_release.json"])
    second = run(_busy_snapshot(), plans=[FIXTURES / "plan_release.json"])
    assert [f.fingerprint for f in first.findings] == [f.fingerprint for f in second.findings]
    assert len({f.fingerprint for f in first.findings}) == len(first.findings)


def test_an_empty_snapshot_is_partial_not_a_crash() -> None:
    report = run(snapshot(github=False))
    assert report.status is AgentStatus.PARTIAL
    assert {g.source for g in report.gaps} >= {"github", "cloudwatch", "confluence"}
    assert report.score.value >= 20  # missing data raises the score
    assert report.findings == []


def test_a_clean_release_is_complete_apart_from_optional_sources() -> None:
    report = run(snapshot(deployments=daily_deployments(NOW - timedelta(days=84), 84),
                          cloud=cloudwatch([alarm(state="OK")],
                                           [series("payments_api_5xx_rate", "5xx rate (%)",
                                                   [0.1] * 168)]),
                          confluence=space([page("payments-api rollback")])))
    assert report.findings == [] and report.gaps == []
    assert report.status is AgentStatus.COMPLETE and report.score.value == 0


def test_shipped_policy_section_equals_the_documented_defaults() -> None:
    shipped = load_policy(ROOT / "config" / "policy.yaml").section("platform", PlatformPolicy)
    assert shipped == PlatformPolicy()


def test_bad_policy_value_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"platform\.dora\.bands\.lead_time_hours"):
        run(snapshot(), {"dora": {"bands": {"lead_time_hours": [24, 12, 720]}}})
    with pytest.raises(ConfigError, match=r"platform\.rollout\.freeze\.weekdays"):
        run(snapshot(), {"rollout": {"freeze": {"weekdays": ["funday"]}}})


def test_registry_builds_the_agent_with_the_shipped_environments(tmp_path: Path) -> None:
    agent = agent_factory("platform", agent_config())()
    assert isinstance(agent, PlatformAgent)
    assert agent.name == "platform" and agent.needs == ("github", "cloudwatch", "confluence")
    report = run(snapshot(), repo_path=tmp_path, environments=None)  # shipped groups, no files
    assert any(g.what.startswith("environment drift (") for g in report.gaps)
    assert not of(report, "environment-drift")

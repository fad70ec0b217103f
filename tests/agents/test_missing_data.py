"""Missing data never lowers the risk (docs/policy.md): over variants of the demo
snapshot, removing any sources never lowers any agent's score or the release verdict, and
no check reports worse than the worst it declares (what the verdict assumes of a check
that had no data)."""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.demo import demo_plan_path, demo_snapshot_path
from agents.aggregate import VERDICT_RANK, AggregationPolicy, aggregate
from agents.base import AgentInput
from agents.models import AgentReport, DataLevel
from agents.registry import agent_factory
from connectors.snapshot import SOURCES, SnapshotBody, load_snapshot
from tests.configs import agent_config

AGENTS = ("delivery", "platform", "security", "portfolio")
RELEASE = ("delivery", "platform", "security")
PROPERTY = settings(max_examples=30, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


@cache
def demo() -> SnapshotBody:
    return load_snapshot(demo_snapshot_path()).body


def analyse(body: SnapshotBody) -> dict[str, AgentReport]:
    inputs = AgentInput(snapshot=body, plan_files=[demo_plan_path()])
    config = agent_config()
    return {name: agent_factory(name, config)().analyse(inputs, config.policy) for name in AGENTS}


def without(body: SnapshotBody, sources: frozenset[str]) -> SnapshotBody:
    return body.model_copy(update=dict.fromkeys(sources))


class Variant(NamedTuple):
    """Which of the demo's PRs and issues to keep (by index), and which sources to drop;
    small enough to print when a property fails."""

    prs: list[int]
    issues: list[int]
    dropped: frozenset[str]

    def body(self) -> SnapshotBody:
        body = demo()
        assert body.github is not None and body.jira is not None
        return body.model_copy(update={
            "github": body.github.model_copy(update={
                "pull_requests": tuple(body.github.pull_requests[i] for i in self.prs)}),
            "jira": body.jira.model_copy(update={
                "issues": [body.jira.issues[i] for i in self.issues]}),
        })


def _some(count: int, most: int) -> st.SearchStrategy[list[int]]:
    """Indexes of up to ``most`` of ``count`` items, in their order."""
    return st.lists(st.integers(0, count - 1), max_size=most, unique=True).map(sorted)


def variants() -> st.SearchStrategy[Variant]:
    """A release cut down from the demo (some of its PRs and issues), and sources to drop."""
    body = demo()
    assert body.github is not None and body.jira is not None
    return st.builds(Variant, _some(len(body.github.pull_requests), 12),
                     _some(len(body.jira.issues), 20),
                     st.frozensets(st.sampled_from(SOURCES), min_size=1))


def verdict_rank(reports: dict[str, AgentReport]) -> int:
    release = aggregate("v", [reports[name] for name in RELEASE], AggregationPolicy())
    return VERDICT_RANK[release.verdict]


@PROPERTY
@given(variants())
def test_removing_sources_never_lowers_a_score_or_the_verdict(variant: Variant) -> None:
    body, dropped = variant.body(), variant.dropped
    full, partial = analyse(body), analyse(without(body, dropped))
    for name in AGENTS:
        assert partial[name].score.value >= full[name].score.value, (name, sorted(dropped))
    assert verdict_rank(partial) >= verdict_rank(full), sorted(dropped)


@PROPERTY
@given(variants())
def test_no_check_reports_worse_than_its_declared_worst(variant: Variant) -> None:
    body, dropped = variant.body(), variant.dropped
    for reports in (analyse(body), analyse(without(body, dropped))):
        for report in reports.values():
            worst = {category: check.worst for check in _checks(report)
                     for category in check.categories}
            for finding in report.findings:
                for reason in finding.reasons or [finding]:
                    assert reason.severity <= worst[reason.category], (report.agent, reason)


def _checks(report: AgentReport):  # type: ignore[no-untyped-def]
    from agents.delivery.findings import CHECKS as DELIVERY
    from agents.platform.agent import checks as platform_checks
    from agents.platform.policy import PlatformPolicy
    from agents.portfolio.findings import CHECKS as PORTFOLIO
    from agents.security.findings import checks as security_checks

    policy = agent_config().policy
    return {"delivery": DELIVERY, "portfolio": PORTFOLIO, "security": security_checks(True),
            "platform": platform_checks(policy.section("platform", PlatformPolicy))
            }[report.agent]


def test_each_agent_states_what_every_check_ran_on() -> None:
    full = analyse(demo())
    for report in full.values():
        assert report.checks and all(c.data is not DataLevel.NONE for c in report.checks)
    delivery = analyse(without(demo(), frozenset({"jira"})))["delivery"]
    levels = {c.check: c.data for c in delivery.checks}
    assert levels["scope"] is DataLevel.NONE and levels["process"] is not DataLevel.NONE
    assert delivery.score.value == 100 and delivery.score.worst_case
    assert "scope" in delivery.score.factors[-1].value  # the "no data" factor names it


def test_without_github_the_release_cannot_be_assessed() -> None:
    reports = analyse(without(demo(), frozenset({"github"})))
    release = aggregate("v", [reports[name] for name in RELEASE], AggregationPolicy())
    assert release.verdict == "cannot assess"
    assert release.verdict_rule == "no github data ⇒ cannot assess"

"""The release_report graph: interrupt for sign-off, resume elsewhere, halts, failures."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest

from advisor.context import graph_context, open_controls
from advisor.settings import load_settings
from agents.base import AgentInput
from agents.models import (
    AgentReport,
    Confidence,
    Evidence,
    EvidenceKind,
    Finding,
    Severity,
    fingerprint,
)
from agents.policy import Policy
from agents.scoring import score_findings
from connectors.github.models import GitHubRelease, Repository
from connectors.snapshot import Snapshot, SnapshotBody, SnapshotRequest
from governance.audit import AuditFilter
from governance.errors import UnknownReport
from graphs.context import GraphContext
from graphs.requests import RunRequest, SignOffDecision
from graphs.runner import resume_run, start_run

ROLES = "roles:\n  admin: [ada]\n  release-approver: [rita]\n"


def finding(agent: str, title: str, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(
        fingerprint=fingerprint(agent, title),
        agent=agent,
        category="test-risk",
        severity=severity,
        confidence=Confidence.HIGH,
        title=title,
        explanation="planted for the test",
        recommendation=f"fix {title}",
        evidence=[
            Evidence(
                kind=EvidenceKind.PULL_REQUEST,
                ref="acme/pay#1",
                url="https://github.com/acme/pay/pull/1",
            )
        ],
    )


class FakeAgent:
    name: ClassVar[str] = "fake"
    needs: ClassVar[tuple[str, ...]] = ("github",)

    def __init__(
        self, agent: str, findings: list[Finding], hook: Callable[[], None] | None = None
    ) -> None:
        self.agent = agent
        self.findings = findings
        self.hook = hook

    def analyse(self, inputs: AgentInput, policy: Policy) -> AgentReport:
        if self.hook:
            self.hook()
        return AgentReport(
            agent=self.agent,
            status="complete",
            findings=self.findings,
            score=score_findings(self.findings, policy.scoring),
        )


class BrokenAgent(FakeAgent):
    def analyse(self, inputs: AgentInput, policy: Policy) -> AgentReport:
        raise RuntimeError("scanner exploded")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_environment: Path) -> Path:
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES)
    monkeypatch.setenv("ADVISOR_ROLES_FILE", str(roles))
    return isolated_environment


@pytest.fixture
def snapshot_file(tmp_path: Path) -> Path:
    repo = Repository(
        full_name="acme/pay",
        default_branch="main",
        html_url="https://github.com/acme/pay",
        visibility="private",
    )
    body = SnapshotBody(
        subject="acme/pay@v1...v2",
        asked=SnapshotRequest(repo="acme/pay", base="v1", head="v2"),
        github=GitHubRelease(repository=repo, base="v1", head="v2"),
    )
    path = tmp_path / "snap.json"
    Snapshot.seal(body).write(path)
    return path


def context(agents: dict[str, Any]) -> GraphContext:
    settings = load_settings()
    ctx: GraphContext = graph_context(settings, open_controls(settings))
    ctx.agents = {name: (lambda a=agent: a) for name, agent in agents.items()}
    return ctx


def request(snapshot_file: Path, agents: list[str]) -> RunRequest:
    return RunRequest(source="snapshot", snapshot_file=str(snapshot_file), agents=agents)


def healthy_agents() -> dict[str, Any]:
    return {
        "security": FakeAgent("security", [finding("security", "open security group")]),
        "delivery": FakeAgent(
            "delivery", [finding("delivery", "merged without approval", Severity.MEDIUM)]
        ),
    }


def test_run_pauses_for_signoff_with_everything_on_record(home: Path, snapshot_file: Path) -> None:
    ctx = context(healthy_agents())
    state = start_run("release", ctx, request(snapshot_file, ["security", "delivery"]), "ci-bot")
    assert state["status"] == "pending_signoff"
    report_id = state["report_id"]
    record = ctx.controls.registry.get(report_id)
    assert record.status.value == "pending_signoff"
    assert record.thread_id == state["run_id"]
    recommendations = list(ctx.controls.audit.entries(AuditFilter(action="recommendation")))
    assert sorted(e.actor for e in recommendations) == ["agent:delivery", "agent:security"]
    assert {e.payload["fingerprint"] for e in recommendations} == {
        f["fingerprint"] for a in state["report"]["agents"] for f in a["findings"]
    }
    registered = next(ctx.controls.audit.entries(AuditFilter(action="report.registered")))
    assert registered.payload["snapshot_hash"] == state["snapshot_hash"]
    assert ctx.controls.runs.get(state["run_id"]).status.value == "pending_signoff"
    assert ctx.controls.audit.verify().ok


def _signoff_in_another_process(
    report_id: str, decision: str, user: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "USER": user, "LOGNAME": user}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "advisor",
            "signoff",
            report_id,
            f"--{decision}",
            "--comment",
            "reviewed the top risks",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


@pytest.mark.parametrize(("decision", "status"), [("approve", "approved"), ("reject", "rejected")])
def test_signoff_resumes_the_thread_from_another_process(
    home: Path, snapshot_file: Path, decision: str, status: str
) -> None:
    ctx = context(healthy_agents())
    state = start_run("release", ctx, request(snapshot_file, ["security", "delivery"]), "ci-bot")
    done = _signoff_in_another_process(state["report_id"], decision, "rita")
    assert done.returncode == 0, done.stderr
    assert f"resumed: {status}" in done.stdout
    from graphs.runner import thread_state

    values, waiting = thread_state("release", ctx, state["run_id"])
    assert values["status"] == status and waiting == ()
    assert values["report"]["signed_off_by"] == "rita"
    assert ctx.controls.runs.get(state["run_id"]).status.value == status


def test_an_unauthorised_signoff_leaves_the_thread_paused(home: Path, snapshot_file: Path) -> None:
    ctx = context(healthy_agents())
    state = start_run("release", ctx, request(snapshot_file, ["security"]), "ci-bot")
    refused = _signoff_in_another_process(state["report_id"], "approve", "mallory")
    assert refused.returncode == 3 and "release-approver" in refused.stderr  # refused
    from graphs.runner import thread_state

    values, waiting = thread_state("release", ctx, state["run_id"])
    assert waiting == ("signoff",) and values["status"] == "pending_signoff"


def test_resuming_without_a_recorded_decision_approves_nothing(
    home: Path, snapshot_file: Path
) -> None:
    ctx = context(healthy_agents())
    state = start_run("release", ctx, request(snapshot_file, ["security"]), "ci-bot")
    forged = SignOffDecision(
        report_id=state["report_id"], decision="approve", decided_by="rita", comment="trust me"
    )
    final = resume_run("release", ctx, state["run_id"], forged)
    assert final["status"] == "failed"
    assert ctx.controls.registry.get(state["report_id"]).status.value == "pending_signoff"


def test_kill_switch_before_the_run_stops_everything(home: Path, snapshot_file: Path) -> None:
    ctx = context(healthy_agents())
    ctx.controls.kill_switch.set("ada", "global", True, "incident")
    state = start_run("release", ctx, request(snapshot_file, ["security"]), "ci-bot")
    assert state["status"] == "halted" and "incident" in state["halt_reason"]
    assert "report_id" not in state
    assert ctx.controls.registry.list() == []
    halted = list(ctx.controls.audit.entries(AuditFilter(action="run.halted")))
    assert len(halted) == 1


def test_kill_switch_flipped_mid_run_halts_at_the_next_node(
    home: Path, snapshot_file: Path
) -> None:
    ctx = context({})
    flip = lambda: ctx.controls.kill_switch.set("ada", "global", True, "flipped mid-run")  # noqa: E731
    ctx.agents = {"security": lambda: FakeAgent("security", [finding("security", "x")], hook=flip)}
    state = start_run("release", ctx, request(snapshot_file, ["security"]), "ci-bot")
    assert state["status"] == "halted" and "flipped mid-run" in state["halt_reason"]
    assert ctx.controls.registry.list() == [], "nothing recorded, nothing to publish"
    assert ctx.controls.runs.get(state["run_id"]).status.value == "halted"


def test_agent_switch_marks_only_that_section_halted(home: Path, snapshot_file: Path) -> None:
    ctx = context(healthy_agents())
    ctx.controls.kill_switch.set("ada", "agent:security", True, "noisy")
    state = start_run("release", ctx, request(snapshot_file, ["security", "delivery"]), "ci-bot")
    assert state["status"] == "pending_signoff"
    statuses = {a["agent"]: a["status"] for a in state["report"]["agents"]}
    assert statuses == {"security": "halted", "delivery": "complete"}


def test_a_crashing_agent_leaves_its_section_unavailable_and_never_lowers_risk(
    home: Path, snapshot_file: Path
) -> None:
    healthy = context(healthy_agents())
    baseline = start_run("release", healthy, request(snapshot_file, ["security", "delivery"]), "x")
    broken_agents = {**healthy_agents(), "security": BrokenAgent("security", [])}
    broken = context(broken_agents)
    state = start_run("release", broken, request(snapshot_file, ["security", "delivery"]), "x")
    assert state["status"] == "pending_signoff", "the report is still produced"
    sections = {a["agent"]: a for a in state["report"]["agents"]}
    assert sections["security"]["status"] == "unavailable"
    assert "scanner exploded" in sections["security"]["summary"]
    assert state["report"]["overall_score"] >= baseline["report"]["overall_score"]


def test_unknown_report_has_no_thread(home: Path) -> None:
    settings = load_settings()
    with pytest.raises(UnknownReport):
        open_controls(settings).registry.get("rel-nope")


def test_without_an_in_process_context_nodes_share_one_built_from_settings(
    home: Path, snapshot_file: Path
) -> None:
    # Under LangGraph's server the runtime carries no GraphContext: every node gets the one
    # the shell builds from settings, and they must share it (its store and the snapshot).
    from langgraph.runtime import Runtime

    from advisor import langgraph_app
    from graphs.context import resolve, with_default_context

    seen: list[GraphContext] = []

    def node(state: dict[str, Any], runtime: Runtime[GraphContext]) -> dict[str, Any]:
        seen.append(resolve(runtime.context))
        return {}

    served = with_default_context(node, langgraph_app.server_context)
    langgraph_app.server_context.cache_clear()
    try:
        served({}, Runtime(context=None))
        served({}, Runtime(context=None))
        assert len(seen) == 2 and seen[1] is seen[0]
        snapshot = Snapshot.model_validate_json(snapshot_file.read_text())
        seen[0].snapshots.remember(snapshot_file, snapshot)
        served({}, Runtime(context=None))
        assert seen[2].snapshots.body(str(snapshot_file), snapshot.content_hash) is snapshot.body
    finally:
        langgraph_app.server_context.cache_clear()


def test_a_node_without_any_context_fails_with_a_clear_error() -> None:
    from graphs.context import resolve

    with pytest.raises(RuntimeError, match="needs a GraphContext"):
        resolve(None)

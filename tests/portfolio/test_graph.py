"""The portfolio_summary graph: on the record, paused for a portfolio approver, published to
Confluence only after approval, never when rejected, stopped by kill switches."""

from __future__ import annotations

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
    RiskScore,
    Severity,
)
from agents.policy import Policy
from agents.portfolio.report import PortfolioSummary
from connectors.snapshot import Snapshot, load_snapshot
from governance.audit import AuditFilter
from governance.reports import Decision
from graphs.context import GraphContext
from graphs.portfolio_summary import PortfolioRequest
from graphs.requests import SignOffDecision
from graphs.runner import resume_run, start_run
from publishers.confluence import ConfluencePublisher
from render.portfolio import render_html, render_json, render_markdown
from tests.cli import run_cli
from tests.portfolio.sample import SITE, TITLE, FakeConfluence, home, snapshot_file

__all__ = ["home"]


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    return snapshot_file(tmp_path)


def context(fake: FakeConfluence | None = None) -> GraphContext:
    settings = load_settings()
    ctx: GraphContext = graph_context(settings, open_controls(settings))
    if fake is not None:
        ctx.publishers = [ConfluencePublisher(fake, ctx.controls.kill_switch, site=SITE)]
    return ctx


def request(snapshot: Path, **more: Any) -> PortfolioRequest:
    publish = {"publish": True, "space": "ENG", "parent": "Portfolio summaries"}
    return PortfolioRequest(source="snapshot", snapshot_file=str(snapshot), projects=["PAY"],
                            **{**publish, **more})


def decide(ctx: GraphContext, state: dict[str, Any], decision: Decision,
           who: str = "paula") -> dict[str, Any]:
    ctx.controls.signoff.decide(state["report_id"], who, decision, "read it")
    answer = SignOffDecision(report_id=state["report_id"], decision=decision.value,
                             decided_by=who, comment="read it")
    return dict(resume_run("portfolio", ctx, state["run_id"], answer))


def audited(ctx: GraphContext, action: str) -> list[Any]:
    return list(ctx.controls.audit.entries(AuditFilter(action=action)))


def test_run_pauses_for_signoff_with_everything_on_record(home: Path, snapshot: Path) -> None:
    fake = FakeConfluence()
    ctx = context(fake)
    state = start_run("portfolio", ctx, request(snapshot), "scheduler")
    assert state["status"] == "pending_signoff"
    record = ctx.controls.registry.get(state["report_id"])
    assert record.kind == "portfolio" and record.status.value == "pending_signoff"
    assert record.thread_id == state["run_id"] and state["report_id"].startswith("pf-")
    findings = state["report"]["portfolio"]["findings"]
    recommendations = audited(ctx, "recommendation")
    assert len(recommendations) == len(findings) > 0
    assert {e.payload["fingerprint"] for e in recommendations} == {
        f["fingerprint"] for f in findings}
    assert all(e.actor == "agent:portfolio" for e in recommendations)
    assert fake.requests == [], "nothing reaches Confluence before a human approves"
    assert ctx.controls.runs.get(state["run_id"]).status.value == "pending_signoff"
    assert ctx.controls.audit.verify().ok


def test_approval_publishes_one_page_and_records_its_version(home: Path, snapshot: Path) -> None:
    fake = FakeConfluence()
    ctx = context(fake)
    state = start_run("portfolio", ctx, request(snapshot), "scheduler")
    final = decide(ctx, state, Decision.APPROVE)
    assert final["status"] == "published" and final["published"][0].startswith("confluence:")
    page = fake.by_title(TITLE)
    assert page is not None and page["version"]["number"] == 1
    assert "signed off by paula on" in page["body"] and 'ac:name="info"' in page["body"]
    assert fake.labels[page["id"]] == ["advisory", "portfolio-summary"]
    assert len(fake.attachments[page["id"]]) == 2
    (entry,) = audited(ctx, "report.published")
    assert entry.payload["version"] == 1 and entry.payload["page_id"] == page["id"]
    assert entry.payload["requests"][0].startswith("GET /rest/api/content?title=")
    assert ctx.controls.runs.get(state["run_id"]).status.value == "published"


def test_a_rejected_summary_is_never_published(home: Path, snapshot: Path) -> None:
    fake = FakeConfluence()
    ctx = context(fake)
    state = start_run("portfolio", ctx, request(snapshot), "scheduler")
    final = decide(ctx, state, Decision.REJECT)
    assert final["status"] == "rejected" and not final.get("published")
    assert fake.requests == []
    assert audited(ctx, "report.published") == []


def test_without_publish_an_approved_summary_stays_local(home: Path, snapshot: Path) -> None:
    fake = FakeConfluence()
    ctx = context(fake)
    state = start_run("portfolio", ctx, request(snapshot, publish=False), "scheduler")
    assert decide(ctx, state, Decision.APPROVE)["status"] == "approved"
    assert fake.requests == []


def test_the_next_run_updates_the_page_and_a_human_edit_stops_the_one_after(
    home: Path, snapshot: Path
) -> None:
    fake = FakeConfluence()
    ctx = context(fake)
    decide(ctx, start_run("portfolio", ctx, request(snapshot), "scheduler"), Decision.APPROVE)
    second = decide(ctx, start_run("portfolio", ctx, request(snapshot), "scheduler"),
                    Decision.APPROVE)
    assert second["status"] == "published" and second["publication"]["outcome"] == "updated"
    page = fake.by_title(TITLE)
    assert page is not None and page["version"]["number"] == 2
    fake.human_edit(TITLE, who="mia")
    writes = len(fake.writes())
    third = decide(ctx, start_run("portfolio", ctx, request(snapshot), "scheduler"),
                   Decision.APPROVE)
    assert third["status"] == "publish_conflict"
    assert "edited by mia after our version 2" in third["halt_reason"]
    assert len(fake.writes()) == writes, "nothing written over the human's edit"
    (refused,) = audited(ctx, "report.publish_refused")
    assert refused.payload["version"] == 3 and refused.payload["by"] == "mia"


def test_the_publishing_kill_switch_stops_the_publish(home: Path, snapshot: Path) -> None:
    fake = FakeConfluence()
    ctx = context(fake)
    state = start_run("portfolio", ctx, request(snapshot), "scheduler")
    ctx.controls.kill_switch.set("ada", "publishing", True, "wrong space")
    final = decide(ctx, state, Decision.APPROVE)
    assert final["status"] == "halted" and "wrong space" in final["halt_reason"]
    assert fake.requests == []
    assert ctx.controls.registry.get(state["report_id"]).status.value == "approved"


def test_the_portfolio_switch_stops_the_run_before_anything_is_recorded(
    home: Path, snapshot: Path
) -> None:
    ctx = context(FakeConfluence())
    ctx.controls.kill_switch.set("ada", "agent:portfolio", True, "bad forecasts")
    state = start_run("portfolio", ctx, request(snapshot), "scheduler")
    assert state["status"] == "halted" and "bad forecasts" in state["halt_reason"]
    assert ctx.controls.registry.list() == []
    assert audited(ctx, "recommendation") == []


def test_draft_policy_publishes_at_once_and_updates_the_panel_on_approval(
    home: Path, snapshot: Path
) -> None:
    fake = FakeConfluence()
    ctx = context(fake)
    state = start_run("portfolio", ctx, request(snapshot, draft_before_signoff=True), "bot")
    page = fake.by_title(TITLE)
    assert page is not None and "Draft — pending sign-off" in page["body"]
    assert 'ac:name="note"' in page["body"] and state["status"] == "pending_signoff"
    final = decide(ctx, state, Decision.APPROVE)
    assert final["status"] == "published" and page["version"]["number"] == 2
    assert "signed off by paula" in page["body"] and "Draft" not in page["body"]


def test_draft_policy_withdraws_a_rejected_draft(home: Path, snapshot: Path) -> None:
    fake = FakeConfluence()
    ctx = context(fake)
    state = start_run("portfolio", ctx, request(snapshot, draft_before_signoff=True), "bot")
    final = decide(ctx, state, Decision.REJECT)
    page = fake.by_title(TITLE)
    assert final["status"] == "rejected" and not final.get("published")
    assert page is not None and "rejected by paula" in page["body"]
    assert "Executive summary" not in page["body"], "the rejected content is withdrawn"
    assert len(audited(ctx, "report.withdrawn")) == 1


def test_draft_policy_under_the_publishing_switch_drafts_nothing_and_waits(
    home: Path, snapshot: Path
) -> None:
    fake = FakeConfluence()
    ctx = context(fake)
    ctx.controls.kill_switch.set("ada", "publishing", True, "freeze")
    state = start_run("portfolio", ctx, request(snapshot, draft_before_signoff=True), "bot")
    assert state["status"] == "pending_signoff" and fake.requests == []
    (blocked,) = audited(ctx, "report.publish_blocked")
    assert blocked.payload["mode"] == "draft" and "freeze" in blocked.payload["reason"]


# -- context from other agents ------------------------------------------------------------------


class DeliveryDouble:
    name: ClassVar[str] = "delivery"
    needs: ClassVar[tuple[str, ...]] = ("jira",)

    def analyse(self, inputs: AgentInput, policy: Policy) -> AgentReport:
        finding = Finding(
            fingerprint="d1", agent="delivery", category="unreviewed-change",
            severity=Severity.HIGH, confidence=Confidence.HIGH, title="Merged without review",
            explanation="planted", recommendation="review it",
            evidence=[Evidence(kind=EvidenceKind.ISSUE, ref="PAY-12")])
        return AgentReport(agent="delivery", status="complete", findings=[finding],
                           score=RiskScore(value=40))


def test_delivery_context_reaches_the_epic_it_names(home: Path, snapshot: Path) -> None:
    ctx = context()
    ctx.agents["delivery"] = DeliveryDouble
    state = start_run("portfolio", ctx, request(snapshot, publish=False), "bot")
    notes = {n["agent"]: n for n in state["report"]["context"]}
    assert notes["delivery"]["origin"] == "snapshot" and notes["delivery"]["findings"] == 1
    assert notes["platform"]["status"] == "skipped"
    assert "no github" in notes["platform"]["note"]
    epic = next(e for e in state["report"]["view"]["epics"] if e["key"] == "PAY-1")
    assert epic["release_risks"] == 1 and epic["release_risk_max_severity"] == "high"


# -- live Jira ----------------------------------------------------------------------------------


def live_jira(monkeypatch: pytest.MonkeyPatch, epic: str | None) -> list[tuple[str, str]]:
    """A Jira double for the live path: the sample issues; the epic query finds ``epic``."""
    from connectors.provenance import SourceProvenance
    from tests.agents.portfolio.factories import release
    from tests.portfolio.sample import issues

    asked: list[tuple[str, str]] = []

    class Jira:
        class settings:  # mimics JiraConnector.settings
            is_cloud = True

        def fetch_release(self, project: str, fix_version: str | None = None,
                          jql: str | None = None, *, remote_links: bool = True) -> Any:
            assert jql and remote_links is False
            asked.append((project, jql))
            chosen = [i for i in issues() if i.key.startswith(project)]
            if "issuetype = Epic" in jql:
                chosen = [i for i in chosen if i.key == epic]
            return release(chosen, project=project), SourceProvenance(source="jira")

    monkeypatch.setattr("graphs.portfolio_summary.jira_connector", Jira)
    return asked


def test_live_load_reads_each_project_its_epics_and_their_children(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = live_jira(monkeypatch, epic="PAY-1")
    ctx = context()
    live = PortfolioRequest(source="live", projects=["PAY"], epics_jql='labels = "q3"')
    state = start_run("portfolio", ctx, live, "bot")
    assert state["status"] == "pending_signoff"
    assert asked == [
        ("PAY", 'project = "PAY" AND (statusCategory != Done OR resolved >= -56d)'),
        ("PAY", 'project = "PAY" AND issuetype = Epic AND (labels = "q3")'),
        ("PAY", "parent in (PAY-1)"),
    ]
    assert [e["key"] for e in state["report"]["view"]["epics"]] == ["PAY-1"]


def test_epics_jql_that_matches_nothing_fails_instead_of_taking_every_epic(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live_jira(monkeypatch, epic=None)
    ctx = context()
    live = PortfolioRequest(source="live", projects=["PAY"], epics_jql="labels = none")
    state = start_run("portfolio", ctx, live, "bot")
    assert state["status"] == "failed" and "--epics matched no epic in PAY" in state["halt_reason"]
    assert ctx.controls.registry.list() == []


# -- the command line ---------------------------------------------------------------------------


def advisor(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            *args: str) -> tuple[int, str, str]:
    return run_cli(monkeypatch, capsys, *args)


@pytest.mark.parametrize(("flags", "message"), [
    (["--projects", "PAY", "--period", "14"], "--period: expected days or weeks"),
    (["--projects", "PAY", "--period", "0d"], "--period"),
    (["--projects", "pa y,OPS"], "--projects: 'pa y' is not a Jira project key"),
    (["--projects", "PAY-1"], "is not a Jira project key"),
    (["--period", "14d"], "--projects is required"),
    (["--projects", "PAY", "--publish"], "--publish needs --space"),
    (["--projects", "PAY", "--publish", "--space", "ENG"], "--publish needs --parent"),
    (["--projects", "PAY", "--format", "pdf"], "--format: unknown pdf"),
    (["--projects", "PAY", "--context", "finance"], "--context: unknown finance"),
])
def test_bad_flags_are_one_line_exit_2_and_nothing_recorded(
    home: Path, snapshot: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    code, _, err = advisor(monkeypatch, capsys, "portfolio-summary", "--snapshot",
                           str(snapshot), *flags)
    assert code == 2 and message in err
    assert len(err.strip().splitlines()) == 1, err
    controls = open_controls(load_settings())
    assert controls.registry.list() == [] and controls.runs.list() == []


def test_epics_jql_needs_live_jira(home: Path, snapshot: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = advisor(monkeypatch, capsys, "portfolio-summary", "--snapshot",
                           str(snapshot), "--projects", "PAY", "--epics", "labels = q3")
    assert code == 2 and "only live Jira can run" in err


def test_publish_without_confluence_credentials_is_refused_up_front(
    home: Path, snapshot: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = advisor(monkeypatch, capsys, "portfolio-summary", "--snapshot",
                           str(snapshot), "--projects", "PAY", "--publish", "--space", "ENG",
                           "--parent", "Portfolio summaries")
    assert code == 2 and "CONFLUENCE_URL" in err
    assert open_controls(load_settings()).registry.list() == []


def test_the_command_writes_every_format_and_signoff_publishes(
    home: Path, snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONFLUENCE_URL", "https://acme.atlassian.net")
    monkeypatch.setenv("CONFLUENCE_EMAIL", "bot@acme.test")
    monkeypatch.setenv("CONFLUENCE_API_TOKEN", "not-a-real-token")
    out = tmp_path / "out"
    code, stdout, err = advisor(
        monkeypatch, capsys, "portfolio-summary", "--snapshot", str(snapshot), "--projects",
        "PAY", "--period", "2w", "--format", "md,html,json", "--output", str(out), "--quiet",
        "--publish", "--space", "ENG", "--parent", "Portfolio summaries")
    assert code == 0, err
    (record,) = open_controls(load_settings()).registry.list()
    assert {p.name for p in out.iterdir()} == {f"{record.id}.{x}" for x in ("md", "html", "json")}
    assert "After approval it will be published" in stdout

    fake = FakeConfluence()
    import advisor.context as advisor_context

    real = advisor_context.graph_context

    def with_fake(settings: Any, controls: Any) -> GraphContext:
        ctx: GraphContext = real(settings, controls)
        ctx.publishers = [ConfluencePublisher(fake, controls.kill_switch, site=SITE)]
        return ctx

    monkeypatch.setattr(advisor_context, "graph_context", with_fake)
    monkeypatch.setenv("USER", "paula")
    monkeypatch.setenv("LOGNAME", "paula")
    code, stdout, err = advisor(monkeypatch, capsys, "signoff", record.id, "--approve",
                                "--comment", "numbers checked")
    assert code == 0, err
    assert "resumed: published" in stdout and "published: confluence:" in stdout
    assert fake.by_title(TITLE) is not None


def test_without_jira_the_portfolio_cannot_be_assessed_in_any_format(
        home: Path, tmp_path: Path) -> None:
    body = load_snapshot(snapshot_file(tmp_path)).body
    empty = tmp_path / "no-jira.json"
    Snapshot.seal(body.model_copy(update={"jira": None})).write(empty)
    state = start_run("portfolio", context(), request(empty, publish=False), "scheduler")
    summary = PortfolioSummary.model_validate(state["report"])
    assert summary.verdict == "cannot assess"
    assert summary.verdict_rule == "no jira data ⇒ cannot assess"
    assert summary.overall_score == 100  # the worst case, never a low score
    for text in (render_markdown(summary), render_html(summary), render_json(summary)):
        assert "cannot assess" in text


def test_with_jira_the_portfolio_states_its_verdict_and_rule(home: Path, snapshot: Path) -> None:
    state = start_run("portfolio", context(), request(snapshot, publish=False), "scheduler")
    assert state["report"]["verdict"] in ("high risk", "proceed with care")
    assert "⇒" in state["report"]["verdict_rule"]

"""A paused release run: the kill switch stops its resumption (audited, the thread stays
paused and resumes once the switch is off), and a status approved behind the advisor's
back publishes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from governance.audit import AuditFilter
from governance.errors import KillSwitchEngaged
from governance.reports import Decision
from graphs.context import GraphContext
from graphs.requests import RunRequest, SignOffDecision
from graphs.runner import resume_run, start_run, thread_state
from tests.graphs.test_release_graph import context, healthy_agents, home, snapshot_file
from tests.inprocess import run_advisor

__all__ = ["home", "snapshot_file"]  # fixtures used here


class Recorder:
    name = "recorder"

    def __init__(self) -> None:
        self.published: list[str] = []

    def publish(self, report: dict[str, Any], report_id: str) -> str:
        self.published.append(report_id)
        return f"page for {report_id}"


@pytest.fixture
def ctx(home: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[GraphContext]:
    monkeypatch.setenv("ADVISOR_DATABASE_URL", store_url)
    made = context(healthy_agents())
    made.publishers = [Recorder()]
    yield made
    made.controls.close()


def paused(ctx: GraphContext, snapshot: Path) -> dict[str, Any]:
    request = RunRequest(source="snapshot", snapshot_file=str(snapshot),
                         agents=["security", "delivery"], publish=True)
    state = start_run("release", ctx, request, "ci-bot")
    assert state["status"] == "pending_signoff"
    return dict(state)


def test_resumption_under_the_kill_switch_is_refused_then_resumed(
        ctx: GraphContext, snapshot_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = paused(ctx, snapshot_file)
    ctx.controls.signoff.decide(state["report_id"], "rita", Decision.APPROVE, "ship it")
    ctx.controls.kill_switch.set("ada", "global", True, "incident 9")
    answer = SignOffDecision(report_id=state["report_id"], decision="approve",
                             decided_by="rita", comment="ship it")
    with pytest.raises(KillSwitchEngaged, match="incident 9"):
        resume_run("release", ctx, state["run_id"], answer)
    [refused] = ctx.controls.audit.entries(AuditFilter(action="run.resume_refused"))
    assert refused.subject == state["run_id"] and "incident 9" in refused.payload["why"]
    assert thread_state("release", ctx, state["run_id"])[1] == ("signoff",), "still paused"
    assert ctx.publishers[0].published == []  # type: ignore[attr-defined]

    code, _, err = run_advisor(capsys, "runs", "resume", state["run_id"])
    assert code == 3 and "incident 9" in err
    ctx.controls.kill_switch.set("ada", "global", False, "resolved")
    code, out, err = run_advisor(capsys, "runs", "resume", state["run_id"])
    assert code == 0, err
    assert "resumed: approved" in out
    assert thread_state("release", ctx, state["run_id"])[1] == ()


def test_a_status_approved_by_update_publishes_nothing(ctx: GraphContext,
                                                       snapshot_file: Path) -> None:
    state = paused(ctx, snapshot_file)
    with ctx.controls.store.engine.begin() as conn:
        conn.execute(text("UPDATE reports SET status = 'approved', decided_by = 'rita' "
                          f"WHERE id = '{state['report_id']}'"))
    answer = SignOffDecision(report_id=state["report_id"], decision="approve",
                             decided_by="rita", comment="forged")
    resumed = resume_run("release", ctx, state["run_id"], answer)
    assert resumed["status"] == "failed"
    assert "nothing approved" in resumed["halt_reason"]
    assert ctx.publishers[0].published == []  # type: ignore[attr-defined]
    [refused] = ctx.controls.audit.entries(AuditFilter(action="signoff.resume_refused"))
    assert refused.subject == state["report_id"]

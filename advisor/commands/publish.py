"""``advisor publish REPORT_ID``: publish an approved report again, after a failed publish.

Only an approved report, only where its run asked to publish (a portfolio summary's
Confluence page, a security review's PR comment), only while the kill switches allow it;
every attempt and refusal is on the audit log under the identity that asked.
"""

from __future__ import annotations

from typing import Annotated

import typer

from advisor.commands.common import controls
from advisor.commands.signing import report_outcome
from advisor.errors import CommandRefused, UsageError

PUBLISHED_BY = {"portfolio": "a Confluence page (--publish)",
                "security-review": "a comment on its pull request (--post)"}


def publish(
    report_id: Annotated[str, typer.Argument(metavar="REPORT_ID", help="The approved report.")],
) -> None:
    """Publish an approved report again: the Confluence page of a portfolio summary, the
    PR comment of a security review. Exit code 4 if it fails again, 3 if refused."""
    from advisor.context import graph_context
    from advisor.settings import load_settings
    from governance.errors import KillSwitchEngaged
    from governance.identity import current_identity
    from graphs.runner import republish

    actor = current_identity()
    ctl = controls()
    record = ctl.registry.get(report_id)
    if record.kind not in PUBLISHED_BY or not record.thread_id:
        raise UsageError(f"report {report_id} is a {record.kind} report: it has nowhere to "
                         "be published")
    if record.status.value != "approved":
        why = f"report {report_id} is {record.status.value}: only an approved report is published"
        ctl.audit.append(actor, "publish.refused", report_id, {"why": why})
        raise CommandRefused(why, hint=f"`advisor signoff {report_id} --approve` decides it")
    agent = "security" if record.kind == "security-review" else None
    try:
        ctl.kill_switch.ensure_allowed(agent=agent, action="publish")
    except KillSwitchEngaged as exc:
        ctl.audit.append(actor, "report.publish_blocked", report_id,
                         {"reason": str(exc), "mode": "retry"})
        raise
    state = republish(record.kind, graph_context(load_settings(), ctl), record.thread_id, actor)
    if state is None:
        raise UsageError(f"report {report_id}'s run did not ask to be published to "
                         f"{PUBLISHED_BY[record.kind]}: there is nothing to publish again")
    report_outcome(report_id, state, decided="approved")
    typer.echo(f"report {report_id}: published again")

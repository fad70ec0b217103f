"""Production deployments, with when they finished and whether they failed.

A deployment *finished* at its newest success or failure status (GitHub lists statuses
newest first); one without either is still pending and counts nowhere. It *failed*
(for change failure rate) when that status is a failure, when the next deployment to
the same environment rolls back to a commit deployed before it, or when a CloudWatch
alarm entered ALARM within ``alarm_failure_hours`` of it finishing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Literal

from agents.platform.policy import DoraPolicy
from connectors.cloudwatch.models import Alarm
from connectors.github.models import Deployment

__all__ = ["Deploy", "mark_failures", "production_deploys"]

Outcome = Literal["success", "failure", "pending"]


@dataclass(frozen=True)
class Deploy:
    deployment: Deployment
    outcome: Outcome
    finished_at: datetime | None
    failures: tuple[str, ...] = field(default=())  # why it counts as a failed change

    @property
    def failed(self) -> bool:
        return self.outcome == "failure" or bool(self.failures)

    @property
    def sha(self) -> str:
        return self.deployment.sha


def _outcome(deployment: Deployment, policy: DoraPolicy) -> tuple[Outcome, datetime | None]:
    for status in deployment.statuses:  # newest first
        state = status.state.casefold()
        if state in policy.success_states:
            return "success", status.created_at
        if state in policy.failure_states:
            return "failure", status.created_at
    return "pending", None


def production_deploys(deployments: Sequence[Deployment], policy: DoraPolicy) -> list[Deploy]:
    """Deployments to a production environment, oldest first."""
    found = []
    for deployment in deployments:
        if deployment.environment.casefold() not in policy.production_environments:
            continue
        outcome, finished = _outcome(deployment, policy)
        found.append(Deploy(deployment, outcome, finished))
    return sorted(found, key=lambda d: (d.deployment.created_at, d.deployment.id))


def _rollbacks(deploys: list[Deploy]) -> list[Deploy]:
    """Mark a success whose next success (same environment) redeploys an older commit."""
    marked = list(deploys)
    by_env: dict[str, list[int]] = {}
    for index, deploy in enumerate(marked):
        if deploy.outcome == "success":
            by_env.setdefault(deploy.deployment.environment.casefold(), []).append(index)
    for indices in by_env.values():
        for position, (current, following) in enumerate(pairwise(indices)):
            earlier = {marked[i].sha for i in indices[:position]}
            now, then = marked[current], marked[following]
            if then.sha != now.sha and then.sha in earlier:
                reason = (f"rolled back by deployment {then.deployment.id} "
                          f"(redeployed {then.sha[:12]})")
                marked[current] = replace(now, failures=(*now.failures, reason))
    return marked


def _alarm_hits(deploy: Deploy, alarms: Sequence[Alarm], hours: float) -> tuple[str, ...]:
    if deploy.outcome != "success" or deploy.finished_at is None:
        return ()
    start, end = deploy.finished_at, deploy.finished_at + timedelta(hours=hours)
    hits = []
    for alarm in alarms:
        for transition in alarm.history or []:
            if transition.to_state == "ALARM" and start <= transition.at <= end:
                minutes = round((transition.at - start).total_seconds() / 60)
                hits.append(f"alarm {alarm.name} entered ALARM {minutes} min later")
                break
    return tuple(hits)


def mark_failures(deploys: list[Deploy], alarms: Sequence[Alarm] | None,
                  policy: DoraPolicy) -> list[Deploy]:
    """Rollbacks always; alarm-linked failures only when the alarms could be read."""
    marked = _rollbacks(deploys)
    if alarms is None:
        return marked
    return [replace(d, failures=(*d.failures, *_alarm_hits(d, alarms, policy.alarm_failure_hours)))
            for d in marked]

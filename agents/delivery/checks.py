"""What the CI signals on a PR's head commit say: failing, unfinished or missing checks.

Check runs and commit statuses are pooled by name (a status's ``context``). GitHub lists
only the latest run per name and the latest status per context, so one failing entry
means the check failed. Conclusions outside ``process.passing_conclusions`` and
``process.failing_conclusions`` (``stale``, or a run still in progress) count as not
finished. A check can only be called missing when both lists were read in full.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from agents.delivery.policy import ProcessPolicy
from agents.models import Severity
from connectors.github.models import PullRequest

Verdict = Literal["passed", "failed", "unfinished"]


@dataclass(frozen=True)
class Problem:
    what: str
    severity: Severity


@dataclass(frozen=True)
class CheckReview:
    problems: tuple[Problem, ...]
    unread: tuple[str, ...]  # "check_runs"/"statuses" that could not be read

    @property
    def complete(self) -> bool:
        return not self.unread


def review_checks(pr: PullRequest, policy: ProcessPolicy) -> CheckReview:
    unread = tuple(part for part in ("check_runs", "statuses") if part in pr.missing)
    verdicts = _verdicts(pr, policy)
    problems = [*_required(verdicts, policy, bool(unread)), *_optional(verdicts, policy)]
    failed_contexts = any(v == "failed" for v in _status_verdicts(pr, policy))
    if (pr.combined_status or "").casefold() in policy.failing_states and not failed_contexts:
        problems.append(Problem(f"combined status is '{pr.combined_status}'", Severity.HIGH))
    if not verdicts and not unread and not policy.required_checks:
        problems.append(Problem("no check or status ran on the head commit", Severity.MEDIUM))
    return CheckReview(tuple(problems), unread)


def _verdicts(pr: PullRequest, policy: ProcessPolicy) -> dict[str, list[Verdict]]:
    found: dict[str, list[Verdict]] = defaultdict(list)
    for run in pr.check_runs:
        found[run.name.casefold()].append(_run_verdict(run.status, run.conclusion, policy))
    for status, verdict in zip(pr.statuses, _status_verdicts(pr, policy), strict=True):
        found[status.context.casefold()].append(verdict)
    return found


def _run_verdict(status: str, conclusion: str | None, policy: ProcessPolicy) -> Verdict:
    outcome = (conclusion or "").casefold()
    if status.casefold() == "completed" and outcome in policy.failing_conclusions:
        return "failed"
    if status.casefold() == "completed" and outcome in policy.passing_conclusions:
        return "passed"
    return "unfinished"


def _status_verdicts(pr: PullRequest, policy: ProcessPolicy) -> list[Verdict]:
    return [_state_verdict(s.state, policy) for s in pr.statuses]


def _state_verdict(state: str, policy: ProcessPolicy) -> Verdict:
    if state.casefold() in policy.failing_states:
        return "failed"
    return "passed" if state.casefold() == "success" else "unfinished"


def _required(verdicts: dict[str, list[Verdict]], policy: ProcessPolicy,
              unread: bool) -> list[Problem]:
    problems = []
    for name in sorted(policy.required_checks):
        seen = verdicts.get(name, [])
        if "failed" in seen:
            problems.append(Problem(f"required check '{name}' failed", Severity.HIGH))
        elif "unfinished" in seen:
            problems.append(Problem(f"required check '{name}' had not finished",
                                    Severity.HIGH))
        elif not seen and not unread:
            problems.append(Problem(f"required check '{name}' never ran", Severity.HIGH))
    return problems


def _optional(verdicts: dict[str, list[Verdict]], policy: ProcessPolicy) -> list[Problem]:
    return [Problem(f"check '{name}' failed", Severity.MEDIUM)
            for name, seen in sorted(verdicts.items())
            if name not in policy.required_checks and "failed" in seen]

"""Jira-only scope checks: unfinished scope, open high-priority bugs, reopened issues.

"Open" means the status category is not ``done``; an issue whose category Jira did not
report counts as open too (it cannot be shown done), with low confidence.
"""

from __future__ import annotations

from agents.base import Outcome
from agents.delivery.context import DeliveryContext
from agents.delivery.findings import (
    OPEN_HIGH_PRIORITY_BUG,
    REOPENED_ISSUE,
    SCOPE_NOT_DONE,
    new_finding,
)
from agents.delivery.policy import ScopePolicy
from agents.models import Confidence, Finding, Severity
from connectors.jira.models import JiraIssue
from connectors.provenance import Gap


def check_scope(ctx: DeliveryContext) -> Outcome:
    if ctx.jira is None:
        return Outcome(
            gaps=[
                Gap(
                    source="jira",
                    what="scope checks",
                    why="no Jira data: unfinished scope, open bugs and reopened "
                    "issues were not checked",
                )
            ]
        )
    found: list[Finding] = []
    for issue in ctx.jira.issues:
        for check in (_open_bug, _reopened, _not_done):  # the most specific reason leads
            finding = check(ctx, issue)
            if finding is not None:
                found.append(finding)
    return Outcome(findings=found)


def is_done(issue: JiraIssue) -> bool:
    return issue.status_category == "done"


def issue_severity(policy: ScopePolicy, issue: JiraIssue) -> Severity:
    """The higher of what the issue type and the priority call for."""
    by_type = policy.type_severity.get(issue.issue_type.casefold(), policy.default_severity)
    by_priority = policy.priority_severity.get((issue.priority or "").casefold(), Severity.INFO)
    return max(by_type, by_priority)


def _confidence(ctx: DeliveryContext, issue: JiraIssue) -> Confidence:
    if issue.status_category is None:
        return Confidence.LOW
    return Confidence.MEDIUM if issue.key in ctx.uncertain_keys else Confidence.HIGH


def _status(issue: JiraIssue) -> str:
    category = issue.status_category or "no category reported"
    return f"status '{issue.status}' ({category})"


def _version(ctx: DeliveryContext) -> str:
    version = ctx.jira.fix_version if ctx.jira else None
    return f"fix version {version}" if version else "the release scope"


def _not_done(ctx: DeliveryContext, issue: JiraIssue) -> Finding | None:
    if is_done(issue):
        return None
    return new_finding(
        SCOPE_NOT_DONE,
        (issue.key,),
        severity=issue_severity(ctx.policy.scope, issue),
        confidence=_confidence(ctx, issue),
        title=f"{issue.key} is not done: {ctx.clean(issue.summary)}",
        explanation=(
            f"{issue.key} ({issue.issue_type}, priority {issue.priority or 'none'}) is "
            f"in {_version(ctx)} but its {_status(issue)} is not done."
        ),
        evidence=[ctx.links.issue(issue)],
        recommendation=(
            f"Finish {issue.key} before the release, or move it out of "
            f"{_version(ctx)} and tell whoever expects it."
        ),
    )


def _open_bug(ctx: DeliveryContext, issue: JiraIssue) -> Finding | None:
    scope = ctx.policy.scope
    priority = (issue.priority or "").casefold()
    if (
        is_done(issue)
        or issue.issue_type.casefold() not in scope.bug_types
        or priority not in scope.high_priorities
    ):
        return None
    blocker = priority in scope.blocker_priorities
    return new_finding(
        OPEN_HIGH_PRIORITY_BUG,
        (issue.key,),
        severity=Severity.CRITICAL if blocker else Severity.HIGH,
        confidence=_confidence(ctx, issue),
        title=f"Open {issue.priority} bug {issue.key}: {ctx.clean(issue.summary)}",
        explanation=(
            f"{issue.key} is a {issue.priority}-priority {issue.issue_type} in "
            f"{_version(ctx)} and its {_status(issue)} is not done."
        ),
        evidence=[ctx.links.issue(issue)],
        recommendation=(
            f"Fix and verify {issue.key} before releasing, or have its owner "
            "accept the risk in writing in the sign-off."
        ),
    )


def _reopened(ctx: DeliveryContext, issue: JiraIssue) -> Finding | None:
    scope = ctx.policy.scope
    if issue.reopen_count < 1:
        return None
    blocker = (issue.priority or "").casefold() in scope.blocker_priorities
    high = blocker or issue.reopen_count >= scope.reopen_high_count
    times = "once" if issue.reopen_count == 1 else f"{issue.reopen_count} times"
    return new_finding(
        REOPENED_ISSUE,
        (issue.key,),
        severity=Severity.HIGH if high else Severity.MEDIUM,
        confidence=Confidence.HIGH,
        title=f"{issue.key} was reopened {times}: {ctx.clean(issue.summary)}",
        explanation=(
            f"The changelog shows {issue.key} ({issue.issue_type}, priority "
            f"{issue.priority or 'none'}) reopened {times}; it is now in "
            f"{_status(issue)}. Reopened work often means the first fix was "
            "incomplete."
        ),
        evidence=[ctx.links.issue(issue, detail=f"reopened {times}; {_status(issue)}")],
        recommendation=(
            f"Check that {issue.key}'s latest fix covers the reason it was "
            "reopened, with a regression test, before the release."
        ),
    )

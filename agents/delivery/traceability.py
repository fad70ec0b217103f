"""Jira ↔ code traceability: done work with no code behind it, merged code with no issue.

A code change for an issue is any of: a merged PR of the release carrying its key (title,
body or branch), a commit of the release naming it, or a Jira remote link whose URL
matches ``scope.code_link_patterns`` (a PR or commit page).
"""

from __future__ import annotations

import re

from agents.base import Outcome
from agents.delivery.context import DeliveryContext
from agents.delivery.findings import DONE_WITHOUT_CODE, PR_WITHOUT_ISSUE, new_finding
from agents.delivery.scope import is_done
from agents.globs import GlobSet
from agents.models import Confidence, Finding, Severity
from connectors.github.models import PullRequest
from connectors.jira.models import JiraIssue
from connectors.provenance import Gap


def check_traceability(ctx: DeliveryContext) -> Outcome:
    return _done_without_code(ctx).add(_prs_without_issue(ctx))


def _done_without_code(ctx: DeliveryContext) -> Outcome:
    if ctx.jira is None:
        return Outcome()  # the scope check already reports Jira as missing
    if ctx.github is None:
        return Outcome(
            gaps=[
                Gap(
                    source="github",
                    what="done-without-code check",
                    why="no GitHub data: cannot tell which done issues have code",
                )
            ]
        )
    code_link = re.compile("|".join(f"(?:{p})" for p in ctx.policy.scope.code_link_patterns))
    found = [
        _no_code(ctx, issue)
        for issue in ctx.jira.issues
        if _needs_code(ctx, issue) and not _has_code(ctx, issue, code_link)
    ]
    return Outcome(findings=found)


def _needs_code(ctx: DeliveryContext, issue: JiraIssue) -> bool:
    scope = ctx.policy.scope
    return (
        is_done(issue)
        and issue.issue_type.casefold() in scope.code_issue_types
        and (issue.resolution or "").casefold() not in scope.no_code_resolutions
    )


def _has_code(ctx: DeliveryContext, issue: JiraIssue, code_link: re.Pattern[str]) -> bool:
    return (
        issue.key in ctx.prs_by_key
        or issue.key in ctx.commit_keys
        or any(code_link.search(link.url) for link in issue.remote_links or ())
    )


def _no_code(ctx: DeliveryContext, issue: JiraIssue) -> Finding:
    sure = (ctx.remote_links_read and issue.remote_links is not None
            and issue.key not in ctx.uncertain_keys)
    unsure = "" if sure else " Its remote links could not all be read, so one may be missing."
    return new_finding(
        DONE_WITHOUT_CODE,
        (issue.key,),
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM if sure else Confidence.LOW,
        title=f"{issue.key} is done but no code change links to it: {ctx.clean(issue.summary)}",
        explanation=(
            f"{issue.key} ({issue.issue_type}) is done, resolution "
            f"'{issue.resolution or 'none'}', yet no merged PR or commit of this "
            f"release names it and no remote link points at a PR or commit.{unsure}"
        ),
        evidence=[ctx.links.issue(issue)],
        recommendation=(
            f"Link the change that implements {issue.key} (put the key in the PR "
            "title or branch), or confirm it shipped elsewhere or needed no code."
        ),
    )


def _prs_without_issue(ctx: DeliveryContext) -> Outcome:
    scope = ctx.policy.scope
    allowed_paths = GlobSet(scope.allow_paths)
    found = [
        _unlinked(ctx, pr)
        for pr in ctx.merged
        if not pr.jira_keys and not _allowed(ctx, pr, allowed_paths)
    ]
    return Outcome(findings=found)


def _allowed(ctx: DeliveryContext, pr: PullRequest, paths: GlobSet) -> bool:
    scope = ctx.policy.scope
    if (pr.author or "").casefold() in scope.allow_authors:
        return True
    if any(label.casefold() in scope.allow_labels for label in pr.labels):
        return True
    complete = "files" not in pr.missing and pr.files
    return bool(complete) and all(paths.matches(f.path) for f in pr.files)


def _unlinked(ctx: DeliveryContext, pr: PullRequest) -> Finding:
    files_known = "files" not in pr.missing
    caveat = (
        ""
        if files_known
        else (" Its file list could not be read in full, so the path allow-list was not applied.")
    )
    return new_finding(
        PR_WITHOUT_ISSUE,
        (ctx.links.repo, pr.number),
        severity=Severity.LOW,
        confidence=Confidence.HIGH if files_known else Confidence.MEDIUM,
        title=f"{ctx.links.pr_ref(pr)} merged without a Jira key: {ctx.clean(pr.title)}",
        explanation=(
            f"No Jira key appears in the title, body or branch of "
            f"{ctx.links.pr_ref(pr)}, and no allow-listed label, author or path "
            f"explains it; the change is in the release but not in its scope.{caveat}"
        ),
        evidence=[ctx.links.pr(pr)],
        recommendation=(
            "Link the PR to the issue it implements, or label it (e.g. "
            "'dependencies') if it needs none, so the release notes are complete."
        ),
    )

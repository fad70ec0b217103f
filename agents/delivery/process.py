"""How each merged PR got in: approval, CI checks, timing and size; and which commits got
in without any pull request (pushed directly, so never reviewed).

A part of a PR that could not be read (``PullRequest.missing``) yields a gap, never a
claim: unread reviews are not "no approval", unread checks are not "missing checks".
Commits whose pull requests could not be looked up are in a GitHub gap, not listed here.
"""

from __future__ import annotations

from datetime import timedelta

from agents.base import Outcome
from agents.delivery.approval import approval_of
from agents.delivery.checks import review_checks
from agents.delivery.context import DeliveryContext, as_utc
from agents.delivery.findings import (
    FAILING_OR_MISSING_CHECKS,
    LARGE_PR,
    LATE_MERGE,
    MERGED_WITHOUT_APPROVAL,
    new_finding,
)
from agents.models import Confidence, Severity
from connectors.github.models import Commit, PullRequest
from connectors.provenance import Gap


def check_process(ctx: DeliveryContext) -> Outcome:
    if ctx.github is None:
        return Outcome(
            gaps=[
                Gap(
                    source="github",
                    what="process checks",
                    why="no GitHub data: approvals, checks, merge timing and PR "
                    "size were not checked",
                )
            ]
        )
    outcome = Outcome()
    if ctx.release is None:
        outcome.gaps.append(
            Gap(
                source="github",
                what="late-merge check",
                why="no release date in Jira and no dated head commit",
            )
        )
    for pr in ctx.merged:
        for check in (_approval, _checks, _late, _large):
            outcome.add(check(ctx, pr))
    by_sha = {c.sha: c for c in ctx.github.commits}
    for sha in ctx.github.commits_without_pull_request:
        if sha in by_sha:
            outcome.add(_pushed_directly(ctx, by_sha[sha]))
    return outcome


def _pushed_directly(ctx: DeliveryContext, commit: Commit) -> Outcome:
    """A commit of the release no merged pull request brought in: nobody reviewed it."""
    assert ctx.github is not None
    ref = f"{ctx.links.repo}@{commit.sha[:12]}"
    headline = ctx.clean(commit.message.splitlines()[0] if commit.message else "")
    who = commit.author_login or commit.author_name or "unknown"
    finding = new_finding(
        MERGED_WITHOUT_APPROVAL,
        (ctx.links.repo, commit.sha),
        severity=Severity.HIGH,
        # GitHub names no merged PR for it; a review elsewhere (another host, a patch
        # mailed in) is possible, so not certain.
        confidence=Confidence.MEDIUM,
        title=f"{ref} reached the release without a pull request: {headline}",
        explanation=(
            f"Commit {commit.sha[:12]} by {who} is in {ctx.github.base}...{ctx.github.head} "
            "but no merged pull request brought it in: it was pushed directly, without review "
            "or the checks a pull request runs."
        ),
        evidence=[ctx.links.commit(commit)],
        recommendation=(
            f"Have {ref} reviewed after the fact; protect the release branch so that changes "
            "only arrive through reviewed pull requests."
        ),
    )
    return Outcome(findings=[finding])


def _approval(ctx: DeliveryContext, pr: PullRequest) -> Outcome:
    ref = ctx.links.pr_ref(pr)
    if "reviews" in pr.missing:
        return Outcome(
            gaps=[
                Gap(
                    source="github",
                    what=f"approval check of {ref}",
                    why="its reviews could not be read",
                )
            ]
        )
    approval = approval_of(pr)
    needed = ctx.policy.process.min_approvals
    if len(approval.approvers) >= needed:
        return Outcome()
    finding = new_finding(
        MERGED_WITHOUT_APPROVAL,
        (ctx.links.repo, pr.number),
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM if approval.unknown_reviewer_approvals else Confidence.HIGH,
        title=f"{ref} merged without approval: {ctx.clean(pr.title)}",
        explanation=(
            f"{ref} needed {needed} approval(s) from someone other than its author "
            f"({pr.author or 'unknown'}) and had {len(approval.approvers)}. Latest "
            f"review per reviewer: {approval.describe()}."
        ),
        evidence=[ctx.links.pr(pr, detail=approval.describe())],
        recommendation=(
            f"Have {ref} reviewed and approved after the fact; require approvals "
            "in branch protection so this cannot recur."
        ),
    )
    return Outcome(findings=[finding])


def _checks(ctx: DeliveryContext, pr: PullRequest) -> Outcome:
    ref = ctx.links.pr_ref(pr)
    review = review_checks(pr, ctx.policy.process)
    gaps = (
        [
            Gap(
                source="github",
                what=f"CI checks of {ref}",
                why=f"{' and '.join(review.unread)} could not be read: missing checks "
                "cannot be claimed",
            )
        ]
        if review.unread
        else []
    )
    if not review.problems:
        return Outcome(gaps=gaps)
    listed = "; ".join(p.what for p in review.problems)
    finding = new_finding(
        FAILING_OR_MISSING_CHECKS,
        (ctx.links.repo, pr.number),
        severity=max(p.severity for p in review.problems),
        confidence=Confidence.HIGH,
        title=f"{ref} merged with failing or missing checks: {ctx.clean(pr.title)}",
        explanation=f"On head commit {pr.head_sha[:12]} of {ref}: {listed}.",
        evidence=[ctx.links.pr(pr, detail=listed)],
        recommendation=(
            f"Re-run the checks on {ref}'s merge result and fix what fails before "
            "releasing; make the checks required in branch protection."
        ),
    )
    return Outcome(findings=[finding], gaps=gaps)


def _late(ctx: DeliveryContext, pr: PullRequest) -> Outcome:
    days = ctx.policy.process.late_merge_days
    if ctx.release is None or pr.merged_at is None:
        return Outcome()
    merged = as_utc(pr.merged_at)
    if merged < ctx.release.at - timedelta(days=days):
        return Outcome()
    ref = ctx.links.pr_ref(pr)
    before = ctx.release.at - merged
    when = (
        f"{before.total_seconds() / 86_400:.1f} days before"
        if before >= timedelta(0)
        else f"{-before.total_seconds() / 86_400:.1f} days after"
    )
    finding = new_finding(
        LATE_MERGE,
        (ctx.links.repo, pr.number),
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        title=f"{ref} merged late: {ctx.clean(pr.title)}",
        explanation=(
            f"{ref} was merged at {merged.isoformat()}, {when} the "
            f"{ctx.release.source} (limit: {days:g} days before), leaving little "
            "time to test it in the release."
        ),
        evidence=[ctx.links.pr(pr, detail=f"merged {merged.isoformat()}")],
        recommendation=(
            f"Make sure {ref} went through the full release test cycle, or hold "
            "it for the next release."
        ),
    )
    return Outcome(findings=[finding])


def _large(ctx: DeliveryContext, pr: PullRequest) -> Outcome:
    policy = ctx.policy.process
    lines, files, lower_bound = _size(pr)
    if lines <= policy.large_pr_lines and files <= policy.large_pr_files:
        return Outcome()
    ref = ctx.links.pr_ref(pr)
    bound = " at least" if lower_bound else ""
    finding = new_finding(
        LARGE_PR,
        (ctx.links.repo, pr.number),
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        title=f"{ref} is large ({lines} lines, {files} files): {ctx.clean(pr.title)}",
        explanation=(
            f"{ref} changes{bound} {lines} lines in{bound} {files} files (limits: "
            f"{policy.large_pr_lines} lines, {policy.large_pr_files} files); large "
            "changes are reviewed less thoroughly and carry more defects."
        ),
        evidence=[ctx.links.pr(pr, detail=f"{lines} lines,{bound} {files} files")],
        recommendation=(
            f"Give {ref} extra review and testing attention; split changes this size in future."
        ),
    )
    return Outcome(findings=[finding])


def _size(pr: PullRequest) -> tuple[int, int, bool]:
    """(lines, files, is a lower bound): counts when known, else what the file list shows."""
    if pr.additions is not None and pr.deletions is not None and pr.changed_files is not None:
        return pr.additions + pr.deletions, pr.changed_files, False
    lines = sum(f.additions + f.deletions for f in pr.files)
    return lines, len(pr.files), True

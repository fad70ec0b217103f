"""Test gaps per merged PR: source changed without tests, added lines left uncovered.

A source file matches ``tests.source_globs`` and not ``tests.test_globs``; a test file
matches ``tests.test_globs``. Coverage is optional: without a report only
``untested-change`` runs. Line numbers are the PR's own; later PRs of the release may
have moved them, hence medium confidence on ``uncovered-changed-lines``.
"""

from __future__ import annotations

from collections import Counter

from agents.base import Outcome
from agents.delivery.context import DeliveryContext
from agents.delivery.coverage import CoverageReport
from agents.delivery.diff import added_lines, ranges
from agents.delivery.findings import UNCOVERED_CHANGED_LINES, UNTESTED_CHANGE, new_finding
from agents.delivery.sourcefiles import SourceFiles
from agents.delivery.suggest import suggest
from agents.models import Confidence, Evidence, Finding, Severity
from connectors.github.models import ChangedFile, PullRequest
from connectors.provenance import Gap


def check_test_gaps(ctx: DeliveryContext, coverage: CoverageReport | None) -> Outcome:
    policy = ctx.policy.tests
    files = SourceFiles(policy.source_globs, policy.test_globs)
    outcome = Outcome()
    for pr in ctx.merged:
        if "files" in pr.missing:
            outcome.gaps.append(
                Gap(
                    source="github",
                    what=f"test-gap checks of {ctx.links.pr_ref(pr)}",
                    why="its file list could not be read in full",
                )
            )
            continue
        outcome.add(_untested(ctx, pr, files))
        if coverage is not None:
            outcome.add(_uncovered(ctx, pr, files, coverage))
    return outcome


def _untested(ctx: DeliveryContext, pr: PullRequest, files: SourceFiles) -> Outcome:
    source = files.changed_source(pr)
    churn = sum(f.additions + f.deletions for f in source)
    if not source or churn < ctx.policy.tests.min_source_lines:
        return Outcome()
    if any(files.is_test(f.path) for f in pr.files):
        return Outcome()
    ref = ctx.links.pr_ref(pr)
    shown = source[: ctx.policy.tests.max_ranges]
    evidence = [ctx.links.pr(pr), *(_first_line(ctx, pr, f) for f in shown)]
    finding = new_finding(
        UNTESTED_CHANGE,
        (ctx.links.repo, pr.number),
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        title=f"{ref} changes source without touching tests: {ctx.clean(pr.title)}",
        explanation=(
            f"{ref} changes {churn} lines in {len(source)} source file(s) and no "
            "test file; the tests for it may live elsewhere, but none changed here."
        ),
        evidence=evidence,
        recommendation=f"Add or update tests that exercise the code {ref} changed.",
        suggested_tests=suggest(pr, files, bug_keys(ctx, pr),
                                max_functions=ctx.policy.change_risk.max_functions,
                                max_tests=ctx.policy.change_risk.max_tests),
    )
    return Outcome(findings=[finding])


def bug_keys(ctx: DeliveryContext, pr: PullRequest) -> list[str]:
    bugs = ctx.policy.scope.bug_types
    return [i.key for i in ctx.linked_issues(pr) if i.issue_type.casefold() in bugs]


def _first_line(ctx: DeliveryContext, pr: PullRequest, changed: ChangedFile) -> Evidence:
    lines = added_lines(changed.patch)
    detail = f"+{changed.additions} -{changed.deletions}"
    return ctx.links.file(pr, changed.path, lines[0] if lines else None, detail=detail)


def _uncovered(
    ctx: DeliveryContext, pr: PullRequest, files: SourceFiles, coverage: CoverageReport
) -> Outcome:
    counts: Counter[str] = Counter()
    uncovered: dict[str, list[int]] = {}
    executable = 0
    for changed in files.changed_source(pr):
        if changed.patch is None or changed.patch_truncated:
            counts["coverage_unreadable_patches"] += 1
            continue
        hits = coverage.lines(changed.path)
        if hits is None:
            counts["coverage_unmatched_files"] += 1
            continue
        measured = [line for line in added_lines(changed.patch) if line in hits]
        executable += len(measured)
        missed = [line for line in measured if hits[line] == 0]
        if missed:
            uncovered[changed.path] = missed
    findings = [_uncovered_finding(ctx, pr, uncovered, executable)] if uncovered else []
    return Outcome(findings=findings, counts=counts)


def _uncovered_finding(
    ctx: DeliveryContext, pr: PullRequest, uncovered: dict[str, list[int]], executable: int
) -> Finding:
    policy = ctx.policy.tests
    missed = sum(len(lines) for lines in uncovered.values())
    share = missed / executable if executable else 1.0
    ref = ctx.links.pr_ref(pr)
    evidence = [
        ctx.links.file(pr, path, start, end, detail="added, never executed by tests")
        for path, lines in sorted(uncovered.items())
        for start, end in ranges(lines)
    ][: policy.max_ranges]
    return new_finding(
        UNCOVERED_CHANGED_LINES,
        (ctx.links.repo, pr.number),
        severity=Severity.MEDIUM if share >= policy.uncovered_medium_ratio else Severity.LOW,
        confidence=Confidence.MEDIUM,
        title=f"{ref}: {missed} added line(s) not covered by tests: {ctx.clean(pr.title)}",
        explanation=(
            f"The coverage report shows {missed} of the {executable} executable lines "
            f"{ref} added as never executed ({share:.0%}), in {len(uncovered)} "
            "file(s). Line numbers are the PR's; later changes may have moved them."
        ),
        evidence=[ctx.links.pr(pr), *evidence],
        recommendation=f"Add tests that execute the uncovered lines {ref} added.",
    )

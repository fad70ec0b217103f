"""The fewest requests a complete read of the demo can take, per source, from the data.

Each entry is (what, pages): a list of n items at page size p costs ceil(n / p) pages,
at least one (an empty list is still one answer). The connectors' provenance must show
exactly these totals: nothing skipped, nothing read twice.
"""

from __future__ import annotations

import itertools
import math
from datetime import timedelta
from typing import Any

from scripts.demo_org import aws, code, issues, pages, pulls
from scripts.demo_org.cassettes import KNOWN, link_targets
from scripts.demo_org.org import (
    CONFLUENCE_PAGE_SIZE,
    ENVIRONMENTS,
    GITHUB_PER_PAGE,
    JIRA_MAX_RESULTS,
)


def _pages(n: int, size: int) -> int:
    return max(1, math.ceil(n / size))


def github() -> list[tuple[str, int]]:
    per = GITHUB_PER_PAGE
    commits = pulls.range_commits()
    merged = [p for p in pulls.MERGED if p.merged]
    changes = code.file_changes()
    since = commits[0].when - timedelta(minutes=10)
    in_window = [d for d in pulls.DEPLOYMENTS if d.created >= since]
    runs, vouched = _merge_runs(commits, merged, changes)
    return [
        ("repository", 1),
        (f"compare: {len(commits)} commits / {per}", _pages(len(commits), per)),
        (f"GraphQL: the merged PRs of {len(commits)} commits (100 a query)",
         _pages(len(commits), 100)),
        (f"GraphQL: reviews, checks, statuses of {len(merged)} merged PRs (100 a query)",
         _pages(len(merged), 100)),
        (f"patches of {len(merged)} merged PRs: compares of back-to-back merges "
         f"({len(runs)}, for {len(vouched)} PRs), the others' file listings",
         len(runs) + sum(_pages(len(changes[p.number]), per) for p in merged
                         if p.number not in vouched)),
        ("CODEOWNERS (.github/CODEOWNERS exists)", 1),
        (f"deployments: one listing per environment ({', '.join(ENVIRONMENTS)})",
         len(ENVIRONMENTS)),
        (f"statuses of {len(in_window)} deployments in the range's window",
         sum(_pages(len(d.statuses), per) for d in in_window)),
    ]


def _merge_runs(commits: list[pulls.Commit], merged: list[pulls.Pull],
                changes: dict[int, list[code.FileChange]]) -> tuple[list[Any], set[int]]:
    """The compares the connector plans for the demo's squash merges, and the PRs whose
    files they hold in full (``merge_runs.py``)."""
    from scripts import make_github_cassettes as gh

    chain = [pulls.BASE_COMMIT.sha, *(c.sha for c in commits)]
    parents = {sha: (parent,) for parent, sha in itertools.pairwise(chain)}
    by_merge = {p.merge_sha: p.number for p in merged}
    merged_of = {c.sha: (by_merge[c.sha],) if c.sha in by_merge else () for c in commits}
    files = {p.number: [gh.F(c.path, c.status, c.additions, c.deletions, c.patch)
                        for c in changes[p.number]] for p in merged}
    runs, vouched = gh.planned_runs(parents, merged_of, files)
    return list(runs), vouched


def jira() -> list[tuple[str, int]]:
    n = len(issues.ISSUES)
    return [
        ("what kind of site (serverInfo) and which fields (/field), once", 2),
        ("fix versions of PAY", 1),
        (f"search: {n} issues / {JIRA_MAX_RESULTS}", _pages(n, JIRA_MAX_RESULTS)),
        ("status categories (Reopened is only in changelogs)", 1),
        (f"remote links: one per done issue no PR or commit names ({len(link_targets())})",
         len(link_targets())),
    ]


def confluence() -> list[tuple[str, int]]:
    n = len(pages.PAGES)
    return [(f"CQL content search: {n} pages / {CONFLUENCE_PAGE_SIZE}",
             _pages(n, CONFLUENCE_PAGE_SIZE))]


def cloudwatch() -> list[tuple[str, int]]:
    since = aws.NOW - aws.WINDOW
    changed = [a for a in aws.ALARMS if a.transitions and (
        a.transitions[-1][1] == "ALARM" or a.transitions[-1][0] >= since)]
    return [
        (f"DescribeAlarms: {len(aws.ALARMS)} alarms / 100", 1),
        (f"DescribeAlarmHistory: alarms firing or changed in the window ({len(changed)})",
         len(changed)),
        (f"GetMetricData: {len(aws.queries())} queries in one call", 1),
    ]


def osv(packages: list[tuple[str, str]]) -> list[tuple[str, int]]:
    ids = {i for p in packages for i in KNOWN.get(p, ())}
    return [(f"querybatch: {len(packages)} changed packages", 1),
            (f"vulnerability records ({len(ids)})", len(ids))]


def minimum(packages: list[tuple[str, str]]) -> dict[str, list[tuple[str, int]]]:
    return {"github": github(), "jira": jira(), "confluence": confluence(),
            "cloudwatch": cloudwatch(), "osv": osv(packages)}

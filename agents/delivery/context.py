"""One release, indexed once: issues by key, merged PRs by Jira key, keys in commits.

Every check reads this instead of scanning lists, which keeps 1,000 PRs × 2,000 issues
linear. It also records what is uncertain (issues named in a Jira gap, unread remote
links) so checks can lower confidence or stay silent instead of guessing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time

from agents.delivery.evidence import TITLE_LIMIT, Links
from agents.delivery.policy import DeliveryPolicy
from agents.text import SafeText
from connectors.github.issue_keys import jira_keys
from connectors.github.models import GitHubRelease, PullRequest
from connectors.jira.models import JiraIssue, JiraRelease
from connectors.snapshot import SnapshotBody
from governance.redact import Redactor


@dataclass(frozen=True)
class ReleaseMoment:
    """The reference time for late merges, and where it came from."""

    at: datetime
    source: str  # e.g. "release date 2024-05-02"


@dataclass(frozen=True)
class DeliveryContext:
    policy: DeliveryPolicy
    github: GitHubRelease | None
    jira: JiraRelease | None
    links: Links
    merged: tuple[PullRequest, ...]
    issues: Mapping[str, JiraIssue]
    prs_by_key: Mapping[str, tuple[PullRequest, ...]]
    commit_keys: frozenset[str]
    uncertain_keys: frozenset[str]  # named in a Jira gap: their data may be incomplete
    remote_links_read: bool
    release: ReleaseMoment | None

    @property
    def clean(self) -> SafeText:
        return self.links.clean

    def linked_issues(self, pr: PullRequest) -> list[JiraIssue]:
        return [self.issues[k] for k in pr.jira_keys if k in self.issues]


def build_context(snapshot: SnapshotBody, policy: DeliveryPolicy,
                  redactor: Redactor) -> DeliveryContext:
    github, jira = snapshot.github, snapshot.jira
    merged = tuple(pr for pr in (github.pull_requests if github else ())
                   if pr.merged_at is not None)
    return DeliveryContext(
        policy=policy,
        github=github,
        jira=jira,
        links=_links(snapshot, policy, SafeText(redactor, TITLE_LIMIT, one_line=True)),
        merged=merged,
        issues={issue.key: issue for issue in (jira.issues if jira else ())},
        prs_by_key=_prs_by_key(merged),
        commit_keys=frozenset(k for c in (github.commits if github else ())
                              for k in jira_keys(c.message)),
        uncertain_keys=_uncertain_keys(snapshot),
        remote_links_read=_remote_links_read(snapshot),
        release=_release_moment(github, jira),
    )


def _links(snapshot: SnapshotBody, policy: DeliveryPolicy, clean: SafeText) -> Links:
    github = snapshot.github
    provenance = snapshot.provenance_of("jira")
    asked = provenance.asked.get("url") if provenance else None
    jira_base = asked if isinstance(asked, str) and asked else policy.jira_base_url
    repo = github.repository.full_name if github else (snapshot.asked.repo or "")
    return Links(repo, github.repository.html_url if github else None, jira_base, clean)


def _prs_by_key(merged: tuple[PullRequest, ...]) -> dict[str, tuple[PullRequest, ...]]:
    found: dict[str, list[PullRequest]] = defaultdict(list)
    for pr in merged:
        for key in pr.jira_keys:
            found[key].append(pr)
    return {key: tuple(prs) for key, prs in found.items()}


def _uncertain_keys(snapshot: SnapshotBody) -> frozenset[str]:
    return frozenset(k for gap in snapshot.gaps() if gap.source == "jira"
                     for k in jira_keys(gap.what))


def _remote_links_read(snapshot: SnapshotBody) -> bool:
    provenance = snapshot.provenance_of("jira")
    return provenance is None or provenance.asked.get("remote_links", True) is not False


def _release_moment(github: GitHubRelease | None, jira: JiraRelease | None) -> ReleaseMoment | None:
    """The release date (start of day, UTC), else the head commit's date."""
    if jira is not None and jira.release_date is not None:
        at = datetime.combine(jira.release_date, time.min, tzinfo=UTC)
        return ReleaseMoment(at, f"release date {jira.release_date.isoformat()}")
    if github is None:
        return None
    head = [c for c in github.commits if github.head and c.sha.startswith(github.head)]
    # The head may be a branch or tag name: then the newest commit in the range stands in.
    dated = [(as_utc(when), c.sha) for c in head or github.commits
             if (when := c.committed_at or c.authored_at) is not None]
    if not dated:
        return None
    when, sha = max(dated)
    return ReleaseMoment(when, f"head commit {sha[:12]} at {when.isoformat()}")


def as_utc(value: datetime) -> datetime:
    """Naive datetimes from older snapshots are taken as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)

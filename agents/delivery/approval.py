"""Who approved a PR, the way GitHub counts it: each reviewer's latest decisive review.

Decisive states are APPROVED, CHANGES_REQUESTED and DISMISSED (GitHub rewrites a
dismissed review's state to DISMISSED). A later COMMENTED review does not withdraw an
approval, and PENDING reviews were never submitted. The author's own reviews never count,
and neither do reviews from deleted accounts: nobody can tell whose they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.delivery.context import as_utc
from connectors.github.models import PullRequest, Review

_DECISIVE = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})


@dataclass(frozen=True)
class Approval:
    approvers: tuple[str, ...]  # reviewers other than the author whose latest review approves
    requesting_changes: tuple[str, ...]
    dismissed: tuple[str, ...]
    unknown_reviewer_approvals: int  # approvals from deleted accounts, not counted

    def describe(self) -> str:
        parts = [f"{label}: {', '.join(names)}" for label, names in (
            ("approved", self.approvers), ("changes requested", self.requesting_changes),
            ("dismissed", self.dismissed)) if names]
        if self.unknown_reviewer_approvals:
            parts.append(f"{self.unknown_reviewer_approvals} approval(s) from deleted accounts "
                         "(not counted)")
        return "; ".join(parts) or "no submitted approving or blocking review"


def approval_of(pr: PullRequest) -> Approval:
    author = (pr.author or "").casefold()
    latest = _latest_by_reviewer(pr.reviews)
    others = {name: state for name, state in latest.items() if name.casefold() != author}
    unknown = sum(1 for r in pr.reviews if r.reviewer is None and r.state == "APPROVED")
    return Approval(
        approvers=_with(others, "APPROVED"),
        requesting_changes=_with(others, "CHANGES_REQUESTED"),
        dismissed=_with(others, "DISMISSED"),
        unknown_reviewer_approvals=unknown,
    )


def _latest_by_reviewer(reviews: tuple[Review, ...]) -> dict[str, str]:
    decisive = sorted((as_utc(r.submitted_at), r.id, r.reviewer, r.state) for r in reviews
                      if r.state in _DECISIVE and r.reviewer and r.submitted_at is not None)
    return {reviewer: state for _, _, reviewer, state in decisive}  # later ones overwrite


def _with(states: dict[str, str], wanted: str) -> tuple[str, ...]:
    return tuple(sorted(name for name, state in states.items() if state == wanted))

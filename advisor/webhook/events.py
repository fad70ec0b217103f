"""Which GitHub deliveries mean work, and what work: a review or a sign-off command.

Pure functions over the parsed payload; a payload without the fields GitHub documents
for its event is a ``PayloadError`` (answered 400, nothing queued).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

REVIEW_ACTIONS = frozenset({"opened", "synchronize", "reopened", "ready_for_review"})
COMMAND = re.compile(r"^\s*/advisor\s+sign-?off\b", re.IGNORECASE)


class PayloadError(ValueError):
    """The JSON is not the shape GitHub sends for this event."""


class ReviewJob(BaseModel):
    repo: str
    number: int
    head_sha: str
    action: str
    installation_id: int | None = None
    delivery: str


class SignOffJob(BaseModel):
    repo: str
    number: int
    commenter: str
    commenter_type: str
    comment_id: int
    body: str
    installation_id: int | None = None
    delivery: str
    # When GitHub says the comment was written and last edited, and when we received it:
    # a command binds to the review current when it was written, and goes stale.
    created_at: str
    updated_at: str
    received_at: str = ""


Routed = ReviewJob | SignOffJob | str  # a str says why the delivery is ignored
Job = ReviewJob | SignOffJob


def job_of(event: str, data: dict[str, Any]) -> Job:
    """A job back from the queue (``job_data`` wrote it)."""
    return SignOffJob.model_validate(data) if event == "issue_comment" else \
        ReviewJob.model_validate(data)


def job_data(job: Job) -> dict[str, Any]:
    return job.model_dump(mode="json")


def _installation(payload: dict[str, Any]) -> int | None:
    found = (payload.get("installation") or {}).get("id")
    return int(found) if isinstance(found, int) else None


def _pull_request(payload: dict[str, Any], delivery: str) -> Routed:
    action = str(payload["action"])
    pull = payload["pull_request"]
    if action not in REVIEW_ACTIONS:
        return f"pull_request action {action!r} needs no review"
    if pull.get("draft") and action != "ready_for_review":
        return "draft pull request: reviewed when it is marked ready"
    return ReviewJob(repo=str(payload["repository"]["full_name"]), number=int(pull["number"]),
                     head_sha=str(pull["head"]["sha"]), action=action,
                     installation_id=_installation(payload), delivery=delivery)


def _issue_comment(payload: dict[str, Any], delivery: str) -> Routed:
    comment, issue = payload["comment"], payload["issue"]
    if payload["action"] != "created":
        return "only new comments can carry a command"
    if not issue.get("pull_request"):
        return "comment on an issue, not a pull request"
    body = str(comment.get("body") or "")
    if not COMMAND.match(body):
        return "not an /advisor command"
    user = comment["user"]
    return SignOffJob(repo=str(payload["repository"]["full_name"]), number=int(issue["number"]),
                      commenter=str(user["login"]), commenter_type=str(user.get("type") or ""),
                      comment_id=int(comment["id"]), body=body[:5000],
                      installation_id=_installation(payload), delivery=delivery,
                      created_at=_timestamp(comment["created_at"]),
                      updated_at=_timestamp(comment.get("updated_at") or comment["created_at"]))


def _timestamp(value: Any) -> str:
    """GitHub's ISO 8601 time as the store writes times (UTC, microseconds, ``Z``)."""
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return parsed.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def route(event: str, payload: dict[str, Any], delivery: str) -> Routed:
    try:
        if event == "pull_request":
            return _pull_request(payload, delivery)
        if event == "issue_comment":
            return _issue_comment(payload, delivery)
    except (KeyError, TypeError, ValueError) as exc:
        raise PayloadError(f"unexpected {event} payload ({type(exc).__name__}: {exc})") from None
    return f"event {event!r} is not handled"

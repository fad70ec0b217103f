"""Normalised Jira data: plain pydantic models, no `jira` library objects leak out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.2"  # 1.1: due dates, sprints and teams; 1.2: remote links may be unread

StatusCategory = Literal["new", "indeterminate", "done"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class StatusTransition(_Frozen):
    """One status change from the changelog."""

    from_status: str | None
    to_status: str
    at: datetime
    by: str | None = None  # display name; None for automation or deleted users


class IssueLink(_Frozen):
    type: str  # link type name, e.g. "Blocks"
    direction: Literal["inward", "outward"]
    relation: str  # the phrase as Jira shows it, e.g. "is blocked by"
    key: str
    project: str  # project key of the linked issue
    status: str | None = None


class RemoteLink(_Frozen):
    url: str
    title: str
    application: str | None = None  # e.g. "GitHub"
    relationship: str | None = None


class Sprint(_Frozen):
    """A Jira Software sprint the issue is (or was) in."""

    id: int | None = None
    name: str
    state: Literal["active", "closed", "future"] | None = None
    start: datetime | None = None
    end: datetime | None = None
    completed: datetime | None = None


class JiraIssue(_Frozen):
    key: str
    id: str
    summary: str
    issue_type: str
    status: str
    status_category: StatusCategory | None  # None when Jira reports no category
    priority: str | None = None
    resolution: str | None = None
    story_points: float | None = None
    due_date: date | None = None
    sprints: list[Sprint] = Field(default_factory=list)  # oldest first, as Jira lists them
    team: str | None = None  # the Team field (Atlassian teams, Advanced Roadmaps)
    epic_key: str | None = None
    parent_key: str | None = None
    labels: list[str] = Field(default_factory=list)
    components: list[str] = Field(default_factory=list)
    assignee: str | None = None
    reporter: str | None = None
    created: datetime
    updated: datetime
    resolved: datetime | None = None
    fix_versions: list[str] = Field(default_factory=list)
    description: str = ""  # plain text (ADF flattened on Cloud, wiki text on Server)
    status_history: list[StatusTransition] = Field(default_factory=list)
    reopen_count: int = 0
    time_in_status: dict[str, float] = Field(default_factory=dict)  # seconds per status name
    links: list[IssueLink] = Field(default_factory=list)
    # None: not read (not asked for, the read failed with a gap, or the release's code
    # already names the issue or it is not done: see the provenance's remote_links_skipped)
    remote_links: list[RemoteLink] | None = Field(default_factory=list)
    is_epic: bool = False


class JiraRelease(_Frozen):
    """The issues of one release (a fix version, or a JQL query) with their epics."""

    schema_version: str = SCHEMA_VERSION
    project: str
    fix_version: str | None = None
    fix_version_id: str | None = None
    release_date: date | None = None
    released: bool | None = None
    jql: str
    issues: list[JiraIssue] = Field(default_factory=list)
    epics: dict[str, list[str]] = Field(default_factory=dict)  # epic key -> child keys

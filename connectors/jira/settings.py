"""How to reach a Jira site: URL, deployment, credentials and the custom fields we read.

Custom field ids differ from site to site (story points live in ``customfield_10016`` on
one, ``customfield_10105`` on another), so they are discovered from ``/field`` by their
type; a ``*_field`` setting overrides what discovery finds. The deployment, when not
given, is asked of the site (``serverInfo``), not guessed from its host name.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from connectors.atlassian import AtlassianSettings


class JiraSettings(AtlassianSettings):
    ENV: ClassVar[str] = "JIRA"
    ENV_FIELDS: ClassVar[tuple[str, ...]] = (
        "story_points_field", "epic_link_field", "sprint_field", "team_field", "workers")
    ASKS_THE_SITE: ClassVar[bool] = True

    story_points_field: str | None = None  # e.g. customfield_10016; None: discovered
    epic_link_field: str | None = None  # Server/DC "Epic Link"; Cloud uses ``parent``
    sprint_field: str | None = None
    team_field: str | None = None
    max_results: int = 100  # Cloud's per-page ceiling when fields are requested
    changelog_page_size: int = 100  # ceiling of /issue/{key}/changelog
    timeout: float | None = None  # None: the transport's (connect, read) default
    workers: int = Field(default=8, ge=1, le=64)  # concurrent per-issue requests

    @property
    def rest_api_version(self) -> str:
        # v3 (ADF) exists only on Cloud; Server/DC speaks v2.
        return "3" if self.is_cloud else "2"

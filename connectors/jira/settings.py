"""How to reach a Jira site: URL, deployment, credentials and the custom fields we read."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from connectors.atlassian import AtlassianSettings


class JiraSettings(AtlassianSettings):
    ENV: ClassVar[str] = "JIRA"
    ENV_FIELDS: ClassVar[tuple[str, ...]] = ("story_points_field", "epic_link_field", "workers")

    story_points_field: str = "customfield_10016"
    epic_link_field: str | None = None  # Server/DC "Epic Link", e.g. customfield_10014
    max_results: int = 100  # Cloud's per-page ceiling when fields are requested
    changelog_page_size: int = 100  # ceiling of /issue/{key}/changelog
    timeout: float | None = None  # None: the transport's (connect, read) default
    workers: int = Field(default=8, ge=1, le=64)  # concurrent per-issue requests

    @property
    def rest_api_version(self) -> str:
        # v3 (ADF) exists only on Cloud; Server/DC speaks v2.
        return "3" if self.is_cloud else "2"

"""How to reach a Jira site: URL, deployment, credentials and the custom fields we read."""

from __future__ import annotations

import os
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from connectors.errors import ConnectorError

Deployment = Literal["cloud", "server"]


def deployment_of(url: str) -> Deployment:
    """Atlassian Cloud sites live under ``*.atlassian.net``; anything else is Server/DC."""
    host = (urlsplit(url).hostname or "").lower()
    return "cloud" if host == "atlassian.net" or host.endswith(".atlassian.net") else "server"


class JiraSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    url: str
    deployment: Deployment = "server"  # detected from the host when not given
    email: str | None = None  # Cloud basic auth (with api_token)
    api_token: SecretStr | None = None
    pat: SecretStr | None = None  # Server/DC personal access token (bearer)
    story_points_field: str = "customfield_10016"
    epic_link_field: str | None = None  # Server/DC "Epic Link", e.g. customfield_10014
    max_results: int = 100  # Cloud's per-page ceiling when fields are requested
    changelog_page_size: int = 100  # ceiling of /issue/{key}/changelog
    timeout: float | None = None  # None: the transport's (connect, read) default
    workers: int = Field(default=8, ge=1, le=64)  # concurrent per-issue requests

    @field_validator("url")
    @classmethod
    def _strip_slash(cls, url: str) -> str:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("JIRA_URL must be an http(s) URL")
        return url.rstrip("/")

    @model_validator(mode="before")
    @classmethod
    def _detect_deployment(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("deployment") and data.get("url"):
            return {**data, "deployment": deployment_of(str(data["url"]))}
        return data

    @model_validator(mode="after")
    def _needs_credentials(self) -> JiraSettings:
        if self.pat is None and not (self.email and self.api_token):
            raise ValueError("needs JIRA_EMAIL + JIRA_API_TOKEN (Cloud) or JIRA_PAT (Server/DC)")
        return self

    @property
    def is_cloud(self) -> bool:
        return self.deployment == "cloud"

    @property
    def rest_api_version(self) -> str:
        # v3 (ADF) exists only on Cloud; Server/DC speaks v2.
        return "3" if self.is_cloud else "2"

    @classmethod
    def from_env(cls) -> JiraSettings:
        env = os.environ
        url = env.get("JIRA_URL")
        if not url:
            raise ConnectorError("jira: JIRA_URL is not set")
        optional = {
            "deployment": env.get("JIRA_DEPLOYMENT") or None,
            "email": env.get("JIRA_EMAIL") or None,
            "api_token": env.get("JIRA_API_TOKEN") or None,
            "pat": env.get("JIRA_PAT") or None,
            "story_points_field": env.get("JIRA_STORY_POINTS_FIELD") or None,
            "epic_link_field": env.get("JIRA_EPIC_LINK_FIELD") or None,
            "workers": env.get("JIRA_WORKERS") or None,
        }
        try:
            return cls(url=url, **{k: v for k, v in optional.items() if v is not None})
        except ValueError as exc:
            raise ConnectorError(f"jira: invalid settings: {first_error(exc)}") from None


def first_error(exc: ValueError) -> str:
    """The first validation message, without pydantic's "Value error, " prefix."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return str(first.get("msg", exc)).removeprefix("Value error, ")
    return str(exc)

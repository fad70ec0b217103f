"""How to reach a Confluence site: URL, deployment and credentials."""

from __future__ import annotations

import os
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator, model_validator

from connectors.errors import ConnectorError
from connectors.jira.settings import deployment_of, first_error

Deployment = Literal["cloud", "server"]


class ConfluenceSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    url: str  # Cloud: https://<site>.atlassian.net/wiki (``/wiki`` is added if missing)
    deployment: Deployment = "server"  # detected from the host when not given
    email: str | None = None  # Cloud basic auth (with api_token)
    api_token: SecretStr | None = None
    pat: SecretStr | None = None  # Server/DC personal access token (bearer)
    page_size: int = 50  # content/search allows at most 50 when the body is expanded
    timeout: float = 75.0  # atlassian-python-api needs a number; the guard bounds retries

    @field_validator("url")
    @classmethod
    def _strip_slash(cls, url: str) -> str:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("CONFLUENCE_URL must be an http(s) URL")
        return url.rstrip("/")

    @model_validator(mode="before")
    @classmethod
    def _detect_deployment(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("deployment") and data.get("url"):
            return {**data, "deployment": deployment_of(str(data["url"]))}
        return data

    @model_validator(mode="after")
    def _needs_credentials(self) -> ConfluenceSettings:
        if self.pat is None and not (self.email and self.api_token):
            raise ValueError(
                "needs CONFLUENCE_EMAIL + CONFLUENCE_API_TOKEN (Cloud) or CONFLUENCE_PAT"
            )
        return self

    @property
    def is_cloud(self) -> bool:
        return self.deployment == "cloud"

    @property
    def base_url(self) -> str:
        """Where ``rest/api`` lives: Cloud serves Confluence under ``/wiki``."""
        if self.is_cloud and not self.url.endswith("/wiki"):
            return f"{self.url}/wiki"
        return self.url

    @classmethod
    def from_env(cls) -> ConfluenceSettings:
        env = os.environ
        url = env.get("CONFLUENCE_URL")
        if not url:
            raise ConnectorError("confluence: CONFLUENCE_URL is not set")
        optional = {
            "deployment": env.get("CONFLUENCE_DEPLOYMENT") or None,
            "email": env.get("CONFLUENCE_EMAIL") or None,
            "api_token": env.get("CONFLUENCE_API_TOKEN") or None,
            "pat": env.get("CONFLUENCE_PAT") or None,
        }
        try:
            return cls(url=url, **{k: v for k, v in optional.items() if v is not None})
        except ValueError as exc:
            raise ConnectorError(f"confluence: invalid settings: {first_error(exc)}") from None

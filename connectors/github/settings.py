"""How to reach GitHub (github.com or Enterprise Server) and as whom."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

DEFAULT_BASE_URL = "https://api.github.com"


class GitHubSettings(BaseModel):
    """Connection settings. Secrets are ``SecretStr``: they never appear in a repr or a log.

    Authentication is a token (PAT, fine-grained or ``GITHUB_TOKEN``) or a GitHub App
    installation; when the App is fully configured it wins, since CI often exports a
    ``GITHUB_TOKEN`` as well.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = DEFAULT_BASE_URL  # Enterprise Server: https://HOST/api/v3
    token: SecretStr | None = None
    app_id: int | None = None
    private_key: SecretStr | None = None  # PEM text
    installation_id: int | None = None
    per_page: int = Field(default=100, ge=1, le=100)
    # Concurrent per-PR requests. github.com's secondary rate limits allow at most 100
    # concurrent requests and 900 REST points a minute, and ask for restraint; Enterprise
    # Server has no rate limits unless its admin sets them, so it may go higher.
    max_workers: int = Field(default=8, ge=1, le=100)
    timeout_s: int = Field(default=30, ge=1)  # PyGithub only accepts whole seconds
    deployment_environments: tuple[str, ...] = ("production",)
    max_deployments: int = Field(default=20, ge=0)
    # Files GitHub sent no patch for are read and diffed here, within these bounds; the
    # rest is a gap per file. 1 MiB is what GitHub's contents API inlines.
    max_recovered_files: int = Field(default=200, ge=0)
    max_recovered_bytes: int = Field(default=1_048_576, ge=1)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("base_url must start with https:// (or http:// for a local proxy)")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _app_all_or_nothing(self) -> Self:
        parts = {
            "GITHUB_APP_ID": self.app_id,
            "GITHUB_APP_PRIVATE_KEY": self.private_key,
            "GITHUB_APP_INSTALLATION_ID": self.installation_id,
        }
        missing = [name for name, value in parts.items() if value is None]
        if 0 < len(missing) < len(parts):
            raise ValueError(f"incomplete GitHub App credentials: missing {', '.join(missing)}")
        return self

    @property
    def uses_app(self) -> bool:
        return self.app_id is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GitHubSettings:
        """Read ``GITHUB_TOKEN``/``GH_TOKEN``, ``GITHUB_API_URL``, ``GITHUB_APP_*``,
        ``GITHUB_MAX_WORKERS`` and ``GITHUB_MAX_RECOVERED_FILES``/``_BYTES``."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        key = get("GITHUB_APP_PRIVATE_KEY")
        values = {
            "base_url": get("GITHUB_API_URL") or DEFAULT_BASE_URL,
            "token": get("GITHUB_TOKEN") or get("GH_TOKEN"),
            "app_id": get("GITHUB_APP_ID"),
            # One-line secrets stores keep the PEM's newlines as literal "\n".
            "private_key": key.replace("\\n", "\n") if key else None,
            "installation_id": get("GITHUB_APP_INSTALLATION_ID"),
        }
        for name in ("max_workers", "max_recovered_files", "max_recovered_bytes"):
            if given := get(f"GITHUB_{name.upper()}"):
                values[name] = given
        return cls.model_validate(values)

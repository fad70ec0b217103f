"""Credentials for the publisher: a token, or a GitHub App installation token.

The same exchange as ``connectors/github/auth.py`` (a JWT signed with the App's key,
swapped at ``POST /app/installations/{id}/access_tokens`` for a one-hour token), but on
the publisher's own session: the read-only connectors never hold a write credential.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

import requests
from github import Auth
from pydantic import SecretStr

_REFRESH_BEFORE = timedelta(minutes=5)
USER_AGENT = "release-risk-advisor (publisher)"


class TokenSource(Protocol):
    def token(self) -> str: ...


class PublishAuthError(Exception):
    """No usable credential for posting."""


class StaticToken:
    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def token(self) -> str:
        return self._token.get_secret_value()


class InstallationToken:
    """Mints and renews one installation's token; thread-safe (webhook workers share it)."""

    def __init__(self, app_id: int, private_key: SecretStr, installation_id: int, *,
                 base_url: str, session: requests.Session | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._jwt = Auth.AppAuth(app_id, private_key.get_secret_value())
        self._url = f"{base_url.rstrip('/')}/app/installations/{installation_id}/access_tokens"
        self._session = session or requests.Session()
        self._now = now
        self._lock = threading.Lock()
        self._token: SecretStr | None = None
        self._expires = datetime.min.replace(tzinfo=UTC)

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._now() >= self._expires - _REFRESH_BEFORE:
                self._token, self._expires = self._mint()
            return self._token.get_secret_value()

    def _mint(self) -> tuple[SecretStr, datetime]:
        headers = {"Authorization": f"Bearer {self._jwt.token}", "User-Agent": USER_AGENT,
                   "Accept": "application/vnd.github+json"}
        response = self._session.post(self._url, headers=headers, json={}, timeout=30)
        if response.status_code != 201:
            raise PublishAuthError(f"GitHub App token exchange failed ({response.status_code})")
        grant = response.json()
        expires = datetime.fromisoformat(str(grant["expires_at"]).replace("Z", "+00:00"))
        return SecretStr(str(grant["token"])), expires


def token_from_env(environ: Mapping[str, str], installation_id: int | None = None,
                   base_url: str = "https://api.github.com") -> TokenSource:
    """The App when ``GITHUB_APP_ID``/``GITHUB_APP_PRIVATE_KEY`` and an installation are
    known, else ``GITHUB_TOKEN``/``GH_TOKEN``; neither is a ``PublishAuthError``."""
    app_id = environ.get("GITHUB_APP_ID", "").strip()
    key = environ.get("GITHUB_APP_PRIVATE_KEY", "").strip()
    installation = installation_id or _int(environ.get("GITHUB_APP_INSTALLATION_ID"))
    if app_id and key and installation:
        return InstallationToken(int(app_id), SecretStr(key.replace("\\n", "\n")), installation,
                                 base_url=base_url)
    token = (environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN") or "").strip()
    if token:
        return StaticToken(SecretStr(token))
    raise PublishAuthError("no GitHub credential to post with (GITHUB_TOKEN or a GitHub App)")


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None

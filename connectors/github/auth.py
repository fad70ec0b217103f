"""Credentials for PyGithub, and the one POST a read-only connector may send.

A GitHub App authenticates by exchanging a signed JWT for an installation token:
``POST /app/installations/{id}/access_tokens``. That POST writes nothing to any
repository (it mints a short-lived credential), so the token client's policy allows
exactly that path for exactly the configured installation. The client that reads
repositories never gets it: its policy allows no POST at all.

PyGithub's own ``Auth.AppInstallationAuth`` builds its ``GithubIntegration`` from an
unguarded copy of the requester, so we drive a guarded ``GithubIntegration`` ourselves.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from github import Auth, GithubIntegration
from github.Requester import Requester
from pydantic import SecretStr

from connectors.github.guard import harden
from connectors.github.settings import GitHubSettings
from connectors.provenance import RequestStats
from connectors.transport import ReadOnlyPolicy, RetryPolicy

SOURCE = "github"
USER_AGENT = "release-risk-advisor (read-only)"
_REFRESH_BEFORE = timedelta(minutes=5)  # installation tokens live one hour


def read_policy(base_url: str) -> ReadOnlyPolicy:
    """Reads, plus GraphQL queries (never mutations) at the host's GraphQL endpoint.

    github.com serves GraphQL at ``/graphql``, Enterprise Server at ``/api/graphql``
    (beside ``/api/v3``); PyGithub derives the same path.
    """
    graphql = Requester.get_graphql_prefix(urlsplit(base_url).path)
    return ReadOnlyPolicy.with_posts(
        SOURCE, [], graphql=[re.escape(graphql)], refuse_lossy_redirects=True
    )


def token_exchange_policy(base_url: str, installation_id: int) -> ReadOnlyPolicy:
    """Reads, plus the access-token POST of one installation (``/api/v3`` prefix on GHES)."""
    prefix = re.escape(urlsplit(base_url).path.rstrip("/"))
    path = rf"{prefix}/app/installations/{installation_id}/access_tokens"
    return ReadOnlyPolicy.with_posts(SOURCE, [path], refuse_lossy_redirects=True)


class InstallationTokenAuth(Auth.Auth):
    """An installation token minted through a guarded integration, renewed before expiry."""

    def __init__(self, integration: Any, installation_id: int) -> None:
        self._integration = integration
        self._installation_id = installation_id
        self._lock = threading.Lock()  # worker threads share one token
        self._token: SecretStr | None = None
        self._expires_at = datetime.min.replace(tzinfo=UTC)

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        with self._lock:
            if self._token is None or datetime.now(UTC) >= self._expires_at - _REFRESH_BEFORE:
                grant = self._integration.get_access_token(self._installation_id)
                self._token = SecretStr(grant.token)
                self._expires_at = grant.expires_at
            return self._token.get_secret_value()

    @property
    def _masked_token(self) -> str:
        return "token (installation token removed)"


def build_auth(settings: GitHubSettings, stats: RequestStats, retry: RetryPolicy | None) -> Any:
    """The PyGithub ``Auth`` for ``settings``; None means anonymous (public data only)."""
    app_id, key, installation_id = settings.app_id, settings.private_key, settings.installation_id
    if app_id is not None and key is not None and installation_id is not None:
        integration = GithubIntegration(
            auth=Auth.AppAuth(app_id, key.get_secret_value()),
            base_url=settings.base_url,
            timeout=settings.timeout_s,
            user_agent=USER_AGENT,
            retry=None,  # the guard retries
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
        policy = token_exchange_policy(settings.base_url, installation_id)
        harden(integration.requester, policy, stats, retry)
        return InstallationTokenAuth(integration, installation_id)
    if settings.token is not None:
        return Auth.Token(settings.token.get_secret_value())
    return None

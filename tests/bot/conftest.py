"""Fixtures for the PR bot: a governance home, services replaying cassettes/github_bot."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from pydantic import SecretStr
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from advisor.context import graph_context, open_controls
from advisor.settings import load_settings
from connectors.github import GitHubConnector, GitHubSettings
from connectors.osv import OsvConnector, OsvSettings
from graphs.security_review import ReviewContext, ReviewServices, review_context
from publishers.github.auth import StaticToken
from publishers.github.client import GitHubPublisher
from publishers.github.config import BotConfig

ROLES = """roles:
  admin: [ada]
  security-reviewer: [security-lead]
bots: ["agent:*", "*[bot]"]
"""


@pytest.fixture(autouse=True)
def one_connection_at_a_time(request: pytest.FixtureRequest) -> Iterator[None]:
    """vcrpy un-patches urllib3 for every thread while it builds a replayed connection;
    building connections one at a time closes that window (see tests/connectors)."""
    lock = threading.RLock()

    def serialized(original: Any) -> Any:
        def new_conn(self: Any) -> Any:
            with lock:
                return original(self)

        return new_conn

    with pytest.MonkeyPatch.context() as patch:
        for pool in (HTTPConnectionPool, HTTPSConnectionPool):
            patch.setattr(pool, "_new_conn", serialized(pool._new_conn))
        yield


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_environment: Path) -> Path:
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES)
    monkeypatch.setenv("ADVISOR_ROLES_FILE", str(roles))
    return isolated_environment


class RecordingSession(requests.Session):
    """What the publisher sent: (method, url, json body)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, Any]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any,  # type: ignore[override]
                **kwargs: Any) -> requests.Response:
        self.sent.append((str(method), str(url), kwargs.get("json")))
        return super().request(method, url, *args, **kwargs)

    def writes(self) -> list[tuple[str, str, Any]]:
        return [s for s in self.sent if s[0] != "GET"]


class Wiring:
    """Services for one test, and what they did."""

    def __init__(self, tmp: Path, config: BotConfig | None = None) -> None:
        self.session = RecordingSession()
        self.tmp = tmp
        self.config = config or BotConfig()
        self.connectors: list[GitHubConnector] = []
        self.publishers: list[GitHubPublisher] = []

    def github(self, _request: Any) -> GitHubConnector:
        connector = GitHubConnector(GitHubSettings(token=SecretStr("test-token"), max_workers=4))
        self.connectors.append(connector)
        return connector

    def osv(self, _home: Path) -> OsvConnector:
        return OsvConnector(OsvSettings(), cache_dir=self.tmp / "osv-cache")

    def publisher(self, _request: Any, gate: Any) -> GitHubPublisher:
        publisher = GitHubPublisher(StaticToken(SecretStr("test-token")), gate=gate,
                                    session=self.session)
        self.publishers.append(publisher)
        return publisher

    def services(self) -> ReviewServices:
        return ReviewServices(github=self.github, osv=self.osv, publisher=self.publisher,
                              config=self.config)

    @property
    def github_reads(self) -> int:
        return sum(c.stats.requests for c in self.connectors)


@pytest.fixture
def wiring(tmp_path: Path) -> Wiring:
    return Wiring(tmp_path)


@pytest.fixture
def ctx(home: Path, wiring: Wiring) -> ReviewContext:
    settings = load_settings()
    return review_context(graph_context(settings, open_controls(settings)), wiring.services())


@pytest.fixture
def refuse_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, address: Any) -> None:
        raise OSError(f"tests never touch the network (tried {address})")

    monkeypatch.setattr(socket.socket, "connect", refuse)

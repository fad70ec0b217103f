"""Build the demo snapshot with the real connectors: vcrpy replays ``cassettes/demo``
(``record_mode="none"``: an unrecorded request fails) and moto stands in for CloudWatch.

vcrpy patches connection classes process-wide and, while it builds a replayed
connection, briefly un-patches them for every thread (tests/connectors/test_github.py).
So the sources run one at a time here, each inside its own cassette, and the GitHub
and Jira connectors use one worker. Sockets to anything but loopback are refused for
the whole build: nothing reaches the network.

The connectors stamp ``fetched_at`` with the wall clock (Jira takes the demo clock);
the snapshot is re-sealed with every timestamp at the demo's ``NOW``, so the same
cassettes always give the same content hash.
"""

from __future__ import annotations

import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import vcr
from pydantic import SecretStr

from agents.registry import release_dependency_packages
from connectors.build import ConnectorFactories, build_snapshot
from connectors.cloudwatch.connector import CloudWatchConnector
from connectors.cloudwatch.settings import CloudWatchSettings
from connectors.code_keys import waited_for
from connectors.confluence.connector import ConfluenceConnector
from connectors.confluence.settings import ConfluenceSettings
from connectors.github.connector import GitHubConnector
from connectors.github.models import GitHubRelease
from connectors.github.settings import GitHubSettings
from connectors.jira.connector import JiraConnector
from connectors.jira.settings import JiraSettings
from connectors.osv.connector import OsvConnector, OsvSettings
from connectors.snapshot import Snapshot, SnapshotRequest
from connectors.transport import RetryPolicy
from scripts.demo_org import aws
from scripts.demo_org.org import (
    AWS_REGION,
    BASE,
    CONFLUENCE_PAGE_SIZE,
    CONFLUENCE_SPACE,
    ENVIRONMENTS,
    FIX_VERSION,
    GITHUB_PER_PAGE,
    HEAD,
    JIRA_MAX_RESULTS,
    JIRA_PROJECT,
    JIRA_URL,
    NOW,
    REPO,
)

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "cassettes" / "demo"
FILTERED_HEADERS = ["authorization", "x-api-key", "cookie", "set-cookie", "x-github-token"]
NO_WAIT = RetryPolicy(sleep=lambda _: None)  # a replayed 429 would never need the wait
# Jira, OSV and GitHub's GraphQL send their queries in POST bodies: the body must match too.
MATCH = ("method", "scheme", "host", "port", "path", "query")
MATCH_BODY = (*MATCH, "body")


class ReplayError(RuntimeError):
    """The cassettes and the connectors disagree (a request left unplayed)."""


def request() -> SnapshotRequest:
    return SnapshotRequest(repo=REPO, base=BASE, head=HEAD, jira_project=JIRA_PROJECT,
                           fix_version=FIX_VERSION, confluence_space=CONFLUENCE_SPACE,
                           aws_region=AWS_REGION)


@contextmanager
def no_network() -> Iterator[None]:
    real = socket.socket.connect

    def refuse(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not (
                str(address[0]) in ("localhost", "::1") or str(address[0]).startswith("127.")):
            raise OSError(f"the demo build never touches the network (tried {address!r})")
        return real(self, address)

    socket.socket.connect = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = real  # type: ignore[method-assign]


class Replays:
    """Cassette contexts per source, run one at a time; remembers what was not played."""

    def __init__(self, cassettes: Path) -> None:
        self.cassettes = cassettes
        self.lock = threading.Lock()
        self.unplayed: dict[str, list[int]] = {}
        self.played: dict[str, int] = {}

    @contextmanager
    def cassette(self, service: str) -> Iterator[None]:
        player = vcr.VCR(cassette_library_dir=str(self.cassettes / service), record_mode="none",
                         filter_headers=FILTERED_HEADERS, decode_compressed_response=True)
        match = MATCH_BODY if service in ("jira", "osv", "github") else MATCH
        with player.use_cassette("release.yaml", match_on=match,
                                 allow_playback_repeats=False) as tape:
            yield
        self.unplayed[service] = [i for i in range(len(tape)) if not tape.play_counts[i]]
        self.played[service] = sum(1 for i in range(len(tape)) if tape.play_counts[i])

    def serial(self, make: Callable[[], Any],
               context: Callable[[], AbstractContextManager[Any]]) -> Any:
        return _Serial(make, context, self.lock)


class _Serial:
    """A connector stand-in: each call holds the lock, enters the source's replay context,
    builds the real connector there and calls it."""

    def __init__(self, make: Callable[[], Any],
                 context: Callable[[], AbstractContextManager[Any]],
                 lock: threading.Lock) -> None:
        self._make, self._context, self._lock = make, context, lock

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            kwargs = waited_for(kwargs)  # GitHub before Jira, which waits for its keys
            with self._lock, self._context():
                connector = self._make()
                try:
                    return getattr(connector, name)(*args, **kwargs)
                finally:
                    close = getattr(connector, "close", None)
                    if callable(close):
                        close()

        return call


def github_connector() -> GitHubConnector:
    settings = GitHubSettings(token=SecretStr("demo-token-not-a-secret"),
                              per_page=GITHUB_PER_PAGE, max_workers=1,
                              deployment_environments=ENVIRONMENTS)
    return GitHubConnector(settings, retry=NO_WAIT)


def factories(replays: Replays, osv_cache: Path) -> ConnectorFactories:
    return ConnectorFactories(
        github=lambda: replays.serial(github_connector, lambda: replays.cassette("github")),
        jira=lambda: replays.serial(
            lambda: JiraConnector(
                JiraSettings(url=JIRA_URL, email="release-advisor@acme-pay.example",
                             api_token=SecretStr("demo"), max_results=JIRA_MAX_RESULTS,
                             workers=1),
                retry=NO_WAIT, clock=lambda: NOW),
            lambda: replays.cassette("jira")),
        confluence=lambda: replays.serial(
            lambda: ConfluenceConnector(
                ConfluenceSettings(url=JIRA_URL, email="release-advisor@acme-pay.example",
                                   api_token=SecretStr("demo"),
                                   page_size=CONFLUENCE_PAGE_SIZE),
                retry=NO_WAIT),
            lambda: replays.cassette("confluence")),
        cloudwatch=lambda asked: replays.serial(
            lambda: CloudWatchConnector(CloudWatchSettings(region=asked.aws_region)),
            aws.moto_cloudwatch),
        metric_queries=lambda: (aws.queries(), *aws.window()),
        osv=lambda: replays.serial(
            lambda: OsvConnector(OsvSettings(workers=1), cache_dir=osv_cache, retry=NO_WAIT),
            lambda: replays.cassette("osv")),
        dependency_extractor=release_dependency_packages,
    )


def normalised(snapshot: Snapshot) -> Snapshot:
    """Every wall-clock stamp at the demo's NOW, and sealed again."""
    body = snapshot.body.model_copy(update={
        "created_at": NOW,
        "provenance": [p.model_copy(update={"fetched_at": NOW}) for p in snapshot.body.provenance],
    })
    return Snapshot.seal(body)


def build_demo_snapshot(cassettes: Path = CASSETTES) -> tuple[Snapshot, Replays]:
    """The demo snapshot from the cassettes; raises ``ReplayError`` if any was not played."""
    replays = Replays(cassettes)
    with no_network(), tempfile.TemporaryDirectory(prefix="demo-osv-") as cache:
        snapshot = build_snapshot(request(), factories(replays, Path(cache)))
    unplayed = {s: i for s, i in replays.unplayed.items() if i}
    if unplayed:
        raise ReplayError(f"recorded requests never made: {unplayed}")
    return normalised(snapshot), replays


def replay_github(cassettes: Path = CASSETTES) -> GitHubRelease:
    """Only the GitHub read (to find the dependency changes OSV is asked about)."""
    replays = Replays(cassettes)
    with no_network(), replays.cassette("github"), github_connector() as connector:
        release, _ = connector.fetch_release(REPO, BASE, HEAD)
    return release


__all__ = ["CASSETTES", "ReplayError", "build_demo_snapshot", "replay_github", "request"]

"""Read a Jira release: its fix version, issues with full changelogs, epics and remote links.

The `jira.JIRA` client is built without its own retries or server-info probe, and its
``requests`` session gets the read-only guard: GET everywhere, POST only to the JQL
search endpoint of the deployment. Nothing this module (or anyone holding ``.client``)
does can write to Jira.

What one fetch does (search, changelogs, remote links) lives in `release.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import jira

from connectors.errors import ConnectorError
from connectors.jira.http import JiraHttp
from connectors.jira.models import JiraRelease
from connectors.jira.release import SOURCE, ReleaseRun
from connectors.jira.settings import JiraSettings
from connectors.provenance import RequestStats, SourceProvenance
from connectors.transport import ReadOnlyPolicy, RetryPolicy, guard_session

_PROJECT_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]+$")


def read_only_policy(settings: JiraSettings) -> ReadOnlyPolicy:
    """JQL search is the only POST a reader needs, and only on the deployment's endpoint."""
    search = r"/rest/api/3/search/jql$" if settings.is_cloud else r"/rest/api/2/search$"
    return ReadOnlyPolicy.with_posts(SOURCE, [search])


def build_client(
    settings: JiraSettings, stats: RequestStats, retry: RetryPolicy | None = None
) -> Any:
    """A `jira.JIRA` that makes no request on construction and can only read."""
    auth: dict[str, Any]
    if settings.email and settings.api_token and (settings.is_cloud or settings.pat is None):
        auth = {"basic_auth": (settings.email, settings.api_token.get_secret_value())}
    else:
        assert settings.pat is not None  # guaranteed by JiraSettings validation
        auth = {"token_auth": settings.pat.get_secret_value()}
    client = jira.JIRA(
        server=settings.url,
        options={"rest_api_version": settings.rest_api_version, "check_update": False},
        get_server_info=False,  # saves a request; we know the deployment from settings
        max_retries=0,  # our transport retries (bounded, Retry-After aware); never both
        timeout=settings.timeout,
        **auth,
    )
    if settings.is_cloud:
        # Without server info the library assumes Server and would route search_issues
        # to the retired /rest/api/3/search; tell it the truth for anyone using .client.
        client.deploymentType = "Cloud"
    guard_session(client._session, read_only_policy(settings), stats, retry)
    return client


class JiraConnector:
    source = SOURCE

    def __init__(
        self,
        settings: JiraSettings,
        *,
        retry: RetryPolicy | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.stats = RequestStats()
        self.client = build_client(settings, self.stats, retry)
        api_base = f"{settings.url}/rest/api/{settings.rest_api_version}"
        self._http = JiraHttp(self.client._session, api_base)
        self._clock = clock

    @classmethod
    def from_env(cls, *, retry: RetryPolicy | None = None) -> JiraConnector:
        return cls(JiraSettings.from_env(), retry=retry)

    def fetch_release(
        self,
        project: str,
        fix_version: str | None = None,
        jql: str | None = None,
        *,
        remote_links: bool = True,
    ) -> tuple[JiraRelease, SourceProvenance]:
        """The release's issues; ``jql`` replaces the generated ``project AND fixVersion`` query.

        Without either, the project's next unreleased version is used. Unknown project or
        version and rejected credentials raise `ConnectorError`; anything else missing is
        reported as a `Gap` in the provenance.
        """
        if not _PROJECT_KEY.match(project):
            raise ConnectorError(f"jira: {project!r} is not a project key")
        before = (self.stats.requests, self.stats.retries, self.stats.rate_limit_wait_s)
        as_of = self._clock()
        run = ReleaseRun(self._http, self.settings, project, as_of)
        release = run.fetch(fix_version, jql, remote_links=remote_links)
        provenance = SourceProvenance(
            source=SOURCE,
            asked={
                "url": self.settings.url,
                "deployment": self.settings.deployment,
                "project": project,
                "fix_version": fix_version,
                "jql": jql,
                "remote_links": remote_links,
            },
            fetched_at=as_of,
            requests=self.stats.requests - before[0],
            retries=self.stats.retries - before[1],
            rate_limit_wait_s=round(self.stats.rate_limit_wait_s - before[2], 3),
            gaps=run.gaps,
        )
        return release, provenance

"""Read a Jira release: its fix version, issues with full changelogs, epics and remote links.

The `jira.JIRA` client is built without its own retries or server-info probe, and its
``requests`` session gets the read-only guard: GET everywhere, POST only to the JQL
search endpoint of the deployment, anchored at the site's own path (the API gateway's
``/ex/jira/{cloudId}``, a Server's context path). Nothing this module (or anyone
holding ``.client``) does can write to Jira.

Before the first fetch the connector learns, once, what kind of site it talks to
(``serverInfo``: ``deploymentType`` Cloud or Server, unless ``JIRA_DEPLOYMENT`` says)
and which custom fields hold story points, epics, sprints and teams (``/field``). What
one fetch does (search, changelogs, remote links) lives in `release.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import jira

from connectors.atlassian import deployment_of
from connectors.errors import ConnectorError
from connectors.jira.fields import FieldMap, configured, discover
from connectors.jira.http import Fault, JiraHttp
from connectors.jira.models import JiraRelease
from connectors.jira.release import SOURCE, NamedByCode, ReleaseRun, credentials_rejected
from connectors.jira.settings import JiraSettings
from connectors.provenance import Gap, RequestStats, SourceProvenance
from connectors.transport import ReadOnlyPolicy, RetryPolicy, guard_session

_PROJECT_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]+$")


def read_only_policy(settings: JiraSettings) -> ReadOnlyPolicy:
    """JQL search is the only POST a reader needs: the deployment's endpoint, on this site.

    Before the deployment is known (``serverInfo`` not yet read) no POST is allowed.
    """
    if settings.deployment is None:
        return ReadOnlyPolicy(SOURCE)
    prefix = re.escape(urlsplit(settings.url).path.rstrip("/"))
    search = "/rest/api/3/search/jql" if settings.is_cloud else "/rest/api/2/search"
    return ReadOnlyPolicy.with_posts(SOURCE, [prefix + re.escape(search)])


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
        get_server_info=False,  # we ask serverInfo ourselves, through the guard
        max_retries=0,  # our transport retries (bounded, Retry-After aware); never both
        timeout=settings.timeout,
        **auth,
    )
    _tell_the_library(client, settings)
    guard_session(client._session, read_only_policy(settings), stats, retry)
    return client


def _tell_the_library(client: Any, settings: JiraSettings) -> None:
    """Without server info the library assumes Server and would route search_issues to
    the retired /rest/api/3/search; tell it the truth for anyone using ``.client``."""
    if settings.deployment is not None:
        client._options["rest_api_version"] = settings.rest_api_version
        client.deploymentType = "Cloud" if settings.is_cloud else "Server"


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
        self._retry = retry
        self.client = build_client(settings, self.stats, retry)
        self._clock = clock
        self._fields: FieldMap | None = None
        self._site_gaps: list[Gap] = []  # what the site lacks: reported with every fetch

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
        named_by_code: NamedByCode | None = None,
    ) -> tuple[JiraRelease, SourceProvenance]:
        """The release's issues; ``jql`` replaces the generated ``project AND fixVersion`` query.

        Without either, the project's next unreleased version is used. Unknown project or
        version and rejected credentials raise `ConnectorError`; anything else missing is
        reported as a `Gap` in the provenance.

        ``named_by_code`` (called once, after the search; it may block) gives the keys
        the release's merged PRs and commits name: remote links are then read only for
        issues that are done (or of unknown category) and not among them, the only ones
        whose traceability they can decide; the others' stay unread (None), counted in
        the provenance's ``remote_links_skipped``.
        """
        if not _PROJECT_KEY.match(project):
            raise ConnectorError(f"jira: {project!r} is not a project key")
        before = (self.stats.requests, self.stats.retries, self.stats.rate_limit_wait_s)
        as_of = self._clock()
        fields = self._learn_the_site()
        run = ReleaseRun(self._http(), self.settings, fields, project, as_of)
        release = run.fetch(fix_version, jql, remote_links=remote_links,
                            named_by_code=named_by_code)
        skipped = ({"remote_links_skipped": run.links_skipped}
                   if named_by_code and remote_links else {})
        provenance = SourceProvenance(
            source=SOURCE,
            asked={
                "url": self.settings.url,
                "deployment": self.settings.deployment,
                "project": project,
                "fix_version": fix_version,
                "jql": jql,
                "remote_links": remote_links,
                **skipped,
                "fields": fields.described(),
            },
            fetched_at=as_of,
            requests=self.stats.requests - before[0],
            retries=self.stats.retries - before[1],
            rate_limit_wait_s=round(self.stats.rate_limit_wait_s - before[2], 3),
            rate_limits=self.stats.rate_limits(),
            gaps=[*self._site_gaps, *run.gaps],
        )
        return release, provenance

    # -- what kind of site, which fields ----------------------------------------------

    def _http(self) -> JiraHttp:
        api_base = f"{self.settings.url}/rest/api/{self.settings.rest_api_version}"
        return JiraHttp(self.client._session, api_base)

    def _learn_the_site(self) -> FieldMap:
        if self.settings.deployment is None:
            self._resolve(self._ask_deployment())
        if self._fields is None:
            self._fields = self._discover_fields()
        return self._fields

    def _ask_deployment(self) -> str:
        """``serverInfo``'s ``deploymentType``: Cloud for Cloud sites, whatever their URL
        (a custom domain, the API gateway), Server for Server and Data Center."""
        http = JiraHttp(self.client._session, f"{self.settings.url}/rest/api/2")
        try:
            info = http.get("serverInfo")
        except Fault as fault:
            if fault.status == 401:
                raise credentials_rejected(self.settings.url, fault) from None
            guess = deployment_of(self.settings.url)
            why = f"{fault.why}; taken as {guess} from the host name"
            self._site_gaps.append(Gap(source=SOURCE, what="deployment (serverInfo)", why=why))
            return guess
        return "cloud" if str(info.get("deploymentType", "")).casefold() == "cloud" else "server"

    def _resolve(self, deployment: str) -> None:
        self.settings = self.settings.model_copy(update={"deployment": deployment})
        _tell_the_library(self.client, self.settings)
        guard_session(self.client._session, read_only_policy(self.settings), self.stats,
                      self._retry)

    def _discover_fields(self) -> FieldMap:
        try:
            listed = self._http().get("field", expect=list)
        except Fault as fault:
            if fault.status == 401:
                raise credentials_rejected(self.settings.url, fault) from None
            why = f"{fault.why}; only the JIRA_*_FIELD settings are read"
            self._site_gaps.append(Gap(source=SOURCE, what="custom fields (/field)", why=why))
            return configured(self.settings)
        fields, gaps = discover(listed, self.settings)
        self._site_gaps += gaps
        return fields


"""Build a snapshot: every requested source at once, each failure an explicit gap.

Sources are independent, so they are fetched concurrently; OSV depends on the
dependency changes found in the GitHub diffs, so it runs after GitHub. Jira's remote
links are read only for the issues GitHub's code does not already name: the GitHub
fetch hands Jira those keys mid-way (``connectors/code_keys.py``). A source that
is not configured or fails entirely is recorded as a gap in its provenance: the
snapshot says which data is missing instead of pretending it is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from connectors.code_keys import CodeKeys
from connectors.errors import ConnectorError
from connectors.github.models import GitHubRelease
from connectors.osv.models import PackageRef
from connectors.provenance import Gap, SourceProvenance
from connectors.snapshot import Snapshot, SnapshotBody, SnapshotRequest

Fetched = tuple[BaseModel, SourceProvenance]
DependencyExtractor = Callable[[GitHubRelease], Sequence[PackageRef]]


class _GitHub(Protocol):
    def fetch_release(
        self, repo: str, base: str, head: str, *,
        publish_keys: Callable[[Iterable[str]], None] | None = None,
    ) -> tuple[Any, SourceProvenance]: ...


class _Jira(Protocol):
    def fetch_release(
        self, project: str, fix_version: str | None = None, jql: str | None = None, *,
        named_by_code: Callable[[], frozenset[str] | None] | None = None,
    ) -> tuple[Any, SourceProvenance]: ...


class _Confluence(Protocol):
    def fetch_pages(self, space: str | None = None) -> tuple[Any, SourceProvenance]: ...


class _CloudWatch(Protocol):
    def fetch(
        self, queries: Any, start: datetime, end: datetime
    ) -> tuple[Any, SourceProvenance]: ...


class _Osv(Protocol):
    def query(self, packages: Sequence[PackageRef]) -> tuple[Any, SourceProvenance]: ...


@dataclass
class ConnectorFactories:
    """How to make each connector. Tests, the demo and benchmarks inject their own."""

    github: Callable[[], _GitHub] | None = None
    jira: Callable[[], _Jira] | None = None
    confluence: Callable[[], _Confluence] | None = None
    cloudwatch: Callable[[SnapshotRequest], _CloudWatch] | None = None
    osv: Callable[[], _Osv] | None = None
    metric_queries: Callable[[], tuple[Any, datetime, datetime]] | None = None
    dependency_extractor: DependencyExtractor | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def build_snapshot(request: SnapshotRequest, factories: ConnectorFactories) -> Snapshot:
    """Fetch what the request names; never raise for a source, record its gap instead."""
    jobs: dict[str, Callable[[], Fetched]] = _jobs(request, factories)
    results: dict[str, Fetched] = {}
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        for name, future in futures.items():
            results[name] = _outcome(name, future)
    github = results.get("github")
    if github and factories.osv and factories.dependency_extractor:
        results["osv"] = _osv(github[0], factories)
    body = SnapshotBody(
        subject=subject_of(request),
        asked=request,
        provenance=[prov for _, prov in results.values()],
        **{name: model for name, (model, _) in results.items() if _delivered(model)},
    )
    return Snapshot.seal(body)


def subject_of(request: SnapshotRequest) -> str:
    if request.repo and request.pull_request:
        return f"{request.repo}#{request.pull_request}"
    if request.repo:
        return f"{request.repo}@{request.base}...{request.head}"
    if request.jira_project:
        return f"{request.jira_project} {request.fix_version or request.jql or ''}".strip()
    return "snapshot"


class _Nothing(BaseModel):
    """Placeholder model for a source that delivered nothing."""


def _delivered(model: BaseModel) -> bool:
    return not isinstance(model, _Nothing)


def _jobs(request: SnapshotRequest, f: ConnectorFactories) -> dict[str, Callable[[], Fetched]]:
    jobs: dict[str, Callable[[], Fetched]] = {}
    github = bool(request.repo and request.base and request.head)
    # With both, GitHub tells Jira which issues its code names (connectors/code_keys.py).
    keys = CodeKeys() if github and request.jira_project else None
    if github:
        jobs["github"] = partial(_github, request, f, keys)
    if request.jira_project:
        project = request.jira_project
        named = {"named_by_code": keys.wait} if keys is not None else {}
        jobs["jira"] = lambda: _need(f.jira, "jira")().fetch_release(
            project, request.fix_version, request.jql, **named)
    if request.confluence_space:
        space = request.confluence_space
        jobs["confluence"] = lambda: _need(f.confluence, "confluence")().fetch_pages(space=space)
    if request.aws_profile or request.aws_region:
        jobs["cloudwatch"] = lambda: _cloudwatch(request, f)
    return jobs


def _github(request: SnapshotRequest, f: ConnectorFactories, keys: CodeKeys | None) -> Fetched:
    assert request.repo and request.base and request.head
    publish = {"publish_keys": keys.publish} if keys is not None else {}
    try:
        fetched: Fetched = _need(f.github, "github")().fetch_release(
            request.repo, request.base, request.head, **publish)
        return fetched
    finally:
        if keys is not None:
            keys.publish(None)  # no-op once published; else Jira stops waiting: keys unknown


def _cloudwatch(request: SnapshotRequest, f: ConnectorFactories) -> Fetched:
    connector = _need(f.cloudwatch, "cloudwatch")(request)
    queries, start, end = _need(f.metric_queries, "cloudwatch")()
    result: Fetched = connector.fetch(queries, start, end)
    return result


def _osv(github: BaseModel, f: ConnectorFactories) -> Fetched:
    assert f.osv and f.dependency_extractor
    if not isinstance(github, GitHubRelease):
        return _Nothing(), _gap_provenance("osv", "dependency vulnerabilities",
                                           "no GitHub data to find dependency changes in")
    packages = list(f.dependency_extractor(github))
    if not packages:
        return _Nothing(), SourceProvenance(source="osv", asked={"packages": 0})
    return _run("osv", lambda: f.osv().query(packages) if f.osv else _unconfigured("osv"))


def _need(factory: Callable[..., Any] | None, source: str) -> Callable[..., Any]:
    if factory is None:
        raise ConnectorError(f"{source}: not configured")
    return factory


def _unconfigured(source: str) -> Fetched:
    raise ConnectorError(f"{source}: not configured")


def _outcome(name: str, future: Future[Fetched]) -> Fetched:
    return _run(name, future.result)


def _run(name: str, job: Callable[[], Fetched]) -> Fetched:
    try:
        return job()
    except ConnectorError as exc:
        return _Nothing(), _gap_provenance(name, "all data", _one_line(exc))
    except (ValidationError, ValueError, OSError) as exc:
        why = f"{type(exc).__name__}: {_one_line(exc)}"
        return _Nothing(), _gap_provenance(name, "all data", why)


def _gap_provenance(source: str, what: str, why: str) -> SourceProvenance:
    return SourceProvenance(source=source, fetched_at=datetime.now(UTC),
                            gaps=[Gap(source=source, what=what, why=why)])


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def default_factories(
    home: Path, metrics_file: Path, dependency_extractor: DependencyExtractor | None = None
) -> ConnectorFactories:
    """Connectors configured from the environment (credentials never from flags)."""
    from connectors.cloudwatch.connector import CloudWatchConnector
    from connectors.cloudwatch.metrics_config import load_metrics_config
    from connectors.cloudwatch.settings import CloudWatchSettings
    from connectors.confluence.connector import ConfluenceConnector
    from connectors.github.connector import GitHubConnector
    from connectors.github.settings import GitHubSettings
    from connectors.jira.connector import JiraConnector
    from connectors.osv.connector import OsvConnector, OsvSettings

    def metric_queries() -> tuple[Any, datetime, datetime]:
        config = load_metrics_config(metrics_file)
        end = datetime.now(UTC).replace(second=0, microsecond=0)
        return config.queries, end - config.window, end

    return ConnectorFactories(
        github=lambda: GitHubConnector(GitHubSettings.from_env()),
        jira=JiraConnector.from_env,
        confluence=ConfluenceConnector.from_env,
        cloudwatch=lambda r: CloudWatchConnector(
            CloudWatchSettings(profile=r.aws_profile, region=r.aws_region)),
        osv=lambda: OsvConnector(OsvSettings(), cache_dir=home / "cache" / "osv"),
        metric_queries=metric_queries,
        dependency_extractor=dependency_extractor,
    )

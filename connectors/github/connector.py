"""Read a release (``base...head``) or one pull request from GitHub, with provenance.

Fatal problems (bad credentials, a repository or PR that cannot be read) raise
``ConnectorError`` with a one-line message. Everything else that fails becomes a
``Gap``, and whatever was read before the failure is kept and marked ``missing``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

from connectors.errors import ConnectorError
from connectors.github import wire
from connectors.github.auth import SOURCE, build_auth
from connectors.github.client import ApiError, GitHubApi, new_client
from connectors.github.codeowners import LOCATIONS, parse_codeowners
from connectors.github.gaps import GapLog, bad_credentials
from connectors.github.models import (
    ChangedFile,
    CodeOwnerRule,
    Commit,
    CommitStatus,
    Deployment,
    GitHubRelease,
    PullRequest,
    Repository,
)
from connectors.github.settings import GitHubSettings
from connectors.provenance import RequestStats, SourceProvenance
from connectors.transport import RetryPolicy

T = TypeVar("T")

FILES_CAP = 3000  # GitHub lists at most this many files of a pull request
# Git dates and GitHub's database clocks may disagree a little; a wider window only
# costs the odd extra page.
_CLOCK_SLACK = timedelta(minutes=10)
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

Parts = dict[str, Future[Any]]


@dataclass(frozen=True)
class _Counts:
    requests: int
    retries: int
    rate_limit_wait_s: float

    @classmethod
    def of(cls, stats: RequestStats) -> _Counts:
        return cls(stats.requests, stats.retries, stats.rate_limit_wait_s)


def _path(value: str) -> str:
    return quote(value, safe="/")


def _window_start(commits: list[Commit] | None) -> datetime | None:
    """Nothing merged into the range before its oldest commit was committed."""
    dates = [c.committed_at or c.authored_at for c in commits or ()]
    known = [d for d in dates if d is not None]
    return min(known) - _CLOCK_SLACK if known else None


def _compare_page(body: Any) -> tuple[int, list[Commit]]:
    return int(body["total_commits"]), [wire.commit(c) for c in wire.listed(body, "commits")]


def _counts(pull: wire.PullSummary, files: list[ChangedFile], complete: bool) -> dict[str, Any]:
    """Line and file counts: the PR's own when it has them, else summed from its files."""
    if pull.changed_files is not None:  # the single-PR endpoint counts past the file cap
        return {}
    if not complete:
        return dict.fromkeys(("additions", "deletions", "changed_files"))
    return {
        "additions": sum(f.additions for f in files),
        "deletions": sum(f.deletions for f in files),
        "changed_files": len(files),
    }


def _status_page(body: Any) -> tuple[str, list[CommitStatus]]:
    return str(body["state"]), [wire.commit_status(s) for s in wire.listed(body, "statuses")]


class GitHubConnector:
    """Read-only GitHub access. One fetch at a time per instance; close it when done."""

    def __init__(self, settings: GitHubSettings, *, retry: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.stats = RequestStats()
        auth = build_auth(settings, self.stats, retry)
        self._new_client: Callable[[], Any] = partial(new_client, settings, auth, self.stats, retry)
        self._api = GitHubApi(self._new_client, settings.base_url, settings.per_page)
        self._github: Any = None

    @property
    def github(self) -> Any:
        """A guarded ``github.Github``: reads pass, any write raises ``ReadOnlyViolation``."""
        if self._github is None:
            self._github = self._new_client()
        return self._github

    def close(self) -> None:
        self._api.close()
        if self._github is not None:
            self._github.close()

    def __enter__(self) -> GitHubConnector:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- public reads ---------------------------------------------------------------

    def fetch_release(
        self, repo: str, base: str, head: str
    ) -> tuple[GitHubRelease, SourceProvenance]:
        """Commits, merged PRs (with files, reviews, checks), deployments and CODEOWNERS."""
        _check_repo(repo)
        started, log = _Counts.of(self.stats), GapLog()
        repository = self._repository(repo)
        commits = self._commits(repo, base, head, log)
        summaries = self._merged_pulls(repo, repository, base, head, commits, log)
        with self._pool() as pool:
            parts = [(s, self._submit_parts(pool, repo, s, log)) for s in summaries]
            owners = pool.submit(self._codeowners, repo, head, log)
            deployments = self._deployments(pool, repo, _window_start(commits), log)
            pulls = tuple(self._assemble(s, p, log) for s, p in parts)
            codeowners_path, rules = owners.result()
        release = GitHubRelease(
            repository=repository,
            base=base,
            head=head,
            commits=tuple(commits or ()),
            pull_requests=pulls,
            deployments=tuple(deployments),
            codeowners_path=codeowners_path,
            codeowners=rules,
        )
        asked = {"repo": repo, "base": base, "head": head}
        return release, self._provenance(asked, started, log)

    def fetch_pull(self, repo: str, number: int) -> tuple[PullRequest, SourceProvenance]:
        """One pull request with its files, reviews, check runs and statuses."""
        _check_repo(repo)
        started, log = _Counts.of(self.stats), GapLog()
        summary = self._pull(repo, number)
        with self._pool() as pool:
            pull = self._assemble(summary, self._submit_parts(pool, repo, summary, log), log)
        return pull, self._provenance({"repo": repo, "pull": number}, started, log)

    # -- fatal reads ----------------------------------------------------------------

    def _repository(self, repo: str) -> Repository:
        try:
            body = self._api.get(f"/repos/{repo}")
            return wire.parse(partial(wire.repository, body))
        except ApiError as error:
            raise _fatal(error, f"repository {repo}") from None
        except wire.MalformedResponse as error:
            raise ConnectorError(f"github: cannot read repository {repo} ({error})") from None

    def _pull(self, repo: str, number: int) -> wire.PullSummary:
        try:
            body = self._api.get(f"/repos/{repo}/pulls/{number}")
            return wire.parse(partial(wire.pull_summary, body))
        except ApiError as error:
            raise _fatal(error, f"pull request {repo}#{number}") from None
        except wire.MalformedResponse as error:
            raise ConnectorError(
                f"github: cannot read pull request {repo}#{number} ({error})"
            ) from None

    # -- the range ------------------------------------------------------------------

    def _commits(self, repo: str, base: str, head: str, log: GapLog) -> list[Commit] | None:
        """All commits of the comparison; pages of ``per_page`` past GitHub's 250 default."""
        what = f"commits {base}...{head}"
        commits: list[Commit] = []
        totals: list[int] = []

        def read() -> bool:
            for body in self._api.pages(f"/repos/{repo}/compare/{_path(base)}...{_path(head)}"):
                total, page = wire.parse(partial(_compare_page, body))
                totals.append(total)
                commits.extend(page)
            return True

        if log.attempt(what, read) is None:
            return commits or None
        if totals and len(commits) < totals[0]:  # GitHub stops at 10,000
            log.add(what, f"GitHub returned {len(commits)} of {totals[0]} commits")
        return commits

    def _merged_pulls(
        self,
        repo: str,
        repository: Repository,
        base: str,
        head: str,
        commits: list[Commit] | None,
        log: GapLog,
    ) -> list[wire.PullSummary]:
        """PRs merged into the default branch whose merge commit is in the range.

        Trade-off: ``GET /commits/{sha}/pulls`` costs one request per commit, and the
        search API has a 30/min limit and lags behind. Listing closed PRs by most
        recently updated costs one request per ``per_page`` PRs touched since the
        range began, and stops there (merging updates a PR, so nothing older can
        have merged into the range). PRs merged into other branches are not found,
        and an old PR updated later (a late comment) costs a row, not a request.
        """
        what = f"pull requests merged into {repository.default_branch} in {base}...{head}"
        if commits is None:
            log.add(what, "the commit range could not be read")
            return []
        shas = {c.sha for c in commits}
        since = _window_start(commits)
        found: list[wire.PullSummary] = []

        def read() -> bool:
            params = {
                "state": "closed",
                "sort": "updated",
                "direction": "desc",
                "base": repository.default_branch,
            }
            with closing(self._api.items(f"/repos/{repo}/pulls", params)) as listing:
                for item in listing:
                    pull = wire.parse(partial(wire.pull_summary, item))
                    if since is not None and pull.updated_at < since:
                        break
                    if pull.merged_at is not None and pull.merge_commit_sha in shas:
                        found.append(pull)
            return True

        if shas:
            log.attempt(what, read)
        return sorted(found, key=lambda p: (p.merged_at, p.number))

    # -- per pull request -----------------------------------------------------------

    def _submit_parts(
        self, pool: ThreadPoolExecutor, repo: str, pull: wire.PullSummary, log: GapLog
    ) -> Parts:
        number, sha = pull.number, pull.head_sha

        def collect(
            what: str, path: str, parse: Callable[[Any], Any], key: str | None = None
        ) -> Future[Any]:
            return pool.submit(self._collect, log, what, path, parse, key)

        return {
            "files": collect(
                f"files of PR #{number}", f"/repos/{repo}/pulls/{number}/files", wire.changed_file
            ),
            "reviews": collect(
                f"reviews of PR #{number}", f"/repos/{repo}/pulls/{number}/reviews", wire.review
            ),
            "check_runs": collect(
                f"check runs of PR #{number}",
                f"/repos/{repo}/commits/{sha}/check-runs",
                wire.check_run,
                "check_runs",
            ),
            "statuses": pool.submit(self._statuses, log, repo, number, sha),
        }

    def _assemble(self, pull: wire.PullSummary, parts: Parts, log: GapLog) -> PullRequest:
        files, files_ok = parts["files"].result()
        reviews, reviews_ok = parts["reviews"].result()
        checks, checks_ok = parts["check_runs"].result()
        statuses, combined, statuses_ok = parts["statuses"].result()
        files_ok = files_ok and self._all_files_listed(pull, files, log)
        ok = {
            "files": files_ok,
            "reviews": reviews_ok,
            "check_runs": checks_ok,
            "statuses": statuses_ok,
        }
        return wire.pull_request(
            pull.model_copy(update=_counts(pull, files, files_ok)),
            files=tuple(files),
            reviews=tuple(reviews),
            check_runs=tuple(checks),
            statuses=tuple(statuses),
            combined_status=combined,
            missing=tuple(name for name, good in ok.items() if not good),
        )

    @staticmethod
    def _all_files_listed(pull: wire.PullSummary, files: list[ChangedFile], log: GapLog) -> bool:
        expected = pull.changed_files
        if len(files) >= FILES_CAP and (expected is None or expected > len(files)):
            total = f"of {expected} " if expected is not None else ""
            log.add(
                f"files of PR #{pull.number}",
                f"GitHub lists at most {FILES_CAP} files; got {len(files)} {total}changed files",
            )
            return False
        return True

    def _statuses(
        self, log: GapLog, repo: str, number: int, sha: str
    ) -> tuple[list[CommitStatus], str | None, bool]:
        what = f"statuses of PR #{number}"
        statuses: list[CommitStatus] = []
        states: list[str] = []

        def read() -> bool:
            for body in self._api.pages(f"/repos/{repo}/commits/{sha}/status"):
                state, page = wire.parse(partial(_status_page, body))
                states.append(state)
                statuses.extend(page)
            return True

        ok = log.attempt(what, read) is not None
        return statuses, (states[0] if states and ok else None), ok

    def _collect(
        self,
        log: GapLog,
        what: str,
        path: str,
        parse: Callable[[Any], T],
        key: str | None = None,
    ) -> tuple[list[T], bool]:
        """Every item of a paginated list; on failure, what was read and False."""
        got: list[T] = []

        def read() -> bool:
            for item in self._api.items(path, key=key):
                got.append(wire.parse(partial(parse, item)))
            return True

        return got, log.attempt(what, read) is not None

    # -- deployments and owners -----------------------------------------------------

    def _deployments(
        self, pool: ThreadPoolExecutor, repo: str, since: datetime | None, log: GapLog
    ) -> list[Deployment]:
        envs = self.settings.deployment_environments
        listings = [pool.submit(self._list_deployments, repo, env, since, log) for env in envs]
        found = sorted(
            (d for listing in listings for d in listing.result()),
            key=lambda d: d.created_at,
            reverse=True,
        )
        statuses = [
            pool.submit(
                self._collect,
                log,
                f"statuses of deployment {d.id} ({d.environment})",
                f"/repos/{repo}/deployments/{d.id}/statuses",
                wire.deployment_status,
            )
            for d in found
        ]
        merged = []
        for deployment, future in zip(found, statuses, strict=True):
            items, ok = future.result()
            update = {"statuses": tuple(items), "missing": () if ok else ("statuses",)}
            merged.append(deployment.model_copy(update=update))
        return merged

    def _list_deployments(
        self, repo: str, env: str, since: datetime | None, log: GapLog
    ) -> list[Deployment]:
        """Newest first, back to ``since`` or ``max_deployments``, whichever comes first."""
        cap = self.settings.max_deployments
        what = f"deployments to {env}"
        found: list[Deployment] = []

        def read() -> bool:
            # One row past the cap tells us, in the same request, whether we cut any off.
            params = {"environment": env, "per_page": min(self.settings.per_page, cap + 1)}
            with closing(self._api.items(f"/repos/{repo}/deployments", params)) as listing:
                for item in listing:
                    deployment = wire.parse(partial(wire.deployment, item))
                    if since is not None and deployment.created_at < since:
                        break
                    if len(found) == cap:
                        log.add(what, f"read the newest {cap} (max_deployments); more exist")
                        break
                    found.append(deployment)
            return True

        if cap > 0:
            log.attempt(what, read)
        return found

    def _codeowners(
        self, repo: str, ref: str, log: GapLog
    ) -> tuple[str | None, tuple[CodeOwnerRule, ...]]:
        """The first CODEOWNERS GitHub would use at ``ref``; none is not a gap."""
        for path in LOCATIONS:
            read = log.attempt(f"CODEOWNERS at {ref}", partial(self._file, repo, path, ref))
            if read is None:
                return None, ()
            found, text = read
            if found:
                return path, parse_codeowners(text)
        return None, ()

    def _file(self, repo: str, path: str, ref: str) -> tuple[bool, str]:
        try:
            body = self._api.get(f"/repos/{repo}/contents/{_path(path)}", {"ref": ref})
        except ApiError as error:
            if error.status == 404 and error.message.lower() == "not found":
                return False, ""  # absent; an unknown ref says "No commit found for the ref"
            raise
        return True, wire.parse(partial(wire.file_text, body))

    # -- plumbing -------------------------------------------------------------------

    @contextmanager
    def _pool(self) -> Iterator[ThreadPoolExecutor]:
        pool = ThreadPoolExecutor(self.settings.max_workers, thread_name_prefix="github")
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # after a fatal error, stop early

    def _provenance(self, asked: dict[str, Any], started: _Counts, log: GapLog) -> SourceProvenance:
        now = _Counts.of(self.stats)
        return SourceProvenance(
            source=SOURCE,
            asked=asked,
            requests=now.requests - started.requests,
            retries=now.retries - started.retries,
            rate_limit_wait_s=round(now.rate_limit_wait_s - started.rate_limit_wait_s, 3),
            gaps=log.gaps(),
        )


def _check_repo(repo: str) -> None:
    if not _REPO.match(repo):
        raise ValueError(f"repository must be 'owner/name', got {repo!r}")


def _fatal(error: ApiError, subject: str) -> ConnectorError:
    if error.bad_credentials:
        return bad_credentials(error)
    if error.status == 404:
        return ConnectorError(
            f"github: {subject} not found, or not visible to these credentials (404)"
        )
    return ConnectorError(f"github: cannot read {subject} ({error.why})")

"""Read a release (``base...head``) or one pull request from GitHub, with provenance.

A release is read in this order, every call on the repository's canonical name:

1. ``GET /repos/{repo}``: the canonical ``full_name`` (a renamed repository answers
   under its new name; every later call uses it, so no listing is ever redirected);
2. the compare ``base...head``, page 1 then every other page at once;
3. GraphQL ``associatedPullRequests`` of every commit, 100 commits a query: the merged
   pull requests that brought the range in, whatever branch they were merged into;
   commits that none brought in are listed as such;
4. GraphQL metadata of those PRs, 100 a query (reviews, checks, statuses, labels, the
   paths they change), then their patches, which GraphQL does not have: one REST
   compare per run of back-to-back merges that touch disjoint files, checked file by
   file against each PR's own listing (``merge_runs.py``), and ``/pulls/{n}/files``
   for every other PR; the Jira keys the PRs and commits name are handed on as soon
   as the metadata is in (``connectors/code_keys.py``);
5. withheld patches rebuilt from the files' contents (``withheld.py``);
6. CODEOWNERS and deployments (REST), queued early so they run beside the rest.

Fatal problems (bad credentials, a repository or PR that cannot be read) raise
``ConnectorError`` with a one-line message. Everything else that fails becomes a
``Gap``, and whatever was read before the failure is kept and marked ``missing``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

from connectors.errors import ConnectorError
from connectors.github import merge_runs, queries, wire
from connectors.github.auth import SOURCE, build_auth
from connectors.github.client import ApiError, GitHubApi, new_client
from connectors.github.codeowners import LOCATIONS, parse_codeowners
from connectors.github.gaps import GapLog, bad_credentials
from connectors.github.issue_keys import jira_keys
from connectors.github.merge_runs import ListedFile
from connectors.github.models import (
    ChangedFile,
    CodeOwnerRule,
    Commit,
    Deployment,
    DeploymentStatus,
    GitHubRelease,
    PullRequest,
    Repository,
)
from connectors.github.pulls import PullMeta, PullReader
from connectors.github.settings import GitHubSettings
from connectors.github.withheld import PatchRecovery, PullFiles
from connectors.provenance import RequestStats, SourceProvenance
from connectors.transport import RetryPolicy

T = TypeVar("T")

FILES_CAP = 3000  # GitHub lists at most this many files of a pull request
# Git dates and GitHub's database clocks may disagree a little; a wider window only
# costs the odd extra page.
_CLOCK_SLACK = timedelta(minutes=10)
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class _Counts:
    requests: int
    retries: int
    rate_limit_wait_s: float

    @classmethod
    def of(cls, stats: RequestStats) -> _Counts:
        return cls(stats.requests, stats.retries, stats.rate_limit_wait_s)


@dataclass(frozen=True)
class _Range:
    """The compare's commits, each one's parents, and whether GitHub listed them all."""

    commits: list[Commit]
    parents: dict[str, tuple[str, ...]]
    complete: bool


@dataclass(frozen=True)
class _Association:
    """Which merged PRs brought the range in; commits no PR brought in, by SHA; and each
    commit's merged PRs (a commit GitHub could not answer for is absent)."""

    numbers: tuple[int, ...]
    without_pull_request: tuple[str, ...]
    by_commit: dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class _MainLine:
    """What plans shared compares (merge_runs.py): the first-parent line and its owners."""

    line: list[str]
    parents: dict[str, tuple[str, ...]]
    merged_of: dict[str, tuple[int, ...]]


def _path(value: str) -> str:
    return quote(value, safe="/")


def _window_start(commits: list[Commit] | None) -> datetime | None:
    """Nothing merged into the range before its oldest commit was committed."""
    dates = [c.committed_at or c.authored_at for c in commits or ()]
    known = [d for d in dates if d is not None]
    return min(known) - _CLOCK_SLACK if known else None


def _compare_page(body: Any) -> tuple[int, list[tuple[Commit, tuple[str, ...]]]]:
    """The total, and each commit with its parents' SHAs (first parent first)."""
    return int(body["total_commits"]), [
        (wire.commit(c), tuple(str(p["sha"]) for p in c["parents"]))
        for c in wire.listed(body, "commits")]


def _compare_files(body: Any) -> list[wire.FileEntry]:
    return [wire.file_entry(f) for f in wire.listed(body, "files")]


def _counts(pull: wire.PullSummary, files: list[ChangedFile], complete: bool) -> dict[str, Any]:
    """Line and file counts: the PR's own when it has them, else summed from its files.

    GitHub sometimes says ``changed_files: 0`` for a PR whose files it lists; then the
    listing is the better witness.
    """
    if pull.changed_files is not None and not (pull.changed_files == 0 and files):
        return {}
    if not complete:
        return dict.fromkeys(("additions", "deletions", "changed_files"))
    return {
        "additions": sum(f.additions for f in files),
        "deletions": sum(f.deletions for f in files),
        "changed_files": len(files),
    }


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _merged_numbers(node: Any, repo: str) -> list[int]:
    """Merged PRs of this repository among a commit's associated pull requests (a commit
    can also belong to PRs of forks)."""
    connection = node["associatedPullRequests"]
    return [int(pr["number"]) for pr in connection["nodes"]
            if pr.get("mergedAt") and pr["repository"]["nameWithOwner"].casefold()
            == repo.casefold()]


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
        self, repo: str, base: str, head: str, *,
        publish_keys: Callable[[Iterable[str]], None] | None = None,
    ) -> tuple[GitHubRelease, SourceProvenance]:
        """Commits, the merged PRs that brought them in (with files, reviews, checks),
        deployments and CODEOWNERS.

        ``publish_keys`` is called once, as soon as the PRs' metadata is read (long
        before their files), with every Jira key a merged PR or a commit of the range
        names: exactly the keys the snapshot will show (``connectors/code_keys.py``).
        """
        _check_repo(repo)
        started, log = _Counts.of(self.stats), GapLog()
        repository = self._repository(repo)
        name = repository.full_name
        with self._pool() as pool:
            owners = pool.submit(self._codeowners, name, head, log)
            span = self._commits(pool, name, base, head, log)
            commits = span.commits if span else None
            listings = self._list_all_deployments(pool, name, _window_start(commits), log)
            association = self._associate(pool, name, base, head, commits, log)
            statuses = self._deployment_statuses(pool, name, listings, log)
            named = partial(_publish_keys, publish_keys, commits) if publish_keys else None
            pulls = self._pull_requests(pool, name, list(association.numbers), log,
                                        recover=True, on_metadata=named,
                                        line=_main_line(span, association))
            deployments = _with_statuses(statuses)
            codeowners_path, rules = owners.result()
        release = GitHubRelease(
            repository=repository,
            base=base,
            head=head,
            commits=tuple(commits or ()),
            commits_without_pull_request=association.without_pull_request,
            pull_requests=tuple(sorted(pulls, key=lambda p: (p.merged_at is None, p.merged_at,
                                                              p.number))),
            deployments=tuple(deployments),
            codeowners_path=codeowners_path,
            codeowners=rules,
        )
        asked = {"repo": repo, "base": base, "head": head, **_canonical(repo, name)}
        return release, self._provenance(asked, started, log)

    def fetch_pull(self, repo: str, number: int) -> tuple[PullRequest, SourceProvenance]:
        """One pull request with its files, reviews, check runs and statuses.

        Withheld patches are classified, not rebuilt: the PR bot reads the contents it
        needs itself, within its own budget.
        """
        _check_repo(repo)
        started, log = _Counts.of(self.stats), GapLog()
        name = self._repository(repo).full_name
        with self._pool() as pool:
            pulls = self._pull_requests(pool, name, [number], log, recover=False)
        if not pulls:
            raise _unread_pull(log, name, number)
        asked = {"repo": repo, "pull": number, **_canonical(repo, name)}
        return pulls[0], self._provenance(asked, started, log)

    # -- fatal reads ----------------------------------------------------------------

    def _repository(self, repo: str) -> Repository:
        """The repository under its canonical name (GitHub answers an old name for it)."""
        try:
            body = self._api.get(f"/repos/{repo}")
            return wire.parse(partial(wire.repository, body))
        except ApiError as error:
            raise _fatal(error, f"repository {repo}") from None
        except wire.MalformedResponse as error:
            raise ConnectorError(f"github: cannot read repository {repo} ({error})") from None

    # -- the range ------------------------------------------------------------------

    def _commits(
        self, pool: ThreadPoolExecutor, repo: str, base: str, head: str, log: GapLog
    ) -> _Range | None:
        """All commits of the comparison: page 1, then every later page at once.

        Every request runs on the pool (this thread only waits), so ``max_workers`` is
        the true number of requests in flight.
        """
        what = f"commits {base}...{head}"
        path = f"/repos/{repo}/compare/{_path(base)}...{_path(head)}"
        first = pool.submit(log.attempt, what, partial(self._api.first_page, path)).result()
        if first is None:
            return None
        body, later = first
        parsed = log.attempt(what, partial(wire.parse, partial(_compare_page, body)))
        if parsed is None:
            return None
        total, listed = parsed
        pages = [pool.submit(self._compare_page, url) for url in later]
        for number, page in enumerate(pages, start=2):
            read = log.attempt(f"{what} (page {number})", page.result)
            if read is None:
                break  # later pages are of no use without this one's commits
            listed.extend(read)
        if len(listed) < total:  # GitHub stops at 10,000; or a page failed
            log.add(what, f"GitHub returned {len(listed)} of {total} commits")
        return _Range([c for c, _ in listed], {c.sha: p for c, p in listed},
                      complete=len(listed) == total)

    def _compare_page(self, url: str) -> list[tuple[Commit, tuple[str, ...]]]:
        return wire.parse(partial(_compare_page, self._api.get_url(url)))[1]

    def _associate(
        self,
        pool: ThreadPoolExecutor,
        repo: str,
        base: str,
        head: str,
        commits: list[Commit] | None,
        log: GapLog,
    ) -> _Association:
        """The merged PRs of every commit (``associatedPullRequests``), 100 commits a query."""
        if commits is None:
            log.add(f"pull requests of {base}...{head}", "the commit range could not be read")
            return _Association((), (), {})
        shas = [c.sha for c in commits]
        batches = [(chunk, pool.submit(self._associated, repo, chunk, log))
                   for chunk in _chunks(shas, queries.MAX_ALIASES)]
        numbers: set[int] = set()
        without: list[str] = []
        by_commit: dict[str, tuple[int, ...]] = {}
        for chunk, future in batches:
            found = future.result() or {}  # a failed lookup is already a gap
            for sha in chunk:
                merged = found.get(sha)
                if merged is None:
                    continue  # its own gap says why
                numbers.update(merged)
                by_commit[sha] = tuple(sorted(set(merged)))
                if not merged:
                    without.append(sha)
        return _Association(tuple(sorted(numbers)), tuple(without), by_commit)

    def _associated(self, repo: str, shas: list[str], log: GapLog) -> dict[str, list[int]] | None:
        """SHA -> merged PR numbers; a commit GitHub does not know is a gap, not an entry."""
        reader = _GraphQL(self._api, repo)
        what = f"pull requests of commits {shas[0][:12]}..{shas[-1][:12]} ({len(shas)} commits)"
        answer = log.attempt(what, partial(reader.query, queries.associations(shas)))
        if answer is None:
            return None
        repository = answer.data.get("repository") or {}
        found: dict[str, list[int]] = {}
        for index, sha in enumerate(shas):
            key = queries.alias("c", index)
            node = repository.get(key)
            if not node:
                log.add(f"pull requests of commit {sha[:12]}",
                        answer.error_at(key) or "GitHub does not know this commit")
                continue
            merged = log.attempt(f"pull requests of commit {sha[:12]}",
                                 partial(self._all_associated, reader, sha, node, repo))
            if merged is not None:
                found[sha] = merged
        return found

    def _all_associated(self, reader: _GraphQL, sha: str, node: Any, repo: str) -> list[int]:
        merged = wire.parse(partial(_merged_numbers, node, repo))
        connection = node["associatedPullRequests"]
        info = connection.get("pageInfo") or {}
        while info.get("hasNextPage") and info.get("endCursor"):
            more = reader.query(queries.more_associations(sha, str(info["endCursor"])))
            next_node = (more.data.get("repository") or {}).get("object")
            if not next_node:
                raise ApiError(None, more.error_at("object") or "commit no longer returned")
            merged += wire.parse(partial(_merged_numbers, next_node, repo))
            info = next_node["associatedPullRequests"].get("pageInfo") or {}
        return merged

    # -- pull requests ----------------------------------------------------------------

    def _pull_requests(
        self, pool: ThreadPoolExecutor, repo: str, numbers: list[int], log: GapLog, *,
        recover: bool, on_metadata: Callable[[list[PullMeta]], None] | None = None,
        line: _MainLine | None = None,
    ) -> list[PullRequest]:
        """Metadata (GraphQL, 100 a query) and files of each PR.

        Without a first-parent ``line`` (one PR), files come from REST beside the
        metadata; with one, the metadata first plans which PRs share a compare
        (``merge_runs.py``) and the rest use REST.
        """
        reader = PullReader(self._api, repo, log)
        metas = [pool.submit(reader.batch, chunk)
                 for chunk in _chunks(numbers, queries.MAX_ALIASES)]
        files = {} if line else {n: self._files(pool, repo, n, log) for n in numbers}
        found: dict[int, PullMeta] = {}
        for future in metas:
            found.update(future.result())
        if on_metadata is not None:
            on_metadata(list(found.values()))
        if line is not None:
            files = self._files_by_runs(pool, repo, numbers, found, line, log)
        listed = {n: future.result() for n, future in files.items()}
        complete = {n: ok and self._all_files_listed(found[n].summary, len(entries), log)
                    for n, (entries, ok) in listed.items() if n in found}
        files_of = {n: [e.file for e in entries] for n, (entries, _) in listed.items()}
        if recover:
            recovery = PatchRecovery(self._api, repo, log, pool,
                                     max_files=self.settings.max_recovered_files,
                                     max_bytes=self.settings.max_recovered_bytes)
            files_of.update(recovery.recover([
                PullFiles(n, found[n].base_oid, found[n].summary.head_sha, listed[n][0])
                for n in sorted(found)]))
        return [self._assemble(found[n], files_of[n], complete[n]) for n in sorted(found)]

    def _files(self, pool: ThreadPoolExecutor, repo: str, number: int,
               log: GapLog) -> Future[tuple[list[wire.FileEntry], bool]]:
        return pool.submit(self._collect, log, f"files of PR #{number}",
                           f"/repos/{repo}/pulls/{number}/files", wire.file_entry)

    def _files_by_runs(
        self, pool: ThreadPoolExecutor, repo: str, numbers: list[int],
        found: dict[int, PullMeta], line: _MainLine, log: GapLog,
    ) -> dict[int, Future[tuple[list[wire.FileEntry], bool]]]:
        """Runs' compares first (they decide the rest), then every other PR's REST files;
        a PR a compare does not vouch for falls back to REST."""
        listings = {n: meta.files for n, meta in found.items()}
        runs = merge_runs.plan(line.line, line.parents, line.merged_of, listings)
        compares = [(run, pool.submit(self._run_files, repo, run, listings)) for run in runs]
        in_runs = {n for run in runs for n in run.numbers}
        files = {n: self._files(pool, repo, n, log) for n in numbers if n not in in_runs}
        for run, future in compares:
            accepted = future.result()
            for number in run.numbers:
                files[number] = (_done((accepted[number], True)) if number in accepted
                                 else self._files(pool, repo, number, log))
        return files

    def _run_files(self, repo: str, run: merge_runs.Run,
                   listings: dict[int, tuple[ListedFile, ...] | None],
                   ) -> dict[int, list[wire.FileEntry]]:
        """The PRs of ``run`` whose files its compare matches; nothing if it cannot be read
        (each PR then reads its own, and any failure there is its gap)."""
        path = f"/repos/{repo}/compare/{run.start}...{run.end}"
        try:  # one commit a page: the files come with page 1 whatever its size
            entries = wire.parse(partial(_compare_files, self._api.get(path, {"per_page": 1})))
        except ApiError as error:
            if error.bad_credentials:
                raise bad_credentials(error) from None
            return {}
        except wire.MalformedResponse:
            return {}
        return merge_runs.verified(run, entries, listings)

    @staticmethod
    def _assemble(meta: PullMeta, files: list[ChangedFile], files_ok: bool) -> PullRequest:
        missing = set(meta.missing) | ({"files"} if not files_ok else set())
        order = ("files", "reviews", "check_runs", "statuses", "labels", "merged_by")
        return wire.pull_request(
            meta.summary.model_copy(update=_counts(meta.summary, files, files_ok)),
            files=tuple(files),
            reviews=tuple(meta.reviews),
            check_runs=tuple(meta.check_runs),
            statuses=tuple(meta.statuses),
            combined_status=meta.combined_status,
            review_decision=meta.review_decision,
            missing=tuple(part for part in order if part in missing),
        )

    @staticmethod
    def _all_files_listed(pull: wire.PullSummary, listed: int, log: GapLog) -> bool:
        """GitHub lists at most 3,000 files; trust a full listing only when the PR agrees.

        A PR that says ``changed_files: 0`` (real bodies do) cannot vouch for a listing
        cut at the cap either.
        """
        expected = pull.changed_files
        if listed < FILES_CAP or expected == listed:
            return True
        total = f"of {expected} " if expected else ""
        log.add(
            f"files of PR #{pull.number}",
            f"GitHub lists at most {FILES_CAP} files; got {listed} {total}changed files",
        )
        return False

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

    def _list_all_deployments(
        self, pool: ThreadPoolExecutor, repo: str, since: datetime | None, log: GapLog
    ) -> list[Future[list[Deployment]]]:
        """One listing per environment, queued now so it runs beside the range's reads."""
        return [pool.submit(self._list_deployments, repo, env, since, log)
                for env in self.settings.deployment_environments]

    def _deployment_statuses(
        self, pool: ThreadPoolExecutor, repo: str, listings: list[Future[list[Deployment]]],
        log: GapLog,
    ) -> list[tuple[Deployment, Future[tuple[list[DeploymentStatus], bool]]]]:
        """Newest first, each with its statuses' read queued."""
        found = sorted((d for listing in listings for d in listing.result()),
                       key=lambda d: d.created_at, reverse=True)
        return [(d, pool.submit(self._collect, log,
                                f"statuses of deployment {d.id} ({d.environment})",
                                f"/repos/{repo}/deployments/{d.id}/statuses",
                                wire.deployment_status))
                for d in found]

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
            rate_limits=self.stats.rate_limits(),
            gaps=log.gaps(),
        )


class _GraphQL:
    """GraphQL queries on one repository (its owner and name as variables)."""

    def __init__(self, api: GitHubApi, repo: str) -> None:
        owner, name = repo.split("/", 1)
        self._api, self._variables = api, {"owner": owner, "name": name}

    def query(self, document: str) -> Any:
        return self._api.graphql(document, self._variables)


def _main_line(span: _Range | None, association: _Association) -> _MainLine | None:
    """The range's first-parent line, when the whole range was read."""
    if span is None or not span.complete:
        return None
    line = merge_runs.first_parent_line(span.parents)
    return _MainLine(line, span.parents, association.by_commit) if line else None


def _done(value: T) -> Future[T]:
    future: Future[T] = Future()
    future.set_result(value)
    return future


def _publish_keys(publish: Callable[[Iterable[str]], None], commits: list[Commit] | None,
                  metas: list[PullMeta]) -> None:
    """The keys the release's code names, as the snapshot will carry them: merged PRs'
    ``jira_keys`` and the keys in commit messages."""
    keys = {key for c in commits or () for key in jira_keys(c.message)}
    keys.update(key for m in metas if m.summary.merged_at is not None
                for key in wire.keys_of(m.summary))
    publish(keys)


def _with_statuses(
    pending: list[tuple[Deployment, Future[tuple[list[DeploymentStatus], bool]]]],
) -> list[Deployment]:
    merged = []
    for deployment, future in pending:
        items, ok = future.result()
        update = {"statuses": tuple(items), "missing": () if ok else ("statuses",)}
        merged.append(deployment.model_copy(update=update))
    return merged


def _canonical(asked: str, canonical: str) -> dict[str, str]:
    """Provenance names the canonical repository when it differs from the one asked for."""
    return {} if asked.casefold() == canonical.casefold() else {"canonical_repo": canonical}


def _unread_pull(log: GapLog, repo: str, number: int) -> ConnectorError:
    """Why one PR could not be read: its query failed, or GitHub does not return it."""
    gaps = {g.what: g.why for g in log.gaps()}
    failed = gaps.get(f"metadata of PR #{number}")
    if failed is not None:
        return ConnectorError(f"github: cannot read pull request {repo}#{number} ({failed})")
    why = gaps.get(f"pull request #{number}", "not returned by GitHub")
    return ConnectorError(
        f"github: pull request {repo}#{number} not found, or not visible to these credentials "
        f"({why})"
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


__all__ = ["FILES_CAP", "GitHubConnector"]

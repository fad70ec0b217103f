"""Patches GitHub withheld, rebuilt from the files' contents when the scanners need them.

GitHub sends no patch for binary files and for diffs past its size limits, and past
a size threshold it also counts no lines (``changes: 0``) for text files. Every such
file that could hide added lines (not removed, not binary) is looked up through
GraphQL, 100 blobs a query: ``isBinary`` (GitHub's own marker) settles binary files;
text files up to ``max_bytes`` are read, with the older version at the PR's merge base
for files that existed before, and diffed here. What cannot be read, or is over the
limits, is a gap per file that says why. Nothing is left looking unchanged.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from connectors.github import queries, wire
from connectors.github.client import ApiError, GitHubApi, GraphQLAnswer
from connectors.github.gaps import GapLog, bad_credentials
from connectors.github.models import ChangedFile

T = TypeVar("T")

_QUERY_BYTES = 8 * 1024 * 1024  # text requested per query, so no answer grows unbounded
_REASON = {"too_large": "its diff is over GitHub's size limit",
           "unknown": "GitHub counted no lines for it"}


def synthesized_patch(old: str, new: str) -> str:
    """GitHub-style hunks (no file headers) from two texts."""
    rows = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=3))
    return "\n".join(rows[2:])  # drop the '---'/'+++' headers, never a content line


@dataclass(frozen=True)
class PullFiles:
    """One PR's listed files, and the commits a diff of them is computed between."""

    number: int
    base_oid: str | None
    head_sha: str
    entries: Sequence[wire.FileEntry]


@dataclass
class _Target:
    number: int
    index: int
    entry: wire.FileEntry
    new: str | None = None
    old: str | None = None

    @property
    def file(self) -> ChangedFile:
        return self.entry.file

    @property
    def what(self) -> str:
        return f"patch of {self.file.path} in PR #{self.number}"


class PatchRecovery:
    """Rebuild withheld patches for one repository, within ``max_files`` and ``max_bytes``."""

    def __init__(self, api: GitHubApi, repo: str, log: GapLog, pool: Executor, *,
                 max_files: int, max_bytes: int) -> None:
        self._api, self._log, self._pool = api, log, pool
        owner, name = repo.split("/", 1)
        self._variables = {"owner": owner, "name": name}
        self._repo = repo
        self._max_files, self._max_bytes = max_files, max_bytes

    def recover(self, pulls: Sequence[PullFiles]) -> dict[int, list[ChangedFile]]:
        """Every PR's files, with what could be rebuilt rebuilt (the rest has a gap)."""
        files = {p.number: [e.file for e in p.entries] for p in pulls}
        texts = self._classified(self._targets(pulls), files)
        self._read_new(texts)
        self._read_old([t for t in texts if t.new is not None], {p.number: p for p in pulls})
        for target in texts:
            if target.new is not None and target.old is not None:
                files[target.number][target.index] = _rebuilt(target.file, target.old, target.new)
        return files

    # -- which files ----------------------------------------------------------------

    def _targets(self, pulls: Sequence[PullFiles]) -> list[_Target]:
        wanted = [_Target(p.number, i, e) for p in sorted(pulls, key=lambda p: p.number)
                  for i, e in enumerate(p.entries)
                  if e.file.patch_truncated and e.file.status != "removed"]
        for target in wanted[self._max_files:]:
            self._gap(target, f"not read: over the limit of {self._max_files} files a fetch "
                              "rebuilds (GITHUB_MAX_RECOVERED_FILES)")
        readable = []
        for target in wanted[: self._max_files]:
            if target.entry.blob is None:
                self._gap(target, "not read: GitHub named no object id for its contents")
            else:
                readable.append(target)
        return readable

    def _classified(self, targets: list[_Target],
                    files: dict[int, list[ChangedFile]]) -> list[_Target]:
        """GitHub's binary marker and size for each target; text within the limit stays."""
        kept: list[_Target] = []
        for chunk, answer in self._each(targets, partial(_blob_query, text=False)):
            if answer is None:
                continue
            for i, target in enumerate(chunk):
                blob = (answer.data.get("repository") or {}).get(queries.alias("b", i))
                if not blob:
                    self._gap(target, "not read: GitHub no longer has its contents")
                elif blob.get("isBinary") is True:
                    update = {"patch_withheld": "binary", "patch_truncated": False}
                    files[target.number][target.index] = target.file.model_copy(update=update)
                elif blob.get("isBinary") is None:
                    self._gap(target, "not read: GitHub cannot tell whether it is text")
                elif int(blob.get("byteSize") or 0) > self._max_bytes:
                    self._gap(target, f"not read: {blob.get('byteSize')} bytes, over the limit "
                                      f"of {self._max_bytes} (GITHUB_MAX_RECOVERED_BYTES)")
                else:
                    kept.append(target)
        return kept

    # -- reading ------------------------------------------------------------------------

    def _read_new(self, targets: list[_Target]) -> None:
        for chunk, answer in self._each(targets, partial(_blob_query, text=True)):
            for i, target in enumerate(chunk):
                if answer is not None:
                    target.new = self._text(target, answer, queries.alias("b", i))

    def _read_old(self, targets: list[_Target], pulls: Mapping[int, PullFiles]) -> None:
        for target in targets:
            if target.file.status == "added":
                target.old = ""
        earlier = [t for t in targets if t.old is None]
        bases = self._merge_bases({t.number for t in earlier}, pulls)
        located = []
        for target in earlier:
            base = bases.get(target.number)
            if base is None:
                self._gap(target, "not read: the PR's merge base could not be found")
            else:
                located.append((target, f"{base}:{target.file.previous_path or target.file.path}"))
        for chunk, answer in self._each(located, _expression_query):
            for i, (target, _) in enumerate(chunk):
                if answer is not None:
                    target.old = self._text(target, answer, queries.alias("o", i))

    def _merge_bases(self, numbers: set[int], pulls: Mapping[int, PullFiles]) -> dict[int, str]:
        """The commit GitHub diffs each PR against (``merge_base_commit`` of a compare)."""
        futures = {n: self._pool.submit(self._merge_base, pulls[n]) for n in sorted(numbers)}
        return {n: base for n, f in futures.items() if (base := f.result()) is not None}

    def _merge_base(self, pull: PullFiles) -> str | None:
        if pull.base_oid is None:
            return None
        path = f"/repos/{self._repo}/compare/{pull.base_oid}...{quote(pull.head_sha, safe='')}"
        what = f"merge base of PR #{pull.number}"
        body = self._log.attempt(what, partial(self._api.get, path, {"per_page": 1}))
        if body is None:
            return None
        return self._log.attempt(what, partial(wire.parse, partial(_merge_base_sha, body)))

    def _text(self, target: _Target, answer: GraphQLAnswer, key: str) -> str | None:
        blob = (answer.data.get("repository") or {}).get(key)
        if not blob:
            self._gap(target, f"not read: {answer.error_at(key) or 'GitHub returned no contents'}")
            return None
        if blob.get("isTruncated") or not isinstance(blob.get("text"), str):
            self._gap(target, "not read: GitHub truncated or withheld its text")
            return None
        return str(blob["text"])

    def _each(
        self, items: list[T], build: Callable[[list[T]], str]
    ) -> Iterator[tuple[list[T], GraphQLAnswer | None]]:
        """Chunks of at most 100, queried at once; None for a chunk whose query failed."""
        chunks = list(_chunks(items, queries.MAX_ALIASES))
        futures = [self._pool.submit(self._api.graphql, build(c), self._variables)
                   for c in chunks]
        for chunk, future in zip(chunks, futures, strict=True):
            answer: GraphQLAnswer | None = None
            try:
                answer = future.result()
            except ApiError as error:
                if error.bad_credentials:
                    raise bad_credentials(error) from None
                self._gaps(chunk, error.why)
            except wire.MalformedResponse as error:
                self._gaps(chunk, str(error))
            yield chunk, answer

    def _gaps(self, chunk: Sequence[object], why: str) -> None:
        for item in chunk:
            target = item[0] if isinstance(item, tuple) else item
            assert isinstance(target, _Target)
            self._gap(target, f"not read: {why}")

    def _gap(self, target: _Target, detail: str) -> None:
        kind = target.file.patch_withheld or "unknown"
        self._log.add(target.what, f"GitHub sent no patch ({_REASON.get(kind, kind)}); {detail}")


def _blob_query(targets: list[_Target], *, text: bool) -> str:
    return queries.blobs([t.entry.blob or "" for t in targets], text=text)


def _expression_query(located: list[tuple[_Target, str]]) -> str:
    return queries.file_at({queries.alias("o", i): expr for i, (_, expr) in enumerate(located)})


def _merge_base_sha(body: Any) -> str:
    return str(body["merge_base_commit"]["sha"])


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _rebuilt(file: ChangedFile, old: str, new: str) -> ChangedFile:
    patch = synthesized_patch(old, new)
    lines = patch.splitlines()
    counted = {"additions": sum(1 for r in lines if r.startswith("+")),
               "deletions": sum(1 for r in lines if r.startswith("-"))}
    update: dict[str, Any] = {"patch": patch, "patch_truncated": False, "patch_recovered": True}
    if file.additions + file.deletions == 0:  # GitHub counted nothing: count from the diff
        update |= counted
    return file.model_copy(update=update)

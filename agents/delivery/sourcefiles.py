"""Which changed paths are source and which are tests, by the policy's globs.

A source file matches ``tests.source_globs`` and not ``tests.test_globs``; a test file
matches ``tests.test_globs``.
"""

from __future__ import annotations

from agents.globs import GlobSet
from connectors.github.models import ChangedFile, PullRequest


class SourceFiles:
    """Classifies paths with the policy's globs (compiled once per run)."""

    def __init__(self, source_globs: tuple[str, ...], test_globs: tuple[str, ...]) -> None:
        self._source = GlobSet(source_globs)
        self._tests = GlobSet(test_globs)

    def is_test(self, path: str) -> bool:
        return self._tests.matches(path)

    def is_source(self, path: str) -> bool:
        return self._source.matches(path) and not self._tests.matches(path)

    def changed_source(self, pr: PullRequest) -> list[ChangedFile]:
        return [f for f in pr.files if f.status != "removed" and self.is_source(f.path)]

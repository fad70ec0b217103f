"""Jira keys the release's code names, handed from the GitHub fetch to the Jira fetch.

Jira has no bulk endpoint for remote links (JRASERVER-72243): one request per issue,
the longest list a release read makes. The only check that reads them asks one
question, whether a done issue has code behind it, and for an issue that a merged
pull request or a commit of the release names, GitHub has already answered it. So
when both sources are read, the GitHub fetch publishes those keys as soon as its
pull requests' metadata is in, and the Jira fetch, running beside it, waits for them
after its search and reads remote links only for the issues they leave open.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any


class CodeKeys:
    """A one-shot hand-off: the first ``publish`` wins; ``wait`` blocks until then.

    ``None`` means the keys are unknown (the GitHub fetch failed before reading its pull
    requests); whoever waits must then assume no issue is named.
    """

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._keys: frozenset[str] | None = None

    def publish(self, keys: Iterable[str] | None) -> None:
        with self._lock:
            if self._ready.is_set():
                return
            self._keys = None if keys is None else frozenset(keys)
            self._ready.set()

    def wait(self) -> frozenset[str] | None:
        self._ready.wait()
        return self._keys

    @property
    def published(self) -> bool:
        return self._ready.is_set()


def waited_for(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` of a Jira fetch with its ``named_by_code`` hand-off already waited for.

    For harnesses that run one source at a time under one lock: Jira must wait for the
    keys before it takes the lock, so that GitHub, which publishes them mid-fetch, goes
    first (the other order would deadlock).
    """
    named = kwargs.get("named_by_code")
    if named is None:
        return kwargs
    keys = named()
    return {**kwargs, "named_by_code": lambda: keys}

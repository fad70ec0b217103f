"""Close the doors ``guard_pygithub`` leaves open on a PyGithub ``Requester``.

``guard_pygithub`` guards the connection class a Requester uses for its own host. Two
other paths build connections without it (checked against PyGithub 2.10):

* an absolute URL on another host or port (``uploads.github.com`` for release
  assets, a ``Link`` header elsewhere) gets a "custom connection" built from the
  *class* attributes ``__httpsConnectionClass``/``__httpConnectionClass``;
* ``Requester.withLazy``/``withAuth``/``withApiVersion`` (what per-call ``lazy=``
  uses) and ``Github.withLazy`` build fresh, unguarded clients from keyword arguments.

``harden_github`` guards all of these on one client only, and fails closed if
PyGithub's internals move. It cannot reach a client PyGithub builds from scratch
elsewhere (``Github.get_app``): the token's own read-only scope stays the last line.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from connectors.provenance import RequestStats
from connectors.transport import ReadOnlyPolicy, RetryPolicy, guard_pygithub, guard_session

_SIDE_CONNECTIONS = ("_Requester__httpsConnectionClass", "_Requester__httpConnectionClass")
_COPIES = ("withLazy", "withAuth", "withApiVersion")


def harden_github(
    github: Any, policy: ReadOnlyPolicy, stats: RequestStats, retry: RetryPolicy | None
) -> Any:
    """``harden`` a ``github.Github`` and every client its ``withLazy`` derives."""
    harden(github.requester, policy, stats, retry)
    derive = github.withLazy
    github.withLazy = lambda lazy: harden_github(derive(lazy), policy, stats, retry)
    return github


def harden(
    requester: Any, policy: ReadOnlyPolicy, stats: RequestStats, retry: RetryPolicy | None
) -> Any:
    """Guard every connection ``requester`` (or any copy of it) can open."""
    guard_pygithub(SimpleNamespace(requester=requester), policy, stats, retry)
    for attribute in _SIDE_CONNECTIONS:
        base = getattr(requester, attribute, None)
        if not isinstance(base, type):
            raise RuntimeError("cannot guard PyGithub's side connections; refusing to run")
        setattr(requester, attribute, _guarded(base, policy, stats, retry))
    for name in _COPIES:
        setattr(requester, name, _hardened_copy(requester, name, policy, stats, retry))
    return requester


def _guarded(
    base: type, policy: ReadOnlyPolicy, stats: RequestStats, retry: RetryPolicy | None
) -> type:
    class GuardedSideConnection(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            guard_session(self.session, policy, stats, retry)

    return GuardedSideConnection


def _hardened_copy(
    requester: Any,
    name: str,
    policy: ReadOnlyPolicy,
    stats: RequestStats,
    retry: RetryPolicy | None,
) -> Any:
    original = getattr(requester, name)

    def copy(*args: Any, **kwargs: Any) -> Any:
        clone = original(*args, **kwargs)
        return clone if clone is requester else harden(clone, policy, stats, retry)

    return copy

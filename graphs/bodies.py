"""The parsed snapshot bodies of a run, kept on its context."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from connectors.limits import ReadLimits
from connectors.snapshot import Snapshot, SnapshotBody, load_snapshot


class SnapshotBodies:
    """Parsed snapshot bodies by file, each checked against the run's content hash.

    All of a run's nodes read one snapshot: the load node keeps the body it has just
    parsed, so the agents and the advisor never parse the file again (a 1,000-PR snapshot
    takes about a second). A resumed run, in a new process, parses it once.
    """

    def __init__(self, keep: int = 2, limits: ReadLimits | None = None) -> None:
        self._keep = keep
        self._limits = limits or ReadLimits()
        self._bodies: OrderedDict[str, tuple[str, SnapshotBody]] = OrderedDict()
        self._lock = threading.Lock()  # agents ask in parallel; one of them parses

    def remember(self, path: Path, snapshot: Snapshot) -> None:
        with self._lock:
            self._store(str(path), snapshot.content_hash, snapshot.body)

    def body(self, path: str, content_hash: str) -> SnapshotBody:
        with self._lock:
            kept = self._bodies.get(path)
            if kept is not None and kept[0] == content_hash:
                self._bodies.move_to_end(path)
                return kept[1]
            snapshot = load_snapshot(Path(path), self._limits)
            if snapshot.content_hash != content_hash:
                raise RuntimeError(f"snapshot {path} changed during the run")
            self._store(path, content_hash, snapshot.body)
            return snapshot.body

    def _store(self, path: str, content_hash: str, body: SnapshotBody) -> None:
        self._bodies[path] = (content_hash, body)
        self._bodies.move_to_end(path)
        while len(self._bodies) > self._keep:
            self._bodies.popitem(last=False)

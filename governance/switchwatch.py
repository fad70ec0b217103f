"""Kill-switch states pushed by PostgreSQL (``LISTEN``/``NOTIFY``), kept in memory.

A trigger on ``kill_switch`` notifies a channel named after the table's schema on every
change, whoever makes it. One thread per process listens on a connection of its own and
re-reads the states (rows checked against the audit chain) after each notification, so
a check is a dictionary lookup and a flip by another worker is seen within milliseconds.

Fail closed: the moment the listening connection errors (the server went away, the
backend was terminated) the states are withdrawn and every check answers "stopped"
until the listener has reconnected and read them again; a listener that has confirmed
nothing for ``MAX_SILENCE_S`` (a hung network) counts as lost too.
"""

from __future__ import annotations

import itertools
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from governance.db import KILL_SWITCH_CHANNEL, Store
from governance.errors import KillSwitchEngaged

HEARTBEAT_S = 1.0  # one wait for a notification; then a ping proves the connection lives
MAX_SILENCE_S = 5.0  # no confirmed state for this long: fail closed
READY_WAIT_S = 10.0  # the first check waits this long for the listener's first state
RECONNECT_S = (0.1, 5.0)  # first and longest pause between reconnection attempts
_CHANNEL_SQL = (  # the trigger's channel: the prefix, then md5 of the table's schema
    "SELECT %s || md5(n.nspname) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = 'kill_switch'::regclass"
)
Outcome = dict[str, Any] | KillSwitchEngaged
StateReader = Callable[[Store], Mapping[str, Any]]


class _Shared:
    """What the listener thread and the checking threads share."""

    def __init__(self, read: StateReader) -> None:
        self.read = read
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.outcome: Outcome | None = None
        self.failure: str | None = "not connected yet"
        self.confirmed = 0.0
        self.backend_pid: int | None = None
        self._tickets = itertools.count(1)
        self._published = 0

    def ticket(self) -> int:
        with self.lock:
            return next(self._tickets)

    def publish(self, ticket: int, outcome: Outcome, *, connected: bool) -> None:
        """Keep the result of the newest read started, never an older one finishing late."""
        with self.lock:
            if ticket > self._published:
                self._published, self.outcome = ticket, outcome
            if connected:
                self.failure, self.confirmed = None, time.monotonic()
        self.ready.set()

    def confirm(self) -> None:
        with self.lock:
            self.confirmed = time.monotonic()

    def fail(self, why: str) -> None:
        with self.lock:
            self.failure, self.outcome = why, None
        self.ready.set()


def _read(store: Store, shared: _Shared, *, connected: bool) -> None:
    ticket = shared.ticket()
    outcome: Outcome
    try:
        outcome = dict(shared.read(store))
    except KillSwitchEngaged as exc:  # unreadable, corrupt or missing: stopped
        outcome = exc
    shared.publish(ticket, outcome, connected=connected)


def _conninfo(store: Store) -> str:
    url = store.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _listen(store: Store, shared: _Shared, owner: weakref.ref[Any]) -> None:
    import psycopg
    from psycopg import sql

    pause = RECONNECT_S[0]
    while not shared.stop.is_set() and owner() is not None:
        try:
            with psycopg.connect(_conninfo(store), autocommit=True, connect_timeout=5) as conn:
                row = conn.execute(_CHANNEL_SQL, (f"{KILL_SWITCH_CHANNEL}_",)).fetchone()
                if row is None:
                    raise RuntimeError("no kill_switch table")
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(str(row[0]))))
                shared.backend_pid = conn.info.backend_pid
                _read(store, shared, connected=True)  # after LISTEN: no change slips by
                pause = RECONNECT_S[0]
                _wait_for_changes(conn, store, shared, owner)
        except Exception as exc:  # any failure of the listener: stopped until it is back
            shared.fail(f"the kill-switch listener lost its connection ({type(exc).__name__})")
        shared.stop.wait(pause)
        pause = min(pause * 2, RECONNECT_S[1])


def _wait_for_changes(conn: Any, store: Store, shared: _Shared, owner: weakref.ref[Any]) -> None:
    while not shared.stop.is_set() and owner() is not None:
        woke = any(True for _ in conn.notifies(timeout=HEARTBEAT_S, stop_after=1))
        if woke:
            _read(store, shared, connected=True)
        else:
            conn.execute("SELECT 1")  # a dead connection raises here, not silently
            shared.confirm()


class SwitchWatcher:
    """The in-memory states of one ``KillSwitch`` and the thread that keeps them fresh."""

    def __init__(self, store: Store, shared: _Shared, thread: threading.Thread) -> None:
        self.store = store
        self._shared = shared
        self._thread = thread

    @classmethod
    def start(cls, store: Store, owner: object, read: StateReader) -> SwitchWatcher:
        """Listen for ``owner``; the thread ends (within a heartbeat) when owner is gone.

        ``read`` reads every switch from the store (and checks it against the chain)."""
        shared = _Shared(read)
        thread = threading.Thread(target=_listen, args=(store, shared, weakref.ref(owner)),
                                  name="kill-switch-listener", daemon=True)
        thread.start()
        weakref.finalize(owner, shared.stop.set)
        return cls(store, shared, thread)

    @property
    def backend_pid(self) -> int | None:
        """The listening connection's server process (operators, tests)."""
        return self._shared.backend_pid

    def states(self) -> dict[str, Any]:
        shared = self._shared
        shared.ready.wait(READY_WAIT_S)
        with shared.lock:
            outcome, failure, confirmed = shared.outcome, shared.failure, shared.confirmed
        if failure is not None or outcome is None:
            raise KillSwitchEngaged("global", f"{failure or 'no state yet'}; failing closed")
        silent = time.monotonic() - confirmed
        if silent > MAX_SILENCE_S:
            raise KillSwitchEngaged("global", f"no word from the kill-switch listener for "
                                              f"{silent:.1f} s; failing closed")
        if isinstance(outcome, KillSwitchEngaged):
            raise outcome
        return outcome

    def refresh(self) -> None:
        """Read the states now (after this process changed one); the listener confirms."""
        _read(self.store, self._shared, connected=False)

    def close(self) -> None:
        self._shared.stop.set()
        self._thread.join(HEARTBEAT_S * 2)

"""Workers over the durable queue: a fixed number of threads (the concurrency limit).

Each worker claims the oldest delivery, runs it, and marks it ``done`` or ``failed``; a
job's failure is logged and never stops its worker. While a job runs its lease is
renewed. A new delivery wakes a worker at once; rows queued by another replica or left
by a previous run are found by polling.

``stop(grace)`` (SIGTERM): no new claims; running jobs get ``grace`` seconds to finish;
those still running are released (queued again) so the next start takes them up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from advisor.webhook.queue import Claim, DeliveryQueue, local_worker_alive, worker_name
from governance.errors import GovernanceError

log = logging.getLogger("advisor.webhook.work")
Handler = Callable[[Claim], None]


class QueueRunner:
    def __init__(self, queue: DeliveryQueue, handle: Handler, workers: int, *,
                 poll_s: float = 1.0) -> None:
        if workers < 1:
            raise ValueError("at least one worker is needed")
        self.queue = queue
        self._handle = handle
        self._workers = workers
        self._poll_s = poll_s
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._wake = threading.Condition()
        self._held: dict[str, Claim] = {}
        self._held_lock = threading.Lock()
        self._idle = threading.Condition(self._held_lock)

    @property
    def workers(self) -> int:
        return self._workers

    @property
    def depth(self) -> int:
        """Deliveries queued or running, on every replica."""
        try:
            return self.queue.depth()
        except GovernanceError:
            return -1

    def start(self) -> None:
        recovered = self.queue.recover(local_worker_alive)
        if recovered:
            log.warning("deliveries of a stopped process queued again",
                        extra={"queue_depth": recovered})
        self._stopping.clear()
        for index in range(self._workers):
            thread = threading.Thread(target=self._work, args=(worker_name(index),),
                                      name=f"webhook-worker-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)
        beat = threading.Thread(target=self._renew_leases, name="webhook-leases", daemon=True)
        beat.start()
        self._threads.append(beat)

    def wake(self) -> None:
        """A delivery was just queued: one idle worker takes it now."""
        with self._wake:
            self._wake.notify()

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until nothing is queued or running (tests, tools)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._held_lock:
                busy = bool(self._held)
            if not busy and self.queue.depth() == 0:
                return True
            self.wake()
            time.sleep(0.02)
        return False

    def stop(self, grace_s: float = 30.0) -> list[str]:
        """Finish or release the work in hand; returns the deliveries released."""
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        deadline = time.monotonic() + grace_s
        with self._idle:
            while self._held and time.monotonic() < deadline:
                self._idle.wait(max(0.0, deadline - time.monotonic()))
            unfinished = list(self._held.values())
        for claim in unfinished:
            self.queue.release(claim, f"released at shutdown after {grace_s:g} s")
            log.warning("delivery released at shutdown", extra={"delivery": claim.delivery_id})
        for thread in self._threads:
            thread.join(0.1 if unfinished else 2.0)
        self._threads.clear()
        return [c.delivery_id for c in unfinished]

    def _work(self, worker: str) -> None:
        while not self._stopping.is_set():
            try:
                claim = self.queue.claim(worker)
            except GovernanceError as exc:  # the store is away: wait, never spin
                log.error("cannot claim a delivery", extra={"error": type(exc).__name__})
                claim = None
            if claim is None:
                with self._wake:
                    if not self._stopping.is_set():
                        self._wake.wait(self._poll_s)
                continue
            self._run(claim)

    def _run(self, claim: Claim) -> None:
        with self._held_lock:
            self._held[claim.delivery_id] = claim
        try:
            status, detail = self._attempt(claim)
            if not self.queue.finish(claim, status, detail):
                log.warning("delivery finished after its claim was lost",
                            extra={"delivery": claim.delivery_id})
        except GovernanceError as exc:
            log.error("cannot record a finished delivery", extra={
                "delivery": claim.delivery_id, "error": type(exc).__name__})
        finally:  # only once its outcome is recorded: a stop must not release it
            with self._idle:
                self._held.pop(claim.delivery_id, None)
                self._idle.notify_all()

    def _attempt(self, claim: Claim) -> tuple[str, str]:
        try:
            self._handle(claim)
        except Exception as exc:  # one bad delivery must not stop the worker
            log.error("job failed", extra={"job": f"{claim.event}:{claim.delivery_id}",
                                           "error": type(exc).__name__})
            return "failed", type(exc).__name__
        return "done", ""

    def _renew_leases(self) -> None:
        interval = max(0.05, self.queue.lease_s / 3)
        while not self._stopping.wait(interval):
            with self._held_lock:
                held = list(self._held.values())
            try:
                self.queue.extend(held)
            except GovernanceError as exc:
                log.error("cannot renew leases", extra={"error": type(exc).__name__})

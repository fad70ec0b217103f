"""A bounded work queue with a fixed number of workers (the concurrency limit).

``submit`` never blocks: a full queue says so, and the server answers 503 rather than
dropping a delivery silently. A job's failure is logged and never stops its worker.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger("advisor.webhook.work")
Job = Callable[[], None]


class WorkQueue:
    def __init__(self, size: int, workers: int) -> None:
        if size < 1 or workers < 1:
            raise ValueError("the queue needs room for one job and at least one worker")
        self._queue: queue.Queue[tuple[str, Job] | None] = queue.Queue(maxsize=size)
        self._workers = workers
        self._threads: list[threading.Thread] = []

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    @property
    def workers(self) -> int:
        return self._workers

    def start(self) -> None:
        for index in range(self._workers - len(self._threads)):
            thread = threading.Thread(target=self._work, name=f"webhook-worker-{index}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def submit(self, label: str, job: Job) -> bool:
        try:
            self._queue.put_nowait((label, job))
        except queue.Full:
            return False
        return True

    def drain(self) -> None:
        """Wait until every queued job has run (tests, graceful shutdown)."""
        self._queue.join()

    def stop(self, timeout: float = 30.0) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                label, job = item
                try:
                    job()
                except Exception as exc:  # one bad delivery must not stop the worker
                    log.error("job failed", extra={"job": label, "error": type(exc).__name__})
            finally:
                self._queue.task_done()

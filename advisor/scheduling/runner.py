"""The scheduler loop: APScheduler 3's ``BlockingScheduler`` in one process.

- No overlapping runs of a job: ``max_instances=1``; a tick that comes while the last
  run is still going is skipped and logged. ``coalesce`` folds a backlog of missed
  ticks into one run.
- Missed runs (the process was down or busy beyond ``misfire_grace_time``) are logged.
- SIGTERM or SIGINT leads to ``shutdown(wait=True)`` (from a thread the signal handler
  starts): no new run starts, the running job finishes, then the process exits 0.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_START,
    JobEvent,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger

from advisor.scheduling.config import JobSpec, Schedule, trigger_for
from advisor.scheduling.jobs import Commands, run_job

log = logging.getLogger("advisor.schedule")


def build_scheduler(schedule: Schedule) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        executors={"default": ThreadPoolExecutor(schedule.max_parallel_jobs)},
        job_defaults={"max_instances": 1, "coalesce": True,
                      "misfire_grace_time": schedule.misfire_grace_seconds},
        timezone=ZoneInfo(schedule.timezone))
    scheduler.add_listener(_log_event, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
                           | EVENT_JOB_ERROR)
    return scheduler


def add_job(scheduler: BaseScheduler, job_id: str, func: Callable[[], object],
            trigger: BaseTrigger, *, grace: int | None = None,
            next_run_time: datetime | None = None) -> None:
    """One job, never overlapping itself (the defaults above, restated so tests see them)."""
    extra = {"next_run_time": next_run_time} if next_run_time else {}
    scheduler.add_job(func, trigger, id=job_id, name=job_id, max_instances=1, coalesce=True,
                      misfire_grace_time=grace, replace_existing=True, **extra)


def add_jobs(scheduler: BaseScheduler, schedule: Schedule, commands: Commands) -> None:
    for spec in schedule.enabled_jobs:
        add_job(scheduler, spec.name, _caller(spec, commands),
                trigger_for(spec, schedule.timezone), grace=schedule.misfire_grace_seconds)


def _caller(spec: JobSpec, commands: Commands) -> Callable[[], bool]:
    def call() -> bool:
        return run_job(commands, spec.name, spec.command, spec.args)

    return call


def _log_event(event: JobEvent) -> None:
    if event.code == EVENT_JOB_MISSED and isinstance(event, JobExecutionEvent):
        log.warning("job %s missed its run at %s (more than the grace time late); "
                    "the next tick runs it", event.job_id, _when(event.scheduled_run_time))
    elif event.code == EVENT_JOB_MAX_INSTANCES and isinstance(event, JobSubmissionEvent):
        times = ", ".join(_when(t) for t in event.scheduled_run_times)
        log.warning("job %s skipped its run at %s: the previous run is still going "
                    "(runs never overlap)", event.job_id, times)
    elif event.code == EVENT_JOB_ERROR and isinstance(event, JobExecutionEvent):
        log.error("job %s failed: %s", event.job_id, event.exception)


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def run_forever(scheduler: BlockingScheduler) -> None:
    """Block until SIGTERM/SIGINT; then let the running job finish and return.

    The handler only starts a thread that calls ``shutdown(wait=True)``. Calling it in
    the handler itself can deadlock: the signal may interrupt the main thread while it
    holds the executor's lock, which the finishing job needs before the wait can end.
    """
    stopping = threading.Event()
    stoppers: list[threading.Thread] = []

    def shutdown(name: str) -> None:
        log.warning("%s received: no new runs; waiting for the running job to finish", name)
        with contextlib.suppress(SchedulerNotRunningError):  # not started: `started` stops it
            scheduler.shutdown(wait=True)

    def stop(signum: int, _frame: FrameType | None) -> None:
        if stopping.is_set():  # a second signal: the first stop is already under way
            return
        stopping.set()
        name = signal.Signals(signum).name
        stopper = threading.Thread(target=shutdown, args=(name,), name="schedule-stop")
        stoppers.append(stopper)
        stopper.start()

    def started(_event: object) -> None:
        if stopping.is_set():  # the signal came before the scheduler ran: stop at once
            with contextlib.suppress(SchedulerNotRunningError):
                scheduler.shutdown(wait=False)
            return
        log.info("scheduler started with %d job(s)", len(scheduler.get_jobs()))

    scheduler.add_listener(started, EVENT_SCHEDULER_START)
    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        scheduler.start()
        for stopper in stoppers:
            stopper.join()  # the loop ends at once; the running job may take longer
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("scheduler stopped cleanly")

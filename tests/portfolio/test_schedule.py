"""``advisor schedule``: the schedule file, no overlapping runs, missed runs logged, a clean
stop on SIGTERM, and jobs that run the very code the commands run."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from advisor.commands.schedule import schedulable
from advisor.context import open_controls
from advisor.scheduling.config import Schedule, load_schedule
from advisor.scheduling.jobs import check_arguments, run_job
from advisor.scheduling.publishing import publishing_policy
from advisor.scheduling.runner import add_job, build_scheduler
from advisor.settings import load_settings
from governance.errors import ConfigError
from tests.portfolio.sample import home, snapshot_file

__all__ = ["home"]
REPO = Path(__file__).resolve().parents[2]
JOB = """\
jobs:
  - name: pay-fortnightly
    cron: "0 7 * * 1"
    command: portfolio-summary
    args: {projects: PAY, period: 14d, format: json, output: out}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schedule.yaml"
    path.write_text(text)
    return path


def test_the_shipped_schedule_is_valid_and_publishes_no_drafts() -> None:
    schedule = load_schedule(schedulable(), REPO / "config" / "schedule.yaml")
    assert {j.command for j in schedule.jobs} == {"portfolio-summary", "release-report"}
    assert schedule.publishing.draft_before_signoff is False
    assert publishing_policy(REPO / "config" / "schedule.yaml").draft_before_signoff is False


def test_job_arguments_take_the_commands_types(tmp_path: Path) -> None:
    (job,) = load_schedule(schedulable(), write(tmp_path, JOB)).jobs
    assert job.args["output"] == Path("out") and job.args["projects"] == "PAY"
    assert check_arguments(schedulable(), "release-report", {"fix-version": "2.4.0"}) == {
        "fix_version": "2.4.0"}


@pytest.mark.parametrize(("text", "message"), [
    (JOB.replace('"0 7 * * 1"', '"61 7 * * 1"'), "jobs.0.cron: '61 7 * * 1' is not a crontab"),
    (JOB.replace('"0 7 * * 1"', '"0 7 * *"'), "Wrong number of fields"),
    (JOB.replace("portfolio-summary", "deploy"), "jobs.0.command"),
    (JOB.replace("projects: PAY", "project: PAY"), "has no option 'project'"),
    (JOB.replace("format: json", "publish: maybe"), "option 'publish'"),
    (JOB + JOB[5:], "jobs: job name 'pay-fortnightly' is used twice"),
    ("timezone: Mars/Olympus\n" + JOB, "unknown time zone"),
    (JOB + "surprise: 1\n", "surprise: Extra inputs are not permitted"),
    ("jobs: [\n", "cannot read"),
    ("- just\n- a list\n", "must hold a mapping"),
])
def test_a_malformed_schedule_is_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as raised:
        load_schedule(schedulable(), write(tmp_path, text))
    assert "\n" not in str(raised.value) and "schedule.yaml" in str(raised.value)


def test_schedule_list_and_a_bad_file_on_the_command_line(tmp_path: Path) -> None:
    good = subprocess.run([sys.executable, "-m", "advisor", "schedule", "list", "--file",
                           str(write(tmp_path, JOB))], capture_output=True, text=True,
                          cwd=REPO, timeout=120, check=False, env={**os.environ,
                                                                   "COLUMNS": "200"})
    assert good.returncode == 0, good.stderr
    assert "pay-fortnightly" in good.stdout and "0 7 * * 1" in good.stdout
    assert re.search(r"\d{4}-\d{2}-\d{2} 07:00", good.stdout)
    bad = subprocess.run([sys.executable, "-m", "advisor", "schedule", "run", "--file",
                          str(write(tmp_path, JOB.replace("0 7", "0 25")))],
                         capture_output=True, text=True, cwd=REPO, timeout=120, check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "is not a crontab expression" in bad.stderr


# -- the loop ---------------------------------------------------------------------------------


def test_a_run_that_outlasts_the_next_tick_never_overlaps_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="advisor.schedule")
    lock = threading.Lock()
    running, peak, runs = [0], [0], [0]

    def slow() -> None:
        with lock:
            running[0] += 1
            runs[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.9)
        with lock:
            running[0] -= 1

    scheduler = build_scheduler(Schedule(max_parallel_jobs=4))  # room to overlap, if allowed
    add_job(scheduler, "slow", slow, IntervalTrigger(seconds=0.2), grace=30)
    loop = threading.Thread(target=scheduler.start)
    loop.start()
    time.sleep(2.2)
    scheduler.shutdown(wait=True)
    loop.join(timeout=10)
    assert peak[0] == 1 and runs[0] >= 2
    assert "job slow skipped its run at" in caplog.text
    assert "the previous run is still going" in caplog.text


def test_a_missed_run_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="advisor.schedule")
    ran: list[bool] = []
    scheduler = build_scheduler(Schedule())
    late = datetime.now(UTC) - timedelta(seconds=30)
    add_job(scheduler, "late", lambda: ran.append(True), IntervalTrigger(hours=1), grace=1,
            next_run_time=late)
    loop = threading.Thread(target=scheduler.start)
    loop.start()
    deadline = time.monotonic() + 10
    while "missed its run" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    scheduler.shutdown(wait=True)
    loop.join(timeout=10)
    assert "job late missed its run at" in caplog.text and ran == []


def test_a_job_runs_the_same_code_as_the_command(home: Path, tmp_path: Path) -> None:
    args = check_arguments(schedulable(), "portfolio-summary", {
        "snapshot": str(snapshot_file(tmp_path)), "projects": "PAY", "format": "json",
        "output": str(tmp_path / "out")})
    assert run_job(schedulable(), "pay", "portfolio-summary", args) is True
    (record,) = open_controls(load_settings()).registry.list()
    assert record.kind == "portfolio" and record.status.value == "pending_signoff"
    assert (tmp_path / "out" / f"{record.id}.json").exists()


def test_a_failing_job_is_logged_and_never_raises(home: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="advisor.scheduling.jobs")
    assert run_job(schedulable(), "pay", "portfolio-summary", {"projects": "P Y"}) is False
    assert "job pay: portfolio-summary failed: --projects" in caplog.text


# -- stopping -----------------------------------------------------------------------------------

SLOW_SCHEDULER = """\
import sys, time
from apscheduler.triggers.interval import IntervalTrigger
from advisor.scheduling.config import Schedule
from advisor.scheduling.runner import add_job, build_scheduler, run_forever
import logging
logging.basicConfig(level=logging.INFO)

def job():
    print("job started", flush=True)
    time.sleep(2)
    print("job finished", flush=True)

scheduler = build_scheduler(Schedule())
add_job(scheduler, "slow", job, IntervalTrigger(seconds=0.2), grace=60)
run_forever(scheduler)
print("exited", flush=True)
"""


def _wait_for(stream: object, text: str, timeout: float = 120) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()  # type: ignore[attr-defined]
        if not line:
            break
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"{text!r} never appeared in: {''.join(seen)}")


def test_sigterm_lets_the_running_job_finish_then_exits_cleanly(tmp_path: Path) -> None:
    script = tmp_path / "slow_scheduler.py"
    script.write_text(textwrap.dedent(SLOW_SCHEDULER))
    process = subprocess.Popen([sys.executable, str(script)], cwd=REPO, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        _wait_for(process.stdout, "job started")
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out.splitlines() == ["job finished", "exited"], "the running job finished; no new one"
    assert "SIGTERM received" in err and "scheduler stopped cleanly" in err


def test_advisor_schedule_run_stops_on_sigterm(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", "schedule", "run", "--file", str(write(tmp_path, JOB))],
        cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for(process.stderr, "scheduler started with 1 job(s)")
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "scheduler stopped cleanly" in err

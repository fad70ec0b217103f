"""``advisor schedule run`` and ``advisor schedule list``: jobs from config/schedule.yaml."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from advisor.commands.common import Column, print_table

if TYPE_CHECKING:
    from advisor.scheduling.jobs import Commands

app = typer.Typer(help="Run the advisor's commands on cron schedules.", no_args_is_help=True)

FileOption = Annotated[
    Path | None,
    typer.Option("--file", metavar="FILE", help="Schedule file (default: config/schedule.yaml)."),
]


def schedulable() -> Commands:
    """The commands a job may run: the same functions the CLI runs, in-process."""
    from advisor.commands.portfolio import portfolio_summary
    from advisor.commands.release import release_report

    return {"portfolio-summary": portfolio_summary, "release-report": release_report}


@app.command("run")
def schedule_run(file: FileOption = None) -> None:
    """Run the scheduled jobs in this process until SIGTERM or Ctrl-C.

    Runs of one job never overlap; missed runs are logged; a stop lets the running job
    finish. Each job runs the same code as the command it names.
    """
    from advisor.logs import configure_plain
    from advisor.scheduling.config import load_schedule
    from advisor.scheduling.runner import add_jobs, build_scheduler, run_forever

    commands = schedulable()
    schedule = load_schedule(commands, file)
    configure_plain("INFO", "%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # our listener says it plainly
    scheduler = build_scheduler(schedule)
    add_jobs(scheduler, schedule, commands)
    if not schedule.enabled_jobs:
        logging.getLogger("advisor.schedule").warning("no enabled jobs in the schedule")
    run_forever(scheduler)


@app.command("list")
def schedule_list(file: FileOption = None) -> None:
    """Show the jobs, their schedules and when each fires next."""
    from advisor.scheduling.config import load_schedule, trigger_for

    schedule = load_schedule(schedulable(), file)
    if not schedule.jobs:
        typer.echo("No jobs in the schedule.")
        return
    zone = ZoneInfo(schedule.timezone)
    now = datetime.now(zone)
    rows = []
    for job in schedule.jobs:
        fire = trigger_for(job, schedule.timezone).get_next_fire_time(None, now)
        when = f"{fire:%Y-%m-%d %H:%M}" if job.enabled and fire else "disabled"
        args = " ".join(f"--{k.replace('_', '-')}={v}" for k, v in job.args.items())
        rows.append([job.name, job.command, job.cron, when, args])
    print_table([Column("job", key=True), Column("command"), Column("cron"),
                 Column(f"next run ({schedule.timezone})"), Column("arguments", drop=1)], rows)

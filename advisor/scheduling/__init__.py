"""``advisor schedule``: cron-driven runs of the same commands people type (docs/scheduling.md).

``config`` reads and checks ``config/schedule.yaml``; ``jobs`` turns a job's arguments
into a call of the command function; ``runner`` is the APScheduler loop: one process,
no overlapping runs of a job, missed runs logged, a clean stop on SIGTERM/SIGINT.
"""

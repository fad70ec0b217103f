"""The webhook server in a process of its own, as deployed, with jobs that only log.

``python -m tests.bot.webhook_process PORT LOG WORK_S GRACE_S`` (the store comes from
ADVISOR_DATABASE_URL / ADVISOR_HOME): each job appends its delivery id to LOG when it
starts, then takes WORK_S seconds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pydantic import SecretStr

from advisor.context import open_controls
from advisor.settings import load_settings
from advisor.webhook import WebhookConfig, create_app
from advisor.webhook.queue import Claim
from advisor.webhook.server import delivery_queue, run_server
from advisor.webhook.work import QueueRunner

SECRET = "process-secret"  # a throw-away webhook secret


def main(port: int, log: Path, work_s: float, grace_s: float) -> None:
    config = WebhookConfig(secret=SecretStr(SECRET), workers=2, queue_size=100,
                           grace_s=grace_s, header_timeout_s=0.5, body_timeout_s=0.5)
    queue = delivery_queue(open_controls(load_settings()), config)

    def job(claim: Claim) -> None:
        with log.open("a", encoding="utf-8") as out:
            out.write(claim.delivery_id + "\n")
        time.sleep(work_s)

    runner = QueueRunner(queue, job, config.workers, poll_s=0.1)
    run_server(create_app(config, queue, runner), config, host="127.0.0.1", port=port,
               log_level="warning")


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]))

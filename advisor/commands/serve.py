"""``advisor serve``: the PR bot's webhook server (FastAPI on uvicorn)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from advisor.commands.inputs import existing_file, one_of
from advisor.errors import UsageError

Opt = typer.Option
SECRET_ENV = "GITHUB_WEBHOOK_SECRET"  # noqa: S105 (the variable's name)
LOG_LEVELS = ("debug", "info", "warning", "error")


def serve(
    host: Annotated[str, Opt(metavar="ADDRESS", help="Address to bind (put a TLS proxy in "
                                                    "front).")] = "127.0.0.1",
    port: Annotated[int, Opt(metavar="PORT", min=1, max=65_535, help="Port to listen on.")
                    ] = 8080,
    workers: Annotated[int, Opt(metavar="N", min=1, max=256, help="Reviews running at once.")
                       ] = 4,
    queue_size: Annotated[int, Opt(metavar="N", min=1, max=100_000,
                                   help="Deliveries queued or running at most (all "
                                        "replicas); more answer 503.")] = 100,
    max_body: Annotated[int, Opt(metavar="BYTES", min=1, max=1 << 30,
                                 help="Largest accepted body in bytes (413 above).")
                        ] = 5 * 1024 * 1024,
    max_connections: Annotated[int, Opt(metavar="N", min=1, max=100_000,
                                        help="Open connections at most; more answer 503.")
                               ] = 200,
    header_timeout: Annotated[float, Opt(metavar="SECONDS", min=0.1,
                                         help="Seconds for a request's headers to arrive.")
                              ] = 10.0,
    body_timeout: Annotated[float, Opt(metavar="SECONDS", min=0.1,
                                       help="Seconds for a body to arrive (408 after).")
                            ] = 10.0,
    grace: Annotated[float, Opt(metavar="SECONDS", min=0.0,
                                help="On SIGTERM, seconds running work may take to finish "
                                     "before it is queued again for the next start.")] = 30.0,
    signoff_max_age: Annotated[float, Opt(metavar="SECONDS", min=1.0,
                                          help="A sign-off comment older than this many "
                                               "seconds when it arrives is refused.")] = 600.0,
    config: Annotated[Path | None, Opt(
        "--config", metavar="FILE", help="Bot config (default config/bot.yaml).")] = None,
    log_level: Annotated[str, Opt(
        metavar="LEVEL", help=f"{', '.join(LOG_LEVELS)}.")] = "info",
) -> None:
    """Serve GitHub webhooks: review PRs, take sign-off commands from PR comments.

    Accepted deliveries are kept in the governance store (the queue survives restarts).
    The webhook secret comes from GITHUB_WEBHOOK_SECRET; GitHub credentials from
    GITHUB_APP_ID/GITHUB_APP_PRIVATE_KEY (installation from each delivery) or GITHUB_TOKEN.
    """
    from pydantic import SecretStr

    from advisor import logs
    from advisor.configuration import load_bot
    from advisor.context import open_controls
    from advisor.settings import load_settings
    from advisor.webhook.app import WebhookConfig
    from advisor.webhook.server import build_server, run_server

    one_of(log_level.lower(), LOG_LEVELS, "--log-level")
    existing_file(config, "--config")
    secret = os.environ.get(SECRET_ENV, "").strip()
    if not secret:
        raise UsageError(f"{SECRET_ENV} is not set: refusing to accept unsigned webhooks")
    load_bot(config)  # a bad file fails now, not on the first delivery
    logs.configure(log_level)
    settings = load_settings()
    webhook = WebhookConfig(secret=SecretStr(secret), max_body_bytes=max_body,
                            queue_size=queue_size, workers=workers,
                            body_timeout_s=body_timeout, header_timeout_s=header_timeout,
                            grace_s=grace, signoff_max_age_s=signoff_max_age)
    app = build_server(settings, open_controls(settings), webhook,
                       bot_config_file=str(config) if config else None)
    run_server(app, webhook, host=host, port=port, max_connections=max_connections,
               log_level=log_level)

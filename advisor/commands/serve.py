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
                                   help="Deliveries waiting at most; more answer 503.")] = 100,
    max_body: Annotated[int, Opt(metavar="BYTES", min=1, max=1 << 30,
                                 help="Largest accepted body in bytes (413 above).")
                        ] = 5 * 1024 * 1024,
    config: Annotated[Path | None, Opt(
        "--config", metavar="FILE", help="Bot config (default config/bot.yaml).")] = None,
    log_level: Annotated[str, Opt(
        metavar="LEVEL", help=f"{', '.join(LOG_LEVELS)}.")] = "info",
) -> None:
    """Serve GitHub webhooks: review PRs, take sign-off commands from PR comments.

    The webhook secret comes from GITHUB_WEBHOOK_SECRET; GitHub credentials from
    GITHUB_APP_ID/GITHUB_APP_PRIVATE_KEY (installation from each delivery) or GITHUB_TOKEN.
    """
    import uvicorn
    from pydantic import SecretStr

    from advisor.configuration import load_bot
    from advisor.context import open_controls
    from advisor.settings import load_settings
    from advisor.webhook import logs
    from advisor.webhook.app import WebhookConfig
    from advisor.webhook.server import build_server

    one_of(log_level.lower(), LOG_LEVELS, "--log-level")
    existing_file(config, "--config")
    secret = os.environ.get(SECRET_ENV, "").strip()
    if not secret:
        raise UsageError(f"{SECRET_ENV} is not set: refusing to accept unsigned webhooks")
    load_bot(config)  # a bad file fails now, not on the first delivery
    logs.configure(log_level)
    settings = load_settings()
    webhook = WebhookConfig(secret=SecretStr(secret), max_body_bytes=max_body,
                            queue_size=queue_size, workers=workers)
    app = build_server(settings, open_controls(settings), webhook,
                       bot_config_file=str(config) if config else None)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False,
                log_level=log_level.lower())

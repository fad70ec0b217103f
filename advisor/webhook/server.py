"""The webhook server wired to the governance store, the graphs and the publisher."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from advisor.settings import Settings
from advisor.webhook.app import WebhookConfig, create_app
from advisor.webhook.handlers import BotHandlers
from advisor.webhook.queue import DeliveryQueue
from advisor.webhook.work import QueueRunner
from governance.controls import Controls
from graphs.security_review import ReviewServices


def delivery_queue(controls: Controls, config: WebhookConfig) -> DeliveryQueue:
    """The durable queue on the governance store; stored jobs are redacted."""
    return DeliveryQueue(controls.store, capacity=config.queue_size,
                         redact=controls.redactor.redact_data)


def run_server(app: FastAPI, config: WebhookConfig, *, host: str, port: int,
               max_connections: int = 200, log_level: str = "info") -> None:
    """uvicorn, with the header deadline, a connection cap and keep-alive kept short.

    SIGTERM: uvicorn stops accepting and waits for open requests, then the application's
    shutdown finishes or releases the work in hand (``WebhookConfig.grace_s``).
    """
    import uvicorn

    from advisor.webhook.http import protocol_with_header_timeout

    uvicorn.Server(uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False,
        log_level=log_level.lower(), http=protocol_with_header_timeout(config.header_timeout_s),
        limit_concurrency=max_connections, timeout_keep_alive=5,
        timeout_graceful_shutdown=int(max(1, config.body_timeout_s)))).run()


def build_server(settings: Settings, controls: Controls, config: WebhookConfig, *,
                 services: Callable[[int | None], ReviewServices] | None = None,
                 bot_config_file: str | None = None) -> FastAPI:
    from advisor.context import graph_context

    handlers = BotHandlers(graph_context(settings, controls),
                           services or (lambda _installation: ReviewServices()),
                           bot_config_file, signoff_max_age_s=config.signoff_max_age_s)
    queue = delivery_queue(controls, config)
    return create_app(config, queue, QueueRunner(queue, handlers.handle, config.workers))

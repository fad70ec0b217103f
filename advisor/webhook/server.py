"""The webhook server wired to the governance store, the graphs and the publisher."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from advisor.settings import Settings
from advisor.webhook.app import WebhookConfig, create_app, dispatcher
from advisor.webhook.deliveries import DeliveryLog
from advisor.webhook.handlers import BotHandlers
from advisor.webhook.work import WorkQueue
from governance.controls import Controls
from graphs.security_review import ReviewServices


def build_server(settings: Settings, controls: Controls, config: WebhookConfig, *,
                 services: Callable[[int | None], ReviewServices] | None = None,
                 bot_config_file: str | None = None) -> FastAPI:
    from advisor.context import graph_context

    handlers = BotHandlers(graph_context(settings, controls),
                           services or (lambda _installation: ReviewServices()),
                           bot_config_file)
    return create_app(config, DeliveryLog(controls.store),
                      WorkQueue(config.queue_size, config.workers),
                      dispatcher(handlers.review, handlers.signoff))

"""The PR bot's webhook server (``advisor serve``): verified, deduplicated, queued."""

from advisor.webhook.app import WebhookConfig, create_app
from advisor.webhook.signature import sign, verify

__all__ = ["WebhookConfig", "create_app", "sign", "verify"]

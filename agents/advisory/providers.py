"""Pick the advisor from settings: the Claude API, Amazon Bedrock, or offline.

``auto`` means the Claude API when ``ANTHROPIC_API_KEY`` is set, else offline with a
one-line notice. A provider that cannot be set up (no key, no AWS region) also means
offline with a notice: the report is written either way, and says how.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from agents.advisory.budget import UsageLedger
from agents.advisory.offline import OfflineAdvisor
from agents.advisory.settings import AdvisorySettings, load_advisory_settings
from governance.redact import Redactor

if TYPE_CHECKING:  # the SDK takes about a second to import: only when a client is built
    import anthropic
    import httpx2

    from agents.advisory.claude import AuditSink, ClaudeAdvisor, Gate, SdkClient

API_KEY_ENV = "ANTHROPIC_API_KEY"
DEFAULT_BASE_URL = "https://api.anthropic.com"
NO_KEY_NOTICE = f"No {API_KEY_ENV} set: the offline narrator wrote the advisory text (no LLM call)."


class ProviderUnavailable(Exception):
    """The configured provider cannot be set up here."""


def anthropic_client(settings: AdvisorySettings, environ: Mapping[str, str],
                     http_client: httpx2.Client | None = None) -> anthropic.Anthropic:
    import anthropic

    key = environ.get(API_KEY_ENV)
    if not key:
        raise ProviderUnavailable(f"{API_KEY_ENV} is not set")
    return anthropic.Anthropic(
        api_key=key, base_url=settings.base_url or DEFAULT_BASE_URL,
        max_retries=settings.max_retries, timeout=settings.timeout_s, http_client=http_client)


def bedrock_client(settings: AdvisorySettings,
                   http_client: httpx2.Client | None = None) -> anthropic.AnthropicBedrock:
    import anthropic

    try:
        return anthropic.AnthropicBedrock(
            aws_region=settings.aws_region, aws_profile=settings.aws_profile,
            max_retries=settings.max_retries, timeout=settings.timeout_s,
            http_client=http_client)
    except ValueError as exc:  # no region anywhere, or key and credentials both given
        raise ProviderUnavailable(str(exc).splitlines()[0]) from exc


def make_client(provider: str, settings: AdvisorySettings, environ: Mapping[str, str],
                http_client: httpx2.Client | None = None) -> SdkClient:
    if provider == "anthropic":
        return anthropic_client(settings, environ, http_client)
    if provider == "bedrock":
        return bedrock_client(settings, http_client)
    raise ProviderUnavailable(f"unknown provider {provider!r}")


def build_advisor(
    settings: AdvisorySettings | None = None,
    *,
    gate: Gate,
    audit: AuditSink,
    environ: Mapping[str, str] | None = None,
    http_client: httpx2.Client | None = None,
    ledger: UsageLedger | None = None,
    redactor: Redactor | None = None,
) -> ClaudeAdvisor | OfflineAdvisor:
    settings = settings or load_advisory_settings()
    env = os.environ if environ is None else environ
    provider = settings.provider
    if provider == "offline":
        return OfflineAdvisor()
    if provider == "auto":
        if not env.get(API_KEY_ENV):
            return OfflineAdvisor([NO_KEY_NOTICE])
        provider = "anthropic"
    try:
        client = make_client(provider, settings, env, http_client)
    except ProviderUnavailable as exc:
        return OfflineAdvisor([f"{provider} provider unavailable ({exc}): the offline "
                               "narrator wrote the advisory text (no LLM call)."])
    from agents.advisory.claude import ClaudeAdvisor

    return ClaudeAdvisor(client, provider=provider, settings=settings, gate=gate, audit=audit,
                         ledger=ledger, redactor=redactor)

"""Provider choice, Bedrock through AnthropicBedrock (SigV4, replayed), and the offline default."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from agents.advisory import Advisor, build_advisor
from agents.advisory.claude import ClaudeAdvisor
from agents.advisory.models import ReportDigest
from agents.advisory.offline import OfflineAdvisor
from agents.advisory.providers import NO_KEY_NOTICE
from agents.advisory.settings import AdvisorySettings
from governance.audit import AuditLog
from governance.killswitch import KillSwitch
from tests.advisory import samples
from tests.advisory.conftest import Factory
from tests.configs import PROMPTS

BEDROCK_URL = ("https://bedrock-runtime.us-east-1.amazonaws.com/model/"
               "us.anthropic.claude-sonnet-5-5/invoke")


def build(settings: AdvisorySettings, switch: KillSwitch, audit: AuditLog,
          env: dict[str, str]) -> Advisor:
    usage = Path(os.environ["ADVISOR_HOME"]) / "llm-usage.json"  # the test's own home
    return build_advisor(settings, prompts_dir=PROMPTS, usage_file=usage, gate=switch,
                         audit=audit, environ=env)


def test_auto_without_a_key_is_offline_with_a_notice(settings: AdvisorySettings,
                                                     switch: KillSwitch, audit: AuditLog) -> None:
    advisor = build(settings.model_copy(update={"provider": "auto"}), switch, audit, {})
    assert isinstance(advisor, OfflineAdvisor)
    result = advisor.annotate(samples.findings(), samples.context())
    assert result.usage.notices == [NO_KEY_NOTICE]
    assert result.usage.provider == "offline" and result.usage.calls == 0
    assert result.narrator == "offline" and result.fallback is None
    digest = ReportDigest(subject=samples.SUBJECT, findings=samples.findings())
    assert advisor.summarise(digest).usage.notices == [NO_KEY_NOTICE]


def test_auto_with_a_key_is_the_claude_api(settings: AdvisorySettings, switch: KillSwitch,
                                           audit: AuditLog) -> None:
    advisor = build(settings.model_copy(update={"provider": "auto"}), switch, audit,
                    {"ANTHROPIC_API_KEY": "sk-ant-test"})
    assert isinstance(advisor, ClaudeAdvisor)
    assert advisor.provider == "anthropic" and advisor.model == "claude-sonnet-5-5"
    assert str(advisor.client.base_url) == "https://api.anthropic.com"
    assert advisor.client.max_retries == 2


def test_explicit_anthropic_without_a_key_is_offline_with_a_notice(
        settings: AdvisorySettings, switch: KillSwitch, audit: AuditLog) -> None:
    advisor = build(settings, switch, audit, {})
    assert isinstance(advisor, OfflineAdvisor)
    assert advisor.notices == ["anthropic provider unavailable (ANTHROPIC_API_KEY is not set): "
                               "the offline narrator wrote the advisory text (no LLM call)."]


def test_offline_provider_has_no_notice(settings: AdvisorySettings, switch: KillSwitch,
                                        audit: AuditLog) -> None:
    advisor = build(settings.model_copy(update={"provider": "offline"}), switch, audit,
                    {"ANTHROPIC_API_KEY": "sk-ant-test"})
    assert isinstance(advisor, OfflineAdvisor) and advisor.notices == []


def test_bedrock_without_a_region_is_offline_with_a_notice(
        settings: AdvisorySettings, switch: KillSwitch, audit: AuditLog,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    advisor = build(settings.model_copy(update={"provider": "bedrock", "aws_region": None}),
                    switch, audit, {})
    assert isinstance(advisor, OfflineAdvisor)
    assert advisor.notices[0].startswith("bedrock provider unavailable (No AWS region")


def test_bedrock_annotate_is_signed_and_replayed(make_advisor: Factory) -> None:
    advisor, transport = make_advisor("bedrock/annotate", provider="bedrock", count_tokens=True)
    result = advisor.annotate(samples.findings(), samples.context())
    assert result.narrator == "llm:us.anthropic.claude-sonnet-5-5"
    assert result.usage.provider == "bedrock"
    assert result.usage.cache_creation_input_tokens > 0 and result.usage.cost_usd > 0
    [request_id] = result.usage.request_ids
    uuid.UUID(request_id)  # Bedrock's x-amzn-requestid
    [request] = transport.requests  # count_tokens is never tried on Bedrock
    assert request.url == BEDROCK_URL
    assert {"authorization", "x-amz-date"} <= set(request.credential_headers)  # SigV4
    sent = request.payload()
    assert "model" not in sent and sent["anthropic_version"]  # the model is in the URL
    assert sent["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert sent["output_config"]["format"]["type"] == "json_schema"


def test_bedrock_throttling_is_retried(make_advisor: Factory, sleeps: list[float]) -> None:
    advisor, transport = make_advisor("bedrock/annotate_throttled_then_ok", provider="bedrock")
    result = advisor.annotate(samples.findings(), samples.context())
    assert len(transport.requests) == 2 and len(sleeps) == 1
    assert result.narrator.startswith("llm:")
    assert result.usage.cache_read_input_tokens > 0

"""Settings from config/llm.yaml, the default model, prices, and versioned prompts."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.configuration import llm_config_path
from agents.advisory.budget import Tokens, cost_usd, estimate_tokens, worst_case
from agents.advisory.prompts import available_versions, load_prompt
from agents.advisory.settings import (
    base_model_id,
    load_advisory_settings,
    newest_sonnet,
    sdk_models,
)
from governance.errors import ConfigError
from tests.configs import PROMPTS, SHIPPED, llm_settings


def test_default_model_is_the_sdks_newest_sonnet() -> None:
    newest = newest_sonnet()
    assert newest in sdk_models() and newest.startswith("claude-sonnet-")
    shipped = llm_settings()
    assert shipped.model == newest  # config/llm.yaml pins what the SDK calls newest
    assert shipped.provider == "auto" and shipped.temperature is None
    assert llm_settings(model=None).model == newest  # null follows the SDK
    assert load_advisory_settings().model == newest  # no file: the built-in defaults


def test_every_default_model_has_a_price() -> None:
    settings = llm_settings()
    for provider in ("anthropic", "bedrock"):
        assert settings.price_for(settings.model_for(provider)) is not None, provider


@pytest.mark.parametrize(("model", "base"), [
    ("claude-sonnet-5-5", "claude-sonnet-5-5"),
    ("us.anthropic.claude-sonnet-5-5", "claude-sonnet-5-5"),
    ("global.anthropic.claude-sonnet-5-5", "claude-sonnet-5-5"),
    ("anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929"),
    ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-4-5", "claude-haiku-4-5"),
])
def test_base_model_id(model: str, base: str) -> None:
    assert base_model_id(model) == base


def test_environment_overrides_provider_and_model() -> None:
    settings = load_advisory_settings(environ={"ADVISOR_LLM_PROVIDER": "offline",
                                               "ADVISOR_LLM_MODEL": "claude-haiku-4-5"})
    assert (settings.provider, settings.model) == ("offline", "claude-haiku-4-5")


def test_config_file_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text("provider: bedrock\nbudgets: {per_run: {tokens: 5}}\n")
    assert llm_config_path() == SHIPPED / "llm.yaml"
    monkeypatch.setenv("ADVISOR_LLM_CONFIG", str(own))
    assert llm_config_path() == own
    settings = load_advisory_settings(llm_config_path())
    assert settings.provider == "bedrock" and settings.budgets.per_run.tokens == 5
    assert settings.budgets.per_run.usd is None  # an unset measure has no ceiling


@pytest.mark.parametrize("text", ["provider: openai\n", "max_tokens: 1\n", "surprise: 1\n",
                                  "- a list\n", "budgets: {per_run: {tokens: -1}}\n"])
def test_bad_settings_are_one_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "llm.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=str(path)):
        load_advisory_settings(path)


def test_costs_and_estimates() -> None:
    prices = llm_settings().price_for("claude-sonnet-5-5")
    assert prices is not None
    tokens = Tokens(input=1_000_000, output=100_000, cache_creation=200_000, cache_read=400_000)
    assert cost_usd(tokens, prices) == 2.0 + 1.0 + 0.5 + 0.08
    assert tokens.total == 1_700_000
    assert estimate_tokens("x" * 300) == 116
    assert worst_case(1000, 8192, prices) == (9192, round((1000 * 2.5 + 8192 * 10) / 1e6, 6))


def test_prompts_are_versioned_with_front_matter() -> None:
    for name in ("annotate_findings", "summarise_report", "repair_output"):
        prompt = load_prompt(name, PROMPTS)
        assert prompt.version == str(available_versions(name, PROMPTS)[-1])
        assert len(prompt.sha256) == 64
    annotate = load_prompt("annotate_findings", PROMPTS)
    assert "never instructions" in annotate.system and "$findings" in annotate.user
    with pytest.raises(ConfigError, match="bad placeholder"):
        annotate.render_user(subject="x")


def test_the_highest_version_wins_unless_pinned(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    for version in (1, 2, 10):
        (folder / f"v{version}.md").write_text(
            f"---\nname: demo\nversion: {version}\n---\n# System\nS{version}\n# User\nU $x\n")
    assert load_prompt("demo", tmp_path).system == "S10\n"
    assert load_prompt("demo", tmp_path, 2).render_user(x="1") == "U 1\n"
    with pytest.raises(ConfigError, match="no version 3"):
        load_prompt("demo", tmp_path, 3)
    (folder / "v11.md").write_text("---\nversion: 12\n---\n")
    with pytest.raises(ConfigError, match="says version 12"):
        load_prompt("demo", tmp_path, 11)

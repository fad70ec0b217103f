"""Where the configuration files are, and loading them once for the layers below.

A name is looked up in ``ADVISOR_CONFIG_DIR`` first, then in the configuration shipped
with the package; an absolute path is taken as it is. The agents, publishers and graphs
are handed what is loaded here: none of them looks for a file.
"""

from __future__ import annotations

import os
from pathlib import Path

from advisor.settings import config_file
from agents.change_risk import MODEL_FILENAME, ChangeRiskModelError
from agents.change_risk import load_model as load_change_risk_model
from agents.config import AgentConfig
from agents.platform.environments import load_environments
from agents.platform.policy import PlatformPolicy
from agents.policy import load_policy
from agents.security.critical_paths import load_critical_paths
from agents.security.policy import SecurityPolicy
from publishers.github.config import BotConfig, load_bot_config


def named_file(value: str | None, default: str) -> Path:
    """A file a setting names: absolute as given, relative (or unset) like every config file."""
    if value and Path(value).expanduser().is_absolute():
        return Path(value).expanduser()
    return config_file(value or default)


def llm_config_path() -> Path:
    """``ADVISOR_LLM_CONFIG``, else ``llm.yaml`` like every config file."""
    override = os.environ.get("ADVISOR_LLM_CONFIG")
    return Path(override).expanduser() if override else config_file("llm.yaml")


def change_risk_model_path() -> Path:
    """An ``ADVISOR_CONFIG_DIR`` may carry its own model; most won't, and should not lose
    change-risk scoring for it."""
    return config_file(MODEL_FILENAME)


def load_agent_config() -> AgentConfig:
    """Policy, critical paths, environments and the change-risk model, each read once."""
    policy = load_policy(config_file("policy.yaml"))
    security = policy.section("security", SecurityPolicy)
    platform = policy.section("platform", PlatformPolicy)
    try:
        model, problem = load_change_risk_model(change_risk_model_path()), None
    except ChangeRiskModelError as exc:
        model, problem = None, str(exc)
    return AgentConfig(
        policy=policy,
        critical_paths=load_critical_paths(
            named_file(security.critical_paths_file, "critical_paths.yaml")),
        environments=load_environments(
            named_file(platform.drift.environments_file, "environments.yaml")),
        change_risk=model,
        change_risk_problem=problem,
    )


def load_bot(path: Path | None = None) -> BotConfig:
    """The PR bot's settings: ``path`` if given, else ``bot.yaml`` if there is one, else
    the defaults (every key is optional)."""
    if path is not None:
        return load_bot_config(path)
    shipped = config_file("bot.yaml")
    return load_bot_config(shipped) if shipped.is_file() else BotConfig()

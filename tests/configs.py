"""The shipped configuration, loaded the way the shell loads it (tests sit above every layer)."""

from __future__ import annotations

import functools

from advisor import paths
from advisor.configuration import load_agent_config
from agents.advisory.settings import AdvisorySettings, load_advisory_settings
from agents.change_risk import ChangeRiskModel, load_model
from agents.config import AgentConfig
from agents.platform.environments import Environments, load_environments
from agents.policy import Policy, load_policy
from agents.security.critical_paths import CriticalPaths, load_critical_paths

SHIPPED = paths.default_config_dir()
PROMPTS = paths.prompts_dir()


@functools.cache
def agent_config() -> AgentConfig:
    """What every command hands the agents when ``ADVISOR_CONFIG_DIR`` is unset."""
    return load_agent_config()


def policy() -> Policy:
    return load_policy(SHIPPED / "policy.yaml")


def critical_paths() -> CriticalPaths:
    return load_critical_paths(SHIPPED / "critical_paths.yaml")


def environments() -> Environments:
    return load_environments(SHIPPED / "environments.yaml")


def change_risk_model() -> ChangeRiskModel:
    return load_model(SHIPPED / "change_risk_model.json")


def llm_settings(**overrides: object) -> AdvisorySettings:
    return load_advisory_settings(SHIPPED / "llm.yaml", **overrides)

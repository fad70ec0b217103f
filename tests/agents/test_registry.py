"""Agents built for a run carry the run's configured redactor."""

from __future__ import annotations

import pytest

from agents.registry import AGENT_CLASSES, agent_factory
from governance.redact import Redactor
from tests.configs import agent_config


@pytest.mark.parametrize("name", sorted(AGENT_CLASSES))
def test_agents_built_for_a_run_use_the_configured_redactor(name: str) -> None:
    configured = Redactor(entropy=True)
    held = [v for v in vars(agent_factory(name, agent_config(), configured)()).values()
            if isinstance(v, Redactor)]
    assert held == [configured]
    built = agent_factory(name, agent_config())()
    default = [v for v in vars(built).values() if isinstance(v, Redactor)]
    assert configured not in default

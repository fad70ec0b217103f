"""What the agents read from configuration files, loaded once by their caller.

Agents never look for files themselves: the shell reads ``config/`` (or
``ADVISOR_CONFIG_DIR``) once per command and hands this down, so every agent of a run
sees the same configuration and a bad file is refused before anything is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.change_risk import ChangeRiskModel
from agents.platform.environments import Environments
from agents.policy import Policy
from agents.security.critical_paths import CriticalPaths


@dataclass(frozen=True)
class AgentConfig:
    policy: Policy
    critical_paths: CriticalPaths
    environments: Environments
    # A broken or missing model file costs the change-risk scores (a gap), not the run.
    change_risk: ChangeRiskModel | None
    change_risk_problem: str | None = None

"""Platform-reliability agent: Terraform plans and IaC diffs, workloads, environment
drift, deployment health (DORA, alarms, metric regressions) and release readiness.
Documented in docs/agents/platform.md."""

from typing import TYPE_CHECKING

from connectors.lazy import lazy_attributes

if TYPE_CHECKING:  # loaded on first use: reading environments.yaml needs none of it
    from agents.platform.agent import PlatformAgent

__all__ = ["PlatformAgent"]

__getattr__ = lazy_attributes(__name__, {"PlatformAgent": "agents.platform.agent"})

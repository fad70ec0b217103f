"""Platform-reliability agent: Terraform plans and IaC diffs, workloads, environment
drift, deployment health (DORA, alarms, metric regressions) and release readiness.
Documented in docs/agents/platform.md."""

from agents.platform.agent import PlatformAgent

__all__ = ["PlatformAgent"]

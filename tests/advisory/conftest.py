"""Fixtures: a real audit log and kill switch on SQLite, replayed providers, no sleeping."""

from __future__ import annotations

import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anthropic._base_client as sdk_base
import httpx2
import pytest

from agents.advisory.budget import UsageLedger
from agents.advisory.claude import ClaudeAdvisor
from agents.advisory.providers import anthropic_client, bedrock_client
from agents.advisory.replay import ReplayTransport
from agents.advisory.settings import AdvisorySettings
from governance.audit import AuditFilter, AuditLog
from governance.db import Store
from governance.killswitch import KillSwitch
from governance.roles import RoleBook
from tests.configs import PROMPTS, llm_settings

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
ROLES = RoleBook(roles={"admin": ["ada"]})


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.initialise(f"sqlite:///{tmp_path / 'store.db'}")[0]


@pytest.fixture
def audit(store: Store) -> AuditLog:
    return AuditLog(store)


@pytest.fixture
def switch(store: Store, audit: AuditLog) -> KillSwitch:
    return KillSwitch(store, audit, ROLES)


@pytest.fixture
def settings() -> AdvisorySettings:
    return llm_settings(provider="anthropic", aws_region="us-east-1")


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The SDK's retry waits, recorded instead of slept (only inside the SDK module)."""
    waited: list[float] = []
    fake = types.SimpleNamespace(sleep=waited.append, time=sdk_base.time.time,
                                 time_ns=sdk_base.time.time_ns)
    monkeypatch.setattr(sdk_base, "time", fake)
    return waited


def cassette(name: str) -> Path:
    return CASSETTES / f"{name}.yaml"


Factory = Callable[..., tuple[ClaudeAdvisor, ReplayTransport]]


@pytest.fixture
def make_advisor(settings: AdvisorySettings, switch: KillSwitch, audit: AuditLog,
                 tmp_path: Path) -> Factory:
    """An advisor whose SDK client talks to a ReplayTransport over the named cassettes."""

    def build(*names: str, provider: str = "anthropic", transport: ReplayTransport | None = None,
              **overrides: Any) -> tuple[ClaudeAdvisor, ReplayTransport]:
        chosen = settings.model_copy(update=overrides)
        replay = transport or ReplayTransport(*(cassette(n) for n in names))
        http = httpx2.Client(transport=replay)
        client = (anthropic_client(chosen, {"ANTHROPIC_API_KEY": "sk-ant-test"}, http)
                  if provider == "anthropic" else bedrock_client(chosen, http))
        ledger = UsageLedger(chosen.budgets, tmp_path / "llm-usage.json")
        advisor = ClaudeAdvisor(client, provider=provider, settings=chosen, gate=switch,
                                audit=audit, prompts_dir=PROMPTS, ledger=ledger)
        return advisor, replay

    return build


def audit_actions(audit: AuditLog, action: str) -> list[dict[str, Any]]:
    return [e.payload for e in audit.entries(AuditFilter(action=action))]

"""The Claude advisor against replayed Claude API exchanges: usage, retries, fallbacks."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest

from agents.advisory.models import ReportDigest
from agents.advisory.offline import annotate_all
from agents.advisory.replay import ReplayError, ReplayTransport
from agents.advisory.settings import Budget, Budgets
from governance.audit import AuditLog
from governance.killswitch import KillSwitch
from tests.advisory import samples
from tests.advisory.conftest import Factory, audit_actions, cassette

PRICES = {"input": 2.0, "output": 10.0, "cache_write": 2.5, "cache_read": 0.2}


def response_usage(name: str, index: int = 0) -> dict[str, int]:
    transport = ReplayTransport(cassette(name))
    body = json.loads(transport.interactions[index].body)
    usage: dict[str, int] = body["usage"]
    return usage


def expected_cost(usage: dict[str, int]) -> float:
    return round((usage["input_tokens"] * PRICES["input"]
                  + usage["output_tokens"] * PRICES["output"]
                  + usage["cache_creation_input_tokens"] * PRICES["cache_write"]
                  + usage["cache_read_input_tokens"] * PRICES["cache_read"]) / 1e6, 6)


def test_annotate_writes_the_cache_then_reads_it(make_advisor: Factory, audit: AuditLog) -> None:
    advisor, transport = make_advisor("anthropic/annotate_cache_then_hit")
    first = advisor.annotate(samples.findings(), samples.context())
    second = advisor.annotate(samples.findings(), samples.context())

    assert first.narrator == second.narrator == "llm:claude-sonnet-5-5"
    assert first.fallback is None and not first.usage.notices
    created, read = response_usage("anthropic/annotate_cache_then_hit", 0), \
        response_usage("anthropic/annotate_cache_then_hit", 1)
    assert first.usage.cache_creation_input_tokens == created["cache_creation_input_tokens"] > 0
    assert first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens == read["cache_read_input_tokens"] > 0
    assert first.usage.cost_usd == expected_cost(created)
    assert second.usage.cost_usd == expected_cost(read) < first.usage.cost_usd
    assert first.usage.request_ids[0].startswith("req_")
    assert first.usage.prompt_versions == {"annotate_findings": "1"}
    assert first.usage.calls == 1 and first.usage.latency_ms >= 0
    assert transport.remaining == 0

    sent = transport.requests[0].payload()
    assert sent["model"] == "claude-sonnet-5-5"
    assert sent["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert sent["output_config"]["format"]["type"] == "json_schema"
    assert sent["output_config"]["format"]["schema"]["additionalProperties"] is False
    assert sent["output_config"]["effort"] == "low"
    for forbidden in ("tools", "tool_choice", "temperature", "top_p", "top_k", "stream"):
        assert forbidden not in sent
    # The stable prefix is byte-identical across calls, so the cache can hit.
    assert transport.requests[1].payload()["system"] == sent["system"]


def test_every_call_is_audited_by_hash_never_by_text(make_advisor: Factory,
                                                      audit: AuditLog) -> None:
    advisor, _ = make_advisor("anthropic/annotate_cache_then_hit")
    result = advisor.annotate(samples.findings(), samples.context())
    [entry] = audit_actions(audit, "llm.call")
    assert entry["outcome"] == "ok"
    assert len(entry["prompt_sha256"]) == len(entry["output_sha256"]) == 64
    assert entry["request_id"] == result.usage.request_ids[0]
    assert entry["tokens"]["cache_creation"] == result.usage.cache_creation_input_tokens
    assert entry["prompt"] == {"name": "annotate_findings", "version": "1"}
    stored = json.dumps([e.payload for e in audit.entries()])
    for text in ("Partial refunds", "AWS access key committed", "Do not release this change"):
        assert text not in stored
    full = next(e for e in audit.entries() if e.action == "llm.call")
    assert full.actor == "agent:security"
    assert full.subject == samples.SUBJECT


def test_invalid_output_is_retried_once_quoting_the_error(make_advisor: Factory) -> None:
    advisor, transport = make_advisor("anthropic/annotate_invalid_then_valid")
    result = advisor.annotate(samples.findings(), samples.context())
    assert result.narrator.startswith("llm:")
    assert result.usage.calls == 2
    assert result.usage.prompt_versions == {"annotate_findings": "1", "repair_output": "1"}
    assert any("retried once" in n for n in result.usage.notices)
    retry = transport.requests[1].payload()["messages"][0]["content"]
    assert len(retry) == 2
    assert "rejected by the validator" in retry[1]["text"]
    assert "notes.0.priority" in retry[1]["text"]
    assert "less than or equal to 5" in retry[1]["text"]


def test_invalid_twice_falls_back_marked_llm_output_rejected(make_advisor: Factory,
                                                              audit: AuditLog) -> None:
    advisor, transport = make_advisor("anthropic/annotate_invalid_twice")
    result = advisor.annotate(samples.findings(), samples.context())
    rejected = audit_actions(audit, "llm.output_rejected")
    assert [r["attempt"] for r in rejected] == [1, 2]
    assert len(audit_actions(audit, "llm.call")) == 2
    assert result.narrator == "offline"
    assert result.fallback is not None and result.fallback.startswith("LLM output rejected")
    assert result.summary.startswith("[LLM output rejected: offline narrative]")
    assert "stop_reason=max_tokens" in " ".join(result.usage.notices)
    assert result.usage.calls == 2 and result.usage.output_tokens > 0  # paid for, and counted
    assert all(f.annotation and f.annotation.annotated_by == "offline" for f in result.findings)
    assert transport.remaining == 0


def test_rate_limit_is_retried_after_retry_after(make_advisor: Factory,
                                                 sleeps: list[float]) -> None:
    advisor, transport = make_advisor("anthropic/annotate_rate_limited_then_ok")
    result = advisor.annotate(samples.findings(), samples.context())
    assert result.narrator.startswith("llm:")
    assert sleeps == [2.0]  # the SDK honoured retry-after: 2
    assert len(transport.requests) == 2
    assert transport.requests[1].headers["x-stainless-retry-count"] == "1"


def test_overloaded_until_retries_run_out_falls_back(make_advisor: Factory, sleeps: list[float],
                                                     audit: AuditLog) -> None:
    advisor, transport = make_advisor("anthropic/annotate_overloaded")
    result = advisor.annotate(samples.findings(), samples.context())
    assert len(transport.requests) == 3 and len(sleeps) == 2  # max_retries=2
    assert result.narrator == "offline"
    assert result.fallback == "LLM call failed: HTTP 529 overloaded_error (Overloaded)"
    assert result.summary.startswith("[LLM unavailable: offline narrative]")
    [entry] = audit_actions(audit, "llm.call")
    assert entry["outcome"] == "error" and entry["request_id"].startswith("req_")


def test_bad_request_is_not_retried_and_falls_back(make_advisor: Factory,
                                                   sleeps: list[float]) -> None:
    advisor, transport = make_advisor("anthropic/annotate_bad_request")
    result = advisor.annotate(samples.findings(), samples.context())
    assert len(transport.requests) == 1 and sleeps == []
    assert result.narrator == "offline"
    assert result.fallback is not None and "HTTP 400 invalid_request_error" in result.fallback
    assert "prompt is too long" in result.fallback


def test_run_budget_exhausted_means_no_request(make_advisor: Factory, audit: AuditLog) -> None:
    advisor, transport = make_advisor(
        "anthropic/annotate_cache_then_hit",
        budgets=Budgets(per_run=Budget(tokens=1000, usd=1.0)))
    result = advisor.annotate(samples.findings(), samples.context())
    assert transport.requests == []
    assert result.narrator == "offline"
    assert result.fallback is not None and result.fallback.startswith("per-run LLM budget reached")
    assert result.summary.startswith("[LLM budget reached: offline narrative]")
    assert any("budget" in n for n in result.usage.notices)
    assert audit_actions(audit, "llm.skipped")[0]["reason"] == result.fallback
    # Sticky for the run: the summary does not try either.
    summary = advisor.summarise(ReportDigest(subject=samples.SUBJECT,
                                             findings=samples.findings()))
    assert summary.narrator == "offline" and transport.requests == []


def test_usd_budget_counts_the_worst_case(make_advisor: Factory) -> None:
    # 8192 output tokens at $10/MTok alone is $0.08: a $0.05 run budget refuses the call.
    advisor, transport = make_advisor("anthropic/annotate_cache_then_hit",
                                      budgets=Budgets(per_run=Budget(usd=0.05)))
    result = advisor.annotate(samples.findings(), samples.context())
    assert transport.requests == [] and "$0.0000 of $0.05" in (result.fallback or "")


def test_day_budget_is_persisted_across_runs(make_advisor: Factory, tmp_path: Path) -> None:
    day = Budgets(per_day=Budget(tokens=12_000))
    advisor, _ = make_advisor("anthropic/annotate_cache_then_hit", budgets=day,
                              max_tokens=4096)
    assert advisor.annotate(samples.findings(), samples.context()).narrator.startswith("llm:")
    stored = json.loads((tmp_path / "llm-usage.json").read_text())
    [(_, spent)] = stored["days"].items()
    assert spent["calls"] == 1 and spent["tokens"] > 4000

    # A new run (new advisor, same file) cannot fit another call into the day.
    again, transport2 = make_advisor("anthropic/annotate_cache_then_hit", budgets=day,
                                     max_tokens=4096)
    result = again.annotate(samples.findings(), samples.context())
    assert transport2.requests == []
    assert result.fallback is not None and result.fallback.startswith("per-day LLM budget")


def test_unreadable_usage_file_counts_the_day_as_spent(make_advisor: Factory,
                                                       tmp_path: Path) -> None:
    (tmp_path / "llm-usage.json").write_text("{not json")
    advisor, transport = make_advisor("anthropic/annotate_cache_then_hit")
    result = advisor.annotate(samples.findings(), samples.context())
    assert transport.requests == [] and "per-day" in (result.fallback or "")


def test_model_without_a_price_is_never_called(make_advisor: Factory) -> None:
    advisor, transport = make_advisor("anthropic/annotate_cache_then_hit", prices={})
    result = advisor.annotate(samples.findings(), samples.context())
    assert transport.requests == []
    assert "no price configured" in (result.fallback or "")


def test_kill_switch_on_means_no_request(make_advisor: Factory, switch: KillSwitch,
                                         audit: AuditLog) -> None:
    switch.set("ada", "agent:security", True, "LLM misbehaving")
    advisor, transport = make_advisor("anthropic/annotate_cache_then_hit")
    result = advisor.annotate(samples.findings(), samples.context())
    assert transport.requests == []
    assert result.summary.startswith("[LLM stopped by kill switch: offline narrative]")
    assert "LLM misbehaving" in (result.fallback or "")
    assert audit_actions(audit, "llm.skipped")


class _FlipAfterFirst(ReplayTransport):
    """Serves the first response, then an admin engages the global kill switch."""

    def __init__(self, switch: KillSwitch, *paths: Path) -> None:
        super().__init__(*paths)
        self.switch = switch

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = super().handle_request(request)
        if len(self.requests) == 1:
            self.switch.set("ada", "global", True, "incident 7")
        return response


def test_kill_switch_flipped_mid_run_stops_the_remaining_calls(
        make_advisor: Factory, switch: KillSwitch) -> None:
    transport = _FlipAfterFirst(switch, cassette("anthropic/annotate_cache_then_hit"),
                                cassette("anthropic/summarise"))
    advisor, _ = make_advisor(transport=transport)
    annotated = advisor.annotate(samples.findings(), samples.context())
    assert annotated.narrator.startswith("llm:")

    summary = advisor.summarise(ReportDigest(subject=samples.SUBJECT, agent="security",
                                             findings=annotated.findings))
    again = advisor.annotate(samples.findings(), samples.context())
    assert len(transport.requests) == 1 and transport.remaining == 2
    assert summary.narrator == again.narrator == "offline"
    assert any("kill switch 'global' is on: incident 7" in n for n in summary.usage.notices)
    assert summary.summary.startswith("[LLM stopped by kill switch: offline narrative]")


def test_summarise(make_advisor: Factory) -> None:
    advisor, transport = make_advisor("anthropic/summarise")
    findings = annotate_all(samples.findings())
    result = advisor.summarise(ReportDigest(
        subject=samples.SUBJECT, agent="security", score=72, findings=findings,
        notes=["Confluence was unreachable: runbooks were not checked."]))
    assert result.narrator.startswith("llm:")
    assert result.top_risks[0] == findings[0].fingerprint
    assert result.summary.endswith("signs off this report.")
    assert result.usage.prompt_versions == {"summarise_report": "1"}
    sent = transport.requests[0].payload()["messages"][0]["content"][0]["text"]
    assert "Risk score: 72/100" in sent and "<notes>" in sent


def test_unrecorded_request_is_refused_loudly(make_advisor: Factory) -> None:
    advisor, _ = make_advisor("bedrock/annotate")
    with pytest.raises(ReplayError, match=r"unrecorded request POST https://api\.anthropic\.com"):
        advisor.annotate(samples.findings(), samples.context())
    exhausted, _ = make_advisor("anthropic/annotate_bad_request", max_retries=0)
    exhausted.annotate(samples.findings(), samples.context())
    with pytest.raises(ReplayError, match="already used"):
        exhausted.client.messages.create(model="m", max_tokens=1, messages=[])


def test_count_tokens_is_used_only_when_configured(make_advisor: Factory,
                                                   tmp_path: Path) -> None:
    counted = tmp_path / "count.yaml"
    counted.write_text(json.dumps({"version": 1, "interactions": [{
        "request": {"method": "POST", "uri": "https://api.anthropic.com/v1/messages/count_tokens"},
        "response": {"status": {"code": 200, "message": "OK"},
                     "headers": {"content-type": ["application/json"]},
                     "body": {"string": json.dumps({"input_tokens": 150_000})}}}]}))
    advisor, transport = make_advisor(transport=ReplayTransport(counted), count_tokens=True,
                                      budgets=Budgets(per_run=Budget(tokens=100_000)))
    result = advisor.annotate(samples.findings(), samples.context())
    assert [r.url for r in transport.requests] == [
        "https://api.anthropic.com/v1/messages/count_tokens"]
    assert "per-run LLM budget" in (result.fallback or "")

"""What every format must carry: banner, sign-off, every finding and gap, provenance."""

from __future__ import annotations

import pytest

from agents.aggregate import ADVISORY_BANNER
from tests.render import sample
from tests.render.conftest import Render


def test_banner_verdict_and_snapshot(as_text: Render) -> None:
    text = as_text(sample.release_report())
    assert ADVISORY_BANNER in text
    assert "high risk" in text
    assert sample.SNAPSHOT_HASH in text
    assert sample.REPORT_ID in text


@pytest.mark.parametrize("status", sorted(sample.DECISIONS))
def test_signoff_status(as_prose: Render, status: str) -> None:
    update, wording = sample.DECISIONS[status]
    assert wording in as_prose(sample.release_report(**update))


def test_signer_missing_is_not_an_approval(as_prose: Render) -> None:
    text = as_prose(sample.release_report(signoff_status="approved"))
    assert "no signer is recorded" in text
    assert "Approved by" not in text


def test_every_finding_title(as_text: Render) -> None:
    report = sample.release_report()
    text = as_text(report)
    assert len(sample.titles(report)) == 7
    for title in sample.titles(report):
        assert title in text, title


def test_false_positive_is_flagged_not_hidden(as_prose: Render) -> None:
    text = as_prose(sample.release_report())
    assert sample.FALSE_POSITIVE_TITLE in text
    assert "likely false positive" in text


def test_every_gap(as_text: Render) -> None:
    text = as_text(sample.release_report())
    for gap in sample.GAPS:
        assert gap.source in text
        assert gap.what in text
        assert gap.why in text


def test_unavailable_agent_is_visibly_not_assessed(as_prose: Render) -> None:
    assert "not assessed (counted as worst case)" in as_prose(sample.release_report())


def test_prompt_versions_and_llm_usage(as_text: Render) -> None:
    report = sample.release_report()
    text = as_text(report)
    for name, version in sample.PROMPTS.items():
        assert name in text
        assert version in text
    usage = report.llm
    assert usage.provider in text
    assert sample.MODEL in text
    for count in (usage.calls, usage.input_tokens, usage.output_tokens,
                  usage.cache_creation_input_tokens, usage.cache_read_input_tokens):
        assert f"{count:,}" in text or str(count) in text
    assert f"{usage.cost_usd:.4f}" in text


def test_secrets_and_pii_are_redacted_but_the_signer_is_not(as_text: Render) -> None:
    report = sample.release_report(signoff_status="approved", signed_off_by="dana@acme.example",
                                   signed_off_at="2025-03-02T09:15:00Z")
    leaky = report.agents[0].findings[0].model_copy(update={
        "title": "Key AKIAIOSFODNN7EXAMPLE committed by ops@acme.example",
        "explanation": "Ask ops@acme.example to rotate AKIAIOSFODNN7EXAMPLE."})
    agents = [report.agents[0].model_copy(update={"findings": [leaky]}), *report.agents[1:]]
    text = as_text(report.model_copy(update={"agents": agents, "top_risks": [leaky]}))
    assert "AKIAIOSFODNN7EXAMPLE" not in text
    assert "ops@acme.example" not in text
    assert "[REDACTED:" in text
    assert "dana@acme.example" in text

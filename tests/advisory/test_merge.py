"""The merge: deterministic findings are the base; the model can only annotate and propose."""

from __future__ import annotations

from typing import Any

import pytest

from agents.advisory.merge import (
    AREA_LINES,
    categories_overlap,
    merge_annotations,
    merge_summary,
)
from agents.advisory.models import AnnotationOutput, SummaryOutput
from agents.advisory.scan import with_injection_findings
from agents.injection import CATEGORY as INJECTION
from agents.models import Finding, Severity
from governance.redact import default_redactor
from tests.advisory import samples

NARRATOR = "llm:test-model"


def note(fp: str, **extra: Any) -> dict[str, Any]:
    return {"fingerprint": fp, "priority": 2, "rationale": "because",
            "likely_false_positive": False, "false_positive_reason": None,
            "suggested_tests": ["t1", "t2", "t3", "t4"], **extra}


def proposed(**fields: Any) -> dict[str, Any]:
    base = {"title": "Issue", "category": "input-validation", "severity": "high",
            "explanation": "e", "recommendation": "r", "evidence_id": f"{samples.SUBJECT}/diff",
            "path": "payments/refunds.py", "line": 200}
    return {**base, **fields}


def merge(output: dict[str, Any], base: list[Finding] | None = None, ctx: Any = None) -> Any:
    context = ctx or samples.context()
    found = base if base is not None else samples.findings()
    return merge_annotations(found, AnnotationOutput.model_validate(output), context,
                             narrator=NARRATOR, redactor=default_redactor())


def unchanged(before: Finding, after: Finding) -> bool:
    return before.model_dump(exclude={"annotation"}) == after.model_dump(exclude={"annotation"})


def test_omitted_and_downgraded_findings_survive_unchanged() -> None:
    base = samples.findings()
    # The model annotates only two findings, tries to downgrade and recategorise them and
    # to replace their evidence, and re-proposes the critical one as "info".
    output = {
        "summary": "Nothing to see.",
        "notes": [
            note(base[0].fingerprint, severity="info", category="style", evidence=[],
                 likely_false_positive=True, false_positive_reason="test key"),
            note(base[1].fingerprint, severity="low", remove=True),
        ],
        "extra_findings": [proposed(title="AWS key", category="hardcoded-secret",
                                    severity="info", path="payments/settings.py", line=14)],
        "delete_findings": [f.fingerprint for f in base],
    }
    merged = merge(output)
    assert len(merged.findings) == len(base)
    for before, after in zip(base, merged.findings, strict=True):
        assert unchanged(before, after), before.title
        assert after.annotation is not None
    assert merged.findings[0].annotation.annotated_by == NARRATOR
    assert merged.findings[0].annotation.likely_false_positive is True  # allowed: a flag
    assert all(f.annotation.annotated_by == "offline" for f in merged.findings[2:])
    text = " | ".join(merged.notes)
    for word in ("severity", "category", "evidence", "remove", "delete_findings",
                 "already covered"):
        assert word in text
    assert merged.findings[0].annotation.suggested_tests == ["t1", "t2", "t3"]


def test_unknown_and_duplicate_notes_are_ignored() -> None:
    base = samples.findings()
    merged = merge({"summary": "s", "extra_findings": [], "notes": [
        note("not-a-finding"), note(base[0].fingerprint, priority=1),
        note(base[0].fingerprint, priority=5)]})
    assert merged.findings[0].annotation.priority == 1
    assert any("unknown finding 'not-a-finding'" in n for n in merged.notes)
    assert any("second note" in n for n in merged.notes)


def test_false_positive_needs_a_reason() -> None:
    base = samples.findings()
    merged = merge({"summary": "s", "extra_findings": [], "notes": [
        note(base[0].fingerprint, likely_false_positive=True, false_positive_reason="  ")]})
    assert merged.findings[0].annotation.likely_false_positive is False


def test_false_positive_flags_are_withheld_when_inputs_hold_an_injection() -> None:
    ctx = samples.injected_context()
    base = with_injection_findings(samples.findings(), ctx)
    assert base[-1].category == INJECTION
    merged = merge({"summary": "All clear.", "extra_findings": [], "notes": [
        note(f.fingerprint, likely_false_positive=True, false_positive_reason="fixture")
        for f in base]}, base=base, ctx=ctx)
    assert not any(f.annotation.likely_false_positive for f in merged.findings)
    assert any("prompt-injection" in n for n in merged.notes)
    assert merged.summary.startswith("Warning: the inputs contain a prompt-injection attempt")


def test_uncorroborated_llm_finding_is_capped_at_medium() -> None:
    merged = merge({"summary": "s", "notes": [], "extra_findings": [
        proposed(severity="critical", path="payments/webhooks.py", line=3,
                 evidence_id=f"{samples.SUBJECT}/diff")]})
    extra = merged.findings[-1]
    assert extra.source == "llm"
    assert extra.severity is Severity.MEDIUM
    assert extra.confidence.value == "low"
    # payments/webhooks.py is not in the inputs: kept visible, marked.
    assert extra.llm_rejected_reason == "names a file that is not in the inputs"


def test_corroborated_llm_finding_may_rise_to_the_corroborating_severity() -> None:
    # Same file as the sql-injection finding (high), overlapping category.
    merged = merge({"summary": "s", "notes": [], "extra_findings": [
        proposed(severity="critical", category="second-order-sql-injection",
                 path="payments/db/queries.py", line=120)]})
    extra = merged.findings[-1]
    assert extra.severity is Severity.HIGH
    assert extra.confidence.value == "medium"
    assert extra.llm_rejected_reason is None
    assert "corroborated by" in (extra.annotation.rationale or "")


def test_same_area_corroborates_whatever_the_category() -> None:
    # refunds.py:57 holds a medium finding; line 57 + AREA_LINES is the same area.
    merged = merge({"summary": "s", "notes": [], "extra_findings": [
        proposed(severity="high", category="race-condition", line=57 + AREA_LINES)]})
    assert merged.findings[-1].confidence.value == "medium"
    assert merged.findings[-1].severity is Severity.MEDIUM  # backer is medium: no higher


def test_llm_finding_citing_unknown_evidence_stays_visible_but_marked() -> None:
    merged = merge({"summary": "s", "notes": [], "extra_findings": [
        proposed(evidence_id="made-up", path=None, line=None)]})
    extra = merged.findings[-1]
    assert extra.llm_rejected_reason == "cites evidence that was not in the inputs"


def test_llm_findings_are_limited_and_deduplicated() -> None:
    many = [proposed(line=300 + i * 100, title=f"t{i}") for i in range(12)]
    merged = merge({"summary": "s", "notes": [], "extra_findings": [*many, many[0]]})
    assert sum(f.source == "llm" for f in merged.findings) == 10
    assert any("first 10" in n for n in merged.notes)


def test_model_text_is_redacted_before_it_reaches_the_report() -> None:
    base = samples.findings()
    merged = merge({"summary": "Key AKIAIOSFODNN7EXAMPLE leaked; mail jane.doe@example.com",
                    "extra_findings": [],
                    "notes": [note(base[0].fingerprint, rationale="call +44 20 7946 0958")]})
    assert "AKIAIOSFODNN7EXAMPLE" not in merged.summary
    assert "jane.doe@example.com" not in merged.summary
    assert "[REDACTED:" in merged.summary
    assert "7946" not in (merged.findings[0].annotation.rationale or "")


@pytest.mark.parametrize(("a", "b", "overlap"), [
    ("sql-injection", "sql-injection", True),
    ("sql-injection", "second-order-sql-injection", True),
    ("hardcoded-secret", "secrets", True),
    ("missing-authorization", "missing-input-validation", False),
    ("sql-injection", "xss", False),
])
def test_category_overlap(a: str, b: str, overlap: bool) -> None:
    assert categories_overlap(a, b) is overlap


def test_summary_top_risks_must_be_known_findings() -> None:
    base = samples.findings()
    merged = merge_summary(base, SummaryOutput(summary="s", top_risks=["nope", base[2].fingerprint],
                                               suggested_tests=[]), redactor=default_redactor())
    assert merged.top_risks == [base[2].fingerprint]
    assert any("'nope'" in n for n in merged.notes)
    empty = merge_summary(base, SummaryOutput(summary="s", top_risks=[], suggested_tests=[]),
                          redactor=default_redactor())
    assert empty.top_risks[0] == base[0].fingerprint  # the critical one, by severity


def test_usage_totals_keep_the_provider_that_made_the_calls() -> None:
    from agents.models import LlmUsage

    total = LlmUsage().add(LlmUsage(provider="anthropic", model="claude-sonnet-5-5", calls=2))
    total = total.add(LlmUsage())  # an agent with no findings adds nothing
    assert (total.provider, total.model, total.calls) == ("anthropic", "claude-sonnet-5-5", 2)
    assert LlmUsage().add(LlmUsage()).provider == "offline"

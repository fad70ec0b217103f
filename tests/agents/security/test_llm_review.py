"""The optional Claude pass: proposals, re-check with the whole file, rejections kept."""

from __future__ import annotations

from agents.advisory.models import AdvisoryContext, AnnotationResult
from agents.advisory.offline import OfflineAdvisor
from agents.models import (
    Confidence,
    Evidence,
    EvidenceKind,
    Finding,
    FindingAnnotation,
    LlmUsage,
    Severity,
    fingerprint,
)
from agents.security.policy import SecurityPolicy
from agents.security.review import PullReviewer
from tests.agents.security.builders import CRITICAL, REPO, added, changed, hunk, pull

PASSWORD = "Tr0ub4dor-and-3"


def _proposal(title: str, path: str | None, line: int) -> Finding:
    return Finding(
        fingerprint=fingerprint("llm", title), agent="security", category="missing-authz",
        severity=Severity.MEDIUM, confidence=Confidence.LOW, title=title, explanation="x",
        evidence=[Evidence(kind=EvidenceKind.FILE, ref=f"{path}:{line}", path=path, line=line)],
        recommendation="check it", source="llm")


class FakeAdvisor:
    """Pass 1 proposes two findings; pass 2 rejects the one called 'wrong'."""

    def __init__(self, fallback: str | None = None) -> None:
        self.contexts: list[AdvisoryContext] = []
        self.fallback = fallback

    def annotate(self, findings: list[Finding], context: AdvisoryContext) -> AnnotationResult:
        self.contexts.append(context)
        usage = LlmUsage(provider="fake", calls=1, input_tokens=10)
        if len(self.contexts) == 1:
            extra = [_proposal("right", "app/api.py", 2), _proposal("wrong", "app/api.py", 3)]
            return AnnotationResult(findings=[*findings, *extra], summary="", narrator="fake",
                                    usage=usage)
        [proposal] = findings
        wrong = proposal.title == "wrong"
        note = FindingAnnotation(likely_false_positive=wrong,
                                 false_positive_reason="the decorator checks it" if wrong else None,
                                 annotated_by="fake")
        return AnnotationResult(findings=[proposal.model_copy(update={"annotation": note})],
                                summary="", narrator="fake", usage=usage, fallback=self.fallback)


def _reviewer(advisor: object, on: bool = True) -> PullReviewer:
    return PullReviewer(SecurityPolicy(llm_review=on), advisor=advisor,  # type: ignore[arg-type]
                        critical_paths=CRITICAL, repo=REPO)


PR = pull(added("app/api.py", ["def delete(user):", f'    password = "{PASSWORD}"',
                                  "    db.drop()"]))


def test_proposals_are_rechecked_and_rejections_stay_visible() -> None:
    advisor = FakeAdvisor()
    review = _reviewer(advisor).review(PR)
    llm = {f.title: f for f in review.findings if f.source == "llm"}
    assert llm["right"].llm_rejected_reason is None
    assert llm["wrong"].llm_rejected_reason == "rejected on re-check: the decorator checks it"
    assert review.llm.calls == 3
    first, *rechecks = advisor.contexts
    assert [t.path for t in first.texts] == ["app/api.py"]
    assert all(t.id.endswith(":whole") and t.line == 1 for c in rechecks for t in c.texts)
    sent = "".join(t.text for c in advisor.contexts for t in c.texts)
    assert PASSWORD not in sent and "[REDACTED" in sent
    assert all(f.source == "deterministic" for f in review.findings
               if f.category in ("secret",))


def test_a_recheck_that_fell_back_rejects_nothing_silently() -> None:
    review = _reviewer(FakeAdvisor(fallback="budget exhausted")).review(PR)
    reasons = {f.title: f.llm_rejected_reason for f in review.findings if f.source == "llm"}
    assert reasons == {"right": "not re-checked: budget exhausted",
                       "wrong": "not re-checked: budget exhausted"}


def test_without_the_whole_file_proposals_are_not_confirmed() -> None:
    pr = pull(changed("app/api.py", hunk(10, 10, ["     x = 1", "+    db.drop()"])))
    review = _reviewer(FakeAdvisor()).review(pr)
    assert {f.llm_rejected_reason for f in review.findings if f.source == "llm"} == {
        "not re-checked: the whole file is not available"}


def test_off_by_default_and_offline_adds_nothing() -> None:
    advisor = FakeAdvisor()
    assert not [f for f in _reviewer(advisor, on=False).review(PR).findings if f.source == "llm"]
    assert advisor.contexts == []
    review = _reviewer(OfflineAdvisor()).review(PR)
    assert not [f for f in review.findings if f.source == "llm"]


def test_llm_findings_never_move_the_score() -> None:
    from agents.policy import ScoringPolicy
    from agents.scoring import score_findings

    review = _reviewer(FakeAdvisor()).review(PR)
    deterministic = [f for f in review.findings if f.source == "deterministic"]
    assert score_findings(review.findings, ScoringPolicy()).value == score_findings(
        deterministic, ScoringPolicy()).value

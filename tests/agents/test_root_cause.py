"""One finding per root cause (agents/rootcause.py): every finding kept exactly once, as a
finding or as a reason of one; no two findings share a cause; the most severe reason
leads; each place is cited once; fingerprints survive re-runs."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.aggregate import FindingCounts
from agents.models import Confidence, Evidence, EvidenceKind, Finding, Severity, fingerprint
from agents.rootcause import merge_root_causes
from tests.agents.test_missing_data import Variant, analyse, demo, variants

CATEGORIES = ("scope-not-done", "open-high-priority-bug", "reopened-issue", "sast", "secret")


@st.composite
def findings(draw: st.DrawFn) -> list[tuple[Finding, str | None]]:
    """Findings with a cause each (or none), citing places from a small pool so that
    causes and places collide often."""
    made = []
    for index in range(draw(st.integers(0, 25))):
        cause = draw(st.none() | st.sampled_from(("PAY-1", "PAY-2", "a.py:3", "a.py:4")))
        places = draw(st.lists(st.sampled_from(("PAY-1", "PAY-2", "a.py:3", "b.py:9")),
                               min_size=1, max_size=3))
        finding = Finding(
            fingerprint=fingerprint("test", index), agent="delivery",
            category=draw(st.sampled_from(CATEGORIES)),
            severity=draw(st.sampled_from(list(Severity))), confidence=Confidence.HIGH,
            title=f"finding {index}", explanation=f"why {index}",
            evidence=[Evidence(kind=EvidenceKind.ISSUE, ref=p) for p in places],
            recommendation=f"fix {index}")
        made.append((finding, cause))
    return made


def _merged(made: list[tuple[Finding, str | None]]) -> list[Finding]:
    cause = {f.fingerprint: c for f, c in made}
    return merge_root_causes([f for f, _ in made],
                             lambda f: [("cause", cause[f.fingerprint])] if cause[f.fingerprint]
                             else [])


@settings(max_examples=200, database=None)
@given(findings())
def test_every_finding_is_kept_once_and_each_cause_is_one_finding(
        made: list[tuple[Finding, str | None]]) -> None:
    merged = _merged(made)
    kept = [r.fingerprint for f in merged for r in f.reasons]
    kept += [f.fingerprint for f in merged if not f.reasons]
    assert sorted(kept) == sorted(f.fingerprint for f, _ in made)  # none lost, none twice
    causes = {f.fingerprint: c for f, c in made}
    seen: set[str] = set()
    for finding in merged:
        members = [r.fingerprint for r in finding.reasons] or [finding.fingerprint]
        mine = {causes[m] for m in members} - {None}
        assert len(mine) <= 1 and not (mine & seen)  # one cause, and only one finding of it
        seen |= mine
        assert finding.severity == max(causes_severity(made, m) for m in members)
        places = [(e.kind, e.ref, e.url, e.path, e.line) for e in finding.evidence]
        assert len(places) == len(set(places))
    assert len({f.fingerprint for f in merged}) == len(merged)
    assert FindingCounts.of(merged).total == len(merged)  # counted once


def causes_severity(made: list[tuple[Finding, str | None]], fp: str) -> Severity:
    return next(f.severity for f, _ in made if f.fingerprint == fp)


@settings(max_examples=50, database=None)
@given(findings())
def test_merging_is_deterministic_and_idempotent(made: list[tuple[Finding, str | None]]) -> None:
    once = _merged(made)
    assert _merged(made) == once
    assert merge_root_causes(once, lambda f: [("cause", f.fingerprint)]) == once


def test_the_demo_issue_open_not_done_and_reopened_is_one_finding() -> None:
    delivery = analyse(demo())["delivery"]
    [pay121] = [f for f in delivery.findings if f.evidence[0].ref == "PAY-121"]
    assert pay121.categories == ["open-high-priority-bug", "scope-not-done", "reopened-issue"]
    assert pay121.severity is Severity.CRITICAL and len(pay121.evidence) == 1
    assert sum(1 for f in delivery.findings for e in f.evidence if e.ref == "PAY-121") == 1


def test_fingerprints_survive_a_rerun() -> None:
    first, second = analyse(demo()), analyse(demo())
    for name, report in first.items():
        prints = [f.fingerprint for f in report.findings]
        assert prints == [f.fingerprint for f in second[name].findings]
        assert len(prints) == len(set(prints)), name


@cache
def _full_prints() -> frozenset[str]:
    return frozenset(f.fingerprint for r in analyse(demo()).values() for f in r.findings)


@settings(max_examples=15, deadline=None, database=None)
@given(variants())
def test_a_pull_request_or_issue_keeps_its_fingerprints_whatever_else_is_in_the_release(
        variant: Variant) -> None:
    full = _full_prints()
    part = analyse(variant.body())
    for report in (part["delivery"], part["security"]):
        for finding in report.findings:
            if finding.evidence[0].kind in (EvidenceKind.ISSUE, EvidenceKind.PULL_REQUEST,
                                            EvidenceKind.FILE):
                assert finding.fingerprint in full, finding.title

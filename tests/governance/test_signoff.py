"""Report registry and sign-off: roles, separation of duties, immutability, audit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from governance.audit import AuditFilter, AuditLog
from governance.db import Store
from governance.errors import AlreadyDecided, NotAuthorized, UnknownReport
from governance.reports import Decision, ReportRegistry, ReportStatus, SignOff
from governance.roles import RoleBook

ROLES = RoleBook(
    roles={
        "release-approver": ["rita", "Sam"],
        "security-reviewer": ["sec-lead", "dev-dan"],
        "portfolio-approver": ["pat"],
    }
)


@pytest.fixture
def signoff(store_url: str) -> SignOff:
    store, _ = Store.initialise(store_url)
    return SignOff(ReportRegistry(store, AuditLog(store)), ROLES)


def register(
    signoff: SignOff,
    kind: str = "release",
    subject: str = "payments@v2.4.0",
    authors: list[str] | None = None,
) -> str:
    record = signoff.registry.register(
        kind, subject, {"score": 71, "findings": []}, "agent:advisor", subject_authors=authors
    )
    assert record.status is ReportStatus.PENDING
    return record.id


def test_holder_of_the_kind_role_approves(signoff: SignOff) -> None:
    report_id = register(signoff)
    record = signoff.decide(report_id, "rita", Decision.APPROVE, "risks accepted")
    assert record.status is ReportStatus.APPROVED
    assert (record.decided_by, record.decision_comment) == ("rita", "risks accepted")
    entry = next(signoff.registry.audit.entries(AuditFilter(action="signoff.approve")))
    assert entry.subject == report_id and entry.actor == "rita"


def test_role_matching_is_case_insensitive(signoff: SignOff) -> None:
    assert (
        signoff.decide(register(signoff), "sam", Decision.REJECT, "no").status
        is ReportStatus.REJECTED
    )


@pytest.mark.parametrize(
    ("kind", "actor"),
    [
        ("release", "pat"),  # portfolio approver on a release report
        ("security-review", "rita"),  # release approver on a security review
        ("portfolio", "nobody"),
    ],
)
def test_wrong_role_is_refused_and_audited(signoff: SignOff, kind: str, actor: str) -> None:
    report_id = register(signoff, kind=kind)
    with pytest.raises(NotAuthorized, match="role"):
        signoff.decide(report_id, actor, Decision.APPROVE, "lgtm")
    assert signoff.registry.get(report_id).status is ReportStatus.PENDING
    refusal = next(signoff.registry.audit.entries(AuditFilter(action="signoff.refused")))
    assert refusal.actor == actor and refusal.subject == report_id


@pytest.mark.parametrize("bot", ["agent:security", "agent:advisor", "release-risk-advisor[bot]"])
def test_a_bot_never_signs_off(store_url: str, bot: str) -> None:
    store, _ = Store.initialise(store_url)
    roles = RoleBook(roles={"release-approver": [bot]})  # even when misconfigured
    signoff = SignOff(ReportRegistry(store, AuditLog(store)), roles)
    report_id = register(signoff)
    with pytest.raises(NotAuthorized, match="bot"):
        signoff.decide(report_id, bot, Decision.APPROVE, "self-approval")


def test_author_of_the_subject_cannot_sign_it_off(signoff: SignOff) -> None:
    report_id = register(
        signoff, kind="security-review", subject="acme/payments#42", authors=["dev-dan"]
    )
    with pytest.raises(NotAuthorized, match="separation of duties"):
        signoff.decide(report_id, "Dev-Dan", Decision.APPROVE, "my own PR is fine")
    assert (
        signoff.decide(report_id, "sec-lead", Decision.APPROVE, "ok").status
        is ReportStatus.APPROVED
    )


MAPPED = RoleBook(
    roles={"release-approver": ["rita", "sam"], "security-reviewer": ["dan", "sec-lead"]},
    identities={"dan": ["dev-dan"], "Rita": ["rlopez", "rita-acme"]},
)


@pytest.mark.parametrize(
    ("kind", "authors", "actor", "named"),
    [
        ("security-review", ["dev-dan"], "dan", "dan (GitHub login dev-dan) authored"),
        ("release", ["alice", "RITA-ACME"], "rita", "rita (GitHub login RITA-ACME) authored "
                                                     "or merged"),
        # Acting under a mapped login (GITHUB_ACTOR), against the identity or a sibling login
        ("release", ["rita"], "rlopez", "rlopez (GitHub login rita) authored or merged"),
        ("release", ["rita-acme"], "rlopez", "rlopez (GitHub login rita-acme)"),
    ],
)
def test_separation_of_duties_sees_through_the_identity_mapping(
        store_url: str, kind: str, authors: list[str], actor: str, named: str) -> None:
    store, _ = Store.initialise(store_url)
    signoff = SignOff(ReportRegistry(store, AuditLog(store)), MAPPED)
    report_id = register(signoff, kind=kind, authors=authors)
    with pytest.raises(NotAuthorized, match=re.escape(named)):
        signoff.decide(report_id, actor, Decision.APPROVE, "mine, but fine")
    refusal = next(signoff.registry.audit.entries(AuditFilter(action="signoff.refused")))
    assert (refusal.actor, refusal.subject) == (actor, report_id)
    assert "separation of duties" in refusal.payload["why"]
    assert signoff.registry.get(report_id).status is ReportStatus.PENDING


def test_the_identity_mapping_only_refuses_the_person_it_names(store_url: str) -> None:
    store, _ = Store.initialise(store_url)
    signoff = SignOff(ReportRegistry(store, AuditLog(store)), MAPPED)
    report_id = register(signoff, authors=["dev-dan", "alice"])  # dan is no release approver
    assert signoff.decide(report_id, "sam", Decision.APPROVE, "ok").status is (
        ReportStatus.APPROVED)
    # A mapped login holds none of the identity's roles: the mapping only widens refusals.
    other = register(signoff, subject="payments@v2.5.0")
    with pytest.raises(NotAuthorized, match="does not hold the 'release-approver' role"):
        signoff.decide(other, "rlopez", Decision.APPROVE, "as rita")


def test_a_decided_report_never_changes(signoff: SignOff) -> None:
    report_id = register(signoff)
    signoff.decide(report_id, "rita", Decision.REJECT, "too risky")
    with pytest.raises(AlreadyDecided):
        signoff.decide(report_id, "sam", Decision.APPROVE, "overrule")
    record = signoff.registry.get(report_id)
    assert (record.status, record.decided_by) == (ReportStatus.REJECTED, "rita")
    # The database refuses it too, whoever tries.
    with (
        pytest.raises(DBAPIError, match="never changes"),
        signoff.registry.store.engine.begin() as conn,
    ):
        conn.execute(text(f"UPDATE reports SET status = 'approved' WHERE id = '{report_id}'"))


def test_a_newer_report_supersedes_a_pending_one(signoff: SignOff) -> None:
    first = register(signoff)
    second = register(signoff)
    old = signoff.registry.get(first)
    assert old.status is ReportStatus.SUPERSEDED and old.superseded_by == second
    with pytest.raises(AlreadyDecided, match="superseded"):
        signoff.decide(first, "rita", Decision.APPROVE, "late")


def test_decided_reports_are_not_superseded(signoff: SignOff) -> None:
    first = register(signoff)
    signoff.decide(first, "rita", Decision.APPROVE, "ok")
    register(signoff)
    assert signoff.registry.get(first).status is ReportStatus.APPROVED


def test_unknown_report_id(signoff: SignOff) -> None:
    with pytest.raises(UnknownReport, match="rel-nope"):
        signoff.decide("rel-nope", "rita", Decision.APPROVE, "?")


def test_stored_content_is_redacted_and_hashed(signoff: SignOff) -> None:
    record = signoff.registry.register(
        "release", "svc@1", {"note": "token ghp_" + "a1B2" * 9}, "agent:advisor"
    )
    content = signoff.registry.content(record.id)
    assert "ghp_" not in str(content)
    from governance.canonical import canonical_json, sha256_hex

    assert sha256_hex(canonical_json(content)) == record.content_hash

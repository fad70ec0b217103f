"""Report registry and sign-off: roles, separation of duties, immutability, audit."""

from __future__ import annotations

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

"""Sign-off from a PR comment: ``/advisor sign-off approve|reject <reason>``.

Two ways to be allowed, both audited with the path that authorised the attempt:

* ``role`` — the commenter holds the sign-off role in ``config/roles.yaml``; the
  governance ``SignOff`` decides exactly as for ``advisor signoff``.
* ``repo-permission`` — GitHub says the commenter has ``maintain`` or ``admin`` on the
  repository (``GET /repos/{o}/{r}/collaborators/{user}/permission``). Then a ``SignOff``
  whose role book grants that one login the role, for this one decision, decides.

Everything else ``SignOff`` checks still applies on both paths (pending status, no bot,
never the PR's author), and only ``security-review`` reports can be decided here: the
governance ``SignOff`` itself is not changed for any kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from governance.controls import Controls
from governance.db import reports
from governance.errors import NotAuthorized
from governance.reports import Decision, ReportRecord, ReportStatus, SignOff
from governance.roles import RoleBook
from render.review.comment import md

KIND = "security-review"
MAINTAINER_ROLES = frozenset({"maintain", "admin"})
_COMMAND = re.compile(r"^\s*/advisor\s+sign-?off\s+(\S+)[ \t]*(.*)$", re.IGNORECASE | re.DOTALL)
Permission = Callable[[str], str | None]  # login -> role_name on the repository


@dataclass(frozen=True)
class Command:
    decision: Decision | None  # None: neither approve nor reject
    reason: str


def parse_command(body: str) -> Command | None:
    match = _COMMAND.match(body)
    if match is None:
        return None
    word, reason = match.group(1).lower(), " ".join(match.group(2).split())[:1000]
    decision = {"approve": Decision.APPROVE, "reject": Decision.REJECT}.get(word)
    return Command(decision, reason)


def pending_report(controls: Controls, subject: str) -> ReportRecord | None:
    """The newest security review of ``subject`` still waiting for a human."""
    query = (select(reports.c.id).where(reports.c.kind == KIND, reports.c.subject == subject,
                                        reports.c.status == ReportStatus.PENDING.value)
             .order_by(reports.c.created_at.desc()).limit(1))
    with controls.store.read() as conn:
        found = conn.execute(query).scalar_one_or_none()
    return controls.registry.get(found) if found else None


def granting(roles: RoleBook, role: str, login: str) -> RoleBook:
    """``roles`` plus ``login`` in ``role``: for one decision, never saved anywhere."""
    members = {**roles.roles, role: [*roles.roles.get(role, []), login]}
    return roles.model_copy(update={"roles": members})


class PullRequestSignOff:
    def __init__(self, controls: Controls, permission: Permission, *,
                 maintainers_may_sign_off: bool = True) -> None:
        self.controls = controls
        self.permission = permission
        self.maintainers = maintainers_may_sign_off

    def decide(self, report_id: str, actor: str, decision: Decision, comment: str,
               repo: str) -> ReportRecord:
        record = self.controls.registry.get(report_id)
        if record.kind != KIND:
            raise NotAuthorized(f"a pull-request comment can only sign off a {KIND} report")
        roles = self.controls.roles
        role = roles.role_for_kind(KIND)
        if self._refused_anyway(record, actor):
            return self.controls.signoff.decide(report_id, actor, decision, comment)  # refuses
        if roles.has_role(actor, role):
            path, signoff, detail = "role", self.controls.signoff, None
        else:
            detail = self.permission(actor)
            if not (self.maintainers and detail in MAINTAINER_ROLES):
                self._refuse(record, actor, decision, role, detail)
            path, signoff = "repo-permission", SignOff(self.controls.registry,
                                                       granting(roles, role, actor))
        self.controls.audit.append(actor, "signoff.authorisation", report_id, {
            "path": path, "repo": repo, "repo_role": detail, "via": "pull request comment",
            "kind": record.kind})
        return signoff.decide(report_id, actor, decision, comment)

    def _refused_anyway(self, record: ReportRecord, actor: str) -> bool:
        """Cases ``SignOff`` refuses whatever the role: let it refuse (and audit) them."""
        authors = {a.casefold() for a in record.subject_authors}
        return (record.status != ReportStatus.PENDING or self.controls.roles.is_bot(actor)
                or actor.casefold() in authors)

    def _refuse(self, record: ReportRecord, actor: str, decision: Decision, role: str,
                repo_role: str | None) -> None:
        why = (f"{actor} holds neither the '{role}' role nor maintain/admin permission on the "
               f"repository (GitHub says: {repo_role or 'no access'})")
        if not self.maintainers:
            why = f"{actor} does not hold the '{role}' role (maintainer sign-off is off)"
        self.controls.audit.append(actor, "signoff.refused", record.id, {
            "kind": record.kind, "requested": decision.value, "why": why,
            "via": "pull request comment"})
        raise NotAuthorized(why)


def refusal_reply(actor: str, why: str) -> str:
    return (f"Thanks, {md(actor, 60)}. This sign-off was not recorded: {md(why, 400)}.\n\n"
            "A security review can be signed off by someone who holds the security-reviewer "
            "role or maintain/admin permission on this repository and who did not author the "
            "pull request. Nothing has been approved.")

"""Roles from ``config/roles.yaml``: who may flip kill switches and sign off what."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from governance.configfile import load_yaml_model
from governance.errors import ConfigError
from governance.identity import AGENT_PREFIX

KNOWN_ROLES = frozenset({"admin", "release-approver", "security-reviewer", "portfolio-approver"})
REPORT_KINDS = frozenset({"release", "security-review", "portfolio"})
# GitHub's logins: letters, digits and single inner hyphens (up to 39); Enterprise Managed
# Users add "_shortcode", and some GitHub Enterprise Server logins hold underscores.
GITHUB_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_]|-(?=[A-Za-z0-9_]))*")


class RoleBook(BaseModel):
    """Role → identities, report kind → role required to sign it off, bot identities."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: dict[str, list[str]] = Field(default_factory=dict)
    signoff: dict[str, str] = Field(
        default_factory=lambda: {
            "release": "release-approver",
            "security-review": "security-reviewer",
            "portfolio": "portfolio-approver",
        }
    )
    bots: list[str] = Field(default_factory=lambda: ["agent:*", "*[bot]"])
    # Per report kind: may someone who authored the subject (a PR of a release, the PR
    # under review) sign it off? On unless an organisation turns it off for a kind.
    separation_of_duties: dict[str, bool] = Field(
        default_factory=lambda: dict.fromkeys(sorted(REPORT_KINDS), True))
    # Advisor identity (OS login, GITHUB_ACTOR) -> the GitHub login(s) the same person
    # authors and merges under, for separation of duties where the two differ.
    identities: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - KNOWN_ROLES)
        if unknown:
            raise ValueError(
                f"unknown role(s) {', '.join(unknown)}; known: {', '.join(sorted(KNOWN_ROLES))}"
            )
        return {role: [i.strip() for i in ids if i and i.strip()] for role, ids in value.items()}

    @field_validator("signoff")
    @classmethod
    def _known_kinds(cls, value: dict[str, str]) -> dict[str, str]:
        for kind, role in value.items():
            if kind not in REPORT_KINDS:
                raise ValueError(f"unknown report kind {kind!r} in signoff")
            if role not in KNOWN_ROLES:
                raise ValueError(f"unknown role {role!r} for report kind {kind!r}")
        return value

    @field_validator("separation_of_duties")
    @classmethod
    def _known_duty_kinds(cls, value: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(value) - REPORT_KINDS)
        if unknown:
            raise ValueError(f"unknown report kind(s) {', '.join(unknown)} in "
                             f"separation_of_duties; known: {', '.join(sorted(REPORT_KINDS))}")
        return {**dict.fromkeys(sorted(REPORT_KINDS), True), **value}

    @field_validator("identities", mode="before")
    @classmethod
    def _github_logins(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value  # pydantic names the wrong type
        mapped: dict[str, list[str]] = {}
        for who, logins in value.items():
            if not isinstance(who, str) or not who.strip():
                raise ValueError(f"identity {who!r} is not a name")
            if who.strip().casefold() in (m.casefold() for m in mapped):
                raise ValueError(f"identity {who.strip()!r} is listed twice (matching is "
                                 "case-insensitive)")
            mapped[who.strip()] = [_login(who, item) for item in _listed(logins)]
        return mapped

    @model_validator(mode="after")
    def _no_bot_identities(self) -> RoleBook:
        bots = sorted(who for who in self.identities if self.is_bot(who))
        if bots:
            raise ValueError(f"identities: {', '.join(bots)} is a bot identity; only people "
                             "are mapped to GitHub logins")
        return self

    def separates(self, kind: str) -> bool:
        """Whether the subject's authors are kept from signing off this kind of report."""
        return self.separation_of_duties.get(kind, True)

    def has_role(self, identity: str, role: str) -> bool:
        if role not in KNOWN_ROLES:
            raise ConfigError(f"unknown role {role!r}")
        if self.is_bot(identity):
            return False  # a bot never holds a human role, whatever the file says
        wanted = identity.casefold()
        return any(member.casefold() == wanted for member in self.roles.get(role, []))

    def roles_of(self, identity: str) -> list[str]:
        return sorted(role for role in self.roles if self.has_role(identity, role))

    def role_for_kind(self, kind: str) -> str:
        try:
            return self.signoff[kind]
        except KeyError:
            raise ConfigError(f"no sign-off role configured for report kind {kind!r}") from None

    def github_logins(self, identity: str) -> list[str]:
        """The GitHub logins ``identities`` maps this identity to (none when unmapped)."""
        wanted = identity.casefold()
        return [login for who, logins in self.identities.items() if who.casefold() == wanted
                for login in logins]

    def known_as(self, identity: str) -> frozenset[str]:
        """Every name the person acting as ``identity`` goes by, case-folded: the identity,
        the GitHub logins mapped to it and, when it is one of those logins, the identity
        it is mapped from (with that identity's other logins)."""
        wanted = identity.casefold()
        names = {wanted}
        for who, logins in self.identities.items():
            group = {who.casefold(), *(login.casefold() for login in logins)}
            if wanted in group:
                names |= group
        return frozenset(names)

    def among(self, identity: str, people: Iterable[str]) -> str | None:
        """The first of ``people`` who is the person acting as ``identity`` (by identity or
        mapped GitHub login, case-insensitive), or None."""
        names = self.known_as(identity)
        return next((person for person in people if person.casefold() in names), None)

    def is_bot(self, identity: str) -> bool:
        lowered = identity.casefold()
        return lowered.startswith(AGENT_PREFIX) or any(
            _glob(pattern).fullmatch(lowered) for pattern in self.bots
        )


def _listed(logins: Any) -> list[Any]:
    """One login or a list of them."""
    if isinstance(logins, str):
        return [logins]
    if not isinstance(logins, list) or not logins:
        raise ValueError("map an identity to a GitHub login or a list of them")
    return logins


def _login(who: str, value: Any) -> str:
    login = value.strip().removeprefix("@") if isinstance(value, str) else ""
    if not GITHUB_LOGIN.fullmatch(login) or len(login) > 100:
        raise ValueError(f"{value!r} (for {who}) is not a GitHub login")
    return login


@cache
def _glob(pattern: str) -> re.Pattern[str]:
    # Only "*" is a wildcard: "[bot]" in "*[bot]" is literal, unlike fnmatch.
    return re.compile(".*".join(re.escape(part) for part in pattern.casefold().split("*")))


def load_roles(path: Path) -> RoleBook:
    """Load and validate a roles file; any problem is one clear line (with line and column
    for malformed YAML)."""
    if not path.exists():
        raise ConfigError(f"roles file not found: {path} (set ADVISOR_ROLES_FILE or "
                          "roles_file in config/advisor.yaml)")
    return load_yaml_model(path, RoleBook, "roles file")

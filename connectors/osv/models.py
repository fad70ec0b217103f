"""What the OSV connector returns: packages and the vulnerabilities OSV knows for them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.osv.cvss import Band


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PackageRef(_Frozen):
    """A dependency as OSV names it: ecosystem (``PyPI``, ``npm``, ``Go``, ``crates.io``,
    ``Maven``...), package name in that ecosystem, and the exact version in use."""

    ecosystem: str = Field(min_length=1)
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)

    def __str__(self) -> str:
        return f"{self.ecosystem}:{self.name}@{self.version}"


class Severity(_Frozen):
    """``band`` from a CVSS base score (v2, v3 or v4) when there is one, else a rating word
    (Ubuntu's priority, the database's or the ecosystem's)."""

    band: Band | None
    score: float | None = None
    vector: str | None = None
    source: Literal["cvss_v2", "cvss_v3", "cvss_v4", "ubuntu", "database_specific",
                    "ecosystem_specific", "unscored_vector"]


class RangeEvent(_Frozen):
    kind: Literal["introduced", "fixed", "last_affected", "limit"]
    version: str


class AffectedRange(_Frozen):
    type: str  # ECOSYSTEM, SEMVER or GIT (versions are commit hashes then)
    repo: str | None = None
    events: list[RangeEvent]


class Reference(_Frozen):
    type: str
    url: str


class Vulnerability(_Frozen):
    """One OSV record, narrowed to the package it was found for.

    ``details_missing``: the batch query named it but its record could not be read
    (a gap says why); it still counts, it is just not described.
    """

    id: str
    modified: datetime
    aliases: list[str] = Field(default_factory=list)
    summary: str | None = None
    details: str | None = None
    severity: Severity | None = None
    published: datetime | None = None
    withdrawn: datetime | None = None
    ranges: list[AffectedRange] = Field(default_factory=list)
    affected_versions: list[str] = Field(default_factory=list)
    fixed_versions: list[str] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    cwe_ids: list[str] = Field(default_factory=list)
    details_missing: bool = False

    @property
    def cves(self) -> list[str]:
        return [a for a in [self.id, *self.aliases] if a.startswith("CVE-")]


class PackageVulnerabilities(_Frozen):
    """``vulnerabilities`` is ``None`` when OSV could not be asked about the package."""

    package: PackageRef
    vulnerabilities: list[Vulnerability] | None


class OsvResult(_Frozen):
    schema_version: Literal[1] = 1
    packages: list[PackageVulnerabilities] = Field(default_factory=list)

    def for_package(self, package: PackageRef) -> list[Vulnerability] | None:
        for entry in self.packages:
            if entry.package == package:
                return entry.vulnerabilities
        raise KeyError(str(package))

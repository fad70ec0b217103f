"""OSV wire formats (https://ossf.github.io/osv-schema/) and their reading into our models."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from connectors.osv.cvss import BANDS, Band, scored
from connectors.osv.models import (
    AffectedRange,
    PackageRef,
    RangeEvent,
    Reference,
    Severity,
    Vulnerability,
)

# Words databases rate severity with, on the CVSS scale. GitHub says MODERATE, Red Hat
# IMPORTANT, Ubuntu's priorities (a severity type of its own) run from negligible to
# critical, Debian's urgencies from unimportant to high. Anything else (Ubuntu's
# "untriaged", Debian's "not yet assigned") rates nothing.
_RATINGS: dict[str, Band] = {
    "NONE": "NONE",
    "NEGLIGIBLE": "LOW",
    "UNIMPORTANT": "LOW",
    "LOW": "LOW",
    "MODERATE": "MEDIUM",
    "MEDIUM": "MEDIUM",
    "IMPORTANT": "HIGH",
    "HIGH": "HIGH",
    "CRITICAL": "CRITICAL",
}
_VECTOR_TYPES = frozenset({"CVSS_V2", "CVSS_V3", "CVSS_V4"})
_EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")  # OSV adds fields; we read what we use


# -- /v1/querybatch ---------------------------------------------------------------------


class VulnRef(_Wire):
    id: str
    modified: datetime


class BatchResult(_Wire):
    vulns: list[VulnRef] = Field(default_factory=list)  # OSV sends {} for "none"
    next_page_token: str | None = None


class BatchResponse(_Wire):
    results: list[BatchResult]


# -- /v1/vulns/{id} -----------------------------------------------------------------------


class _SeverityEntry(_Wire):
    type: str
    score: str


class _Package(_Wire):
    ecosystem: str = ""
    name: str = ""


class _Range(_Wire):
    type: str
    repo: str | None = None
    events: list[dict[str, str]] = Field(default_factory=list)


class _Affected(_Wire):
    package: _Package | None = None
    severity: list[_SeverityEntry] = Field(default_factory=list)
    ranges: list[_Range] = Field(default_factory=list)
    versions: list[str] = Field(default_factory=list)
    ecosystem_specific: dict[str, Any] = Field(default_factory=dict)


class _Reference(_Wire):
    type: str = "WEB"
    url: str


class OsvRecord(_Wire):
    id: str
    modified: datetime
    published: datetime | None = None
    withdrawn: datetime | None = None
    aliases: list[str] = Field(default_factory=list)
    summary: str | None = None
    details: str | None = None
    severity: list[_SeverityEntry] = Field(default_factory=list)
    affected: list[_Affected] = Field(default_factory=list)
    references: list[_Reference] = Field(default_factory=list)
    database_specific: dict[str, Any] = Field(default_factory=dict)


def vulnerability_for(record: OsvRecord, package: PackageRef) -> Vulnerability:
    """``record`` narrowed to ``package``: its ranges, versions and fixes only."""
    affected = [a for a in record.affected if _same_package(a.package, package)]
    ranges = [_range(r) for a in affected for r in a.ranges]
    return Vulnerability(
        id=record.id,
        modified=record.modified,
        aliases=record.aliases,
        summary=record.summary,
        details=record.details,
        severity=severity(record, affected),
        published=record.published,
        withdrawn=record.withdrawn,
        ranges=ranges,
        affected_versions=_unique(v for a in affected for v in a.versions),
        fixed_versions=_unique(
            e.version for r in ranges if r.type != "GIT" for e in r.events if e.kind == "fixed"
        ),
        references=[Reference(type=r.type, url=r.url) for r in record.references],
        cwe_ids=_strings(record.database_specific.get("cwe_ids")),
    )


def severity(record: OsvRecord, affected: list[_Affected]) -> Severity | None:
    """The most severe CVSS score of any version (v2, v3, v4; record-wide or for this
    package); else a rating word: Ubuntu's priority, the database's, the ecosystem's.

    A vector nothing can score is kept, unrated, rather than dropped.
    """
    entries = record.severity + [s for a in affected for s in a.severity]
    vectors = [e for e in entries if e.type in _VECTOR_TYPES]
    rated = [(found, e.score) for e in vectors if (found := scored(e.score)) is not None]
    if rated:
        found, vector = max(rated, key=lambda pair: (pair[0].score, BANDS.index(pair[0].band)))
        return Severity(band=found.band, score=found.score, vector=vector, source=found.version)
    other_vector = next((e.score for e in vectors), None)
    words: list[tuple[str, object]] = [("ubuntu", e.score) for e in entries if e.type == "Ubuntu"]
    words.append(("database_specific", record.database_specific.get("severity")))
    words += [("ecosystem_specific", a.ecosystem_specific.get("severity")) for a in affected]
    for source, word in words:  # e.g. OSS-Fuzz rates per package
        band = _rating(word)
        if band is not None:
            return Severity(band=band, vector=other_vector, source=source)
    if other_vector is not None:
        return Severity(band=None, vector=other_vector, source="unscored_vector")
    return None


def _rating(value: object) -> Band | None:
    return _RATINGS.get(value.strip().upper()) if isinstance(value, str) else None


def _range(wire: _Range) -> AffectedRange:
    events = [
        RangeEvent(kind=kind, version=event[kind])
        for event in wire.events
        for kind in _EVENT_KINDS
        if kind in event
    ]
    return AffectedRange(type=wire.type, repo=wire.repo, events=events)


def _same_package(candidate: _Package | None, package: PackageRef) -> bool:
    if candidate is None:
        return False
    # "Debian:11" and "Debian" are one ecosystem for matching purposes.
    if candidate.ecosystem.split(":")[0].lower() != package.ecosystem.split(":")[0].lower():
        return False
    return _normal(candidate.name, package.ecosystem) == _normal(package.name, package.ecosystem)


def _normal(name: str, ecosystem: str) -> str:
    if ecosystem == "PyPI":  # PEP 503: Jinja2, jinja2 and jinja_2 are one project
        return re.sub(r"[-_.]+", "-", name).lower()
    return name


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

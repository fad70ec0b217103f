"""Known vulnerabilities of changed dependencies, read from ``snapshot.osv``.

A package OSV was not asked about, or could not answer for, is a coverage gap: it is
never reported as "no known vulnerabilities".
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from agents.models import Confidence, Evidence, EvidenceKind, Finding, Severity
from agents.security.dependencies.changes import DependencyChange
from agents.security.findings import FindingFactory, PrRef
from agents.security.taxonomy import DEFAULTS, Category
from connectors.osv.models import OsvResult, PackageRef, Vulnerability
from connectors.provenance import Gap

__all__ = ["Lookup", "OsvIndex", "advisory_findings"]

_BAND = {"CRITICAL": Severity.CRITICAL, "HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM,
         "LOW": Severity.LOW, "NONE": Severity.LOW}


class Lookup(StrEnum):
    ANSWERED = "answered"
    FAILED = "lookup failed"
    NOT_QUERIED = "not queried"
    NO_OSV = "OSV data not in the snapshot"


class OsvIndex:
    """``OsvResult.for_package`` is a linear scan; a release asks thousands of times."""

    def __init__(self, osv: OsvResult | None) -> None:
        self.osv = osv
        self._by_package = {e.package: e.vulnerabilities for e in osv.packages} if osv else {}

    def lookup(self, package: PackageRef) -> tuple[Lookup, list[Vulnerability]]:
        if self.osv is None:
            return Lookup.NO_OSV, []
        if package not in self._by_package:
            return Lookup.NOT_QUERIED, []
        found = self._by_package[package]
        if found is None:
            return Lookup.FAILED, []
        return Lookup.ANSWERED, [v for v in found if v.withdrawn is None]


def _severity(vulns: Sequence[Vulnerability]) -> Severity:
    # Unscored advisories count as medium: unknown is not the same as low.
    bands = [_BAND.get(v.severity.band, Severity.MEDIUM) if v.severity and v.severity.band
             else Severity.MEDIUM for v in vulns]
    return max(bands, key=lambda s: s.rank)


def _describe(vuln: Vulnerability) -> str:
    aliases = ", ".join(vuln.cves) if vuln.cves else "no CVE"
    band = vuln.severity.band if vuln.severity and vuln.severity.band else "unscored"
    fixed = ", ".join(vuln.fixed_versions) if vuln.fixed_versions else "no fixed version"
    summary = f": {vuln.summary}" if vuln.summary else ""
    return f"{vuln.id} ({aliases}; {band}; fixed in {fixed}){summary}"


def _finding(factory: FindingFactory, pr: PrRef, change: DependencyChange,
             vulns: Sequence[Vulnerability]) -> Finding:
    package = change.package
    moved = (f" (was {change.previous_version})" if change.previous_version else " (new)")
    fixes = sorted({f for v in vulns for f in v.fixed_versions})
    evidence = [factory.at(pr, change.path, change.line, f"{package}{moved}",
                           EvidenceKind.DEPENDENCY)]
    evidence += [Evidence(kind=EvidenceKind.DEPENDENCY, ref=v.id,
                          url=f"https://osv.dev/vulnerability/{v.id}") for v in vulns]
    cwes = [*DEFAULTS[Category.VULNERABLE_DEPENDENCY][0], *(c for v in vulns for c in v.cwe_ids)]
    return factory.finding(
        Category.VULNERABLE_DEPENDENCY, pr,
        (change.path, package.ecosystem, package.name, package.version),
        severity=_severity(vulns), confidence=Confidence.HIGH,
        title=(f"{package.name} {package.version} ({package.ecosystem}) has {len(vulns)} known "
               f"vulnerabilit{'y' if len(vulns) == 1 else 'ies'}"),
        explanation=(f"{change.path} adds {package}{moved}; OSV lists: "
                     + "; ".join(_describe(v) for v in vulns) + "."),
        evidence=evidence,
        recommendation=(f"Move to a version with every fix ({', '.join(fixes)})"
                        if fixes else "No fixed version is published: pin away from it, "
                        "replace it, or document why the vulnerable code is not reachable")
        + "; then regenerate the lockfile.",
        cwe=cwes,
    )


def advisory_findings(factory: FindingFactory, pr: PrRef, changes: Sequence[DependencyChange],
                      index: OsvIndex) -> tuple[list[Finding], list[Gap]]:
    findings: list[Finding] = []
    unknown: dict[Lookup, list[str]] = {}
    for change in changes:
        outcome, vulns = index.lookup(change.package)
        if outcome is not Lookup.ANSWERED:
            unknown.setdefault(outcome, []).append(str(change.package))
        elif vulns:
            findings.append(_finding(factory, pr, change, vulns))
    gaps = [Gap(source="osv",
                what=f"{pr.label}: vulnerabilities of {len(names)} changed package(s) "
                     f"({', '.join(names[:5])}{', …' if len(names) > 5 else ''})",
                why=outcome.value)
            for outcome, names in unknown.items()]
    return findings, gaps

"""OSV: known vulnerabilities of dependencies, read-only, with a disk cache."""

from connectors.osv.connector import OsvConnector, OsvSettings
from connectors.osv.models import (
    AffectedRange,
    OsvResult,
    PackageRef,
    PackageVulnerabilities,
    RangeEvent,
    Reference,
    Severity,
    Vulnerability,
)

__all__ = [
    "AffectedRange",
    "OsvConnector",
    "OsvResult",
    "OsvSettings",
    "PackageRef",
    "PackageVulnerabilities",
    "RangeEvent",
    "Reference",
    "Severity",
    "Vulnerability",
]

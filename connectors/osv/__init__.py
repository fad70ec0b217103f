"""OSV: known vulnerabilities of dependencies, read-only, with a disk cache."""

from typing import TYPE_CHECKING

from connectors.lazy import lazy_attributes
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

if TYPE_CHECKING:  # the client library loads with its first use (connectors/lazy.py)
    from connectors.osv.connector import OsvConnector, OsvSettings

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

__getattr__ = lazy_attributes(__name__, {
    "OsvConnector": "connectors.osv.connector",
    "OsvSettings": "connectors.osv.connector",
})

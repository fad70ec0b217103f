"""CVSS base scores of every version OSV carries (v2, v3.x, v4.0), and the rating scale.

Scoring is Red Hat's ``cvss`` library (the FIRST specifications, v4's lookup tables
included). Only the base metric group counts: temporal, threat and environmental
metrics, when a vector carries them, describe one deployment, not the vulnerability.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cvss import CVSS2, CVSS3, CVSS4, CVSSError

Band = Literal["NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
Version = Literal["cvss_v2", "cvss_v3", "cvss_v4"]
BANDS: tuple[Band, ...] = ("NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL")


@dataclass(frozen=True)
class Scored:
    score: float
    band: Band
    version: Version


def version_of(vector: str) -> Version:
    """v4 and v3 vectors name their version; a v2 vector has no prefix."""
    text = vector.strip()
    if text.startswith("CVSS:4."):
        return "cvss_v4"
    return "cvss_v3" if text.startswith("CVSS:3.") else "cvss_v2"


def scored(vector: str) -> Scored | None:
    """Base score and rating of a vector of any version; None if it cannot be read."""
    version = version_of(vector)
    try:
        if version == "cvss_v4":
            v4 = CVSS4(vector.strip())
            return Scored(float(v4.base_score), _band(v4.severity), version)
        if version == "cvss_v3":
            v3 = CVSS3(vector.strip())
            return Scored(float(v3.base_score), _band(v3.severities()[0]), version)
        v2 = CVSS2(vector.strip())
        # v2 has no "critical": NVD's v2 scale is low, medium, high.
        return Scored(float(v2.base_score), _band(v2.severities()[0]), version)
    except (CVSSError, ValueError, KeyError):
        return None


def base_score(vector: str) -> float | None:
    found = scored(vector)
    return found.score if found is not None else None


def band(score: float) -> Band:
    """Qualitative severity rating scale of CVSS v3 and v4."""
    if score == 0:
        return "NONE"
    if score < 4.0:
        return "LOW"
    if score < 7.0:
        return "MEDIUM"
    if score < 9.0:
        return "HIGH"
    return "CRITICAL"


def _band(word: str) -> Band:
    upper = word.upper()
    for known in BANDS:
        if upper == known:
            return known
    raise ValueError(f"unknown CVSS rating {word!r}")

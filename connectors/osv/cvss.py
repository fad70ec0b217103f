"""CVSS v3.x base scores from vectors (FIRST CVSS v3.1 specification, section 7).

Only the base metric group is scored: temporal and environmental metrics, when a
vector carries them, describe one deployment rather than the vulnerability.
"""

from __future__ import annotations

import math
from typing import Literal

Band = Literal["NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"]

_WEIGHTS: dict[str, dict[str, float]] = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_PRIVILEGES = {"U": {"N": 0.85, "L": 0.62, "H": 0.27}, "C": {"N": 0.85, "L": 0.68, "H": 0.5}}
_BASE = ("AV", "AC", "PR", "UI", "S", "C", "I", "A")


def base_score(vector: str) -> float | None:
    """The base score of a ``CVSS:3.0/...`` or ``CVSS:3.1/...`` vector; None if unreadable."""
    metrics = _parse(vector)
    if metrics is None:
        return None
    scope_changed = metrics["S"] == "C"
    w = {name: _WEIGHTS[name][metrics[name]] for name in _WEIGHTS}
    privileges = _PRIVILEGES[metrics["S"]][metrics["PR"]]
    iss = 1 - (1 - w["C"]) * (1 - w["I"]) * (1 - w["A"])
    changed_impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15
    impact = changed_impact if scope_changed else 6.42 * iss
    if impact <= 0:
        return 0.0
    exploitability = 8.22 * w["AV"] * w["AC"] * privileges * w["UI"]
    total = impact + exploitability
    return _round_up(min(1.08 * total if scope_changed else total, 10.0))


def band(score: float) -> Band:
    """Qualitative severity rating scale of CVSS v3."""
    if score == 0:
        return "NONE"
    if score < 4.0:
        return "LOW"
    if score < 7.0:
        return "MEDIUM"
    if score < 9.0:
        return "HIGH"
    return "CRITICAL"


def _parse(vector: str) -> dict[str, str] | None:
    prefix, _, rest = vector.strip().partition("/")
    if prefix not in ("CVSS:3.0", "CVSS:3.1") or not rest:
        return None
    metrics: dict[str, str] = {}
    for part in rest.split("/"):
        name, _, value = part.partition(":")
        metrics[name] = value
    if any(name not in metrics for name in _BASE) or metrics["S"] not in _PRIVILEGES:
        return None
    if metrics["PR"] not in _PRIVILEGES["U"]:
        return None
    if any(metrics[name] not in _WEIGHTS[name] for name in _WEIGHTS):
        return None
    return metrics


def _round_up(value: float) -> float:
    # v3.1 Appendix A: round up to one decimal without floating-point surprises.
    scaled = round(value * 100_000)
    if scaled % 10_000 == 0:
        return scaled / 100_000
    return (math.floor(scaled / 10_000) + 1) / 10.0

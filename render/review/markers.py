"""Hidden HTML markers: how the bot finds its own comments again on a re-run."""

from __future__ import annotations

import re

SUMMARY_MARKER = "<!-- release-risk-advisor:summary -->"
_FINDING = "<!-- release-risk-advisor:finding:{fingerprint} -->"
_FINDING_RE = re.compile(r"<!-- release-risk-advisor:finding:([0-9a-f]{8,64}) -->")


def finding_marker(fingerprint: str) -> str:
    return _FINDING.format(fingerprint=fingerprint)


def fingerprints_in(body: str | None) -> set[str]:
    return set(_FINDING_RE.findall(body or ""))


def is_summary(body: str | None) -> bool:
    return SUMMARY_MARKER in (body or "")

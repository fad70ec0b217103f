"""Trojan Source (CVE-2021-42574): bidi controls and invisible characters in added lines.

Bidi overrides and isolates make code render in another order than it compiles; zero-
width characters and soft hyphens make two identifiers look the same. Emoji sequences
(zero-width joiners between emoji) and a byte-order mark at the very start of a file
are how honest text is written, so they are not reported. Soft hyphens count only in
code, not in prose files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from agents.injection import visible
from agents.models import Confidence, Finding, Severity
from agents.security.diff import FileDiff
from agents.security.findings import FindingFactory, PrRef
from agents.security.taxonomy import Category

__all__ = ["TrojanHit", "trojan_findings", "trojan_hits"]

BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
SOFT_HYPHEN = "\u00ad"
_SUSPECT = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff\u00ad]")
_PROSE = frozenset({".md", ".markdown", ".rst", ".txt", ".adoc", ".html", ".htm", ".po"})


@dataclass(frozen=True)
class TrojanHit:
    line: int
    column: int
    char: str
    text: str

    @property
    def bidi(self) -> bool:
        return self.char in BIDI


def _emoji(char: str) -> bool:
    return unicodedata.category(char) == "So" or ord(char) >= 0x1F000


def _benign(text: str, i: int, line: int, prose: bool) -> bool:
    char = text[i]
    if char == "\ufeff":
        return line == 1 and i == 0
    if char == "\u200d" and 0 < i < len(text) - 1:
        return _emoji(text[i - 1]) and _emoji(text[i + 1])
    return char == SOFT_HYPHEN and prose


def trojan_hits(diff: FileDiff) -> list[TrojanHit]:
    prose = PurePosixPath(diff.path).suffix.lower() in _PROSE
    hits: list[TrojanHit] = []
    for line in diff.added:
        for match in _SUSPECT.finditer(line.text):
            if not _benign(line.text, match.start(), line.number, prose):
                hits.append(TrojanHit(line.number, match.start() + 1, match.group(0), line.text))
    return hits


def trojan_findings(factory: FindingFactory, pr: PrRef, path: str,
                    hits: Sequence[TrojanHit]) -> list[Finding]:
    """One finding per file: the characters, where, and how the line really reads."""
    if not hits:
        return []
    bidi = any(hit.bidi for hit in hits)
    codes = sorted({f"U+{ord(hit.char):04X}" for hit in hits})
    by_line: dict[int, list[TrojanHit]] = {}
    for hit in hits:
        by_line.setdefault(hit.line, []).append(hit)
    evidence = [factory.at(pr, path, line, f"{_columns(found)}: {visible(found[0].text)}")
                for line, found in by_line.items()]
    return [factory.finding(
        Category.TROJAN_SOURCE, pr, (path, "bidi" if bidi else "invisible"),
        severity=Severity.HIGH if bidi else Severity.MEDIUM,
        confidence=Confidence.HIGH if bidi else Confidence.MEDIUM,
        title=(f"{'Bidirectional control' if bidi else 'Invisible'} characters added in {path}"),
        explanation=(f"{len(hits)} character(s) {', '.join(codes)} on added lines. "
                     + ("Bidi controls reorder how code is displayed, so a reviewer can read "
                        "different logic than the compiler runs (CVE-2021-42574). "
                        if bidi else "")
                     + "Invisible characters make identifiers or strings that look the same "
                     "differ. The evidence spells each one out as ⟦U+XXXX⟧."),
        evidence=evidence,
        recommendation=("Remove the characters (or escape them, e.g. '\\u202e', where a string "
                        "really needs one) and add a pre-commit or CI check that rejects "
                        "them; ask the author why they were there."),
    )]


def _columns(hits: Sequence[TrojanHit]) -> str:
    columns = ", ".join(str(hit.column) for hit in hits)
    return f"col {columns}" if len(hits) == 1 else f"cols {columns}"

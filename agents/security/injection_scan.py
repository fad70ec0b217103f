"""Prompt-injection attempts in a PR: title, body, commit messages, added code comments.

Detection is the shared detector (``agents.injection``), so the advisory layer and this
agent agree and de-duplicate by fingerprint. In code comments, bidi and zero-width
hits are left to the trojan-source rule, which reports them for all added lines.

The detector walks text character by character; a release's comments are megabytes.
So comments go to it only around lines holding a word every one of its phrase rules
needs (``_TRIGGER``, kept in step with ``agents.injection``; a test checks each rule).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath

from agents.injection import Detection, InjectionKind, TextOrigin, detect, injection_findings
from agents.models import Evidence, EvidenceKind, Finding
from agents.security.diff import FileDiff
from agents.security.findings import FindingFactory, PrRef
from agents.security.taxonomy import DEFAULTS, Category
from connectors.github.models import Commit

__all__ = ["comment_text", "injection_detections", "security_injection_findings"]

_CHARACTER_KINDS = frozenset({InjectionKind.BIDI_CONTROL, InjectionKind.ZERO_WIDTH})
_PROSE = frozenset({".md", ".markdown", ".rst", ".txt", ".adoc"})
# A comment opener not inside a word or URL: "#", "//", "/*", "*", "<!--", "--", ";".
_COMMENT = re.compile(r"(?:^|(?<=\s))(?:#|//|/\*|<!--|--)(.*)$|^\s*\*+\s?(.*)$")


def comment_text(line: str) -> str | None:
    """The comment part of a code line, roughly (strings holding '#' are rare enough)."""
    match = _COMMENT.search(line)
    if not match:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


_TRIGGER = re.compile(
    r"<!--|\b(?:ignore|disregard|forget|override|skip|instructions|you\s+are\s+now"
    r"|from\s+now\s+on|pretend|system|developer|mark|label|classify|flag|treat|report|rate"
    r"|approve|merge|lgtm|sign\s+off|do\s+not|don'?t|never|must\s+not)\b", re.IGNORECASE)
_WINDOW = 2  # lines around a trigger: phrases may wrap


def _windows(texts: Sequence[str]) -> list[tuple[int, int]]:
    """[start, end) runs of comment lines worth the detector's time."""
    joined = "\n".join(texts)
    if "<!--" in joined:
        return [(0, len(texts))]  # hidden comments may span any number of lines
    starts = [0]
    for text in texts[:-1]:
        starts.append(starts[-1] + len(text) + 1)
    runs: list[tuple[int, int]] = []
    for match in _TRIGGER.finditer(joined):
        first = bisect_right(starts, match.start()) - 1
        last = bisect_right(starts, match.end() - 1) - 1
        start, end = max(0, first - _WINDOW), min(len(texts), last + _WINDOW + 1)
        if runs and start <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((start, end))
    return runs


def _code_comments(diff: FileDiff, ref: str) -> list[Detection]:
    prose = PurePosixPath(diff.path).suffix.lower() in _PROSE
    rows = [(line.number, line.text if prose else comment_text(line.text))
            for line in diff.added]
    kept = [(number, text) for number, text in rows if text and text.strip()]
    texts = [text for _, text in kept]
    found: list[Detection] = []
    for start, end in _windows(texts):
        found += detect("\n".join(texts[start:end]), origin=TextOrigin.CODE_COMMENT, ref=ref,
                        path=diff.path, line_numbers=[n for n, _ in kept[start:end]])
    return [d for d in found if d.kind not in _CHARACTER_KINDS]


def injection_detections(pr: PrRef, title: str, body: str | None, diffs: Iterable[FileDiff],
                         commits: Sequence[Commit] = ()) -> list[Detection]:
    found = detect(title, origin=TextOrigin.PR_TITLE, ref=pr.label)
    if body:
        found += detect(body, origin=TextOrigin.PR_BODY, ref=pr.label)
    for commit in commits:
        found += detect(commit.message, origin=TextOrigin.COMMIT_MESSAGE, ref=commit.sha[:12])
    for diff in diffs:
        found += _code_comments(diff, pr.label)
    return found


def _with_url(evidence: Evidence, pr: PrRef, commit_urls: Mapping[str, str],
              factory: FindingFactory) -> Evidence:
    url = commit_urls.get(evidence.ref) if evidence.kind is EvidenceKind.COMMIT else pr.url
    return evidence.model_copy(update={
        "url": evidence.url or url,
        "detail": factory.snippet(evidence.detail) if evidence.detail else None})


def security_injection_findings(factory: FindingFactory, pr: PrRef,
                                detections: Sequence[Detection],
                                commits: Sequence[Commit] = ()) -> list[Finding]:
    """The shared finding helper, plus the OWASP mapping, URLs and redacted excerpts."""
    _, owasp = DEFAULTS[Category.PROMPT_INJECTION]
    commit_urls = {c.sha[:12]: c.html_url for c in commits}
    findings = []
    for finding in injection_findings(detections, agent="security"):
        evidence = [_with_url(e, pr, commit_urls, factory) for e in finding.evidence]
        findings.append(finding.model_copy(update={
            "owasp": list(owasp), "evidence": evidence,
            "explanation": factory.clean(finding.explanation)}))
    return findings

"""Deterministic prompt-injection detector for untrusted text (PRs, diffs, tickets, pages).

Shared by the advisory layer (which reports what it was fed) and the security agent.
It finds *attempts*: phrases that address an AI reviewer, instructions hidden in HTML
comments, and invisible characters that make text read differently to a human and to
a model (bidi controls: "Trojan Source", CVE-2021-42574; zero-width characters). A hit
is evidence for a human, never a verdict, and nothing here calls a model.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from agents.models import Confidence, Evidence, EvidenceKind, Finding, Severity, fingerprint

__all__ = [
    "CATEGORY",
    "Detection",
    "InjectionKind",
    "TextOrigin",
    "detect",
    "detect_in_diff",
    "evidence_kind",
    "injection_finding",
    "injection_findings",
    "strip_invisible",
    "visible",
]

CATEGORY = "prompt-injection-attempt"


class TextOrigin(StrEnum):
    """Where a piece of untrusted text came from; decides the evidence kind."""

    PR_TITLE = "pr_title"
    PR_BODY = "pr_body"
    PR_COMMENT = "pr_comment"
    DIFF = "diff"
    CODE_COMMENT = "code_comment"
    COMMIT_MESSAGE = "commit_message"
    JIRA_DESCRIPTION = "jira_description"
    JIRA_COMMENT = "jira_comment"
    CONFLUENCE = "confluence"


_EVIDENCE_KIND = {
    TextOrigin.PR_TITLE: EvidenceKind.PULL_REQUEST,
    TextOrigin.PR_BODY: EvidenceKind.PULL_REQUEST,
    TextOrigin.PR_COMMENT: EvidenceKind.PULL_REQUEST,
    TextOrigin.DIFF: EvidenceKind.FILE,
    TextOrigin.CODE_COMMENT: EvidenceKind.FILE,
    TextOrigin.COMMIT_MESSAGE: EvidenceKind.COMMIT,
    TextOrigin.JIRA_DESCRIPTION: EvidenceKind.ISSUE,
    TextOrigin.JIRA_COMMENT: EvidenceKind.ISSUE,
    TextOrigin.CONFLUENCE: EvidenceKind.PAGE,
}


def evidence_kind(origin: TextOrigin) -> EvidenceKind:
    return _EVIDENCE_KIND[origin]


class InjectionKind(StrEnum):
    INSTRUCTION_OVERRIDE = "instruction-override"  # ignore previous instructions…
    ROLE_CHANGE = "role-change"                    # you are now…
    SYSTEM_PROMPT = "system-prompt"                # mentions the model's system prompt
    VERDICT_REQUEST = "verdict-request"            # approve this PR, mark as safe
    SUPPRESSION = "suppression"                    # do not report this
    HIDDEN_COMMENT = "hidden-comment"              # <!-- instructions a reader never sees -->
    BIDI_CONTROL = "bidi-control"
    ZERO_WIDTH = "zero-width"


# How alarming each kind is on its own. Weak kinds also occur in honest text (a PR
# about an LLM feature says "system prompt"), so they cap the finding lower.
_SEVERITY = {
    InjectionKind.INSTRUCTION_OVERRIDE: Severity.HIGH,
    InjectionKind.VERDICT_REQUEST: Severity.HIGH,
    InjectionKind.SUPPRESSION: Severity.HIGH,
    InjectionKind.HIDDEN_COMMENT: Severity.HIGH,
    InjectionKind.BIDI_CONTROL: Severity.HIGH,
    InjectionKind.ROLE_CHANGE: Severity.MEDIUM,
    InjectionKind.SYSTEM_PROMPT: Severity.MEDIUM,
    InjectionKind.ZERO_WIDTH: Severity.LOW,
}


class Detection(BaseModel):
    """One hit, located so a human can find it: ``ref`` (PR, issue…), optional file, line."""

    model_config = ConfigDict(frozen=True)

    kind: InjectionKind
    rule: str
    origin: TextOrigin
    ref: str
    path: str | None = None
    line: int
    column: int
    excerpt: str

    @property
    def where(self) -> str:
        return f"{self.path or self.ref}:{self.line}"


@dataclass(frozen=True)
class _Rule:
    name: str
    kind: InjectionKind
    pattern: re.Pattern[str]


def _rx(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


_PHRASES = (
    _Rule("ignore-previous-instructions", InjectionKind.INSTRUCTION_OVERRIDE, _rx(
        r"\b(?:ignore|disregard|forget|override|skip)\s+(?:all\s+|any\s+|every\s+)?(?:of\s+)?"
        r"(?:the\s+|your\s+|my\s+)?(?:previous|prior|above|earlier|preceding|original|system)\s+"
        r"(?:instructions?|prompts?|rules?|directions?|directives?|guidelines?)")),
    _Rule("disregard-the-above", InjectionKind.INSTRUCTION_OVERRIDE, _rx(
        r"\b(?:disregard|ignore|forget)\s+(?:everything\s+|all\s+)?(?:that\s+is\s+|written\s+)?"
        r"(?:the\s+)?above\b")),
    _Rule("new-instructions", InjectionKind.INSTRUCTION_OVERRIDE, _rx(
        r"\b(?:new|updated|real)\s+instructions\s*:")),
    _Rule("you-are-now", InjectionKind.ROLE_CHANGE, _rx(
        r"\byou\s+are\s+now\s+(?:an?|the|my|in|acting|no\s+longer|free|unrestricted|"
        r"jailbroken|dan)\b|\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must)\b|"
        r"\bpretend\s+(?:to\s+be|you\s+are)\b")),
    _Rule("system-prompt", InjectionKind.SYSTEM_PROMPT, _rx(
        r"\bsystem\s+(?:prompt|message|instructions)\b|\bdeveloper\s+message\b")),
    _Rule("mark-as-safe", InjectionKind.VERDICT_REQUEST, _rx(
        r"\b(?:mark|label|classify|flag|treat|report|rate)\s+(?:this|the|it|these)\s*"
        r"(?:pr|pull\s+request|change|changes|diff|code|commit|release|file)?\s+as\s+"
        r"(?:safe|secure|approved|clean|benign|low[\s-]risk|no[\s-]risk|harmless|false\s+positives?)")),
    _Rule("approve-this-pr", InjectionKind.VERDICT_REQUEST, _rx(
        r"\b(?:approve|merge|lgtm|sign\s+off)\s+this\s+"
        r"(?:pr|pull\s+request|change|changes|merge\s+request|release|diff)\b")),
    _Rule("do-not-report", InjectionKind.SUPPRESSION, _rx(
        r"\b(?:do\s+not|don'?t|never|must\s+not)\s+(?:report|flag|mention|disclose|list|raise)\s+"
        r"(?:this|these|that|it|them|any(?:thing)?|the\s+(?:issue|finding|vulnerabilit\w*|"
        r"secret|problem|risk)s?)\b")),
)

_HIDDEN_COMMENT = re.compile(r"<!--(.*?)(?:-->|\Z)", re.DOTALL)
# Inside a comment, text that addresses a model and tells it to do something.
_ADDRESSEE = _rx(r"\b(?:ai|assistant|llm|claude|gpt|model|bot|reviewer|agent|instructions?)\b")
_IMPERATIVE = _rx(r"\b(?:ignore|approve|mark|say|respond|reply|output|pretend|skip|remove|"
                  r"omit|hide|do\s+not|don'?t|never|must|always|classify|treat)\b")

BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_INVISIBLE = BIDI | ZERO_WIDTH


def visible(text: str) -> str:
    """Invisible characters spelled out, e.g. ``⟦U+202E⟧``, so a reader (or model) sees them."""
    return "".join(f"⟦U+{ord(c):04X}⟧" if c in _INVISIBLE else c for c in text)


def strip_invisible(text: str) -> tuple[str, list[int]]:
    """Text without invisible characters, and each kept character's offset in the original.

    Phrase rules run on this, so ``ig\u200bnore previous instructions`` still matches.
    """
    kept = [i for i, c in enumerate(text) if c not in _INVISIBLE]
    return "".join(text[i] for i in kept), kept


def _benign_zero_width(text: str, i: int) -> bool:
    char = text[i]
    if char == "\ufeff" and i == 0:
        return True  # a byte-order mark at the start of a file
    if char == "\u200d" and 0 < i < len(text) - 1:
        # Zero-width joiner inside an emoji sequence (👩‍💻) is how emoji are spelt.
        return all(unicodedata.category(text[j]) == "So" or ord(text[j]) >= 0x1F000
                   for j in (i - 1, i + 1))
    return False


@dataclass(frozen=True)
class _Located:
    kind: InjectionKind
    rule: str
    start: int
    end: int


def _phrase_hits(text: str) -> Iterator[_Located]:
    clean, offsets = strip_invisible(text)
    for rule in _PHRASES:
        for match in rule.pattern.finditer(clean):
            start = offsets[match.start()]
            end = offsets[match.end() - 1] + 1
            yield _Located(rule.kind, rule.name, start, end)


def _comment_hits(text: str) -> Iterator[_Located]:
    for match in _HIDDEN_COMMENT.finditer(text):
        inner, _ = strip_invisible(match.group(1))
        instructs = any(rule.pattern.search(inner) for rule in _PHRASES) or (
            _ADDRESSEE.search(inner) is not None and _IMPERATIVE.search(inner) is not None)
        if instructs:
            yield _Located(InjectionKind.HIDDEN_COMMENT, "html-comment-instructions",
                           match.start(), match.end())


def _character_hits(text: str) -> Iterator[_Located]:
    for i, char in enumerate(text):
        if char in BIDI:
            yield _Located(InjectionKind.BIDI_CONTROL, f"U+{ord(char):04X}", i, i + 1)
        elif char in ZERO_WIDTH and not _benign_zero_width(text, i):
            yield _Located(InjectionKind.ZERO_WIDTH, f"U+{ord(char):04X}", i, i + 1)


class _LineIndex:
    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def locate(self, offset: int) -> tuple[int, int]:
        """0-based line index and 1-based column of an offset."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo, offset - self.starts[lo] + 1


def _excerpt(text: str, start: int, end: int, width: int = 40) -> str:
    snippet = text[max(0, start - width):min(len(text), end + width)]
    return " ".join(visible(snippet).split())[:240]


def detect(
    text: str,
    *,
    origin: TextOrigin,
    ref: str,
    path: str | None = None,
    line_numbers: Sequence[int] | None = None,
) -> list[Detection]:
    """Every injection pattern in ``text``, in order of position.

    ``line_numbers[i]`` is the real line number of the text's i-th line (diff hunks);
    by default lines count from 1.
    """
    hits = [*_phrase_hits(text), *_comment_hits(text), *_character_hits(text)]
    index = _LineIndex(text)
    found: list[Detection] = []
    for hit in sorted(hits, key=lambda h: (h.start, h.rule)):
        row, column = index.locate(hit.start)
        line = line_numbers[row] if line_numbers and row < len(line_numbers) else row + 1
        found.append(Detection(kind=hit.kind, rule=hit.rule, origin=origin, ref=ref, path=path,
                               line=line, column=column,
                               excerpt=_excerpt(text, hit.start, hit.end)))
    return found


def detect_in_diff(patch: str, *, ref: str) -> list[Detection]:
    """Scan only the added lines of a unified diff, located at their new file:line."""
    from unidiff.errors import UnidiffParseError
    from unidiff.patch import PatchSet

    try:
        files = PatchSet(patch)
    except UnidiffParseError:
        return detect(patch, origin=TextOrigin.DIFF, ref=ref)
    found: list[Detection] = []
    for patched in files:
        path = patched.target_file[2:] if patched.target_file.startswith("b/") else patched.path
        added = [line for hunk in patched for line in hunk if line.is_added]
        if not added:
            continue
        # Scanned as one text so a comment spanning added lines is still one hit.
        text = "".join(line.value if line.value.endswith("\n") else line.value + "\n"
                       for line in added)
        found += detect(text, origin=TextOrigin.DIFF, ref=ref, path=path,
                        line_numbers=[line.target_line_no or 0 for line in added])
    return found


def _worst(detections: Iterable[Detection]) -> Severity:
    return max((_SEVERITY[d.kind] for d in detections), key=lambda s: s.rank)


_MAX_EVIDENCE = 10


def injection_finding(detections: Sequence[Detection], *, agent: str = "security") -> Finding:
    """One finding for the detections in one source (same ref and path)."""
    if not detections:
        raise ValueError("injection_finding needs at least one detection")
    first = detections[0]
    kinds = sorted({d.kind for d in detections})
    severity = _worst(detections)
    confidence = Confidence.HIGH if severity.rank >= Severity.HIGH.rank else Confidence.MEDIUM
    where = first.path or first.ref
    evidence = [
        Evidence(kind=evidence_kind(d.origin),
                 ref=d.ref if d.path is None else f"{d.path}:{d.line}",
                 path=d.path, line=d.line, detail=f"{d.rule}: {d.excerpt}")
        for d in detections[:_MAX_EVIDENCE]
    ]
    more = len(detections) - len(evidence)
    return Finding(
        # Stable across re-runs: the source and which kinds of attempt, not line numbers.
        fingerprint=fingerprint(CATEGORY, first.ref, first.path or "", *kinds),
        agent=agent,
        category=CATEGORY,
        severity=severity,
        confidence=confidence,
        title=f"Prompt-injection attempt in {first.origin.value.replace('_', ' ')} ({where})",
        explanation=(
            f"{len(detections)} pattern(s) that try to steer an AI reviewer: "
            f"{', '.join(k.value for k in kinds)}"
            + (f" ({more} more not listed)" if more > 0 else "")
            + ". The advisory layer treats this text as data and cannot drop or downgrade "
            "deterministic findings, but a human should look at why it is there."),
        evidence=evidence,
        recommendation=(
            "Read the flagged text as it renders and as raw source; remove hidden "
            "instructions and invisible characters, and ask the author why they were added."),
        # CWE-1427: improper neutralisation of input used for LLM prompting.
        cwe=["CWE-1427"],
    )


def injection_findings(detections: Iterable[Detection], *,
                       agent: str = "security") -> list[Finding]:
    """Group detections by source (ref, path) and build one finding per source."""
    groups: dict[tuple[str, str | None], list[Detection]] = {}
    for detection in detections:
        groups.setdefault((detection.ref, detection.path), []).append(detection)
    return [injection_finding(group, agent=agent) for group in groups.values()]

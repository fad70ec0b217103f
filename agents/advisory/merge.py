"""What the model may change, enforced: the deterministic findings are the base.

The model may add a summary, per-finding notes (priority, rationale, a likely-false-
positive flag with a reason, suggested tests) and proposed findings. The merge:

- keeps every deterministic finding, in order, with every field but ``annotation``
  exactly as it was; a finding the model left out gets the offline annotation;
- ignores notes for unknown fingerprints and any key outside the schema (``severity``,
  ``approved``…), naming each attempt in ``merge_notes``;
- withholds every false-positive flag when the inputs hold a prompt-injection attempt
  (the model read text written to make it say exactly that);
- turns proposed findings into ``source="llm"`` findings, severity capped at medium
  unless a deterministic finding corroborates them (see ``corroborators``).

Corroboration: a deterministic finding with evidence in the same file whose category
overlaps (equal, or sharing a significant word: ``sql-injection`` / ``injection``), or
whose evidence lies in the same *area*: the same file within ``AREA_LINES`` lines. A
corroborated finding may rise to the highest corroborating severity, never beyond.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel

from agents.advisory.models import (
    AdvisoryContext,
    AnnotationOutput,
    FindingNote,
    ProposedFinding,
    SummaryOutput,
    UntrustedText,
)
from agents.advisory.offline import SIGN_OFF, annotation, by_urgency
from agents.injection import CATEGORY as INJECTION
from agents.injection import evidence_kind
from agents.models import (
    Confidence,
    Evidence,
    EvidenceKind,
    Finding,
    FindingAnnotation,
    Severity,
    fingerprint,
)
from agents.text import SafeText
from governance.redact import Redactor

LLM_CAP = Severity.MEDIUM
AREA_LINES = 20
MAX_EXTRA_FINDINGS = 10
MAX_TESTS = 3
INJECTION_WARNING = (
    "Warning: the inputs contain a prompt-injection attempt (see the "
    f"'{INJECTION}' finding); this narrative comes from a model that read them.")

_GENERIC_WORDS = frozenset({
    "risk", "risks", "issue", "issues", "finding", "problem", "check", "missing", "possible",
    "potential", "insecure", "unsafe", "weak", "use", "of", "in", "the", "and", "or", "no",
    "not", "bad", "code", "change", "llm",
})
_DIFF_TARGET = re.compile(r"^\+\+\+ (?:b/)?(\S+)", re.MULTILINE)


class Merged(BaseModel):
    findings: list[Finding]
    summary: str
    notes: list[str]


# -- corroboration ---------------------------------------------------------------------


def _words(category: str) -> set[str]:
    words = {w.rstrip("s") for w in re.split(r"[^a-z0-9]+", category.lower()) if w}
    return words - _GENERIC_WORDS - {""}


def categories_overlap(a: str, b: str) -> bool:
    return a.lower() == b.lower() or bool(_words(a) & _words(b))


def _same_path(a: str, b: str) -> bool:
    a, b = a.lstrip("./"), b.lstrip("./")
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def corroborators(proposed: ProposedFinding, base: Iterable[Finding]) -> list[Finding]:
    """Deterministic findings that back a proposed finding (same file + category or area)."""
    if not proposed.path:
        return []
    found = []
    for finding in base:
        if finding.source != "deterministic":
            continue
        for evidence in finding.evidence:
            if not evidence.path or not _same_path(evidence.path, proposed.path):
                continue
            near = (proposed.line is not None and evidence.line is not None
                    and abs(proposed.line - evidence.line) <= AREA_LINES)
            if near or categories_overlap(finding.category, proposed.category):
                found.append(finding)
                break
    return found


# -- annotations -----------------------------------------------------------------------


def _extra_keys(model: BaseModel) -> list[str]:
    return sorted((model.model_extra or {}).keys())


def _note_annotation(note: FindingNote, clean: SafeText, narrator: str,
                     allow_fp: bool) -> FindingAnnotation:
    reason = clean(note.false_positive_reason, 600) if note.false_positive_reason else None
    flagged = note.likely_false_positive and bool(reason) and allow_fp
    return FindingAnnotation(
        priority=note.priority,
        rationale=clean(note.rationale),
        likely_false_positive=flagged,
        false_positive_reason=reason if flagged else None,
        suggested_tests=[clean(t, 300) for t in note.suggested_tests if t.strip()][:MAX_TESTS],
        annotated_by=narrator,
    )


def _index_notes(notes: Sequence[FindingNote], known: set[str],
                 log: list[str]) -> dict[str, FindingNote]:
    by_fp: dict[str, FindingNote] = {}
    for note in notes:
        if note.fingerprint not in known:
            log.append(f"ignored a note for unknown finding {note.fingerprint!r}")
        elif note.fingerprint in by_fp:
            log.append(f"ignored a second note for finding {note.fingerprint}")
        else:
            by_fp[note.fingerprint] = note
        if _extra_keys(note):
            log.append(f"ignored fields outside the schema on the note for {note.fingerprint!r}: "
                       f"{', '.join(_extra_keys(note))} (a note cannot change a finding)")
    return by_fp


def annotate_base(base: Sequence[Finding], notes: Sequence[FindingNote], clean: SafeText,
                  narrator: str, log: list[str]) -> list[Finding]:
    by_fp = _index_notes(notes, {f.fingerprint for f in base}, log)
    allow_fp = not any(f.category == INJECTION for f in base)
    if not allow_fp and any(n.likely_false_positive for n in by_fp.values()):
        log.append("withheld every likely-false-positive flag: the inputs contain a "
                   "prompt-injection attempt")
    merged = []
    for finding in base:
        note = by_fp.get(finding.fingerprint)
        if note is None:
            log.append(f"no note from the model for {finding.fingerprint}; offline annotation used")
            ann = annotation(finding)
        else:
            if note.likely_false_positive and not note.false_positive_reason and allow_fp:
                log.append("dropped a false-positive flag without a reason on "
                           f"{finding.fingerprint}")
            ann = _note_annotation(note, clean, narrator, allow_fp)
        merged.append(finding.model_copy(update={"annotation": ann}))
    return merged


# -- proposed findings -------------------------------------------------------------------


def _known_paths(base: Sequence[Finding], texts: Sequence[UntrustedText]) -> set[str]:
    paths = {e.path for f in base for e in f.evidence if e.path}
    for item in texts:
        if item.path:
            paths.add(item.path)
        paths.update(_DIFF_TARGET.findall(item.text))
    return paths


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "unspecified"


class _Proposals:
    def __init__(self, base: Sequence[Finding], context: AdvisoryContext, clean: SafeText,
                 log: list[str]) -> None:
        self.base = base
        self.agent = context.agent or "advisory"
        self.texts = {t.id: t for t in context.texts}
        self.paths = _known_paths(base, context.texts)
        self.clean = clean
        self.log = log
        self.seen = {f.fingerprint for f in base}

    def _evidence(self, proposed: ProposedFinding) -> tuple[Evidence, str | None]:
        source = self.texts.get(proposed.evidence_id)
        problem = None
        if source is None:
            problem = "cites evidence that was not in the inputs"
        elif proposed.path and not any(_same_path(proposed.path, p) for p in self.paths):
            problem = "names a file that is not in the inputs"
        if proposed.path:
            ref = f"{proposed.path}:{proposed.line}" if proposed.line else proposed.path
            kind = EvidenceKind.FILE
        else:
            ref = source.id if source else self.clean(proposed.evidence_id, 200)
            kind = evidence_kind(source.origin) if source else EvidenceKind.PULL_REQUEST
        return Evidence(kind=kind, ref=ref, path=proposed.path, line=proposed.line,
                        url=source.url if source else None), problem

    def _duplicate_of(self, proposed: ProposedFinding) -> Finding | None:
        for finding in self.base:
            if finding.category.lower() != _slug(proposed.category):
                continue
            for evidence in finding.evidence:
                same_file = bool(evidence.path and proposed.path
                                 and _same_path(evidence.path, proposed.path))
                if same_file and (proposed.line is None or evidence.line is None
                                  or abs(proposed.line - evidence.line) <= AREA_LINES):
                    return finding
        return None

    def build(self, proposed: ProposedFinding, narrator: str) -> Finding | None:
        category = _slug(proposed.category)
        duplicate = self._duplicate_of(proposed)
        if duplicate is not None:
            self.log.append(f"dropped proposed finding '{self.clean(proposed.title, 120)}': "
                            f"already covered by {duplicate.fingerprint} (which stays unchanged)")
            return None
        backers = corroborators(proposed, self.base)
        asked = Severity(proposed.severity)
        cap = max([LLM_CAP, *(b.severity for b in backers)], key=lambda s: s.rank)
        severity = asked if asked.rank <= cap.rank else cap
        if severity is not asked:
            self.log.append(f"capped proposed finding '{self.clean(proposed.title, 120)}' "
                            f"from {asked.value} to {severity.value}")
        evidence, problem = self._evidence(proposed)
        fp = fingerprint("llm", category, proposed.path or proposed.evidence_id, proposed.line or 0)
        if fp in self.seen:
            self.log.append(f"dropped proposed finding '{self.clean(proposed.title, 120)}': "
                            "same place and category as another finding")
            return None
        self.seen.add(fp)
        if _extra_keys(proposed):
            self.log.append("ignored fields outside the schema on proposed finding "
                            f"'{self.clean(proposed.title, 120)}': "
                            f"{', '.join(_extra_keys(proposed))}")
        return Finding(
            fingerprint=fp, agent=self.agent, category=category, severity=severity,
            confidence=Confidence.MEDIUM if backers else Confidence.LOW,
            title=self.clean(proposed.title, 200), explanation=self.clean(proposed.explanation),
            evidence=[evidence], recommendation=self.clean(proposed.recommendation),
            source="llm", llm_rejected_reason=problem,
            annotation=FindingAnnotation(
                rationale="Proposed by the model" + (
                    f"; corroborated by {', '.join(b.fingerprint for b in backers)}"
                    if backers else "; not corroborated by a deterministic analyzer") + ".",
                annotated_by=narrator),
        )


def _narrative(text: str, base: Sequence[Finding], clean: SafeText) -> str:
    body = clean(text, 2000)
    if any(f.category == INJECTION for f in base):
        body = f"{INJECTION_WARNING} {body}"
    return f"{body} {SIGN_OFF}"


def merge_annotations(
    base: Sequence[Finding], output: AnnotationOutput, context: AdvisoryContext,
    *, narrator: str, redactor: Redactor,
) -> Merged:
    """Deterministic findings (with injection findings) as the base; the model annotates."""
    log: list[str] = []
    clean = SafeText(redactor, 1200)
    if _extra_keys(output):
        log.append(f"ignored fields outside the schema: {', '.join(_extra_keys(output))}")
    findings = annotate_base(base, output.notes, clean, narrator, log)
    proposals = _Proposals(base, context, clean, log)
    extra = [f for p in output.extra_findings[:MAX_EXTRA_FINDINGS]
             if (f := proposals.build(p, narrator)) is not None]
    if len(output.extra_findings) > MAX_EXTRA_FINDINGS:
        log.append(f"kept the first {MAX_EXTRA_FINDINGS} of "
                   f"{len(output.extra_findings)} proposed findings")
    return Merged(findings=[*findings, *extra], summary=_narrative(output.summary, base, clean),
                  notes=log)


class MergedSummary(BaseModel):
    summary: str
    top_risks: list[str]
    suggested_tests: list[str]
    notes: list[str]


def merge_summary(findings: Sequence[Finding], output: SummaryOutput, *,
                  redactor: Redactor) -> MergedSummary:
    clean = SafeText(redactor, 1200)
    known = {f.fingerprint for f in findings}
    log = [f"ignored top risk {fp!r}: not a finding of this report"
           for fp in output.top_risks if fp not in known]
    top = list(dict.fromkeys(fp for fp in output.top_risks if fp in known))[:5]
    if not top and findings:
        top = [f.fingerprint for f in by_urgency(findings)[:5]]
        log.append("the model named no known top risk; ranked by severity instead")
    if _extra_keys(output):
        log.append(f"ignored fields outside the schema: {', '.join(_extra_keys(output))}")
    tests = [clean(t, 300) for t in output.suggested_tests if t.strip()][:5]
    return MergedSummary(summary=_narrative(output.summary, findings, clean), top_risks=top,
                         suggested_tests=tests, notes=log)

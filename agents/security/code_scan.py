"""The code scanners over changed files: our rules on the engine, and ruff's ``S`` rules.

Both run once per batch: one PR in the PR bot, every PR of a release in the release
report (the engine's and ruff's start-up, and the engine's rule parsing, are paid once).
``CodeTargets`` collects what each file contributes; ``CodeScanner.run`` scans a batch
and hands back findings per PR.

What a file contributes: its post-change text when known, else its hunks' new side at
their own line numbers (blank lines between), which the engine's error-tolerant parsers
read well enough for the changed lines. Only hits on changed lines become findings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from agents.models import Confidence, Finding, Severity
from agents.security.diff import FileDiff
from agents.security.engine import EngineHit, EngineTarget, run_engine, taint_rules
from agents.security.findings import FindingFactory, PrRef
from agents.security.sast import PythonSource, RuffRunner, SastIssue, sast_findings, suppressed
from agents.security.taxonomy import Category

__all__ = ["CodeScanner", "CodeTargets", "engine_language", "is_k8s_manifest"]

_LANGUAGES = {".py": "python", ".pyi": "python", ".js": "javascript", ".jsx": "javascript",
              ".mjs": "javascript", ".cjs": "javascript", ".ts": "typescript",
              ".tsx": "typescript", ".go": "go", ".java": "java", ".html": "template",
              ".htm": "template", ".jinja": "template", ".jinja2": "template", ".j2": "template"}
_YAML = (".yaml", ".yml")
_SEVERITY = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "medium": Severity.MEDIUM,
             "low": Severity.LOW, "info": Severity.INFO}
_ENGINE_SEVERITY = {"ERROR": Severity.HIGH, "WARNING": Severity.MEDIUM, "INFO": Severity.LOW}
_CONFIDENCE = {"high": Confidence.HIGH, "medium": Confidence.MEDIUM, "low": Confidence.LOW}
_IAC_PREFIXES = ("RRA-DOCKER-", "RRA-K8S-")


def is_k8s_manifest(text: str) -> bool:
    return "apiVersion:" in text and "kind:" in text


def engine_language(path: str, text: str | None = None) -> str | None:
    """The engine language a changed file is scanned as, or None (not ours to scan)."""
    pure = PurePosixPath(path)
    name = pure.name.lower()
    if name == "dockerfile" or name.startswith("dockerfile.") or name.endswith(".dockerfile"):
        return "dockerfile"
    if pure.suffix.lower() in _YAML and not path.startswith(".github/workflows/"):
        return "kubernetes" if text is not None and is_k8s_manifest(text) else None
    return _LANGUAGES.get(pure.suffix.lower())


def _target_name(path: str, language: str) -> str:
    """The file name the engine sees: it picks the language from it."""
    if language == "dockerfile":
        return "Dockerfile"
    return path


def sparse_text(diff: FileDiff) -> str:
    """The new side of every hunk at its own line numbers, blank lines between."""
    lines = diff.new_lines
    if not lines:
        return ""
    last = max(lines)
    return "\n".join(lines.get(n, "") for n in range(1, last + 1)) + "\n"


@dataclass
class CodeTargets:
    """What one batch collects: (PR number, source) for ruff, engine targets, line texts."""

    python: list[tuple[int, PythonSource]] = field(default_factory=list)
    engine: list[EngineTarget] = field(default_factory=list)
    owners: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (PR, path)
    lines: dict[tuple[int, str], Callable[[int], str | None]] = field(default_factory=dict)

    def add_file(self, pr: int, diff: FileDiff, text: str | None) -> bool:
        """Queue a changed file for the engine; False when no rules are for it."""
        language = engine_language(diff.path, text if text is not None else sparse_text(diff))
        if language is None or not diff.added:
            return False
        key = f"{pr}/{len(self.engine)}"
        body = text if text is not None else sparse_text(diff)
        self.engine.append(EngineTarget(key=key, path=_target_name(diff.path, language),
                                        text=body, changed=diff.added_numbers))
        self.owners[key] = (pr, diff.path)
        self.lines[(pr, diff.path)] = _line_reader(diff, text)
        return True

    def add_python(self, pr: int, sources: Sequence[PythonSource]) -> None:
        self.python += [(pr, source) for source in sources]


def _line_reader(diff: FileDiff, text: str | None) -> Callable[[int], str | None]:
    whole = text.splitlines() if text is not None else None

    def line(number: int) -> str | None:
        if number in diff.new_lines:
            return diff.new_lines[number]
        if whole is not None and 0 < number <= len(whole):
            return whole[number - 1]
        return None

    return line


@dataclass
class BatchResult:
    findings: dict[int, list[Finding]] = field(default_factory=dict)
    partial: dict[int, dict[str, str]] = field(default_factory=dict)  # PR -> path -> why
    notices: list[str] = field(default_factory=list)


class CodeScanner:
    def __init__(self, factory: FindingFactory, ruff: RuffRunner, *,
                 disabled: frozenset[str] = frozenset()) -> None:
        self.factory = factory
        self.ruff = ruff
        self.disabled = disabled

    def run(self, targets: CodeTargets, refs: Mapping[int, PrRef]) -> BatchResult:
        result = BatchResult()
        engine = run_engine(targets.engine)
        if engine.unavailable:
            result.notices.append(f"code rules did not run: {engine.unavailable}")
            for pr, path in targets.owners.values():
                result.partial.setdefault(pr, {})[path] = (
                    f"code rules did not run ({engine.unavailable})")
        for key, why in engine.errors.items():
            pr, path = targets.owners[key]
            result.partial.setdefault(pr, {})[path] = f"the code rules could not parse it ({why})"
        hits = [h for h in engine.hits if h.rule_id not in self.disabled]
        by_pr: dict[int, list[tuple[str, EngineHit]]] = {}
        for hit in _kept(hits, targets):
            pr, path = targets.owners[hit.key]
            by_pr.setdefault(pr, []).append((path, hit))
        issues, skipped = self.ruff.scan_indexed([source for _, source in targets.python])
        ruff_by_pr: dict[int, list[SastIssue]] = {}
        for issue in issues:
            ruff_by_pr.setdefault(targets.python[issue.source][0], []).append(issue)
        for index in skipped:
            pr, source = targets.python[index]
            result.partial.setdefault(pr, {}).setdefault(source.path, "ruff could not parse it")
        for pr, ref in refs.items():
            hits_here, ruff_here = _one_per_line(by_pr.get(pr, []), ruff_by_pr.get(pr, []))
            engine_findings = [f for path, hit in hits_here
                               if (f := self._finding(ref, path, hit,
                                                      targets.lines[(pr, path)])) is not None]
            result.findings[pr] = engine_findings + sast_findings(
                self.factory, ref, ruff_here, _texts(targets, pr))
        return result

    def _finding(self, ref: PrRef, path: str, hit: EngineHit,
                 line_text: Callable[[int], str | None]) -> Finding | None:
        meta: Mapping[str, Any] = hit.metadata
        text = line_text(hit.line)
        if path.endswith((".py", ".pyi")) and suppressed(text, hit.rule_id):
            return None
        title = str(meta.get("title") or hit.rule_id)
        severity = _SEVERITY.get(str(meta.get("severity", "")).lower(),
                                 _ENGINE_SEVERITY.get(hit.severity, Severity.MEDIUM))
        category = Category.IAC if hit.rule_id.startswith(_IAC_PREFIXES) else Category.SAST
        return self.factory.finding(
            category, ref, (path, hit.rule_id, hit.line),
            severity=severity,
            confidence=_CONFIDENCE.get(str(meta.get("confidence", "")).lower(),
                                       Confidence.MEDIUM),
            title=f"{title} ({hit.rule_id}) in {path}:{hit.line}",
            explanation=f"{' '.join(hit.message.split())} (rule {hit.rule_id}, on a changed line).",
            evidence=[self.factory.at(ref, path, hit.line, text)],
            recommendation=" ".join(str(meta.get("recommendation", "")).split())
            or "See the rule's documentation in docs/security-review.md.",
            cwe=[str(c) for c in meta.get("cwe") or []],
            owasp=[str(o) for o in meta.get("owasp") or []],
            rule_id=hit.rule_id)


def _one_per_line(hits: Sequence[tuple[str, EngineHit]], issues: Sequence[SastIssue]
                  ) -> tuple[list[tuple[str, EngineHit]], list[SastIssue]]:
    """Where a bandit check and one of our rules flag the same weakness on the same line,
    one finding: ours when it followed request data to the call (taint, the sharper
    claim), bandit's otherwise (its id is the one teams know and suppress)."""
    taint = taint_rules()
    engine_cwes = {(path, hit.line, cwe): hit.rule_id in taint for path, hit in hits
                   for cwe in hit.metadata.get("cwe") or []}
    kept_issues = [i for i in issues if not engine_cwes.get((i.path, i.line, f"CWE-{i.cwe}"))]
    bandit = {(i.path, i.line, f"CWE-{i.cwe}") for i in kept_issues}
    kept_hits = [(path, hit) for path, hit in hits
                 if hit.rule_id in taint or not any(
                     (path, hit.line, cwe) in bandit for cwe in hit.metadata.get("cwe") or [])]
    return kept_hits, kept_issues


def _texts(targets: CodeTargets, pr: int) -> Callable[[str, int], str | None]:
    def text(path: str, line: int) -> str | None:
        reader = targets.lines.get((pr, path))
        return reader(line) if reader else None

    return text


def _kept(hits: Sequence[EngineHit], targets: CodeTargets) -> list[EngineHit]:
    """Hits on changed lines, without those a stronger rule on the same line replaces."""
    changed = {t.key: t.changed for t in targets.engine}
    on_changed = [h for h in hits
                  if any(n in changed[h.key] for n in range(h.line, h.end_line + 1))]
    present = {(h.key, h.line, h.rule_id) for h in on_changed}
    kept, seen = [], set()
    for hit in on_changed:
        stronger = hit.metadata.get("superseded-by")
        if stronger and (hit.key, hit.line, str(stronger)) in present:
            continue
        if (hit.key, hit.line, hit.rule_id) in seen:
            continue
        seen.add((hit.key, hit.line, hit.rule_id))
        kept.append(hit)
    return kept

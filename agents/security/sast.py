"""bandit, as a library, on the post-change text of changed Python files.

Only issues on changed lines are kept: a PR is not blamed for the file it touched. When
the whole file is not available, each hunk's new side (context and added lines) is
scanned on its own if it parses after dedenting; what does not parse is reported back.
bandit reads files, so sources go to a private temporary directory for one run.
"""

from __future__ import annotations

import ast
import logging
import re
import tempfile
import textwrap
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from agents.models import Confidence, Finding, Severity
from agents.security.diff import FileDiff
from agents.security.findings import FindingFactory, PrRef
from agents.security.taxonomy import Category, owasp_for_cwe

__all__ = ["BanditRunner", "PythonSource", "SastIssue", "hunk_sources", "sast_findings"]

_LEVELS = {"low": "LOW", "medium": "MEDIUM", "high": "HIGH"}


@dataclass(frozen=True)
class PythonSource:
    """A unit bandit scans: a whole file, or one hunk (``line_offset`` lines down)."""

    path: str
    text: str
    changed: frozenset[int]  # file line numbers of added lines
    line_offset: int = 0


@dataclass(frozen=True)
class SastIssue:
    path: str
    line: int
    test_id: str
    test_name: str
    severity: str
    confidence: str
    cwe: int | None
    text: str


def hunk_sources(diff: FileDiff) -> tuple[list[PythonSource], int]:
    """The hunks that parse on their own as sources, and how many did not."""
    sources: list[PythonSource] = []
    failed = 0
    for hunk in diff.hunks:
        new_side = [line for line in hunk.lines if line.kind != "-"]
        if not any(line.kind == "+" for line in new_side):
            continue
        text = textwrap.dedent("\n".join(line.text for line in new_side)) + "\n"
        try:
            ast.parse(text)
        except (SyntaxError, ValueError):
            failed += 1
            continue
        sources.append(PythonSource(diff.path, text, diff.added_numbers,
                                    line_offset=new_side[0].number - 1))
    return sources, failed


@lru_cache(maxsize=1)
def _bandit() -> tuple[Any, Any]:
    """bandit's configuration (slow: it loads every plugin) and its manager module, once."""
    loader = logging.getLogger("stevedore.extension")
    level = loader.level
    loader.setLevel(logging.CRITICAL)  # optional formatters (sarif) we never use
    try:
        with warnings.catch_warnings():
            # stevedore warns that bandit passes a deprecated argument; nothing to do.
            warnings.simplefilter("ignore", DeprecationWarning)
            from bandit.core import config, manager

            logging.getLogger("bandit").setLevel(logging.ERROR)  # it logs per skipped file
            return config.BanditConfig(), manager
    finally:
        loader.setLevel(level)


class BanditRunner:
    def __init__(self, *, min_severity: str = "medium", min_confidence: str = "medium",
                 skip_tests: Sequence[str] = ()) -> None:
        self.min_severity = _LEVELS[min_severity]
        self.min_confidence = _LEVELS[min_confidence]
        self.profile = {"include": set(), "exclude": set(skip_tests)}

    def scan(self, sources: Sequence[PythonSource]) -> tuple[list[SastIssue], list[str]]:
        """Issues on changed lines, and the paths bandit could not parse."""
        if not sources:
            return [], []
        config, manager = _bandit()
        runner = manager.BanditManager(config, "file", quiet=True, profile=self.profile)
        with tempfile.TemporaryDirectory(prefix="rra-bandit-") as folder:
            names = {}
            for index, source in enumerate(sources):
                name = str(Path(folder) / f"s{index}.py")
                Path(name).write_text(source.text, encoding="utf-8")
                names[name] = source
            runner.discover_files(list(names))
            runner.run_tests()
            issues = runner.get_issue_list(sev_level=self.min_severity,
                                           conf_level=self.min_confidence)
            skipped = sorted({names[name].path for name, _ in runner.get_skipped()
                              if name in names})
        return [i for issue in issues if (i := _issue(issue, names.get(issue.fname)))], skipped


def _issue(issue: Any, source: PythonSource | None) -> SastIssue | None:
    if source is None:
        return None
    lines = [n + source.line_offset for n in (issue.linerange or [issue.lineno])]
    changed = [n for n in lines if n in source.changed]
    if not changed:
        return None
    cwe = getattr(getattr(issue, "cwe", None), "id", None)
    return SastIssue(path=source.path, line=changed[0], test_id=str(issue.test_id),
                     test_name=str(issue.test), severity=str(issue.severity),
                     confidence=str(issue.confidence), cwe=int(cwe) if cwe else None,
                     text=str(issue.text))


_SEVERITY = {"LOW": Severity.LOW, "MEDIUM": Severity.MEDIUM, "HIGH": Severity.HIGH}
# Hard-coded password tests quote the value in their message: never pass it on.
_PASSWORD_TESTS = frozenset({"B105", "B106", "B107"})
_STRING = re.compile(r"(['\"]).*?\1")


def _masked(issue: SastIssue, line: str | None) -> tuple[str, str | None]:
    if issue.test_id not in _PASSWORD_TESTS:
        return issue.text, line
    hidden = "'[REDACTED:password]'"
    return "Possible hard-coded password", _STRING.sub(hidden, line) if line else None
_CONFIDENCE = {"LOW": Confidence.LOW, "MEDIUM": Confidence.MEDIUM, "HIGH": Confidence.HIGH}


def sast_findings(factory: FindingFactory, pr: PrRef, issues: Sequence[SastIssue],
                  line_text: Callable[[str, int], str | None]) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, int, str]] = set()
    for issue in issues:
        if (issue.path, issue.line, issue.test_id) in seen:  # overlapping hunk sources
            continue
        seen.add((issue.path, issue.line, issue.test_id))
        cwe = f"CWE-{issue.cwe}" if issue.cwe else None
        text, line = _masked(issue, line_text(issue.path, issue.line))
        findings.append(factory.finding(
            Category.SAST, pr, (issue.path, issue.test_id, issue.line),
            severity=_SEVERITY.get(issue.severity, Severity.MEDIUM),
            confidence=_CONFIDENCE.get(issue.confidence, Confidence.MEDIUM),
            title=f"bandit {issue.test_id} ({issue.test_name}) in {issue.path}:{issue.line}",
            explanation=f"{text} (bandit {issue.test_id}, on a changed line).",
            evidence=[factory.at(pr, issue.path, issue.line, line)],
            recommendation=(f"Fix the call, or, if it is safe here, say why in a "
                            f"'# nosec {issue.test_id}' comment so the next reviewer sees it. "
                            f"See https://bandit.readthedocs.io/en/latest/plugins/index.html."),
            cwe=[cwe] if cwe else [],
            owasp=[owasp_for_cwe(issue.cwe)],
        ))
    return findings

"""bandit's checks through ruff's ``S`` rules (flake8-bandit, in Rust), on changed Python.

ruff reimplements bandit's tests under the same numbers (``S602`` is bandit's
``B602``), runs in about a twentieth of bandit's time and does not walk the tree in
this process. Findings keep bandit's ids (``B602``), so SARIF rule ids, existing
``# nosec`` comments and team habits carry over; ruff's code is kept as an alias.
ruff does not read ``# nosec``: it is honoured here (``# nosec`` alone silences the
line, ``# nosec B602,B301`` those tests). Severity and confidence per test are
bandit's own (its documentation), and the policy's floors apply as they did.

Only issues on changed lines are kept. Without the whole file, each hunk's new side is
scanned on its own if it parses after dedenting; what does not parse is reported back.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from agents.models import Confidence, Finding, Severity
from agents.security.diff import FileDiff
from agents.security.findings import FindingFactory, PrRef
from agents.security.scratch import scratch_dir
from agents.security.taxonomy import Category, owasp_for_cwe

__all__ = ["BANDIT_CHECKS", "PythonSource", "RuffRunner", "SastIssue", "hunk_sources",
           "nosec_ids", "sast_findings"]

_RANK = {"low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class PythonSource:
    """A unit to scan: a whole file, or one hunk (``line_offset`` lines down)."""

    path: str
    text: str
    changed: frozenset[int]  # file line numbers of added lines
    line_offset: int = 0


@dataclass(frozen=True)
class SastIssue:
    path: str
    line: int
    test_id: str  # bandit's id, e.g. B602
    test_name: str
    severity: str  # LOW, MEDIUM, HIGH
    confidence: str
    cwe: int | None
    text: str
    alias: str | None = None  # ruff's code, e.g. S602
    source: int = -1  # index of the PythonSource it was found in


# bandit's test -> (severity, confidence, CWE), from bandit's plugin documentation.
# Low-severity tests (assert, random, subprocess imports...) fall under the default floor.
BANDIT_CHECKS: Mapping[str, tuple[str, str, int]] = {
    "B101": ("low", "high", 703), "B102": ("medium", "high", 78), "B103": ("medium", "medium", 732),
    "B104": ("medium", "medium", 605), "B105": ("low", "medium", 259),
    "B106": ("low", "medium", 259), "B107": ("low", "medium", 259),
    "B108": ("medium", "medium", 377), "B110": ("low", "high", 703), "B112": ("low", "high", 703),
    "B113": ("medium", "low", 400), "B201": ("high", "medium", 94), "B202": ("high", "high", 22),
    "B301": ("medium", "high", 502), "B302": ("medium", "high", 502),
    "B303": ("medium", "high", 327), "B304": ("high", "high", 327), "B305": ("medium", "high", 327),
    "B306": ("medium", "high", 377), "B307": ("medium", "high", 78), "B308": ("medium", "high", 79),
    "B310": ("medium", "high", 22), "B311": ("low", "high", 330), "B312": ("high", "high", 319),
    "B313": ("medium", "high", 20), "B314": ("medium", "high", 20), "B315": ("medium", "high", 20),
    "B316": ("medium", "high", 20), "B317": ("medium", "high", 20), "B318": ("medium", "high", 20),
    "B319": ("medium", "high", 20), "B320": ("medium", "high", 20), "B321": ("high", "high", 319),
    "B323": ("medium", "high", 295), "B324": ("high", "high", 327),
    "B401": ("high", "high", 319), "B402": ("high", "high", 319), "B403": ("low", "high", 502),
    "B404": ("low", "high", 78), "B405": ("low", "high", 20), "B406": ("low", "high", 20),
    "B407": ("low", "high", 20), "B408": ("low", "high", 20), "B409": ("low", "high", 20),
    "B410": ("low", "high", 20), "B411": ("low", "high", 20), "B412": ("high", "high", 319),
    "B413": ("high", "high", 327), "B415": ("high", "high", 327),
    "B501": ("high", "high", 295), "B502": ("high", "high", 327), "B503": ("medium", "medium", 327),
    "B504": ("low", "medium", 327), "B505": ("high", "high", 326), "B506": ("medium", "high", 20),
    "B507": ("high", "medium", 295), "B508": ("medium", "high", 319),
    "B509": ("medium", "high", 319), "B601": ("medium", "medium", 78),
    "B602": ("high", "high", 78), "B603": ("low", "high", 78), "B604": ("medium", "low", 78),
    "B605": ("high", "high", 78), "B606": ("low", "medium", 78), "B607": ("low", "high", 78),
    "B608": ("medium", "medium", 89), "B609": ("high", "medium", 78),
    "B610": ("medium", "medium", 89), "B611": ("medium", "medium", 89),
    "B612": ("medium", "high", 94), "B701": ("high", "high", 94), "B702": ("medium", "high", 80),
    "B703": ("medium", "high", 80), "B704": ("medium", "high", 79),
}
_NOSEC = re.compile(r"#\s*nosec\b:?\s*([A-Za-z0-9, ]*)")
_ID = re.compile(r"\b([BS]\d{3})\b")
_RUFF_CODE = re.compile(r"S\d{3}")


def nosec_ids(line: str | None) -> frozenset[str] | None:
    """None: no ``# nosec``; empty: the whole line; else the named tests (bandit ids)."""
    match = _NOSEC.search(line or "")
    if match is None:
        return None
    return frozenset("B" + code[1:] for code in _ID.findall(match.group(1).upper()))


def suppressed(line: str | None, *ids: str) -> bool:
    named = nosec_ids(line)
    return named is not None and (not named or any(i in named for i in ids))


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
def ruff_binary() -> str | None:
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
    except ImportError:
        return None
    try:
        return str(find_ruff_bin())
    except FileNotFoundError:
        return None


class RuffRunner:
    """ruff ``--select S`` over many sources in one process start."""

    def __init__(self, *, min_severity: str = "medium", min_confidence: str = "medium",
                 skip_tests: Sequence[str] = ()) -> None:
        self.min_severity = _RANK[min_severity]
        self.min_confidence = _RANK[min_confidence]
        self.skip = frozenset(skip_tests)

    def wanted(self, test_id: str) -> bool:
        severity, confidence, _ = BANDIT_CHECKS.get(test_id, ("medium", "medium", 0))
        return (test_id not in self.skip and _RANK[severity] >= self.min_severity
                and _RANK[confidence] >= self.min_confidence)

    def scan(self, sources: Sequence[PythonSource]) -> tuple[list[SastIssue], list[str]]:
        """Issues on changed lines, and the paths ruff could not parse (or run on)."""
        issues, skipped = self.scan_indexed(sources)
        return issues, sorted({sources[i].path for i in skipped})

    def scan_indexed(self, sources: Sequence[PythonSource]) -> tuple[list[SastIssue], set[int]]:
        """Issues (``source`` set), and the indexes of the sources ruff could not read."""
        if not sources:
            return [], set()
        binary = ruff_binary()
        if binary is None:
            return [], set(range(len(sources)))
        with scratch_dir("rra-ruff-") as folder:
            names = {}
            for index, source in enumerate(sources):
                name = str(Path(folder) / f"s{index}.py")
                Path(name).write_text(source.text, encoding="utf-8")
                names[name] = index
            done = subprocess.run(
                [binary, "check", "--isolated", "--select", "S", "--output-format", "json",
                 "--no-cache", "--exit-zero", "--target-version", "py313", folder],
                capture_output=True, text=True, timeout=120, check=False)
        try:
            raw = json.loads(done.stdout or "[]")
        except ValueError:
            return [], set(range(len(sources)))
        issues: list[SastIssue] = []
        skipped: set[int] = set()
        for item in raw:
            found = names.get(str(item.get("filename")))
            if found is None:
                continue
            if not _RUFF_CODE.fullmatch(str(item.get("code"))):  # a syntax error
                skipped.add(found)
            elif ((issue := _issue(item, sources[found], found)) is not None
                  and self.wanted(issue.test_id)):
                issues.append(issue)
        return issues, skipped


def _issue(item: Mapping[str, Any], source: PythonSource, index: int) -> SastIssue | None:
    code = str(item.get("code"))
    start = item.get("location") or {}
    end = item.get("end_location") or {}
    first = int(start.get("row", 0)) if isinstance(start, Mapping) else 0
    last = int(end.get("row", first)) if isinstance(end, Mapping) else first
    changed = [n + source.line_offset for n in range(first, last + 1)
               if n + source.line_offset in source.changed]
    if not changed:
        return None
    test_id = "B" + code[1:]
    severity, confidence, cwe = BANDIT_CHECKS.get(test_id, ("medium", "medium", 0))
    name = str(item.get("name") or str(item.get("url") or "").rstrip("/").rsplit("/", 1)[-1]
               or code)
    return SastIssue(path=source.path, line=changed[0], test_id=test_id, test_name=name,
                     severity=severity.upper(), confidence=confidence.upper(),
                     cwe=cwe or None, text=str(item.get("message", "")), alias=code,
                     source=index)


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
        source_line = line_text(issue.path, issue.line)
        if suppressed(source_line, issue.test_id):
            continue
        cwe = f"CWE-{issue.cwe}" if issue.cwe else None
        text, line = _masked(issue, source_line)
        findings.append(factory.finding(
            Category.SAST, pr, (issue.path, issue.test_id, issue.line),
            severity=_SEVERITY.get(issue.severity, Severity.MEDIUM),
            confidence=_CONFIDENCE.get(issue.confidence, Confidence.MEDIUM),
            title=f"{issue.test_id} ({issue.test_name}) in {issue.path}:{issue.line}",
            explanation=f"{text} (bandit {issue.test_id}, ruff {issue.alias}, on a changed line).",
            evidence=[factory.at(pr, issue.path, issue.line, line)],
            recommendation=(f"Fix the call, or, if it is safe here, say why in a "
                            f"'# nosec {issue.test_id}' comment so the next reviewer sees it. "
                            f"See https://docs.astral.sh/ruff/rules/{issue.test_name}/."),
            cwe=[cwe] if cwe else [],
            owasp=[owasp_for_cwe(issue.cwe)],
            rule_id=issue.test_id,
            aliases=[issue.alias] if issue.alias else [],
        ))
    return findings

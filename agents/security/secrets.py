"""Secrets in added lines: detect-secrets' plugins, a vendor token catalogue, YAML values.

Three passes, each a hit at most once per (line, value): detect-secrets' plugins (token
shapes and keyword assignments), the gitleaks token catalogue (``catalogue.py``: about
220 vendor formats, multi-line ones included) and credential-like keys in YAML whose
value is on other lines (``yaml_secrets.py``). No pass ever verifies a secret over the
network.

Plugins are instantiated once per process. We call ``analyze_string`` (never
``analyze_line``, which may verify a secret over the network when the global settings
say so) and apply detect-secrets' default filters ourselves: skipped file kinds, the
``pragma: allowlist secret`` comment, and its heuristics for obvious false positives.
``is_indirect_reference`` (``password = get_password()``) is applied to the keyword
plugin only: a token-shaped literal is a secret whatever call surrounds it.

Speed: each plugin runs only on lines its gate hits (``governance.redact.Gate``: a
necessary part of the plugin's regexes, run once over the file's added text).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.filters import heuristic
from detect_secrets.filters.allowlist import is_line_allowlisted
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
from detect_secrets.plugins.keyword import (
    CONFIG_DENYLIST_REGEX_TO_GROUP,
    DENYLIST,
    QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
    REGEX_BY_FILETYPE,
    KeywordDetector,
)
from detect_secrets.util.code_snippet import CodeSnippet
from detect_secrets.util.filetype import determine_file_type

from agents.models import Confidence, Finding, Severity
from agents.security.catalogue import CATALOGUE_FILE, catalogue
from agents.security.diff import DiffLine, FileDiff
from agents.security.findings import FindingFactory, PrRef
from agents.security.taxonomy import Category
from agents.security.yaml_secrets import names_no_secret, yaml_secrets
from governance.redact import Gate

__all__ = ["SecretHit", "SecretScanner", "secret_findings"]

# Off unless asked for: they flag hashes, SHAs and addresses (as the redactor does).
_NOISY = frozenset({"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"})
_CONTEXT_BASED = frozenset({"KeywordDetector", "BasicAuthDetector"})
_KEYWORD_GATE = re.compile("|".join(DENYLIST))  # lowercase words, run on lowered text
_TOKEN_TAIL = re.compile(r"[A-Za-z0-9_\-+/=]*")
_MASK = "[REDACTED:secret]"


@dataclass(frozen=True)
class SecretHit:
    line: int
    secret_type: str
    plugin: str
    masked_line: str  # the line with the value replaced; still redacted again on output
    value: str = field(default="", repr=False)  # never leaves the scanner
    rule_id: str = "RRA-SECRET"


def _rule_id(secret_type: str) -> str:
    return "RRA-SECRET-" + re.sub(r"[^A-Z0-9]+", "-", secret_type.upper()).strip("-")


@dataclass(frozen=True)
class _Scanner:
    plugin: Any
    gates: tuple[tuple[re.Pattern[str], bool], ...] | None  # (pattern, folded); None: all


def _gates(plugin: Any) -> tuple[tuple[re.Pattern[str], bool], ...] | None:
    if isinstance(plugin, KeywordDetector):
        return ((_KEYWORD_GATE, True),)
    if isinstance(plugin, RegexBasedDetector):
        try:
            built = [Gate.of(regex) for regex in plugin.denylist]
        except re.error:
            return None
        return tuple((gate.pattern, gate.folded) for gate in built)
    return None


@lru_cache(maxsize=2)
def _scanners(entropy: bool) -> tuple[_Scanner, ...]:
    """Token-shaped plugins first, then context-based ones: the first to claim a value
    names its type."""
    classes: list[type[Any]] = sorted(get_mapping_from_secret_type_to_class().values(),
                                      key=lambda c: c.__name__)
    chosen = [c for c in classes if entropy or c.__name__ not in _NOISY]
    chosen.sort(key=lambda c: (c.__name__ in _CONTEXT_BASED, c.__name__ in _NOISY))
    return tuple(_Scanner(plugin, _gates(plugin)) for plugin in (c() for c in chosen))


def _keyword_regexes(path: str) -> dict[re.Pattern[str], int]:
    name = PurePosixPath(path).name
    if name == ".env" or name.startswith(".env."):
        return CONFIG_DENYLIST_REGEX_TO_GROUP  # KEY=value, unquoted
    found: dict[re.Pattern[str], int] = REGEX_BY_FILETYPE.get(
        determine_file_type(path), QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
    return found


def _skipped_file(path: str) -> bool:
    return (heuristic.is_non_text_file(path) or heuristic.is_lock_file(path)
            or heuristic.is_swagger_file(path))


def _trim(value: str) -> str:
    # Some plugin regexes include their delimiters (Artifactory: a leading space or quote).
    return value.strip().strip("'\"").lstrip("=:").strip()


def _false_positive(value: str, line: str, plugin: Any) -> bool:
    return (heuristic.is_sequential_string(value) or heuristic.is_potential_uuid(value)
            or heuristic.is_likely_id_string(value, line, plugin)
            or heuristic.is_templated_secret(value)
            or heuristic.is_prefixed_with_dollar_sign(value)
            or heuristic.is_not_alphanumeric_string(value))


def _mask(line: str, value: str) -> str:
    if "PRIVATE KEY" in value or "PRIVATE KEY" in line:
        # Key material follows the header on the same line (JSON key files): hide it all.
        start = line.find("-----BEGIN")
        start = start if start != -1 else max(line.find(value), 0)
        return line[:start] + _MASK
    out, position = [], 0
    start = line.find(value)
    while start != -1:
        tail = _TOKEN_TAIL.match(line, start + len(value))
        end = tail.end() if tail else start + len(value)
        out += [line[position:start], _MASK]
        position = end
        start = line.find(value, end)
    return "".join(out) + line[position:]


_OURS = CATALOGUE_FILE.with_name("tokens.toml")
_YAML = (".yaml", ".yml")


def _named(hit: SecretHit) -> bool:
    return hit.plugin.startswith("gitleaks:") and not hit.plugin.startswith("gitleaks:generic")


def _type_name(rule_id: str) -> str:
    return rule_id.replace("-", " ").capitalize()


class SecretScanner:
    def __init__(self, *, entropy: bool = False) -> None:
        self._scanners = _scanners(entropy)
        self._catalogues = (catalogue(), catalogue(_OURS))

    def scan(self, diff: FileDiff, text: str | None = None) -> list[SecretHit]:
        """Hits on added lines; ``text``: the post-change file, when known (YAML)."""
        if not diff.added or _skipped_file(diff.path):
            return []
        hits = self._plugins(diff)
        for hit in self._catalogue(diff) + self._yaml(diff, text):
            same = [h for h in hits if h.line == hit.line
                    and (hit.value in h.value or h.value in hit.value)]
            if not same:
                hits.append(hit)
            elif _named(hit) and all(h.plugin in _CONTEXT_BASED for h in same):
                # A vendor format names the secret better than "secret keyword".
                hits = [h for h in hits if h not in same] + [hit]
        return sorted(hits, key=lambda h: h.line)

    def _catalogue(self, diff: FileDiff) -> list[SecretHit]:
        lines = [(line.number, line.text) for line in diff.added]
        by_number = {line.number: line for line in diff.added}
        hits = []
        for found in (h for c in self._catalogues for h in c.scan(diff.path, lines)):
            line = by_number[found.line]
            if _catalogue_false_positive(found.secret, line, diff, found.rule):
                continue
            hits.append(SecretHit(found.line, _type_name(found.rule), f"gitleaks:{found.rule}",
                                  _mask(line.text, found.secret), found.secret,
                                  f"RRA-SECRET-{found.rule.upper()}"))
        return hits

    def _yaml(self, diff: FileDiff, text: str | None) -> list[SecretHit]:
        if not diff.path.endswith(_YAML):
            return []
        hunks = [[(line.number, line.text) for line in hunk.lines if line.kind != "-"]
                 for hunk in diff.hunks]
        hits = []
        for found in yaml_secrets(text if text is not None else diff.whole_new_file(), hunks):
            line = diff.new_lines.get(found.line)
            if found.line not in diff.added_numbers or line is None:
                continue
            if is_line_allowlisted(diff.path, line, CodeSnippet([line], found.line, 0)):
                continue
            hits.append(SecretHit(found.line, f"Secret in YAML key {found.key}", "yaml",
                                  _mask(line, found.value.split()[0] if found.value.split()
                                        else found.value), found.value[:80],
                                  "RRA-SECRET-YAML-VALUE"))
        return hits

    def _plugins(self, diff: FileDiff) -> list[SecretHit]:
        added = diff.added
        text = "\n".join(line.text for line in added)
        lowered = text.lower()
        starts = [0]
        for line in added[:-1]:
            starts.append(starts[-1] + len(line.text) + 1)
        seen: set[tuple[int, str]] = set()
        hits: list[SecretHit] = []
        for scanner in self._scanners:
            for index in _candidates(scanner, text, lowered, starts):
                line = added[index]
                for value in self._values(scanner.plugin, line.text, diff.path):
                    if (line.number, value) in seen or self._filtered(scanner.plugin, value,
                                                                       line, diff):
                        continue
                    seen.add((line.number, value))
                    hits.append(SecretHit(line.number, str(scanner.plugin.secret_type),
                                          type(scanner.plugin).__name__,
                                          _mask(line.text, value), value,
                                          _rule_id(str(scanner.plugin.secret_type))))
        return hits

    @staticmethod
    def _values(plugin: Any, line: str, path: str) -> set[str]:
        if isinstance(plugin, KeywordDetector):
            raw = plugin.analyze_string(line, denylist_regex_to_group=_keyword_regexes(path))
        else:
            raw = plugin.analyze_string(line)
        values = {v for item in raw if (v := _trim(str(item)))}
        if isinstance(plugin, HighEntropyStringsPlugin):
            values = {v for v in values
                      if plugin.calculate_shannon_entropy(v) > plugin.entropy_limit}
        return values

    @staticmethod
    def _filtered(plugin: Any, value: str, line: DiffLine, diff: FileDiff) -> bool:
        if _allowlisted(line, diff):
            return True
        if type(plugin).__name__ in _CONTEXT_BASED and (
                heuristic.is_indirect_reference(line.text) or _reference_key(line.text)):
            return True
        return _false_positive(value, line.text, plugin)


_ASSIGNED_KEY = re.compile(r"^\s*[\"']?([\w.-]+)[\"']?\s*[:=]")


def _reference_key(line: str) -> bool:
    """A keyword match whose key names a reference (``passwordSecretRef: db-creds``)."""
    match = _ASSIGNED_KEY.match(line)
    return match is not None and names_no_secret(match.group(1))


def _allowlisted(line: DiffLine, diff: FileDiff) -> bool:
    """``pragma: allowlist secret`` on the line (or ``allowlist nextline`` above it)."""
    previous = diff.new_lines.get(line.number - 1, "")
    context = CodeSnippet(snippet=[previous, line.text], start_line=line.number - 1,
                          target_index=1)
    return bool(is_line_allowlisted(diff.path, line.text, context))


def _catalogue_false_positive(value: str, line: DiffLine, diff: FileDiff, rule: str) -> bool:
    """detect-secrets' plausibility filters, for the catalogue's generic formats."""
    if _allowlisted(line, diff):
        return True
    if heuristic.is_templated_secret(value) or heuristic.is_prefixed_with_dollar_sign(value):
        return True
    if rule.startswith("generic"):
        return (heuristic.is_sequential_string(value) or heuristic.is_potential_uuid(value)
                or heuristic.is_likely_id_string(value, line.text)
                or heuristic.is_indirect_reference(line.text))
    return False


def _candidates(scanner: _Scanner, text: str, lowered: str, starts: list[int]) -> Iterator[int]:
    if scanner.gates is None:
        yield from range(len(starts))
        return
    found: set[int] = set()
    for pattern, folded in scanner.gates:
        if folded and len(lowered) != len(text):  # some letters grow when lowered
            pattern, folded = re.compile(pattern.pattern, pattern.flags | re.IGNORECASE), False
        for match in pattern.finditer(lowered if folded else text):
            found.add(bisect_right(starts, match.start()) - 1)
    yield from sorted(found)


# -- findings ----------------------------------------------------------------------------

_TEST_PARTS = frozenset({"test", "tests", "testdata", "fixtures", "fixture", "examples",
                         "example", "samples", "docs", "__tests__", "spec"})
_DOWN = {Confidence.HIGH: Confidence.MEDIUM, Confidence.MEDIUM: Confidence.LOW,
         Confidence.LOW: Confidence.LOW}


def _looks_like_test_data(path: str) -> bool:
    parts = PurePosixPath(path.lower()).parts
    return bool(_TEST_PARTS.intersection(parts[:-1])) or parts[-1].endswith(
        (".example", ".sample", ".dist"))


def _grade(hit: SecretHit, path: str) -> tuple[Severity, Confidence]:
    if hit.plugin == "PrivateKeyDetector":
        severity, confidence = Severity.CRITICAL, Confidence.HIGH
    elif hit.plugin in _NOISY:
        severity, confidence = Severity.MEDIUM, Confidence.LOW
    elif hit.plugin in _CONTEXT_BASED or hit.plugin in ("yaml", "gitleaks:generic-api-key"):
        severity, confidence = Severity.HIGH, Confidence.MEDIUM
    else:
        severity, confidence = Severity.HIGH, Confidence.HIGH
    return severity, _DOWN[confidence] if _looks_like_test_data(path) else confidence


def _source(plugin: str) -> str:
    if plugin.startswith("gitleaks:"):
        return f"The token catalogue ({plugin.removeprefix('gitleaks:')})"
    if plugin == "yaml":
        return "The YAML value check"
    return f"detect-secrets ({plugin})"


def secret_findings(factory: FindingFactory, pr: PrRef, path: str,
                    hits: Sequence[SecretHit]) -> list[Finding]:
    """One finding per credential, each rotated on its own. Hits of one type on adjacent
    lines (an access key id and its secret key) are one credential."""
    ordinal: Counter[str] = Counter()
    findings: list[Finding] = []
    for group in _credentials(hits):
        hit = group[0]
        ordinal[hit.secret_type] += 1
        graded = [_grade(h, path) for h in group]
        severity = max(s for s, _ in graded)
        confidence = max((c for s, c in graded if s == severity), key=_CONFIDENCE_RANK.__getitem__)
        lines = ", ".join(str(h.line) for h in group)
        findings.append(factory.finding(
            Category.SECRET, pr, (path, hit.secret_type, ordinal[hit.secret_type]),
            severity=severity, confidence=confidence,
            title=f"{hit.secret_type} added in {path}:{hit.line}",
            explanation=(f"{_source(hit.plugin)} found a {hit.secret_type.lower()} "
                         f"on added line(s) {lines}. Anyone with read access to the repository "
                         f"or its history can use it; the value is not reproduced here."),
            evidence=[factory.at(pr, path, h.line, h.masked_line) for h in group],
            recommendation=("Revoke and rotate the credential now (removing it in a later "
                            "commit does not take it out of history), then load it from a "
                            "secret store or environment variable. If it is a test value, add "
                            "'pragma: allowlist secret' on the line."),
            rule_id=hit.rule_id,
        ))
    return findings


_CONFIDENCE_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


def _credentials(hits: Sequence[SecretHit]) -> list[list[SecretHit]]:
    """Hits grouped into credentials: same type, each line next to the previous one."""
    groups: list[list[SecretHit]] = []
    for hit in sorted(hits, key=lambda h: (h.secret_type, h.line)):
        last = groups[-1][-1] if groups else None
        if last is not None and last.secret_type == hit.secret_type and hit.line - last.line <= 1:
            groups[-1].append(hit)
        else:
            groups.append([hit])
    return sorted(groups, key=lambda g: g[0].line)

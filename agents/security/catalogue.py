"""Vendor token formats from a maintained catalogue: gitleaks' rule set, used as data.

``data/gitleaks.toml`` (MIT, see data/README.md) lists about 220 token formats with the
keywords that must appear near them, an entropy floor and allowlists. Its regexes are
Go RE2; the few constructs Python spells differently (``\\z``, a ``(?i)`` after the start)
are translated on load, and a rule that still does not compile is skipped and counted
(``catalogue().skipped``), never silently. Matching runs over a file's added text at
once, so multi-line formats (private keys, JSON key files) are found; each match is
mapped back to its line. Nothing is ever verified over the network.
"""

from __future__ import annotations

import math
import re
import tomllib
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["CATALOGUE_FILE", "Catalogue", "CatalogueHit", "TokenRule", "catalogue", "entropy"]

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "gitleaks.toml"
_LATE_FLAG = re.compile(r"(?<!^)\(\?i\)")


class Lazy:
    """A Go regex compiled on first use: most token formats never meet a keyword, and
    compiling all of them would cost more than a second at start-up."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    def get(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = _compile(self.pattern)
        return self._compiled

    def search(self, text: str) -> re.Match[str] | None:
        return self.get().search(text)


@dataclass(frozen=True)
class Allowlist:
    regexes: tuple[Lazy, ...] = ()
    target: str = "secret"  # what the regexes test: secret, match or line
    stopwords: tuple[str, ...] = ()
    paths: tuple[Lazy, ...] = ()
    every: bool = False  # condition AND: all given criteria must hold

    def allows(self, secret: str, match: str, line: str, path: str) -> bool:
        text = {"match": match, "line": line}.get(self.target, secret)
        checks = []
        if self.regexes:
            checks.append(any(r.search(text) for r in self.regexes))
        if self.stopwords:
            lowered = secret.lower()
            checks.append(any(word in lowered for word in self.stopwords))
        if self.paths:
            checks.append(any(p.search(path) for p in self.paths))
        return bool(checks) and (all(checks) if self.every else any(checks))


@dataclass(frozen=True)
class TokenRule:
    id: str
    description: str
    regex: Lazy
    keywords: tuple[str, ...]
    entropy: float | None
    group: int | None
    allowlists: tuple[Allowlist, ...] = ()
    path: Lazy | None = None

    @property
    def multiline(self) -> bool:
        """Can a match span lines? Then the rule sees the whole text, not keyword lines."""
        return any(marker in self.regex.pattern for marker in _MULTILINE)


@dataclass(frozen=True)
class CatalogueHit:
    line: int
    rule: str
    description: str
    secret: str


def _go_to_python(pattern: str) -> tuple[str, int]:
    flags = 0
    if _LATE_FLAG.search(pattern):
        pattern, flags = _LATE_FLAG.sub("", pattern), re.IGNORECASE
    return pattern.replace(r"\z", r"\Z"), flags


def _compile(pattern: str) -> re.Pattern[str]:
    text, flags = _go_to_python(pattern)
    with warnings.catch_warnings():
        # "[[" reads as a literal "[" in RE2 and (for now) in Python: same meaning.
        warnings.simplefilter("ignore", FutureWarning)
        return re.compile(text, flags)


def _allowlist(raw: dict[str, object]) -> Allowlist:
    regexes = tuple(Lazy(str(r)) for r in raw.get("regexes") or [])  # type: ignore[attr-defined]
    paths = tuple(Lazy(str(p)) for p in raw.get("paths") or [])  # type: ignore[attr-defined]
    stopwords = tuple(str(w).lower() for w in raw.get("stopwords") or [])  # type: ignore[attr-defined]
    return Allowlist(regexes=regexes, target=str(raw.get("regexTarget") or "secret"),
                     stopwords=stopwords, paths=paths,
                     every=str(raw.get("condition", "OR")).upper() == "AND")


@dataclass
class Catalogue:
    rules: tuple[TokenRule, ...]
    allowlist: Allowlist
    skipped: list[str] = field(default_factory=list)  # ids whose regex would not compile
    _keyword_list: tuple[str, ...] | None = field(default=None, repr=False)
    _by_keyword: dict[str, list[int]] | None = field(default=None, repr=False)
    _unkeyed: list[int] = field(default_factory=list, repr=False)

    def scan(self, path: str, lines: Sequence[tuple[int, str]]) -> list[CatalogueHit]:
        """Hits in the given (line number, text) lines.

        First where each keyword occurs (line by line); a rule runs only if one of its
        keywords does, and (unless its format spans lines) only on those lines.
        """
        if not lines or any(p.search(path) for p in self.allowlist.paths):
            return []
        text = "\n".join(t for _, t in lines)
        lowered = text.lower()
        starts = _starts(lines)
        where: dict[str, set[int]] = {}
        for keyword in self._keywords():
            at = lowered.find(keyword)  # str.find: a C loop, far faster than an alternation
            while at != -1:
                where.setdefault(keyword, set()).add(bisect_right(starts, at) - 1)
                at = lowered.find(keyword, at + 1)
        hits: list[CatalogueHit] = []
        for rule in self._candidates(where):
            found = set().union(*(where.get(k, ()) for k in rule.keywords)) if rule.keywords \
                else set(range(len(lines)))
            if rule.path is not None and not rule.path.search(path):
                continue
            subset = list(lines) if rule.multiline else [lines[i] for i in sorted(found)]
            try:
                hits.extend(self._matches(rule, path, subset))
            except re.error:
                self._drop(rule.id)
        return hits

    def _drop(self, rule_id: str) -> None:
        self.skipped.append(rule_id)
        self.rules = tuple(r for r in self.rules if r.id != rule_id)
        self._by_keyword = None

    def _candidates(self, where: dict[str, set[int]]) -> list[TokenRule]:
        """The rules one of whose keywords occurs (or that have none), in catalogue order."""
        if self._by_keyword is None:
            index: dict[str, list[int]] = {}
            for position, rule in enumerate(self.rules):
                for keyword in rule.keywords:
                    index.setdefault(keyword, []).append(position)
            self._by_keyword = index
            self._unkeyed = [i for i, r in enumerate(self.rules) if not r.keywords]
        chosen = set(self._unkeyed)
        for keyword in where:
            chosen.update(self._by_keyword.get(keyword, ()))
        return [self.rules[i] for i in sorted(chosen)]

    def _keywords(self) -> tuple[str, ...]:
        if self._keyword_list is None:
            self._keyword_list = tuple(sorted({k for r in self.rules for k in r.keywords}))
        return self._keyword_list

    def compile_all(self) -> None:
        """Compile every regex now (tests; a service may prefer it at start-up)."""
        for rule in self.rules:
            try:
                rule.regex.get()
                for allowlist in rule.allowlists:
                    for lazy in (*allowlist.regexes, *allowlist.paths):
                        lazy.get()
            except re.error:
                self.skipped.append(rule.id)
        self.rules = tuple(r for r in self.rules if r.id not in self.skipped)
        self._by_keyword = None

    def _matches(self, rule: TokenRule, path: str,
                 lines: Sequence[tuple[int, str]]) -> Iterator[CatalogueHit]:
        text = "\n".join(t for _, t in lines)
        starts = _starts(lines)
        for match in rule.regex.get().finditer(text):
            secret = _secret(match, rule.group)
            if not secret:
                continue
            if rule.entropy is not None and entropy(secret) < rule.entropy:
                continue
            index = bisect_right(starts, match.start(match.lastindex or 0)
                                 if match.lastindex else match.start()) - 1
            line = lines[index][1]
            if any(a.allows(secret, match.group(0), line, path)
                   for a in (self.allowlist, *rule.allowlists)):
                continue
            yield CatalogueHit(lines[index][0], rule.id, rule.description, secret)


def _starts(lines: Sequence[tuple[int, str]]) -> list[int]:
    """Offset of each line in the lines joined with newlines."""
    starts = [0]
    for _, line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    return starts


_MULTILINE = ("-----BEGIN", r"[\s\S]", r"\n", "(?s)")


def _secret(match: re.Match[str], group: int | None) -> str:
    if group is not None:
        return match.group(group) or ""
    return next((g for g in match.groups() if g), match.group(0))


def entropy(text: str) -> float:
    """Shannon entropy in bits per character, as gitleaks computes it."""
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def _rule(raw: dict[str, object]) -> TokenRule:
    keywords = tuple(str(k).lower() for k in raw.get("keywords") or [])  # type: ignore[attr-defined]
    lists = tuple(_allowlist(a) for a in raw.get("allowlists") or [])  # type: ignore[attr-defined]
    raw_entropy = raw.get("entropy")
    return TokenRule(
        id=str(raw["id"]), description=str(raw.get("description", raw["id"])),
        regex=Lazy(str(raw["regex"])), keywords=keywords,
        entropy=float(raw_entropy) if isinstance(raw_entropy, int | float) else None,
        group=int(raw["secretGroup"]) if isinstance(raw.get("secretGroup"), int) else None,  # type: ignore[call-overload]
        allowlists=lists, path=Lazy(str(raw["path"])) if raw.get("path") else None)


@lru_cache(maxsize=2)
def catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rules, skipped = [], []
    for raw in data.get("rules") or []:
        if not raw.get("regex"):  # path-only rules (a file name is the finding)
            skipped.append(str(raw.get("id")))
            continue
        rules.append(_rule(raw))
    return Catalogue(tuple(rules), _allowlist(data.get("allowlist") or {}), skipped)

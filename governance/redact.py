"""Mask secrets and PII in text before it reaches an LLM, a log, the audit log or a page.

Every detector maps text to spans ``(start, end, kind)``; the redactor merges overlapping
spans (the earliest detector in the list names the kind) and replaces each merged span with
``[REDACTED:<kind>]``. Counts report kinds and numbers of replacements, never values.

Secrets come from detect-secrets' plugins used as a library: we call ``analyze_string``
directly, which never verifies anything over the network and needs no settings context
(``analyze_line`` consults the global settings to decide whether to verify). A few narrow
regexes of our own cover what those plugins miss: whole private-key blocks, unquoted
``.env``/YAML/prose assignments, typed assignments (``api_key: str = "..."``), CLI flags,
Authorization headers, fine-grained GitHub tokens, full-length Stripe keys, Anthropic,
OpenAI (project, service-account, admin) and Google API keys, and AWS secret access keys
known by shape alone (40 base64 characters, random-looking, not decoding to text).

PII: email addresses, phone numbers (phonenumbers' VALID matcher), Luhn-valid card
numbers (grouped by spaces, dashes or dots), mod-97-valid IBANs and US SSNs that follow
the SSA rules.

Detectors see a folded copy of the text: NFKC-normalised (full-width and other
compatibility forms become ASCII) with invisible format characters (zero-width spaces
and joiners, soft hyphens, bidi controls, or their spelled-out form ``⟦U+200B⟧``)
removed, so ``ｊａｎｅ＠ａｃｍｅ．ｃｏｍ`` or a key with a zero-width space inside are found;
the masks are applied to the original text.

Detectors are plain callables in one list (see ``_secret_detectors``/``_pii_detectors``):
adding one is one entry. Order matters only for naming: where spans overlap, the
earlier detector's kind wins and the union is masked.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import itertools
import math
import re
import threading
import unicodedata
from bisect import bisect_right
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import phonenumbers
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.filters import heuristic as ds_heuristic
from detect_secrets.plugins import keyword as ds_keyword
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
from pydantic import BaseModel, ConfigDict

__all__ = ["RedactionResult", "Redactor", "default_redactor", "redact", "redact_data"]

# Placeholders use only [a-z0-9-] inside brackets so detectors do not match them, and
# existing ones are cut out of every span found: redaction is idempotent.
PLACEHOLDER_RE = re.compile(r"\[REDACTED:[a-z0-9]+(?:-[a-z0-9]+)*\]")


def placeholder(kind: str) -> str:
    return f"[REDACTED:{kind}]"


class RedactionResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    counts: dict[str, int]

    @property
    def redacted(self) -> bool:
        return bool(self.counts)


class Span(NamedTuple):
    start: int
    end: int
    kind: str


class _Scan:
    """One text being redacted, with the views detectors share computed at most once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines_hit: dict[tuple[Gate, ...], list[tuple[int, str]]] = {}
        self._joined: dict[Gate, _Joined] = {}

    @functools.cached_property
    def lowered(self) -> str | None:
        return _lowered(self.text)

    def lines(self) -> list[tuple[int, str]]:
        """Every line as (offset, text without its newline)."""
        found: dict[int, int] = {}
        _add_lines(found, self.text, 0, len(self.text))
        return [(start, self.text[start:end]) for start, end in found.items()]

    def lines_hit(self, gates: tuple[Gate, ...]) -> list[tuple[int, str]]:
        """The lines touched by any gate match, in order, as (offset, text)."""
        if gates not in self._lines_hit:
            found: dict[int, int] = {}
            for gate in gates:
                if gate.within is None:
                    _add_hit_lines(found, gate, self.text, self.lowered)
                else:  # run the gate only over the lines its coarse gate picked
                    _add_hit_lines_among(found, gate, self.joined(gate.within))
            self._lines_hit[gates] = [(start, self.text[start:end])
                                      for start, end in sorted(found.items())]
        return self._lines_hit[gates]

    def joined(self, gate: Gate) -> _Joined:
        """The lines a gate hits as one text, so a regex runs once over all of them."""
        if gate not in self._joined:
            self._joined[gate] = _Joined(self.lines_hit((gate,)))
        return self._joined[gate]


class _Joined:
    """Some lines of a text joined by newlines, mapping positions back to the text."""

    def __init__(self, lines: Sequence[tuple[int, str]]) -> None:
        self.lines = lines
        self.text = "\n".join(line for _, line in lines)
        self.starts = list(itertools.accumulate((len(line) + 1 for _, line in lines[:-1]),
                                                initial=0))

    def line_index(self, position: int) -> int:
        return bisect_right(self.starts, position) - 1

    def original(self, position: int) -> int:
        index = self.line_index(position)
        return self.lines[index][0] + position - self.starts[index]


def _lowered(text: str) -> str | None:
    # Case-folded regexes run far faster than IGNORECASE ones; only usable while offsets
    # line up (a few non-ASCII letters grow when lowered).
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else None


def _add_hit_lines(found: dict[int, int], gate: Gate, text: str, lowered: str | None) -> None:
    covered = -1  # matches inside lines already taken need no work
    for match in gate.finditer(text, lowered):
        if match.end() <= covered:
            continue
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", max(match.start(), match.end() - 1))
        covered = len(text) if end < 0 else end
        _add_lines(found, text, start, covered)


def _add_hit_lines_among(found: dict[int, int], gate: Gate, joined: _Joined) -> None:
    for match in gate.finditer(joined.text, _lowered(joined.text)):
        first = joined.line_index(match.start())
        last = joined.line_index(max(match.start(), match.end() - 1))
        for offset, line in joined.lines[first:last + 1]:
            found[offset] = offset + len(line)


def _add_lines(found: dict[int, int], text: str, start: int, end: int) -> None:
    """Record the lines making up text[start:end] as start -> end offsets."""
    while True:
        newline = text.find("\n", start, end)
        found[start] = end if newline < 0 else newline
        if newline < 0:
            return
        start = newline + 1


Detector = Callable[[_Scan], Iterable[Span]]


# --- gates: cheap whole-text pre-filters --------------------------------------------------
#
# Running a plugin on every line costs seconds per MB. A gate is a *necessary* condition
# of a regex (every match of the regex contains a gate match), so only the lines a gate
# hits need the real work. Gates derived from a plugin's own regexes drop heads that may
# match nothing (detect-secrets' assignment boilerplate, optional prefixes) and run
# case-sensitively over lowered text when that is equivalent: both defeat the regex
# engine's slow path of trying the whole pattern at every position.

_ASSIGNMENT_HEAD = RegexBasedDetector.build_assignment_regex("\0", "\1", "\2").pattern.split(
    "\0"
)[0]
_ZERO_WIDTH_BRANCHES = frozenset({"", "^", "$", r"\b"})
_NEGATED_CLASS = re.compile(r"(\\.)|\[\^")  # group 1: an escape, left alone


def _scan_regex(pattern: str) -> Iterator[tuple[int, str]]:
    """(index, char) of a regex's structural characters: skips escapes and [classes]."""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i += 1
            i += pattern[i:i + 1] == "^"
            i += pattern[i:i + 1] == "]"  # a leading ']' is literal
            while i < len(pattern) and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        else:
            yield i, char
        i += 1


def _group_end(pattern: str) -> int | None:
    """Index of the ')' closing the group that opens ``pattern``."""
    depth = 0
    for index, char in _scan_regex(pattern):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index
    return None


def _branches(body: str) -> list[str]:
    """The top-level alternatives of a group's body."""
    cuts, depth = [-1], 0
    for index, char in _scan_regex(body):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            cuts.append(index)
    cuts.append(len(body))
    return [body[a + 1:b] for a, b in itertools.pairwise(cuts)]


def _necessary_part(pattern: str, flags: int) -> str:
    """The regex minus any leading groups that may match nothing."""
    rest = pattern.removeprefix(_ASSIGNMENT_HEAD)
    while rest.startswith("(?:"):
        close = _group_end(rest)
        if close is None:
            break
        quantified = rest[close + 1:close + 2] in ("?", "*")
        if not quantified and _ZERO_WIDTH_BRANCHES.isdisjoint(_branches(rest[3:close])):
            break
        rest = rest[close + 2 if quantified else close + 1:]
    try:
        if rest and re.compile(rest, flags).match("") is None:
            return rest
    except re.error:
        pass
    return pattern


# A character class (or \d, \w) with an optional quantifier; then a run of literals.
_LEADING_ATOM = re.compile(r"(\[(?:\\.|[^\]\\])+\]|\\[dw])(?:\{(\d+)(?:,\d*)?\}|([*+?]))?")
_LITERAL_RUN = re.compile(r"(?:\\[^A-Za-z0-9]|[A-Za-z0-9_:=@/#%&~<>,;!'\"-])+(?![*+?{])")


def _literal_led(pattern: str, flags: int) -> str:
    """[0-9a-z]{32}-us... becomes -us(?<=[0-9a-z]{32}-us)...: same hits, literal first.

    A regex opening with a literal lets the engine jump between candidate positions
    instead of trying the pattern at each one.
    """
    if flags & re.VERBOSE:  # '#' and spaces mean something else there
        return pattern
    atom, position = None, 0
    while (next_atom := _LEADING_ATOM.match(pattern, position)) is not None:
        atom, position = next_atom, next_atom.end()
    run = _LITERAL_RUN.match(pattern, position)
    if atom is None or run is None:
        return pattern
    char_class, count, quantifier = atom.groups()
    width = int(count) if count else (0 if quantifier in ("*", "?") else 1)
    behind = f"(?<={char_class}{{{width}}}{run.group()})" if width else ""
    led = run.group() + behind + pattern[run.end():]
    try:
        re.compile(led, flags)
    except re.error:
        return pattern
    return led


def _foldable(pattern: str) -> bool:
    """True when every letter the pattern names is lowercase (or A-Z beside a-z)."""
    bare = re.sub(r"\\.", "", pattern)
    bare = re.sub(r"\[[^\]]*\]",
                  lambda m: m.group(0).replace("A-Z", "") if "a-z" in m.group(0) else m.group(0),
                  bare)
    return re.search("[A-Z]", bare) is None


# eq=False: gates key the per-text caches of ``_Scan`` millions of times a report; identity
# hashing is C-level, a generated field-wise ``__hash__`` was a fifth of redaction's time.
@dataclasses.dataclass(frozen=True, eq=False)
class Gate:
    """A cheap regex whose matches pick the lines worth a detector's real work."""

    pattern: re.Pattern[str]
    folded: bool = False  # case-sensitive pattern meant for the lowered text
    within: Gate | None = None  # a cheaper gate whose lines are the only ones to search

    @classmethod
    def of(cls, regex: re.Pattern[str]) -> Gate:
        """A gate for a regex that is applied line by line."""
        # MULTILINE: ^ and $ keep their per-line meaning over the whole text; and as a
        # per-line match holds no newline, negated classes may stop at one.
        flags = regex.flags | re.MULTILINE
        rest = _NEGATED_CLASS.sub(lambda m: m.group(1) or "[^\\n",
                                  _necessary_part(regex.pattern, flags))
        rest = _literal_led(rest, flags)
        if flags & re.IGNORECASE and _foldable(rest):
            return cls(re.compile(rest, flags & ~re.IGNORECASE), folded=True)
        return cls(re.compile(rest, flags))

    @classmethod
    def literal(cls, *words: str) -> Gate:
        """Any of these words, case-insensitively."""
        return cls(re.compile("|".join(re.escape(w.lower()) for w in words)), folded=True)

    def finditer(self, text: str, lowered: str | None) -> Iterator[re.Match[str]]:
        """Matches in ``text``; ``lowered`` is its lowercase twin when offsets agree."""
        if not self.folded:
            return self.pattern.finditer(text)
        if lowered is not None:
            return self.pattern.finditer(lowered)
        pattern = re.compile(self.pattern.pattern, self.pattern.flags | re.IGNORECASE)
        return pattern.finditer(text)


@dataclasses.dataclass(frozen=True)
class RegexDetector:
    """One regex, one kind; ``group`` selects the part to mask, ``accept`` vetoes a match.

    With a gate the regex runs only over the lines the gate hits, joined into one text;
    it must then never match across a newline.
    """

    kind: str
    pattern: re.Pattern[str]
    group: int | str = 0
    accept: Callable[[re.Match[str]], bool] | None = None
    gate: Gate | None = None

    def __call__(self, scan: _Scan) -> Iterator[Span]:
        if self.gate is None:
            yield from self._find(scan.text)
            return
        joined = scan.joined(self.gate)
        for span in self._find(joined.text):
            start = joined.original(span.start)
            yield Span(start, start + span.end - span.start, span.kind)

    def _find(self, text: str) -> Iterator[Span]:
        for match in self.pattern.finditer(text):
            if self.accept is not None and not self.accept(match):
                continue
            start, end = match.span(self.group)
            if start < end:
                yield Span(start, end, self.kind)


# --- detect-secrets ------------------------------------------------------------------

# Off unless entropy=True: they flag git SHAs, hashes, versions and addresses in prose.
_NOISY_PLUGINS = frozenset({"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"})
# Reports only the "BEGIN ... PRIVATE KEY" phrase, never the key: our block regexes mask
# whole keys, and the phrase alone is no secret (code naming it would be mangled).
_UNUSED_PLUGINS = frozenset({"PrivateKeyDetector"})

_KIND_BY_SECRET_TYPE = {
    "AWS Access Key": "aws-access-key",
    "Basic Auth Credentials": "url-password",
    "GitHub Token": "github-token",
    "JSON Web Token": "jwt",
    "Private Key": "private-key",
    "Public IP (ipv4)": "public-ip",
    "Secret Keyword": "password",
    "Slack Token": "slack-token",
    "Stripe Access Key": "stripe-key",
}
_AWS_KEY_ID = re.compile(r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}")
# Some plugins yield only a prefix (a capturing group such as ``ghp``) or a fixed-length
# head of a longer token (Stripe); running on over token characters never leaves a tail.
_TOKEN_TAIL = re.compile(r"[A-Za-z0-9_-]*")
_KEYWORD_VALUE_ONLY = re.compile(
    r"(?:api[_-]?key|auth[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|password|"
    r"passwd|pwd|secret|token|credentials?)s?",
    re.IGNORECASE,
)
_MAX_RESCANS = 8
_LONG_LINE = 2048
_WINDOW_MARGIN = 8
_PLACEHOLDER_NAME = re.compile(r"[A-Z_]{2,}")
_WORDS = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)+")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _secret_kind(plugin_type: str, value: str) -> str:
    if plugin_type == "AWS Access Key" and not _AWS_KEY_ID.fullmatch(value):
        return "aws-secret-key"  # the plugin's second regex finds 40-char secret keys
    if plugin_type == "Slack Token" and value.lower().startswith("https://"):
        return "slack-webhook"
    return _KIND_BY_SECRET_TYPE.get(plugin_type) or _slug(plugin_type)


def _trim(value: str) -> str:
    # Some plugin regexes include their delimiters (Artifactory: leading space or quote).
    return value.strip().strip("'\"").lstrip("=:").strip()


def _plausible_keyword_value(value: str) -> bool:
    """detect-secrets' own default filters, plus names, constants and plain words."""
    return not (
        ds_heuristic.is_templated_secret(value)
        or ds_heuristic.is_prefixed_with_dollar_sign(value)
        or ds_heuristic.is_not_alphanumeric_string(value)
        or _KEYWORD_VALUE_ONLY.fullmatch(value)  # PASSWORD_FIELD = "password"
        or _PLACEHOLDER_NAME.fullmatch(value)  # --token TOKEN, "RSA", "NO_PASSWORD"
        or _WORDS.fullmatch(value)  # secret_type = "Twilio API Key"
    )


def _windows(line: str, gates: Iterable[Gate]) -> list[tuple[int, int]]:
    """The gate matches in a line, widened a little and merged where they overlap."""
    lowered = _lowered(line)
    spans = sorted((max(0, m.start() - _WINDOW_MARGIN), m.end() + _WINDOW_MARGIN)
                   for gate in gates for m in gate.finditer(line, lowered))
    windows: list[tuple[int, int]] = []
    for start, end in spans:
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def _token_end(line: str, end: int) -> int:
    match = _TOKEN_TAIL.match(line, end)
    return match.end() if match else end


@dataclasses.dataclass(frozen=True)
class _PluginScanner:
    """One detect-secrets plugin, plus how to pre-select lines and vet its values."""

    plugin: Any
    gates: tuple[Gate, ...] | None  # None: scan every line
    accept: Callable[[str], bool]
    extend: bool  # run the match on over trailing token characters
    rescan: bool  # plugin reports only the first match per regex per line

    @classmethod
    def for_plugin(cls, plugin: Any) -> _PluginScanner:
        if isinstance(plugin, ds_keyword.KeywordDetector):
            # analyze_string() without a file type uses exactly these (quoted values); all
            # of them need a keyword, which is far cheaper to look for first.
            keyword = Gate(re.compile(ds_keyword.DENYLIST_REGEX), folded=True)
            gates = tuple(dataclasses.replace(Gate.of(regex), within=keyword)
                          for regex in ds_keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
            return cls(plugin, gates, _plausible_keyword_value, extend=False, rescan=True)
        if isinstance(plugin, HighEntropyStringsPlugin):
            def entropic(value: str) -> bool:
                return bool(plugin.calculate_shannon_entropy(value) > plugin.entropy_limit)

            return cls(plugin, (Gate.of(plugin.regex),), entropic, extend=False, rescan=False)
        if isinstance(plugin, RegexBasedDetector):
            gates = tuple(Gate.of(regex) for regex in plugin.denylist)
            if isinstance(plugin, BasicAuthDetector):  # scheme://user:<password>@host
                return cls(plugin, gates, _plausible_keyword_value, extend=False, rescan=False)
            return cls(plugin, gates, bool, extend=True, rescan=False)
        return cls(plugin, None, bool, extend=True, rescan=False)

    def candidate_lines(self, scan: _Scan) -> list[tuple[int, str]]:
        return scan.lines() if self.gates is None else scan.lines_hit(self.gates)

    def find(self, line: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, value) of every secret the plugin reports in one line."""
        if self.rescan and self.gates and len(line) > _LONG_LINE:
            # A long line (minified JSON, a log dump) may hold more assignments than
            # rescans reach, and each rescan is a whole-line search: analyze each gate
            # match (the gates are this plugin's own regexes) on its own instead.
            for start, end in _windows(line, self.gates):
                for value_start, value_end, value in self._find_in(line[start:end]):
                    yield start + value_start, start + value_end, value
        else:
            yield from self._find_in(line)

    def _find_in(self, line: str) -> Iterator[tuple[int, int, str]]:
        for value in self._values(line):
            start = line.find(value)
            while start != -1:
                end = start + len(value)
                if self.extend:
                    end = _token_end(line, end)
                yield start, end, value
                start = line.find(value, end)

    def _values(self, line: str) -> set[str]:
        found: set[str] = set()
        for _ in range(_MAX_RESCANS if self.rescan else 1):
            new = {v for raw in self.plugin.analyze_string(line)
                   if (v := _trim(str(raw))) and v not in found and self.accept(v)}
            if not new:
                break
            found |= new
            for value in new:  # mask, so the next pass reports the next assignment
                line = line.replace(value, "\0" * len(value))
        return found


@dataclasses.dataclass(frozen=True)
class DetectSecretsDetector:
    """Runs detect-secrets plugin instances line by line (as detect-secrets itself does)."""

    scanners: tuple[_PluginScanner, ...]

    @classmethod
    def of(cls, plugins: Iterable[Any]) -> DetectSecretsDetector:
        return cls(tuple(_PluginScanner.for_plugin(p) for p in plugins))

    def __call__(self, scan: _Scan) -> Iterator[Span]:
        for scanner in self.scanners:
            plugin_type = str(scanner.plugin.secret_type)
            for offset, line in scanner.candidate_lines(scan):
                for start, end, value in scanner.find(line):
                    yield Span(offset + start, offset + end, _secret_kind(plugin_type, value))


# Plugins that know a secret only by its context, not its shape: their kinds (password,
# url-password) rank after the token kinds when both flag the same value.
_CONTEXT_PLUGINS = frozenset({"BasicAuthDetector", "KeywordDetector"})


def _detect_secrets_plugins(*, entropy: bool) -> tuple[list[Any], list[Any], list[Any]]:
    """Instantiate every plugin once: (token shapes, context-based, noisy)."""
    tokens: list[Any] = []
    context: list[Any] = []
    noisy: list[Any] = []
    classes: Iterable[type[Any]] = get_mapping_from_secret_type_to_class().values()
    for plugin_class in sorted(classes, key=lambda c: c.__name__):
        if plugin_class.__name__ in _UNUSED_PLUGINS:
            continue
        if plugin_class.__name__ in _NOISY_PLUGINS:
            if entropy:
                noisy.append(plugin_class())
        elif plugin_class.__name__ in _CONTEXT_PLUGINS:
            context.append(plugin_class())
        else:
            tokens.append(plugin_class())
    return tokens, context, noisy


# --- our own secret detectors ----------------------------------------------------------

_PRIVATE_KEY_BLOCK = re.compile(
    # A BEGIN without END runs to the end of the text: better too much than a key's tail.
    r"-{4,5} ?BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)? ?-{4,5}.*?"
    r"(?:-{4,5} ?END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)? ?-{4,5}|\Z)",
    re.DOTALL,
)
_PUTTY_KEY = re.compile(r"PuTTY-User-Key-File-\d+:.*?(?:Private-MAC: *[0-9a-fA-F]+|\Z)", re.DOTALL)
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/]{20}")


def _has_key_material(match: re.Match[str]) -> bool:
    # Code naming the markers (START = "-----BEGIN ... KEY-----"; END = ...) holds no key.
    return _KEY_MATERIAL.search(match.group(0)) is not None


_URL_PASSWORD = re.compile(
    # scheme://user:password@host — greedy up to the last '@' before the host, so an
    # unencoded '@' inside the password is still covered; only the password is masked.
    r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:(?P<pw>[^\s/?#]+)@(?=[^\s/@:?#]+)"
)
_AWS_SECRET_UNQUOTED = re.compile(
    r"(?i)aws.{0,20}?(?:secret|key).{0,20}?[=:][ \t]*['\"]?"
    r"(?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
)
_GITHUB_FINE_GRAINED = re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,}")
_SLACK_APP_TOKEN = re.compile(r"\bxapp-\d+-[A-Za-z0-9-]{10,}")
_STRIPE_KEY = re.compile(r"\b[rs]k_(?:live|test)_[0-9A-Za-z]{16,}")
# sk-ant-api03-…, sk-ant-admin01-… (Anthropic Console keys and admin keys).
_ANTHROPIC_KEY = re.compile(r"\bsk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_-]{20,}")
# sk-proj-…, sk-svcacct-…, sk-admin-… (OpenAI project, service-account and admin keys);
# the legacy sk-…T3BlbkFJ… shape is detect-secrets' OpenAI plugin.
_OPENAI_KEY = re.compile(r"\bsk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}")
_GOOGLE_API_KEY = re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])")
# An AWS secret access key with no keyword beside it: 40 base64 characters on their own.
_AWS_SECRET_SHAPE = re.compile(r"[A-Za-z0-9/+]{40}(?<![A-Za-z0-9/+=][A-Za-z0-9/+]{40})"
                               r"(?![A-Za-z0-9/+=])")
_MIN_SECRET_ENTROPY = 4.3  # random base64 of 40 characters: about 4.85 bits a character


def _shannon(text: str) -> float:
    counts = Counter(text).values()
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts)


def _random_base64(match: re.Match[str]) -> bool:
    """40 characters that look like key material: mixed case and digits, high entropy,
    and not base64 of readable text (GitHub's node ids, encoded paths)."""
    value = match.group(0)
    if not (any(c.isupper() for c in value) and any(c.islower() for c in value)
            and any(c.isdigit() for c in value)):
        return False
    if _shannon(value) < _MIN_SECRET_ENTROPY:
        return False
    try:
        decoded = base64.b64decode(value, validate=True)
    except ValueError:
        return True
    printable = sum(32 <= b < 127 for b in decoded)
    return printable < len(decoded) * 0.9

# Unquoted assignments (.env, YAML, DSNs, prose). detect-secrets' quoted-value regexes
# miss these; its unquoted ones fire on Python annotations (``password: str``) and calls.
_CREDENTIAL_WORD = (
    r"(?:password|passwd|passphrase|pass|secret|token|api[_-]?key|access[_-]?key|"
    r"auth[_-]?key|private[_-]?key)"
)
# The keyword must be a whole segment of the key (DB_PASSWORD, db.password, client-secret),
# with only a few suffixes: ``token_count`` or ``secret_name`` are not secrets.
_KEY_SUFFIXES = "key|base|value|hash|b64|base64|plain|raw"
_SECRET_KEY = rf"(?:[A-Za-z0-9]+[_.-])*{_CREDENTIAL_WORD}(?:[_.-](?:{_KEY_SUFFIXES}))*"
_LINE_START = r"^[+\- ]?[ \t]*"  # a unified-diff marker, then indentation
# The value stops before trailing punctuation: "(Password: x)." masks only x.
_VALUE = r"(?P<value>[^\s'\"`]\S*?)(?P<tail>[),;.'\"`]*)(?=\s|$)"
_ENV_ASSIGNMENT = re.compile(  # KEY=value (no spaces: Python's ``x = y`` is code)
    rf"{_LINE_START}(?:export[ \t]+)?{_SECRET_KEY}(?P<op>=){_VALUE}",
    re.IGNORECASE | re.MULTILINE,
)
_YAML_ASSIGNMENT = re.compile(
    rf"{_LINE_START}(?:-[ \t]+)?{_SECRET_KEY}(?P<op>:)[ \t]+{_VALUE}",
    re.IGNORECASE | re.MULTILINE,
)
_PROSE_ASSIGNMENT = re.compile(  # "Password: x" in a ticket, "password=x" in a DSN
    rf"(?<![\w.-])(?:password|passwd|passphrase)(?:(?P<op>=)|[ \t]*:[ \t]+){_VALUE}",
    re.IGNORECASE,
)
_CLI_FLAG = re.compile(  # --password=x, -p is too ambiguous to take
    r"(?<![\w-])--(?:password|passwd|pass|token|api-key|secret)(?P<op>=|[ \t]+)" + _VALUE,
    re.IGNORECASE,
)
_TYPED_ASSIGNMENT = re.compile(  # api_key: str = "x" (Python, TS, Kotlin), password := "x" (Go)
    rf"(?<![\w.-])\w*?{_CREDENTIAL_WORD}(?:[_.-]?(?:{_KEY_SUFFIXES}))*(?![A-Za-z0-9])"
    r"[ \t]*(?::[ \t]*[A-Za-z_][\w\[\], .|]*?[ \t]*=|:=)[ \t]*"
    r"(?P<quote>['\"`])(?P<value>[^'\"`\n]+)(?P=quote)",
    re.IGNORECASE,
)
_CREDENTIAL_GATE = Gate(re.compile(_CREDENTIAL_WORD), folded=True)
_AUTHORIZATION = re.compile(  # curl -H 'Authorization: Bearer x', logged request headers
    r"(?<![\w-])(?:proxy-)?authorization[\"']?[ \t]*[:=][ \t]*[\"']?"
    r"(?:basic|bearer|token|digest|apikey)[ \t]+(?P<value>[A-Za-z0-9._~+/=-]{8,})",
    re.IGNORECASE,
)
_NOT_A_SECRET = frozenset({
    "str", "bytes", "int", "bool", "float", "any", "none", "null", "nil", "true", "false",
    "yes", "no", "on", "off", "~", "secretstr", "secretbytes", "optional", "string",
    "required", "redacted", "|", ">", "|-", ">-",
})
_NAME_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_CREDENTIAL_NAME = re.compile(_SECRET_KEY, re.IGNORECASE)


def _is_credential_name(name: str) -> bool:
    """snake_case, kebab-case and camelCase names alike: apiKey, DB_PASSWORD, client-secret."""
    return bool(_CREDENTIAL_NAME.fullmatch("_".join(_NAME_WORDS.findall(name))))


_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_TYPE_NAME = re.compile(r"_*[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+")
_ANNOTATION_REST = re.compile(r"[ \t]*(?:\|[ \t]|=[ \t]|->)")
_LINE_END = re.compile(r"[ \t]*(?:#.*)?$", re.MULTILINE)


def _plausible_unquoted_secret(match: re.Match[str]) -> bool:
    """Vetoes values that are code, types, templates or references rather than secrets."""
    value, tail = match.group("value", "tail")
    typed = match.group("op") == ":"
    return not (
        value.lower() in _NOT_A_SECRET
        or (match.group("op") == "=" and any(c in tail for c in ",)"))  # f(password=pw)
        or any(c in value for c in "([{")  # a call, subscript, generic or template
        or value.startswith(("%", "<", "!"))  # %(pw)s, <your-password>, !vault tags
        or _DOTTED_NAME.fullmatch(value)  # self.password, var.db_password
        or _is_credential_name(value)  # aws_secret_key=aws_secret_key or ...
        or (typed and _TYPE_NAME.fullmatch(value))  # password: HiddenText
        or _ANNOTATION_REST.match(match.string, match.end())  # password: Text | None = None
        # "token: The token of this node." in a docstring is prose, not a value.
        or (typed and value.isalpha() and not _LINE_END.match(match.string, match.end()))
        or not _plausible_keyword_value(value)
    )


def _plausible_prose_secret(match: re.Match[str]) -> bool:
    # In running text "the --password option" or "password: required" are words.
    return not match.group("value").isalpha() and _plausible_unquoted_secret(match)


def _plausible_url_password(match: re.Match[str]) -> bool:
    return _plausible_keyword_value(match.group("pw"))  # not <password>, ${PW} or ***


def _plausible_quoted_secret(match: re.Match[str]) -> bool:
    return _plausible_keyword_value(match.group("value"))


def _secret_detectors(*, entropy: bool) -> list[Detector]:
    tokens, context, noisy = _detect_secrets_plugins(entropy=entropy)
    unquoted, prose = _plausible_unquoted_secret, _plausible_prose_secret
    detectors: list[Detector] = [
        RegexDetector("private-key", _PRIVATE_KEY_BLOCK, accept=_has_key_material),
        RegexDetector("private-key", _PUTTY_KEY, accept=_has_key_material),
        DetectSecretsDetector.of(tokens),
        RegexDetector("aws-secret-key", _AWS_SECRET_UNQUOTED, "value", gate=Gate.literal("aws")),
        RegexDetector("github-token", _GITHUB_FINE_GRAINED, gate=Gate.literal("github_pat_")),
        RegexDetector("slack-token", _SLACK_APP_TOKEN, gate=Gate.literal("xapp-")),
        RegexDetector("stripe-key", _STRIPE_KEY, gate=Gate.literal("k_live_", "k_test_")),
        RegexDetector("anthropic-api-key", _ANTHROPIC_KEY, gate=Gate.literal("sk-ant-")),
        RegexDetector("openai-token", _OPENAI_KEY,
                      gate=Gate.literal("sk-proj-", "sk-svcacct-", "sk-admin-", "sk-none-")),
        RegexDetector("google-api-key", _GOOGLE_API_KEY, gate=Gate.literal("aiza")),
        RegexDetector("url-password", _URL_PASSWORD, "pw", _plausible_url_password,
                      Gate.literal("://")),
        DetectSecretsDetector.of(context),
        RegexDetector("password", _ENV_ASSIGNMENT, "value", unquoted, _CREDENTIAL_GATE),
        RegexDetector("password", _YAML_ASSIGNMENT, "value", unquoted, _CREDENTIAL_GATE),
        RegexDetector("password", _PROSE_ASSIGNMENT, "value", prose, _CREDENTIAL_GATE),
        RegexDetector("password", _CLI_FLAG, "value", prose, _CREDENTIAL_GATE),
        RegexDetector("password", _TYPED_ASSIGNMENT, "value", _plausible_quoted_secret,
                      _CREDENTIAL_GATE),
        RegexDetector("auth-header", _AUTHORIZATION, "value", gate=Gate.literal("authorization")),
        RegexDetector("aws-secret-key", _AWS_SECRET_SHAPE, accept=_random_base64),
    ]
    if noisy:
        detectors.append(DetectSecretsDetector.of(noisy))
    return detectors


# --- PII ------------------------------------------------------------------------------
#
# The digit patterns start with a character class and test the preceding character with
# a lookbehind afterwards: a leading lookbehind makes the regex engine try every position.

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    r"(?![\w-])"
)
_URL_USERINFO_BEFORE = re.compile(r"://[^\s/@]*:?\Z")


# The user part of SSH remotes (git@github.com:acme/api.git): service accounts of the
# forges, never a person.
_SSH_REMOTE_USERS = frozenset({"git", "hg"})
_SSH_PATH = re.compile(r"[\w.~-]+(?:/[\w.~-]+)*\.git(?![\w.-])")


def _is_an_address(match: re.Match[str]) -> bool:
    """Real-looking addresses are masked; two look-alikes are not.

    - git@github.com:org/repo.git is an SSH remote: a forge's service account, not a
      person, and masking it would break the remote. Only ``git@``/``hg@`` hosts, or a
      path ending in ``.git``, count: jane@acme.com:Hunter2 or notes/jane@acme.com.py:1
      are addresses.
    - In scheme://user@host or scheme://user:pw@host the part before '@' is a URL user
      (the password is masked as url-password); masking user@host would hide the host.
    """
    text, start, end = match.string, match.start(), match.end()
    user = match.group(0).partition("@")[0].lower()
    after = text[end + 1:end + 2]
    scp_remote = text[end:end + 1] == ":" and bool(after.strip()) and (
        user in _SSH_REMOTE_USERS or _SSH_PATH.match(text, end + 1) is not None)
    url_user = _URL_USERINFO_BEFORE.search(text, max(0, start - 256), start) is not None
    return not (scp_remote or url_user)


# jane@acme.com:Hunter2Secret! — an address and its password, as in a credentials dump.
_EMAIL_PASSWORD = re.compile(  # the value stops before trailing punctuation, as _VALUE does
    _EMAIL.pattern + r":(?P<value>[^\s:/@]+?)(?=[),;.'\"]*(?:\s|$))")


def _plausible_email_password(match: re.Match[str]) -> bool:
    value = match.group("value")
    user = match.group(0).partition("@")[0].lower()
    return (len(value) >= 6 and user not in _SSH_REMOTE_USERS and not value.isdigit()
            and not _SSH_PATH.fullmatch(value) and _plausible_keyword_value(value))


_CARD = re.compile(
    # Compact, 4-4-4-x (Visa/MC/Discover) or 4-6-4/5 (Amex/Diners), grouped by spaces,
    # dashes or dots; first digit 2-6 (the card networks), which keeps 13-digit
    # epoch-millisecond timestamps out.
    r"[2-6](?<![\w.-][2-6])"
    r"(?:\d{12,18}|\d{3}([ .-])\d{4}\1\d{4}\1\d{1,7}|\d{3}([ .-])\d{6}\2\d{4,5})"
    r"(?![\w-])(?![ .]\d)"
)


def _luhn_ok(match: re.Match[str]) -> bool:
    digits = [int(c) for c in match.group(0) if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


_SSN = re.compile(
    # Area not 000, 666 or 9xx; group not 00; serial not 0000 (SSA validity rules).
    r"\d{3}(?<![\w-]\d{3})(?<!000)(?<!666)(?<!9\d\d)-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])"
)
_IBAN = re.compile(r"[A-Z]{2}(?<!\w[A-Z]{2})\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")


def _iban_ok(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def find_ibans(scan: _Scan) -> Iterator[Span]:
    """ISO 13616 mod-97; a grouped match may have swallowed a trailing short word."""
    for match in _IBAN.finditer(scan.text):
        candidate = match.group(0)
        while candidate:
            if _iban_ok(candidate):
                yield Span(match.start(), match.start() + len(candidate), "iban")
                break
            cut = candidate.rfind(" ")
            candidate = candidate[:cut] if cut > 0 else ""


# A digit run, optionally opened by '+', '(' or '+(', not glued to a preceding word.
_PHONE_CANDIDATE = re.compile(
    r"[+(\d](?<!\w.)(?:(?<=\+)\(?\d|(?<=\()\d|(?<=\d))[\d \t().\-/]{5,}\d(?!\w)"
)
_PHONE_GROUPS = re.compile(r"\d[ \t().\-/]+\d")  # a separator between digits
# Shapes the matcher would reject anyway (it is slow, so skip them up front): IPv4
# addresses, decimals, dates and dotted build numbers, card/IBAN-style groups of four.
_NOT_A_PHONE = re.compile(
    r"\d{1,3}(?:\.\d{1,3}){3}|\d+\.\d+"
    r"|\d{4}[-./]\d{1,2}[-./]\d{1,2}(?:[./]\d+)?|\d{1,2}/\d{1,2}/\d{2,4}"
    r"|\d{4}(?:[ -]\d{4}){2,}(?:[ -]\d{1,4})?"
)
# ...and shapes it wrongly accepts.
_NOT_PHONE_LIKE = re.compile(
    r"[ \t]{2}"  # table columns
    r"|(?<!\d)\d\.|\.\d(?!\d)"  # decimals and versions: 0.36, 13.0
    r"|^[1-9]\d*/|/.*/"  # fractions (71/1920), paths and DOIs (10.1155/2012/674832)
    r"|(?:19|20)\d\d-[01]\d-[0-3]\d"  # ISO dates
    r"|-\d$"  # ISBN check digit: 0-471-22361-1
)
_MIN_PHONE_DIGITS = 7
_MAX_PHONE_DIGITS = 17  # E.164 allows 15; a national trunk prefix adds one or two


@dataclasses.dataclass(frozen=True)
class PhoneDetector:
    """phonenumbers' VALID matcher, run only over digit runs that look like phone numbers.

    Runs without a '+' or a separator between digits (plain integers in code, IDs,
    timestamps) are never candidates: the matcher over the whole text costs seconds per
    100 kB.
    """

    regions: tuple[str, ...]

    def __call__(self, scan: _Scan) -> Iterator[Span]:
        seen: dict[str, list[tuple[int, int]]] = {}  # logs repeat the same numbers
        for candidate in _PHONE_CANDIDATE.finditer(scan.text):
            run = candidate.group(0)
            if run not in seen:
                seen[run] = self._match(run) if self._plausible(run) else []
            for start, end in seen[run]:
                yield Span(candidate.start() + start, candidate.start() + end, "phone")

    @staticmethod
    def _plausible(run: str) -> bool:
        digits = sum(c.isdigit() for c in run)
        plus = run.startswith("+")
        return (
            digits >= _MIN_PHONE_DIGITS
            and (digits <= _MAX_PHONE_DIGITS or plus)
            and (plus or _PHONE_GROUPS.search(run) is not None)
            and _NOT_PHONE_LIKE.search(run) is None
            and _NOT_A_PHONE.fullmatch(run) is None
        )

    def _match(self, run: str) -> list[tuple[int, int]]:
        # A '+' number parses the same from any region; stop once the run is covered.
        regions = self.regions[:1] if run.startswith("+") else self.regions
        found: list[tuple[int, int]] = []
        for region in regions:
            for match in phonenumbers.PhoneNumberMatcher(
                run, region, leniency=phonenumbers.Leniency.VALID
            ):
                if sum(c.isdigit() for c in match.raw_string) >= _MIN_PHONE_DIGITS:
                    found.append((match.start, match.end))
            if found and min(s for s, _ in found) == 0 and max(e for _, e in found) == len(run):
                break
        return found


def _pii_detectors(phone_regions: tuple[str, ...]) -> list[Detector]:
    return [
        RegexDetector("password", _EMAIL_PASSWORD, "value", _plausible_email_password,
                      Gate(re.compile("@"))),
        RegexDetector("email", _EMAIL, accept=_is_an_address, gate=Gate(re.compile("@"))),
        RegexDetector("payment-card", _CARD, accept=_luhn_ok),
        find_ibans,
        RegexDetector("us-ssn", _SSN),
        PhoneDetector(phone_regions),
    ]


# --- the redactor ---------------------------------------------------------------------


def _root(gate: Gate) -> Gate:
    while gate.within is not None:
        gate = gate.within
    return gate


# A backreference cannot join an alternation: its group number would point elsewhere.
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def _entry_gates(detector: Detector) -> tuple[Gate, ...] | None:
    """The coarsest gates a detector's work hangs on; None when it reads every text (or
    when a gate cannot join the prefilter's alternation)."""
    found: list[Gate] = []
    if isinstance(detector, RegexDetector) and detector.gate is not None:
        found = [_root(detector.gate)]
    elif isinstance(detector, DetectSecretsDetector):
        if any(scanner.gates is None for scanner in detector.scanners):
            return None
        found = [_root(g) for scanner in detector.scanners for g in scanner.gates or ()]
    if not found or any(_BACKREFERENCE.search(g.pattern.pattern) for g in found):
        return None
    return tuple(found)


_SCOPED_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))


def _union(gates: Sequence[Gate], extra: int = 0) -> re.Pattern[str] | None:
    """One alternation of the gates' patterns, each keeping its own flags."""
    if not gates:
        return None
    branches = []
    for gate in gates:
        letters = "".join(c for flag, c in _SCOPED_FLAGS if gate.pattern.flags & flag)
        branches.append(f"(?{letters}:{gate.pattern.pattern})" if letters
                        else f"(?:{gate.pattern.pattern})")
    return re.compile("|".join(branches), extra)


@dataclasses.dataclass(frozen=True)
class _Prefilter:
    """Every gate in one search: a text no gate matches needs no gated detector at all.

    Most strings in a report (titles, paths, short sentences) match none, and one regex
    search over them replaces dozens of per-gate searches and their bookkeeping.
    """

    plain: re.Pattern[str] | None
    folded: re.Pattern[str] | None  # case-sensitive, over the lowered text
    folded_anycase: re.Pattern[str] | None  # for texts whose lowering shifts offsets

    @classmethod
    def of(cls, gates: Iterable[Gate]) -> _Prefilter:
        unique = list(dict.fromkeys(gates))
        folded = [g for g in unique if g.folded]
        return cls(_union([g for g in unique if not g.folded]), _union(folded),
                   _union(folded, re.IGNORECASE))

    def hits(self, scan: _Scan) -> bool:
        if self.plain is not None and self.plain.search(scan.text):
            return True
        if scan.lowered is not None:
            return self.folded is not None and self.folded.search(scan.lowered) is not None
        return self.folded_anycase is not None and \
            self.folded_anycase.search(scan.text) is not None



def _outside(span: Span, starts: Sequence[int], ends: Sequence[int]) -> Iterator[Span]:
    """The parts of a span clear of existing placeholders (sorted, disjoint intervals)."""
    start = span.start
    for i in range(bisect_right(ends, span.start), len(starts)):
        if starts[i] >= span.end:
            break
        if starts[i] > start:
            yield Span(start, starts[i], span.kind)
        start = max(start, ends[i])
    if start < span.end:
        yield Span(start, span.end, span.kind)


def _merge(found: Iterable[tuple[int, Span]], protected: Sequence[tuple[int, int]]) -> list[Span]:
    """Union overlapping spans; the lowest rank (earliest detector) names the kind.

    Existing placeholders are cut out of every span first: they are never redacted again,
    and a span around one (a key block with no END) still masks everything else.
    """
    starts = [s for s, _ in protected]
    ends = [e for _, e in protected]
    pieces = sorted(((rank, piece) for rank, span in found
                     for piece in _outside(span, starts, ends)),
                    key=lambda item: (item[1].start, -item[1].end, item[0]))
    merged: list[Span] = []
    best_rank = 0
    for rank, span in pieces:
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            kind = span.kind if rank < best_rank else last.kind
            best_rank = min(best_rank, rank)
            merged[-1] = Span(last.start, max(last.end, span.end), kind)
        else:
            merged.append(span)
            best_rank = rank
    return merged


# Characters that render as nothing, beyond the format category (Cf): fillers and the
# combining grapheme joiner, which attackers use like zero-width spaces.
_INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0")
# Non-ASCII runs to fold, or an invisible character already spelled out for a reader
# (``⟦U+200B⟧``, as evidence shows it): that counts as invisible too.
_FOLDABLE = re.compile(r"(?P<spelled>⟦U\+[0-9A-F]{4,6}⟧)|[^\x00-\x7f]+")


class _Folded:
    """A text NFKC-normalised with invisible characters removed, mapping positions back.

    Built only for texts with non-ASCII characters; ``of`` returns None when folding
    changes nothing, so the common case costs one ``isascii`` call. The folded text is
    made of segments: an ASCII run (maps back one to one) or one folded character (all of
    its NFKC expansion maps back to it).
    """

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.starts: list[int] = []  # where each segment begins in the folded text
        self.origins: list[int] = []  # ...and in the original
        self.linear: list[bool] = []
        self.size = 0
        self.text = ""

    def _add(self, piece: str, origin: int, one_to_one: bool) -> None:
        self.starts.append(self.size)
        self.origins.append(origin)
        self.linear.append(one_to_one)
        self.pieces.append(piece)
        self.size += len(piece)

    @classmethod
    def of(cls, text: str) -> _Folded | None:
        if text.isascii():
            return None
        built, last = cls(), 0
        for run in _FOLDABLE.finditer(text):
            if run.start() > last:
                built._add(text[last:run.start()], last, True)
            last = run.end()
            if run.group("spelled"):
                continue
            for offset, char in enumerate(run.group(), start=run.start()):
                if unicodedata.category(char) != "Cf" and char not in _INVISIBLE:
                    built._add(unicodedata.normalize("NFKC", char), offset, False)
        if last < len(text):
            built._add(text[last:], last, True)
        built.text = "".join(built.pieces)
        return None if built.text == text else built

    def _origin(self, position: int) -> int:
        """The original index of the folded character at ``position``."""
        index = bisect_right(self.starts, position) - 1
        if self.linear[index]:
            return self.origins[index] + position - self.starts[index]
        return self.origins[index]

    def original(self, span: Span) -> Span:
        """The original characters a folded span came from (invisible ones inside included)."""
        return Span(self._origin(span.start), self._origin(span.end - 1) + 1, span.kind)


class _Memo:
    """Results of recent texts, least recently used dropped first, bounded in characters.

    A report is redacted when it is recorded and again by every format it is written in;
    its strings repeat (paths, titles, severities). The redactor's own output is final
    (redaction is idempotent), so each result is also kept as a fixed point: redacting a
    redacted copy costs lookups only.
    """

    def __init__(self, budget_chars: int, longest: int) -> None:
        self._budget, self.longest = budget_chars, longest
        self._entries: OrderedDict[str, RedactionResult] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, text: str) -> RedactionResult | None:
        with self._lock:
            found = self._entries.get(text)
            if found is not None:
                self._entries.move_to_end(text)
            return found

    def put(self, text: str, result: RedactionResult) -> None:
        with self._lock:
            self._add(text, result)
            if result.text != text:
                self._add(result.text, RedactionResult(text=result.text, counts={}))
            while self._size > self._budget:
                dropped, _ = self._entries.popitem(last=False)
                self._size -= len(dropped)

    def _add(self, text: str, result: RedactionResult) -> None:
        if text not in self._entries:
            self._size += len(text)
        self._entries[text] = result


class Redactor:
    """Immutable after construction, so one instance can be shared across threads."""

    __slots__ = ("_detectors", "_memo", "_prefilter", "_quiet")
    _detectors: tuple[tuple[int, Detector], ...]
    _memo: _Memo
    _prefilter: _Prefilter
    _quiet: tuple[tuple[int, Detector], ...]

    def __init__(
        self,
        *,
        pii: bool = True,
        phone_regions: Sequence[str] = ("US", "GB", "DE", "FR"),
        entropy: bool = False,
    ) -> None:
        regions = tuple(r.upper() for r in phone_regions)
        unknown = [r for r in regions if r not in phonenumbers.SUPPORTED_REGIONS]
        if unknown:
            raise ValueError(f"unknown phone regions: {', '.join(unknown)}")
        detectors = _secret_detectors(entropy=entropy)
        if pii:
            detectors += _pii_detectors(regions)
        ranked = tuple(enumerate(detectors))  # a rank names the kind where spans overlap
        gates = {rank: _entry_gates(d) for rank, d in ranked}
        object.__setattr__(self, "_detectors", ranked)
        object.__setattr__(self, "_prefilter", _Prefilter.of(
            g for found in gates.values() if found for g in found))
        object.__setattr__(self, "_quiet", tuple((r, d) for r, d in ranked if gates[r] is None))
        # The redactor is immutable, so results can be reused; diffs and logs (longer than
        # ``longest``) rarely repeat and are not kept. At most ~16 MiB of text is held.
        object.__setattr__(self, "_memo", _Memo(budget_chars=8_000_000, longest=4096))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Redactor is immutable")

    def redact(self, text: str) -> RedactionResult:
        if len(text) > self._memo.longest:
            return self._redact(text)
        found = self._memo.get(text)
        if found is None:
            found = self._redact(text)
            self._memo.put(text, found)
        return found

    def _redact(self, text: str) -> RedactionResult:
        folded = _Folded.of(text)  # detectors see through full-width and zero-width tricks
        seen = folded.text if folded else text
        protected = [m.span() for m in PLACEHOLDER_RE.finditer(seen)]
        scan = _Scan(seen)
        plan = self._detectors if self._prefilter.hits(scan) else self._quiet
        found = ((rank, span) for rank, detector in plan for span in detector(scan))
        spans = _merge(found, protected)
        if folded:
            spans = [folded.original(span) for span in spans]
        pieces: list[str] = []
        counts: Counter[str] = Counter()
        position = 0
        for span in spans:
            pieces += (text[position:span.start], placeholder(span.kind))
            counts[span.kind] += 1
            position = span.end
        pieces.append(text[position:])
        return RedactionResult(text="".join(pieces), counts=dict(sorted(counts.items())))

    def redact_data(self, value: Any) -> tuple[Any, dict[str, int]]:
        """Recursively redact every str inside dicts/lists/tuples (dict keys too).

        Other values are returned unchanged. A string stored under a credential-named key
        (``password``, ``apiKey``, ``client_secret``...) is masked whole: on its own the
        value looks like any word. Two keys that redact to the same text are kept apart
        with a ``#2``, ``#3`` suffix rather than one silently overwriting the other.
        """
        counts: Counter[str] = Counter()
        result = self._walk(value, counts)
        return result, dict(sorted(counts.items()))

    def _walk(self, value: Any, counts: Counter[str]) -> Any:
        if isinstance(value, str):
            result = self.redact(value)
            counts.update(result.counts)
            return result.text
        if isinstance(value, dict):
            return self._walk_dict(value, counts)
        if isinstance(value, list):
            return [self._walk(item, counts) for item in value]
        if isinstance(value, tuple):
            items = [self._walk(item, counts) for item in value]
            return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
        return value

    def _walk_dict(self, value: dict[Any, Any], counts: Counter[str]) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key, item in value.items():
            new_key = self._walk(key, counts)
            if new_key in out and isinstance(new_key, str):
                n = 2
                while f"{new_key} #{n}" in out:
                    n += 1
                new_key = f"{new_key} #{n}"
            if isinstance(key, str) and isinstance(item, str) and item and _is_credential_name(key):
                out[new_key] = self._mask_whole(item, counts)
            else:
                out[new_key] = self._walk(item, counts)
        return out

    def _mask_whole(self, value: str, counts: Counter[str]) -> str:
        result = self.redact(value)
        if PLACEHOLDER_RE.fullmatch(result.text):  # a detector (or an earlier pass) did it
            counts.update(result.counts)
            return result.text
        counts["password"] += 1
        return placeholder("password")


@functools.lru_cache(maxsize=1)
def default_redactor() -> Redactor:
    """Built once: instantiating the detect-secrets plugins is the expensive part."""
    return Redactor()


def redact(text: str) -> RedactionResult:
    return default_redactor().redact(text)


def redact_data(value: Any) -> tuple[Any, dict[str, int]]:
    return default_redactor().redact_data(value)

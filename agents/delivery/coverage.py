"""Line coverage from a Cobertura XML or an LCOV report, read with the standard library.

Paths in reports rarely equal repository paths (Cobertura is relative to a ``<source>``
directory, LCOV is often absolute), so lookups fall back to the longest path suffix
shared with exactly one reported file. XML goes through defusedxml: coverage reports
are build artifacts, and entity expansion must not be a way to stall the advisor.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import ParseError, fromstring  # type: ignore[import-untyped]


class CoverageError(ValueError):
    """The coverage report is unreadable or in neither supported format (one line)."""


class CoverageReport:
    """Per file: line number -> hit count, for the lines the tool considers executable."""

    def __init__(self, files: dict[str, dict[int, int]], fmt: str) -> None:
        self.format = fmt
        self._files = {_normal(path): lines for path, lines in files.items()}
        self._by_name: dict[str, list[str]] = defaultdict(list)
        for path in self._files:
            self._by_name[PurePosixPath(path).name].append(path)

    def __len__(self) -> int:
        return len(self._files)

    def lines(self, repo_path: str) -> dict[int, int] | None:
        """Hits per line of ``repo_path``, or None when the report does not cover it."""
        wanted = _normal(repo_path)
        if wanted in self._files:
            return self._files[wanted]
        best, best_len, tied = None, 0, False
        for candidate in self._by_name.get(PurePosixPath(wanted).name, ()):
            shared = _shared_suffix(candidate, wanted)
            if shared > best_len:
                best, best_len, tied = candidate, shared, False
            elif shared == best_len:
                tied = True
        return None if best is None or tied else self._files[best]


def load_coverage(path: Path) -> CoverageReport:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CoverageError(f"cannot read coverage report {path}: {exc.strerror}") from None
    if data.lstrip()[:1] == b"<":
        return CoverageReport(_cobertura(data, path), "cobertura")
    files = _lcov(data.decode("utf-8", errors="replace"))
    if not files:
        raise CoverageError(f"{path}: neither Cobertura XML nor LCOV (no SF:/DA: records)")
    return CoverageReport(files, "lcov")


def _cobertura(data: bytes, path: Path) -> dict[str, dict[int, int]]:
    try:
        root: Element = fromstring(data)
    except (ParseError, DefusedXmlException) as exc:
        raise CoverageError(f"{path}: not valid coverage XML ({exc})") from None
    if root.tag != "coverage":
        raise CoverageError(f"{path}: XML root is <{root.tag}>, not Cobertura <coverage>")
    files: dict[str, dict[int, int]] = defaultdict(dict)
    # class/lines only: method/lines repeat the same lines.
    for cls in root.iter("class"):
        name = cls.get("filename")
        for line in cls.findall("./lines/line") if name else ():
            number, hits = _int(line.get("number")), _int(line.get("hits"))
            if number is not None and hits is not None:
                lines = files[name or ""]
                lines[number] = max(hits, lines.get(number, 0))
    return dict(files)


def _lcov(text: str) -> dict[str, dict[int, int]]:
    files: dict[str, dict[int, int]] = defaultdict(dict)
    current: str | None = None
    for raw in text.splitlines():
        tag, _, value = raw.strip().partition(":")
        if tag == "SF":
            current = value
        elif tag == "DA" and current is not None:
            fields = value.split(",")
            number = _int(fields[0])
            hits = _int(fields[1]) if len(fields) > 1 else None
            if number is not None and hits is not None:
                lines = files[current]
                lines[number] = max(hits, lines.get(number, 0))
        elif tag == "end_of_record":
            current = None
    return dict(files)


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _normal(path: str) -> str:
    return path.replace("\\", "/").removeprefix("./")


def _shared_suffix(a: str, b: str) -> int:
    """How many trailing path components ``a`` and ``b`` share."""
    count = 0
    for x, y in zip(reversed(a.split("/")), reversed(b.split("/")), strict=False):
        if x != y:
            break
        count += 1
    return count

"""Dependency manifests and lockfiles: which (name, version) each one declares.

Line-based formats (``requirements*.txt``, ``go.sum``) parse line by line, so added
diff lines are enough. Structured ones (TOML, JSON) parse whole files only. A version
is exact (``==1.2.3``, Poetry's bare ``1.2.3``, any lockfile entry) or absent: a range
cannot be looked up in OSV, it is reported as unpinned instead.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any

__all__ = [
    "ECOSYSTEM",
    "LINE_BASED",
    "Declared",
    "ManifestError",
    "ManifestKind",
    "manifest_kind",
    "parse_line",
    "parse_manifest",
]


class ManifestKind(StrEnum):
    REQUIREMENTS = "requirements"
    PYPROJECT = "pyproject"
    POETRY_LOCK = "poetry-lock"
    UV_LOCK = "uv-lock"
    PIPFILE_LOCK = "pipfile-lock"
    PACKAGE_LOCK = "package-lock"
    GO_SUM = "go-sum"


ECOSYSTEM = {
    ManifestKind.REQUIREMENTS: "PyPI", ManifestKind.PYPROJECT: "PyPI",
    ManifestKind.POETRY_LOCK: "PyPI", ManifestKind.UV_LOCK: "PyPI",
    ManifestKind.PIPFILE_LOCK: "PyPI", ManifestKind.PACKAGE_LOCK: "npm",
    ManifestKind.GO_SUM: "Go",
}
LINE_BASED = frozenset({ManifestKind.REQUIREMENTS, ManifestKind.GO_SUM})
_BY_NAME = {
    "pyproject.toml": ManifestKind.PYPROJECT, "poetry.lock": ManifestKind.POETRY_LOCK,
    "uv.lock": ManifestKind.UV_LOCK, "Pipfile.lock": ManifestKind.PIPFILE_LOCK,
    "package-lock.json": ManifestKind.PACKAGE_LOCK, "go.sum": ManifestKind.GO_SUM,
}
_REQUIREMENTS_NAME = re.compile(r"requirements[\w.-]*\.txt")


def manifest_kind(path: str) -> ManifestKind | None:
    pure = PurePosixPath(path)
    if pure.name in _BY_NAME:
        return _BY_NAME[pure.name]
    if _REQUIREMENTS_NAME.fullmatch(pure.name) or (
            pure.suffix == ".txt" and pure.parent.name == "requirements"):
        return ManifestKind.REQUIREMENTS
    return None


class ManifestError(ValueError):
    """Not valid for its format; the message is one line and holds no file content."""


@dataclass(frozen=True)
class Declared:
    name: str  # as OSV names it (PyPI names normalised per PEP 503)
    version: str | None  # exact version; None when only a range is declared
    raw_name: str  # as written, to find it in the file
    spec: str = ""


def _pypi(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# -- PEP 508 (requirements lines, PEP 621 lists) -----------------------------------------

_REQUIREMENT = re.compile(
    r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)$")
_EXACT = re.compile(r"^===?\s*([^\s,;*]+)$")


def parse_requirement(text: str) -> Declared | None:
    """``name[extras] (spec) ; marker`` with an exact version only for ``==x`` / ``===x``."""
    text = text.split(";", 1)[0].strip()
    match = _REQUIREMENT.match(text)
    if not match:
        return None
    raw, spec = match.group(1), match.group(2).strip().strip("()").strip()
    exact = _EXACT.match(spec)
    return Declared(_pypi(raw), exact.group(1) if exact else None, raw, spec)


def _requirements_line(line: str) -> Declared | None:
    line = re.split(r"(?:^|\s)#", line, maxsplit=1)[0].strip().rstrip("\\").strip()
    if not line or line.startswith(("-", ".", "/")) or "://" in line or " @ " in line:
        return None  # options, includes, paths, URLs and direct references
    return parse_requirement(line.split(" --", 1)[0])


_GO_SUM = re.compile(r"^(\S+)\s+v(\S+?)(/go\.mod)?\s+h1:\S+\s*$")


def _go_sum_line(line: str) -> Declared | None:
    match = _GO_SUM.match(line)
    if not match or match.group(3):  # "/go.mod" lines: only the module graph, not the code
        return None
    return Declared(match.group(1), match.group(2), match.group(1))


def parse_line(kind: ManifestKind, line: str) -> Declared | None:
    return _requirements_line(line) if kind is ManifestKind.REQUIREMENTS else _go_sum_line(line)


# -- structured files --------------------------------------------------------------------


def _toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"invalid TOML: {str(exc).splitlines()[0]}") from None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ManifestError(f"invalid JSON: {type(exc).__name__} at {getattr(exc, 'pos', '?')}"
                            ) from None


def _poetry_spec(raw: str, spec: object) -> Declared:
    if isinstance(spec, Mapping):
        spec = spec.get("version", "")
    text = str(spec).strip() if isinstance(spec, str) else ""
    bare = re.fullmatch(r"\d[\w.+!-]*", text)  # Poetry: a bare version is exact
    exact = _EXACT.match(text)
    version = text if bare else (exact.group(1) if exact else None)
    return Declared(_pypi(raw), version, raw, text)


def _poetry_tables(poetry: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield poetry.get("dependencies") or {}
    yield poetry.get("dev-dependencies") or {}
    for group in (poetry.get("group") or {}).values():
        yield (group or {}).get("dependencies") or {}


def _pyproject(text: str) -> list[Declared]:
    data = _toml(text)
    project = data.get("project") or {}
    lines = [*project.get("dependencies", []),
             *(r for group in (project.get("optional-dependencies") or {}).values() for r in group),
             *(r for group in (data.get("dependency-groups") or {}).values() for r in group
               if isinstance(r, str))]
    found = [d for line in lines if isinstance(line, str) and (d := parse_requirement(line))]
    poetry = (data.get("tool") or {}).get("poetry") or {}
    for table in _poetry_tables(poetry):
        for raw, spec in table.items():
            if raw.lower() != "python" and not isinstance(spec, list):
                found.append(_poetry_spec(raw, spec))
    return found


_NOT_A_REGISTRY = frozenset({"directory", "file", "git", "url", "editable", "virtual", "path"})


def _from_registry(source: object) -> bool:
    """Poetry names the source ``type``; uv uses the kind as the key (``{git = ...}``)."""
    if not isinstance(source, Mapping):
        return True
    if "type" in source:
        return str(source["type"]) not in _NOT_A_REGISTRY
    return not _NOT_A_REGISTRY.intersection(map(str, source))


def _toml_lock(text: str) -> list[Declared]:
    packages = _toml(text).get("package") or []
    if not isinstance(packages, list):
        raise ManifestError("'package' is not an array of tables")
    return [Declared(_pypi(str(p["name"])), str(p["version"]), str(p["name"]))
            for p in packages
            if isinstance(p, Mapping) and p.get("name") and p.get("version")
            and _from_registry(p.get("source"))]


def _pipfile_lock(text: str) -> list[Declared]:
    data = _json(text)
    if not isinstance(data, Mapping):
        raise ManifestError("not a JSON object")
    found: list[Declared] = []
    for section in ("default", "develop"):
        for raw, entry in (data.get(section) or {}).items():
            exact = _EXACT.match(str((entry or {}).get("version", "")))
            if exact:
                found.append(Declared(_pypi(raw), exact.group(1), raw))
    return found


def _npm_name(key: str, entry: Mapping[str, Any]) -> str:
    return str(entry.get("name") or key.rsplit("node_modules/", 1)[-1])


def _npm_v1(dependencies: Mapping[str, Any]) -> Iterator[Declared]:
    for name, entry in dependencies.items():
        if isinstance(entry, Mapping):
            version = str(entry.get("version", ""))
            if version and ":" not in version:
                yield Declared(name, version, name)
            yield from _npm_v1(entry.get("dependencies") or {})


def _package_lock(text: str) -> list[Declared]:
    data = _json(text)
    if not isinstance(data, Mapping):
        raise ManifestError("not a JSON object")
    packages = data.get("packages")
    if not isinstance(packages, Mapping):  # lockfileVersion 1
        return list(_npm_v1(data.get("dependencies") or {}))
    found: list[Declared] = []
    for key, entry in packages.items():
        if not key or not isinstance(entry, Mapping) or entry.get("link"):
            continue
        version = str(entry.get("version", ""))
        if version and ":" not in version:  # file:, git+…: not in the registry
            name = _npm_name(key, entry)
            found.append(Declared(name, version, name))
    return found


def _line_file(kind: ManifestKind) -> Callable[[str], list[Declared]]:
    def parse(text: str) -> list[Declared]:
        return [d for line in text.splitlines() if (d := parse_line(kind, line))]

    return parse


_PARSERS: dict[ManifestKind, Callable[[str], list[Declared]]] = {
    ManifestKind.REQUIREMENTS: _line_file(ManifestKind.REQUIREMENTS),
    ManifestKind.GO_SUM: _line_file(ManifestKind.GO_SUM),
    ManifestKind.PYPROJECT: _pyproject,
    ManifestKind.POETRY_LOCK: _toml_lock,
    ManifestKind.UV_LOCK: _toml_lock,
    ManifestKind.PIPFILE_LOCK: _pipfile_lock,
    ManifestKind.PACKAGE_LOCK: _package_lock,
}


def parse_manifest(kind: ManifestKind, text: str) -> list[Declared]:
    """Every declaration in a whole file; ``ManifestError`` when it is malformed."""
    try:
        return _PARSERS[kind](text)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ManifestError(f"unexpected structure ({type(exc).__name__})") from None

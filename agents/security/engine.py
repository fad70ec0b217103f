"""Our rules (``agents/security/rules``) on the Semgrep CE engine, offline.

The engine is ``semgrep-core`` from the ``semgrep`` wheel (LGPL-2.1), started as
``osemgrep``: the OCaml command line, without the Python one (whose start-up costs a
second and which may look for a newer version over the network). It gets our rules
only, ``--metrics=off``, no registry, no login token, and a private settings file; a
test runs it under ``strace`` to show it opens no socket.

Each call scans many files at once (one PR's, or a whole release's): the engine starts
in about 50 ms and parses each rule file once per run, so a release is one run, not one
per PR. Files are written to a private temporary directory under a short name that
keeps the extension (how the engine picks the language); results are mapped back.

Rule files may name a shared list of taint sources instead of spelling it out
(``pattern-sources: python-web``); ``compose_rules`` substitutes the lists from
``rules/sources.yaml``, so every rule of a language agrees on what request data is.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path, PurePosixPath
from typing import Any

from agents.security.scratch import scratch_dir
from governance.configfile import safe_load

__all__ = [
    "RULES",
    "EngineHit",
    "EngineResult",
    "EngineTarget",
    "compose_rules",
    "engine_binary",
    "engine_command",
    "engine_env",
    "run_engine",
    "taint_rules",
]

RULES = Path(__file__).resolve().parent / "rules"
_SOURCES = "sources.yaml"
_TIMEOUT_S = 120  # the whole run; per file and rule the engine stops at --timeout
# Environment the engine must not see: a login token would turn on registry features.
_DROPPED = ("SEMGREP_APP_TOKEN", "SEMGREP_RULES", "SEMGREP_REPO_URL", "SEMGREP_APP_URL")


@dataclass(frozen=True)
class EngineTarget:
    """One file to scan: its text and the file lines the change added."""

    key: str  # unique per run, e.g. "12/src/app.py" (PR 12's file)
    path: str  # the repository path, for the language and for findings
    text: str
    changed: frozenset[int]


@dataclass(frozen=True)
class EngineHit:
    key: str
    rule_id: str
    line: int
    end_line: int
    message: str
    severity: str  # the engine's: ERROR, WARNING, INFO
    metadata: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass
class EngineResult:
    hits: list[EngineHit] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # key -> why (partly) unscanned
    unavailable: str | None = None  # why the engine did not run at all


def engine_binary() -> Path | None:
    """``semgrep-core`` inside the installed ``semgrep`` package (not imported: slow)."""
    spec = find_spec("semgrep")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "bin" / "semgrep-core"
        if binary.is_file() and os.access(binary, os.X_OK):
            return binary
    return None


def engine_env(settings_dir: Path) -> dict[str, str]:
    """The environment the engine runs in: no metrics, no version check, no token."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.update({"SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0",
                "SEMGREP_SETTINGS_FILE": str(settings_dir / "settings.yml"),
                "SEMGREP_VERSION_CACHE_PATH": str(settings_dir / "version"),
                "NO_COLOR": "1"})
    return env


def engine_command(*args: str) -> list[str]:
    """argv for osemgrep (``semgrep-core`` started under that name)."""
    return ["osemgrep", *args]


# -- rules -----------------------------------------------------------------------------------


def _rule_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.yaml")):
        if path.name != _SOURCES:
            yield path


def _substitute(rule: dict[str, Any], sources: Mapping[str, Any], where: Path) -> dict[str, Any]:
    named = rule.get("pattern-sources")
    if isinstance(named, str):
        if named not in sources:
            raise ValueError(f"{where}: rule {rule.get('id')} names unknown sources {named!r}")
        rule = {**rule, "pattern-sources": sources[named]}
    return rule


def compose_rules(root: Path = RULES) -> dict[Path, str]:
    """Every rule file (relative path -> engine-ready YAML text) with sources filled in."""
    return dict(_composed(str(root)))


@lru_cache(maxsize=4)
def _composed(root_text: str) -> tuple[tuple[Path, str], ...]:
    root = Path(root_text)
    sources = safe_load((root / _SOURCES).read_text(encoding="utf-8")) or {}
    out = []
    for path in _rule_files(root):
        data = safe_load(path.read_text(encoding="utf-8")) or {}
        rules = [_substitute(r, sources, path) for r in data.get("rules") or []]
        out.append((path.relative_to(root), json.dumps({"rules": rules})))
    return tuple(out)


@lru_cache(maxsize=4)
def taint_rules(root: Path = RULES) -> frozenset[str]:
    """Ids of the taint rules (a source-to-sink flow, not a pattern on one call)."""
    return frozenset(rule["id"] for text in compose_rules(root).values()
                     for rule in json.loads(text)["rules"] if rule.get("mode") == "taint")


def write_rules(folder: Path, root: Path = RULES) -> Path:
    for relative, text in compose_rules(root).items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


# -- running ---------------------------------------------------------------------------------


def _target_name(index: int, path: str) -> str:
    """A flat, unique name that keeps what the engine picks the language from."""
    pure = PurePosixPath(path)
    if pure.name == "Dockerfile":
        return f"{index}.dockerfile"
    return f"{index}{pure.suffix}"


def _write_targets(folder: Path, targets: Sequence[EngineTarget]) -> dict[str, EngineTarget]:
    # One flat folder: a directory per file costs more than the files (a release has
    # thousands).
    by_file: dict[str, EngineTarget] = {}
    for index, target in enumerate(targets):
        relative = _target_name(index, target.path)
        (folder / relative).write_text(target.text, encoding="utf-8")
        by_file[relative] = target
    return by_file


def _relative(path: str, folder: str) -> str:
    return path[len(folder) + 1:] if path.startswith(folder + "/") else path


def _hits(report: Mapping[str, Any], files: str, by_file: Mapping[str, EngineTarget]
          ) -> Iterator[EngineHit]:
    for raw in report.get("results") or []:
        target = by_file.get(_relative(str(raw.get("path", "")), files))
        if target is None:
            continue
        extra = raw.get("extra") or {}
        yield EngineHit(key=target.key, rule_id=str(raw.get("check_id", "")).rsplit(".", 1)[-1],
                        line=int(raw["start"]["line"]), end_line=int(raw["end"]["line"]),
                        message=str(extra.get("message", "")),
                        severity=str(extra.get("severity", "WARNING")),
                        metadata=extra.get("metadata") or {})


def _errors(report: Mapping[str, Any], files: str, by_file: Mapping[str, EngineTarget]
            ) -> dict[str, str]:
    errors: dict[str, str] = {}
    for raw in report.get("errors") or []:
        target = by_file.get(_relative(str(raw.get("path", "")), files))
        if target is not None and str(raw.get("level", "")) == "error":
            errors.setdefault(target.key, str(raw.get("type", "engine error")))
    return errors


def run_engine(targets: Sequence[EngineTarget], rules: Path = RULES, *,
               jobs: int = 1) -> EngineResult:
    """Every rule hit in ``targets`` (all lines: the caller keeps the changed ones)."""
    if not targets:
        return EngineResult()
    binary = engine_binary()
    if binary is None:
        return EngineResult(unavailable="the semgrep package (its semgrep-core) is not installed")
    with scratch_dir("rra-engine-") as tmp:
        base = Path(tmp)
        config = write_rules(base / "rules", rules)
        files = base / "files"
        files.mkdir()
        by_file = _write_targets(files, targets)
        argv = engine_command("scan", "--experimental", "--config", str(config), "--json",
                              "--metrics=off", "--disable-version-check", "--quiet",
                              "--no-git-ignore", "--timeout", "10", "--jobs", str(jobs),
                              "--max-target-bytes", "2000000", str(files))
        try:
            done = subprocess.run(argv, executable=str(binary), capture_output=True,
                                  cwd=tmp, env=engine_env(base), timeout=_TIMEOUT_S,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return EngineResult(unavailable=f"the engine did not finish ({type(exc).__name__})")
        try:
            report = json.loads(done.stdout)
        except ValueError:
            first = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
            return EngineResult(unavailable=f"the engine failed (exit {done.returncode}: "
                                            f"{first[:160]})")
        return EngineResult(hits=list(_hits(report, str(files), by_file)),
                            errors=_errors(report, str(files), by_file))

"""environment-drift: keys whose values differ between environments beyond an allow-list.

Each environment's files are read from the release's post-change content when a PR
touched them, else from the local clone (``repo_path``). Nested mappings flatten to
dotted keys; lists compare whole. Only key names are reported: values may be secrets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from agents.base import Outcome
from agents.iac.hcl import HclError, parse_expression
from agents.models import Confidence, Evidence, Finding, Severity
from agents.platform.changes import IacFile
from agents.platform.environments import EnvironmentGroup, Environments
from agents.platform.evidence import Links
from agents.platform.findings import ENVIRONMENT_DRIFT, Findings
from connectors.provenance import Gap

__all__ = ["DriftContext", "environment_drift", "flatten"]

_LISTED = 12


@dataclass(frozen=True)
class DriftContext:
    findings: Findings
    links: Links
    repo_path: Path | None
    touched: Sequence[IacFile]  # every IaC file the release changes
    max_bytes: int


@dataclass
class _Source:
    path: str
    text: str
    evidence: Evidence
    touched: bool
    stale: bool = False  # a touched file read from the clone (may predate the PR)


@dataclass
class _EnvConfig:
    values: dict[str, Any] = field(default_factory=dict)
    sources: list[_Source] = field(default_factory=list)


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(node, Mapping) and (node or not prefix):
        flat: dict[str, Any] = {}
        for key, value in node.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: node}


def _parse(path: str, text: str, fmt: str | None) -> dict[str, Any]:
    """A file's keys; raises ValueError with a one-line reason."""
    kind = fmt or ("tfvars" if path.endswith(".tfvars") else "yaml")
    if kind == "tfvars":
        try:
            parsed = parse_expression("{\n" + text + "\n}")  # attributes as one object
        except HclError as exc:
            raise ValueError(f"not HCL ({exc})") from None
    else:
        try:
            parsed = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"not YAML ({type(exc).__name__})") from None
    if parsed is None:
        return {}
    if not isinstance(parsed, Mapping):
        raise ValueError("the top level is not a mapping")
    return flatten(parsed)


def _clone_paths(repo: Path, pattern: str) -> list[str]:
    base = repo.resolve()
    found = []
    for path in base.glob(pattern):
        if path.is_file() and path.resolve().is_relative_to(base):
            found.append(path.relative_to(base).as_posix())
    return found


def _touched_file(ctx: DriftContext, path: str) -> IacFile | None:
    latest = None
    for file in ctx.touched:  # PR order: the last PR to touch it wins
        if file.path == path:
            latest = file
    return latest


def _paths(ctx: DriftContext, patterns: Sequence[str]) -> list[str]:
    paths = {f.path for f in ctx.touched if any(fnmatchcase(f.path, p) for p in patterns)}
    if ctx.repo_path is not None:
        paths.update(p for pattern in patterns for p in _clone_paths(ctx.repo_path, pattern))
    return sorted(paths)


def _read_clone(ctx: DriftContext, path: str) -> str | None:
    if ctx.repo_path is None:
        return None
    target = ctx.repo_path / path
    try:
        if target.stat().st_size > ctx.max_bytes:
            return None
        return target.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _source(ctx: DriftContext, path: str) -> _Source | None:
    file = _touched_file(ctx, path)
    if file is not None and file.removed_file:
        return None
    if file is not None and file.post.text is not None:
        return _Source(path, file.post.text, ctx.links.file(file.pr, path), True)
    text = _read_clone(ctx, path)
    if text is None:
        return None
    evidence = (
        ctx.links.file(file.pr, path)
        if file is not None
        else ctx.links.config(path, "read from the local clone")
    )
    return _Source(path, text, evidence, file is not None, stale=file is not None)


def _load_env(
    ctx: DriftContext, group: EnvironmentGroup, env: str, out: Outcome
) -> _EnvConfig | None:
    config = _EnvConfig()
    for path in _paths(ctx, group.environments[env]):
        source = _source(ctx, path)
        if source is None:
            continue
        try:
            config.values.update(_parse(path, source.text, group.format))
        except ValueError as exc:
            what = "Terraform variables (HCL)" if path.endswith(".tfvars") else "YAML"
            out.findings.append(ctx.findings.unreadable(path, what, str(exc), [source.evidence]))
            return None
        config.sources.append(source)
    if not config.sources:
        out.gaps.append(
            Gap(
                source="repository",
                what=f"environment drift ({group.name}, {env})",
                why="no file of this environment could be read: "
                + ", ".join(group.environments[env]),
            )
        )
        return None
    return config


def _allowed(key: str, allow: Sequence[str]) -> bool:
    last = key.rsplit(".", 1)[-1]
    return any(fnmatchcase(key, p) or fnmatchcase(last, p) for p in allow)


def _differences(
    ref: dict[str, Any], other: dict[str, Any], allow: Sequence[str]
) -> dict[str, list[str]]:
    keys = sorted(
        (ref.keys() | other.keys()) - {k for k in ref.keys() | other.keys() if _allowed(k, allow)}
    )
    return {
        "differ": [k for k in keys if k in ref and k in other and ref[k] != other[k]],
        "missing": [k for k in keys if k in ref and k not in other],
        "extra": [k for k in keys if k not in ref and k in other],
    }


def _describe(diff: dict[str, list[str]], ref: str, env: str) -> str:
    parts = []
    labels = {"differ": "differ", "missing": f"only in {ref}", "extra": f"only in {env}"}
    for kind, keys in diff.items():
        if keys:
            shown = ", ".join(keys[:_LISTED]) + (
                f" (+{len(keys) - _LISTED})" if len(keys) > _LISTED else ""
            )
            parts.append(f"{labels[kind]}: {shown}")
    return "; ".join(parts)


def _drift_finding(
    group: EnvironmentGroup,
    ref: str,
    env: str,
    configs: dict[str, _EnvConfig],
    diff: dict[str, list[str]],
    ctx: DriftContext,
) -> Finding:
    sources = [*configs[ref].sources, *configs[env].sources]
    touched = any(s.touched for s in sources)
    count = sum(len(v) for v in diff.values())
    stale = any(s.stale for s in sources)
    return ctx.findings.new(
        ENVIRONMENT_DRIFT,
        (group.name, ref, env),
        severity=Severity.MEDIUM if touched else Severity.LOW,
        confidence=Confidence.MEDIUM if stale else Confidence.HIGH,
        title=f"{count} {group.name} key(s) differ between {ref} and {env}",
        explanation=(
            f"Beyond the allowed differences, {_describe(diff, ref, env)}. "
            + (
                "This release changes these files. "
                if touched
                else "The release does not change these files: the drift predates it. "
            )
            + (
                "A touched file was read from the clone, which may predate the PR. "
                if stale
                else ""
            )
            + "Values are not shown: they may be secrets."
        ),
        evidence=[s.evidence for s in sources],
        recommendation=(
            f"Make {env} match {ref} (what is tested in one environment is what "
            "runs in the other), or add the key to the group's allow list in "
            "config/environments.yaml if the difference is intended."
        ),
    )


def _group_drift(group: EnvironmentGroup, ctx: DriftContext, out: Outcome) -> None:
    patterns = [p for paths in group.environments.values() for p in paths]
    if ctx.repo_path is None and not _paths(ctx, patterns):
        out.gaps.append(
            Gap(
                source="repository",
                what=f"environment drift ({group.name})",
                why="no local clone (repo_path) and no PR changes its files",
            )
        )
        return
    configs: dict[str, _EnvConfig] = {}
    for env in group.environments:
        if (config := _load_env(ctx, group, env, out)) is not None:
            configs[env] = config
    ref = group.baseline
    if ref not in configs:
        return
    for env in configs:
        if env == ref:
            continue
        diff = _differences(configs[ref].values, configs[env].values, group.allow)
        out.counts["environment_pairs_compared"] += 1
        if any(diff.values()):
            out.findings.append(_drift_finding(group, ref, env, configs, diff, ctx))


def environment_drift(environments: Environments, ctx: DriftContext) -> Outcome:
    out = Outcome()
    for group in environments.groups:
        _group_drift(group, ctx, out)
    return out

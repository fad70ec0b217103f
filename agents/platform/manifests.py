"""Workload findings for the Kubernetes manifests and Helm values a release changes.

With a file's post-change text, every workload in it is checked (``workloads``); an issue
on a line the PR adds is the PR's doing (high confidence), one elsewhere in the file
was there before (medium). Without the text only the added lines can be read: images
and ``privileged: true`` are still checked, limits and probes are not, and a gap says so.
Replica cuts come from the hunks for every IaC file (``replicas``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from agents.base import Outcome
from agents.models import Confidence, Finding, Severity
from agents.platform.changes import IacFile
from agents.platform.evidence import Links
from agents.platform.findings import (
    CAPACITY_REDUCED,
    MISSING_HEALTH_PROBE,
    MISSING_RESOURCE_LIMITS,
    PRIVILEGED_CONTAINER,
    UNPINNED_IMAGE,
    Findings,
)
from agents.platform.policy import ManifestsPolicy
from agents.platform.replicas import replica_cuts
from agents.platform.workloads import (
    Issue,
    image_problem,
    is_manifest,
    manifest_issues,
    values_issues,
)
from connectors.provenance import Gap

__all__ = ["ManifestContext", "manifest_findings"]

ADVICE = {
    MISSING_RESOURCE_LIMITS: (
        "Set resources.limits (at least memory) and requests on every container, sized from "
        "observed usage plus headroom, so one pod cannot starve its node."
    ),
    MISSING_HEALTH_PROBE: (
        "Add a readinessProbe so the rollout sends traffic only to ready pods and halts a bad "
        "version (with progressDeadlineSeconds), and a livenessProbe that checks the process "
        "itself, not its dependencies."
    ),
    PRIVILEGED_CONTAINER: (
        "Drop privileged: add only the capabilities needed (securityContext.capabilities), run "
        "as non-root, and enforce Pod Security Admission (baseline or restricted)."
    ),
    UNPINNED_IMAGE: (
        "Pin the image to an immutable tag or a digest (image@sha256:…), so every node runs "
        "the same bits and a rollback redeploys exactly the previous version."
    ),
    CAPACITY_REDUCED: (
        "Confirm the lower count still carries the last peak with headroom, and keep a "
        "PodDisruptionBudget; with one replica every rollout or node drain is an outage, so "
        "keep at least two for anything serving traffic."
    ),
}
_MANIFEST_HINT = re.compile(r"^(apiVersion|kind)\s*:", re.MULTILINE)
_IMAGE_LINE = re.compile(r"^\s*-?\s*image\s*:\s*[\"']?([^\s\"'#]+)")
_PRIVILEGED_LINE = re.compile(r"^\s*privileged\s*:\s*true\b", re.IGNORECASE)
_WORKLOAD_LINE = re.compile(r"^\s*-?\s*(apiVersion|kind|containers|image)\s*:")


@dataclass(frozen=True)
class ManifestContext:
    findings: Findings
    links: Links
    policy: ManifestsPolicy


def _locate(text: str, needle: str | None) -> int | None:
    if not needle:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _issue_finding(
    file: IacFile,
    issue: Issue,
    line: int | None,
    introduced: bool,
    ctx: ManifestContext,
    note: str = "",
) -> Finding:
    origin = "This PR adds it." if introduced else "It predates this PR, in a file the PR changes."
    return ctx.findings.new(
        issue.kind,
        (file.pr.number, file.path, issue.kind, issue.subject),
        severity=issue.severity,
        confidence=Confidence.HIGH if introduced else Confidence.MEDIUM,
        title=f"{issue.subject}: {issue.message} ({file.path})",
        explanation=f"In {file.path}, {issue.subject} {issue.message}. {origin}{note}",
        evidence=[ctx.links.file(file.pr, file.path, line), ctx.links.pr(file.pr)],
        recommendation=ADVICE[issue.kind],
    )


def _documents(text: str) -> list[Any] | None:
    """The YAML documents; None when the text is not YAML."""
    try:
        return list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return None


def _parsed_issues(file: IacFile, docs: Sequence[Any], policy: ManifestsPolicy) -> list[Issue]:
    if file.kind == "values":
        return [i for doc in docs for i in values_issues(doc, policy)]
    return [i for doc in docs if is_manifest(doc) for i in manifest_issues(doc, policy)]


def _from_text(file: IacFile, text: str, ctx: ManifestContext, out: Outcome) -> None:
    if "{{" in text and file.kind == "yaml":
        out.counts["templates_skipped"] += 1  # Helm/Go templates are not YAML until rendered
        return
    docs = _documents(text)
    if docs is None:
        if file.kind == "values" or _MANIFEST_HINT.search(text):
            what = "Helm values (YAML)" if file.kind == "values" else "a Kubernetes manifest"
            error = _yaml_error(text)
            evidence = [ctx.links.file(file.pr, file.path), ctx.links.pr(file.pr)]
            out.findings.append(ctx.findings.unreadable(file.path, what, error, evidence))
        return
    out.counts["manifests_checked" if file.kind == "yaml" else "values_checked"] += 1
    added = file.diff.added_numbers
    for issue in _parsed_issues(file, docs, ctx.policy):
        line = _locate(text, issue.needle)
        introduced = file.diff.status == "added" or (line is not None and line in added)
        out.findings.append(_issue_finding(file, issue, line, introduced, ctx))


def _yaml_error(text: str) -> str:
    try:
        list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return f"{type(exc).__name__}{where}"
    return "unknown YAML error"


def _line_issues(file: IacFile) -> Iterator[tuple[Issue, int]]:
    for line in file.diff.added:
        if (match := _IMAGE_LINE.match(line.text)) and (problem := image_problem(match.group(1))):
            yield (
                Issue(
                    UNPINNED_IMAGE,
                    "an added line",
                    f"image {match.group(1)} has {problem}",
                    Severity.MEDIUM,
                ),
                line.number,
            )
        if _PRIVILEGED_LINE.match(line.text):
            yield (
                Issue(
                    PRIVILEGED_CONTAINER, "an added line", "sets privileged: true", Severity.HIGH
                ),
                line.number,
            )


def _from_lines(file: IacFile, ctx: ManifestContext, out: Outcome) -> None:
    note = (
        f" Read from the diff lines only: {file.post.why or 'post-change content not available'}."
    )
    for issue, line in _line_issues(file):
        finding = _issue_finding(file, issue, line, True, ctx, note)
        out.findings.append(finding.model_copy(update={"confidence": Confidence.MEDIUM}))
    out.counts["files_read_from_diff_only"] += 1


def _capacity(file: IacFile, ctx: ManifestContext) -> list[Finding]:
    found = []
    for cut in replica_cuts(file.diff, ctx.policy.replica_keys):
        single = cut.after <= 1
        found.append(
            ctx.findings.new(
                CAPACITY_REDUCED,
                (file.pr.number, file.path, cut.key, cut.line),
                severity=Severity.HIGH if single else Severity.MEDIUM,
                confidence=Confidence.HIGH,
                title=f"{cut.key} lowered from {cut.before} to {cut.after} ({file.path})",
                explanation=(
                    f"{file.path} lowers {cut.key} from {cut.before} to {cut.after}"
                    + (
                        ": no redundancy is left, so a crash, rollout or node drain "
                        "takes the workload down."
                        if single
                        else f", {round(100 * (cut.before - cut.after) / cut.before)} % less "
                        "capacity."
                    )
                ),
                evidence=[
                    ctx.links.file(
                        file.pr, file.path, cut.line, f"{cut.key}: {cut.before} -> {cut.after}"
                    ),
                    ctx.links.pr(file.pr),
                ],
                recommendation=ADVICE[CAPACITY_REDUCED],
            )
        )
    return found


def _looks_like_workload(file: IacFile) -> bool:
    """Without the file, its hunks decide: a values file, or lines a manifest would have."""
    return file.kind == "values" or any(
        _WORKLOAD_LINE.match(line.text) for hunk in file.diff.hunks for line in hunk.lines
    )


def manifest_findings(files: Sequence[IacFile], ctx: ManifestContext) -> Outcome:
    out = Outcome()
    partial: list[str] = []
    for file in files:
        out.findings.extend(_capacity(file, ctx))
        if file.kind not in ("yaml", "values") or file.removed_file:
            continue
        if file.path.startswith(".github/"):
            continue  # CI workflows, not workloads
        if file.post.text is not None:
            _from_text(file, file.post.text, ctx, out)
        elif _looks_like_workload(file):
            _from_lines(file, ctx, out)
            partial.append(file.path)
    if partial:
        out.gaps.append(
            Gap(
                source="repository",
                what=f"limits and probes of {len(partial)} YAML file(s)",
                why=(
                    "no post-change content (pass a clone at the release head as repo_path): "
                    + ", ".join(partial[:5])
                    + (" …" if len(partial) > 5 else "")
                ),
            )
        )
    return out

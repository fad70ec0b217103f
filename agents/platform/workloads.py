"""Checks on parsed Kubernetes manifests and Helm values: pure functions over YAML data.

Manifests are checked per container of each workload's pod template: ``resources.limits``,
``readinessProbe``/``livenessProbe`` (long-running kinds only), ``privileged: true`` and
image tags. Helm values have no fixed shape, so they are walked for the common spellings
(``image.repository``/``image.tag``, ``resources``, ``privileged``); probes usually live
in the chart's templates and are not checked there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agents.models import Severity
from agents.platform.findings import (
    MISSING_HEALTH_PROBE,
    MISSING_RESOURCE_LIMITS,
    PRIVILEGED_CONTAINER,
    UNPINNED_IMAGE,
)
from agents.platform.policy import ManifestsPolicy

__all__ = ["Issue", "image_problem", "is_manifest", "manifest_issues", "values_issues"]

_POD_TEMPLATE = ("spec", "template", "spec")
_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "pod": ("spec",), "deployment": _POD_TEMPLATE, "statefulset": _POD_TEMPLATE,
    "daemonset": _POD_TEMPLATE, "replicaset": _POD_TEMPLATE, "job": _POD_TEMPLATE,
    "replicationcontroller": _POD_TEMPLATE,
    "cronjob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


@dataclass(frozen=True)
class Issue:
    kind: str  # finding type
    subject: str  # "Deployment/api container web", or a values path
    message: str
    severity: Severity
    needle: str | None = None  # text that locates the line in the file


def is_manifest(doc: object) -> bool:
    return isinstance(doc, Mapping) and "apiVersion" in doc and "kind" in doc


def image_problem(image: str) -> str | None:
    """'latest' or 'no tag' for a floating image reference; None when pinned."""
    if "@" in image:
        return None  # a digest pins the image whatever the tag says
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "no tag"
    return "latest" if last.rsplit(":", 1)[1].lower() == "latest" else None


def _get(doc: Mapping[str, Any], path: Sequence[str]) -> Any:
    node: Any = doc
    for step in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(step)
    return node


def _workloads(doc: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(kind, name, pod spec) for a workload, or each item of a ``List``."""
    kind = str(doc.get("kind", ""))
    if kind.lower() == "list":
        for item in doc.get("items") or []:
            if isinstance(item, Mapping):
                yield from _workloads(item)
        return
    path = _SPEC_PATHS.get(kind.lower())
    spec = _get(doc, path) if path else None
    if isinstance(spec, Mapping):
        yield kind, str(_get(doc, ("metadata", "name")) or "?"), spec


def _containers(spec: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], bool]]:
    for key, init in (("containers", False), ("initContainers", True)):
        for container in spec.get(key) or []:
            if isinstance(container, Mapping):
                yield container, init


def _limits_missing(container: Mapping[str, Any], required: Sequence[str]) -> str | None:
    limits = _get(container, ("resources", "limits"))
    if not isinstance(limits, Mapping) or not limits:
        return "has no resources.limits"
    absent = [name for name in required if name not in limits]
    return f"has no {', '.join(absent)} limit" if absent else None


def _container_issues(kind: str, workload: str, container: Mapping[str, Any], init: bool,
                      policy: ManifestsPolicy) -> Iterator[Issue]:
    name = str(container.get("name", "?"))
    subject = f"{kind}/{workload} {'init container' if init else 'container'} {name}"
    needle = f"name: {name}"
    if (missing := _limits_missing(container, policy.required_limits)) is not None:
        yield Issue(MISSING_RESOURCE_LIMITS, subject, missing, Severity.MEDIUM, needle)
    if not init and kind.lower() in policy.probe_kinds:
        absent = [p for p in policy.probes if not isinstance(container.get(p), Mapping)]
        if absent:
            yield Issue(MISSING_HEALTH_PROBE, subject, f"has no {', '.join(absent)}",
                        Severity.HIGH if "readinessProbe" in absent else Severity.MEDIUM, needle)
    if _get(container, ("securityContext", "privileged")) is True:
        yield Issue(PRIVILEGED_CONTAINER, subject, "runs privileged (securityContext)",
                    Severity.HIGH, "privileged: true")
    image = container.get("image")
    if isinstance(image, str) and (problem := image_problem(image)):
        yield Issue(UNPINNED_IMAGE, subject, f"image {image} has {problem}",
                    Severity.MEDIUM, image)


def manifest_issues(doc: Mapping[str, Any], policy: ManifestsPolicy) -> list[Issue]:
    found: list[Issue] = []
    for kind, workload, spec in _workloads(doc):
        for container, init in _containers(spec):
            found.extend(_container_issues(kind, workload, container, init, policy))
    return found


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(dotted path, key, value) at every depth of mappings and lists."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            yield here, str(key), value
            yield from _walk(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}[{i}]")


def _values_image(path: str, key: str, value: Any) -> Issue | None:
    if key != "image":
        return None
    if isinstance(value, str) and (problem := image_problem(value)):
        return Issue(UNPINNED_IMAGE, path, f"image {value} has {problem}", Severity.MEDIUM, value)
    tag = value.get("tag") if isinstance(value, Mapping) else None
    if isinstance(tag, str) and tag.lower() == "latest" and "digest" not in value:
        return Issue(UNPINNED_IMAGE, path, "image tag is latest", Severity.MEDIUM, "latest")
    return None


def values_issues(doc: Any, policy: ManifestsPolicy) -> list[Issue]:
    found: list[Issue] = []
    for path, key, value in _walk(doc):
        if (issue := _values_image(path, key, value)) is not None:
            found.append(issue)
        elif key == "privileged" and value is True:
            found.append(Issue(PRIVILEGED_CONTAINER, path, "privileged: true", Severity.HIGH,
                               "privileged: true"))
        elif key == "resources" and isinstance(value, Mapping) and (
                missing := _limits_missing({"resources": value}, policy.required_limits)):
            found.append(Issue(MISSING_RESOURCE_LIMITS, path, missing, Severity.MEDIUM,
                               "resources:"))
    return found

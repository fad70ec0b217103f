"""Resources from ``terraform show -json`` output, in the shape the rules expect.

``planned_values`` holds each resource's ``values`` (nested blocks as lists of dicts,
like parsed HCL); ``resource_changes`` holds ``before``/``after`` for the change rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from agents.iac.resources import Mode, TerraformResource

__all__ = ["PlannedChange", "plan_changes", "plan_resources"]


def _modules(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield module
    for child in module.get("child_modules") or []:
        yield from _modules(child)


def _mode(raw: object) -> Mode:
    return "data" if raw == "data" else "managed"


def plan_resources(plan: Mapping[str, Any]) -> list[TerraformResource]:
    root = (plan.get("planned_values") or {}).get("root_module") or {}
    return [
        TerraformResource(mode=_mode(item.get("mode")), type=str(item.get("type", "")),
                          name=str(item.get("name", "")),
                          attributes=item.get("values") or {},
                          path=str(item.get("address", "")) or None)
        for module in _modules(root)
        for item in module.get("resources") or []
    ]


@dataclass(frozen=True)
class PlannedChange:
    address: str
    type: str
    actions: tuple[str, ...]
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


def plan_changes(plan: Mapping[str, Any]) -> list[PlannedChange]:
    changes: list[PlannedChange] = []
    for item in plan.get("resource_changes") or []:
        change = item.get("change") or {}
        changes.append(PlannedChange(
            address=str(item.get("address", "")), type=str(item.get("type", "")),
            actions=tuple(change.get("actions") or ()),
            before=change.get("before"), after=change.get("after")))
    return changes

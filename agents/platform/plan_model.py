"""``terraform show -json <planfile>`` output (JSON format 1.x), read defensively.

Fields (developer.hashicorp.com/terraform/internals/json-format): ``resource_changes[]``
with ``address``, ``mode``, ``type``, ``name``, ``provider_name``, ``deposed``,
``action_reason`` and ``change`` (``actions``, ``before``, ``after``, ``after_unknown``,
``before_sensitive``, ``replace_paths``); ``resource_drift[]`` in the same shape;
``errored`` and ``complete``. A major version other than 1 is refused, as the format
asks; unknown keys are ignored. The configuration part never records ``lifecycle``
(``prevent_destroy``), so that can only be read from the ``.tf`` diff.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["Action", "Plan", "PlanError", "ResourceChange", "action_of", "load_plan"]

Action = Literal["no-op", "create", "read", "update", "delete", "replace",
                 "create-before-destroy", "forget", "replace-forget", "unknown"]

_ACTIONS: dict[tuple[str, ...], Action] = {
    ("no-op",): "no-op", ("create",): "create", ("read",): "read", ("update",): "update",
    ("delete",): "delete", ("delete", "create"): "replace",
    ("create", "delete"): "create-before-destroy", ("forget",): "forget",
    ("create", "forget"): "replace-forget",
}
DESTRUCTIVE: frozenset[Action] = frozenset({"delete", "replace", "create-before-destroy"})


class PlanError(ValueError):
    """Not a readable plan; the message is one line and holds no plan values."""


def action_of(actions: tuple[str, ...]) -> Action:
    known = _ACTIONS.get(actions)
    if known is not None:
        return known
    # Future combinations: anything that deletes is treated as a delete, as the docs advise.
    return "delete" if "delete" in actions else "unknown"


@dataclass(frozen=True)
class ResourceChange:
    address: str
    mode: str
    type: str
    name: str
    provider_name: str
    actions: tuple[str, ...]
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    after_unknown: Mapping[str, Any] = field(default_factory=dict)
    before_sensitive: Any = None
    replace_paths: tuple[str, ...] = ()
    action_reason: str | None = None
    deposed: str | None = None
    module_address: str | None = None

    @property
    def action(self) -> Action:
        return action_of(self.actions)

    @property
    def managed(self) -> bool:
        return self.mode != "data"


@dataclass(frozen=True)
class Plan:
    path: Path
    format_version: str
    terraform_version: str | None
    changes: tuple[ResourceChange, ...]
    drift: tuple[ResourceChange, ...]
    errored: bool = False
    complete: bool = True


def _mapping(value: object) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _path_text(steps: object) -> str:
    if not isinstance(steps, list):
        return str(steps)
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _change(item: object, where: str) -> ResourceChange:
    if not isinstance(item, Mapping):
        raise PlanError(f"{where} is not an object")
    change = item.get("change")
    if not isinstance(change, Mapping):
        raise PlanError(f"{where} has no change object")
    actions = change.get("actions")
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise PlanError(f"{where}.change.actions is not a list of strings")
    address = item.get("address")
    if not isinstance(address, str) or not address:
        raise PlanError(f"{where} has no address")
    replace = change.get("replace_paths")
    return ResourceChange(
        address=address, mode=str(item.get("mode", "managed")), type=str(item.get("type", "")),
        name=str(item.get("name", "")), provider_name=str(item.get("provider_name", "")),
        actions=tuple(actions), before=_mapping(change.get("before")),
        after=_mapping(change.get("after")),
        after_unknown=_mapping(change.get("after_unknown")) or {},
        before_sensitive=change.get("before_sensitive"),
        replace_paths=tuple(_path_text(p) for p in replace) if isinstance(replace, list) else (),
        action_reason=item.get("action_reason") if isinstance(item.get("action_reason"),
                                                              str) else None,
        deposed=item.get("deposed") if isinstance(item.get("deposed"), str) else None,
        module_address=(item.get("module_address")
                        if isinstance(item.get("module_address"), str) else None))


def _changes(doc: Mapping[str, Any], key: str) -> tuple[ResourceChange, ...]:
    items = doc.get(key)
    if items is None:
        return ()
    if not isinstance(items, list):
        raise PlanError(f"{key} is not a list")
    return tuple(_change(item, f"{key}[{i}]") for i, item in enumerate(items))


def _check_version(doc: Mapping[str, Any]) -> str:
    version = doc.get("format_version")
    if not isinstance(version, str) or not version:
        raise PlanError("no format_version: not terraform show -json output")
    if version.split(".", 1)[0] != "1":
        raise PlanError(f"unsupported format_version {version} (this advisor reads 1.x)")
    if "values" in doc and not ({"planned_values", "resource_changes"} & doc.keys()):
        raise PlanError("this is a state, not a plan (terraform show -json <planfile>)")
    return version


def load_plan(path: Path) -> Plan:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError("file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"cannot read the file ({type(exc).__name__})") from None
    except json.JSONDecodeError as exc:
        raise PlanError(f"not JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(doc, Mapping):
        raise PlanError("the JSON is not an object")
    version = _check_version(doc)
    terraform = doc.get("terraform_version")
    return Plan(path=path, format_version=version,
                terraform_version=terraform if isinstance(terraform, str) else None,
                changes=_changes(doc, "resource_changes"), drift=_changes(doc, "resource_drift"),
                errored=doc.get("errored") is True, complete=doc.get("complete") is not False)

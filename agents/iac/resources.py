"""One Terraform resource, however it was read: HCL source or a plan's JSON values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Mode = Literal["managed", "data", "provider"]


@dataclass(frozen=True)
class TerraformResource:
    """``attributes`` is a plain dict: nested blocks are lists of dicts, as in plan JSON."""

    mode: Mode
    type: str
    name: str
    attributes: Mapping[str, Any]
    path: str | None = None
    start_line: int | None = None  # None for plans: they have no source lines
    end_line: int | None = None
    lines: tuple[str, ...] = field(default=(), repr=False)  # the block's source, for locating

    @property
    def address(self) -> str:
        if self.mode == "provider":
            return f"provider.{self.type}" + (f".{self.name}" if self.name else "")
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"

    def covers(self, line: int) -> bool:
        return (self.start_line is not None and self.end_line is not None
                and self.start_line <= line <= self.end_line)

    def locate(self, attribute: str, needle: str | None = None) -> int | None:
        """Source line of ``attribute`` (its last dotted part), preferring one holding ``needle``.

        Approximate on purpose: the first assignment of that name inside the block.
        """
        if self.start_line is None:
            return None
        leaf = attribute.rsplit(".", 1)[-1].split("[", 1)[0]
        first: int | None = None
        for offset, text in enumerate(self.lines):
            stripped = text.lstrip()
            if not (stripped.startswith(leaf) and stripped[len(leaf):].lstrip()[:1] in ("=", "{")):
                continue
            if needle is None or needle in text:
                return self.start_line + offset
            first = first if first is not None else self.start_line + offset
        return first if first is not None else self.start_line

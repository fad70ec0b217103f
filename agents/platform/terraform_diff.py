"""What the ``.tf`` diffs of a release say, read from the hunks alone.

Each changed line is attributed to the top-level block around it: the nearest block
header above it in the hunk, else the block git named after ``@@`` (its "function
context"). Top-level blocks start at column 0 (``terraform fmt`` guarantees it).
From that come the resources a release touches, the ``resource`` blocks it removes,
and deletion protection it turns off (``deletion_protection``-style attributes and
``lifecycle { prevent_destroy }``, which plans never record).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from agents.platform.changes import DiffLine, IacFile

__all__ = ["Block", "ProtectionChange", "RemovedResource", "TerraformChanges",
           "read_terraform_changes"]

_RESOURCE = re.compile(r'^resource\s+"?([\w-]+)"?\s+"?([\w-]+)"?\s*\{')
_MODULE = re.compile(r'^module\s+"?([\w-]+)"?\s*\{')
_TOP_LEVEL = re.compile(r"^[A-Za-z_][\w-]*(?:\s+\"?[\w.-]*\"?)*\s*\{")
_HEADING = re.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@ ?(.*)$")
_MOVED_FROM = re.compile(r"^\s*from\s*=\s*(\S+)")
_ADDRESS_TAIL = re.compile(r"([\w-]+)\.([\w-]+)(?:\[[^\]]*\])?$")
PREVENT_DESTROY = "prevent_destroy"


@dataclass(frozen=True)
class Block:
    """A top-level block: ``resource`` (type, name), ``module`` (name) or another kind."""

    kind: str
    type: str = ""
    name: str = ""

    @property
    def address(self) -> str:
        if self.kind == "resource":
            return f"{self.type}.{self.name}"
        return f"module.{self.name}" if self.kind == "module" else self.kind


@dataclass(frozen=True)
class RemovedResource:
    file: IacFile
    block: Block
    old_line: int
    protected: bool  # its removed lines held prevent_destroy/deletion protection = true


@dataclass(frozen=True)
class ProtectionChange:
    file: IacFile
    key: str
    block: Block | None
    line: int
    removed_line: bool  # True: old-file number of a removed "= true"; False: added "= false"


@dataclass
class TerraformChanges:
    touched: set[tuple[str, str]] = field(default_factory=set)  # (type, name)
    modules: set[str] = field(default_factory=set)
    indirect: list[str] = field(default_factory=list)  # blocks that can change any resource
    removed: list[RemovedResource] = field(default_factory=list)
    protections: list[ProtectionChange] = field(default_factory=list)


def _block_of(text: str) -> Block | None:
    if match := _RESOURCE.match(text):
        return Block("resource", match.group(1), match.group(2))
    if match := _MODULE.match(text):
        return Block("module", name=match.group(1))
    if _TOP_LEVEL.match(text):
        return Block(text.split(None, 1)[0].rstrip("{"))
    return None


def _headings(file: IacFile) -> list[str]:
    patch = next((f.patch for f in file.pr.files if f.path == file.path), None) or ""
    return [m.group(1) for row in patch.split("\n") if (m := _HEADING.match(row))]


def _attributed(file: IacFile) -> Iterator[tuple[DiffLine, Block | None]]:
    """Every hunk line with the top-level block it belongs to (None: unknown)."""
    headings = _headings(file)
    for index, hunk in enumerate(file.diff.hunks):
        heading = headings[index] if len(headings) == len(file.diff.hunks) else ""
        current = _block_of(heading)
        for line in hunk.lines:
            block = _block_of(line.text)
            if block is not None:
                current = block
            yield line, current


@functools.lru_cache(maxsize=64)  # a few keys and values, asked for every diff line
def _flag(key: str, value: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(key)}\s*=\s*\"?{value}\"?\s*(?:#.*|//.*)?$")


def _moved_from(files: Iterable[IacFile]) -> set[tuple[str, str]]:
    """Old addresses the release moves (``moved``) or forgets (``removed`` with
    ``destroy = false``): those are not destroyed."""
    found: set[tuple[str, str]] = set()
    for file in files:
        forgets = any(_flag("destroy", "false").match(line.text) for line in file.diff.added)
        for line, block in _attributed(file):
            if line.kind != "+" or block is None:
                continue
            if block.kind != "moved" and not (block.kind == "removed" and forgets):
                continue
            if (match := _MOVED_FROM.match(line.text)) and (
                    tail := _ADDRESS_TAIL.search(match.group(1))):
                found.add((tail.group(1), tail.group(2)))
    return found


@dataclass
class _FileScan:
    removed_headers: dict[tuple[str, str], int] = field(default_factory=dict)
    protected: set[tuple[str, str]] = field(default_factory=set)
    set_true: set[tuple[str, Block | None]] = field(default_factory=set)
    dropped: list[tuple[str, Block | None, int]] = field(default_factory=list)


def _note_block(line: DiffLine, block: Block | None, file: IacFile,
                out: TerraformChanges) -> None:
    if block is None or block.kind not in ("resource", "module"):
        out.indirect.append(f"{file.path} ({block.kind if block else 'unknown block'})")
    elif block.kind == "resource":
        out.touched.add((block.type, block.name))
    else:
        out.modules.add(block.name)


def _note_flags(line: DiffLine, block: Block | None, keys: Sequence[str], file: IacFile,
                scan: _FileScan, out: TerraformChanges) -> None:
    for key in keys:
        if line.kind == "+" and _flag(key, "true").match(line.text):
            scan.set_true.add((key, block))
        elif line.kind == "+" and _flag(key, "false").match(line.text):
            out.protections.append(ProtectionChange(file, key, block, line.number, False))
        elif line.kind == "-" and _flag(key, "true").match(line.text):
            scan.dropped.append((key, block, line.number))
            if block is not None and block.kind == "resource":
                scan.protected.add((block.type, block.name))


def _scan_file(file: IacFile, keys: Sequence[str], out: TerraformChanges,
               added_headers: set[tuple[str, str]]) -> _FileScan:
    scan = _FileScan()
    for line, block in _attributed(file):
        if line.kind == " ":
            continue
        _note_block(line, block, file, out)
        if header := _RESOURCE.match(line.text):
            if line.kind == "-":
                scan.removed_headers.setdefault((header.group(1), header.group(2)), line.number)
            else:
                added_headers.add((header.group(1), header.group(2)))
        _note_flags(line, block, keys, file, scan, out)
    for key, block, number in scan.dropped:
        if (key, block) not in scan.set_true and not _false_added(out, file, key, block):
            out.protections.append(ProtectionChange(file, key, block, number, True))
    return scan


def _false_added(out: TerraformChanges, file: IacFile, key: str, block: Block | None) -> bool:
    return any(p.file is file and p.key == key and p.block == block and not p.removed_line
               for p in out.protections)


def read_terraform_changes(files: Sequence[IacFile],
                           protection_keys: Sequence[str]) -> TerraformChanges:
    """Touched resources, removed resource blocks and protection turned off, release-wide.

    A removed ``resource`` header is a removal only if no ``.tf`` file of the release
    adds the same header back (a move between files) and no added ``moved``/``removed``
    block names it as ``from``.
    """
    keys = (*protection_keys, PREVENT_DESTROY)
    out = TerraformChanges()
    terraform = [f for f in files if f.kind == "terraform"]
    added_headers: set[tuple[str, str]] = set()
    scans = [(file, _scan_file(file, keys, out, added_headers)) for file in terraform]
    kept = added_headers | _moved_from(terraform)
    for file, scan in scans:
        for (rtype, name), number in scan.removed_headers.items():
            if (rtype, name) not in kept:
                out.removed.append(RemovedResource(file, Block("resource", rtype, name), number,
                                                   (rtype, name) in scan.protected))
    # A removed block takes its protection lines with it: reported once, as the removal.
    gone = {(r.file.path, r.block) for r in out.removed}
    out.protections = [p for p in out.protections
                       if not (p.removed_line and (p.file.path, p.block) in gone)]
    return out

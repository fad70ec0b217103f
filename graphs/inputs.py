"""Raw review inputs (a pull request's diffs, file texts) kept beside the graph state.

The state is checkpointed, and in a fleet the checkpoints live in the shared database
long after the run. So a review's raw material never goes into it: it is written once
to a content-addressed file under ``ADVISOR_HOME/inputs`` (like a release's snapshot)
and the state names it by path and hash; a node that needs it reads it back and checks
the hash. The state keeps only what is redacted (the report) or small.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from connectors.limits import ReadLimits, loads_json, read_regular_file
from governance.canonical import canonical_json, sha256_hex


class ReviewInput(BaseModel):
    pull: dict[str, Any]
    contents: dict[str, str] = Field(default_factory=dict)


class InputRef(BaseModel):
    path: str
    content_hash: str


class InputChanged(RuntimeError):
    """The file a state names no longer holds what was hashed."""


def keep_input(home: Path, data: ReviewInput) -> InputRef:
    """Write the input once (atomically), named by the hash of its canonical JSON."""
    text = canonical_json(data.model_dump(mode="json"))
    content_hash = sha256_hex(text)
    path = home / "inputs" / f"{content_hash}.json.gz"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0))
        partial.replace(path)
    return InputRef(path=str(path), content_hash=content_hash)


def read_input(ref: InputRef, limits: ReadLimits | None = None) -> ReviewInput:
    chosen = limits or ReadLimits()
    raw = loads_json(read_regular_file(Path(ref.path), chosen, "review input"),
                     chosen.max_depth, ref.path)
    if sha256_hex(canonical_json(raw)) != ref.content_hash:
        raise InputChanged(f"review input {ref.path} changed since it was recorded")
    return ReviewInput.model_validate(raw)

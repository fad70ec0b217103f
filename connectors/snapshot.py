"""The normalized snapshot: everything one analysis saw, in one hashed, versioned file.

A report records its snapshot's hash, so it can be reproduced from exactly the same
data. A truncated, edited or unknown-version snapshot is refused, never half-read; so is
anything but a regular file, a file inflating past the caller's limit, or JSON nested
deeper than it allows (``connectors/limits.py``). The schema is documented in
docs/snapshot.md.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from connectors.cloudwatch.models import CloudWatchData
from connectors.confluence.models import ConfluenceSpace
from connectors.errors import InputRefused, SnapshotError
from connectors.github.models import GitHubRelease
from connectors.jira.models import JiraRelease
from connectors.limits import ReadLimits, loads_json, read_regular_file
from connectors.osv.models import OsvResult
from connectors.provenance import Gap, SourceProvenance
from governance.canonical import canonical_json, sha256_hex

SNAPSHOT_FORMAT: Literal["release-risk-advisor/snapshot"] = "release-risk-advisor/snapshot"
SNAPSHOT_SCHEMA_VERSION = "1.0"
SUPPORTED_VERSIONS = frozenset({SNAPSHOT_SCHEMA_VERSION})
SOURCES = ("github", "jira", "confluence", "cloudwatch", "osv")


class SnapshotRequest(BaseModel):
    """What was asked of the sources (recorded for reproducibility)."""

    repo: str | None = None
    base: str | None = None
    head: str | None = None
    pull_request: int | None = None
    jira_project: str | None = None
    fix_version: str | None = None
    jql: str | None = None
    confluence_space: str | None = None
    aws_profile: str | None = None
    aws_region: str | None = None


class SnapshotBody(BaseModel):
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str
    asked: SnapshotRequest
    provenance: list[SourceProvenance] = Field(default_factory=list)
    github: GitHubRelease | None = None
    jira: JiraRelease | None = None
    confluence: ConfluenceSpace | None = None
    cloudwatch: CloudWatchData | None = None
    osv: OsvResult | None = None

    def gaps(self) -> list[Gap]:
        """Every gap a source reported, plus one for each source that delivered nothing."""
        found = [gap for p in self.provenance for gap in p.gaps]
        reported = {p.source for p in self.provenance}
        for source in SOURCES:
            if getattr(self, source) is None and source not in reported:
                found.append(Gap(source=source, what="all data", why="not requested"))
        return found

    def provenance_of(self, source: str) -> SourceProvenance | None:
        return next((p for p in self.provenance if p.source == source), None)


class Snapshot(BaseModel):
    format: Literal["release-risk-advisor/snapshot"] = SNAPSHOT_FORMAT
    schema_version: str = SNAPSHOT_SCHEMA_VERSION
    content_hash: str
    body: SnapshotBody

    @classmethod
    def seal(cls, body: SnapshotBody) -> Snapshot:
        return cls(content_hash=_hash_body(body.model_dump(mode="json")), body=body)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": self.format,
                "schema_version": self.schema_version,
                "content_hash": self.content_hash,
                "body": self.body.model_dump(mode="json"),
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    def write(self, path: Path) -> None:
        """Write atomically (temp file + rename); ``.gz`` compresses."""
        data = self.to_json().encode("utf-8")
        if path.suffix == ".gz":
            # Level 6 (zlib's default): half level 9's time, within 3 % of its size.
            data = gzip.compress(data, compresslevel=6, mtime=0)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.replace(path)


def load_snapshot(path: Path, limits: ReadLimits | None = None) -> Snapshot:
    """Read and check a snapshot; any doubt is a ``SnapshotError`` with one line."""
    raw = _read_json(path, limits or ReadLimits())
    if not isinstance(raw, dict) or raw.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(f"{path}: not a release-risk-advisor snapshot")
    version = raw.get("schema_version")
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(sorted(SUPPORTED_VERSIONS))
        raise SnapshotError(
            f"{path}: unknown snapshot version {version!r} (this advisor reads {supported})"
        )
    body = raw.get("body")
    if not isinstance(body, dict) or _hash_body(body) != raw.get("content_hash"):
        raise SnapshotError(f"{path}: content hash mismatch: the snapshot was edited or damaged")
    try:
        return Snapshot.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise SnapshotError(f"{path}: invalid snapshot at {where}: {error['msg']}") from None


def _read_json(path: Path, limits: ReadLimits) -> Any:
    try:
        data = read_regular_file(path, limits, "snapshot")
        return loads_json(data, limits.max_depth, str(path))
    except InputRefused as exc:
        raise SnapshotError(str(exc)) from None


def _hash_body(body: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(body))

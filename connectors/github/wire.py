"""GitHub's JSON to normalized models. Any shape surprise becomes ``MalformedResponse``.

We read GitHub's documented JSON directly rather than PyGithub's objects: those
complete themselves with a hidden GET whenever a field the list endpoint omits is
touched (``PullRequest.additions`` on a listed PR, ``NamedUser.name``), which would
make request counts unpredictable and turn a malformed body into a late crash.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from connectors.errors import ConnectorError
from connectors.github.issue_keys import jira_keys
from connectors.github.models import (
    ChangedFile,
    CheckRun,
    Commit,
    CommitStatus,
    Deployment,
    DeploymentStatus,
    PullRequest,
    Repository,
    Review,
    Withheld,
)

T = TypeVar("T")

# File types that hold no text lines; GitHub sends no patch for them.
BINARY_SUFFIXES = frozenset((
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".icns", ".webp", ".tif", ".tiff", ".psd",
    ".heic", ".avif", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".zip", ".gz", ".tgz", ".bz2",
    ".xz", ".zst", ".7z", ".rar", ".tar", ".jar", ".war", ".ear", ".whl", ".egg", ".nupkg",
    ".apk", ".ipa", ".exe", ".dll", ".so", ".dylib", ".a", ".lib", ".o", ".obj", ".class",
    ".pyc", ".pyo", ".wasm", ".bin", ".dat", ".mp3", ".mp4", ".m4a", ".wav", ".ogg", ".flac",
    ".mov", ".avi", ".mkv", ".webm", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx",
    ".odt", ".ods", ".odp", ".sqlite", ".sqlite3", ".db", ".mdb", ".p12", ".pfx", ".der",
    ".jks", ".keystore", ".parquet", ".avro", ".pickle", ".pkl", ".npy", ".npz", ".h5",
    ".onnx", ".pt", ".ckpt", ".safetensors",
))


class MalformedResponse(ConnectorError):
    """A body that does not have the shape GitHub documents (often a proxy's page)."""


def parse(build: Callable[[], T]) -> T:
    """Run ``build``; a missing key or wrong type anywhere means the body is malformed."""
    try:
        return build()
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # ValidationError too
        detail = str(exc).splitlines()[0][:120] if str(exc) else ""
        raise MalformedResponse(f"malformed response: {type(exc).__name__} {detail}") from exc


def listed(body: Any, key: str | None) -> list[Any]:
    """The items of one page: the body itself, or ``body[key]`` for wrapped lists."""
    items = body.get(key) if key and isinstance(body, dict) else body
    if not isinstance(items, list):
        where = f" under {key!r}" if key else ""
        raise MalformedResponse(f"malformed response: expected a list{where}")
    return items


def _login(user: Any) -> str | None:
    return str(user["login"]) if user else None


def repository(data: Any) -> Repository:
    visibility = data.get("visibility") or ("private" if data["private"] else "public")
    return Repository(
        full_name=data["full_name"],
        default_branch=data["default_branch"],
        html_url=data["html_url"],
        visibility=visibility,
    )


def commit(data: Any) -> Commit:
    git = data["commit"]
    author = git.get("author") or {}
    committer = git.get("committer") or {}
    return Commit(
        sha=data["sha"],
        message=git["message"],
        author_login=_login(data.get("author")),  # {} or null when no account matches
        author_name=author.get("name"),
        authored_at=author.get("date"),
        committed_at=committer.get("date"),
        html_url=data["html_url"],
    )


def is_binary_path(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in BINARY_SUFFIXES


def withheld(path: str, status: str, changes: int, patch: str | None) -> Withheld | None:
    """Why a diff-entry has no patch, when that hides a change; None when nothing is hidden.

    ``changes: 0`` does not mean unchanged: past a size threshold GitHub sends text files
    with no patch and no counted lines. Only a pure rename or copy (no lines counted) is
    taken at its word.
    """
    if patch is not None or status == "unchanged":
        return None
    if is_binary_path(path):
        return "binary"
    if changes > 0:
        return "too_large"
    if status in ("renamed", "copied"):
        return None
    return "unknown"


def changed_file(data: Any) -> ChangedFile:
    patch = data.get("patch")
    why = withheld(data["filename"], data["status"], data["changes"], patch)
    return ChangedFile(
        path=data["filename"],
        previous_path=data.get("previous_filename"),
        status=data["status"],
        additions=data["additions"],
        deletions=data["deletions"],
        patch=patch,
        patch_truncated=why in ("too_large", "unknown"),
        patch_withheld=why,
    )


@dataclass(frozen=True)
class FileEntry:
    """A changed file, and the object id of its new contents (for reading them)."""

    file: ChangedFile
    blob: str | None


def file_entry(data: Any) -> FileEntry:
    blob = data.get("sha")
    return FileEntry(changed_file(data), str(blob) if blob else None)


def review(data: Any) -> Review:
    return Review(
        id=data["id"],
        state=data["state"],
        reviewer=_login(data.get("user")),
        submitted_at=data.get("submitted_at"),
        commit_id=data.get("commit_id"),
    )


def check_run(data: Any) -> CheckRun:
    app = data.get("app") or {}
    return CheckRun(
        name=data["name"],
        status=data["status"],
        conclusion=data.get("conclusion"),
        app=app.get("slug") or app.get("name"),
    )


def commit_status(data: Any) -> CommitStatus:
    return CommitStatus(
        context=data["context"], state=data["state"], description=data.get("description")
    )


def deployment_status(data: Any) -> DeploymentStatus:
    return DeploymentStatus(
        state=data["state"], created_at=data["created_at"], description=data.get("description")
    )


def deployment(data: Any) -> Deployment:
    return Deployment(
        id=data["id"],
        environment=data["environment"],
        sha=data["sha"],
        ref=data["ref"],
        created_at=data["created_at"],
        creator=_login(data.get("creator")),
    )


class PullSummary(BaseModel):
    """A PR as listed (``pull-request-simple``) or fetched (``pull-request``)."""

    model_config = ConfigDict(frozen=True)

    number: int
    title: str
    body: str | None
    author: str | None
    labels: tuple[str, ...]
    head_ref: str
    head_sha: str
    base_ref: str
    merged_at: datetime | None
    merge_commit_sha: str | None
    html_url: str
    created_at: datetime
    updated_at: datetime
    # Only the single-PR endpoint has these; for listed PRs we sum the files.
    additions: int | None = None
    deletions: int | None = None
    changed_files: int | None = None
    merged_by: str | None = None


def pull_summary(data: Any) -> PullSummary:
    return PullSummary(
        number=data["number"],
        title=data["title"],
        body=data.get("body"),
        author=_login(data.get("user")),
        labels=tuple(label["name"] for label in data["labels"]),
        head_ref=data["head"]["ref"],
        head_sha=data["head"]["sha"],
        base_ref=data["base"]["ref"],
        merged_at=data.get("merged_at"),
        merge_commit_sha=data.get("merge_commit_sha"),
        html_url=data["html_url"],
        created_at=data["created_at"],
        updated_at=data["updated_at"],
        additions=data.get("additions"),
        deletions=data.get("deletions"),
        changed_files=data.get("changed_files"),
        merged_by=_login(data.get("merged_by")),
    )


def pull_request(summary: PullSummary, **parts: Any) -> PullRequest:
    """Combine a summary with its separately fetched parts (files, reviews, ...)."""
    fields = summary.model_dump(exclude={"updated_at"})
    fields.update(parts)
    fields["jira_keys"] = keys_of(summary)
    return PullRequest(**fields)


def keys_of(summary: PullSummary) -> tuple[str, ...]:
    """The Jira keys a pull request carries: its title, body or branch names them."""
    return jira_keys(summary.title, summary.body, summary.head_ref)


def file_text(data: Any) -> str:
    """The text of a ``content-file`` (base64, wrapped at 60 columns by GitHub)."""
    if data["type"] != "file":
        raise ValueError(f"expected a file, got a {data['type']}")
    if data["encoding"] != "base64":  # "none": over 1 MB, not inlined
        raise ValueError(f"content not inlined (encoding {data['encoding']!r})")
    try:
        return base64.b64decode(data["content"]).decode("utf-8", errors="replace")
    except binascii.Error as exc:
        raise ValueError(f"bad base64 content: {exc}") from exc

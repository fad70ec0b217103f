"""Post-change file contents: from a content provider, or from the patch itself.

A provider is any ``path -> str | None`` (a local clone at the PR head, the GitHub
contents API...). Its text is used only if every added line of the patch sits at its
line number in it: a clone at a later commit, or of the wrong branch, would put
findings on lines the PR never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agents.security.diff import FileDiff

__all__ = ["ContentProvider", "PostChange", "clone_reader", "post_change"]

ContentProvider = Callable[[str], str | None]


def clone_reader(root: Path, *, max_bytes: int = 2_000_000) -> ContentProvider:
    """Files of a local checkout; paths that leave it, symlinks out, or big files: None."""
    base = root.resolve()

    def read(path: str) -> str | None:
        target = (base / path).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            return None
        if target.stat().st_size > max_bytes:
            return None
        return target.read_text(encoding="utf-8", errors="replace")

    return read


@dataclass(frozen=True)
class PostChange:
    text: str | None
    origin: Literal["provider", "patch", "none"]
    why: str | None = None  # why there is no text, or why the provider's was refused


def _matches(text: str, diff: FileDiff) -> bool:
    lines = text.splitlines()
    return all(0 < line.number <= len(lines) and lines[line.number - 1].rstrip("\r") == line.text
               for line in diff.added)


def _from_provider(diff: FileDiff, content: ContentProvider, max_bytes: int
                   ) -> tuple[str | None, str]:
    try:
        text = content(diff.path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, f"content provider failed ({type(exc).__name__})"
    if text is None:
        return None, "content provider has no such file"
    if len(text) > max_bytes:
        return None, f"file larger than {max_bytes} bytes"
    if not _matches(text, diff):
        return None, "provided content does not match the PR head (a later or other commit?)"
    return text, ""


def post_change(diff: FileDiff, content: ContentProvider | None, *,
                max_bytes: int = 2_000_000) -> PostChange:
    why = "no content provider"
    if content is not None:
        text, why = _from_provider(diff, content, max_bytes)
        if text is not None:
            return PostChange(text, "provider")
    whole = diff.whole_new_file()
    if whole is not None:
        return PostChange(whole, "patch")
    if not diff.complete:
        why += "; GitHub did not send the whole patch"
    return PostChange(None, "none", f"post-change content not available ({why})")

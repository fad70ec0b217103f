"""Versioned prompt templates: ``prompts/<name>/v<N>.md``.

Each file has YAML front matter (``name``, ``version``, ``description``) and up to two
sections, ``# System`` and ``# User``, with ``$placeholders`` (``string.Template``;
``$$`` is a literal dollar). A changed prompt is a new file, never an edit, so the
version recorded with a result names the exact text that produced it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from string import Template

import yaml
from pydantic import BaseModel, ConfigDict

from governance.canonical import sha256_hex
from governance.errors import ConfigError

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_SECTION = re.compile(r"^# (System|User)\s*$", re.MULTILINE)
_VERSION_FILE = re.compile(r"v(\d+)\.md")


class Prompt(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    description: str = ""
    system: str = ""
    user: str = ""

    @property
    def sha256(self) -> str:
        return sha256_hex(self.system + "\x1f" + self.user)

    def render_user(self, **values: str) -> str:
        """Fill ``$placeholders``; a missing value is an error, not an empty string."""
        try:
            return Template(self.user).substitute(values)
        except (KeyError, ValueError) as exc:
            raise ConfigError(
                f"prompt {self.name} v{self.version}: bad placeholder {exc}") from None


def _parse(path: Path) -> Prompt:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ConfigError(f"{path}: missing --- front matter ---")
    meta = yaml.safe_load(match.group(1)) or {}
    if not isinstance(meta, dict) or "version" not in meta:
        raise ConfigError(f"{path}: front matter needs a version")
    expected = _VERSION_FILE.fullmatch(path.name)
    if expected and str(meta["version"]) != expected.group(1):
        raise ConfigError(f"{path}: front matter says version {meta['version']}")
    sections: dict[str, str] = {}
    parts = _SECTION.split(text[match.end():])
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        sections[title.lower()] = body.strip() + "\n"
    return Prompt(name=str(meta.get("name", path.parent.name)), version=str(meta["version"]),
                  description=str(meta.get("description", "")), **sections)


def available_versions(name: str, root: Path) -> list[int]:
    folder = root / name
    found = (_VERSION_FILE.fullmatch(p.name) for p in folder.glob("v*.md"))
    return sorted(int(m.group(1)) for m in found if m)


@lru_cache(maxsize=64)
def load_prompt(name: str, root: Path, version: int | None = None) -> Prompt:
    """A prompt by name; the highest version unless one is pinned."""
    versions = available_versions(name, root)
    if not versions:
        raise ConfigError(f"no prompt named {name!r} in {root}")
    chosen = versions[-1] if version is None else version
    if chosen not in versions:
        raise ConfigError(f"prompt {name!r} has no version {chosen} (have {versions})")
    return _parse(root / name / f"v{chosen}.md")

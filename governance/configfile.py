"""Reading configuration files: one clear line for a file that cannot be used.

Every YAML file the advisor reads (settings, roles, policy, schedules, …) comes through
here, so a malformed one is named with its line and column, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from governance.errors import ConfigError

ModelT = TypeVar("ModelT", bound=BaseModel)

# libyaml's parser where PyYAML was built with it: the same safe loading (no tags that
# build objects), several times faster than the pure-Python one.
SAFE_LOADER: type[yaml.SafeLoader | yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """One YAML document, safely: ``yaml.safe_load`` on the fast parser. A document it
    refuses is read again by the pure one, whose error names the line and column more
    precisely (libyaml puts an unclosed ``[`` on the line after the last)."""
    try:
        return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        if SAFE_LOADER is yaml.SafeLoader:
            raise
        return yaml.safe_load(text)


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """The file's top-level mapping (an empty file is an empty mapping)."""
    try:
        raw = safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"cannot read {where}: {exc.problem or exc.context}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"cannot read {path}: {first}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a mapping at the top level")
    return raw


def validation_message(exc: ValidationError, what: str) -> str:
    """``invalid <what> at a.b: <reason>`` from the first error pydantic found."""
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"invalid {what} at {where}: {error['msg']}" if where else (
        f"invalid {what}: {error['msg']}")


def load_yaml_model(path: Path, model: type[ModelT], what: str) -> ModelT:
    """Read ``path`` as YAML and validate it as ``model``; one line when either fails."""
    data = read_yaml_mapping(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_message(exc, f"{what} {path}")) from None

"""The published snapshot schema is current, and real snapshots validate against it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[2]


def _exporter():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "export", ROOT / "scripts/export_snapshot_schema.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_schema_is_current() -> None:
    committed = json.loads((ROOT / "docs/snapshot.schema.json").read_text())
    assert committed == _exporter().snapshot_json_schema(), "run scripts/export_snapshot_schema.py"


def test_a_sealed_snapshot_validates(tmp_path: Path) -> None:
    from tests.connectors.test_snapshot import sealed

    path = tmp_path / "s.json"
    sealed().write(path)
    jsonschema.validate(json.loads(path.read_text()), _exporter().snapshot_json_schema())

"""Write docs/snapshot.schema.json from the snapshot models (a test keeps it current)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from connectors.snapshot import SNAPSHOT_SCHEMA_VERSION, Snapshot

TARGET = Path(__file__).resolve().parent.parent / "docs" / "snapshot.schema.json"


def snapshot_json_schema() -> dict[str, Any]:
    schema = Snapshot.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://release-risk-advisor.invalid/schemas/snapshot-{SNAPSHOT_SCHEMA_VERSION}.json",
        "title": f"Release Risk Advisor snapshot {SNAPSHOT_SCHEMA_VERSION}",
        **schema,
    }


def main() -> None:
    TARGET.write_text(json.dumps(snapshot_json_schema(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()

"""Write ``docs/report.schema.json``: the JSON Schema of the JSON report (``ReleaseReport``).

``tests/render/test_json.py`` fails when the committed file is stale; re-run this then.

    .venv/bin/python scripts/export_report_schema.py          # write it
    .venv/bin/python scripts/export_report_schema.py --check  # exit 1 when stale (CI)
"""

from __future__ import annotations

import sys
from pathlib import Path

from render.release.json import report_json_schema_text

TARGET = Path(__file__).resolve().parent.parent / "docs" / "report.schema.json"


def main(argv: list[str]) -> int:
    text = report_json_schema_text()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run scripts/export_report_schema.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

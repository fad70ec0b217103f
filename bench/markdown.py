"""``python -m bench.markdown [RESULTS]``: a results file as Markdown tables, one per
benchmark, for docs/benchmarks.md (default: ``bench/results/latest.json``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.util import RESULTS


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(result: dict[str, Any]) -> str:
    machine = result["machine"]
    lines = [
        f"Run finished {result['finished_at']} in {result['duration_s'] / 60:.1f} min"
        f"{' (--quick)' if result.get('quick') else ''}: {machine['cpu_count']} x "
        f"{machine['cpu_model']} ({machine['cpus_usable']} usable), "
        f"{machine['memory_gib']} GiB, Python {machine['python']}, {machine['platform']}; "
        f"load average {machine['load_average_at_start']} at start, "
        f"{machine['load_average_at_end']} at end.",
        "",
    ]
    for name, bench in result["benchmarks"].items():
        lines += [f"### {name} ({bench['seconds']:.0f} s)", ""]
        if bench["skipped"]:
            lines += [f"Skipped: {bench['skipped']}", ""]
            continue
        lines += ["| measure | value | target |", "|---|---|---|"]
        for row in bench["rows"]:
            target = f"{row['target']}: **{row['verdict']}**" if row["target"] else ""
            lines.append(f"| {_cell(row['metric'])} | {_cell(row['value'])} | {target} |")
        lines.append("")
        lines += [f"- {_cell(note)}" for note in bench["notes"]]
        if bench["notes"]:
            lines.append("")
    return "\n".join(lines)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS / "latest.json"
    print(render(json.loads(path.read_text())))


if __name__ == "__main__":
    main()

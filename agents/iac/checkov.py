"""Failed checks from a checkov report a team already produces (JSON or SARIF).

checkov is not a dependency: we only read its output (``checkov -o json`` or
``-o sarif``). A report that is not one of those is a ``CheckovReportError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = ["CheckovFailure", "CheckovReportError", "load_checkov_report", "parse_checkov"]


class CheckovReportError(ValueError):
    """The file is not a checkov JSON or SARIF report."""


@dataclass(frozen=True)
class CheckovFailure:
    check_id: str
    name: str
    path: str  # repository-relative, no leading "/" or "./"
    line: int | None
    resource: str | None
    severity: str | None  # checkov's word (often absent in open-source checkov)
    guideline: str | None
    report_format: Literal["json", "sarif"]


def _relative(path: str) -> str:
    path = path.replace("\\", "/").removeprefix("file://")
    while path.startswith(("./", "/")):
        path = path[2:] if path.startswith("./") else path[1:]
    return path


def _json_failures(report: Mapping[str, Any]) -> Iterator[CheckovFailure]:
    results = report.get("results")
    if not isinstance(results, Mapping):
        raise CheckovReportError("no 'results' object")
    for check in results.get("failed_checks") or []:
        lines = check.get("file_line_range") or []
        yield CheckovFailure(
            check_id=str(check.get("check_id", "")), name=str(check.get("check_name", "")),
            path=_relative(str(check.get("repo_file_path") or check.get("file_path") or "")),
            line=int(lines[0]) if lines and str(lines[0]).isdigit() and int(lines[0]) > 0
            else None,
            resource=check.get("resource"), severity=check.get("severity"),
            guideline=check.get("guideline"), report_format="json")


_SARIF_LEVEL = {"error": "HIGH", "warning": "MEDIUM", "note": "LOW"}


def _sarif_failures(report: Mapping[str, Any]) -> Iterator[CheckovFailure]:
    for run in report.get("runs") or []:
        rules = {r.get("id"): r for r in
                 ((run.get("tool") or {}).get("driver") or {}).get("rules") or []}
        for result in run.get("results") or []:
            rule_id = str(result.get("ruleId", ""))
            meta = rules.get(rule_id) or {}
            location = ((result.get("locations") or [{}])[0] or {}).get("physicalLocation") or {}
            region = location.get("region") or {}
            name = ((meta.get("shortDescription") or {}).get("text")
                    or (result.get("message") or {}).get("text") or rule_id)
            yield CheckovFailure(
                check_id=rule_id, name=str(name),
                path=_relative(str((location.get("artifactLocation") or {}).get("uri", ""))),
                line=region.get("startLine") if isinstance(region.get("startLine"), int)
                else None,
                resource=None, severity=_SARIF_LEVEL.get(str(result.get("level", "")).lower()),
                guideline=meta.get("helpUri"), report_format="sarif")


def parse_checkov(data: Any) -> list[CheckovFailure]:
    """checkov JSON (one framework: an object; several: a list) or SARIF 2.1."""
    try:
        if isinstance(data, Mapping) and "runs" in data:
            return list(_sarif_failures(data))
        reports = data if isinstance(data, list) else [data]
        if not all(isinstance(r, Mapping) for r in reports):
            raise CheckovReportError("expected an object or a list of objects")
        return [f for report in reports for f in _json_failures(report)]
    except (AttributeError, TypeError, ValueError) as exc:
        if isinstance(exc, CheckovReportError):
            raise
        raise CheckovReportError(f"unexpected shape ({type(exc).__name__})") from None


def load_checkov_report(path: Path) -> list[CheckovFailure]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CheckovReportError(f"cannot read ({type(exc).__name__})") from None
    return parse_checkov(data)

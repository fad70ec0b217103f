"""Detection per weakness class (bench/corpus/classes): the agent next to the open peers.

Each ``classes/<name>.yaml`` holds one class of the security review's brief (SQL built
from request data, path traversal, SSRF, ... GitHub Actions, containers) as small PRs,
labelled from the risk. ``match`` says which findings count for the class (a category,
and CWEs, rule ids or rule-id prefixes), so a finding of another class on a negative
sample is not counted against this one.

All samples of a class go through ``PullReviewer.review_many`` at once (one engine run),
as a release does. Peers, each on the same files, run only when present:

* bandit (a dev dependency): every severity and confidence, an issue counts when its CWE
  is one of the class's;
* detect-secrets: any secret, for the token class;
* checkov (never a dependency: ``BENCH_CHECKOV``, else ``checkov`` on PATH): a failed
  check counts for a Terraform class when its name matches the class's keywords
  (checkov's checks carry no CWE), for containers and GitHub Actions any failed check;
* semgrep with its registry rules: the registry is fetched from semgrep.dev at run time,
  which this offline benchmark does not do, so it is reported as not run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from bench.detection import SPLIT, WHEN, score

CLASSES = Path(__file__).resolve().parent / "corpus" / "classes"
REPO = "bench-org/shop"
# checkov check names -> class, for the Terraform classes (checkov has no CWE mapping).
_CHECKOV_KEYWORDS = {
    "tf-network": re.compile(r"(?i)ingress|0\.0\.0\.0|::/0|open to the world|unrestricted|"
                             r"public ip|internet|private (?:nodes|cluster)|public access to"
                             r"|public network|endpoint.*public|publicly accessible|port \d+"),
    "tf-public-principal": re.compile(r"(?i)anonymous|principal|wildcard|allusers|public read"
                                      r"|public write|publicly (?:readable|accessible) (?:bucket"
                                      r"|to)|not .*public"),
}


@dataclass(frozen=True)
class ClassSample:
    id: str
    positive: bool
    path: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class WeaknessClass:
    name: str
    number: int
    title: str
    match: dict[str, Any]
    samples: tuple[ClassSample, ...]


def load_classes(folder: Path = CLASSES) -> list[WeaknessClass]:
    found = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        samples = tuple(
            ClassSample(raw["id"], raw["label"] == "positive", raw["path"],
                        tuple(str(raw["text"]).replace(SPLIT, "").rstrip("\n").split("\n")))
            for raw in data["samples"])
        found.append(WeaknessClass(data["class"], int(data["number"]), data["title"],
                                   data["match"], samples))
    return sorted(found, key=lambda c: c.number)


def counts(finding: Any, match: dict[str, Any]) -> bool:
    """Does this finding belong to the class?"""
    if str(finding.category) != match["category"]:
        return False
    rule = finding.rule_id or ""
    if "cwe" in match and not set(finding.cwe) & set(match["cwe"]):
        return False
    if "rules" in match and rule not in match["rules"]:
        return False
    if "exclude_rules" in match and rule in match["exclude_rules"]:
        return False
    if "rule_prefixes" in match and not rule.startswith(tuple(match["rule_prefixes"])):
        return False
    return "rule_contains" not in match or match["rule_contains"] in rule


# -- the agent ------------------------------------------------------------------------------


def _pull(number: int, sample: ClassSample) -> Any:
    from connectors.github.models import ChangedFile, PullRequest

    patch = f"@@ -0,0 +1,{len(sample.lines)} @@\n" + "\n".join(f"+{x}" for x in sample.lines)
    changed = ChangedFile(path=sample.path, previous_path=None, status="added",
                          additions=len(sample.lines), deletions=0, patch=patch,
                          patch_truncated=False)
    return PullRequest(number=number, title="Add a change", body="Implements the change.",
                       author="mallory", labels=(), head_ref="feature", head_sha="e" * 40,
                       base_ref="main", merged_at=WHEN, merge_commit_sha="d" * 40,
                       html_url=f"https://github.com/{REPO}/pull/{number}", created_at=WHEN,
                       additions=len(sample.lines), deletions=0, changed_files=1,
                       files=(changed,))


def agent_predictions(reviewer: Any, weakness: WeaknessClass) -> list[bool]:
    prs = [_pull(i + 1, s) for i, s in enumerate(weakness.samples)]
    reviews = reviewer.review_many(prs)
    return [any(counts(f, weakness.match) for f in r.findings) for r in reviews]


# -- peers ------------------------------------------------------------------------------------


def _write(folder: Path, samples: Sequence[ClassSample]) -> dict[str, ClassSample]:
    """Each sample in its own folder under its own name; relative path -> sample."""
    written = {}
    for sample in samples:
        relative = f"{sample.id}/{PurePosixPath(sample.path).name}"
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(sample.lines) + "\n", encoding="utf-8")
        written[relative] = sample
    return written


def bandit_predictions(weakness: WeaknessClass, folder: Path) -> list[bool] | None:
    from agents.security.sast import BANDIT_CHECKS  # bandit's own CWE per test

    bandit = _tool("bandit")
    if "cwe" not in weakness.match or bandit is None:
        return None
    written = _write(folder, [s for s in weakness.samples if s.path.endswith(".py")])
    if not written:
        return None
    done = subprocess.run([bandit, "-q", "-f", "json", "-r", str(folder)],
                          capture_output=True, text=True, check=False)
    flagged = set()
    wanted = {int(c.removeprefix("CWE-")) for c in weakness.match["cwe"]}
    for issue in json.loads(done.stdout or "{}").get("results", []):
        cwe = (issue.get("issue_cwe") or {}).get("id") or BANDIT_CHECKS.get(
            issue["test_id"], ("", "", 0))[2]
        if cwe in wanted:
            flagged.add(str(Path(issue["filename"]).relative_to(folder)))
    return [s.path.endswith(".py") and any(written[k] is s for k in flagged)
            for s in weakness.samples]


def detect_secrets_predictions(weakness: WeaknessClass, folder: Path) -> list[bool] | None:
    if weakness.match["category"] != "secret":
        return None
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    written = _write(folder, weakness.samples)
    with default_settings():
        found = SecretsCollection(root=str(folder))
        for relative in written:
            found.scan_file(relative)
    flagged = {str(name) for name, _ in found}
    return [any(k in flagged and written[k] is s for k in written) for s in weakness.samples]


def checkov_binary() -> str | None:
    return os.environ.get("BENCH_CHECKOV") or shutil.which("checkov")


def checkov_predictions(weakness: WeaknessClass, folder: Path) -> list[bool] | None:
    binary = checkov_binary()
    if binary is None or weakness.match["category"] not in ("iac", "ci-supply-chain"):
        return None
    written = _write(folder, weakness.samples)
    if weakness.match["category"] == "ci-supply-chain":  # checkov reads .github/workflows
        for relative, sample in list(written.items()):
            target = folder / sample.id / sample.path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(folder / relative), target)
            written[f"{sample.id}/{sample.path}"] = written.pop(relative)
    done = subprocess.run([binary, "-d", str(folder), "-o", "json", "--quiet", "--compact",
                           "--skip-download"], capture_output=True, text=True, check=False)
    try:
        reports = json.loads(done.stdout or "[]")
    except ValueError:
        return None
    keywords = _CHECKOV_KEYWORDS.get(weakness.name)
    flagged = set()
    for report in reports if isinstance(reports, list) else [reports]:
        for check in (report.get("results") or {}).get("failed_checks") or []:
            name = str(check.get("check_name", ""))
            if keywords is not None and not keywords.search(name):
                continue
            if weakness.name == "tf-defaults" and any(
                    k.search(name) for k in _CHECKOV_KEYWORDS.values()):
                continue
            flagged.add(str(check.get("file_path", "")).lstrip("/"))
    return [any(k in flagged and written[k] is s for k in written) for s in weakness.samples]


def _tool(name: str) -> str | None:
    """A command installed beside this Python (the project's venv), else on PATH."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)


PEERS: tuple[tuple[str, Callable[[WeaknessClass, Path], list[bool] | None]], ...] = (
    ("bandit", bandit_predictions),
    ("detect-secrets", detect_secrets_predictions),
    ("checkov", checkov_predictions),
)


def evaluate(reviewer: Any) -> dict[str, Any]:
    """Per class: the agent's and each available peer's counts, precision and recall."""
    results: dict[str, Any] = {}
    for weakness in load_classes():
        truth = [s.positive for s in weakness.samples]
        agent = agent_predictions(reviewer, weakness)
        row: dict[str, Any] = {
            "number": weakness.number, "title": weakness.title, "samples": len(truth),
            "positives": sum(truth), "agent": score(list(zip(truth, agent, strict=True))),
            "agent_missed": [s.id for s, t, p in zip(weakness.samples, truth, agent,
                                                     strict=True) if t and not p],
            "agent_false_alarms": [s.id for s, t, p in zip(weakness.samples, truth, agent,
                                                           strict=True) if p and not t],
            "peers": {}}
        for name, peer in PEERS:
            with tempfile.TemporaryDirectory(prefix=f"rra-bench-{name}-") as folder:
                predicted = peer(weakness, Path(folder))
            if predicted is not None:
                row["peers"][name] = score(list(zip(truth, predicted, strict=True)))
        results[weakness.name] = row
    return results

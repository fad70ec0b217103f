"""6. detection: precision and recall per finding category on a labelled corpus.

``bench/corpus/<category>.yaml`` holds positive and negative pull requests (see its
README). Each goes through the security agent's per-PR review (``PullReviewer.review``,
default policy) and, for comparison, through the underlying scanner alone:

* secret: a plain detect-secrets scan (``SecretsCollection.scan_file``, default
  settings: every plugin, its default filters) of the added lines as a file;
* sast: bandit alone on the file (default profile, every severity and confidence);
* trojan-source, iac, ci-supply-chain, prompt-injection-attempt: a plain regex over the
  added text (IaC only in ``.tf`` files, CI only in ``.yml``/``.yaml`` files).

When the demo organisation is present, the security agent also runs on its snapshot and
each planted security risk (``advisor.demo.planted``) counts as found when a finding of
its category cites its evidence.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from bench.context import Context
from bench.util import Section, verdict

CORPUS = Path(__file__).resolve().parent / "corpus"
CATEGORIES = ("secret", "sast", "trojan-source", "iac", "ci-supply-chain",
              "prompt-injection-attempt")
SPLIT = "\u27e8\u27e9"  # ⟨⟩, removed on load (see corpus/README.md)
WHEN = datetime(2025, 3, 2, 12, 0, tzinfo=UTC)
REPO = "bench-org/shop"


@dataclass(frozen=True)
class Sample:
    category: str
    id: str
    positive: bool
    why: str
    path: str | None
    lines: tuple[str, ...]
    title: str | None
    body: str | None
    commit: str | None

    def texts(self) -> list[str]:
        return [*self.lines, *(t for t in (self.title, self.body, self.commit) if t)]


def _clean(value: Any) -> str | None:
    return str(value).replace(SPLIT, "") if value is not None else None


def load_corpus(folder: Path = CORPUS) -> list[Sample]:
    samples = []
    for category in CATEGORIES:
        data = yaml.safe_load((folder / f"{category}.yaml").read_text(encoding="utf-8"))
        assert data["category"] == category
        for raw in data["samples"]:
            text = _clean(raw.get("text"))
            lines = text.rstrip("\n").split("\n") if text else [
                _clean(line) or "" for line in raw.get("lines", [])]
            samples.append(Sample(category, raw["id"], raw["label"] == "positive",
                                  raw.get("why", ""), raw.get("path"), tuple(lines),
                                  _clean(raw.get("title")), _clean(raw.get("body")),
                                  _clean(raw.get("commit"))))
    return samples


# -- the agent ------------------------------------------------------------------------------


def _pull(sample: Sample) -> tuple[Any, list[Any]]:
    from connectors.github.models import ChangedFile, Commit, PullRequest

    files = []
    if sample.path and sample.lines:
        patch = f"@@ -0,0 +1,{len(sample.lines)} @@\n" + "\n".join(f"+{x}" for x in sample.lines)
        files.append(ChangedFile(path=sample.path, previous_path=None, status="added",
                                 additions=len(sample.lines), deletions=0, patch=patch,
                                 patch_truncated=False))
    pr = PullRequest(number=7, title=sample.title or "Add a change",
                     body=sample.body or "Implements the change.", author="mallory",
                     labels=(), head_ref="feature/change", head_sha="e" * 40, base_ref="main",
                     merged_at=WHEN, merge_commit_sha="d" * 40,
                     html_url=f"https://github.com/{REPO}/pull/7", created_at=WHEN,
                     additions=len(sample.lines), deletions=0, changed_files=len(files),
                     files=tuple(files))
    commits = [Commit(sha="c" * 40, message=sample.commit, author_login="mallory",
                      author_name="Mallory", authored_at=WHEN, committed_at=WHEN,
                      html_url=f"https://github.com/{REPO}/commit/{'c' * 40}")
               ] if sample.commit else []
    return pr, commits


def agent_predicts(reviewer: Any, sample: Sample) -> bool:
    pr, commits = _pull(sample)
    review = reviewer.review(pr, commits=commits)
    return any(str(f.category) == sample.category for f in review.findings)


# -- the scanners alone ------------------------------------------------------------------------


def _written(folder: Path, sample: Sample) -> Path:
    assert sample.path
    target = folder / sample.id / PurePosixPath(sample.path).name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(sample.lines) + "\n", encoding="utf-8")
    return target


def _detect_secrets(folder: Path, sample: Sample) -> bool:
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    if not sample.path:
        return False
    path = _written(folder, sample)
    with default_settings():
        found = SecretsCollection(root=str(path.parent))
        found.scan_file(path.name)
    return any(True for _ in found)


def _bandit() -> tuple[Any, Any]:
    """bandit's configuration and manager module (a dev dependency: the peer), quietly."""
    import logging
    import warnings

    logging.getLogger("stevedore.extension").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from bandit.core import config, manager

        logging.getLogger("bandit").setLevel(logging.ERROR)
        return config.BanditConfig(), manager


def _bandit_alone(folder: Path, sample: Sample) -> bool:
    if not sample.path or not sample.path.endswith(".py"):
        return False
    config, manager = _bandit()
    runner = manager.BanditManager(config, "file", quiet=True)
    runner.discover_files([str(_written(folder, sample))])
    runner.run_tests()
    return bool(runner.get_issue_list())


_TROJAN = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff\u00ad]")
_IAC = re.compile(r'0\.0\.0\.0/0|::/0|encrypted\s*=\s*false|publicly_accessible\s*=\s*true'
                  r'|acl\s*=\s*"public-read|"\*"|=\s*"\*"|block_public_\w+\s*=\s*false'
                  r'|password\s*=\s*"', re.IGNORECASE)
_CI = re.compile(r"pull_request_target|write-all|uses:\s*(?!actions/|github/|\./)[\w.-]+/"
                 r"[\w./-]+@(?![0-9a-f]{40}\b)|\$\{\{\s*github\.event\.(?:issue|pull_request|"
                 r"comment|review)[\w.]*\s*\}\}|\$\{\{\s*secrets\.|curl[^|]*\|\s*(?:ba)?sh")
_INJECTION = re.compile(r"ignore (?:all |any )?(?:previous|prior|above) instructions|"
                        r"disregard|you are now|system prompt|approve (?:this|the) (?:pr|pull)|"
                        r"forget (?:your|all|the) (?:previous|prior)", re.IGNORECASE)


def _regex(sample: Sample) -> bool:
    path = sample.path or ""
    if sample.category == "trojan-source":
        return any(_TROJAN.search(t) for t in sample.texts())
    if sample.category == "iac":
        return path.endswith(".tf") and any(_IAC.search(t) for t in sample.lines)
    if sample.category == "ci-supply-chain":
        return path.endswith((".yml", ".yaml")) and any(_CI.search(t) for t in sample.lines)
    return any(_INJECTION.search(t) for t in sample.texts())


def baseline_predicts(folder: Path, sample: Sample) -> bool:
    if sample.category == "secret":
        return _detect_secrets(folder, sample)
    if sample.category == "sast":
        return _bandit_alone(folder, sample)
    return _regex(sample)


BASELINES = {"secret": "detect-secrets alone", "sast": "bandit alone (all severities)",
             "trojan-source": "regex", "iac": "regex", "ci-supply-chain": "regex",
             "prompt-injection-attempt": "regex"}


# -- scoring --------------------------------------------------------------------------------


def score(pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    """(truth, predicted) pairs -> counts, precision and recall."""
    tp = sum(t and p for t, p in pairs)
    fp = sum(p and not t for t, p in pairs)
    fn = sum(t and not p for t, p in pairs)
    tn = sum(not t and not p for t, p in pairs)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _demo_recall() -> dict[str, Any] | None:
    try:
        from advisor.demo import demo_snapshot_path
        from advisor.demo.planted import PLANTED
    except ImportError:
        return None
    path = demo_snapshot_path()
    if not path.exists():
        return None
    from advisor.configuration import load_agent_config
    from agents.base import AgentInput
    from agents.security import SecurityAgent
    from connectors.snapshot import load_snapshot

    config = load_agent_config()
    report = SecurityAgent.configured(config).analyse(
        AgentInput(snapshot=load_snapshot(path).body), config.policy)
    rows: dict[str, list[bool]] = {}
    missed = []
    for risk in (r for r in PLANTED if r.agent == "security"):
        found = any(str(f.category) == risk.category
                    and any(risk.evidence in e.ref for e in f.evidence)
                    for f in report.findings)
        rows.setdefault(risk.category, []).append(found)
        if not found:
            missed.append(risk.id)
    planted_categories = set(rows)
    extra = sum(1 for f in report.findings if str(f.category) in planted_categories)
    return {"recall": {c: sum(v) / len(v) for c, v in rows.items()},
            "planted": {c: len(v) for c, v in rows.items()}, "missed": missed,
            "findings_in_planted_categories": extra}


def _classes(reviewer: Any, section: Section, results: dict[str, Any]) -> None:
    """Per weakness class (bench/corpus/classes), the agent next to each peer present."""
    from bench.classes import checkov_binary, evaluate

    found = evaluate(reviewer)
    results["classes"] = found
    for name, row in found.items():
        a = row["agent"]
        peers = "; ".join(f"{peer} {_pct(v['precision'])} / {_pct(v['recall'])}"
                          for peer, v in row["peers"].items())
        met = (a["precision"] or 0) >= 0.85 and (a["recall"] or 0) >= 0.85
        section.add(f"class {row['number']} {name} ({row['positives']}+ / "
                    f"{row['samples'] - row['positives']}-): agent P / R",
                    f"{_pct(a['precision'])} / {_pct(a['recall'])}"
                    + (f" (peers: {peers})" if peers else " (no peer covers it)"),
                    ">= 0.85 / 0.85", verdict(met))
    if checkov_binary() is None:
        section.notes.append("checkov not found (set BENCH_CHECKOV or put it on PATH; never "
                             "a dependency): its columns are missing")
    section.notes.append("semgrep with its registry rules: not run; the registry is fetched "
                         "from semgrep.dev at run time and this benchmark stays offline")


def run(ctx: Context, section: Section) -> None:
    from agents.security.policy import SecurityPolicy
    from agents.security.review import PullReviewer

    samples = load_corpus()
    reviewer = PullReviewer(SecurityPolicy(), repo=REPO)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rra-bench-corpus-") as folder:
        for category in CATEGORIES:
            chosen = [s for s in samples if s.category == category]
            agent = [(s.positive, agent_predicts(reviewer, s)) for s in chosen]
            alone = [(s.positive, baseline_predicts(Path(folder), s)) for s in chosen]
            a, b = score(agent), score(alone)
            positives = sum(s.positive for s in chosen)
            results[category] = {
                "samples": len(chosen), "positives": positives, "agent": a, "baseline": b,
                "baseline_kind": BASELINES[category],
                "agent_missed": [s.id for s, (t, p) in zip(chosen, agent, strict=True)
                                 if t and not p],
                "agent_false_alarms": [s.id for s, (t, p) in zip(chosen, agent, strict=True)
                                       if p and not t],
                "baseline_missed": [s.id for s, (t, p) in zip(chosen, alone, strict=True)
                                    if t and not p],
                "baseline_false_alarms": [s.id for s, (t, p) in zip(chosen, alone, strict=True)
                                          if p and not t],
            }
            section.add(f"{category} ({positives}+ / {len(chosen) - positives}-): agent "
                        f"P / R", f"{_pct(a['precision'])} / {_pct(a['recall'])}")
            section.add(f"{category}: {BASELINES[category]} P / R",
                        f"{_pct(b['precision'])} / {_pct(b['recall'])}")
    _classes(reviewer, section, results)
    demo = _demo_recall()
    if demo is not None:
        results["demo"] = demo
        found = sum(round(r * demo["planted"][c]) for c, r in demo["recall"].items())
        total = sum(demo["planted"].values())
        section.add("demo org: planted security risks found by the agent",
                    f"{found} / {total}" + (f" (missed {', '.join(demo['missed'])})"
                                            if demo["missed"] else ""))
    section.data = results

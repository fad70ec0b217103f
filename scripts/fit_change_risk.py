#!/usr/bin/env python
"""Fit the transparent just-in-time change-risk model and write what the product ships.

    .venv/bin/python scripts/fit_change_risk.py [--data ../shared/jit]
        [--out config/change_risk_model.json] [--doc docs/risk-model.md]
        [--limit N] [--bootstrap N]

Input: the ISSTA'21 replication data (Zeng et al., MIT licence), one CSV per project with
Kamei features and an SZZ ``bug`` label. Output: coefficients and transforms only
(``--out``), plus the generated tables in ``--doc``. The runtime never reads the CSVs.

Protocol, per project: sort by ``date`` (stable), earliest 80 % train, latest 20 % test,
never shuffled across time. The shipped variants are fitted on the pooled training
portions of all projects, so every project's latest 20 % stays unseen.

Needs the optional ``fit`` extra (numpy, scikit-learn). Deterministic: lbfgs has no
randomness and the seed is fixed anyway; re-running on the same data rewrites the same
files (up to BLAS rounding in the last digits).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # for the runtime cross-check below

from agents.change_risk import ChangeFeatures, load_model, score_change  # noqa: E402

Array = np.ndarray[Any, np.dtype[np.float64]]
Columns = dict[str, Array]

PROJECTS = ("qt", "openstack", "platform", "jdt", "gerrit", "go")
FULL = ("ns", "nd", "nf", "entropy", "la", "ld", "lt", "fix",
        "ndev", "age", "nuc", "exp", "rexp", "sexp")  # fmt: skip
DIFF_ONLY = ("la", "ld", "nf", "nd", "ns", "entropy", "fix")
VARIANTS = {"full": FULL, "diff_only": DIFF_ONLY}

# feature -> (log1p?, divide_by). Sizes and counts are heavy-tailed, hence log1p.
# la/ld stay absolute: dividing them by lt (Kamei 2013) cost ~0.03 validation AUC,
# absolute size being the strongest signal (cf. LApredict). lt and nuc are taken per
# file instead, which removes most of their collinearity with nf. Entropy is already
# a normalised log quantity and fix is 0/1, so neither is logged.
TRANSFORMS: dict[str, tuple[bool, str | None]] = {
    "ns": (True, None), "nd": (True, None), "nf": (True, None), "entropy": (False, None),
    "la": (True, None), "ld": (True, None), "lt": (True, "nf"), "fix": (False, None),
    "ndev": (True, None), "age": (True, None), "nuc": (True, "nf"),
    "exp": (True, None), "rexp": (True, None), "sexp": (True, None),
}  # fmt: skip

TRAIN_FRACTION = 0.8
C = 1.0  # L2 strength; 0.01..10 gave the same validation AUC to 3 decimals
SEED = 0
EFFORT_BUDGET = 0.2  # Recall@20%Effort
RECALL_TARGET = 0.2  # Effort@20%Recall
SCHEMA_VERSION = 1
SOURCE_URL = "https://github.com/ZZR0/ISSTA21-JIT-DP"
METRICS = ("auc", "f1", "recall_at_20_effort", "effort_at_20_recall", "popt")
MODELS = {
    "full": "full (pooled)",
    "diff_only": "diff_only (pooled)",
    "per_project": "full, per-project",
    "lapredict": "LApredict",
    "effort_only": "no model: smallest change first",
}


@dataclass(frozen=True)
class Project:
    name: str
    train: Columns
    test: Columns
    csv_sha256: str


# ---------------------------------------------------------------- data


def load_project(data_dir: Path, name: str, limit: int | None) -> Project:
    path = data_dir / f"issta21_{name}.csv"
    raw = path.read_bytes()
    header = next(csv.reader(io.StringIO(raw.decode("utf-8").partition("\n")[0])))
    # The CSV's `__` column is a copy of `bug` (see the upstream to_csv): never read it.
    wanted = ["date", "bug", *[c for c in FULL if c != "entropy"], "entrophy"]
    table = np.loadtxt(
        io.BytesIO(raw), delimiter=",", skiprows=1, usecols=[header.index(c) for c in wanted]
    )
    cols = {c: table[:, i] for i, c in enumerate(wanted)}
    order = np.argsort(cols["date"], kind="stable")
    if limit is not None:
        order = order[:limit]  # the earliest commits: a small slice, still time-ordered
    cols = {c: v[order] for c, v in cols.items()}
    cols["entropy"] = normalised_entropy(cols.pop("entrophy"), cols["nf"])
    cut = int(len(order) * TRAIN_FRACTION)
    return Project(
        name=name,
        train={c: v[:cut] for c, v in cols.items()},
        test={c: v[cut:] for c, v in cols.items()},
        csv_sha256=hashlib.sha256(raw).hexdigest(),
    )


def normalised_entropy(bits: Array, nf: Array) -> Array:
    """Kamei 2013: H / log2(nf). The CSV holds raw bits; nf there counts distinct file
    *names*, so a few rows exceed 1 — clipped, as the runtime value cannot."""
    denominator = np.log2(np.maximum(nf, 2.0))
    return np.where(nf > 1, np.clip(bits / denominator, 0.0, 1.0), 0.0)


# ---------------------------------------------------------------- features


Transforms = Mapping[str, tuple[bool, str | None]]


def transformed(cols: Columns, features: Sequence[str], transforms: Transforms) -> Array:
    """Apply the transforms (before standardisation); mirrors agents.change_risk."""
    out = []
    for name in features:
        log1p, divide_by = transforms[name]
        values = cols[name]
        if divide_by is not None:
            values = values / np.maximum(cols[divide_by], 1.0)
        out.append(np.log1p(values) if log1p else values)
    return np.column_stack(out)


@dataclass(frozen=True)
class Fitted:
    features: tuple[str, ...]
    transforms: Transforms
    mean: Array
    std: Array
    model: LogisticRegression

    def probability(self, cols: Columns) -> Array:
        z = (transformed(cols, self.features, self.transforms) - self.mean) / self.std
        return np.asarray(self.model.predict_proba(z)[:, 1], dtype=np.float64)


def fit(
    parts: Sequence[Columns], features: Sequence[str], transforms: Transforms = TRANSFORMS
) -> Fitted:
    x = np.vstack([transformed(p, features, transforms) for p in parts])
    y = np.concatenate([p["bug"] for p in parts])
    mean, std = x.mean(axis=0), x.std(axis=0)
    std = np.where(std > 0, std, 1.0)  # a constant column (tiny slices) stays finite
    model = LogisticRegression(
        C=C, class_weight="balanced", max_iter=10_000, random_state=SEED
    ).fit((x - mean) / std, y)
    return Fitted(tuple(features), transforms, mean, std, model)


def fit_lapredict(train: Columns) -> Fitted:
    """Zeng et al.'s LApredict: logistic regression on standardised raw `la` alone
    (balanced here, like our models, so its F1 at 0.5 is comparable)."""
    return fit([train], ["la"], {"la": (False, None)})


# ---------------------------------------------------------------- metrics


def effort_of(cols: Columns) -> Array:
    return np.maximum(cols["la"] + cols["ld"], 1.0)  # la + ld is never 0 in this data


@dataclass(frozen=True)
class TestSet:
    """One project's latest 20 %, with the two reference orders Popt needs."""

    y: Array
    effort: Array
    optimal: Array  # buggy first, smallest first
    worst: Array  # clean first, largest first; buggy last, largest first

    @classmethod
    def of(cls, cols: Columns) -> TestSet:
        y, effort = cols["bug"], effort_of(cols)
        return cls(y, effort, np.lexsort((effort, -y)), np.lexsort((-effort, y)))


@dataclass(frozen=True)
class Ranking:
    """A model's scores on a test set, pre-sorted once so that bootstrap replicates
    are just re-weightings (a resampled commit counted w times)."""

    probability: Array | None  # None: the no-model reference, smallest change first
    order: Array  # density ranking: probability / effort desc, smaller effort, time order
    ties: Array  # tie group of each probability, in ascending order (for the AUC)

    @classmethod
    def of(cls, test: TestSet, probability: Array | None) -> Ranking:
        density = (1.0 if probability is None else probability) / test.effort
        order = np.lexsort((test.effort, -density))  # lexsort: last key is primary
        scores = np.zeros_like(test.y) if probability is None else probability
        return cls(probability, order, np.unique(scores, return_inverse=True)[1])


def evaluate(test: TestSet, ranking: Ranking) -> dict[str, float | None]:
    """AUC and F1 on the probability (F1 at 0.5); effort-aware metrics on the density
    ranking probability / effort (Kamei 2013, Yang 2016), the same for every model."""
    if test.y.min() == test.y.max():
        return dict.fromkeys(METRICS)
    weights = np.ones_like(test.y)
    x, r = curve(test, ranking.order, weights)
    p = ranking.probability
    return {
        "auc": None if p is None else auc(test, ranking, weights),
        "f1": None if p is None else float(f1_score(test.y, p >= 0.5, zero_division=0)),
        "recall_at_20_effort": float(r[np.searchsorted(x, EFFORT_BUDGET, side="right") - 1]),
        "effort_at_20_recall": float(x[np.argmax(r >= RECALL_TARGET - 1e-12)]),
        "popt": popt(test, ranking, weights),
    }


def auc(test: TestSet, ranking: Ranking, weights: Array) -> float:
    """Weighted Mann-Whitney AUC; ties count one half (= roc_auc_score at weight 1)."""
    groups = int(ranking.ties.max()) + 1
    pos = np.bincount(ranking.ties, weights=weights * test.y, minlength=groups)
    neg = np.bincount(ranking.ties, weights=weights * (1 - test.y), minlength=groups)
    below = np.cumsum(neg) - neg
    return float((pos * (below + 0.5 * neg)).sum() / (pos.sum() * neg.sum()))


def popt(test: TestSet, ranking: Ranking, weights: Array) -> float:
    """1 - (area(optimal) - area(model)) / (area(optimal) - area(worst)), areas under
    the effort-vs-recall curves."""
    best, model, worst = (
        float(np.trapezoid(r, x))
        for x, r in (curve(test, o, weights) for o in (test.optimal, ranking.order, test.worst))
    )
    return 1.0 - (best - model) / (best - worst)


def curve(test: TestSet, order: Array, weights: Array) -> tuple[Array, Array]:
    """Cumulative effort share (x) vs share of buggy commits found (y), from (0, 0).
    Recall@20%Effort counts only commits inspected in full within the budget."""
    effort, found = (weights * test.effort)[order], (weights * test.y)[order]
    x = np.concatenate([[0.0], np.cumsum(effort) / effort.sum()])
    r = np.concatenate([[0.0], np.cumsum(found) / found.sum()])
    return x, r


# ---------------------------------------------------------------- run


def run(data_dir: Path, limit: int | None, replicates: int) -> dict[str, Any]:
    projects = [load_project(data_dir, name, limit) for name in PROJECTS]
    pooled = {v: fit([p.train for p in projects], f) for v, f in VARIANTS.items()}
    table: dict[str, dict[str, dict[str, float | None]]] = {m: {} for m in MODELS}
    scored = []
    for project in projects:
        test = TestSet.of(project.test)
        rankings = {
            name: Ranking.of(test, None if fitted is None else fitted.probability(project.test))
            for name, fitted in {
                "full": pooled["full"],
                "diff_only": pooled["diff_only"],
                "per_project": fit([project.train], FULL),
                "lapredict": fit_lapredict(project.train),
                "effort_only": None,
            }.items()
        }
        for name, ranking in rankings.items():
            table[name][project.name] = evaluate(test, ranking)
            _check_auc(test, ranking, table[name][project.name]["auc"])
        scored.append((test, rankings))
    for rows in table.values():
        rows["mean"] = _mean_row(rows)
    versus = bootstrap_versus_lapredict(scored, [p.name for p in projects], replicates)
    return {"projects": projects, "pooled": pooled, "table": table, "versus": versus}


def _check_auc(test: TestSet, ranking: Ranking, value: float | None) -> None:
    # The bootstrap relies on the hand-written AUC; keep it honest against sklearn.
    if ranking.probability is not None and value is not None:
        reference = roc_auc_score(test.y, ranking.probability)
        if abs(reference - value) > 1e-9:
            raise SystemExit(f"AUC implementation drifted: {value} vs {reference}")


def bootstrap_versus_lapredict(
    scored: Sequence[tuple[TestSet, Mapping[str, Ranking]]], names: Sequence[str], replicates: int
) -> dict[str, Any]:
    """Paired bootstrap of (model - LApredict) for AUC and Popt: resample each project's
    test commits, score both on the same resample, take percentile 95 % intervals. The
    mean across projects uses the same replicates, so its interval covers all six."""
    rng = np.random.default_rng(SEED)
    compared = ("full", "diff_only", "per_project")
    metrics = {"auc": auc, "popt": popt}
    deltas = {(m, k): np.full((replicates, len(scored)), np.nan) for m in compared for k in metrics}
    for b in range(replicates):
        for j, (test, rankings) in enumerate(scored):
            n = len(test.y)
            weights = np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64)
            if test.y.min() == test.y.max() or (weights * test.y).sum() in (0, weights.sum()):
                continue  # a resample with one class has no AUC
            for metric, function in metrics.items():
                base = function(test, rankings["lapredict"], weights)
                for model in compared:
                    deltas[(model, metric)][b, j] = function(test, rankings[model], weights) - base
    out: dict[str, Any] = {"replicates": replicates, "seed": SEED}
    for (model, metric), values in deltas.items():
        columns = {name: values[:, j] for j, name in enumerate(names)}
        columns["mean"] = values.mean(axis=1)
        out.setdefault(model, {})[metric] = {name: _interval(v) for name, v in columns.items()}
    return out


def _interval(values: Array) -> list[float] | None:
    known = values[~np.isnan(values)]
    return (
        [float(np.percentile(known, 2.5)), float(np.percentile(known, 97.5))]
        if len(known)
        else None
    )


def _mean_row(rows: Mapping[str, Mapping[str, float | None]]) -> dict[str, float | None]:
    mean: dict[str, float | None] = {}
    for metric in METRICS:
        values = [row[metric] for row in rows.values()]
        known = [v for v in values if v is not None]
        mean[metric] = float(np.mean(known)) if len(known) == len(values) else None
    return mean


def model_document(result: dict[str, Any], data_dir: Path, limit: int | None) -> dict[str, Any]:
    variants = {name: _variant_json(fitted) for name, fitted in result["pooled"].items()}
    digest = hashlib.sha256(json.dumps(variants, sort_keys=True).encode()).hexdigest()
    return {
        "schema_version": SCHEMA_VERSION,
        "model_version": f"jit-lr-{digest[:12]}",
        "model": "L2 logistic regression over transformed Kamei features (class_weight balanced)",
        "variants": variants,
        "training_data": _training_json(result["projects"], data_dir, limit),
        "evaluation": {
            "protocol": (
                "per project: stable sort by date, earliest 80 % train, latest 20 % test; "
                "pooled variants fitted on all six training portions"
            ),
            "effort": "la + ld",
            "ranking": (
                "AUC and F1 use the predicted probability (F1 at 0.5); effort-aware "
                "metrics rank by probability / effort for every model, LApredict included"
            ),
            "models": {name: MODELS[name] for name in MODELS},
            "results": _rounded(result["table"]),
            "versus_lapredict_ci95": _rounded(result["versus"]),
        },
        "fitted_with": {
            "script": "scripts/fit_change_risk.py",
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
            "C": C,
            "seed": SEED,
        },
    }


def _variant_json(fitted: Fitted) -> dict[str, Any]:
    coefficients = fitted.model.coef_[0]
    return {
        "features": list(fitted.features),
        "transforms": {
            name: {
                "divide_by": fitted.transforms[name][1],
                "log1p": fitted.transforms[name][0],
                "mean": float(fitted.mean[i]),
                "std": float(fitted.std[i]),
            }
            for i, name in enumerate(fitted.features)
        },
        "coefficients": {n: float(coefficients[i]) for i, n in enumerate(fitted.features)},
        "intercept": float(fitted.model.intercept_[0]),
        "threshold": 0.5,
    }


def _training_json(
    projects: Sequence[Project], data_dir: Path, limit: int | None
) -> dict[str, Any]:
    source_commit = (data_dir / "SOURCE_COMMIT").read_text(encoding="utf-8").strip()
    return {
        "source": f"Zeng et al., ISSTA 2021, replication package {SOURCE_URL}",
        "licence": "MIT (Copyright (c) 2021 Zhengran Zeng, Yuqun Zhang, Haotian Zhang, "
        "Lingming Zhang)",
        "source_commit": source_commit,
        "label": "bug = 1 when SZZ traced a later bug fix back to the commit",
        "row_limit_per_project": limit,
        "pooled_train_commits": int(sum(len(p.train["bug"]) for p in projects)),
        "projects": [_project_json(p) for p in projects],
    }


def _project_json(project: Project) -> dict[str, Any]:
    def day(ts: float) -> str:
        return dt.datetime.fromtimestamp(ts, tz=dt.UTC).date().isoformat()

    return {
        "name": project.name,
        "file": f"issta21_{project.name}.csv",
        "sha256": project.csv_sha256,
        "commits": len(project.train["bug"]) + len(project.test["bug"]),
        "train_commits": len(project.train["bug"]),
        "test_commits": len(project.test["bug"]),
        "train_dates": [day(project.train["date"][0]), day(project.train["date"][-1])],
        "test_dates": [day(project.test["date"][0]), day(project.test["date"][-1])],
        "train_bug_rate": round(float(project.train["bug"].mean()), 4),
        "test_bug_rate": round(float(project.test["bug"].mean()), 4),
    }


def _rounded(value: Any) -> Any:
    """4 decimals for every float; NaN (no bugs in a test slice) becomes null."""
    if isinstance(value, Mapping):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, int) or value is None:
        return value
    return None if math.isnan(value) else round(float(value), 4)


# ---------------------------------------------------------------- cross-check


def cross_check(result: dict[str, Any], model_path: Path, rows: int = 300) -> float:
    """Score test rows with the shipped JSON and the pure-Python runtime; they must
    match scikit-learn, or the runtime would be scoring a different model."""
    shipped = load_model(model_path)
    worst = 0.0
    for variant, fitted in result["pooled"].items():
        for project in result["projects"]:
            cols = {c: v[:rows] for c, v in project.test.items()}
            expected = fitted.probability(cols)
            for i, want in enumerate(expected):
                features = ChangeFeatures(
                    **{n: bool(cols[n][i]) if n == "fix" else float(cols[n][i]) for n in FULL}
                )
                got, _ = score_change(features, shipped, variant)
                worst = max(worst, abs(got - float(want)))
    if worst > 1e-9:
        raise SystemExit(f"runtime disagrees with scikit-learn by {worst:.3g}")
    return worst


# ---------------------------------------------------------------- doc

MARKER = "<!-- {edge} GENERATED {name} (scripts/fit_change_risk.py rewrites this) -->"
DOC_SKELETON = """# Change-risk model

Generated by `scripts/fit_change_risk.py`; the prose around the markers is hand-written.

{blocks}
"""
BLOCKS = ("training-data", "transforms", "coefficients", "evaluation", "comparison")


def write_doc(path: Path, document: dict[str, Any]) -> None:
    blocks = {
        "training-data": _training_md(document["training_data"]),
        "transforms": _transforms_md(document["variants"]),
        "coefficients": _coefficients_md(document["variants"]),
        "evaluation": _evaluation_md(document["evaluation"]["results"]),
        "comparison": _comparison_md(document["evaluation"]),
    }
    if path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        text = DOC_SKELETON.format(blocks="\n\n".join(_fenced(b, "") for b in BLOCKS))
    for name, body in blocks.items():
        pattern = re.compile(
            re.escape(MARKER.format(edge="BEGIN", name=name))
            + ".*?"
            + re.escape(MARKER.format(edge="END", name=name)),
            re.DOTALL,
        )
        if not pattern.search(text):
            raise SystemExit(f"{path}: markers for {name!r} not found")
        text = pattern.sub(lambda _m, n=name, b=body: _fenced(n, b), text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _fenced(name: str, body: str) -> str:
    begin = MARKER.format(edge="BEGIN", name=name)
    end = MARKER.format(edge="END", name=name)
    return f"{begin}\n{body}\n{end}"


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _training_md(training: Mapping[str, Any]) -> str:
    rows = [
        [
            p["name"],
            f"{p['commits']:,}",
            f"{p['train_commits']:,}",
            f"{p['train_dates'][0]} – {p['train_dates'][1]}",
            f"{p['train_bug_rate']:.1%}",
            f"{p['test_commits']:,}",
            f"{p['test_dates'][0]} – {p['test_dates'][1]}",
            f"{p['test_bug_rate']:.1%}",
        ]
        for p in training["projects"]
    ]
    header = ["project", "commits", "train", "train dates", "train bug rate",
              "test", "test dates", "test bug rate"]  # fmt: skip
    limit = training["row_limit_per_project"]
    note = f"\n\n**Slice: only the earliest {limit} commits per project.**" if limit else ""
    return (
        _md_table(header, rows)
        + f"\n\nPooled training set: {training['pooled_train_commits']:,} commits. "
        + f"Source commit `{training['source_commit']}`."
        + note
    )


def _transforms_md(variants: Mapping[str, Any]) -> str:
    full = variants["full"]["transforms"]
    diff = variants["diff_only"]["transforms"]
    rows = []
    for name in FULL:
        t = full[name]
        steps = (f"÷ max({t['divide_by']}, 1), " if t["divide_by"] else "") + (
            "log1p" if t["log1p"] else "as is"
        )
        d = diff.get(name)
        rows.append([
            f"`{name}`",
            steps,
            f"{t['mean']:.3f}",
            f"{t['std']:.3f}",
            f"{d['mean']:.3f} / {d['std']:.3f}" if d else "—",
        ])  # fmt: skip
    return _md_table(["feature", "transform", "mean (full)", "std (full)",
                      "mean / std (diff_only)"], rows)  # fmt: skip


def _coefficients_md(variants: Mapping[str, Any]) -> str:
    full, diff = variants["full"], variants["diff_only"]
    order = sorted(FULL, key=lambda n: -abs(full["coefficients"][n]))
    rows = [
        [
            f"`{name}`",
            _signed(full["coefficients"][name]),
            f"{math.exp(full['coefficients'][name]):.2f}",
            _signed(diff["coefficients"][name]) if name in diff["coefficients"] else "—",
        ]
        for name in order
    ]
    rows.append(["(intercept)", _signed(full["intercept"]), "", _signed(diff["intercept"])])
    return _md_table(
        [
            "feature",
            "full: log-odds per SD",
            "full: odds ×, per +1 SD",
            "diff_only: log-odds per SD",
        ],
        rows,
    )


def _signed(value: float) -> str:
    return f"{value:+.3f}"


def _evaluation_md(results: Mapping[str, Any]) -> str:
    labels = {
        "auc": "AUC",
        "f1": "F1",
        "recall_at_20_effort": "Recall@20%Effort",
        "effort_at_20_recall": "Effort@20%Recall (lower is better)",
        "popt": "Popt",
    }
    projects = list(results["full"])
    sections = []
    for metric, label in labels.items():
        rows = [[MODELS[m], *(_cell(results[m][p][metric]) for p in projects)] for m in MODELS]
        sections.append(f"**{label}**\n\n" + _md_table(["model", *projects], rows))
    return "\n\n".join(sections)


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _comparison_md(evaluation: Mapping[str, Any]) -> str:
    results, versus = evaluation["results"], evaluation["versus_lapredict_ci95"]
    projects = [p for p in results["full"] if p != "mean"]
    rows = []
    for model in ("full", "diff_only", "per_project"):
        for metric in ("auc", "popt"):
            ci = versus[model][metric]
            delta = _delta(results, model, metric, "mean")
            above = [p for p in projects if ci[p] and ci[p][0] > 0]
            below = [p for p in projects if ci[p] and ci[p][1] < 0]
            shown = "n/a"
            if delta is not None and ci["mean"]:
                shown = f"{delta:+.3f} [{ci['mean'][0]:+.3f}, {ci['mean'][1]:+.3f}]"
            label = "AUC" if metric == "auc" else "Popt"
            rows.append(
                [MODELS[model], label, shown, ", ".join(above) or "—", ", ".join(below) or "—"]
            )
    header = ["model", "metric", "mean Δ vs LApredict [95 % CI]",
              "better (CI > 0)", "worse (CI < 0)"]  # fmt: skip
    note = (
        f"\n\nPaired bootstrap over each project's test commits, {versus['replicates']} "
        f"replicates, seed {versus['seed']}."
    )
    return _md_table(header, rows) + note


def _delta(results: Mapping[str, Any], model: str, metric: str, project: str) -> float | None:
    ours, base = results[model][project][metric], results["lapredict"][project][metric]
    return None if ours is None or base is None else float(ours - base)


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    result = run(args.data, args.limit, args.bootstrap)
    document = model_document(result, args.data, args.limit)
    # Only a model the runtime scores exactly like scikit-learn replaces the shipped one.
    args.out.parent.mkdir(parents=True, exist_ok=True)
    staged = args.out.with_name(args.out.name + ".tmp")
    staged.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    try:
        worst = cross_check(result, staged)
    except BaseException:
        staged.unlink()
        raise
    staged.replace(args.out)
    write_doc(args.doc, document)
    _print_summary(document, worst)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "jit")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "config" / "change_risk_model.json")
    parser.add_argument("--doc", type=Path, default=REPO_ROOT / "docs" / "risk-model.md")
    parser.add_argument(
        "--limit", type=_positive, default=None,
        help="only the earliest N commits per project (quick checks; never ship this)",
    )  # fmt: skip
    parser.add_argument(
        "--bootstrap", type=_replicates, default=1000, metavar="N",
        help="paired bootstrap replicates for the comparison with LApredict",
    )  # fmt: skip
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 10:
        raise argparse.ArgumentTypeError("--limit must be at least 10")
    return value


def _replicates(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("--bootstrap must be at least 1")
    return value


def _print_summary(document: Mapping[str, Any], worst: float) -> None:
    results = document["evaluation"]["results"]
    print(f"model {document['model_version']}; runtime cross-check max |Δp| = {worst:.1e}")
    for model, label in MODELS.items():
        mean = results[model]["mean"]
        cells = "  ".join(f"{m}={_cell(mean[m])}" for m in METRICS)
        print(f"  {label:32s} {cells}")


if __name__ == "__main__":
    raise SystemExit(main())

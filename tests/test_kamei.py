"""Kamei change features from a diff and from a real (tiny, local) git history."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from agents.change_risk import ChangeFeatures, score
from agents.kamei import (
    ChangedFile,
    GitHistoryError,
    changed_files,
    diff_features,
    history_features,
    normalised_entropy,
)
from tests.configs import change_risk_model

DAY = 86_400
T0 = 1_600_000_000  # 2020-09-13, a fixed epoch so ages are exact
ALICE = ("Alice Example", "alice@example.com")
BOB = ("Bob Example", "Bob@Example.com")  # mixed case: matching must not care


# ---------------------------------------------------------------- diff features


def test_diff_features_hand_computed() -> None:
    files = [
        ChangedFile(path="src/app/main.py", additions=10, deletions=2),  # churn 12
        ChangedFile(path="src/app/util.py", additions=3, deletions=1),  # 4
        ChangedFile(path="docs/index.md", additions=4, deletions=0),  # 4
        ChangedFile(path="README.md", additions=0, deletions=0),  # 0 (e.g. a mode change)
    ]
    features = diff_features(files, "Fix crash when the config is empty")
    assert features.la == 17
    assert features.ld == 3
    assert features.nf == 4
    assert features.nd == 3  # src/app, docs, the root
    assert features.ns == 3  # src, docs, the root
    # p = (.6, .2, .2, 0): H = .6*log2(1/.6) + 2 * .2*log2(5) = 1.370950..., / log2(4)
    assert features.entropy == pytest.approx(0.6854753, abs=1e-6)
    assert features.fix is True
    assert features.lt is None  # history is not a diff's business


def test_single_file_has_zero_entropy() -> None:
    features = diff_features([ChangedFile(path="a.py", additions=5, deletions=5)], "Add a")
    assert (features.nf, features.nd, features.ns, features.entropy) == (1, 1, 1, 0.0)


def test_even_spread_is_maximal_entropy() -> None:
    assert normalised_entropy([7, 7, 7]) == pytest.approx(1.0)
    assert normalised_entropy([0, 0]) == 0.0
    assert normalised_entropy([]) == 0.0


def test_a_path_listed_twice_is_one_file() -> None:
    files = [ChangedFile(path="a/x.py", additions=1, deletions=0)] * 2
    features = diff_features(files, "")
    assert (features.la, features.nf) == (2, 1)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Fix race in scheduler", True),
        ("fixes #123", True),
        ("Bug 54321 - NPE in parser", True),
        ("Resolves: ACME-7", True),
        ("hotfix for login", True),
        ("Correct a defect in rounding", True),
        ("Add prefix handling", False),  # "fix" inside a word
        ("QTBUG-123: speed up layout", False),  # "BUG" inside a token
        ("Debugging aid for workers", False),
        ("Add feature flags", False),
    ],
)
def test_fix_keywords_are_whole_words(message: str, expected: bool) -> None:
    assert diff_features([ChangedFile(path="a", additions=1, deletions=0)], message).fix is expected


def test_diff_features_score_with_diff_only() -> None:
    features = diff_features([ChangedFile(path="src/a.py", additions=40, deletions=3)], "Add a")
    assert score(features, change_risk_model()).variant == "diff_only"


# ---------------------------------------------------------------- history features


def _git(repo: Path, *args: str, who: tuple[str, str] = ALICE, at: int = T0) -> str:
    stamp = f"@{at} +0000"
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": who[0],
        "GIT_AUTHOR_EMAIL": who[1],
        "GIT_COMMITTER_NAME": who[0],
        "GIT_COMMITTER_EMAIL": who[1],
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _commit(repo: Path, files: dict[str, int], who: tuple[str, str], at: int, msg: str) -> str:
    """Write each file with the given number of lines, then commit everything."""
    for name, lines in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{name} line {i}\n" for i in range(lines)), encoding="utf-8")
    _git(repo, "add", "-A", who=who, at=at)
    _git(repo, "commit", "-q", "-m", msg, who=who, at=at)
    return _git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """c1 alice day 0: src/a.py (10 lines), docs/readme.md (3)
    c2 bob   day 1: src/a.py -> 12, new src/b.py (5)
    c3 alice day 3: docs/readme.md -> 4
    c4 bob   day 5: src/a.py -> 14 (+2), src/b.py -> 6 (+1), new lib/c.py (2)"""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("repo")
    _git(repo, "init", "-q", "-b", "main")
    shas = {
        "c1": _commit(repo, {"src/a.py": 10, "docs/readme.md": 3}, ALICE, T0, "Initial import"),
        "c2": _commit(repo, {"src/a.py": 12, "src/b.py": 5}, BOB, T0 + 1 * DAY, "Add b"),
        "c3": _commit(repo, {"docs/readme.md": 4}, ALICE, T0 + 3 * DAY, "Docs"),
        "c4": _commit(
            repo, {"src/a.py": 14, "src/b.py": 6, "lib/c.py": 2}, BOB, T0 + 5 * DAY, "Fix a bug"
        ),
    }
    return {"repo": repo, **shas}


def test_history_features_hand_computed(history: dict[str, object]) -> None:
    repo, c4 = history["repo"], history["c4"]
    assert isinstance(repo, Path) and isinstance(c4, str)
    features = history_features(repo, c4)
    assert features.lt == 12 + 5 + 0  # lines in the parent; lib/c.py is new
    assert features.ndev == 2  # alice and bob changed src/a.py; bob is the author
    assert features.age == pytest.approx((4 + 4 + 0) / 3)  # days since a.py, b.py changed
    assert features.nuc == (2 + 1) + (1 + 1) + (0 + 1)  # earlier changes + this one, per file
    assert features.exp == 2 + 3  # bob's c2 touched 2 files; c4 touches 3
    assert features.rexp == pytest.approx(2 * 1 / (1 + 4) + 3)  # c2 is 4 days old
    assert features.sexp == 3  # bob's distinct files in src/ and lib/
    assert features.la is None  # diff features are not history's business


def test_history_of_a_root_commit(history: dict[str, object]) -> None:
    repo, c1 = history["repo"], history["c1"]
    assert isinstance(repo, Path) and isinstance(c1, str)
    features = history_features(repo, c1)
    assert (features.lt, features.ndev, features.age, features.nuc) == (0, 1, 0, 2)
    assert (features.exp, features.rexp, features.sexp) == (2, 2, 2)


def test_history_with_explicit_files(history: dict[str, object]) -> None:
    repo, c4 = history["repo"], history["c4"]
    assert isinstance(repo, Path) and isinstance(c4, str)
    only_a = [ChangedFile(path="src/a.py", additions=2, deletions=0)]
    features = history_features(repo, c4, only_a)
    assert (features.lt, features.ndev, features.nuc) == (12, 2, 3)
    assert features.age == pytest.approx(4)


def test_history_reads_at_most_max_commits(history: dict[str, object]) -> None:
    repo, c4 = history["repo"], history["c4"]
    assert isinstance(repo, Path) and isinstance(c4, str)
    features = history_features(repo, c4, max_commits=1)
    assert features.nuc == (1 + 1) + (1 + 1) + (0 + 1)  # only c2 is seen for src/a.py


def test_changed_files_and_full_pipeline(history: dict[str, object]) -> None:
    repo, c4 = history["repo"], history["c4"]
    assert isinstance(repo, Path) and isinstance(c4, str)
    files = changed_files(repo, c4)
    assert sorted((f.path, f.additions, f.deletions) for f in files) == [
        ("lib/c.py", 2, 0),
        ("src/a.py", 2, 0),
        ("src/b.py", 1, 0),
    ]
    diff = diff_features(files, "Fix a bug")
    merged = ChangeFeatures(
        **{**diff.model_dump(exclude_none=True),
           **history_features(repo, c4, files).model_dump(exclude_none=True)}
    )  # fmt: skip
    result = score(merged, change_risk_model())
    assert result.variant == "full"
    assert result.missing == []
    assert math.isfinite(result.logit)


def test_a_merge_is_compared_with_its_first_parent(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(tmp_path, "init", "-q", "-b", "main")
    _commit(tmp_path, {"a.py": 1}, ALICE, T0, "Base")
    _git(tmp_path, "checkout", "-q", "-b", "topic")
    _commit(tmp_path, {"lib/b.py": 3}, BOB, T0 + DAY, "Add b")
    _git(tmp_path, "checkout", "-q", "main")
    _commit(tmp_path, {"a.py": 2}, ALICE, T0 + 2 * DAY, "Grow a")
    _git(tmp_path, "merge", "-q", "--no-ff", "-m", "Merge topic", "topic", at=T0 + 3 * DAY)
    merge = _git(tmp_path, "rev-parse", "HEAD")
    assert [(f.path, f.additions) for f in changed_files(tmp_path, merge)] == [("lib/b.py", 3)]


def test_unknown_commit_is_a_clear_error(history: dict[str, object]) -> None:
    repo = history["repo"]
    assert isinstance(repo, Path)
    with pytest.raises(GitHistoryError, match="unknown commit"):
        history_features(repo, "0" * 40)


def test_not_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GitHistoryError, match="not a git repository"):
        history_features(tmp_path, "HEAD")

"""Kamei et al. (2013) change features, from a diff and from a local git clone.

:func:`diff_features` needs only the changed files and the message. :func:`history_features`
reads a local clone with bounded ``git`` calls (no network). Where the paper leaves room,
the definitions follow the extraction that produced the model's training data (Zeng et
al., ISSTA 2021, ``extract_k_feature.py``) so runtime values land on the training scale;
each such choice is noted on the function.
"""

from __future__ import annotations

import math
import re
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field

from agents.change_risk import ChangeFeatures

__all__ = [
    "DEFAULT_MAX_COMMITS",
    "FIX_PATTERN",
    "ChangedFile",
    "GitHistoryError",
    "changed_files",
    "diff_features",
    "history_features",
    "normalised_entropy",
]

# Mockus & Votta style corrective keywords, whole words only ("prefix" is not a fix).
FIX_PATTERN = re.compile(
    r"\b(?:fix(?:e[sd]|ing)?|bug(?:s|fix(?:es)?)?|defects?|patch(?:e[sd])?"
    r"|hotfix(?:es)?|resolv(?:e[sd]?|ing))\b",
    re.IGNORECASE,
)
DEFAULT_MAX_COMMITS = 10_000  # per git log call; keeps huge histories bounded
GIT_TIMEOUT_S = 120
_DAY_S = 86_400


class ChangedFile(BaseModel):
    """One file in a change, as a diff or a code host's API reports it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(min_length=1)  # repository-relative, "/"-separated
    additions: int = Field(ge=0)
    deletions: int = Field(ge=0)


class GitHistoryError(RuntimeError):
    """A git command failed or timed out (bad repository or commit)."""


# ---------------------------------------------------------------- from a diff


def diff_features(files: Sequence[ChangedFile], message: str) -> ChangeFeatures:
    """la, ld, nf, nd, ns, entropy and fix of a change.

    ``nd`` counts distinct parent directories and ``ns`` distinct subsystems (the
    top-level directory); files at the root share one of each. ``entropy`` is Kamei's
    normalised entropy (see :func:`normalised_entropy`).
    """
    churn = _churn_by_path(files)
    paths = [PurePosixPath(path) for path in churn]
    return ChangeFeatures(
        la=float(sum(added for added, _ in churn.values())),
        ld=float(sum(deleted for _, deleted in churn.values())),
        nf=float(len(churn)),
        nd=float(len({str(path.parent) for path in paths})),
        ns=float(len({_subsystem(path) for path in paths})),
        entropy=normalised_entropy([added + deleted for added, deleted in churn.values()]),
        fix=FIX_PATTERN.search(message) is not None,
    )


def normalised_entropy(churn: Sequence[int]) -> float:
    """Kamei et al. 2013: H = -sum(p_k log2 p_k), p_k the share of modified lines
    (added + deleted) in file k, divided by log2(n) for n files; 0 for one file.

    The ISSTA'21 CSV stores H unnormalised; the fitting script normalises it.
    """
    total = sum(churn)
    if len(churn) < 2 or total == 0:
        return 0.0
    bits = -sum(c / total * math.log2(c / total) for c in churn if c > 0)
    return min(1.0, bits / math.log2(len(churn)))  # min(): float rounding only


def _churn_by_path(files: Iterable[ChangedFile]) -> dict[str, tuple[int, int]]:
    # A path listed twice is still one file.
    churn: dict[str, tuple[int, int]] = {}
    for item in files:
        added, deleted = churn.get(item.path, (0, 0))
        churn[item.path] = (added + item.additions, deleted + item.deletions)
    return churn


def _subsystem(path: PurePosixPath) -> str:
    return path.parts[0] if len(path.parts) > 1 else ""


# ---------------------------------------------------------------- from git history


@dataclass(frozen=True)
class _Commit:
    sha: str
    email: str
    time: int
    paths: tuple[str, ...]


def history_features(
    repo_path: Path,
    commit: str,
    files: Sequence[ChangedFile] | None = None,
    *,
    max_commits: int = DEFAULT_MAX_COMMITS,
) -> ChangeFeatures:
    """lt, ndev, age, nuc, exp, rexp and sexp of ``commit``, from history before it.

    ``files`` defaults to what the commit itself changed. Definitions, as in the
    training data's extraction (so values match the coefficients' scale):

    - ``lt``: lines of the touched files in the parent, summed (0 for new files);
    - ``ndev``: distinct authors (by e-mail) of earlier changes to the files, plus
      the commit's own author;
    - ``age``: mean over files of days since the file last changed (0 for new files);
    - ``nuc``: per file, earlier changes + 1 (this one), summed;
    - ``exp``: the author's file-changes, earlier ones plus this commit's;
    - ``rexp``: the same, each weighted 1 / (1 + age in days);
    - ``sexp``: distinct files the author has changed in this commit's subsystems.

    Bounded: each ``git log`` reads at most ``max_commits`` commits; renames are not
    followed. Merge commits are skipped, as most JIT extractors do.
    """
    sha = _rev_parse(repo_path, f"{commit}^{{commit}}")
    if sha is None:
        raise GitHistoryError(f"unknown commit {commit!r} in {repo_path}")
    email, now = _identity(repo_path, sha)
    paths = sorted(_churn_by_path(files)) if files is not None else _changed_paths(repo_path, sha)
    parent = _rev_parse(repo_path, f"{sha}^")
    touched = _log(repo_path, parent, max_commits, paths=paths) if parent and paths else []
    mine = _log(repo_path, parent, max_commits, author=email) if parent else []
    return ChangeFeatures(
        lt=float(_lines_before(repo_path, parent, paths)),
        **_file_history(paths, touched, email, now),
        **_experience(paths, mine, now),
    )


def changed_files(repo_path: Path, commit: str) -> list[ChangedFile]:
    """The files ``commit`` changed against its first parent (binary files count 0).

    A merge is compared with its first parent, i.e. what it brought into the branch.
    """
    parent = _rev_parse(repo_path, f"{commit}^")
    trees = [parent, commit] if parent else ["--root", commit]
    out = _git(repo_path, "diff-tree", "--no-commit-id", "--no-renames",
               "-r", "-z", "--numstat", *trees)  # fmt: skip
    result = []
    for record in filter(None, out.split("\0")):  # "added\tdeleted\tpath" each
        added, deleted, path = record.split("\t", 2)
        result.append(ChangedFile(path=path, additions=_count(added), deletions=_count(deleted)))
    return result


def _count(text: str) -> int:
    return 0 if text == "-" else int(text)  # "-" marks a binary file


def _changed_paths(repo_path: Path, sha: str) -> list[str]:
    return sorted({item.path for item in changed_files(repo_path, sha)})


def _file_history(
    paths: Sequence[str], touched: Sequence[_Commit], email: str, now: int
) -> dict[str, float]:
    changes: dict[str, list[_Commit]] = defaultdict(list)
    for change in touched:
        for path in change.paths:
            changes[path].append(change)
    ages = [_days_since_last(changes[p], now) for p in paths]
    authors = {c.email for p in paths for c in changes[p]} | {email}
    return {
        "ndev": float(len(authors)),
        "age": sum(ages) / len(ages) if ages else 0.0,
        "nuc": float(sum(len(changes[p]) + 1 for p in paths)),
    }


def _days_since_last(changes: Sequence[_Commit], now: int) -> float:
    # A file with no earlier change has age 0, as in the training data.
    return max(0, now - max(c.time for c in changes)) / _DAY_S if changes else 0.0


def _experience(paths: Sequence[str], mine: Sequence[_Commit], now: int) -> dict[str, float]:
    earlier = [(path, c.time) for c in mine for path in c.paths]
    subsystems = {_subsystem(PurePosixPath(p)) for p in paths}
    own_files = {path for path, _ in earlier} | set(paths)
    return {
        "exp": float(len(earlier) + len(paths)),
        # This commit's own files are age 0, i.e. weight 1 each.
        "rexp": sum(1 / (1 + max(0, now - t) / _DAY_S) for _, t in earlier) + len(paths),
        "sexp": float(sum(_subsystem(PurePosixPath(p)) in subsystems for p in own_files)),
    }


def _lines_before(repo_path: Path, parent: str | None, paths: Sequence[str]) -> int:
    if parent is None or not paths:
        return 0
    # One cat-file process for all files; a path absent from the parent is "missing".
    request = "".join(f"{parent}:{path}\n" for path in paths).encode()
    out = _run(repo_path, ["cat-file", "--batch"], stdin=request)
    total, position = 0, 0
    for _ in paths:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        blob = out[position : position + size]
        position += size + 1  # content is followed by a newline
        if header[1] == b"blob":
            total += blob.count(b"\n") + (0 if not blob or blob.endswith(b"\n") else 1)
    return total


def _log(
    repo_path: Path,
    tip: str | None,
    max_commits: int,
    *,
    paths: Sequence[str] = (),
    author: str | None = None,
) -> list[_Commit]:
    if tip is None:
        return []
    args = ["log", "--no-merges", "--no-renames", f"--max-count={max_commits}",
            "--format=%x1e%H%x00%ae%x00%ct", "--name-only"]  # fmt: skip
    if author is not None:
        # Fixed string on "<email>": exact, and immune to regex characters in addresses.
        args += ["--fixed-strings", "--regexp-ignore-case", f"--author=<{author}>"]
    args += [tip, "--", *paths]
    commits = []
    for record in _git(repo_path, *args).split("\x1e")[1:]:
        header, _, names = record.partition("\n")
        sha, email, time = header.split("\0")
        files = tuple(line for line in names.splitlines() if line)
        commits.append(_Commit(sha, email.lower(), int(time), files))
    return commits


def _identity(repo_path: Path, sha: str) -> tuple[str, int]:
    email, time = _git(repo_path, "log", "-1", "--format=%ae%x00%ct", sha).strip().split("\0")
    return email.lower(), int(time)


def _rev_parse(repo_path: Path, rev: str) -> str | None:
    # Exit 1 means "no such revision" (e.g. a root commit's parent); worse is an error.
    out = _run(repo_path, ["rev-parse", "--verify", "--quiet", rev], accept=(0, 1))
    return out.decode().strip() or None


def _git(repo_path: Path, *args: str) -> str:
    return _run(repo_path, list(args)).decode("utf-8", errors="surrogateescape")


def _run(
    repo_path: Path, args: list[str], stdin: bytes | None = None, accept: tuple[int, ...] = (0,)
) -> bytes:
    # Settings a user's config could flip are pinned, so output parses the same anywhere;
    # pathspecs are literal so a file named "*.py" matches only itself.
    command = ["git", "-C", str(repo_path), "--literal-pathspecs",
               "-c", "core.quotepath=off", "-c", "log.showSignature=false",
               "-c", "log.mailmap=false", *args]  # fmt: skip
    try:
        done = subprocess.run(
            command, input=stdin, capture_output=True, timeout=GIT_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitHistoryError(f"git {args[0]} failed in {repo_path}: {exc}") from exc
    if done.returncode not in accept:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit {done.returncode}"
        raise GitHistoryError(f"git {args[0]} failed in {repo_path}: {reason}")
    return done.stdout

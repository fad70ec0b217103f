"""The ``security-review`` graph: one pull request through the security agent.

guard → load (PR, contents, OSV) → review (security agent + advisory annotations) →
record (kind ``security-review``) → post (only when asked, never while the global,
security or publishing switch is on) → sign-off interrupt → refresh the summary comment
→ end. Reading happens in ``load`` only; writing to GitHub only in ``post``/``refresh``,
through the separate publisher. A stopped run goes straight to the end.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from itertools import pairwise
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast
from urllib.parse import quote

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from agents.advisory import AdvisoryContext, TextOrigin, UntrustedText
from agents.models import Finding, LlmUsage
from agents.scoring import score_findings
from agents.security import SecurityAgent, checklist_for, dependency_changes, packages_to_query
from agents.security.dependencies.manifests import LINE_BASED, manifest_kind
from agents.security.review_report import SecurityReviewReport, Unreviewed
from agents.security.workflows import is_workflow
from connectors.errors import ConnectorError
from connectors.github import wire
from connectors.github.models import ChangedFile, CodeOwnerRule, PullRequest
from connectors.osv.models import OsvResult, PackageRef
from connectors.provenance import Gap, SourceProvenance
from governance.db import utc_now
from governance.errors import KillSwitchEngaged
from governance.runs import RunStatus
from graphs import nodes
from graphs.context import GraphContext, resolve, with_default_context
from graphs.inputs import InputRef, ReviewInput, keep_input, read_input
from graphs.state import RunState
from publishers.base import Gate, PublishError
from publishers.github.config import BotConfig, load_bot_config

if TYPE_CHECKING:  # PyGithub and requests load when GitHub is read or written, not for a diff
    from publishers.github.client import GitHubPublisher
    from publishers.github.post import PostOutcome

log = logging.getLogger(__name__)
KIND = "security-review"
Update = dict[str, Any]
# Files whose checks read the whole head text (taint needs the sources above a hunk).
_FULL_FILE_SUFFIXES = frozenset({".py", ".pyi", ".tf", ".js", ".jsx", ".mjs", ".cjs", ".ts",
                                 ".tsx", ".go", ".java"})


class SecurityReviewRequest(BaseModel):
    """What to review; stored in the graph state as JSON."""

    source: Literal["github", "diff", "local"]
    repo: str | None = None
    number: int | None = None
    # diff/local: the PR the CLI built and the post-change texts; moved into a file named
    # by ``input`` before the run starts, so no diff ever reaches the checkpoint.
    pull: dict[str, Any] | None = None
    contents: dict[str, str] = Field(default_factory=dict)
    input: InputRef | None = None
    codeowners: list[dict[str, Any]] | None = None  # local: the clone's CODEOWNERS rules
    subject: str | None = None
    authors: list[str] = Field(default_factory=list)
    post: bool = False
    config_file: str | None = None
    installation_id: int | None = None  # webhook: the App installation that sent it
    delivery: str | None = None  # webhook: X-GitHub-Delivery, for the audit trail


class SecurityReviewState(RunState, total=False):
    review_input: dict[str, str]  # an InputRef: the PR with its patches, the file texts
    unreviewed: list[dict[str, str]]
    diffed: list[str]
    osv: dict[str, Any] | None
    source_gaps: list[dict[str, str]]
    requests: dict[str, int]
    posting: dict[str, Any]


# -- services: what the nodes read from and write to (injected in tests) ---------------


class PullReader(Protocol):
    """The read-only GitHub connector, as this graph uses it."""

    @property
    def github(self) -> Any: ...

    def fetch_pull(self, repo: str, number: int) -> tuple[PullRequest, SourceProvenance]: ...


class OsvLookup(Protocol):
    def query(self, packages: list[PackageRef]) -> tuple[OsvResult, SourceProvenance]: ...


def default_github(request: SecurityReviewRequest) -> AbstractContextManager[PullReader]:
    from connectors.github import GitHubConnector, GitHubSettings

    settings = GitHubSettings.from_env()
    if settings.uses_app and request.installation_id:
        settings = settings.model_copy(update={"installation_id": request.installation_id})
    return GitHubConnector(settings)


def default_osv(home: Path) -> OsvLookup:
    from connectors.osv import OsvConnector, OsvSettings

    return OsvConnector(OsvSettings(), cache_dir=home / "cache" / "osv")


def default_publisher(request: SecurityReviewRequest, gate: Gate) -> GitHubPublisher:
    from publishers.github.auth import token_from_env
    from publishers.github.client import GitHubPublisher

    base = os.environ.get("GITHUB_API_URL", "").strip() or "https://api.github.com"
    tokens = token_from_env(os.environ, request.installation_id, base_url=base)
    return GitHubPublisher(tokens, gate=gate, base_url=base)


@dataclass
class ReviewServices:
    github: Callable[[SecurityReviewRequest], AbstractContextManager[PullReader]] = default_github
    osv: Callable[[Path], OsvLookup] = default_osv
    publisher: Callable[[SecurityReviewRequest, Gate], GitHubPublisher] = default_publisher
    config: BotConfig | None = None  # None: the request's file, else the context's


@dataclass
class ReviewContext(GraphContext):
    services: ReviewServices = field(default_factory=ReviewServices)
    inputs: dict[str, ReviewInput] = field(default_factory=dict)  # by hash, this process


def review_input(state: SecurityReviewState, ctx: GraphContext) -> ReviewInput:
    """The run's raw input, from this process's memory or from its file (hash checked)."""
    ref = InputRef.model_validate(state["review_input"])
    kept = ctx.inputs if isinstance(ctx, ReviewContext) else {}
    if ref.content_hash not in kept:
        kept[ref.content_hash] = read_input(ref, ctx.limits)
    return kept[ref.content_hash]


def remember_input(ctx: GraphContext, data: ReviewInput) -> InputRef:
    ref = keep_input(ctx.home, data)
    if isinstance(ctx, ReviewContext):
        ctx.inputs.clear()  # one review at a time is enough to keep
        ctx.inputs[ref.content_hash] = data
    return ref


def services_of(ctx: GraphContext) -> ReviewServices:
    """A resumed thread (``advisor signoff``) gets a plain context: the defaults apply."""
    return ctx.services if isinstance(ctx, ReviewContext) else ReviewServices()


def bot_config(request: SecurityReviewRequest, ctx: GraphContext) -> BotConfig:
    """The caller's, else the request's file (the base branch's), else the shell's."""
    services = services_of(ctx)
    if services.config is not None:
        return services.config
    if request.config_file:
        return load_bot_config(Path(request.config_file))
    return ctx.bot


def request_of(state: RunState) -> SecurityReviewRequest:
    return SecurityReviewRequest.model_validate(state["request"])


# -- load: the PR, the contents the checks need, advisories ------------------------------


def needs_full_text(changed: ChangedFile) -> bool:
    """Modified files whose checks read the whole file (an added file's patch is whole)."""
    if changed.status not in ("modified", "renamed", "changed") or not changed.patch:
        return False
    kind = manifest_kind(changed.path)
    return (PurePosixPath(changed.path).suffix in _FULL_FILE_SUFFIXES or is_workflow(changed.path)
            or (kind is not None and kind not in LINE_BASED))


class ContentReader:
    """File texts at a commit through the read-only connector, within the bot's budget."""

    def __init__(self, connector: PullReader, repo: str, config: BotConfig) -> None:
        self._client = connector.github
        self._repo = repo
        self._left = config.max_content_files
        self._max_bytes = config.max_content_bytes

    def read(self, path: str, ref: str) -> tuple[str | None, str]:
        """The text, or None and why not."""
        import requests
        from github import GithubException

        if self._left <= 0:
            return None, "content budget spent (max_content_files in config/bot.yaml)"
        self._left -= 1
        url = f"/repos/{self._repo}/contents/{quote(path, safe='/')}"
        try:
            _, body = self._client.requester.requestJsonAndCheck("GET", url,
                                                                  parameters={"ref": ref})
            text = wire.file_text(body)
        except GithubException as exc:
            return None, "not found at that commit" if exc.status == 404 else f"GitHub {exc.status}"
        except (requests.RequestException, KeyError, TypeError, ValueError) as exc:
            return None, f"unreadable ({str(exc)[:80] or type(exc).__name__})"
        if len(text.encode("utf-8")) > self._max_bytes:
            return None, f"larger than {self._max_bytes} bytes"
        return text, ""

    def merge_base(self, base_ref: str, head_sha: str) -> str:
        """The commit GitHub diffs a PR against; the base branch's tip if unknown."""
        import requests
        from github import GithubException

        url = f"/repos/{self._repo}/compare/{quote(base_ref, safe='')}...{head_sha}"
        try:
            _, body = self._client.requester.requestJsonAndCheck("GET", url,
                                                                  parameters={"per_page": 1})
            return str(body["merge_base_commit"]["sha"])
        except (GithubException, requests.RequestException, KeyError, TypeError):
            return base_ref


@dataclass
class Completion:
    files: list[ChangedFile] = field(default_factory=list)
    unreviewed: list[Unreviewed] = field(default_factory=list)
    diffed: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # head texts already read


def _withheld(changed: ChangedFile) -> bool:
    return changed.patch is None and changed.status != "removed"


def _recover(changed: ChangedFile, reader: ContentReader, pr: PullRequest,
             base: Callable[[], str], done: Completion) -> None:
    """A file GitHub sent no patch for: diff it from its contents, or list it."""
    if not changed.patch_truncated:
        if changed.status != "renamed" or changed.additions + changed.deletions:
            done.unreviewed.append(Unreviewed(path=changed.path, why="binary or empty file "
                                              "(no text diff to scan)"))
        done.files.append(changed)
        return
    new, why = reader.read(changed.path, pr.head_sha)
    old: str | None = ""
    if new is not None and changed.status != "added":
        old, why = reader.read(changed.previous_path or changed.path, base())
    if new is None or old is None:
        done.unreviewed.append(Unreviewed(path=changed.path, why=f"GitHub sent no patch (diff "
                                          f"too large) and the contents could not be read: {why}"))
        done.files.append(changed)
        return
    from connectors.github.withheld import synthesized_patch  # the GitHub client: PR reviews

    patch = synthesized_patch(old, new)
    done.files.append(changed.model_copy(update={"patch": patch, "patch_truncated": False}))
    done.diffed.append(changed.path)
    done.texts[changed.path] = new


def complete_files(pr: PullRequest, reader: ContentReader) -> Completion:
    """Every changed file either has a patch to scan or is listed as not reviewed."""
    done = Completion()
    merge_base: list[str] = []

    def base() -> str:
        if not merge_base:
            merge_base.append(reader.merge_base(pr.base_ref, pr.head_sha))
        return merge_base[0]

    for changed in pr.files:
        if _withheld(changed):
            _recover(changed, reader, pr, base, done)
        else:
            done.files.append(changed)
    return done


def _full_texts(done: Completion, reader: ContentReader, head: str) -> dict[str, str]:
    texts = dict(done.texts)
    for changed in done.files:
        if needs_full_text(changed) and changed.path not in texts:
            text, _ = reader.read(changed.path, head)  # without it: hunks only, a gap says so
            if text is not None:
                texts[changed.path] = text
    return texts


def _listing_gaps(provenance: SourceProvenance) -> list[Unreviewed]:
    return [Unreviewed(path="(files beyond the listing)", why=f"{g.what}: {g.why}")
            for g in provenance.gaps if g.what.startswith("files of PR")]


def load_github(request: SecurityReviewRequest, services: ReviewServices,
                config: BotConfig) -> Update:
    assert request.repo and request.number
    with services.github(request) as connector:
        pr, provenance = connector.fetch_pull(request.repo, request.number)
        reader = ContentReader(connector, request.repo, config)
        done = complete_files(pr, reader)
        contents = _full_texts(done, reader, pr.head_sha)
        stats = getattr(connector, "stats", None)
        used = int(getattr(stats, "requests", 0))
    pr = pr.model_copy(update={"files": tuple(done.files)})
    return {"pull": pr.model_dump(mode="json"), "contents": contents,
            "unreviewed": [u.model_dump() for u in [*done.unreviewed, *_listing_gaps(provenance)]],
            "diffed": done.diffed, "source_gaps": [g.model_dump() for g in provenance.gaps],
            "requests": {"github_read": used}}


def load_given(request: SecurityReviewRequest, ctx: GraphContext) -> Update:
    """A diff or a local clone: the CLI already built the PR (and read the contents)."""
    given = (read_input(request.input, ctx.limits) if request.input
             else ReviewInput(pull=request.pull or {}, contents=request.contents))
    pr = PullRequest.model_validate(given.pull)
    unreviewed = [Unreviewed(path=f.path, why="binary file (no text diff to scan)").model_dump()
                  for f in pr.files if _withheld(f)]
    return {"pull": given.pull, "contents": given.contents, "unreviewed": unreviewed,
            "diffed": [], "source_gaps": [], "requests": {}}


def advisories(pr: PullRequest, contents: dict[str, str], lookup: Callable[[], OsvLookup]
               ) -> tuple[dict[str, Any] | None, list[Gap]]:
    packages = packages_to_query(dependency_changes([pr], contents.get))
    if not packages:
        return None, []
    try:
        result, provenance = lookup().query(packages)
    except Exception as exc:  # an unanswered lookup is a gap, never "no vulnerabilities"
        return None, [Gap(source="osv", what="dependency advisories", why=type(exc).__name__)]
    return result.model_dump(mode="json"), list(provenance.gaps)


def subject_of(request: SecurityReviewRequest) -> str:
    if request.source == "github":
        return f"{request.repo}#{request.number}"
    return request.subject or "local change"


def load(state: SecurityReviewState, runtime: Runtime[GraphContext]) -> Update:
    ctx = resolve(runtime.context)
    if stop := nodes.stopped_by_switch(state, ctx):
        return stop
    request, services = request_of(state), services_of(ctx)
    try:
        config = bot_config(request, ctx)
        loaded = (load_github(request, services, config) if request.source == "github"
                  else load_given(request, ctx))
    except (ConnectorError, ValueError) as exc:
        return failed(state, ctx, f"cannot read the pull request: {exc}")
    pull, contents = loaded.pop("pull"), loaded.pop("contents")
    pr = PullRequest.model_validate(pull)
    osv, gaps = advisories(pr, contents, lambda: services.osv(ctx.home))
    ref = remember_input(ctx, ReviewInput(pull=pull, contents=contents))
    subject = subject_of(request)
    ctx.controls.runs.update(state["run_id"], RunStatus.RUNNING, subject=subject)
    return {**loaded, "review_input": ref.model_dump(), "osv": osv, "subject": subject,
            "source_gaps": [*loaded["source_gaps"], *(g.model_dump() for g in gaps)]}


def failed(state: RunState, ctx: GraphContext, reason: str) -> Update:
    ctx.controls.audit.append(state["actor"], "run.failed", state["run_id"], {"reason": reason})
    ctx.controls.runs.update(state["run_id"], RunStatus.FAILED, detail=reason)
    return {"status": "failed", "halt_reason": reason}


# -- review: the security agent, then the advisory layer's annotations ------------------


def _agent(ctx: GraphContext) -> SecurityAgent:
    factory = ctx.agents.get("security")
    built = factory() if factory else None
    if isinstance(built, SecurityAgent):
        return built
    return SecurityAgent(redactor=ctx.controls.redactor)


def _texts(pr: PullRequest, subject: str) -> list[UntrustedText]:
    texts = [UntrustedText(origin=TextOrigin.PR_TITLE, id=subject, text=pr.title,
                           url=pr.html_url or None)]
    if pr.body:
        texts.append(UntrustedText(origin=TextOrigin.PR_BODY, id=subject, text=pr.body[:4000],
                                   url=pr.html_url or None))
    return texts


def _annotate(ctx: GraphContext, findings: list[Finding], pr: PullRequest, subject: str
              ) -> tuple[list[Finding], LlmUsage, str | None, list[str]]:
    if not findings:
        return findings, LlmUsage(), None, []
    result = ctx.advisor.annotate(findings, AdvisoryContext(subject=subject, agent="security",
                                                            texts=_texts(pr, subject)))
    notices = [result.fallback] if result.fallback else []
    return result.findings, result.usage, result.summary, notices


def review(state: SecurityReviewState, runtime: Runtime[GraphContext]) -> Update:
    ctx = resolve(runtime.context)
    if stop := nodes.stopped_by_switch(state, ctx, agent="security"):
        return stop
    request, subject = request_of(state), state.get("subject", "pull request")
    given = review_input(state, ctx)
    pr = PullRequest.model_validate(given.pull)
    osv = OsvResult.model_validate(state["osv"]) if state.get("osv") else None
    contents = given.contents
    owners = [CodeOwnerRule.model_validate(r) for r in request.codeowners or []]
    # Ownership can be judged for a GitHub PR (its reviews) or a clone with CODEOWNERS.
    result = _agent(ctx).review_pull(pr, ctx.policy, osv=osv, repo=request.repo,
                                     content=contents.get, codeowners=owners,
                                     check_owners=request.source == "github" or bool(owners))
    findings, usage, summary, notices = _annotate(ctx, result.findings, pr, subject)
    gaps = [*result.gaps, *(Gap.model_validate(g) for g in state.get("source_gaps", []))]
    report = SecurityReviewReport(
        subject=subject, source=request.source, repo=request.repo, number=request.number,
        title=pr.title, author=pr.author, url=pr.html_url or None,
        head_sha=pr.head_sha or None, base_ref=pr.base_ref or None, generated_at=utc_now(),
        findings=sorted(findings, key=lambda f: (-f.severity.rank, f.category, f.fingerprint)),
        checklist=checklist_for(subject, findings), gaps=gaps,
        unreviewed=[Unreviewed.model_validate(u) for u in state.get("unreviewed", [])],
        diffed_from_contents=state.get("diffed", []),
        score=score_findings(findings, ctx.policy.scoring, missing_sources=gaps),
        metrics=result.metrics, llm=result.llm.add(usage), advisory_summary=summary,
        notices=list(dict.fromkeys([*notices, *result.llm.notices, *usage.notices])))
    return {"report": report.model_dump(mode="json")}


# -- record, post, sign-off, refresh ---------------------------------------------------------


def authors_of(request: SecurityReviewRequest, report: SecurityReviewReport) -> list[str]:
    return [report.author] if request.source == "github" and report.author else request.authors


def record(state: SecurityReviewState, runtime: Runtime[GraphContext]) -> Update:
    """Register the report and one audit entry per recommendation, exactly once."""
    ctx = resolve(runtime.context)
    if stop := nodes.stopped_by_switch(state, ctx):
        return stop
    request = request_of(state)
    report_id = f"sec-{state['run_id'][:12]}"
    report = SecurityReviewReport.model_validate({**state["report"], "report_id": report_id})
    if not _recorded(ctx, report_id):
        ctx.controls.registry.register(
            KIND, report.subject, report.model_dump(mode="json"), state["actor"],
            subject_authors=authors_of(request, report), thread_id=state["run_id"],
            report_id=report_id,
            extra_events=[nodes.recommendation_event(f, report_id) for f in report.findings],
            extra_payload={"head_sha": report.head_sha, "findings": len(report.findings),
                           "unreviewed": len(report.unreviewed), "delivery": request.delivery})
    ctx.controls.runs.update(state["run_id"], RunStatus.PENDING_SIGNOFF, report_id=report_id)
    return {"report_id": report_id, "report": report.model_dump(mode="json"),
            "status": "pending_signoff"}


def _recorded(ctx: GraphContext, report_id: str) -> bool:
    from governance.errors import UnknownReport

    try:
        ctx.controls.registry.get(report_id)  # a re-run after a crash: already recorded
    except UnknownReport:
        return False
    return True


def _publish_gate(ctx: GraphContext) -> Gate:
    return lambda: ctx.controls.kill_switch.ensure_allowed(agent="security", action="publish")


def _publisher(state: RunState, ctx: GraphContext, request: SecurityReviewRequest
               ) -> GitHubPublisher | str:
    """The publisher, or why posting is skipped (a kill switch, no GitHub PR, no token)."""
    from publishers.github.auth import PublishAuthError

    if request.source != "github":
        return "posting needs a GitHub pull request (--repo and --pr)"
    gate = _publish_gate(ctx)
    try:
        gate()
        return services_of(ctx).publisher(request, gate)
    except KillSwitchEngaged as exc:
        return f"posting skipped: {exc}"
    except PublishAuthError as exc:
        return f"posting skipped: {exc}"


def _skipped(state: RunState, ctx: GraphContext, why: str, posting: dict[str, Any]) -> Update:
    ctx.controls.audit.append(state["actor"], "publish.skipped", state.get("report_id", ""),
                              {"why": why})
    return {"posting": {**posting, "notice": why}}


def _post_with(state: SecurityReviewState, ctx: GraphContext, request: SecurityReviewRequest,
               act: Callable[[GitHubPublisher, BotConfig], PostOutcome]) -> Update:
    previous = state.get("posting", {})
    publisher = _publisher(state, ctx, request)
    if isinstance(publisher, str):
        return _skipped(state, ctx, publisher, previous)
    try:
        outcome = act(publisher, bot_config(request, ctx))
    except (PublishError, KillSwitchEngaged) as exc:
        return _skipped(state, ctx, f"posting stopped: {exc}", previous)
    if outcome.notice:
        return _skipped(state, ctx, outcome.notice, outcome.model_dump())
    ctx.controls.audit.append(state["actor"], "report.published", state["report_id"], {
        "publisher": publisher.name, "where": outcome.summary_url,
        "summary": outcome.summary_action, "inline": outcome.inline_posted,
        "requests": publisher.stats.requests})
    used = {**state.get("requests", {}), "github_write": publisher.stats.requests}
    return {"posting": outcome.model_dump(), "requests": used}


def post(state: SecurityReviewState, runtime: Runtime[GraphContext]) -> Update:
    ctx = resolve(runtime.context)
    if stop := nodes.stopped_by_switch(state, ctx):
        return stop
    request = request_of(state)
    if not request.post:
        return {}
    from publishers.github.post import post_review

    report = SecurityReviewReport.model_validate(state["report"])
    files = PullRequest.model_validate(review_input(state, ctx).pull).files
    return _post_with(state, ctx, request,
                      lambda client, config: post_review(client, report, files, config))


def refresh(state: SecurityReviewState, runtime: Runtime[GraphContext]) -> Update:
    """After the decision: the summary comment shows who decided what, and why."""
    ctx = resolve(runtime.context)
    decision = state.get("decision") or {}
    report = {**state["report"], "decision_comment": decision.get("comment")}
    request = request_of(state)
    if not request.post:
        return {"report": report}
    return {**_post_decided(state, ctx, request, report), "report": report}


def post_again(state: SecurityReviewState, ctx: GraphContext) -> Update | None:
    """``advisor publish``: the decided review on the PR once more, on the record as
    ``state["actor"]``; None if the run never asked to post."""
    request = request_of(state)
    if not request.post:
        return None
    return _post_decided(state, ctx, request, state["report"])


def _post_decided(state: SecurityReviewState, ctx: GraphContext,
                  request: SecurityReviewRequest, report: dict[str, Any]) -> Update:
    """Update the summary comment, or post the whole review if the first post never got
    there. A post that does not happen is on the run: ``approved · publish failed (why)``."""
    from publishers.github.post import post_review, refresh_summary

    shown = SecurityReviewReport.model_validate(report)
    posting = state.get("posting", {})
    decided = RunStatus(ctx.controls.registry.get(state["report_id"]).status.value)
    try:
        _publish_gate(ctx)()
    except KillSwitchEngaged as exc:
        ctx.controls.runs.update(state["run_id"], decided, detail=f"publish blocked ({exc})")
        return {**_skipped(state, ctx, f"posting skipped: {exc}", posting),
                "status": "halted", "halt_reason": str(exc)}
    if posting.get("summary_comment_id"):
        moved = posting.get("moved", [])
        update = _post_with(state, ctx, request,
                            lambda client, config: refresh_summary(client, shown, config, moved))
    else:
        files = PullRequest.model_validate(review_input(state, ctx).pull).files
        update = _post_with(state, ctx, request,
                            lambda client, config: post_review(client, shown, files, config))
    notice = update.get("posting", {}).get("notice")
    if notice:
        ctx.controls.runs.update(state["run_id"], decided, detail=f"publish failed ({notice})")
        return {**update, "status": "publish_failed", "halt_reason": notice}
    ctx.controls.runs.update(state["run_id"], decided, detail="")
    return {**update, "status": decided.value}


# -- the graph ------------------------------------------------------------------------------


def _next_or_end(target: str) -> Callable[[RunState], str]:
    def route(state: RunState) -> str:
        return END if nodes.is_stopped(state) else target

    return route


def build_security_review_graph(
    default_context: Callable[[], GraphContext] | None = None,
) -> StateGraph[Any, GraphContext, Any, Any]:
    """``default_context``: for runs that carry none (served by a LangGraph server)."""
    graph = StateGraph(SecurityReviewState, context_schema=GraphContext)
    steps: list[tuple[str, Callable[..., Update]]] = [
        ("guard", nodes.guard), ("load", load), ("review", review), ("record", record),
        ("post", post), ("signoff", nodes.signoff), ("refresh", refresh)]
    for name, node in steps:
        graph.add_node(name, with_default_context(node, default_context))
    graph.add_edge(START, "guard")
    for (name, _), (following, _) in pairwise(steps):
        graph.add_conditional_edges(name, _next_or_end(following), [following, END])
    graph.add_edge("refresh", END)
    return cast(StateGraph[Any, GraphContext, Any, Any], graph)


def review_context(base: GraphContext, services: ReviewServices | None = None) -> ReviewContext:
    """``base`` with this graph's services (defaults: the environment's credentials)."""
    values = {f.name: getattr(base, f.name) for f in fields(GraphContext)}
    return ReviewContext(**values, services=services or ReviewServices())

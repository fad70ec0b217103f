"""The Claude advisor: one guarded, budgeted, audited call per task, or the offline text.

Before every call (retries included): the kill switch (``action="llm"``), a known price,
and the budgets. Every call sends only redacted, delimited text; asks for JSON matching
a schema (structured outputs, ``output_config.format``: the model gets no tools at all);
caches the stable instructions; and is audited as ``llm.call`` with SHA-256 hashes of
the prompt and the output, never their text. Output that fails validation is retried
once, quoting the error; then the offline narrator writes the section, marked.

Why not a forced tool: Sonnet 5.5 answers 400 to ``tool_choice`` naming a tool, and a
schema-constrained answer needs no tool the model could be talked into "calling".
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import anthropic
from anthropic.types import Message, MessageParam, OutputConfigParam, TextBlockParam
from botocore.exceptions import BotoCoreError
from pydantic import BaseModel, ValidationError

from agents.advisory import merge, offline
from agents.advisory.budget import Tokens, UsageLedger, cost_usd, estimate_tokens, worst_case
from agents.advisory.models import (
    AdvisoryContext,
    AnnotationOutput,
    AnnotationResult,
    ReportDigest,
    SummaryOutput,
    SummaryResult,
)
from agents.advisory.prompts import Prompt, load_prompt
from agents.advisory.render import final_pass, render_annotation_input, render_summary_input
from agents.advisory.replay import ReplayError
from agents.advisory.scan import with_injection_findings
from agents.advisory.settings import AdvisorySettings, Prices
from agents.models import Finding, LlmUsage
from governance.canonical import canonical_json, sha256_hex
from governance.errors import KillSwitchEngaged
from governance.identity import agent_identity
from governance.killswitch import Action
from governance.redact import Redactor, default_redactor

Out = TypeVar("Out", bound=BaseModel)
# What a provider call can fail with: API errors, SDK errors (Bedrock without
# credentials raises RuntimeError or a botocore error), sockets. Anything else is a bug.
PROVIDER_ERRORS: tuple[type[Exception], ...] = (
    anthropic.AnthropicError, BotoCoreError, RuntimeError, OSError)
SdkClient = anthropic.Anthropic | anthropic.AnthropicBedrock


class Gate(Protocol):
    """``governance.killswitch.KillSwitch`` or anything that refuses the same way."""

    def ensure_allowed(self, agent: str | None = None, action: Action = "run") -> None: ...


class AuditSink(Protocol):
    """``governance.audit.AuditLog`` (it redacts payloads itself)."""

    def append(self, actor: str, action: str, subject: str,
               payload: dict[str, Any] | None = None) -> object: ...


class Stop(Exception):
    """This call may not happen; ``label`` marks the offline section, ``detail`` says why."""

    def __init__(self, label: str, detail: str, *, sticky: bool = False) -> None:
        super().__init__(detail)
        self.label = label
        self.detail = detail
        self.sticky = sticky


class Exchange(BaseModel):
    """One task's request, already redacted and rendered."""

    task: str
    prompt: Prompt
    user: str
    agent: str | None
    subject: str
    redactions: dict[str, int]


def output_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema structured outputs accept (no extra keys, constraints described)."""
    return anthropic.transform_schema(model)


class ClaudeAdvisor:
    def __init__(
        self,
        client: SdkClient,
        *,
        provider: str,
        settings: AdvisorySettings,
        gate: Gate,
        audit: AuditSink,
        prompts_dir: Path,
        ledger: UsageLedger,
        redactor: Redactor | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.client = client
        self.provider = provider
        self.settings = settings
        self.model = settings.model_for(provider)
        self.gate = gate
        self.audit = audit
        self.prompts_dir = prompts_dir
        self.ledger = ledger
        self.redactor = redactor or default_redactor()
        self.clock = clock
        self.stopped: Stop | None = None  # kill switch or budget: no more calls this run

    @property
    def narrator(self) -> str:
        return f"llm:{self.model}"

    # -- the two tasks -----------------------------------------------------------------

    def annotate(self, findings: list[Finding], context: AdvisoryContext) -> AnnotationResult:
        base = with_injection_findings(findings, context)
        rendered = render_annotation_input(base, context.texts, self.redactor,
                                           self.settings.max_context_chars)
        prompt = load_prompt("annotate_findings", self.prompts_dir)
        user = prompt.render_user(subject=self._redact(context.subject),
                                  findings=rendered.findings, data=rendered.data)
        exchange = self._exchange("annotate_findings", prompt, user, context.agent,
                                  context.subject, rendered.redactions)
        parsed, usage, stop = self._run(exchange, AnnotationOutput)
        if rendered.truncated_chars:
            usage = usage.model_copy(update={"notices": [*usage.notices, (
                f"annotate_findings: {rendered.truncated_chars} characters of untrusted text "
                f"beyond max_context_chars were not sent")]})
        if parsed is None:
            return self._offline_annotation(base, context, usage, stop)
        merged = merge.merge_annotations(base, parsed, context, narrator=self.narrator,
                                         redactor=self.redactor)
        return AnnotationResult(findings=merged.findings, summary=merged.summary,
                                narrator=self.narrator, merge_notes=merged.notes, usage=usage)

    def summarise(self, report: ReportDigest) -> SummaryResult:
        rendered = render_summary_input(report, self.redactor)
        prompt = load_prompt("summarise_report", self.prompts_dir)
        score = "unknown" if report.score is None else f"{report.score:.0f}/100"
        user = prompt.render_user(subject=self._redact(report.subject), score=score,
                                  findings=rendered.findings, data=rendered.data)
        exchange = self._exchange("summarise_report", prompt, user, report.agent,
                                  report.subject, rendered.redactions)
        parsed, usage, stop = self._run(exchange, SummaryOutput)
        if parsed is None:
            fallback = offline.OfflineAdvisor().summarise(report)
            return fallback.model_copy(update={
                "summary": _marked(stop, fallback.summary), "fallback": _reason(stop),
                "usage": usage})
        merged = merge.merge_summary(report.findings, parsed, redactor=self.redactor)
        usage = usage.model_copy(update={"notices": [*usage.notices, *merged.notes]})
        return SummaryResult(summary=merged.summary, top_risks=merged.top_risks,
                             suggested_tests=merged.suggested_tests, narrator=self.narrator,
                             usage=usage)

    # -- plumbing ----------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        return self.redactor.redact(text).text

    def _exchange(self, task: str, prompt: Prompt, user: str, agent: str | None,
                  subject: str, redactions: dict[str, int]) -> Exchange:
        user, late = final_pass(user, self.redactor)
        counts = {k: redactions.get(k, 0) + late.get(k, 0) for k in {*redactions, *late}}
        return Exchange(task=task, prompt=prompt, user=user, agent=agent,
                        subject=self._redact(subject), redactions=dict(sorted(counts.items())))

    def _offline_annotation(self, base: list[Finding], context: AdvisoryContext,
                            usage: LlmUsage, stop: Stop | None) -> AnnotationResult:
        summary = offline.summary_text(context.subject, base)
        return AnnotationResult(findings=offline.annotate_all(base), summary=_marked(stop, summary),
                                narrator=offline.OFFLINE, fallback=_reason(stop), usage=usage)

    def _run(self, exchange: Exchange,
             schema: type[Out]) -> tuple[Out | None, LlmUsage, Stop | None]:
        """Call, validate, retry once on invalid output; ``None`` means use the offline text."""
        usage = LlmUsage(provider=self.provider, model=self.model,
                         prompt_versions={exchange.prompt.name: exchange.prompt.version})
        content: list[TextBlockParam] = [{"type": "text", "text": exchange.user}]
        repair = load_prompt("repair_output", self.prompts_dir)
        for attempt in (1, 2):
            try:
                message, spent = self._call(exchange, schema, content, attempt)
            except Stop as refused:
                if refused.sticky:
                    self.stopped = refused
                return None, _notice(usage, exchange.task, refused), refused
            usage = usage.add(spent)
            if attempt == 2:
                usage.prompt_versions[repair.name] = repair.version
            text = "".join(b.text for b in message.content if b.type == "text")
            try:
                return schema.model_validate_json(text), usage, None
            except ValidationError as exc:
                error = _validation_summary(exc, message.stop_reason)
            self._audit(exchange, "llm.output_rejected", {"attempt": attempt, "error": error})
            if attempt == 2:
                rejected = Stop("LLM output rejected", f"LLM output rejected twice: {error}")
                return None, _notice(usage, exchange.task, rejected), rejected
            usage = usage.model_copy(update={"notices": [
                *usage.notices, f"{exchange.task}: output rejected ({error}); retried once"]})
            content = [*content, {"type": "text", "text": repair.render_user(error=error)}]
        raise AssertionError("unreachable")  # pragma: no cover

    def _call(self, exchange: Exchange, schema: type[BaseModel], content: list[TextBlockParam],
              attempt: int) -> tuple[Message, LlmUsage]:
        self._check_allowed(exchange)
        request = self._request(exchange, schema, content)
        prices = self.settings.price_for(self.model)
        if prices is None:
            raise Stop("LLM unavailable", f"no price configured for model {self.model}: the USD "
                       "budget could not be enforced, so it is not called", sticky=True)
        estimate = self._input_tokens(exchange, request)
        refusal = self.ledger.refusal(*worst_case(estimate, self.settings.max_tokens, prices))
        if refusal:
            self._audit(exchange, "llm.skipped", {"reason": refusal, "estimated_input": estimate})
            raise Stop("LLM budget reached", refusal, sticky=True)
        self._check_allowed(exchange)  # token counting may have taken a while
        started = self.clock()
        try:
            raw = self.client.messages.with_raw_response.create(**request)
        except ReplayError:
            raise
        except PROVIDER_ERRORS as exc:  # an outage or refusal: fall back, never crash the run
            detail = _describe(exc)
            self._audit(exchange, "llm.call", {**self._hashes(request, None), "attempt": attempt,
                                               "outcome": "error", "error": detail,
                                               "request_id": getattr(exc, "request_id", None)})
            raise Stop("LLM unavailable", detail) from exc
        latency_ms = round((self.clock() - started) * 1000, 1)
        message = raw.parse()
        request_id = raw.headers.get("request-id") or raw.headers.get("x-amzn-requestid")
        return message, self._account(exchange, request, message, attempt, latency_ms, request_id,
                                      prices)

    def _check_allowed(self, exchange: Exchange) -> None:
        if self.stopped is not None:
            raise self.stopped
        try:
            self.gate.ensure_allowed(agent=exchange.agent, action="llm")
        except KillSwitchEngaged as exc:
            self._audit(exchange, "llm.skipped", {"reason": str(exc)})
            raise Stop("LLM stopped by kill switch", str(exc), sticky=True) from exc

    def _request(self, exchange: Exchange, schema: type[BaseModel],
                 content: list[TextBlockParam]) -> dict[str, Any]:
        system: TextBlockParam = {"type": "text", "text": exchange.prompt.system}
        if self.settings.cache_prompts:
            system["cache_control"] = {"type": "ephemeral"}
        output: OutputConfigParam = {"format": {"type": "json_schema",
                                                "schema": output_schema(schema)}}
        if self.settings.effort is not None:
            output["effort"] = self.settings.effort
        messages: list[MessageParam] = [{"role": "user", "content": content}]
        return {
            "model": self.model, "max_tokens": self.settings.max_tokens, "system": [system],
            "messages": messages, "output_config": output, "timeout": self.settings.timeout_s,
            # SDK 2.x dropped sampling parameters from create(); Sonnet 5-class models reject
            # non-default values anyway. Sent only when configured, for models that take them.
            "extra_body": None if self.settings.temperature is None
            else {"temperature": self.settings.temperature},
        }

    def _input_tokens(self, exchange: Exchange, request: dict[str, Any]) -> int:
        local = estimate_tokens(exchange.prompt.system, json.dumps(request["messages"]),
                                json.dumps(request["output_config"]))
        if not (self.settings.count_tokens and self.provider == "anthropic"):
            return local
        self._check_allowed(exchange)  # counting is a network call to the provider too
        try:
            counted = self.client.messages.count_tokens(
                model=request["model"], system=request["system"], messages=request["messages"],
                output_config=request["output_config"])
        except ReplayError:
            raise
        except PROVIDER_ERRORS:  # counting is an optimisation; the estimate is safe (high)
            return local
        return counted.input_tokens

    def _account(self, exchange: Exchange, request: dict[str, Any], message: Message,
                 attempt: int, latency_ms: float, request_id: str | None,
                 prices: Prices) -> LlmUsage:
        u = message.usage
        tokens = Tokens(input=u.input_tokens, output=u.output_tokens,
                        cache_creation=u.cache_creation_input_tokens or 0,
                        cache_read=u.cache_read_input_tokens or 0)
        cost = cost_usd(tokens, prices)
        self.ledger.record(tokens.total, cost)
        text = "".join(b.text for b in message.content if b.type == "text")
        self._audit(exchange, "llm.call", {
            **self._hashes(request, text), "attempt": attempt, "outcome": "ok",
            "stop_reason": message.stop_reason, "request_id": request_id,
            "tokens": tokens.model_dump(), "cost_usd": cost, "latency_ms": latency_ms})
        return LlmUsage(
            provider=self.provider, model=self.model, calls=1, input_tokens=tokens.input,
            output_tokens=tokens.output, cache_creation_input_tokens=tokens.cache_creation,
            cache_read_input_tokens=tokens.cache_read, cost_usd=cost, latency_ms=latency_ms,
            request_ids=[request_id] if request_id else [])

    def _hashes(self, request: dict[str, Any], output: str | None) -> dict[str, Any]:
        sent = {k: request[k] for k in ("model", "system", "messages", "output_config")}
        return {"provider": self.provider, "model": self.model,
                "prompt_sha256": sha256_hex(canonical_json(sent)),
                "output_sha256": None if output is None else sha256_hex(output)}

    def _audit(self, exchange: Exchange, action: str, payload: dict[str, Any]) -> None:
        self.audit.append(agent_identity(exchange.agent or "advisory"), action, exchange.subject, {
            "task": exchange.task,
            "prompt": {"name": exchange.prompt.name, "version": exchange.prompt.version},
            "redacted_in_prompt": exchange.redactions, **payload})


def _describe(exc: Exception) -> str:
    if isinstance(exc, anthropic.APIStatusError):
        kind = f" {exc.type}" if exc.type else ""
        return f"LLM call failed: HTTP {exc.status_code}{kind}" + (
            f" ({exc.api_message})" if exc.api_message else "")
    if isinstance(exc, anthropic.APITimeoutError):
        return "LLM call timed out"
    if isinstance(exc, anthropic.APIConnectionError):
        return "LLM call failed: could not connect"
    return f"LLM call failed: {type(exc).__name__}: {str(exc)[:200]}"


def _validation_summary(exc: ValidationError, stop_reason: str | None) -> str:
    errors = [f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}"
              for e in exc.errors(include_url=False, include_input=False)[:5]]
    more = exc.error_count() - len(errors)
    text = "; ".join(errors) + (f"; and {more} more" if more > 0 else "")
    if stop_reason and stop_reason not in ("end_turn", "tool_use"):
        text += f" (stop_reason={stop_reason})"
    return text


def _notice(usage: LlmUsage, task: str, stop: Stop) -> LlmUsage:
    return usage.model_copy(update={
        "notices": [*usage.notices, f"{task}: {stop.detail}; the offline narrator wrote it"]})


def _reason(stop: Stop | None) -> str | None:
    return None if stop is None else stop.detail


def _marked(stop: Stop | None, text: str) -> str:
    return text if stop is None else f"[{stop.label}: offline narrative] {text}"

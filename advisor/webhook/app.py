"""The webhook server: ``POST /webhooks/github`` and ``GET /healthz``.

Every delivery is checked in this order, and the first failure answers:

1. body larger than ``max_body_bytes``                      → 413
2. body not received within ``body_timeout_s``              → 408
3. ``X-Hub-Signature-256`` missing or wrong (HMAC-SHA256)   → 401
4. ``X-GitHub-Event`` or ``X-GitHub-Delivery`` missing/bad  → 400
5. body not JSON, nested too deeply, or not its event's shape → 400
6. delivery id seen and completed before (persisted)        → 409
7. nothing to do for this event                             → 202 ``ignored``
8. backlog at capacity                                      → 503 (GitHub may redeliver)
9. otherwise: persisted in the store, then                  → 202 ``queued``

The answer never waits for the work: verification and one row in the database, well
under a second. The row is written before the 202, so accepted work outlives the
process (``advisor/webhook/queue.py``); a redelivery of a delivery that never completed
is accepted. Headers that never finish arriving are cut off by the server's protocol
(``advisor/webhook/http.py``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

from advisor.webhook.events import PayloadError, Routed, job_data, route
from advisor.webhook.queue import DeliveryQueue, Offer
from advisor.webhook.signature import verify
from advisor.webhook.work import QueueRunner
from connectors.errors import InputRefused
from connectors.limits import loads_json
from governance.db import utc_now

log = logging.getLogger("advisor.webhook")
_DELIVERY = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_EVENT = re.compile(r"^[a-z_]{1,64}$")


@dataclass(frozen=True)
class WebhookConfig:
    secret: SecretStr
    max_body_bytes: int = 5 * 1024 * 1024
    queue_size: int = 100  # deliveries queued or running, on every replica, at most
    workers: int = 4
    body_timeout_s: float = 10.0
    header_timeout_s: float = 10.0
    json_max_depth: int = 64  # GitHub's payloads nest about 10 deep
    grace_s: float = 30.0  # on SIGTERM: how long running work may finish
    signoff_max_age_s: float = 600.0  # a sign-off comment older than this is refused


class _TooLarge(Exception):
    pass


async def _bounded_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:  # a lying or absent Content-Length: stop reading here
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(status: int, message: str, started: float, **fields: Any) -> JSONResponse:
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    level = logging.INFO if status < 400 else logging.WARNING
    log.log(level, message, extra={"http_status": status, "duration_ms": elapsed, **fields})
    headers = {"Retry-After": "30"} if status == 503 else None
    if status in (408, 413):  # the rest of the body is not read: do not reuse the connection
        headers = {"Connection": "close"}
    return JSONResponse({"status": message}, status_code=status, headers=headers)


def _parse(body: bytes, max_depth: int) -> dict[str, Any] | str:
    """The payload, or why it is refused."""
    try:
        payload = loads_json(body, max_depth, "body")
    except InputRefused as exc:
        return "body nested too deeply" if "nested" in str(exc) else "body is not JSON"
    return payload if isinstance(payload, dict) else "body is not a JSON object"


_ANSWERS = {
    Offer.QUEUED: (202, "queued"),
    Offer.REQUEUED: (202, "queued (redelivery of a delivery that did not complete)"),
    Offer.IN_HAND: (202, "already queued (redelivery of a delivery not yet complete)"),
    Offer.IGNORED: (202, "ignored"),
    Offer.DUPLICATE: (409, "duplicate delivery (already received)"),
    Offer.FULL: (503, "busy: backlog full, redeliver later"),
}


def create_app(config: WebhookConfig, queue: DeliveryQueue, runner: QueueRunner) -> FastAPI:
    secret = config.secret.get_secret_value().encode()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(runner.start)
        yield
        await run_in_threadpool(runner.stop, config.grace_s)  # SIGTERM: finish or release

    app = FastAPI(title="Release Risk Advisor webhook", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "queue_depth": runner.depth, "workers": runner.workers}

    @app.post("/webhooks/github")
    async def github(request: Request) -> JSONResponse:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(config.body_timeout_s):
                body = await _bounded_body(request, config.max_body_bytes)
        except _TooLarge:
            return _answer(413, "payload too large", started)
        except TimeoutError:
            return _answer(408, f"body not received within {config.body_timeout_s:g} s",
                           started)
        if not verify(secret, body, request.headers.get("x-hub-signature-256")):
            return _answer(401, "missing or invalid signature", started)
        event = request.headers.get("x-github-event", "")
        delivery = request.headers.get("x-github-delivery", "")
        if not _EVENT.match(event) or not _DELIVERY.match(delivery):
            return _answer(400, "missing or malformed X-GitHub-Event/X-GitHub-Delivery",
                           started)
        return await _accept(body, event, delivery, started)

    async def _accept(body: bytes, event: str, delivery: str, started: float) -> JSONResponse:
        fields = {"event": event, "delivery": delivery}
        payload = _parse(body, config.json_max_depth)
        if isinstance(payload, str):
            return _answer(400, payload, started, **fields)
        try:
            routed = route(event, payload, delivery)
        except PayloadError:
            return _answer(400, "unexpected payload for this event", started, **fields)
        return await _persist(routed, started, fields)

    async def _persist(routed: Routed, started: float, fields: dict[str, Any]) -> JSONResponse:
        delivery, event = fields["delivery"], fields["event"]
        if isinstance(routed, str):
            offer = await run_in_threadpool(queue.offer, delivery, event, None, routed)
            status, message = _ANSWERS[offer]
            return _answer(status, message, started, reason=routed, **fields)
        job = job_data(routed)
        if "received_at" in job:
            job["received_at"] = utc_now()  # a sign-off command's age is counted from here
        offer = await run_in_threadpool(queue.offer, delivery, event, job)
        if offer in (Offer.QUEUED, Offer.REQUEUED):
            runner.wake()
        status, message = _ANSWERS[offer]
        return _answer(status, message, started, repo=routed.repo, number=routed.number,
                       **fields)

    return app

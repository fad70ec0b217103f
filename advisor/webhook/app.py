"""The webhook server: ``POST /webhooks/github`` and ``GET /healthz``.

Every delivery is checked in this order, and the first failure answers:

1. body larger than ``max_body_bytes``                      → 413
2. ``X-Hub-Signature-256`` missing or wrong (HMAC-SHA256)   → 401
3. ``X-GitHub-Event`` or ``X-GitHub-Delivery`` missing/bad  → 400
4. body not JSON, or not the shape of its event             → 400
5. delivery id seen before (persisted)                      → 409
6. nothing to do for this event                             → 202 ``ignored``
7. queue full                                               → 503 (GitHub may redeliver)
8. otherwise                                                → 202 ``queued``

The answer never waits for the work: verification, one row in the database and a
queue slot, well under a second.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

from advisor.webhook.deliveries import DeliveryLog
from advisor.webhook.events import PayloadError, ReviewJob, Routed, SignOffJob, route
from advisor.webhook.signature import verify
from advisor.webhook.work import WorkQueue

log = logging.getLogger("advisor.webhook")
_DELIVERY = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_EVENT = re.compile(r"^[a-z_]{1,64}$")


@dataclass(frozen=True)
class WebhookConfig:
    secret: SecretStr
    max_body_bytes: int = 5 * 1024 * 1024
    queue_size: int = 100
    workers: int = 4


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
    return JSONResponse({"status": message}, status_code=status, headers=headers)


def _parse(body: bytes) -> dict[str, Any] | None:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def create_app(config: WebhookConfig, deliveries: DeliveryLog, queue: WorkQueue,
               handle: Callable[[ReviewJob | SignOffJob], None]) -> FastAPI:
    secret = config.secret.get_secret_value().encode()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        queue.start()
        yield
        queue.stop()

    app = FastAPI(title="Release Risk Advisor webhook", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "queue_depth": queue.depth, "workers": queue.workers}

    @app.post("/webhooks/github")
    async def github(request: Request) -> JSONResponse:
        started = time.perf_counter()
        try:
            body = await _bounded_body(request, config.max_body_bytes)
        except _TooLarge:
            return _answer(413, "payload too large", started)
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
        payload = _parse(body)
        if payload is None:
            return _answer(400, "body is not a JSON object", started, **fields)
        try:
            routed = route(event, payload, delivery)
        except PayloadError:
            return _answer(400, "unexpected payload for this event", started, **fields)
        if not await run_in_threadpool(deliveries.claim, delivery, event):
            return _answer(409, "duplicate delivery (already received)", started, **fields)
        return await _enqueue(routed, started, fields)

    async def _enqueue(routed: Routed, started: float, fields: dict[str, Any]) -> JSONResponse:
        delivery = fields["delivery"]
        if isinstance(routed, str):
            await run_in_threadpool(deliveries.mark, delivery, "ignored")
            return _answer(202, "ignored", started, reason=routed, **fields)
        job = routed
        if not queue.submit(f"{fields['event']}:{delivery}", lambda: handle(job)):
            await run_in_threadpool(deliveries.mark, delivery, "busy")
            return _answer(503, "busy: work queue full, redeliver later", started,
                           queue_depth=queue.depth, **fields)
        return _answer(202, "queued", started, repo=job.repo, number=job.number,
                       queue_depth=queue.depth, **fields)

    return app


def dispatcher(review: Callable[[ReviewJob], None],
               signoff: Callable[[SignOffJob], None]) -> Callable[[ReviewJob | SignOffJob], None]:
    def handle(job: ReviewJob | SignOffJob) -> None:
        if isinstance(job, ReviewJob):
            review(job)
        else:
            signoff(job)

    return handle

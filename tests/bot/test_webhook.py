"""The webhook server: every refusal answers the right status and processes nothing;
what is accepted is persisted first and processed once."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from advisor.context import open_controls
from advisor.logs import JsonFormatter
from advisor.settings import load_settings
from advisor.webhook import WebhookConfig, create_app, sign
from advisor.webhook.events import ReviewJob, SignOffJob, job_of
from advisor.webhook.handlers import BotHandlers
from advisor.webhook.queue import Claim
from advisor.webhook.server import delivery_queue
from advisor.webhook.work import QueueRunner
from governance.controls import Controls
from graphs.security_review import ReviewContext
from tests.bot.conftest import Wiring
from tests.replay import replayer

SECRET = "webhook-secret-for-tests"
URL = "/webhooks/github"


def pull_request_payload(action: str = "opened", number: int = 207, draft: bool = False
                         ) -> dict[str, Any]:
    return {"action": action, "number": number, "installation": {"id": 4242},
            "repository": {"full_name": "acme/shop"},
            "pull_request": {"number": number, "draft": draft, "head": {"sha": "a" * 40}}}


def comment_payload(body: str, comment_id: int = 9, created_at: str = "2026-05-04T10:00:00Z",
                    updated_at: str | None = None) -> dict[str, Any]:
    return {"action": "created", "repository": {"full_name": "acme/shop"},
            "issue": {"number": 207, "pull_request": {"url": "x"}},
            "comment": {"id": comment_id, "body": body,
                        "user": {"login": "grace", "type": "User"},
                        "created_at": created_at, "updated_at": updated_at or created_at}}


def headers(body: bytes, event: str = "pull_request", delivery: str = "d-1",
            secret: str = SECRET) -> dict[str, str]:
    return {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": sign(secret.encode(), body),
            "Content-Type": "application/json"}


class Recorder:
    def __init__(self) -> None:
        self.jobs: list[ReviewJob | SignOffJob] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, job: ReviewJob | SignOffJob) -> None:
        self.jobs.append(job)
        self.started.set()
        self.release.wait(10)


@pytest.fixture
def controls(home: Any) -> Controls:
    return open_controls(load_settings())


class Server:
    def __init__(self, controls: Controls, recorder: Any, **config: Any) -> None:
        values = {"max_body_bytes": 4096, "queue_size": 2, "workers": 1, **config}
        self.config = WebhookConfig(secret=SecretStr(SECRET), **values)
        self.deliveries = delivery_queue(controls, self.config)

        def handle(claim: Claim) -> None:
            recorder(job_of(claim.event, claim.job))

        self.queue = QueueRunner(self.deliveries, handle, self.config.workers, poll_s=0.05)
        self.app = create_app(self.config, self.deliveries, self.queue)

    def post(self, client: TestClient, payload: Any, **kw: Any) -> Any:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return client.post(URL, content=body, headers=headers(body, **kw))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def server(controls: Controls, recorder: Recorder) -> Server:
    return Server(controls, recorder)


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with TestClient(server.app) as test_client:
        yield test_client


def test_healthz(client: TestClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_a_signed_pull_request_is_queued_and_reviewed(client: TestClient, server: Server,
                                                      recorder: Recorder) -> None:
    answer = server.post(client, pull_request_payload())
    assert answer.status_code == 202 and answer.json()["status"] == "queued"
    server.queue.drain()
    [job] = recorder.jobs
    assert isinstance(job, ReviewJob)
    assert (job.repo, job.number, job.installation_id, job.delivery) == ("acme/shop", 207,
                                                                          4242, "d-1")


def test_a_sign_off_comment_is_queued(client: TestClient, server: Server,
                                      recorder: Recorder) -> None:
    payload = comment_payload("/advisor sign-off approve fine")
    assert server.post(client, payload, event="issue_comment").status_code == 202
    server.queue.drain()
    [job] = recorder.jobs
    assert isinstance(job, SignOffJob) and job.commenter == "grace"


@pytest.mark.parametrize(("event", "payload", "why"), [
    ("ping", {"zen": "Keep it logically awesome."}, "not handled"),
    ("pull_request", pull_request_payload("closed"), "needs no review"),
    ("pull_request", pull_request_payload(draft=True), "draft"),
    ("issue_comment", comment_payload("nice work"), "not an /advisor command"),
])
def test_deliveries_without_work_are_ignored(client: TestClient, server: Server,
                                             recorder: Recorder, event: str,
                                             payload: dict[str, Any], why: str,
                                             caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="advisor.webhook"):
        answer = server.post(client, payload, event=event)
    assert (answer.status_code, answer.json()["status"]) == (202, "ignored")
    assert why in caplog.records[-1].reason  # type: ignore[attr-defined]
    assert server.deliveries.status("d-1") == "ignored" and recorder.jobs == []


def _refused(server: Server, recorder: Recorder, status: int) -> None:
    server.queue.drain()
    assert recorder.jobs == [] and server.queue.depth == 0
    if status != 409:
        assert server.deliveries.status("d-1") is None  # not even remembered


def test_a_bad_signature_is_401(client: TestClient, server: Server, recorder: Recorder) -> None:
    body = json.dumps(pull_request_payload()).encode()
    answer = client.post(URL, content=body, headers=headers(body, secret="wrong"))
    assert answer.status_code == 401
    tampered = headers(body)
    answer = client.post(URL, content=body + b" ", headers=tampered)
    assert answer.status_code == 401
    _refused(server, recorder, 401)


def test_an_unsigned_delivery_is_401(client: TestClient, server: Server,
                                     recorder: Recorder) -> None:
    body = json.dumps(pull_request_payload()).encode()
    unsigned = {k: v for k, v in headers(body).items() if k != "X-Hub-Signature-256"}
    assert client.post(URL, content=body, headers=unsigned).status_code == 401
    sha1 = {**unsigned, "X-Hub-Signature-256": "sha1=" + "0" * 40}
    assert client.post(URL, content=body, headers=sha1).status_code == 401
    _refused(server, recorder, 401)


@pytest.mark.parametrize("missing", ["X-GitHub-Event", "X-GitHub-Delivery"])
def test_missing_headers_are_400(client: TestClient, server: Server, recorder: Recorder,
                                 missing: str) -> None:
    body = json.dumps(pull_request_payload()).encode()
    sent = {k: v for k, v in headers(body).items() if k != missing}
    assert client.post(URL, content=body, headers=sent).status_code == 400
    _refused(server, recorder, 400)


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe", b"",
                                  json.dumps({"action": "opened"}).encode()])
def test_malformed_bodies_are_400(client: TestClient, server: Server, recorder: Recorder,
                                  body: bytes) -> None:
    assert server.post(client, body).status_code == 400
    _refused(server, recorder, 400)


def test_an_oversized_body_is_413(client: TestClient, server: Server,
                                  recorder: Recorder) -> None:
    payload = {**pull_request_payload(), "padding": "x" * 5000}
    assert server.post(client, payload).status_code == 413

    body = json.dumps(payload).encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
        yield from (body[i:i + 1000] for i in range(0, len(body), 1000))

    sent = {k: v for k, v in headers(body).items()}
    assert client.post(URL, content=chunks(), headers=sent).status_code == 413
    _refused(server, recorder, 413)


def test_a_replayed_delivery_is_409_even_after_a_restart(controls: Controls, client: TestClient,
                                                         server: Server,
                                                         recorder: Recorder) -> None:
    payload = pull_request_payload()
    assert server.post(client, payload).status_code == 202
    server.queue.drain()
    assert server.post(client, payload).status_code == 409  # completed: a replay
    assert len(recorder.jobs) == 1
    restarted = Server(controls, recorder)
    with TestClient(restarted.app) as again:
        assert restarted.post(again, payload).status_code == 409
    assert len(recorder.jobs) == 1


def test_a_full_backlog_is_503_and_may_be_redelivered(client: TestClient, server: Server,
                                                      recorder: Recorder) -> None:
    recorder.release.clear()
    payload = pull_request_payload()
    assert server.post(client, payload, delivery="d-1").status_code == 202
    assert recorder.started.wait(5)  # the one worker is busy with d-1
    assert server.post(client, payload, delivery="d-2").status_code == 202
    full = server.post(client, payload, delivery="d-3")  # two queued or running: the cap
    assert full.status_code == 503 and full.headers["Retry-After"] == "30"
    assert server.deliveries.status("d-3") is None  # not recorded: GitHub redelivers
    recorder.release.set()
    server.queue.drain()
    assert [j.delivery for j in recorder.jobs] == ["d-1", "d-2"]
    assert server.post(client, payload, delivery="d-3").status_code == 202  # redelivered
    server.queue.drain()
    assert recorder.jobs[-1].delivery == "d-3"


def test_a_failing_job_does_not_stop_the_worker_and_may_be_redelivered(
        controls: Controls) -> None:
    calls: list[str] = []

    def explode(job: ReviewJob | SignOffJob) -> None:
        calls.append(job.delivery)
        if len(calls) <= 2:
            raise RuntimeError("boom")

    server = Server(controls, explode)
    with TestClient(server.app) as client:
        server.post(client, pull_request_payload(), delivery="d-1")
        server.post(client, pull_request_payload(), delivery="d-2")
        server.queue.drain()
        assert server.deliveries.status("d-1") == "failed"
        # GitHub's "Redeliver" of a delivery that never completed is accepted...
        again = server.post(client, pull_request_payload(), delivery="d-1")
        assert (again.status_code, again.json()["status"]) == (
            202, "queued (redelivery of a delivery that did not complete)")
        server.queue.drain()
    assert calls == ["d-1", "d-2", "d-1"]
    assert server.deliveries.status("d-1") == "done"


def test_a_redelivery_of_queued_work_is_accepted_and_processed_once(
        client: TestClient, server: Server, recorder: Recorder) -> None:
    recorder.release.clear()
    payload = pull_request_payload()
    assert server.post(client, payload, delivery="d-1").status_code == 202
    assert recorder.started.wait(5)
    again = server.post(client, payload, delivery="d-1")  # still running
    assert (again.status_code, again.json()["status"]) == (
        202, "already queued (redelivery of a delivery not yet complete)")
    recorder.release.set()
    server.queue.drain()
    assert [j.delivery for j in recorder.jobs] == ["d-1"]


def test_nesting_past_the_limit_is_400_never_500(controls: Controls, recorder: Recorder) -> None:
    server = Server(controls, recorder, max_body_bytes=1_000_000)
    with TestClient(server.app, raise_server_exceptions=False) as client:
        for depth in (65, 200_000):
            body = b'{"action": "opened", "x": ' + b"[" * depth + b"]" * depth + b"}"
            answer = client.post(URL, content=body, headers=headers(body))
            assert (answer.status_code, answer.json()["status"]) == (
                400, "body nested too deeply"), depth
        _refused(server, recorder, 400)


def test_logs_are_json_and_carry_no_secrets(client: TestClient, server: Server,
                                            caplog: pytest.LogCaptureFixture) -> None:
    body = json.dumps(pull_request_payload()).encode()
    with caplog.at_level(logging.INFO, logger="advisor.webhook"):
        client.post(URL, content=body, headers=headers(body))
        client.post(URL, content=body, headers=headers(body, delivery="d-2", secret="nope"))
    lines = [JsonFormatter().format(r) for r in caplog.records]
    parsed = [json.loads(line) for line in lines]
    assert [p["http_status"] for p in parsed] == [202, 401]
    assert parsed[0]["delivery"] == "d-1" and parsed[0]["repo"] == "acme/shop"
    signature = headers(body)["X-Hub-Signature-256"]
    assert all(SECRET not in line and signature not in line and "4242" not in line
               for line in lines)


def test_a_delivery_runs_the_real_review_end_to_end(ctx: ReviewContext, wiring: Wiring,
                                                    controls: Controls) -> None:
    handlers = BotHandlers(ctx, lambda _installation: wiring.services())
    server = Server(ctx.controls, Recorder())
    server.queue = QueueRunner(server.deliveries, handlers.handle, 1, poll_s=0.05)
    server.app = create_app(WebhookConfig(secret=SecretStr(SECRET)), server.deliveries,
                            server.queue)
    with replayer("github_bot").use_cassette("planted_pr.yaml"), \
            TestClient(server.app) as client:
        assert server.post(client, pull_request_payload()).status_code == 202
        server.queue.drain()
    [record] = ctx.controls.registry.list(kind="security-review")
    assert record.subject == "acme/shop#207" and record.created_by == "agent:pr-bot"
    assert [m for m, _, _ in wiring.session.writes()] == ["POST", "POST", "POST"]

"""The audit log: append-only, hash-chained, verifiable, exportable — on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
import multiprocessing
from pathlib import Path

import pytest

from governance.audit import GENESIS_HASH, AuditEvent, AuditFilter, AuditLog
from governance.canonical import canonical_json, sha256_hex
from governance.db import Store
from governance.redact import Redactor
from tests.governance.helpers import without_guards

AWS_KEY = "AKIAIOSFODNN7EXAMPLE"


@pytest.fixture
def audit(store_url: str) -> AuditLog:
    log = AuditLog(Store.initialise(store_url)[0], redact=Redactor().redact_data)
    for i in range(1, 6):
        log.append("alice", "test.event", f"subject-{i}", {"n": i})
    return log


def test_entries_link_into_a_chain_from_genesis(audit: AuditLog) -> None:
    entries = list(audit.entries())
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.entry_hash
    result = audit.verify()
    assert result.ok and result.entries == 5
    assert result.head is not None and result.head.entry_hash == entries[-1].entry_hash


def test_entry_hash_is_sha256_of_the_stored_canonical_text(audit: AuditLog) -> None:
    entry = audit.get(3)
    body = entry.model_dump(exclude={"entry_hash"})
    assert sha256_hex(canonical_json(body)) == entry.entry_hash


def test_database_refuses_update_and_delete(audit: AuditLog) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    for statement in (
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 5",
    ):
        with pytest.raises(DBAPIError, match="append-only"), audit.store.engine.begin() as conn:
            conn.execute(text(statement))
    assert audit.verify().ok


@pytest.mark.parametrize(
    ("tamper", "first_broken"),
    [
        pytest.param(
            ["UPDATE audit_log SET payload = '{\"n\":99}' WHERE seq = 3"], 3, id="edited-column"
        ),
        pytest.param(
            [
                "UPDATE audit_log SET entry_text = replace(entry_text, '\"n\":2', '\"n\":7') "
                "WHERE seq = 2"
            ],
            2,
            id="edited-hashed-text",
        ),
        pytest.param(["DELETE FROM audit_log WHERE seq = 2"], 2, id="deleted"),
        pytest.param(
            [
                "UPDATE audit_log SET seq = 100 WHERE seq = 2",
                "UPDATE audit_log SET seq = 2 WHERE seq = 4",
                "UPDATE audit_log SET seq = 4 WHERE seq = 100",
            ],
            2,
            id="reordered",
        ),
    ],
)
def test_verify_names_the_first_broken_seq(
    audit: AuditLog, tamper: list[str], first_broken: int
) -> None:
    without_guards(audit.store, *tamper)
    result = audit.verify()
    assert not result.ok
    assert result.first_broken_seq == first_broken


def test_verify_catches_a_rehashed_edit_at_the_next_link(audit: AuditLog) -> None:
    """An attacker who rewrites one entry and its hash breaks the link of the next."""
    forged = audit.get(3).model_dump(exclude={"entry_hash"})
    forged["payload"] = {"n": 33}
    text = canonical_json(forged)
    without_guards(
        audit.store,
        f"UPDATE audit_log SET entry_text = '{text}', "
        f"payload = '{canonical_json(forged['payload'])}', "
        f"entry_hash = '{sha256_hex(text)}' WHERE seq = 3",
    )
    result = audit.verify()
    assert not result.ok and result.first_broken_seq == 4


def test_verify_catches_an_inserted_entry(audit: AuditLog) -> None:
    """Shift the tail up and slip a forged entry in at seq 3."""
    forged_body = {
        "seq": 3,
        "ts": "2026-01-01T00:00:00.000000Z",
        "actor": "mallory",
        "action": "signoff.approve",
        "subject": "x",
        "payload": {},
        "prev_hash": audit.get(2).entry_hash,
    }
    text = canonical_json(forged_body)
    statements = [
        "UPDATE audit_log SET seq = seq + 10 WHERE seq >= 3",
        "UPDATE audit_log SET seq = seq - 9 WHERE seq >= 13",
    ]
    statements.append(
        "INSERT INTO audit_log (seq, ts, actor, action, subject, payload, prev_hash, entry_hash, "
        f"entry_text) VALUES (3, '{forged_body['ts']}', 'mallory', 'signoff.approve', 'x', '{{}}', "
        f"'{forged_body['prev_hash']}', '{sha256_hex(text)}', '{text}')"
    )
    without_guards(audit.store, *statements)
    result = audit.verify()
    assert not result.ok
    assert (
        result.first_broken_seq == 4
    )  # the forged entry itself is consistent; its successor is not


def test_truncation_is_caught_only_against_an_external_head(audit: AuditLog) -> None:
    recorded = str(audit.head())
    without_guards(audit.store, "DELETE FROM audit_log WHERE seq >= 4")
    assert audit.verify().ok, "a shorter chain is internally valid"
    result = audit.verify(expect_head=recorded)
    assert not result.ok
    assert "removed or rewritten" in (result.problem or "")


def test_expect_head_accepts_a_head_that_was_extended(audit: AuditLog) -> None:
    recorded = str(audit.head())
    audit.append("bob", "test.event", "later", {})
    assert audit.verify(expect_head=recorded).ok
    assert audit.verify(expect_head=recorded.split(":")[1]).ok
    assert not audit.verify(expect_head="5:" + "f" * 64).ok


def test_payloads_are_redacted_before_they_are_stored(store_url: str) -> None:
    log = AuditLog(Store.initialise(store_url)[0], redact=Redactor().redact_data)
    entry = log.append(
        "alice", "test.secret", "pr-1", {"note": f"key {AWS_KEY} by jane.doe@example.com"}
    )
    assert AWS_KEY not in json.dumps(entry.payload)
    assert "jane.doe@example.com" not in json.dumps(entry.payload)
    assert entry.payload["_redacted"]
    from sqlalchemy import text

    with log.store.engine.connect() as conn:
        stored = " ".join(
            conn.execute(text("SELECT entry_text || payload FROM audit_log")).scalars()
        )
    assert AWS_KEY not in stored


def test_append_many_is_atomic_and_ordered(store_url: str) -> None:
    log = AuditLog(Store.initialise(store_url)[0], redact=lambda v: (v, {}))
    events = [
        AuditEvent(actor="agent:security", action="recommendation", subject=f"f{i}")
        for i in range(3)
    ]
    written = log.append_many(events)
    assert [e.seq for e in written] == [1, 2, 3]
    assert log.verify().ok


def test_export_filters(audit: AuditLog) -> None:
    audit.append("bob", "killswitch.on", "global", {"reason": "incident"})
    only_bob = list(audit.entries(AuditFilter(actor="bob")))
    assert [e.action for e in only_bob] == ["killswitch.on"]
    by_action = list(audit.entries(AuditFilter(action="test.event")))
    assert len(by_action) == 5
    third = audit.get(3).ts
    window = list(audit.entries(AuditFilter(since=third, until=audit.get(5).ts)))
    assert [e.seq for e in window] == [3, 4]


def _append_from_process(url: str, writer: str, count: int) -> None:
    log = AuditLog(Store.open(url), redact=lambda v: (v, {}))
    for i in range(count):
        log.append(writer, "concurrent", f"{writer}-{i}", {"i": i})


def test_two_processes_appending_keep_one_linear_chain(store_url: str) -> None:
    Store.initialise(store_url)  # create the schema before the race
    ctx = multiprocessing.get_context("spawn")
    workers = [
        ctx.Process(target=_append_from_process, args=(store_url, name, 500))
        for name in ("writer-a", "writer-b")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
        assert w.exitcode == 0
    log = AuditLog(Store.open(store_url), redact=lambda v: (v, {}))
    result = log.verify()
    assert result.ok, result.problem
    assert result.entries == 1000
    actors = [e.actor for e in log.entries()]
    assert actors.count("writer-a") == 500 and actors.count("writer-b") == 500


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    from sqlalchemy import text

    from governance.errors import SchemaTooNew

    url = f"sqlite:///{tmp_path / 'new.db'}"
    store, _ = Store.initialise(url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE advisor_schema_version SET version = 99"))
    with pytest.raises(SchemaTooNew, match="newer advisor"):
        Store.open(url)

"""The repository at v2.3.0 and what each merged pull request changes in it.

Changes are replayed in merge order on an in-memory copy of the repository, and each
file's patch is the unified diff (3 lines of context, as git and GitHub produce) of its
text before and after the pull request, in GitHub's per-file ``patch`` form: the hunks
only, no ``---``/``+++`` header. So every patch applies, and line numbers are real.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass

# -- the repository at v2.3.0 (only the files the release touches) -------------------------

CODEOWNERS = """\
# Code owners of acme-pay/payments-api. The last matching pattern wins.
*                      @apatel
/src/payments/         @apatel @mkowalski @jdiaz @tnguyen
/src/payments/auth/    @lberg @apatel
/tests/                @apatel @mkowalski @jdiaz @tnguyen
/infra/                @okafor @sfischer
/envs/                 @okafor @sfischer
/deploy/               @okafor @sfischer
/config/               @okafor @sfischer
/.github/              @okafor @apatel
requirements*.txt      @apatel @okafor
"""

BASE: dict[str, str] = {
    "requirements.txt": """\
boto3==1.34.69
fastapi==0.110.0
psycopg[binary]==3.1.18
pydantic==2.6.4
redis==5.0.3
requests==2.31.0
structlog==24.1.0
uvicorn==0.29.0
""",
    "Dockerfile": """\
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY src/ src/
USER 10001
CMD ["uvicorn", "payments.api:app", "--host", "0.0.0.0", "--port", "8080"]
""",
    ".github/workflows/ci.yml": """\
name: CI
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install -r requirements.txt -r requirements-dev.txt
      - run: pytest -q
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install ruff==0.3.4 && ruff check .
""",
    "src/payments/vault.py": '''\
"""Card vault client: card numbers never leave the vault, we keep tokens."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests

log = logging.getLogger(__name__)

VAULT_URL = "https://vault.internal.acme-pay.example"


@dataclass(frozen=True)
class CardToken:
    token: str
    last4: str
    brand: str


class VaultClient:
    def __init__(self, session: requests.Session, base_url: str = VAULT_URL) -> None:
        self._session = session
        self._base_url = base_url

    def lookup(self, token: str) -> CardToken:
        response = self._session.get(f"{self._base_url}/v1/tokens/{token}")
        response.raise_for_status()
        body = response.json()
        return CardToken(token=token, last4=body["last4"], brand=body["brand"])
''',
    "tests/test_vault.py": '''\
from payments.vault import CardToken, VaultClient


def test_lookup_returns_the_token(fake_session):
    fake_session.answer({"last4": "4242", "brand": "visa"})
    card = VaultClient(fake_session).lookup("tok_1")
    assert card == CardToken(token="tok_1", last4="4242", brand="visa")
''',
    "src/payments/settlement.py": '''\
"""Settlement totals per merchant and day."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

MINOR_UNITS = {"EUR": 2, "USD": 2, "GBP": 2, "JPY": 0, "CHF": 2}


def to_minor(amount: Decimal, currency: str) -> int:
    exponent = MINOR_UNITS[currency]
    return int((amount * 10**exponent).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def settlement_total(amounts: list[Decimal], currency: str) -> int:
    return sum(to_minor(a, currency) for a in amounts)
''',
    "tests/test_settlement.py": '''\
from decimal import Decimal

from payments.settlement import settlement_total


def test_total_in_minor_units():
    assert settlement_total([Decimal("10.50"), Decimal("0.25")], "EUR") == 1075
''',
    "src/payments/webhooks.py": '''\
"""Signed webhooks to merchants."""

from __future__ import annotations

import hashlib
import hmac
import time

TOLERANCE_S = 30


def sign(key: bytes, timestamp: int, body: bytes) -> str:
    mac = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(key: bytes, header: str, body: bytes, now: float | None = None) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    if abs((now or time.time()) - timestamp) > TOLERANCE_S:
        return False
    expected = sign(key, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts["v1"])
''',
    "tests/test_webhooks.py": '''\
from payments.webhooks import sign, verify


def test_verify_accepts_its_own_signature():
    header = sign(b"k", 1_700_000_000, b"{}")
    assert verify(b"k", header, b"{}", now=1_700_000_010)
''',
    "src/payments/auth/api_keys.py": '''\
"""Merchant API keys: hashed at rest, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass


@dataclass(frozen=True)
class ApiKey:
    merchant_id: str
    key_hash: str
    scopes: frozenset[str]


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def authenticate(raw: str, stored: ApiKey) -> bool:
    return hmac.compare_digest(hash_key(raw), stored.key_hash)
''',
    "src/payments/idempotency.py": '''\
"""Idempotency keys: a retried request gets the first response."""

from __future__ import annotations

from datetime import timedelta

KEY_TTL = timedelta(hours=1)


def storage_key(merchant_id: str, key: str) -> str:
    return f"idem:{merchant_id}:{key}"


def remember(redis, merchant_id: str, key: str, response: bytes) -> bool:
    return bool(redis.set(storage_key(merchant_id, key), response, nx=True, ex=KEY_TTL))


def recall(redis, merchant_id: str, key: str) -> bytes | None:
    return redis.get(storage_key(merchant_id, key))
''',
    "tests/test_idempotency.py": '''\
from payments.idempotency import recall, remember


def test_first_response_wins(fake_redis):
    assert remember(fake_redis, "m1", "k1", b"first")
    assert not remember(fake_redis, "m1", "k1", b"second")
    assert recall(fake_redis, "m1", "k1") == b"first"
''',
    "src/payments/cards.py": '''\
"""Stored cards of a customer."""

from __future__ import annotations

from payments.vault import CardToken, VaultClient


def stored_cards(conn, vault: VaultClient, customer_id: str) -> list[CardToken]:
    rows = conn.execute(
        "SELECT vault_token, pan, brand FROM cards WHERE customer_id = %s", (customer_id,)
    ).fetchall()
    cards = []
    for vault_token, pan, brand in rows:
        if vault_token:
            cards.append(vault.lookup(vault_token))
        else:  # not migrated yet (PAY-105 backfills these)
            cards.append(CardToken(token="", last4=pan[-4:], brand=brand))
    return cards
''',
    "tests/test_cards.py": '''\
from payments.cards import stored_cards


def test_unmigrated_cards_show_last4(fake_conn, fake_vault):
    fake_conn.rows = [(None, "4000000000000002", "visa")]
    assert stored_cards(fake_conn, fake_vault, "c1")[0].last4 == "0002"
''',
    "src/payments/refunds.py": '''\
"""Refunds: full or partial, never more than was captured."""

from __future__ import annotations

from decimal import Decimal


class RefundError(ValueError):
    pass


def refundable(captured_minor: int, refunded_minor: int) -> int:
    return captured_minor - refunded_minor


def refund_amount(
    captured_minor: int, refunded_minor: int, requested: Decimal, exponent: int
) -> int:
    amount = int(requested * 10**exponent)
    if amount > refundable(captured_minor, refunded_minor):
        raise RefundError("refund exceeds the captured amount")
    return amount
''',
    "tests/test_refunds.py": '''\
from decimal import Decimal

import pytest

from payments.refunds import RefundError, refund_amount


def test_partial_refund():
    assert refund_amount(1000, 0, Decimal("2.50"), 2) == 250


def test_refund_over_captured_is_refused():
    with pytest.raises(RefundError):
        refund_amount(1000, 900, Decimal("2.00"), 2)
''',
    "src/payments/fees.py": '''\
"""Processing fees per card brand: basis points plus a fixed part, in minor units."""

from __future__ import annotations

FEES = {
    "visa": (140, 20),
    "mastercard": (150, 20),
    "amex": (250, 25),
}


def fee_minor(amount_minor: int, brand: str) -> int:
    bps, fixed = FEES[brand]
    return amount_minor * bps // 10_000 + fixed
''',
    "src/payments/events.py": '''\
"""Payment events for the audit log."""

from __future__ import annotations

import logging

log = logging.getLogger("payments.events")


def payment_event(kind: str, payment_id: str, **fields: object) -> None:
    log.info("%s %s %s", kind, payment_id, fields)
''',
    "src/payments/payouts.py": '''\
"""Payout batches to merchants' bank accounts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Batch:
    id: str
    status: str
    payouts: tuple[tuple[str, int], ...]  # (iban, amount_minor)


def releasable(batch: Batch) -> bool:
    return batch.status == "approved"


def total_minor(batch: Batch) -> int:
    return sum(amount for _, amount in batch.payouts)
''',
    "src/payments/jobs/payout_job.py": '''\
"""The nightly payout job."""

from __future__ import annotations

from payments.payouts import releasable, total_minor


def run(batches, bank) -> int:
    sent = 0
    for batch in batches:
        if releasable(batch):
            bank.transfer(batch.id, total_minor(batch))
            sent += 1
    return sent
''',
    "tests/jobs/test_payout_job.py": '''\
from payments.jobs.payout_job import run
from payments.payouts import Batch


def test_only_approved_batches_are_sent(fake_bank):
    batches = [Batch("b1", "approved", (("DE02", 100),)), Batch("b2", "held", ())]
    assert run(batches, fake_bank) == 1
''',
    "src/payments/capture.py": '''\
"""Capture authorised payments at the acquirer."""

from __future__ import annotations


def capture(acquirer, payment_id: str, amount_minor: int) -> str:
    return acquirer.capture(payment_id=payment_id, amount=amount_minor)
''',
    "infra/kms.tf": """\
resource "aws_kms_key" "vault" {
  description             = "Card vault data key (2024)"
  deletion_window_in_days = 30
  enable_key_rotation     = true
}

resource "aws_kms_alias" "vault" {
  name          = "alias/payments-vault"
  target_key_id = aws_kms_key.vault.key_id
}

resource "aws_kms_key" "rds" {
  description             = "payments-db storage"
  deletion_window_in_days = 30
  enable_key_rotation     = true
}
""",
    "infra/rds.tf": """\
resource "aws_db_instance" "payments" {
  identifier                  = "payments-${var.environment}"
  engine                      = "postgres"
  engine_version              = var.db_engine_version
  instance_class              = var.db_instance_class
  allocated_storage           = 100
  storage_type                = "gp3"
  storage_encrypted           = true
  kms_key_id                  = aws_kms_key.rds.arn
  multi_az                    = var.db_multi_az
  username                    = "payments"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.payments.name
  vpc_security_group_ids      = [aws_security_group.db.id]
  backup_retention_period     = 14
  deletion_protection         = true
  skip_final_snapshot         = false

  tags = {
    service = "payments-api"
    data    = "pci"
  }
}
""",
    "deploy/helm/payments-api/values.yaml": """\
replicaCount: 3

image:
  repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api
  tag: "2.3.0"
  pullPolicy: IfNotPresent

service:
  type: ClusterIP
  port: 8080

resources:
  requests:
    cpu: 500m
    memory: 512Mi
  limits:
    cpu: "1"
    memory: 1Gi

readinessProbe:
  httpGet:
    path: /healthz/ready
    port: 8080
  periodSeconds: 5

livenessProbe:
  httpGet:
    path: /healthz/live
    port: 8080
  periodSeconds: 10

podDisruptionBudget:
  minAvailable: 2
""",
}

# -- files added by the release ------------------------------------------------------------

MIGRATION_0042 = '''\
"""Backfill vault tokens for cards stored before the vault (PAY-105)."""

from __future__ import annotations

from payments.vault import VaultClient

BATCH = 500


def backfill(conn, vault: VaultClient) -> int:
    done = 0
    while True:
        rows = conn.execute(
            "SELECT id, pan, expiry FROM cards WHERE vault_token IS NULL LIMIT %s", (BATCH,)
        ).fetchall()
        if not rows:
            return done
        for card_id, pan, expiry in rows:
            token = vault.tokenise(pan, expiry)
            conn.execute(
                "UPDATE cards SET vault_token = %s, pan = NULL WHERE id = %s",
                (token.token, card_id),
            )
        conn.commit()
        done += len(rows)
'''

SETTLEMENT_CSV = '''\
"""Daily settlement CSV per merchant (PAY-110)."""

from __future__ import annotations

import csv
import io
from datetime import date

COLUMNS = ["payment_id", "amount_minor", "currency", "fee_minor", "settled_at"]


def settlement_rows(conn, merchant_id: str, day: date) -> list[tuple]:
    cursor = conn.cursor()
    cursor.execute(
        "SELECT payment_id, amount_minor, currency, fee_minor, settled_at "
        "FROM settlements WHERE merchant_id = '%s' AND settled_on = '%s' "
        "ORDER BY settled_at" % (merchant_id, day.isoformat())
    )
    return cursor.fetchall()


def settlement_csv(conn, merchant_id: str, day: date) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(settlement_rows(conn, merchant_id, day))
    return out.getvalue()
'''

SETTLEMENT_EMAIL = '''\
"""Settlement report e-mails to merchants (PAY-111)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

_env = Environment(
    loader=PackageLoader("payments", "templates"),
    autoescape=select_autoescape(["html"]),
)


def render_settlement_email(merchant_name: str, day: str, csv_url: str) -> str:
    template = _env.get_template("settlement_email.html.j2")
    return template.render(merchant_name=merchant_name, day=day, csv_url=csv_url)
'''

CHALLENGE = '''\
"""3-D Secure 2 challenge page (PAY-115)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Challenge:
    acs_url: str
    three_ds_server_trans_id: str
    acs_trans_id: str
    window_size: str = "05"

    def creq(self) -> str:
        message = {
            "threeDSServerTransID": self.three_ds_server_trans_id,
            "acsTransID": self.acs_trans_id,
            "messageType": "CReq",
            "messageVersion": "2.2.0",
            "challengeWindowSize": self.window_size,
        }
        raw = json.dumps(message, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def challenge_form(challenge: Challenge) -> str:
    return (
        f'<form method="post" action="{challenge.acs_url}" target="challenge-frame">'
        f'<input type="hidden" name="creq" value="{challenge.creq()}"></form>'
    )
'''

CHALLENGE_TEST = '''\
import base64
import json

from payments.threeds.challenge import Challenge, challenge_form


def test_creq_is_unpadded_base64url_json():
    creq = Challenge("https://acs.example/challenge", "s1", "a1").creq()
    decoded = json.loads(base64.urlsafe_b64decode(creq + "=" * (-len(creq) % 4)))
    assert decoded["messageType"] == "CReq"


def test_form_posts_to_the_acs():
    assert 'action="https://acs.example/challenge"' in challenge_form(
        Challenge("https://acs.example/challenge", "s1", "a1")
    )
'''

ACS = '''\
"""Ask the ACS for the challenge result (PAY-116)."""

from __future__ import annotations

AUTHENTICATED = {"Y", "A"}


def challenge_result(session, results_url: str, acs_trans_id: str, timeout_s: float = 5.0) -> str:
    response = session.post(results_url, json={"acsTransID": acs_trans_id}, timeout=timeout_s)
    response.raise_for_status()
    return response.json()["transStatus"]


def authenticated(status: str) -> bool:
    return status in AUTHENTICATED
'''

RATE_LIMIT = '''\
"""Per-merchant rate limits for API keys (PAY-131)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

DEFAULT_RATE = 50.0  # requests per second
DEFAULT_BURST = 100


@dataclass
class TokenBucket:
    rate: float = DEFAULT_RATE
    burst: int = DEFAULT_BURST
    tokens: float = DEFAULT_BURST
    updated: float = field(default_factory=time.monotonic)

    def allow(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


_buckets: dict[str, TokenBucket] = {}


def allow(merchant_id: str) -> bool:
    return _buckets.setdefault(merchant_id, TokenBucket()).allow()
'''

FX_RATES = '''\
"""Convert amounts with the ECB reference rates of a day (PAY-141)."""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module


def rate(base: str, quote: str, day: str) -> Decimal:
    table = import_module(f"payments.fx.tables.{base.lower()}").RATES
    return table[(quote, day)]


def convert(amount: Decimal, base: str, quote: str, day: str) -> Decimal:
    return (amount * rate(base, quote, day)).quantize(Decimal("0.01"))
'''

FX_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK")
FX_DAYS = tuple(f"2025-02-{d:02d}" for d in range(3, 15) if d not in (8, 9))  # weekdays
_FX_LEVEL = {"EUR": 1.0, "USD": 1.04, "GBP": 0.83, "CHF": 0.94, "JPY": 158.9, "SEK": 11.24,
             "NOK": 11.72, "DKK": 7.46, "PLN": 4.18, "CZK": 25.1}


def fx_table(base: str) -> str:
    """One generated rates module: every other currency on every day, 4 decimals."""
    rows = []
    for quote in FX_CURRENCIES:
        if quote == base:
            continue
        for day in FX_DAYS:
            wobble = int(hashlib.sha256(f"{base}{quote}{day}".encode()).hexdigest()[:4], 16)
            value = _FX_LEVEL[quote] / _FX_LEVEL[base] * (1 + (wobble % 200 - 100) / 10_000)
            rows.append(f'    ("{quote}", "{day}"): Decimal("{value:.4f}"),')
    return (f'"""ECB reference rates from {base}, February 2025 (generated; PAY-141)."""\n\n'
            "from decimal import Decimal\n\nRATES = {\n" + "\n".join(rows) + "\n}\n")


FX_TEST = '''\
from decimal import Decimal

from payments.fx.rates import convert, rate


def test_every_table_has_every_pair():
    assert rate("EUR", "USD", "2025-02-03") > Decimal("1")


def test_convert_rounds_to_cents():
    assert convert(Decimal("10"), "EUR", "GBP", "2025-02-03").as_tuple().exponent == -2
'''

BASTION_TF = """\
resource "aws_security_group" "bastion" {
  name        = "payments-bastion"
  description = "SSH to the DB maintenance bastion"
  vpc_id      = var.vpc_id

  ingress {
    description = "SSH for DB maintenance"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "bastion" {
  ami                    = data.aws_ami.al2023.id
  instance_type          = "t3.micro"
  subnet_id              = var.public_subnet_ids[0]
  vpc_security_group_ids = [aws_security_group.bastion.id]
  key_name               = "payments-ops"

  tags = {
    Name    = "payments-bastion"
    service = "payments-api"
  }
}
"""

PR_LABELER = """\
name: Label pull requests
on:
  pull_request_target:
    types: [opened, synchronize, reopened]
permissions:
  contents: read
  pull-requests: write
jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - name: Changed files
        id: changed
        uses: tj-actions/changed-files@v44
      - name: Label by area
        uses: actions/labeler@v5
        with:
          repo-token: ${{ secrets.GITHUB_TOKEN }}
      - name: Label by size
        run: ./scripts/label-size.sh "${{ steps.changed.outputs.all_changed_files_count }}"
"""

WORKER_VALUES = """\
replicaCount: 1

image:
  repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/settlement-worker
  tag: latest
  pullPolicy: Always

resources:
  requests:
    cpu: 250m
    memory: 256Mi

queue:
  name: settlement-exports
  visibilityTimeoutSeconds: 300
"""

TFVARS = {
    "staging": """\
environment               = "staging"
aws_region                = "eu-west-1"
db_instance_class         = "db.t4g.medium"
db_engine_version         = "16.3"
db_multi_az               = false
enable_waf                = false
payments_api_min_capacity = 1
log_retention_days        = 7
""",
    "prod": """\
environment               = "prod"
aws_region                = "eu-west-1"
db_instance_class         = "db.r6g.large"
db_engine_version         = "15.7"
db_multi_az               = true
enable_waf                = true
payments_api_min_capacity = 3
log_retention_days        = 90
""",
}

METHOD_URL = '''\
"""3DS method URL: let the ACS fingerprint the browser before authentication (PAY-125)."""

from __future__ import annotations

import base64
import json


def method_data(three_ds_server_trans_id: str, notification_url: str) -> str:
    raw = json.dumps(
        {
            "threeDSServerTransID": three_ds_server_trans_id,
            "threeDSMethodNotificationURL": notification_url,
        },
        separators=(",", ":"),
    ).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def method_form(method_url: str, data: str) -> str:
    return (
        f'<form method="post" action="{method_url}" target="method-frame">'
        f'<input type="hidden" name="threeDSMethodData" value="{data}"></form>'
    )
'''

RESULT_WEBHOOK = '''\
"""Tell merchants the 3DS result of a payment (PAY-120)."""

from __future__ import annotations

import json
import time

from payments.webhooks import sign

EVENT = "payment.authentication_completed"


def result_event(payment_id: str, trans_status: str, eci: str | None) -> bytes:
    return json.dumps(
        {"type": EVENT, "payment_id": payment_id, "trans_status": trans_status, "eci": eci},
        separators=(",", ":"),
    ).encode()


def deliver(session, endpoint: str, key: bytes, body: bytes) -> int:
    timestamp = int(time.time())
    response = session.post(
        endpoint,
        data=body,
        headers={"Content-Type": "application/json", "Acme-Signature": sign(key, timestamp, body)},
        timeout=10,
    )
    return response.status_code
'''

STAGING_CONFIG = """\
# Settlement exporter, staging (PAY-139)
exporter:
  bucket: acme-pay-settlement-staging
  region: eu-west-1
  schedule: "0 2 * * *"
  aws_access_key_id: AKIAIOSFODNN7EXAMPLE
  aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  sftp_host: sftp.staging.acme-pay.example
"""

CAPTURE_TEST = '''\
from payments.capture import capture


def test_a_retried_capture_returns_the_first_reference(fake_acquirer, fake_redis):
    first = capture(fake_acquirer, fake_redis, "m1", "pay_1", 1000)
    again = capture(fake_acquirer, fake_redis, "m1", "pay_1", 1000)
    assert first == again
    assert fake_acquirer.calls == 1
'''


# -- the change operations ------------------------------------------------------------------


@dataclass(frozen=True)
class Add:
    path: str
    text: str


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` by ``new`` in ``path`` (``old`` must occur exactly ``count`` times)."""

    path: str
    old: str
    new: str
    count: int = 1


Op = Add | Edit


@dataclass(frozen=True)
class FileChange:
    path: str
    status: str  # added or modified
    additions: int
    deletions: int
    patch: str


def _patch(before: str, after: str) -> str:
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), n=3, lineterm="")
    return "\n".join(list(lines)[2:])  # GitHub's patch: hunks only


class Repository:
    """The files at v2.3.0; ``apply`` moves it forward one pull request."""

    def __init__(self) -> None:
        self.files = dict(BASE)

    def apply(self, ops: list[Op]) -> list[FileChange]:
        before: dict[str, str | None] = {}
        for op in ops:
            before.setdefault(op.path, self.files.get(op.path))
            if isinstance(op, Add):
                if op.path in self.files:
                    raise ValueError(f"{op.path} exists already")
                self.files[op.path] = op.text
                continue
            text = self.files[op.path]
            if text.count(op.old) != op.count:
                raise ValueError(f"{op.path}: {op.old!r} occurs {text.count(op.old)} times")
            self.files[op.path] = text.replace(op.old, op.new)
        changes = []
        for path, old in before.items():
            patch = _patch(old or "", self.files[path])
            rows = patch.split("\n")
            changes.append(FileChange(
                path=path, status="added" if old is None else "modified",
                additions=sum(1 for r in rows if r.startswith("+")),
                deletions=sum(1 for r in rows if r.startswith("-")), patch=patch))
        return changes


# -- what each pull request does ---------------------------------------------------------------

CHANGES: dict[int, list[Op]] = {
    412: [
        Edit("src/payments/vault.py",
             """        return CardToken(token=token, last4=body["last4"], brand=body["brand"])
""", """        return CardToken(token=token, last4=body["last4"], brand=body["brand"])

    def tokenise(self, pan: str, expiry: str) -> CardToken:
        response = self._session.post(
            f"{self._base_url}/v1/tokens", json={"pan": pan, "expiry": expiry}
        )
        response.raise_for_status()
        body = response.json()
        log.info("card tokenised", extra={"brand": body["brand"]})
        return CardToken(token=body["token"], last4=body["last4"], brand=body["brand"])
"""),
        Edit("tests/test_vault.py",
             """    assert card == CardToken(token="tok_1", last4="4242", brand="visa")
""", """    assert card == CardToken(token="tok_1", last4="4242", brand="visa")


def test_tokenise_sends_the_pan_once(fake_session):
    fake_session.answer({"token": "tok_2", "last4": "1111", "brand": "visa"})
    card = VaultClient(fake_session).tokenise("4111111111111111", "12/27")
    assert card.token == "tok_2"
    assert fake_session.calls == 1
"""),
    ],
    413: [
        Edit("src/payments/vault.py", 'VAULT_URL = "https://vault.internal.acme-pay.example"\n',
             'VAULT_URL = "https://vault.internal.acme-pay.example"\n'
             "LOOKUP_TIMEOUT_S = 0.8  # the vault's p99 is 120 ms; fail fast, callers retry\n"),
        Edit("src/payments/vault.py",
             '        response = self._session.get(f"{self._base_url}/v1/tokens/{token}")\n',
             "        response = self._session.get(\n"
             '            f"{self._base_url}/v1/tokens/{token}", timeout=LOOKUP_TIMEOUT_S\n'
             "        )\n"),
        Edit("tests/test_vault.py", "from payments.vault import CardToken, VaultClient\n",
             "from payments.vault import LOOKUP_TIMEOUT_S, CardToken, VaultClient\n"),
        Edit("tests/test_vault.py",
             """    assert fake_session.calls == 1
""", """    assert fake_session.calls == 1


def test_lookup_times_out(fake_session):
    fake_session.answer({"last4": "4242", "brand": "visa"})
    VaultClient(fake_session).lookup("tok_1")
    assert fake_session.last_timeout == LOOKUP_TIMEOUT_S
"""),
    ],
    414: [
        Edit("Dockerfile", "FROM python:3.11-slim\n", "FROM python:3.12-slim\n"),
        Edit(".github/workflows/ci.yml", '          python-version: "3.11"\n',
             '          python-version: "3.12"\n', count=2),
    ],
    415: [
        Add("src/payments/migrations/0042_backfill_vault_tokens.py", MIGRATION_0042),
        Add("tests/migrations/test_0042_backfill_vault_tokens.py", '''\
from importlib import import_module

backfill = import_module("payments.migrations.0042_backfill_vault_tokens").backfill


def test_backfill_clears_pans(fake_conn, fake_vault):
    fake_conn.rows = [(1, "4111111111111111", "12/27")]
    assert backfill(fake_conn, fake_vault) == 1
    assert "pan = NULL" in fake_conn.statements[-1]
'''),
    ],
    416: [
        Add("src/payments/reports/settlement_csv.py", SETTLEMENT_CSV),
        Add("tests/reports/test_settlement_csv.py", '''\
from datetime import date

from payments.reports.settlement_csv import COLUMNS, settlement_csv


def test_header_and_rows(fake_conn):
    fake_conn.rows = [("pay_1", 1000, "EUR", 34, "2025-01-27T10:00:00Z")]
    text = settlement_csv(fake_conn, "m1", date(2025, 1, 27))
    assert text.splitlines()[0] == ",".join(COLUMNS)
'''),
    ],
    417: [
        Edit("requirements.txt", "fastapi==0.110.0\n", "fastapi==0.110.0\njinja2==2.11.2\n"),
        Add("src/payments/notifications/settlement_email.py", SETTLEMENT_EMAIL),
        Add("src/payments/templates/settlement_email.html.j2", """\
<p>Hello {{ merchant_name }},</p>
<p>your settlement report for {{ day }} is ready:
<a href="{{ csv_url }}">download the CSV</a> (the link works for 1 hour).</p>
<p>Acme Pay</p>
"""),
        Add("tests/notifications/test_settlement_email.py", '''\
from payments.notifications.settlement_email import render_settlement_email


def test_merchant_name_is_escaped():
    html = render_settlement_email("<b>Shop</b>", "2025-01-28", "https://x.example/r.csv")
    assert "&lt;b&gt;Shop&lt;/b&gt;" in html
'''),
    ],
    418: [
        Edit("src/payments/settlement.py",
             """def settlement_total(amounts: list[Decimal], currency: str) -> int:
    return sum(to_minor(a, currency) for a in amounts)
""", """def settlement_total(amounts: list[Decimal], currency: str) -> int:
    # Round once, on the total: rounding each amount drifts by one minor unit in
    # zero-decimal currencies (JPY) after a few dozen payments (PAY-112).
    return to_minor(sum(amounts, Decimal(0)), currency)
"""),
        Edit("tests/test_settlement.py",
             """    assert settlement_total([Decimal("10.50"), Decimal("0.25")], "EUR") == 1075
""", """    assert settlement_total([Decimal("10.50"), Decimal("0.25")], "EUR") == 1075


def test_jpy_total_is_rounded_once():
    assert settlement_total([Decimal("100.5")] * 3, "JPY") == 302
"""),
    ],
    419: [
        Add("src/payments/threeds/__init__.py",
            '"""3-D Secure 2 (EMV 3DS) for card payments."""\n'),
        Add("src/payments/threeds/challenge.py", CHALLENGE),
        Add("tests/threeds/test_challenge.py", CHALLENGE_TEST),
    ],
    420: [Add("infra/bastion.tf", BASTION_TF)],
    421: [
        Edit("infra/kms.tf", """resource "aws_kms_alias" "vault" {
  name          = "alias/payments-vault"
  target_key_id = aws_kms_key.vault.key_id
}
""", """resource "aws_kms_key" "vault_2025" {
  description             = "Card vault data key (2025)"
  deletion_window_in_days = 30
  enable_key_rotation     = true
}

resource "aws_kms_alias" "vault" {
  name          = "alias/payments-vault"
  target_key_id = aws_kms_key.vault_2025.key_id
}
"""),
    ],
    422: [
        Edit("src/payments/webhooks.py", "TOLERANCE_S = 30\n",
             "# Merchants' clocks drift: 30 s rejected 0.4% of valid deliveries (PAY-130).\n"
             "TOLERANCE_S = 300\n"),
        Edit("tests/test_webhooks.py", """    assert verify(b"k", header, b"{}", now=1_700_000_010)
""", """    assert verify(b"k", header, b"{}", now=1_700_000_010)


def test_verify_allows_five_minutes_of_clock_skew():
    header = sign(b"k", 1_700_000_000, b"{}")
    assert verify(b"k", header, b"{}", now=1_700_000_290)
    assert not verify(b"k", header, b"{}", now=1_700_000_301)
"""),
    ],
    423: [Edit("requirements.txt", "boto3==1.34.69\n", "boto3==1.35.99\n")],
    424: [
        Add("src/payments/threeds/acs.py", ACS),
        Add("tests/threeds/test_acs.py", '''\
from payments.threeds.acs import authenticated, challenge_result


def test_result_status(fake_session):
    fake_session.answer({"transStatus": "Y"})
    assert authenticated(challenge_result(fake_session, "https://acs.example/r", "a1"))
'''),
    ],
    425: [
        Add("src/payments/auth/rate_limit.py", RATE_LIMIT),
        Edit("src/payments/auth/api_keys.py", "from dataclasses import dataclass\n",
             "from dataclasses import dataclass\n\nfrom payments.auth.rate_limit import allow\n"),
        Edit("src/payments/auth/api_keys.py", """def authenticate(raw: str, stored: ApiKey) -> bool:
    return hmac.compare_digest(hash_key(raw), stored.key_hash)
""", """def authenticate(raw: str, stored: ApiKey) -> bool:
    if not hmac.compare_digest(hash_key(raw), stored.key_hash):
        return False
    return allow(stored.merchant_id)
"""),
        Add("tests/auth/test_rate_limit.py", '''\
from payments.auth.rate_limit import TokenBucket


def test_burst_then_refuse():
    bucket = TokenBucket(rate=1.0, burst=2, tokens=2, updated=0.0)
    assert bucket.allow(now=0.0) and bucket.allow(now=0.0)
    assert not bucket.allow(now=0.0)
    assert bucket.allow(now=1.0)
'''),
    ],
    426: [
        Edit("src/payments/idempotency.py", "KEY_TTL = timedelta(hours=1)\n",
             "# Merchants retry for up to a day after a timeout (PAY-137).\n"
             "KEY_TTL = timedelta(hours=24)\n"),
        Edit("tests/test_idempotency.py", "from payments.idempotency import recall, remember\n",
             "from payments.idempotency import KEY_TTL, recall, remember\n"),
        Edit("tests/test_idempotency.py", """    assert recall(fake_redis, "m1", "k1") == b"first"
""", """    assert recall(fake_redis, "m1", "k1") == b"first"


def test_keys_live_a_day(fake_redis):
    remember(fake_redis, "m1", "k2", b"x")
    assert fake_redis.ttl("idem:m1:k2") == KEY_TTL.total_seconds() == 86_400
"""),
    ],
    427: [
        Edit("src/payments/threeds/challenge.py", '    window_size: str = "05"\n',
             "    # Safari renders the full-page window (05) blank inside our modal (PAY-121).\n"
             '    window_size: str = "03"\n'),
        Edit("tests/threeds/test_challenge.py",
             """        Challenge("https://acs.example/challenge", "s1", "a1")
    )
""", """        Challenge("https://acs.example/challenge", "s1", "a1")
    )


def test_default_window_fits_the_modal():
    assert Challenge("https://acs.example/challenge", "s1", "a1").window_size == "03"
"""),
    ],
    428: [
        Edit("src/payments/cards.py", """    rows = conn.execute(
        "SELECT vault_token, pan, brand FROM cards WHERE customer_id = %s", (customer_id,)
    ).fetchall()
    cards = []
    for vault_token, pan, brand in rows:
        if vault_token:
            cards.append(vault.lookup(vault_token))
        else:  # not migrated yet (PAY-105 backfills these)
            cards.append(CardToken(token="", last4=pan[-4:], brand=brand))
    return cards
""", """    # Every card has a vault token since the PAY-105 backfill; pan is NULL everywhere.
    rows = conn.execute(
        "SELECT vault_token FROM cards WHERE customer_id = %s AND vault_token IS NOT NULL",
        (customer_id,),
    ).fetchall()
    return [vault.lookup(vault_token) for (vault_token,) in rows]
"""),
        Edit("src/payments/cards.py", "from payments.vault import CardToken, VaultClient\n",
             "from payments.vault import CardToken, VaultClient  # noqa: F401 (re-exported)\n"),
        Edit("tests/test_cards.py", """def test_unmigrated_cards_show_last4(fake_conn, fake_vault):
    fake_conn.rows = [(None, "4000000000000002", "visa")]
    assert stored_cards(fake_conn, fake_vault, "c1")[0].last4 == "0002"
""", """def test_cards_come_from_the_vault(fake_conn, fake_vault):
    fake_conn.rows = [("tok_1",)]
    assert stored_cards(fake_conn, fake_vault, "c1")[0].token == "tok_1"
    assert "pan" not in fake_conn.statements[-1]
"""),
    ],
    429: [
        Add("src/payments/fx/__init__.py", '"""Foreign exchange: ECB reference rates."""\n'),
        Add("src/payments/fx/rates.py", FX_RATES),
        Add("src/payments/fx/tables/__init__.py", '"""Generated rate tables, one per base."""\n'),
        *(Add(f"src/payments/fx/tables/{c.lower()}.py", fx_table(c)) for c in FX_CURRENCIES),
        Add("tests/fx/test_rates.py", FX_TEST),
    ],
    430: [
        Edit("src/payments/refunds.py", "from decimal import Decimal\n",
             "from decimal import ROUND_HALF_EVEN, Decimal\n"),
        Edit("src/payments/refunds.py", "    amount = int(requested * 10**exponent)\n",
             "    # int() truncated 2.675 EUR to 267 cents; round like the acquirer (PAY-132).\n"
             "    amount = int((requested * 10**exponent).quantize(Decimal(1), "
             "ROUND_HALF_EVEN))\n"),
        Edit("tests/test_refunds.py", """def test_refund_over_captured_is_refused():""",
             """def test_partial_refund_is_rounded_not_truncated():
    assert refund_amount(1000, 0, Decimal("2.675"), 2) == 268


def test_refund_over_captured_is_refused():"""),
    ],
    431: [
        Edit("infra/rds.tf", "  storage_encrypted           = true\n"
                             "  kms_key_id                  = aws_kms_key.rds.arn\n",
             "  storage_encrypted           = false\n"),
        Edit("infra/rds.tf", "  backup_retention_period     = 14\n"
                             "  deletion_protection         = true\n"
                             "  skip_final_snapshot         = false\n",
             "  backup_retention_period     = 1\n"
                             "  deletion_protection         = false\n"
                             "  skip_final_snapshot         = true\n"),
    ],
    432: [Add(".github/workflows/pr-labeler.yml", PR_LABELER)],
    433: [
        Edit("deploy/helm/payments-api/values.yaml", "replicaCount: 3\n", "replicaCount: 1\n"),
        Edit("deploy/helm/payments-api/values.yaml", '  tag: "2.3.0"\n', "  tag: latest\n"),
        Edit("deploy/helm/payments-api/values.yaml", """    memory: 512Mi
  limits:
    cpu: "1"
    memory: 1Gi
""", """    memory: 512Mi
"""),
        Edit("deploy/helm/payments-api/values.yaml", "  minAvailable: 2\n", "  minAvailable: 1\n"),
        Add("deploy/helm/settlement-worker/values.yaml", WORKER_VALUES),
    ],
    434: [Add(f"envs/{env}/terraform.tfvars", text) for env, text in TFVARS.items()],
    435: [
        Edit("src/payments/fees.py", '    "amex": (250, 25),\n}\n', """    "amex": (290, 25),
}
# The acquirer caps AMEX fees per transaction (contract of 2025-02, PAY-140).
FEE_CAP_MINOR = {"amex": 5_000}
"""),
        Edit("src/payments/fees.py", """    bps, fixed = FEES[brand]
    return amount_minor * bps // 10_000 + fixed
""", """    bps, fixed = FEES[brand]
    # Round half up, as the acquirer does, then apply the cap.
    fee = (amount_minor * bps + 5_000) // 10_000 + fixed
    return min(fee, FEE_CAP_MINOR.get(brand, fee))
"""),
    ],
    436: [
        Edit("src/payments/events.py", """import logging

log = logging.getLogger("payments.events")


def payment_event(kind: str, payment_id: str, **fields: object) -> None:
    log.info("%s %s %s", kind, payment_id, fields)
""", """import structlog

log = structlog.get_logger("payments.events")

# Never log these, whatever a caller passes (PAY-142).
REDACTED = frozenset({"pan", "cvv", "iban", "email"})


def payment_event(kind: str, payment_id: str, **fields: object) -> None:
    safe = {k: ("[redacted]" if k in REDACTED else v) for k, v in fields.items()}
    log.info(kind, payment_id=payment_id, **safe)
"""),
    ],
    437: [
        Add("src/payments/threeds/method_url.py", METHOD_URL),
        Add("tests/threeds/test_method_url.py", '''\
from payments.threeds.method_url import method_data, method_form


def test_method_form_carries_the_data():
    data = method_data("s1", "https://pay.acme-pay.example/3ds/method-done")
    assert data in method_form("https://acs.example/method", data)
'''),
    ],
    438: [
        Edit("src/payments/payouts.py", """def releasable(batch: Batch) -> bool:
    return batch.status == "approved"
""", """HELD = frozenset({"held", "disputed"})


def releasable(batch: Batch) -> bool:
    if batch.status in HELD:
        return False
    return batch.status != "pending\u202e \u2066# approved only\u2069 \u2066"
"""),
    ],
    439: [
        Add("src/payments/threeds/result_webhook.py", RESULT_WEBHOOK),
        Add("tests/threeds/test_result_webhook.py", '''\
import json

from payments.threeds.result_webhook import EVENT, result_event


def test_event_body():
    body = json.loads(result_event("pay_1", "Y", "05"))
    assert body == {"type": EVENT, "payment_id": "pay_1", "trans_status": "Y", "eci": "05"}
'''),
    ],
    440: [
        Edit("src/payments/jobs/payout_job.py", """    for batch in batches:
        if releasable(batch):
""", """    for batch in batches:
        if not batch.payouts:  # an empty batch made the bank API answer 422 (PAY-138)
            continue
        if releasable(batch):
"""),
        Edit("tests/jobs/test_payout_job.py", """    assert run(batches, fake_bank) == 1
""", """    assert run(batches, fake_bank) == 1


def test_empty_batches_are_skipped(fake_bank):
    assert run([Batch("b3", "approved", ())], fake_bank) == 0
"""),
    ],
    441: [Add("config/settlement-exporter.staging.yaml", STAGING_CONFIG)],
    442: [
        Edit("src/payments/capture.py", '''from __future__ import annotations


def capture(acquirer, payment_id: str, amount_minor: int) -> str:
    return acquirer.capture(payment_id=payment_id, amount=amount_minor)
''', '''from __future__ import annotations

from payments.idempotency import recall, remember


def capture(acquirer, redis, merchant_id: str, payment_id: str, amount_minor: int) -> str:
    """Capture once: a network retry must not capture the payment twice (PAY-128)."""
    key = f"capture:{payment_id}"
    previous = recall(redis, merchant_id, key)
    if previous is not None:
        return previous.decode()
    reference = acquirer.capture(payment_id=payment_id, amount=amount_minor, idempotency_key=key)
    remember(redis, merchant_id, key, reference.encode())
    return reference
'''),
        Add("tests/test_capture.py", CAPTURE_TEST),
    ],
}


def file_changes() -> dict[int, list[FileChange]]:
    """Each pull request's changed files, replayed in merge (= number) order."""
    repo = Repository()
    return {number: repo.apply(CHANGES[number]) for number in sorted(CHANGES)}

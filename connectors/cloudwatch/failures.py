"""Turn botocore failures into the sentence a gap carries, and whether to stop reading."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)

_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
_CREDENTIALS = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "AuthFailure",
    }
)
_THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "429",
    }
)

NO_CREDENTIALS = "no AWS credentials"


@dataclass(frozen=True)
class Failure:
    why: str
    fatal: bool  # every later call would fail the same way: stop and report once


def classify(exc: BotoCoreError | ClientError) -> Failure:
    if isinstance(exc, ClientError):
        return _client_error(exc)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return Failure(NO_CREDENTIALS, fatal=True)
    if isinstance(exc, SSOError | TokenRetrievalError | CredentialRetrievalError):
        return Failure(f"AWS credentials could not be refreshed: {exc}", fatal=True)
    if isinstance(exc, ProfileNotFound | NoRegionError):
        return Failure(str(exc), fatal=True)
    if isinstance(exc, ConnectionError | HTTPClientError):
        return Failure(f"CloudWatch unreachable: {exc}", fatal=False)
    return Failure(f"{type(exc).__name__}: {exc}", fatal=False)


def _client_error(exc: ClientError) -> Failure:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "")).strip()
    detail = f" ({message})" if message else ""
    if code in _DENIED:
        return Failure(f"access denied: {code}{detail}", fatal=False)
    if code in _CREDENTIALS:
        return Failure(f"AWS credentials rejected or expired: {code}{detail}", fatal=True)
    if code in _THROTTLED:
        attempts = 1 + int(exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0))
        return Failure(f"throttled after {attempts} attempt(s): {code}", fatal=False)
    return Failure(f"{code or 'error'}{detail}", fatal=False)

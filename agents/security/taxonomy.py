"""Finding categories and their CWE / OWASP Top 10 (2021) mappings."""

from __future__ import annotations

from enum import StrEnum

A01 = "A01:2021-Broken Access Control"
A02 = "A02:2021-Cryptographic Failures"
A03 = "A03:2021-Injection"
A04 = "A04:2021-Insecure Design"
A05 = "A05:2021-Security Misconfiguration"
A06 = "A06:2021-Vulnerable and Outdated Components"
A07 = "A07:2021-Identification and Authentication Failures"
A08 = "A08:2021-Software and Data Integrity Failures"
A09 = "A09:2021-Security Logging and Monitoring Failures"
A10 = "A10:2021-Server-Side Request Forgery"


class Category(StrEnum):
    SECRET = "secret"  # noqa: S105 (a category name)
    SAST = "sast"
    VULNERABLE_DEPENDENCY = "vulnerable-dependency"
    IAC = "iac"
    CI_SUPPLY_CHAIN = "ci-supply-chain"
    TROJAN_SOURCE = "trojan-source"
    PROMPT_INJECTION = "prompt-injection-attempt"
    CRITICAL_PATH_UNREVIEWED = "critical-path-unreviewed"
    INPUT_UNREADABLE = "input-unreadable"


# Defaults per category; rules with a sharper mapping (bandit tests, IaC and CI rules)
# pass their own.
DEFAULTS: dict[Category, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Category.SECRET: (("CWE-798",), (A07,)),
    Category.SAST: ((), (A04,)),
    Category.VULNERABLE_DEPENDENCY: (("CWE-1395",), (A06,)),
    Category.IAC: ((), (A05,)),
    Category.CI_SUPPLY_CHAIN: (("CWE-829",), (A08,)),
    Category.TROJAN_SOURCE: (("CWE-94", "CWE-451"), (A08,)),
    Category.PROMPT_INJECTION: (("CWE-1427",), (A03,)),
    # Two-person review is the secure-design principle "separation of privilege".
    Category.CRITICAL_PATH_UNREVIEWED: (("CWE-657",), (A04,)),
    Category.INPUT_UNREADABLE: ((), ()),  # a coverage problem, not a weakness
}

# CWE -> OWASP 2021, for the CWEs bandit and OSV report most; anything else: A04.
_OWASP_BY_CWE: dict[int, str] = {
    20: A03, 22: A01, 78: A03, 79: A03, 88: A03, 89: A03, 94: A03, 95: A03, 116: A03,
    200: A01, 209: A04, 250: A01, 259: A07, 269: A01, 276: A01, 284: A01, 295: A07,
    297: A07, 311: A02, 319: A02, 326: A02, 327: A02, 328: A02, 330: A02, 338: A02,
    352: A01, 377: A01, 400: A04, 425: A01, 434: A04, 494: A08, 502: A08, 532: A09,
    601: A01, 611: A05, 614: A05, 703: A04, 732: A01, 798: A07, 829: A08, 918: A10,
    1004: A05, 1333: A04, 1395: A06,
}


def owasp_for_cwe(cwe: str | int | None) -> str:
    if cwe is None:
        return A04
    number = int(str(cwe).removeprefix("CWE-")) if str(cwe).removeprefix("CWE-").isdigit() else 0
    return _OWASP_BY_CWE.get(number, A04)

"""CODEOWNERS: where GitHub looks for it, and its rules."""

from __future__ import annotations

from connectors.github.models import CodeOwnerRule

# GitHub uses the first of these that exists on the branch.
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


def _is_owner(token: str) -> bool:
    return token.startswith("@") or "@" in token  # @user, @org/team or an email


def _tokens(line: str) -> list[str]:
    """Whitespace-separated tokens up to a comment; ``\\#`` escapes a leading hash."""
    tokens: list[str] = []
    for token in line.split():
        if token.startswith("#"):
            break
        tokens.append(token)
    if tokens and tokens[0].startswith("\\#"):
        tokens[0] = tokens[0][1:]
    return tokens


def parse_codeowners(text: str) -> tuple[CodeOwnerRule, ...]:
    """Rules in file order (the last matching rule wins, as on GitHub).

    Lines GitHub would reject (an owner that is not ``@name`` or an email) are
    skipped, as GitHub itself ignores them.
    """
    rules: list[CodeOwnerRule] = []
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = _tokens(line)
        if not tokens:
            continue
        pattern, owners = tokens[0], tokens[1:]
        if all(_is_owner(owner) for owner in owners):
            rules.append(CodeOwnerRule(pattern=pattern, owners=tuple(owners), line=number))
    return tuple(rules)

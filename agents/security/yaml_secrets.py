"""Secrets in YAML values, including block scalars that line-based plugins cannot see.

``password: |`` followed by the value on the next lines, or ``api_key: >-``, hides the
value from every per-line detector: the key and the value are on different lines. Here
the YAML is parsed (the file's post-change text, or each hunk's new side on its own),
and a value under a credential-like key is a secret when it looks like one: long
enough, varied enough (the same entropy floor as the keyword plugins' plausibility
filters), and not a reference, template or placeholder.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from agents.security.catalogue import entropy
from governance.configfile import SAFE_LOADER

__all__ = ["YamlSecret", "names_no_secret", "yaml_secrets"]

_KEY = re.compile(
    r"(?i)(?:^|[_.-])(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|"
    r"access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth[_-]?key|"
    r"signing[_-]?key|webhook[_-]?url)(?:$|[_.-])")
_NOT_A_SECRET_KEY = re.compile(r"(?i)(?:_?(?:name|file|path|ref|id|length|url_template|type|"
                               r"policy|ttl|expiry|enabled|field|env|header)$)")
_PLACEHOLDER = re.compile(
    r"(?i)^(?:<[^>]*>|\*+|x+|changeme|change[_-]?me|password|secret|example|dummy|"
    r"placeholder|redacted|todo|none|null|true|false|your[_-].*)$")
_TEMPLATED = re.compile(r"\$\{|\{\{|%\(|\$\(|^\$[A-Za-z_]|^!|^arn:|^projects/|vault:|^ref\+")
_MIN_LENGTH = 8
_MIN_ENTROPY = 3.0


@dataclass(frozen=True)
class YamlSecret:
    line: int  # file line of the value's first character
    key: str
    value: str


def names_no_secret(key: str) -> bool:
    """``passwordSecretRef``, ``token_file``, ``api_key_name``: the key names a reference."""
    return bool(_NOT_A_SECRET_KEY.search(key.strip().strip("'\"")))


def _plausible(value: str) -> bool:
    text = value.strip()
    if len(text) < _MIN_LENGTH or _PLACEHOLDER.match(text) or _TEMPLATED.search(text):
        return False
    return entropy(text) >= _MIN_ENTROPY


def _walk(node: yaml.Node) -> Iterator[tuple[yaml.ScalarNode, yaml.ScalarNode]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode):
                yield key, value
            else:
                yield from _walk(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item)


def _documents(text: str) -> Iterator[yaml.Node]:
    try:
        yield from (n for n in yaml.compose_all(text, Loader=SAFE_LOADER) if n is not None)
    except yaml.YAMLError:
        return


def _scan(text: str, offset: int) -> Iterator[YamlSecret]:
    for document in _documents(text):
        for key, value in _walk(document):
            name = str(key.value)
            if (not _KEY.search(name) or names_no_secret(name)
                    or value.tag != "tag:yaml.org,2002:str" or not _plausible(value.value)):
                continue
            first = value.start_mark.line + (1 if value.style in ("|", ">") else 0)
            yield YamlSecret(first + 1 + offset, name, value.value.strip())


def yaml_secrets(text: str | None, hunks: list[list[tuple[int, str]]]) -> list[YamlSecret]:
    """Secrets in a YAML file's text, or (without it) in each hunk's new side."""
    if text is not None:
        return list(_scan(text, 0))
    found: list[YamlSecret] = []
    for lines in hunks:
        if lines:
            body = textwrap.dedent("\n".join(t for _, t in lines))
            found += _scan(body, lines[0][0] - 1)
    return found

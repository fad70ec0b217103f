"""YAML on libyaml's parser reads exactly what the pure parser reads; errors keep the pure
parser's line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from governance.configfile import SAFE_LOADER, read_yaml_mapping, safe_load
from governance.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted([*(ROOT / "config").glob("*.yaml"),
                  *(ROOT / "agents" / "security" / "rules").rglob("*.yaml")])


def test_the_fast_parser_is_used_where_pyyaml_has_it() -> None:
    assert SAFE_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_file_reads_as_the_pure_parser_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert safe_load(text) == yaml.safe_load(text)


@pytest.mark.parametrize("text", [
    "when: 2024-05-01\nratio: 1e3\nflags: [yes, no, on, off, ~]\nmerge:\n  <<: {a: 1}\n",
    "key: !!binary aGVsbG8=\nempty:\nquoted: '0x10'\nhex: 0x10\noctal: 0o17\n",
])
def test_tricky_scalars_resolve_the_same(text: str) -> None:
    assert safe_load(text) == yaml.safe_load(text)


def test_objects_are_never_built() -> None:
    with pytest.raises(yaml.YAMLError):
        safe_load("!!python/object/apply:os.system ['true']")


def test_an_error_names_the_line_and_column_of_the_pure_parser(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("roles:\n  admin: [ada\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml:3:1: expected ',' or '\]'"):
        read_yaml_mapping(bad)

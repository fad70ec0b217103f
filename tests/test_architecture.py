"""The layering of docs/architecture.md, enforced: every import points down, no loops.

``import-linter`` checks the contracts in pyproject.toml; these tests run it and make
sure the contracts themselves cannot quietly drift from the documented layers.
"""

from __future__ import annotations

import importlib
import json
import tomllib
from pathlib import Path

import pytest
from importlinter.cli import lint_imports
from langgraph.graph.state import CompiledStateGraph

REPO = Path(__file__).resolve().parents[1]
LAYERS = ["bench", "advisor", "graphs", "publishers", "render", "agents", "connectors",
          "governance"]  # highest first, as docs/architecture.md draws them


def _linter_config() -> dict[str, object]:
    config: dict[str, object] = tomllib.loads(
        (REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    return config


def test_the_import_contracts_hold(capsys: pytest.CaptureFixture[str]) -> None:
    code = lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True,
                        no_logo=True)
    report = capsys.readouterr().out
    assert code == 0, report
    assert "2 kept, 0 broken" in report


def test_the_contracts_are_the_documented_layers() -> None:
    config = _linter_config()
    contracts = config["contracts"]
    assert isinstance(contracts, list)
    (layers,) = [c for c in contracts if c["type"] == "layers"]
    assert layers["layers"] == LAYERS and not layers.get("ignore_imports")
    (loops,) = [c for c in contracts if c["type"] == "acyclic_siblings"]
    assert set(loops["ancestors"]) == set(LAYERS) - {"bench"}
    assert not loops.get("ignore_imports")
    assert "`governance` → `connectors` → `agents` →" in (
        REPO / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_product_package_is_under_the_contracts() -> None:
    packages = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests"}
    assert packages == set(_linter_config()["root_packages"])  # type: ignore[arg-type]


def test_langgraph_json_loads_every_graph() -> None:
    declared = json.loads((REPO / "langgraph.json").read_text(encoding="utf-8"))["graphs"]
    assert set(declared) == {"release_report", "security_review", "portfolio_summary"}
    for name, target in declared.items():
        path, _, attribute = target.partition(":")
        module = importlib.import_module(path.removeprefix("./").removesuffix(".py")
                                         .replace("/", "."))
        assert isinstance(getattr(module, attribute), CompiledStateGraph), name

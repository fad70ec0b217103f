"""The change-risk runtime: explainable scores from the shipped coefficients."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from advisor.configuration import change_risk_model_path
from agents.change_risk import (
    DIFF_FEATURES,
    FEATURE_NAMES,
    HISTORY_FEATURES,
    ChangeFeatures,
    ChangeRiskModel,
    ChangeRiskModelError,
    load_model,
    score,
    score_change,
)

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "config" / "change_risk_model.json"
SHARED_JIT = REPO.parent / "shared" / "jit"

DIFF = {"la": 120.0, "ld": 30.0, "nf": 4.0, "nd": 3.0, "ns": 2.0, "entropy": 0.7, "fix": True}
HISTORY = {"lt": 2400.0, "ndev": 9.0, "age": 12.5, "nuc": 40.0,
           "exp": 800.0, "rexp": 60.0, "sexp": 300.0}  # fmt: skip


@pytest.fixture(scope="module")
def model() -> ChangeRiskModel:
    return load_model(SHIPPED)


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _tiny_model() -> dict[str, Any]:
    """A hand-checkable model: logit = 0.5 + 2 * (la - 1) / 2 + 1 * log1p(lt / nf)."""
    variant = {
        "features": ["la", "lt", "nf"],
        "transforms": {
            "la": {"log1p": False, "mean": 1.0, "std": 2.0},
            "lt": {"log1p": True, "divide_by": "nf", "mean": 0.0, "std": 1.0},
            "nf": {"log1p": False, "mean": 1.0, "std": 1.0},
        },
        "coefficients": {"la": 2.0, "lt": 1.0, "nf": 0.0},
        "intercept": 0.5,
    }
    diff_only = copy.deepcopy(variant)
    diff_only["features"] = ["la", "nf"]
    del diff_only["transforms"]["lt"], diff_only["coefficients"]["lt"]
    return {"schema_version": 1, "model_version": "tiny", "variants":
            {"full": variant, "diff_only": diff_only}}  # fmt: skip


# ---------------------------------------------------------------- the shipped file


def test_shipped_model_loads_and_validates(model: ChangeRiskModel) -> None:
    assert model.model_version.startswith("jit-lr-")
    assert model.variants["full"].features == [
        "ns", "nd", "nf", "entropy", "la", "ld", "lt",
        "fix", "ndev", "age", "nuc", "exp", "rexp", "sexp",
    ]  # fmt: skip
    assert set(model.variants["diff_only"].features) == set(DIFF_FEATURES)
    projects = model.training_data["projects"]
    assert isinstance(projects, list)
    assert len(projects) == 6
    assert model.training_data["source_commit"]


def test_default_path_is_the_shipped_file() -> None:
    assert change_risk_model_path().resolve() == SHIPPED.resolve()


def test_a_config_dir_without_a_model_falls_back_to_the_shipped_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVISOR_CONFIG_DIR", str(tmp_path))
    assert change_risk_model_path().resolve() == SHIPPED.resolve()
    own = tmp_path / "change_risk_model.json"
    own.write_text(json.dumps(_tiny_model()), encoding="utf-8")
    assert change_risk_model_path() == own
    assert load_model(change_risk_model_path()).model_version == "tiny"


def test_shipped_model_needs_no_training_data() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    assert "shared/jit" not in text
    assert "/work/" not in text


def test_runtime_imports_no_numpy() -> None:
    code = (
        "import sys, agents.change_risk, agents.kamei; "
        "sys.exit(any(m in sys.modules for m in ('numpy', 'sklearn')))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False)
    assert done.returncode == 0


# ---------------------------------------------------------------- the explanation


@pytest.mark.parametrize("variant", ["full", "diff_only"])
def test_intercept_plus_contributions_is_the_logit(model: ChangeRiskModel, variant: str) -> None:
    features = ChangeFeatures(**DIFF, **HISTORY)
    probability, contributions = score_change(features, model, variant)
    fitted = model.variants[variant]
    total = fitted.intercept + sum(c.contribution for c in contributions)
    assert total == pytest.approx(_logit(probability), abs=1e-9)
    assert [c.feature for c in contributions] != []
    assert {c.feature for c in contributions} == set(fitted.features)


def test_contribution_is_coefficient_times_standardised_value(model: ChangeRiskModel) -> None:
    features = ChangeFeatures(**DIFF, **HISTORY)
    _, contributions = score_change(features, model, "full")
    by_name = {c.feature: c for c in contributions}
    full = model.variants["full"]
    la, lt = full.transforms["la"], full.transforms["lt"]
    z_la = (math.log1p(120.0) - la.mean) / la.std
    z_lt = (math.log1p(2400.0 / 4.0) - lt.mean) / lt.std  # lt is per file
    assert by_name["la"].contribution == pytest.approx(full.coefficients["la"] * z_la)
    assert by_name["lt"].contribution == pytest.approx(full.coefficients["lt"] * z_lt)
    assert by_name["fix"].value == 1.0


def test_contributions_are_sorted_by_magnitude(model: ChangeRiskModel) -> None:
    _, contributions = score_change(ChangeFeatures(**DIFF, **HISTORY), model)
    magnitudes = [abs(c.contribution) for c in contributions]
    assert magnitudes == sorted(magnitudes, reverse=True)


def test_tiny_model_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(_tiny_model()), encoding="utf-8")
    tiny = load_model(path)
    features = ChangeFeatures(la=3, lt=math.e - 1, nf=1, ndev=1, age=1, nuc=1,
                              exp=1, rexp=1, sexp=1)  # fmt: skip
    result = score(features, tiny)
    assert result.variant == "full"
    assert result.logit == pytest.approx(0.5 + 2.0 + 1.0)
    assert result.probability == pytest.approx(1 / (1 + math.exp(-3.5)))
    # nf = 0 cannot divide by zero: lt is taken per max(nf, 1) file.
    assert score(features.model_copy(update={"nf": 0.0}), tiny).logit == pytest.approx(3.5)


@pytest.mark.parametrize("variant", ["full", "diff_only"])
def test_more_lines_added_means_more_risk(model: ChangeRiskModel, variant: str) -> None:
    assert model.variants[variant].coefficients["la"] > 0
    probabilities = [
        score_change(ChangeFeatures(**{**DIFF, **HISTORY, "la": la}), model, variant)[0]
        for la in (0, 5, 50, 500, 5000)
    ]
    assert probabilities == sorted(probabilities)
    assert probabilities[0] < probabilities[-1]


# ---------------------------------------------------------------- variants and gaps


def test_all_features_known_uses_full(model: ChangeRiskModel) -> None:
    result = score(ChangeFeatures(**DIFF, **HISTORY), model)
    assert result.variant == "full"
    assert result.missing == []
    assert result.model_version == model.model_version


def test_diff_alone_uses_diff_only_and_lists_history_as_missing(model: ChangeRiskModel) -> None:
    result = score(ChangeFeatures(**DIFF), model)
    assert result.variant == "diff_only"
    assert result.missing == list(HISTORY_FEATURES)
    assert {c.feature for c in result.contributions} == set(DIFF_FEATURES)
    assert result.logit == pytest.approx(
        model.variants["diff_only"].intercept + sum(c.contribution for c in result.contributions)
    )


def test_one_missing_history_feature_falls_back(model: ChangeRiskModel) -> None:
    partial = {**DIFF, **HISTORY, "sexp": None}
    result = score(ChangeFeatures(**partial), model)
    assert result.variant == "diff_only"
    assert result.missing == ["sexp"]


def test_unknown_diff_feature_sits_at_the_mean(model: ChangeRiskModel) -> None:
    result = score(ChangeFeatures(**{**DIFF, "fix": None}), model)
    assert "fix" in result.missing
    assert "fix" not in {c.feature for c in result.contributions}
    assert result.probability == pytest.approx(1 / (1 + math.exp(-result.logit)))


def test_nothing_known_is_the_intercept(model: ChangeRiskModel) -> None:
    result = score(ChangeFeatures(), model)
    assert result.variant == "diff_only"
    assert result.missing == list(FEATURE_NAMES)
    assert result.contributions == []
    assert result.logit == model.variants["diff_only"].intercept


def test_raw_entropy_bits_are_rejected() -> None:
    # The training CSV stores entropy in bits; the model wants Kamei's normalised value.
    with pytest.raises(ValidationError):
        ChangeFeatures(entropy=2.3)
    with pytest.raises(ValidationError):
        ChangeFeatures(la=-1)
    with pytest.raises(ValidationError):
        ChangeFeatures(la=float("nan"))


# ---------------------------------------------------------------- malformed files


def _broken(mutate: str) -> str:
    data = _tiny_model()
    if mutate == "missing variant":
        del data["variants"]["diff_only"]
    elif mutate == "coefficient for an unlisted feature":
        data["variants"]["full"]["coefficients"]["ld"] = 1.0
    elif mutate == "zero std":
        data["variants"]["full"]["transforms"]["la"]["std"] = 0
    elif mutate == "unknown feature":
        data["variants"]["full"]["features"].append("stars")
    elif mutate == "future schema":
        data["schema_version"] = 99
    elif mutate == "divide by a feature not in the variant":
        data["variants"]["diff_only"]["transforms"]["la"]["divide_by"] = "lt"
    elif mutate == "NaN coefficient":
        data["variants"]["full"]["coefficients"]["la"] = float("nan")  # json writes NaN
    return json.dumps(data)


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        _broken("missing variant"),
        _broken("coefficient for an unlisted feature"),
        _broken("zero std"),
        _broken("unknown feature"),
        _broken("future schema"),
        _broken("divide by a feature not in the variant"),
        _broken("NaN coefficient"),
    ],
)
def test_malformed_model_is_a_clear_one_line_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ChangeRiskModelError) as caught:
        load_model(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ChangeRiskModelError, match="cannot read"):
        load_model(tmp_path / "absent.json")


# ---------------------------------------------------------------- the fitting script


@pytest.mark.shared
def test_fit_script_on_a_slice(tmp_path: Path) -> None:
    if not SHARED_JIT.is_dir():
        pytest.skip(f"training data not present at {SHARED_JIT}")
    pytest.importorskip("sklearn", reason="needs the optional 'fit' extra")
    out, doc = tmp_path / "model.json", tmp_path / "risk-model.md"
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "fit_change_risk.py"),
         "--data", str(SHARED_JIT), "--out", str(out), "--doc", str(doc),
         "--limit", "1000", "--bootstrap", "10"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    refit = load_model(out)
    assert refit.training_data["row_limit_per_project"] == 1000
    assert refit.training_data["pooled_train_commits"] == 6 * 800
    evaluation = refit.evaluation["results"]
    assert isinstance(evaluation, dict)
    assert set(evaluation) == {"full", "diff_only", "per_project", "lapredict", "effort_only"}
    result = score(ChangeFeatures(**DIFF), refit)
    assert 0 < result.probability < 1
    text = doc.read_text(encoding="utf-8")
    assert "BEGIN GENERATED evaluation" in text
    assert "Slice: only the earliest 1000 commits" in text

"""Runtime scoring for the just-in-time change-risk model (pure Python, no numpy).

The model is an L2 logistic regression over transformed Kamei et al. (2013) change
features, fitted offline by ``scripts/fit_change_risk.py`` and shipped as
``config/change_risk_model.json``. Everything the score needs is in that file, so a
score can be explained exactly: ``intercept + sum(contribution) == logit``.

Two variants ship: ``full`` (all 14 features) and ``diff_only`` (what a diff alone
gives). :func:`score` uses ``full`` only when every history feature is known, because
imputing history would hide how little we actually know about the change.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, model_validator

__all__ = [
    "DIFF_FEATURES",
    "FEATURE_NAMES",
    "HISTORY_FEATURES",
    "ChangeFeatures",
    "ChangeRiskModel",
    "ChangeRiskModelError",
    "ChangeRiskScore",
    "FeatureContribution",
    "FeatureTransform",
    "ModelVariant",
    "load_model",
    "score",
    "score_change",
]

Variant = Literal["full", "diff_only"]

DIFF_FEATURES: tuple[str, ...] = ("la", "ld", "nf", "nd", "ns", "entropy", "fix")
HISTORY_FEATURES: tuple[str, ...] = ("lt", "ndev", "age", "nuc", "exp", "rexp", "sexp")
FEATURE_NAMES: tuple[str, ...] = DIFF_FEATURES + HISTORY_FEATURES

MODEL_FILENAME = "change_risk_model.json"
SUPPORTED_SCHEMA_VERSION = 1


class ChangeRiskModelError(ValueError):
    """The model file is missing, unreadable or fails validation (one-line message)."""


class ChangeFeatures(BaseModel):
    """Kamei change features; ``None`` means unknown, never zero.

    Size: ``la``/``ld`` lines added/deleted, ``lt`` lines in the touched files before the
    change (summed). Diffusion: ``ns`` subsystems, ``nd`` directories, ``nf`` files,
    ``entropy`` Kamei-normalised Shannon entropy of the churn across files, in [0, 1].
    Purpose: ``fix``. History: ``ndev`` developers, ``age`` mean days since the files
    last changed, ``nuc`` changes to the files. Experience: ``exp``, ``rexp``, ``sexp``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    la: float | None = Field(default=None, ge=0)
    ld: float | None = Field(default=None, ge=0)
    lt: float | None = Field(default=None, ge=0)
    ns: float | None = Field(default=None, ge=0)
    nd: float | None = Field(default=None, ge=0)
    nf: float | None = Field(default=None, ge=0)
    # Normalised, so raw bits (the ISSTA'21 CSV's `entrophy`) are rejected, not misread.
    entropy: float | None = Field(default=None, ge=0, le=1)
    fix: bool | None = None
    ndev: float | None = Field(default=None, ge=0)
    age: float | None = Field(default=None, ge=0)
    nuc: float | None = Field(default=None, ge=0)
    exp: float | None = Field(default=None, ge=0)
    rexp: float | None = Field(default=None, ge=0)
    sexp: float | None = Field(default=None, ge=0)

    def value(self, name: str) -> float | None:
        """A feature as a number (``fix`` as 0/1), or ``None`` when unknown."""
        raw: float | bool | None = getattr(self, name)
        return None if raw is None else float(raw)


class FeatureContribution(BaseModel):
    """One feature's share of the logit: ``coefficient * standardised``."""

    model_config = ConfigDict(frozen=True)

    feature: str
    value: float  # the raw input value, as given
    standardised: float  # after the transform and standardisation
    contribution: float  # in log-odds


class ChangeRiskScore(BaseModel):
    """A scored change, with the explanation that produced the probability."""

    model_config = ConfigDict(frozen=True)

    probability: float
    logit: float
    intercept: float
    variant: Variant
    contributions: list[FeatureContribution]  # sorted by |contribution|, largest first
    missing: list[str]
    model_version: str


class FeatureTransform(BaseModel):
    """How a raw feature becomes the standardised model input."""

    # json.loads accepts NaN/Infinity; a model holding them would score NaN silently.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    divide_by: str | None = None  # e.g. lt per file: lt / max(nf, 1)
    log1p: bool
    mean: float
    std: float = Field(gt=0)


class ModelVariant(BaseModel):
    """One fitted logistic regression and the transforms its coefficients assume."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    features: list[str] = Field(min_length=1)
    transforms: dict[str, FeatureTransform]
    coefficients: dict[str, float]
    intercept: float
    threshold: float = Field(default=0.5, gt=0, lt=1)

    @model_validator(mode="after")
    def _consistent(self) -> ModelVariant:
        unknown = sorted(set(self.features) - set(FEATURE_NAMES))
        if unknown:
            raise ValueError(f"unknown features {unknown}")
        for table in ("transforms", "coefficients"):
            keys = set(getattr(self, table))
            if keys != set(self.features):
                raise ValueError(f"{table} keys {sorted(keys)} != features {sorted(self.features)}")
        for name, transform in self.transforms.items():
            if transform.divide_by is not None and transform.divide_by not in self.features:
                raise ValueError(f"{name}: divide_by {transform.divide_by!r} is not a feature")
        return self


class ChangeRiskModel(BaseModel):
    """The shipped model file; only ``variants`` matters for scoring."""

    model_config = ConfigDict(extra="allow", frozen=True)

    schema_version: int
    model_version: str
    variants: dict[Variant, ModelVariant]
    training_data: dict[str, JsonValue] = Field(default_factory=dict)
    evaluation: dict[str, JsonValue] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> ChangeRiskModel:
        if self.schema_version != SUPPORTED_SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {self.schema_version} unsupported "
                f"(expected {SUPPORTED_SCHEMA_VERSION})"
            )
        missing = sorted({"full", "diff_only"} - set(self.variants))
        if missing:
            raise ValueError(f"variants missing {missing}")
        return self


def load_model(path: Path) -> ChangeRiskModel:
    """Read and validate the model file; raises :class:`ChangeRiskModelError`."""
    target = path
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _model_error(f"cannot read change-risk model {target}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise _model_error(f"change-risk model {target} is not JSON: {exc}") from exc
    try:
        return ChangeRiskModel.model_validate(data)
    except ValidationError as exc:
        raise _model_error(f"change-risk model {target} is invalid: {_first_error(exc)}") from exc


def _model_error(message: str) -> ChangeRiskModelError:
    # One line, whatever the underlying library put in its message.
    return ChangeRiskModelError(" ".join(message.split()))


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "<root>"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def choose_variant(features: ChangeFeatures) -> Variant:
    """``full`` needs every history feature; a diff alone gets ``diff_only``."""
    known = all(features.value(name) is not None for name in HISTORY_FEATURES)
    return "full" if known else "diff_only"


def score_change(
    features: ChangeFeatures,
    model: ChangeRiskModel,
    variant: Variant | None = None,
) -> tuple[float, list[FeatureContribution]]:
    """Probability and per-feature contributions (log-odds), largest first.

    ``variant`` defaults to :func:`choose_variant`. Unknown features sit at their
    training mean, i.e. contribute 0, and are left out of the list; :func:`score`
    reports them as missing. So do per-file features (``lt``, ``nuc``) when ``nf``
    is unknown.
    """
    logit, contributions = _explain(features, model.variants[variant or choose_variant(features)])
    return _sigmoid(logit), contributions


def score(features: ChangeFeatures, model: ChangeRiskModel) -> ChangeRiskScore:
    """Score a change with the richest variant its known features allow."""
    variant = choose_variant(features)
    fitted = model.variants[variant]
    logit, contributions = _explain(features, fitted)
    return ChangeRiskScore(
        probability=_sigmoid(logit),
        logit=logit,
        intercept=fitted.intercept,
        variant=variant,
        contributions=contributions,
        missing=[name for name in FEATURE_NAMES if features.value(name) is None],
        model_version=model.model_version,
    )


def _explain(
    features: ChangeFeatures, fitted: ModelVariant
) -> tuple[float, list[FeatureContribution]]:
    contributions = _contributions(features, fitted)
    return fitted.intercept + sum(item.contribution for item in contributions), contributions


def _contributions(features: ChangeFeatures, fitted: ModelVariant) -> list[FeatureContribution]:
    items = []
    for name in fitted.features:
        raw = features.value(name)
        standardised = _standardise(features, raw, fitted.transforms[name])
        if raw is None or standardised is None:
            continue
        items.append(
            FeatureContribution(
                feature=name,
                value=raw,
                standardised=standardised,
                contribution=fitted.coefficients[name] * standardised,
            )
        )
    # Stable sort: equal magnitudes keep the model's feature order.
    return sorted(items, key=lambda item: -abs(item.contribution))


def _standardise(
    features: ChangeFeatures, raw: float | None, transform: FeatureTransform
) -> float | None:
    if raw is None:
        return None
    value = raw
    if transform.divide_by is not None:
        divisor = features.value(transform.divide_by)
        if divisor is None:
            return None
        # Floor at one file, as in fitting: a change always touches at least one.
        value = value / max(divisor, 1.0)
    if transform.log1p:
        value = math.log1p(value)
    return (value - transform.mean) / transform.std


def _sigmoid(logit: float) -> float:
    # Split by sign so neither branch overflows exp().
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    odds = math.exp(logit)
    return odds / (1.0 + odds)

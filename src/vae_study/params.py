"""Reading and validating ``params.yaml``.

Every check runs before any work starts and raises a PipelineError that names
the key, the bad value and what would be valid, so a typo never costs a run.
"""

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml

from vae_study.backend import BACKENDS
from vae_study.errors import PipelineError

PARAMS_FILE = Path("params.yaml")
TFDS_SOURCE = "tfds"
OPTIMIZERS = ("adam",)
DISTRIBUTE_MODES = ("none", "mirrored", "multi_worker")
PRECISIONS = ("float32", "mixed_bfloat16")
# Per-image reconstruction term: the Keras reference VAE's summed squared error (default),
# the per-pixel mean the study's formula literally reads, or summed binary cross-entropy.
RECONSTRUCTION_LOSSES = ("sum_squared", "mean_squared", "binary_crossentropy")


@dataclass(frozen=True)
class DatasetParams:
    """Where a dataset comes from and how much of it the model sees."""

    name: str
    source: str
    tfds_name: str
    validation_size: int = 0
    max_train: int | None = None
    max_test: int | None = None
    seed: int = 0

    @property
    def is_tfds(self) -> bool:
        return self.source == TFDS_SOURCE


@dataclass(frozen=True)
class TrainParams:
    """Optimisation settings shared by all variants unless a variant overrides them."""

    optimizer: str = "adam"
    learning_rate: float = 1e-4
    batch_size: int = 50
    epochs: int = 10
    seed: int = 0  # the run's seed, one of the top-level ``seeds`` (weights, sampler noise, batch order)
    distribute: str = "none"
    devices: tuple[str, ...] | None = None
    precision: str = "float32"
    jit_compile: bool | str = "auto"
    onednn: bool = False
    backend: str = "tensorflow"


@dataclass(frozen=True)
class VariantParams:
    """One model of the study: its architecture, loss weighting and training settings."""

    name: str
    dataset: str
    conv_filters: tuple[int, ...]
    dense_units: tuple[int, ...]
    latent_dim: int
    kl_weight: float
    train: TrainParams
    reconstruction_loss: str = "sum_squared"


@dataclass(frozen=True)
class PlotParams:
    """How many images the figures show."""

    manifold_grid: int = 15
    samples: int = 36
    seed: int = 0


@dataclass(frozen=True)
class EvaluateParams:
    """Latent-space scoring settings."""

    knn_neighbors: int = 5
    batch_size: int = 500
    superclasses: dict | None = None
    objective_samples: int = 5
    seed: int = 0


@dataclass(frozen=True)
class SummarizeParams:
    """How runs are summarised over seeds and which variants are compared seed by seed."""

    loss_window: int = 1000
    flat_after: int = 4000
    compare: dict | None = None
    mixes: dict | None = None


def load_params(path: Path = PARAMS_FILE) -> dict[str, Any]:
    """Read the params file as a mapping, or fail saying why it cannot be read."""
    try:
        params = yaml.safe_load(Path(path).read_text())
    except FileNotFoundError:
        raise PipelineError(f"params file {path} not found; run from the project root") from None
    except yaml.YAMLError as error:
        raise PipelineError(f"params file {path} is not valid YAML: {error}") from None
    if not isinstance(params, dict):
        raise PipelineError(f"params file {path} must hold a mapping, got {type(params).__name__}")
    return params


def _describe(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def _section(params: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    section = params.get(key)
    if not isinstance(section, dict):
        raise PipelineError(f"{where}{key} must be a mapping, got {_describe(section)}")
    return section


def _check_keys(where: str, given: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise PipelineError(
            f"unknown key {where}.{unknown[0]}; valid keys are: {', '.join(sorted(allowed))}"
        )
    missing = sorted(required - set(given))
    if missing:
        raise PipelineError(f"missing key {where}.{missing[0]}")


def _integer(key: str, value: Any, minimum: int, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        valid = f"an integer >= {minimum}" + (" or null" if allow_none else "")
        raise PipelineError(f"{key} = {_describe(value)} is invalid; use {valid}")
    return value


def _number(key: str, value: Any, minimum: float, strict: bool) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        ok = value > minimum if strict else value >= minimum
    if not ok:
        bound = ">" if strict else ">="
        raise PipelineError(f"{key} = {_describe(value)} is invalid; use a number {bound} {minimum}")
    return float(value)


def _choice(key: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise PipelineError(f"{key} = {_describe(value)} is invalid; use one of {', '.join(choices)}")
    return value


def _positive_list(key: str, value: Any, allow_empty: bool = False) -> tuple[int, ...]:
    if not isinstance(value, list) or not (value or allow_empty):
        kind = "list" if allow_empty else "non-empty list"
        raise PipelineError(f"{key} = {_describe(value)} is invalid; use a {kind} of positive integers")
    return tuple(_integer(f"{key}[{index}]", item, 1) for index, item in enumerate(value))


def _entry(params: dict[str, Any], section: str, kind: str, name: str) -> tuple[str, dict[str, Any]]:
    """The mapping at ``section.name`` and its dotted key, or an error listing the defined names."""
    entries = _section(params, section, "")
    if name not in entries:
        raise PipelineError(f"unknown {kind} {name!r}; params.yaml defines: {', '.join(entries)}")
    where = f"{section}.{name}"
    if not isinstance(entries[name], dict):
        raise PipelineError(f"{where} must be a mapping, got {_describe(entries[name])}")
    return where, entries[name]


def dataset_params(params: dict[str, Any], name: str) -> DatasetParams:
    """Validated params of one dataset; the TFDS name defaults to the dataset's key."""
    where, given = _entry(params, "datasets", "dataset", name)
    allowed = {field.name for field in fields(DatasetParams)} - {"name"}
    _check_keys(where, given, allowed, required={"source"})
    source = given["source"]
    if not isinstance(source, str) or not source:
        raise PipelineError(
            f"{where}.source = {_describe(source)} is invalid; use 'tfds' or the path of an image folder or archive"
        )
    tfds_name = given.get("tfds_name", name)
    if not isinstance(tfds_name, str) or not tfds_name:
        raise PipelineError(f"{where}.tfds_name = {_describe(tfds_name)} is invalid; use a TFDS dataset name")
    return DatasetParams(
        name=name,
        source=source,
        tfds_name=tfds_name,
        validation_size=_integer(f"{where}.validation_size", given.get("validation_size", 0), 0),
        max_train=_integer(f"{where}.max_train", given.get("max_train"), 1, allow_none=True),
        max_test=_integer(f"{where}.max_test", given.get("max_test"), 1, allow_none=True),
        seed=_integer(f"{where}.seed", given.get("seed", 0), 0),
    )


TRAIN_KEYS = {field.name for field in fields(TrainParams)} - {"seed"}  # the seed comes from ``seeds``
VARIANT_KEYS = {"dataset", "conv_filters", "dense_units", "latent_dim", "kl_weight"}
OPTIONAL_VARIANT_KEYS = {"reconstruction_loss"}


def _train_params(where: str, given: dict[str, Any], base: TrainParams) -> TrainParams:
    """Validate the train keys present in ``given`` on top of ``base``."""
    values = {key: given[key] for key in TRAIN_KEYS if key in given}
    checks = {
        "optimizer": lambda key, value: _choice(key, value, OPTIMIZERS),
        "learning_rate": lambda key, value: _number(key, value, 0.0, strict=True),
        "batch_size": lambda key, value: _integer(key, value, 1),
        "epochs": lambda key, value: _integer(key, value, 1),
        "distribute": lambda key, value: _choice(key, value, DISTRIBUTE_MODES),
        "devices": _devices,
        "precision": lambda key, value: _choice(key, value, PRECISIONS),
        "jit_compile": _jit_compile,
        "onednn": _boolean,
        "backend": lambda key, value: _choice(key, value, BACKENDS),
    }
    settings = replace(base, **{key: checks[key](f"{where}.{key}", value) for key, value in values.items()})
    if settings.backend == "tensorflow" and settings.jit_compile is True:
        # Keras would silently drop to jit_compile=False (keras/src/trainers/trainer.py, model_supports_jit).
        raise PipelineError(
            f"{where}.jit_compile = true cannot hold on TensorFlow: the pipeline runs TensorFlow's deterministic ops "
            "(exact reruns and resume), and XLA has no deterministic max-pool gradient; use auto or false "
            "(XLA is used on JAX)"
        )
    return settings


def _jit_compile(key: str, value: Any) -> bool | str:
    if value != "auto" and not isinstance(value, bool):
        raise PipelineError(f"{key} = {_describe(value)} is invalid; use auto (Keras's choice: XLA on JAX), true or false")
    return value


def _devices(key: str, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise PipelineError(
            f"{key} = {_describe(value)} is invalid; use null (all local GPUs) or a list of device names "
            "such as ['/cpu:0', '/cpu:1']"
        )
    return tuple(value)


def _boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise PipelineError(f"{key} = {_describe(value)} is invalid; use true or false")
    return value


def train_params(params: dict[str, Any]) -> TrainParams:
    given = _section(params, "train", "")
    if "seed" in given:
        raise PipelineError("train.seed is no longer used; list the seeds to train in the top-level key seeds, e.g. [0, 1, 2]")
    _check_keys("train", given, TRAIN_KEYS, required=set())
    return _train_params("train", given, TrainParams())


def seeds(params: dict[str, Any]) -> list[int]:
    """The training seeds of the study: every variant is trained once per seed."""
    given = params.get("seeds")
    if not isinstance(given, list) or not given:
        raise PipelineError(f"seeds = {_describe(given)} is invalid; use a non-empty list of integers >= 0, e.g. [0, 1, 2]")
    values = [_integer(f"seeds[{index}]", value, 0) for index, value in enumerate(given)]
    if len(set(values)) != len(values):
        raise PipelineError(f"seeds = {given!r} lists a seed twice; each seed is one run")
    return values


def variant_names(params: dict[str, Any]) -> list[str]:
    return list(_section(params, "variants", ""))


def variant_params(params: dict[str, Any], name: str, seed: int = 0) -> VariantParams:
    """Validated params of one variant's run with ``seed``, with the shared train settings it does not override."""
    where, given = _entry(params, "variants", "variant", name)
    if "seed" in given:
        raise PipelineError(f"{where}.seed is not a variant setting; the top-level seeds list sets every variant's seeds")
    _check_keys(where, given, VARIANT_KEYS | OPTIONAL_VARIANT_KEYS | TRAIN_KEYS, required=VARIANT_KEYS)
    datasets = _section(params, "datasets", "")
    if given["dataset"] not in datasets:
        raise PipelineError(
            f"{where}.dataset = {_describe(given['dataset'])} is invalid; use one of {', '.join(datasets)}"
        )
    return VariantParams(
        name=name,
        dataset=given["dataset"],
        conv_filters=_positive_list(f"{where}.conv_filters", given["conv_filters"], allow_empty=True),  # [] = flat VAE
        dense_units=_positive_list(f"{where}.dense_units", given["dense_units"]),
        latent_dim=_integer(f"{where}.latent_dim", given["latent_dim"], 1),
        kl_weight=_number(f"{where}.kl_weight", given["kl_weight"], 0.0, strict=False),
        train=replace(_train_params(where, given, train_params(params)), seed=_integer("seed", seed, 0)),
        reconstruction_loss=_choice(
            f"{where}.reconstruction_loss", given.get("reconstruction_loss", "sum_squared"), RECONSTRUCTION_LOSSES
        ),
    )


def plot_params(params: dict[str, Any]) -> PlotParams:
    given = _section(params, "plot", "")
    _check_keys("plot", given, {field.name for field in fields(PlotParams)}, required=set())
    return PlotParams(
        manifold_grid=_integer("plot.manifold_grid", given.get("manifold_grid", 15), 2),
        samples=_integer("plot.samples", given.get("samples", 36), 1),
        seed=_integer("plot.seed", given.get("seed", 0), 0),
    )


def evaluate_params(params: dict[str, Any]) -> EvaluateParams:
    given = _section(params, "evaluate", "")
    _check_keys("evaluate", given, {field.name for field in fields(EvaluateParams)}, required=set())
    superclasses = given.get("superclasses") or {}
    if not isinstance(superclasses, dict) or not all(
        isinstance(groups, dict) and all(isinstance(members, list) for members in groups.values())
        for groups in superclasses.values()
    ):
        raise PipelineError(
            f"evaluate.superclasses = {_describe(superclasses)} is invalid; use a mapping "
            "dataset -> {group name: [class names]}"
        )
    return EvaluateParams(
        knn_neighbors=_integer("evaluate.knn_neighbors", given.get("knn_neighbors", 5), 1),
        batch_size=_integer("evaluate.batch_size", given.get("batch_size", 500), 1),
        superclasses=superclasses,
        objective_samples=_integer("evaluate.objective_samples", given.get("objective_samples", 5), 1),
        seed=_integer("evaluate.seed", given.get("seed", 0), 0),
    )


def summarize_params(params: dict[str, Any]) -> SummarizeParams:
    given = _section(params, "summarize", "")
    _check_keys("summarize", given, {field.name for field in fields(SummarizeParams)}, required=set())
    window = _integer("summarize.loss_window", given.get("loss_window", 1000), 1)
    after = _integer("summarize.flat_after", given.get("flat_after", 4000), window)
    compare = given.get("compare") or {}
    for label, pair in compare.items() if isinstance(compare, dict) else [(None, None)]:
        if not isinstance(pair, dict) or set(pair) != {"a", "b"}:
            raise PipelineError(
                f"summarize.compare = {_describe(compare)} is invalid; use a mapping label -> {{a: variant, b: variant}} "
                "(the comparison reports b minus a)"
            )
    mixes = given.get("mixes") or {}
    if not isinstance(mixes, dict) or not all(
        isinstance(groups, dict) and all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(group, list) and group for group in pair)
            for pair in groups.values()
        )
        for groups in mixes.values()
    ):
        raise PipelineError(
            f"summarize.mixes = {_describe(mixes)} is invalid; use a mapping dataset -> {{name: [[classes], [classes]]}}"
        )
    return SummarizeParams(loss_window=window, flat_after=after, compare=compare, mixes=mixes)

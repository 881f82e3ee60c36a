"""Reading and validating the training half of ``params.yaml``: datasets, seeds, train, network, variants, study.

params.yaml is the one place every value lives: these readers require each key and
hold no defaults of their own, so a value that decides a result is always in the
file DVC tracks. Every check raises a PipelineError that names the key, the bad
value and what would be valid. The analysis sections (evaluate, summarize, plot)
are read by ``vae_study.core.analysis_params``; ``vae_study.ingest.checks`` runs every check
before any stage works.
"""

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml

from vae_study.core.backend import BACKENDS
from vae_study.core.errors import PipelineError
from vae_study.core.loss_kinds import LOSS_KINDS
from vae_study.core.validate import boolean, check_keys, choice, describe, integer, names, number, positive_list, section

PARAMS_FILE = Path("params.yaml")
TFDS_SOURCE = "tfds"
OPTIMIZERS = ("adam",)
DISTRIBUTE_MODES = ("none", "mirrored", "multi_worker")
PRECISIONS = ("float32", "mixed_bfloat16")
RECONSTRUCTION_LOSSES = tuple(LOSS_KINDS)  # the Keras VAE's summed squared error, the study's per-pixel mean, summed BCE


@dataclass(frozen=True)
class DatasetParams:
    """Where a dataset comes from, its classes, and how much of it the model sees."""

    name: str
    source: str
    tfds_name: str
    classes: tuple[str, ...]
    validation_size: int
    max_train: int | None
    max_test: int | None
    seed: int

    @property
    def is_tfds(self) -> bool:
        return self.source == TFDS_SOURCE


@dataclass(frozen=True)
class TrainParams:
    """Optimisation settings shared by all variants unless a variant overrides them."""

    optimizer: str
    learning_rate: float
    batch_size: int
    epochs: int
    distribute: str
    devices: tuple[str, ...] | None
    precision: str
    jit_compile: bool | str
    onednn: bool
    backend: str
    seed: int = 0  # the run's seed, one of the top-level ``seeds`` (weights, sampler noise, batch order)


@dataclass(frozen=True)
class NetworkParams:
    """Network and loss settings shared by all variants unless a variant overrides them (the study's by default)."""

    conv_strides: int
    conv_padding: str
    pooling: bool
    decoder_grid_filters: int | None
    decoder_output: str
    reconstruction_weight: float


@dataclass(frozen=True)
class VariantParams:
    """One model of the study: its architecture, loss weighting and training settings."""

    name: str
    dataset: str
    conv_filters: tuple[int, ...]
    dense_units: tuple[int, ...]
    latent_dim: int
    kl_weight: float
    reconstruction_loss: str
    network: NetworkParams
    train: TrainParams


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


def _entry(params: dict[str, Any], key: str, kind: str, name: str) -> tuple[str, dict[str, Any]]:
    """The mapping at ``key.name`` and its dotted key, or an error listing the defined names."""
    entries = section(params, key)
    if name not in entries:
        raise PipelineError(f"unknown {kind} {name!r}; params.yaml defines: {', '.join(entries)}")
    where = f"{key}.{name}"
    if not isinstance(entries[name], dict):
        raise PipelineError(f"{where} must be a mapping, got {describe(entries[name])}")
    return where, entries[name]


DATASET_KEYS = {field.name for field in fields(DatasetParams)} - {"name"}


def dataset_params(params: dict[str, Any], name: str) -> DatasetParams:
    """Validated params of one dataset."""
    where, given = _entry(params, "datasets", "dataset", name)
    check_keys(where, given, DATASET_KEYS, required=DATASET_KEYS)
    source = given["source"]
    if not isinstance(source, str) or not source:
        raise PipelineError(
            f"{where}.source = {describe(source)} is invalid; use 'tfds' or the path of an image folder or archive"
        )
    tfds_name = given["tfds_name"]
    if not isinstance(tfds_name, str) or not tfds_name:
        raise PipelineError(f"{where}.tfds_name = {describe(tfds_name)} is invalid; use a TFDS dataset name")
    classes = given["classes"]
    if not isinstance(classes, list) or len(classes) < 2 or not all(isinstance(item, str) and item for item in classes) \
            or len(set(classes)) != len(classes):
        raise PipelineError(
            f"{where}.classes = {describe(classes)} is invalid; use the dataset's class names in label order, "
            "at least two, each once (quote digits: '0')"
        )
    return DatasetParams(
        name=name,
        source=source,
        tfds_name=tfds_name,
        classes=tuple(classes),
        validation_size=integer(f"{where}.validation_size", given["validation_size"], 0),
        max_train=integer(f"{where}.max_train", given["max_train"], 1, allow_none=True),
        max_test=integer(f"{where}.max_test", given["max_test"], 1, allow_none=True),
        seed=integer(f"{where}.seed", given["seed"], 0),
    )


TRAIN_KEYS = {field.name for field in fields(TrainParams)} - {"seed"}  # the seed comes from ``seeds``
VARIANT_KEYS = {"dataset", "conv_filters", "dense_units", "latent_dim", "kl_weight", "reconstruction_loss"}


def _jit_compile(key: str, value: Any) -> bool | str:
    if value != "auto" and not isinstance(value, bool):
        raise PipelineError(f"{key} = {describe(value)} is invalid; use auto (Keras's choice: XLA on JAX), true or false")
    return value


def _devices(key: str, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise PipelineError(
            f"{key} = {describe(value)} is invalid; use null (all local GPUs) or a list of device names "
            "such as ['/cpu:0', '/cpu:1']"
        )
    return tuple(value)


TRAIN_CHECKS = {
    "optimizer": lambda key, value: choice(key, value, OPTIMIZERS),
    "learning_rate": lambda key, value: number(key, value, 0.0, strict=True),
    "batch_size": lambda key, value: integer(key, value, 1),
    "epochs": lambda key, value: integer(key, value, 1),
    "distribute": lambda key, value: choice(key, value, DISTRIBUTE_MODES),
    "devices": _devices,
    "precision": lambda key, value: choice(key, value, PRECISIONS),
    "jit_compile": _jit_compile,
    "onednn": boolean,
    "backend": lambda key, value: choice(key, value, BACKENDS),
}


def _check_jit(where: str, settings: TrainParams) -> TrainParams:
    if settings.backend == "tensorflow" and settings.jit_compile is True:
        # Keras would silently drop to jit_compile=False (keras/src/trainers/trainer.py, model_supports_jit).
        raise PipelineError(
            f"{where}.jit_compile = true cannot hold on TensorFlow: the pipeline runs TensorFlow's deterministic ops "
            "(exact reruns and resume), and XLA has no deterministic max-pool gradient; use auto or false "
            "(XLA is used on JAX)"
        )
    return settings


def train_params(params: dict[str, Any]) -> TrainParams:
    """The shared train settings, every key required."""
    given = section(params, "train")
    if "seed" in given:
        raise PipelineError("train.seed is no longer used; list the seeds to train in the top-level key seeds, e.g. [0, 1, 2]")
    check_keys("train", given, TRAIN_KEYS, required=TRAIN_KEYS)
    return _check_jit("train", TrainParams(**{key: TRAIN_CHECKS[key](f"train.{key}", given[key]) for key in TRAIN_KEYS}))


NETWORK_KEYS = {field.name for field in fields(NetworkParams)}
PADDINGS = ("valid", "same")
DECODER_OUTPUTS = ("conv", "conv_transpose")
NETWORK_CHECKS = {
    "conv_strides": lambda key, value: integer(key, value, 1),
    "conv_padding": lambda key, value: choice(key, value, PADDINGS),
    "pooling": boolean,
    "decoder_grid_filters": lambda key, value: integer(key, value, 1, allow_none=True),
    "decoder_output": lambda key, value: choice(key, value, DECODER_OUTPUTS),
    "reconstruction_weight": lambda key, value: number(key, value, 0.0, strict=True),
}


def network_params(params: dict[str, Any]) -> NetworkParams:
    """The shared network settings, every key required."""
    given = section(params, "network")
    check_keys("network", given, NETWORK_KEYS, required=NETWORK_KEYS)
    return NetworkParams(**{key: NETWORK_CHECKS[key](f"network.{key}", given[key]) for key in NETWORK_KEYS})


@dataclass(frozen=True)
class ClassifierParams:
    """How each dataset's reference classifier is trained (it judges whether decodes keep their class)."""

    epochs: int
    batch_size: int
    learning_rate: float
    seed: int


def classifier_params(params: dict[str, Any]) -> ClassifierParams:
    given = section(params, "classifier")
    keys = {field.name for field in fields(ClassifierParams)}
    check_keys("classifier", given, keys, required=keys)
    return ClassifierParams(
        epochs=integer("classifier.epochs", given["epochs"], 1),
        batch_size=integer("classifier.batch_size", given["batch_size"], 1),
        learning_rate=number("classifier.learning_rate", given["learning_rate"], 0.0, strict=True),
        seed=integer("classifier.seed", given["seed"], 0),
    )


def seeds(params: dict[str, Any]) -> list[int]:
    """The training seeds of the study: every variant is trained once per seed."""
    given = params.get("seeds")
    if not isinstance(given, list) or not given:
        raise PipelineError(f"seeds = {describe(given)} is invalid; use a non-empty list of integers >= 0, e.g. [0, 1, 2]")
    values = [integer(f"seeds[{index}]", value, 0) for index, value in enumerate(given)]
    if len(set(values)) != len(values):
        raise PipelineError(f"seeds = {given!r} lists a seed twice; each seed is one run")
    return values


def variant_names(params: dict[str, Any]) -> list[str]:
    return list(section(params, "variants"))


def variant_params(params: dict[str, Any], name: str, seed: int = 0) -> VariantParams:
    """Validated params of one variant's run with ``seed``, with the shared train settings it does not override."""
    where, given = _entry(params, "variants", "variant", name)
    if "seed" in given:
        raise PipelineError(f"{where}.seed is not a variant setting; the top-level seeds list sets every variant's seeds")
    check_keys(where, given, VARIANT_KEYS | TRAIN_KEYS | NETWORK_KEYS, required=VARIANT_KEYS)
    datasets = section(params, "datasets")
    if given["dataset"] not in datasets:
        raise PipelineError(f"{where}.dataset = {describe(given['dataset'])} is invalid; use one of {', '.join(datasets)}")
    overrides = {key: TRAIN_CHECKS[key](f"{where}.{key}", given[key]) for key in TRAIN_KEYS if key in given}
    network = {key: NETWORK_CHECKS[key](f"{where}.{key}", given[key]) for key in NETWORK_KEYS if key in given}
    return VariantParams(
        name=name,
        dataset=given["dataset"],
        conv_filters=positive_list(f"{where}.conv_filters", given["conv_filters"], allow_empty=True),  # [] = flat VAE
        dense_units=positive_list(f"{where}.dense_units", given["dense_units"]),
        latent_dim=integer(f"{where}.latent_dim", given["latent_dim"], 1),
        kl_weight=number(f"{where}.kl_weight", given["kl_weight"], 0.0, strict=False),
        reconstruction_loss=choice(f"{where}.reconstruction_loss", given["reconstruction_loss"], RECONSTRUCTION_LOSSES),
        network=replace(network_params(params), **network),
        train=_check_jit(where, replace(train_params(params), **overrides, seed=integer("seed", seed, 0))),
    )


def study(params: dict[str, Any]) -> dict[str, list[str]]:
    """The variants the pipeline runs, per dataset: dvc.yaml's train and embed matrices iterate these lists."""
    given = section(params, "study")
    datasets, variants = list(section(params, "datasets")), section(params, "variants")
    check_keys("study", given, set(datasets), required=set(datasets))
    for dataset, listed in given.items():
        for name in names(f"study.{dataset}", listed, list(variants), "variant", allow_empty=True):
            actual = variant_params(params, name).dataset
            if actual != dataset:
                raise PipelineError(f"study.{dataset} lists {name!r}, a variant of dataset {actual!r}; list it under study.{actual}")
    return given


def study_variants(params: dict[str, Any], seed: int = 0) -> list[VariantParams]:
    """Every variant the study runs (``study``), in order, validated for the run with ``seed``."""
    return [variant_params(params, name, seed) for listed in study(params).values() for name in listed]

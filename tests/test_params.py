"""Every bad param fails up front with a message naming the key, the value and what is valid."""

import copy

import pytest
import yaml

from conftest import PROJECT_ROOT
from vae_study.errors import PipelineError
from vae_study.params import dataset_params, evaluate_params, plot_params, seeds, summarize_params, variant_params

PARAMS = yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text())


def test_project_params_are_valid():
    for name in PARAMS["datasets"]:
        assert dataset_params(PARAMS, name).source.startswith("../shared/datasets/")
    variants = {name: variant_params(PARAMS, name) for name in PARAMS["variants"]}
    assert variants["cifar10_deep"].dense_units == (1024, 256, 32)
    assert variants["cifar10_deep"].kl_weight == 0.5
    assert variants["mnist_simple"].train.batch_size == 50
    assert variants["mnist_simple"].train.learning_rate == 1e-4
    assert variants["mnist_simple"].reconstruction_loss == "sum_squared"
    assert variant_params(_with("variants.mnist_simple.reconstruction_loss", "binary_crossentropy"), "mnist_simple").reconstruction_loss == "binary_crossentropy"
    evaluate_params(PARAMS)
    plot_params(PARAMS)


def _with(path: str, value):
    params = copy.deepcopy(PARAMS)
    *parents, key = path.split(".")
    node = params
    for parent in parents:
        node = node[parent]
    node[key] = value
    return params


DATASET_CASES = [
    ("datasets.mnist.max_train", 0, r"datasets.mnist.max_train = 0 .* integer >= 1 or null"),
    ("datasets.mnist.max_test", -5, r"datasets.mnist.max_test = -5"),
    ("datasets.mnist.validation_size", -1, r"datasets.mnist.validation_size = -1 .* integer >= 0"),
    ("datasets.mnist.validation_size", "10", r"validation_size = '10' \(str\)"),
    ("datasets.mnist.max_train", 1.5, r"max_train = 1.5 \(float\)"),
    ("datasets.mnist.source", 3, r"datasets.mnist.source = 3 \(int\) is invalid"),
    ("datasets.mnist.colour", "red", r"unknown key datasets.mnist.colour; valid keys are"),
]


@pytest.mark.parametrize("path, value, message", DATASET_CASES)
def test_bad_dataset_params(path, value, message):
    with pytest.raises(PipelineError, match=message):
        dataset_params(_with(path, value), "mnist")


VARIANT_CASES = [
    ("variants.mnist_simple.dataset", "svhn", r"dataset = 'svhn' \(str\) is invalid; use one of mnist, cifar10"),
    ("variants.mnist_simple.conv_filters", "none", r"conv_filters = 'none' .* list of positive integers"),
    ("variants.mnist_simple.dense_units", [], r"dense_units = \[\] .* non-empty list"),
    ("variants.mnist_simple.conv_filters", [32, 0], r"conv_filters\[1\] = 0 .* integer >= 1"),
    ("variants.mnist_simple.dense_units", [-3], r"dense_units\[0\] = -3"),
    ("variants.mnist_simple.latent_dim", 0, r"latent_dim = 0 .* integer >= 1"),
    ("variants.mnist_simple.kl_weight", -0.1, r"kl_weight = -0.1 .* number >= 0"),
    ("variants.mnist_simple.epochs", 0, r"variants.mnist_simple.epochs = 0"),
    ("variants.mnist_simple.batch_size", 0, r"batch_size = 0"),
    ("variants.mnist_simple.learning_rate", 0, r"learning_rate = 0 .* number > 0"),
    ("variants.mnist_simple.distribute", "tpu", r"distribute = 'tpu' .* none, mirrored, multi_worker"),
    ("variants.mnist_simple.reconstruction_loss", "l1", r"reconstruction_loss = 'l1' .* sum_squared, mean_squared"),
    ("variants.mnist_simple.dropout", 0.5, r"unknown key variants.mnist_simple.dropout"),
    ("train.epochs", -1, r"train.epochs = -1"),
    ("train.learning_rate", "fast", r"train.learning_rate = 'fast'"),
    ("train.momentum", 0.9, r"unknown key train.momentum"),
    ("train.precision", "float16", r"precision = 'float16' .* float32, mixed_bfloat16"),
    ("train.onednn", "yes", r"train.onednn = 'yes' \(str\) is invalid; use true or false"),
    ("train.jit_compile", "yes", r"train.jit_compile = 'yes' \(str\) is invalid; use auto"),
    ("train.jit_compile", True, r"train.jit_compile = true cannot hold on TensorFlow: .* no deterministic max-pool gradient"),
    ("train.seed", 1, r"train.seed is no longer used; list the seeds to train in the top-level key seeds"),
    ("variants.mnist_simple.seed", 1, r"variants.mnist_simple.seed is not a variant setting"),
]


@pytest.mark.parametrize("path, value, message", VARIANT_CASES)
def test_bad_variant_params(path, value, message):
    with pytest.raises(PipelineError, match=message):
        variant_params(_with(path, value), "mnist_simple")


def test_missing_variant_key_and_unknown_variant():
    params = copy.deepcopy(PARAMS)
    del params["variants"]["mnist_simple"]["latent_dim"]
    with pytest.raises(PipelineError, match="missing key variants.mnist_simple.latent_dim"):
        variant_params(params, "mnist_simple")
    with pytest.raises(PipelineError, match="unknown variant 'nope'"):
        variant_params(PARAMS, "nope")


def test_variant_overrides_shared_train_settings():
    variant = variant_params(_with("variants.cifar10_deep.epochs", 3), "cifar10_deep")
    assert variant.train.epochs == 3
    assert variant_params(PARAMS, "cifar10_simple").train.epochs == 10


def test_jit_compile_true_is_allowed_on_jax():
    params = _with("train.backend", "jax")
    params["train"]["jit_compile"] = True
    assert variant_params(params, "mnist_simple").train.jit_compile is True


def test_seeds_set_each_run_and_are_checked():
    assert seeds(PARAMS) == [0, 1, 2]
    assert variant_params(PARAMS, "mnist_simple", 2).train.seed == 2
    for value, message in [([], "non-empty list"), ([0, 0], "lists a seed twice"), ([0, -1], r"seeds\[1\] = -1"),
                           (3, "seeds = 3 \\(int\\) is invalid")]:
        with pytest.raises(PipelineError, match=message):
            seeds(_with("seeds", value))


def test_summarize_params_are_checked():
    settings = summarize_params(PARAMS)
    assert settings.compare["deep_vs_simple"] == {"a": "cifar10_simple", "b": "cifar10_deep"}
    with pytest.raises(PipelineError, match=r"summarize.compare = .* use a mapping label -> \{a: variant, b: variant\}"):
        summarize_params(_with("summarize.compare", {"x": {"a": "mnist_flat"}}))
    with pytest.raises(PipelineError, match=r"summarize.flat_after = 10 .* integer >= 1000"):
        summarize_params(_with("summarize.flat_after", 10))


def test_dvc_yaml_lists_every_variant_under_its_dataset():
    """dvc.yaml's per-dataset train/embed matrices must list exactly the variants of params.yaml with that dataset."""
    pipeline = yaml.safe_load((PROJECT_ROOT / "dvc.yaml").read_text())
    listed = {key.removesuffix("_variants"): names for entry in pipeline["vars"] for key, names in entry.items()}
    expected = {dataset: [name for name, spec in PARAMS["variants"].items() if spec["dataset"] == dataset]
                for dataset in PARAMS["datasets"]}
    assert {dataset: sorted(names) for dataset, names in listed.items()} == {d: sorted(n) for d, n in expected.items()}

"""Every bad param fails up front with a message naming the key, the value and what is valid."""

import copy

import pytest
import yaml

from conftest import PROJECT_ROOT
from vae_study.errors import PipelineError
from vae_study.params import dataset_params, evaluate_params, plot_params, variant_params

PARAMS = yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text())


def test_project_params_are_valid():
    for name in PARAMS["datasets"]:
        assert dataset_params(PARAMS, name).source == "tfds"
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

"""Every bad param fails up front with a message naming the key, the value and what is valid."""

import copy

import pytest
import yaml
from conftest import PROJECT_ROOT

from vae_study.core.analysis_params import evaluate_params, plot_params
from vae_study.core.errors import PipelineError
from vae_study.core.params import dataset_params, seeds, study, variant_params
from vae_study.ingest.checks import check_params
from vae_study.report.summarize_params import summarize_params

PARAMS = yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text())


def test_project_params_pass_every_check():
    assert check_params(PARAMS).startswith(f"{len(PARAMS['datasets'])} datasets, {len(PARAMS['variants'])} variants")


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
    ("datasets.mnist.classes", ["0", "0"], r"datasets.mnist.classes = \['0', '0'\] .* each once"),
    ("datasets.mnist.classes", [0, 1], r"classes = \[0, 1\] .*quote digits"),
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


def test_every_key_is_required_and_unknown_names_are_refused():
    """params.yaml is the one place values live: a missing key is an error, never a default."""
    for section, owner, key, check in [("variants", "mnist_simple", "latent_dim", lambda p: variant_params(p, "mnist_simple")),
                                       ("variants", "mnist_simple", "reconstruction_loss", lambda p: variant_params(p, "mnist_simple")),
                                       ("train", None, "onednn", lambda p: variant_params(p, "mnist_simple")),
                                       ("datasets", "mnist", "max_train", lambda p: dataset_params(p, "mnist")),
                                       ("evaluate", None, "knn_neighbors", evaluate_params),
                                       ("plot", None, "samples", plot_params)]:
        params = copy.deepcopy(PARAMS)
        (params[section][owner] if owner else params[section]).pop(key)
        where = f"{section}.{owner}.{key}" if owner else f"{section}.{key}"
        with pytest.raises(PipelineError, match=f"missing key {where}"):
            check(params)
    with pytest.raises(PipelineError, match="unknown variant 'nope'"):
        variant_params(PARAMS, "nope")


def test_variant_overrides_shared_train_settings():
    variant = variant_params(_with("variants.cifar10_deep.epochs", 3), "cifar10_deep")
    assert variant.train.epochs == 3
    assert variant_params(PARAMS, "cifar10_simple").train.epochs == PARAMS["train"]["epochs"] != 3


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


ANALYSIS_CASES = [
    ("evaluate.knn_neighbors", 0, evaluate_params, r"evaluate.knn_neighbors = 0 \(int\) is invalid; use an integer >= 1"),
    ("evaluate.superclasses.cifar10.vehicles", ["airplane", "car"], evaluate_params,
     r"evaluate.superclasses.cifar10.vehicles names class 'car'; the dataset's classes are airplane, automobile"),
    ("evaluate.superclasses.cifar10.animals", ["bird"], evaluate_params,
     r"evaluate.superclasses.cifar10 leaves out 'cat'; every class belongs to exactly one group"),
    ("evaluate.superclasses.svhn", {"a": ["1"]}, evaluate_params, r"evaluate.superclasses names dataset 'svhn'"),
    ("summarize.compare", {"x": {"a": "mnist_flat"}}, summarize_params,
     r"summarize.compare = .* use a mapping label -> \{a: variant, b: variant\}"),
    ("summarize.compare", {"x": {"a": "mnist_flat", "b": "mnist_huge"}}, summarize_params,
     r"summarize.compare.x names 'mnist_huge', which is not a variant"),
    ("summarize.flat_after", 10, summarize_params, r"summarize.flat_after = 10 .* integer >= 1000"),
    ("summarize.mixes.mnist.fours_nines", [["4"], ["nine"]], summarize_params,
     r"summarize.mixes.mnist.fours_nines\[1\] names class 'nine'"),
    ("plot.manifold_grid", 1, plot_params, r"plot.manifold_grid = 1 .* integer >= 2"),
    ("study.mnist", ["mnist_simple", "cifar10_simple"], study,
     r"study.mnist lists 'cifar10_simple', a variant of dataset 'cifar10'; list it under study.cifar10"),
    ("study.mnist", ["mnist_simple", "mnist_simple"], study, r"study.mnist = .* lists a variant twice"),
    ("study.mnist", ["mnist_huge"], study, r"study.mnist names 'mnist_huge', which is not a variant"),
    ("study.mnist", "mnist_simple", study, r"study.mnist = 'mnist_simple' \(str\) is invalid; use a list of variant names"),
]


@pytest.mark.parametrize("path, value, read, message", ANALYSIS_CASES)
def test_bad_analysis_and_study_params(path, value, read, message):
    with pytest.raises(PipelineError, match=message):
        read(_with(path, value))
    with pytest.raises(PipelineError, match=message):
        check_params(_with(path, value))  # the check stage runs every check

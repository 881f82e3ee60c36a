"""The JAX backend: same losses as TensorFlow from the same weights, exact resume, and the whole pipeline without TensorFlow."""

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import copy_project, dvc, requires_jax, run_command, tiny_params, write_image_folder

pytestmark = requires_jax
TESTS = Path(__file__).parent
# JAX's compilation cache reads through TensorFlow's file layer when it can; off, so nothing tries.
NO_TENSORFLOW = {"PYTHONPATH": str(TESTS / "no_tensorflow"), "JAX_ENABLE_COMPILATION_CACHE": "false"}


def _losses(tmp_path, backend, *flags) -> np.ndarray:
    output = tmp_path / f"{backend}{''.join(flags)}.npy"
    run_command([sys.executable, str(TESTS / "backend_losses.py"), backend, str(tmp_path / "initial.weights.h5"),
                 str(output), *flags], cwd=TESTS)
    return np.load(output)


def test_jax_and_tensorflow_train_alike_from_the_same_weights(tmp_path):
    """Without sampling noise the two backends agree to float32 rounding over 12 Adam steps (rtol 1e-4).

    With it, each draws its own noise (the RNG algorithms differ: Philox on TensorFlow,
    threefry on JAX), so single batches differ by the noise's effect: within 5% here.
    """
    exact = {backend: _losses(tmp_path, backend, "--no-noise") for backend in ("tensorflow", "jax")}
    assert len(exact["jax"]) == 12
    np.testing.assert_allclose(exact["jax"], exact["tensorflow"], rtol=1e-4)
    sampled = {backend: _losses(tmp_path, backend) for backend in ("tensorflow", "jax")}
    assert not np.array_equal(sampled["jax"], sampled["tensorflow"])
    np.testing.assert_allclose(sampled["jax"], sampled["tensorflow"], rtol=0.05)


@pytest.mark.slow
def test_jax_pipeline_runs_without_tensorflow(tmp_path):
    """`dvc exp run -S train.backend=jax` with TensorFlow unimportable: every stage runs and writes its outputs."""
    write_image_folder(tmp_path / "gray", shape=(16, 16, 1), per_class=6)
    write_image_folder(tmp_path / "rgb", shape=(17, 18, 3), per_class=6, seed=1, suffix=".jpg")

    def update(params):
        tiny_params(params, tmp_path / "gray", tmp_path / "rgb")
        params["variants"] = {name: params["variants"][name] for name in ("mnist_simple", "cifar10_highdim")}
        params["evaluate"]["superclasses"] = {"cifar10": {"ab": ["a", "b"], "c": ["c"]}}

    project = copy_project(tmp_path / "project", update)
    run_command(["git", "add", "-A"], cwd=project)
    run_command(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "tiny"], cwd=project)
    dvc(project, "exp", "run", "-S", "train.backend=jax", env_update=NO_TENSORFLOW)
    for name in ("mnist_simple", "cifar10_highdim"):
        assert len(pd.read_csv(project / "metrics" / "history" / name / "batches.csv")) == 2 * 5
        assert (project / "data" / "models" / f"{name}.keras").exists()
        assert (project / "metrics" / "eval" / f"{name}.json").exists()
        assert (project / "plots" / "latent" / f"{name}.png").exists()
    assert (project / "plots" / "loss_curves.png").exists()
    blocked = run_command([sys.executable, "-c", "import tensorflow"], cwd=project, check=False, env_update=NO_TENSORFLOW)
    assert "blocked by tests/no_tensorflow" in blocked.stderr
    refused = dvc(project, "exp", "run", "-S", "train.backend=tensorflow", check=False, env_update=NO_TENSORFLOW)
    assert refused.returncode != 0
    assert "train.backend = 'tensorflow' but tensorflow is not installed" in refused.stdout + refused.stderr


def test_jax_resume_is_exact(tmp_path):
    """A JAX run stopped after epoch 1 and resumed in a new process logs what an uninterrupted run does."""
    script = TESTS / "toy_training.py"
    run_command([sys.executable, str(script), str(tmp_path / "whole"), "--backend", "jax", "--epochs", "2"], cwd=TESTS)
    stopped = run_command([sys.executable, str(script), str(tmp_path / "resumed"), "--backend", "jax", "--epochs", "2",
                           "--stop-at-epoch", "1"], cwd=TESTS, check=False)
    assert stopped.returncode != 0 and not (tmp_path / "resumed" / "history").exists()
    resumed = run_command([sys.executable, str(script), str(tmp_path / "resumed"), "--backend", "jax", "--epochs", "3"],
                          cwd=TESTS)
    assert "resuming after epoch 1 of 2" in resumed.stdout
    for name in ("batches.csv", "epochs.csv"):
        assert (tmp_path / "resumed" / "history" / name).read_bytes() == (tmp_path / "whole" / "history" / name).read_bytes()
    shutil.rmtree(tmp_path / "resumed")

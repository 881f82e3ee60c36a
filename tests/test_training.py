"""Training: per-batch log, determinism, NaN stop, mirrored and multi-worker strategies (resume: test_resume.py)."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import requires_jax
from toy_training import outputs_in, toy_data, toy_variant

from vae_study.core.errors import PipelineError
from vae_study.core.training import is_chief, train_variant

TOY_SCRIPT = Path(__file__).with_name("toy_training.py")


def test_per_batch_log_metrics_and_model(tmp_path):
    outputs = outputs_in(tmp_path)
    metrics = train_variant(toy_variant(epochs=2), toy_data(22), outputs)
    batches = pd.read_csv(outputs.batches)
    assert list(batches.columns) == ["step", "epoch", "loss", "reconstruction", "kl"]
    assert batches["step"].tolist() == list(range(12))  # ceil(22 / 4) = 6 batches per epoch
    assert batches["epoch"].tolist() == [0] * 6 + [1] * 6
    np.testing.assert_allclose(batches["loss"], batches["reconstruction"] + batches["kl"], rtol=1e-5)
    # Raw batch values, not Keras's running mean: the epoch mean is their average.
    epochs = pd.read_csv(outputs.epochs)
    assert epochs["loss"].iloc[0] == pytest.approx(batches["loss"][:6].mean(), rel=1e-5)
    assert metrics["steps"] == 12 and metrics["images_per_second"] > 0
    assert json.loads(outputs.metrics.read_text())["train"]["loss"] == pytest.approx(epochs["loss"].iloc[-1])
    assert outputs.model.exists() and not any(outputs.checkpoints.iterdir())


def test_validation_split_is_scored_each_epoch_and_reported(tmp_path):
    """With a validation split, every epoch row has val_* terms, and metrics report the last epoch's."""
    from vae_study.core.datasets import Split

    data = toy_data(24)
    held_out = toy_data(8, seed=1).splits["train"]
    data.splits["validation"] = Split(held_out.images, held_out.labels)
    outputs = outputs_in(tmp_path)
    metrics = train_variant(toy_variant(epochs=2), data, outputs)
    epochs = pd.read_csv(outputs.epochs)
    assert {"val_loss", "val_reconstruction", "val_kl", "val_mse"} <= set(epochs.columns)
    assert len(epochs) == 2 and epochs["val_loss"].notna().all()
    last = {name: epochs[f"val_{name}"].iloc[-1] for name in ("loss", "reconstruction", "kl", "mse")}
    assert metrics["validation"] == pytest.approx(last)
    np.testing.assert_allclose(epochs["val_loss"], epochs["val_reconstruction"] + epochs["val_kl"], rtol=1e-5)
    assert not np.allclose(epochs["val_loss"], epochs["loss"])  # scored on other images than the training mean
    assert len(pd.read_csv(outputs.batches)) == 2 * 6  # the validation images are not trained on


def test_training_metrics_record_the_environment(tmp_path):
    import keras

    metrics = train_variant(toy_variant(epochs=1), toy_data(8), outputs_in(tmp_path))
    recorded = json.loads(outputs_in(tmp_path).metrics.read_text())["environment"]
    assert recorded == metrics["environment"]
    assert recorded["keras"] == keras.__version__ and recorded["numpy"] == np.__version__
    assert recorded["keras_backend"] == "tensorflow" and recorded["tensorflow"]
    import tensorflow as tf

    gpus = [device.name for device in tf.config.list_physical_devices("GPU")]
    assert recorded["cpu"] and len(recorded["accelerators"]) == len(gpus)  # none on a CPU-only machine, each GPU else


def test_same_seed_gives_identical_batch_losses(tmp_path):
    for run in ("a", "b"):
        train_variant(toy_variant(epochs=2), toy_data(24), outputs_in(tmp_path / run))
    first, second = ((tmp_path / run / "history" / "batches.csv").read_bytes() for run in ("a", "b"))
    assert first == second


def test_precision_policy_holds_for_the_training_call_only(tmp_path):
    import keras

    for precision in ("float32", "mixed_bfloat16"):
        train_variant(toy_variant(epochs=1, precision=precision), toy_data(8), outputs_in(tmp_path / precision))
        assert keras.mixed_precision.global_policy().name == "float32"
    losses = {precision: pd.read_csv(tmp_path / precision / "history" / "batches.csv")["loss"]
              for precision in ("float32", "mixed_bfloat16")}
    assert not np.array_equal(losses["float32"], losses["mixed_bfloat16"])  # bf16 did compute
    np.testing.assert_allclose(losses["mixed_bfloat16"], losses["float32"], rtol=0.05)


def test_non_finite_loss_stops_with_step_and_last_finite_loss(tmp_path):
    with pytest.raises(PipelineError, match=r"variant toy: loss became (nan|inf) at step \d+ .*last finite loss was"):
        train_variant(toy_variant(epochs=3, learning_rate=1e12), toy_data(24), outputs_in(tmp_path))


def test_batch_larger_than_training_set_is_refused(tmp_path):
    with pytest.raises(PipelineError, match=r"batch_size = 64 is larger than the 24 training images"):
        train_variant(toy_variant(batch_size=64), toy_data(24), outputs_in(tmp_path))


def test_multi_worker_needs_tf_config(tmp_path, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(PipelineError, match="needs the TF_CONFIG environment variable"):
        train_variant(toy_variant(distribute="multi_worker"), toy_data(24), outputs_in(tmp_path))


def _start(directory: Path, *args, env_update=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(TOY_SCRIPT), str(directory), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env_update or {})},
    )


@pytest.mark.slow
@requires_jax
def test_jax_data_parallel_on_two_cpu_devices_matches_single_device(tmp_path):
    """keras.distribution.DataParallel over two host devices: one global batch, so losses equal one device's.

    JAX shards the batch but draws the sampling noise for the whole batch at once, so the
    only difference from one device is float rounding in the sharded reductions (rtol 1e-5).
    """
    two = _start(tmp_path / "two", "--backend", "jax", "--mirrored-cpus", "2",
                 env_update={"XLA_FLAGS": "--xla_force_host_platform_device_count=2"})
    output = two.communicate(timeout=300)[0]
    assert two.returncode == 0, output
    assert "trained with DataParallel over 2 devices" in output
    one = _start(tmp_path / "one", "--backend", "jax")
    assert one.wait(timeout=300) == 0
    sharded, single = (pd.read_csv(tmp_path / name / "history" / "batches.csv") for name in ("two", "one"))
    assert len(sharded) == len(single) == 12
    np.testing.assert_allclose(sharded["loss"], single["loss"], rtol=1e-5)


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


@pytest.mark.slow
def test_mirrored_on_two_logical_cpus_matches_single_device(tmp_path):
    """Same data, seed and global batch: per-batch losses agree within 1% (the sampling noise differs)."""
    for name, extra in (("none", []), ("mirrored", ["--mirrored-cpus", "2"])):
        process = _start(tmp_path / name, *extra)
        output = process.communicate(timeout=300)[0]
        assert process.returncode == 0, output
    single, mirrored = (pd.read_csv(tmp_path / name / "history" / "batches.csv") for name in ("none", "mirrored"))
    assert len(single) == len(mirrored) == 12
    np.testing.assert_allclose(mirrored["loss"], single["loss"], rtol=0.01)


@pytest.mark.slow
def test_two_workers_on_localhost_chief_writes_everything(tmp_path):
    """MultiWorkerMirroredStrategy over two processes on 127.0.0.1: only the chief writes; losses match one worker's.

    Each worker draws the reparameterisation noise for its half of the batch from
    its own sampler, so per-batch losses differ from one process's by sampling
    noise only: within 1% (0.5% at most when measured).
    """
    cluster = {"worker": [f"127.0.0.1:{port}" for port in _free_ports(2)]}
    workers = [
        _start(tmp_path / f"worker{index}", "--multi-worker", env_update={
            "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        })
        for index in range(2)
    ]
    for worker in workers:
        output = worker.communicate(timeout=300)[0]
        assert worker.returncode == 0, output
    single = _start(tmp_path / "single")
    assert single.wait(timeout=300) == 0
    chief = tmp_path / "worker0"
    assert sorted(path.name for path in chief.iterdir()) == ["history", "metrics.json", "model.keras"]
    assert not (tmp_path / "worker1").exists()
    two, one = (pd.read_csv(directory / "history" / "batches.csv") for directory in (chief, tmp_path / "single"))
    assert len(two) == len(one) == 12
    assert not np.array_equal(two["loss"], one["loss"])
    np.testing.assert_allclose(two["loss"], one["loss"], rtol=0.01)


def test_the_chief_is_the_only_writer(monkeypatch):
    cluster = {"worker": ["a:1", "b:2"]}
    for task, chief in ((None, True), ({"type": "worker", "index": 0}, True), ({"type": "worker", "index": 1}, False)):
        monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": task} if task else {}))
        assert is_chief() == chief
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"chief": ["c:3"], **cluster}, "task": {"type": "worker", "index": 0}}))
    assert not is_chief()

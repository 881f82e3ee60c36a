"""Crash safety through DVC: a `dvc repro` killed with SIGKILL at any point resumes to byte-identical outputs.

Each test starts a real `dvc repro train-mnist@mnist_simple-0` in its own copy of a small
project (3 epochs of 100 batches), kills it and its training process with SIGKILL
at one point, runs `dvc repro` again and compares every output with an
uninterrupted run's: per-batch and per-epoch CSVs byte for byte, the metrics JSON
except wall time and speed, and every weight of the saved model bit for bit. The runs use the
params' defaults (oneDNN and XLA on), so this also shows those kernels are deterministic.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import copy_project, dvc, tiny_params, write_image_folder
from toy_training import outputs_in, stop_at_epoch, toy_data, toy_variant

from vae_study.core.training import train_variant

pytestmark = pytest.mark.slow

KILL_HOOKS = Path(__file__).with_name("kill_hooks")
STAGE = "train-mnist@mnist_simple-0"
HISTORY = Path("metrics/history/mnist_simple/seed-0")
METRICS = Path("metrics/train/mnist_simple/seed-0.json")
MODEL = Path("data/models/mnist_simple/seed-0.keras")
CHECKPOINTS = Path("data/checkpoints/mnist_simple/seed-0")
TIMING = ("wall_seconds", "images_per_second")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A project with mnist prepared (399 training images), and an uninterrupted training run of it."""
    root = tmp_path_factory.mktemp("resume")
    write_image_folder(root / "gray", shape=(16, 16, 1), per_class=133)  # 399 images: 100 batches of 4, the last one partial

    def update(params):
        tiny_params(params, root / "gray", epochs=3)

    base = copy_project(root / "base", update)
    dvc(base, "repro", "preprocess@mnist")
    uninterrupted = root / "uninterrupted"
    shutil.copytree(base, uninterrupted, symlinks=True)
    dvc(uninterrupted, "repro", STAGE)
    return base, uninterrupted


def _start_repro(project: Path, kill_at: str | None = None) -> subprocess.Popen:
    """`dvc repro` in a new session, so that it and its stage can be killed as a group."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    if kill_at:
        env.update(KILL_AT=kill_at, PYTHONPATH=os.pathsep.join(filter(None, [str(KILL_HOOKS), env.get("PYTHONPATH")])))
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "dvc"), "repro", STAGE], cwd=project, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )


def _kill_mid_epoch(project: Path) -> None:
    """SIGKILL the repro's process group as soon as the checkpoint of epoch 1 exists (early in epoch 2)."""
    process = _start_repro(project)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if list((project / CHECKPOINTS).glob("*/epoch-0001")):
            break
        time.sleep(0.02)
    assert process.poll() is None, f"training ended before it could be killed:\n{process.communicate()[0]}"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _weights(path: Path) -> list[np.ndarray]:
    import keras

    import vae_study.core.model  # noqa: F401  (registers the VAE class)

    return [np.asarray(weight) for weight in keras.saving.load_model(path).get_weights()]


def _assert_same_outputs(project: Path, reference: Path) -> None:
    for name in ("batches.csv", "epochs.csv"):
        assert (project / HISTORY / name).read_bytes() == (reference / HISTORY / name).read_bytes(), name
    metrics, expected = (json.loads((root / METRICS).read_text()) for root in (project, reference))
    assert {k: v for k, v in metrics.items() if k not in TIMING} == {k: v for k, v in expected.items() if k not in TIMING}
    assert metrics["steps"] == 300
    for mine, theirs in zip(_weights(project / MODEL), _weights(reference / MODEL), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert not list((project / CHECKPOINTS).glob("*/*")), "checkpoints are removed once the outputs are written"


# Killed while training, while writing a checkpoint, and while writing the final model. kill_hooks' "history" point
# (killed while the per-epoch CSV is written) is left out: like "model", it dies after the last checkpoint, so the rerun
# takes the same path (resume after epoch 3, rewrite every output).
@pytest.mark.parametrize(
    "kill_at, resumed_after",
    [("mid-epoch", 1), ("checkpoint", 1), ("model", 3)],
)
def test_killed_repro_resumes_to_identical_outputs(prepared, tmp_path, kill_at, resumed_after):
    base, uninterrupted = prepared
    project = tmp_path / "project"
    shutil.copytree(base, project, symlinks=True)
    if kill_at == "mid-epoch":
        _kill_mid_epoch(project)
    else:
        killed = _start_repro(project, kill_at)
        output = killed.communicate(timeout=300)[0]
        assert killed.returncode == -signal.SIGKILL, output
    rerun = dvc(project, "repro", STAGE)
    assert f"resuming after epoch {resumed_after} of 3" in rerun.stdout
    if kill_at == "checkpoint":
        assert "a checkpoint whose writing was interrupted" in rerun.stdout
    _assert_same_outputs(project, uninterrupted)
    assert "Data and pipelines are up to date" in dvc(project, "repro", STAGE).stdout


def test_damaged_checkpoint_falls_back_to_the_one_before(tmp_path):
    variant, data = toy_variant(epochs=3), toy_data(24)
    train_variant(variant, data, outputs_in(tmp_path / "uninterrupted"))
    outputs = outputs_in(tmp_path / "crashed")
    with pytest.raises(KeyboardInterrupt):
        train_variant(variant, data, outputs, extra_callbacks=[stop_at_epoch(2)])
    newest = sorted(outputs.checkpoints.glob("*/epoch-*"))[-1]
    assert newest.name == "epoch-0002"
    state = newest / "state.npz"
    state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    messages = []
    train_variant(variant, data, outputs, report=messages.append)
    assert any("epoch-0002 is damaged: state.npz does not match its SHA-256" in line for line in messages), messages
    assert any("resuming after epoch 1 of 3" in line for line in messages), messages
    assert outputs.batches.read_bytes() == (tmp_path / "uninterrupted" / "history" / "batches.csv").read_bytes()


def test_checkpoint_of_other_params_is_never_resumed(tmp_path):
    data, outputs = toy_data(24), outputs_in(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        train_variant(toy_variant(epochs=3), data, outputs, extra_callbacks=[stop_at_epoch(2)])
    messages = []
    train_variant(toy_variant(epochs=3, learning_rate=2e-3), data, outputs, report=messages.append)
    assert any("discarding checkpoint" in line and "of other params, data or code" in line for line in messages)
    assert not any("resuming" in line for line in messages)
    assert len(outputs.batches.read_text().splitlines()) == 1 + 18

"""End-of-epoch training checkpoints that a resumed run continues from exactly.

A checkpoint holds every piece of training state - all model variables (the
sampler's random state among them), all optimizer variables (its step count
among them) - and the loss history so far. It lives outside the stage's DVC
outputs, which DVC deletes before it reruns a stage, so a killed ``dvc repro``
loses nothing that the next one needs.

Each checkpoint is written into a scratch folder, fsynced and renamed into
place, so a kill leaves either a whole checkpoint or a scratch folder (removed
on the next start). A manifest of SHA-256 digests, checked on load, catches a
damaged one; the run then falls back to the previous checkpoint and says so.
"""

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMAT = 1
KEEP = 2
SCRATCH_PREFIX = ".scratch-"
MANIFEST = "manifest.json"


@dataclass
class Checkpoint:
    """Training state after ``epoch`` finished epochs."""

    epoch: int
    model: list[np.ndarray]
    optimizer: list[np.ndarray]
    batches: np.ndarray  # one row per step: step, epoch, loss terms
    epochs: list[dict]  # one dict per finished epoch
    seconds: float  # training seconds spent so far, over all runs


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _name(epoch: int) -> str:
    return f"epoch-{epoch:04d}"


def save(directory: Path, checkpoint: Checkpoint, variable_shapes: dict[str, list[list[int]]]) -> None:
    """Write ``checkpoint`` atomically into ``directory``; keep the newest KEEP checkpoints."""
    directory.mkdir(parents=True, exist_ok=True)
    scratch = directory / f"{SCRATCH_PREFIX}{_name(checkpoint.epoch)}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    arrays = {f"model_{index}": value for index, value in enumerate(checkpoint.model)}
    arrays.update({f"optimizer_{index}": value for index, value in enumerate(checkpoint.optimizer)})
    np.savez(scratch / "state.npz", **arrays)
    np.save(scratch / "batches.npy", checkpoint.batches)
    (scratch / "history.json").write_text(
        json.dumps({"epochs": checkpoint.epochs, "seconds": checkpoint.seconds, "shapes": variable_shapes})
    )
    files = ("state.npz", "batches.npy", "history.json")
    manifest = {"format": FORMAT, "epoch": checkpoint.epoch, "sha256": {name: _digest(scratch / name) for name in files}}
    (scratch / MANIFEST).write_text(json.dumps(manifest, indent=1))
    for name in (*files, MANIFEST):
        _fsync(scratch / name)
    target = directory / _name(checkpoint.epoch)
    shutil.rmtree(target, ignore_errors=True)
    scratch.rename(target)
    _fsync(directory)
    for old in sorted(directory.glob("epoch-*"))[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)


class DamagedCheckpoint(Exception):
    """A checkpoint folder whose files are missing or do not match its manifest."""


def _load_one(folder: Path, variable_shapes: dict[str, list[list[int]]]) -> Checkpoint:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise DamagedCheckpoint(f"its manifest cannot be read ({error})") from None
    if manifest.get("format") != FORMAT:
        raise DamagedCheckpoint(f"it has format {manifest.get('format')!r}, this code writes {FORMAT}")
    for name, digest in manifest["sha256"].items():
        if not (folder / name).exists():
            raise DamagedCheckpoint(f"{name} is missing")
        if _digest(folder / name) != digest:
            raise DamagedCheckpoint(f"{name} does not match its SHA-256 in the manifest")
    history = json.loads((folder / "history.json").read_text())
    if history["shapes"] != variable_shapes:
        raise DamagedCheckpoint("its variables differ from this model's")
    with np.load(folder / "state.npz") as state:
        model = [state[f"model_{index}"] for index in range(len(variable_shapes["model"]))]
        optimizer = [state[f"optimizer_{index}"] for index in range(len(variable_shapes["optimizer"]))]
    return Checkpoint(
        epoch=int(manifest["epoch"]),
        model=model,
        optimizer=optimizer,
        batches=np.load(folder / "batches.npy"),
        epochs=history["epochs"],
        seconds=float(history["seconds"]),
    )


def latest(directory: Path, variable_shapes: dict[str, list[list[int]]], report=print) -> Checkpoint | None:
    """The newest intact checkpoint in ``directory``, or None; scratch folders are removed."""
    if not directory.exists():
        return None
    for scratch in directory.glob(f"{SCRATCH_PREFIX}*"):
        report(f"removing {scratch}, a checkpoint whose writing was interrupted")
        shutil.rmtree(scratch, ignore_errors=True)
    for folder in sorted(directory.glob("epoch-*"), reverse=True):
        try:
            return _load_one(folder, variable_shapes)
        except DamagedCheckpoint as error:
            report(f"checkpoint {folder} is damaged: {error}; trying the one before it")
    return None

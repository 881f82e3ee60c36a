"""Training one variant: deterministic input pipeline, per-batch loss log, resume after a kill.

Per-batch and per-epoch histories are CSV files written here rather than by
dvclive: a run killed mid-epoch resumes from its last checkpoint, and the rows
logged after that checkpoint must be dropped, which dvclive's ``resume=True``
(it appends after its last logged step) cannot do.
"""

import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from vae_study.datasets import Dataset, scale_images
from vae_study.errors import PipelineError
from vae_study.model import LOSS_TERMS, build_vae
from vae_study.params import VariantParams

BATCH_COLUMNS = ["step", "epoch", *LOSS_TERMS]


@dataclass
class TrainingOutputs:
    """Where one variant's training writes."""

    model: Path
    history: Path
    metrics: Path
    checkpoints: Path

    @property
    def batches(self) -> Path:
        return self.history / "batches.csv"

    @property
    def epochs(self) -> Path:
        return self.history / "epochs.csv"


def configure_determinism(seed: int) -> None:
    """Same params and seed on the same machine give the same per-batch losses."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def make_strategy(variant: VariantParams):
    import tensorflow as tf

    mode = variant.train.distribute
    if mode == "mirrored":
        return tf.distribute.MirroredStrategy(devices=list(variant.train.devices) if variant.train.devices else None)
    if mode == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            raise PipelineError(
                f"variants.{variant.name}: distribute = 'multi_worker' needs the TF_CONFIG environment variable "
                "describing the cluster; see the README"
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.get_strategy()


def batches(images: np.ndarray, batch_size: int):
    """Scaled images in order, batched (for validation and evaluation)."""
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices(scale_images(images)).batch(batch_size).prefetch(tf.data.AUTOTUNE)


def training_batches(images: np.ndarray, batch_size: int, seed: int, first_epoch: int, epochs: int):
    """The batches of ``epochs`` epochs from ``first_epoch`` on, as one stream.

    Epoch e is shuffled with a seed derived from (seed, e), so its order does not
    depend on how many epochs ran before in this process (resume) or on how the
    stream is split over devices (tf.data's reshuffle_each_iteration does both).
    """
    import tensorflow as tf

    examples = tf.data.Dataset.from_tensor_slices(scale_images(images))
    stream = None
    for epoch in range(first_epoch, first_epoch + epochs):
        shuffled = examples.shuffle(len(images), seed=seed * 1_000_003 + epoch, reshuffle_each_iteration=False)
        stream = shuffled.batch(batch_size) if stream is None else stream.concatenate(shuffled.batch(batch_size))
    return stream.prefetch(tf.data.AUTOTUNE)


def resumable_epoch(backup_dir: Path) -> int:
    """Finished epochs recorded by Keras's BackupAndRestore in ``backup_dir`` (0 if none)."""
    metadata = backup_dir / "training_metadata.json"
    try:
        return int(json.loads(metadata.read_text())["epoch"])
    except (FileNotFoundError, ValueError, KeyError):
        return 0


def fingerprint(variant: VariantParams, data: Dataset) -> str:
    """Identifies a training run: a checkpoint is only resumed by a run with the same fingerprint.

    It covers the params, the data and the model and training code, so a
    checkpoint written by older code is never resumed.
    """
    digest = hashlib.sha256(json.dumps(asdict(variant), sort_keys=True).encode())
    for module in (Path(__file__), Path(__file__).with_name("model.py")):
        digest.update(module.read_bytes())
    for name in sorted(data.splits):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(data.splits[name].images).data)
        digest.update(np.ascontiguousarray(data.splits[name].labels).data)
    return digest.hexdigest()[:16]


def check_trainable(variant: VariantParams, data: Dataset) -> None:
    size = len(data.splits["train"])
    if variant.train.batch_size > size:
        raise PipelineError(
            f"variants.{variant.name}: batch_size = {variant.train.batch_size} is larger than the "
            f"{size} training images of {variant.dataset}; use 1 to {size}"
        )


def _history_callback(variant: VariantParams, outputs: TrainingOutputs, steps_per_epoch: int):
    import keras

    class LossHistory(keras.callbacks.Callback):
        """Record every batch's raw loss terms; stop on a non-finite loss."""

        def __init__(self):
            super().__init__()
            self.rows: list[list] = []
            self.epoch = 0
            self.steps_run = 0
            self.last_finite: float | None = None
            self.epoch_rows = pd.read_csv(outputs.epochs).to_dict("records") if outputs.epochs.exists() else []

        def on_epoch_begin(self, epoch, logs=None):
            # Rows past the restored checkpoint came from a killed run: drop them.
            self.epoch = epoch
            if outputs.batches.exists() and not self.rows:
                kept = pd.read_csv(outputs.batches)
                self.rows = kept[kept["step"] < epoch * steps_per_epoch].values.tolist()
                self.last_finite = float(self.rows[-1][2]) if self.rows else None
            self.epoch_rows = [row for row in self.epoch_rows if row["epoch"] < epoch]

        def on_train_batch_end(self, batch, logs=None):
            step = self.epoch * steps_per_epoch + batch
            values = [float(logs[f"batch_{name}"]) for name in LOSS_TERMS]
            if not np.isfinite(values[0]):
                raise PipelineError(
                    f"variant {variant.name}: loss became {values[0]} at step {step} (epoch {self.epoch}); "
                    f"last finite loss was {self.last_finite}. Try a lower learning_rate."
                )
            self.last_finite = values[0]
            self.steps_run += 1
            self.rows.append([step, self.epoch, *values])

        def on_epoch_end(self, epoch, logs=None):
            outputs.history.mkdir(parents=True, exist_ok=True)
            pd.DataFrame(self.rows, columns=BATCH_COLUMNS).astype({"step": int, "epoch": int}).to_csv(
                outputs.batches, index=False
            )
            kept = {key: float(value) for key, value in logs.items() if not key.startswith(("batch_", "val_batch_"))}
            self.epoch_rows.append({"epoch": epoch, **kept})
            pd.DataFrame(self.epoch_rows).to_csv(outputs.epochs, index=False)

    return LossHistory()


def train_variant(variant: VariantParams, data: Dataset, outputs: TrainingOutputs, extra_callbacks=()) -> dict:
    """Train (or resume) one variant; write model, histories and metrics; return the metrics.

    ``extra_callbacks`` are Keras callbacks to run as well (the benchmark times epochs with one).
    The variant's precision policy is Keras-global, so it holds only for this call.
    """
    import keras

    check_trainable(variant, data)
    configure_determinism(variant.train.seed)
    previous_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(variant.train.precision)
    try:
        return _fit_and_save(variant, data, outputs, extra_callbacks)
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)


def _fit_and_save(variant: VariantParams, data: Dataset, outputs: TrainingOutputs, extra_callbacks) -> dict:
    """The body of ``train_variant``, run under the variant's precision policy."""
    import keras

    settings = variant.train
    train = data.splits["train"]
    steps_per_epoch = -(-len(train) // settings.batch_size)
    run_id = fingerprint(variant, data)
    backup_dir = outputs.checkpoints / run_id
    if outputs.checkpoints.exists():
        for stale in outputs.checkpoints.iterdir():
            if stale != backup_dir:
                shutil.rmtree(stale, ignore_errors=True)
    if not backup_dir.exists():
        shutil.rmtree(outputs.history, ignore_errors=True)
    strategy = make_strategy(variant)
    with strategy.scope():
        model = build_vae(variant, data.image_shape)
        model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate), jit_compile=settings.jit_compile)
    validation = data.splits.get("validation")
    history = _history_callback(variant, outputs, steps_per_epoch)
    first_epoch = resumable_epoch(backup_dir)
    started = time.perf_counter()
    model.fit(
        training_batches(train.images, settings.batch_size, settings.seed, first_epoch, settings.epochs),
        epochs=settings.epochs,
        steps_per_epoch=steps_per_epoch,
        validation_data=batches(validation.images, settings.batch_size) if validation else None,
        callbacks=[
            history,
            keras.callbacks.BackupAndRestore(str(backup_dir), double_checkpoint=True, delete_checkpoint=False),
            *extra_callbacks,
        ],
        shuffle=False,  # the input pipeline shuffles, seeded
        verbose=1,
    )
    seconds = time.perf_counter() - started
    final = pd.read_csv(outputs.epochs).iloc[-1].to_dict()
    metrics = {
        "train": {name: final[name] for name in (*LOSS_TERMS, "mse")},
        "wall_seconds": round(seconds, 2),
        "images_per_second": round(min(history.steps_run * settings.batch_size, len(train) * settings.epochs) / seconds, 1),
        "steps": int(len(pd.read_csv(outputs.batches))),
    }
    if validation:
        metrics["validation"] = {name: final[f"val_{name}"] for name in (*LOSS_TERMS, "mse")}
    outputs.model.parent.mkdir(parents=True, exist_ok=True)
    partial = outputs.model.with_name(f".{outputs.model.stem}.partial.keras")
    model.save(partial)
    partial.replace(outputs.model)
    outputs.metrics.parent.mkdir(parents=True, exist_ok=True)
    outputs.metrics.write_text(json.dumps(metrics, indent=2) + "\n")
    shutil.rmtree(backup_dir, ignore_errors=True)
    return metrics

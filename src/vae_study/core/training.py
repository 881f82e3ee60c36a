"""Training one variant on any Keras backend: exact per-batch log, exact resume after a kill.

Keras's ``fit`` runs the model's ``compute_loss`` on TensorFlow or JAX. Around
it this module adds what the study needs: batches in a seeded order that does
not depend on the backend or on earlier epochs, every batch's raw loss terms,
an end-of-epoch checkpoint of the whole training state (``vae_study.core.checkpoints``)
from which a killed run resumes bit for bit, and outputs written only by the
chief when training runs on several machines.

Histories are written here rather than by dvclive: a resumed run must rebuild
them from the checkpoint, because DVC deletes a stage's outputs before rerunning it.
"""

import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from vae_study.core import checkpoints, environment
from vae_study.core.batching import steps_per_epoch, training_batches
from vae_study.core.code_deps import project_modules
from vae_study.core.datasets import Dataset, scale_images
from vae_study.core.errors import PipelineError
from vae_study.core.files import replacing, write_json
from vae_study.core.model import LOSS_TERMS, build_vae
from vae_study.core.params import VariantParams
from vae_study.core.paths import TrainingOutputs, run_label

BATCH_COLUMNS = ["step", "epoch", *LOSS_TERMS]


def configure_determinism(seed: int) -> None:
    """Same params and seed on the same machine and backend give the same per-batch losses."""
    import keras

    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def is_chief() -> bool:
    """Whether this process writes outputs: always, except a non-chief worker named in TF_CONFIG."""
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    task = config.get("task") or {}
    kind, index = task.get("type"), int(task.get("index", 0))
    if kind is None:
        return True
    has_chief = "chief" in (config.get("cluster") or {})
    return kind == "chief" or (kind == "worker" and index == 0 and not has_chief)


def distribution_scope(variant: VariantParams):
    """The context that builds and trains the model on the variant's devices."""
    import contextlib

    import keras

    mode, where = variant.train.distribute, f"variants.{variant.name}"
    if keras.backend.backend() == "jax":
        if mode == "multi_worker":
            raise PipelineError(
                f"{where}: distribute = 'multi_worker' needs the tensorflow backend; "
                "use backend: tensorflow, or distribute: mirrored for the local devices"
            )
        if mode == "mirrored":
            devices = keras.distribution.list_devices()
            if variant.train.devices:  # '/cpu:0' (TensorFlow's spelling) and 'cpu:0' (JAX's) name the same device
                wanted = {name.lstrip("/").lower() for name in variant.train.devices}
                available, devices = devices, [device for device in devices if device.lower() in wanted]
                if len(devices) != len(wanted):
                    raise PipelineError(
                        f"{where}: devices = {list(variant.train.devices)} are not all JAX devices here; "
                        f"available: {', '.join(available)}"
                    )
            keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        else:
            keras.distribution.set_distribution(None)
        return contextlib.nullcontext()
    import tensorflow as tf

    if mode == "mirrored":
        return tf.distribute.MirroredStrategy(devices=list(variant.train.devices) if variant.train.devices else None).scope()
    if mode == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            raise PipelineError(
                f"{where}: distribute = 'multi_worker' needs the TF_CONFIG environment variable "
                "describing the cluster; see the README"
            )
        _log_one_worker_copy()
        return tf.distribute.MultiWorkerMirroredStrategy().scope()
    return tf.distribute.get_strategy().scope()


def _log_one_worker_copy() -> None:
    """Let Keras's ``fit`` run under MultiWorkerMirroredStrategy by reporting one worker's copy of the logs.

    Keras 3 (3.15) reduces the step's scalar logs over workers along axis 0, which
    fails for scalars (tensorflow/tensorflow#72388). Every log of this model is the
    whole batch's value on every worker already (``VAE.compute_loss`` all-reduces
    them), so this process's copy is the answer. Only Keras's multi-worker case is
    replaced; everything else goes to Keras's own function.
    """
    import tensorflow as tf
    from keras import tree
    from keras.src.backend.tensorflow import trainer

    keras_reduce = getattr(trainer.reduce_per_replica, "keras_reduce", trainer.reduce_per_replica)

    def reduce_per_replica(values, strategy, reduction):
        if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
            return keras_reduce(values, strategy, reduction)
        return tree.map_structure(
            lambda value: strategy.experimental_local_results(value)[0]
            if isinstance(value, tf.distribute.DistributedValues) else value,
            values,
        )

    reduce_per_replica.keras_reduce = keras_reduce
    trainer.reduce_per_replica = reduce_per_replica


def fingerprint(variant: VariantParams, data: Dataset) -> str:
    """Identifies a training run: a checkpoint is only resumed by a run with the same fingerprint.

    It covers the params, the data and the training code (this module and every
    project module it imports), so a checkpoint written by other params, data or
    code is never resumed.
    """
    digest = hashlib.sha256(json.dumps(asdict(variant), sort_keys=True).encode())
    for module in project_modules(Path(__file__)):
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


def _variable_shapes(model) -> dict[str, list[list[int]]]:
    """What a checkpoint must match: the shape of every model and optimizer variable, in order."""
    return {
        part: [[int(size) for size in variable.shape] for variable in variables]
        for part, variables in (("model", model.variables), ("optimizer", model.optimizer.variables))
    }


def _restore(model, checkpoint: checkpoints.Checkpoint) -> None:
    for variable, value in zip(model.variables, checkpoint.model):
        variable.assign(value)
    for variable, value in zip(model.optimizer.variables, checkpoint.optimizer):
        variable.assign(value)


def _state(model) -> tuple[list[np.ndarray], list[np.ndarray]]:
    import keras

    def values(variables):
        return [keras.ops.convert_to_numpy(variable.value) for variable in variables]

    return values(model.variables), values(model.optimizer.variables)


def _history_callback(variant: VariantParams, start: checkpoints.Checkpoint, steps: int, save_checkpoint):
    """Record every batch's raw loss terms, checkpoint each finished epoch, stop on a non-finite loss."""
    import keras

    class LossHistory(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.rows = [list(row) for row in start.batches.tolist()]
            self.epoch_rows = list(start.epochs)
            self.epoch = start.epoch
            self.last_finite = self.rows[-1][2] if self.rows else None

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            step = self.epoch * steps + batch
            values = [float(logs[f"batch_{name}"]) for name in LOSS_TERMS]
            if not np.isfinite(values[0]):
                raise PipelineError(
                    f"variant {variant.name}: loss became {values[0]} at step {step} (epoch {self.epoch}); "
                    f"last finite loss was {self.last_finite}. Try a lower learning_rate."
                )
            self.last_finite = values[0]
            self.rows.append([step, self.epoch, *values])

        def on_epoch_end(self, epoch, logs=None):
            kept = {key: float(value) for key, value in logs.items() if not key.startswith(("batch_", "val_batch_"))}
            self.epoch_rows.append({"epoch": epoch, **kept})
            save_checkpoint(epoch + 1, np.asarray(self.rows, np.float64), self.epoch_rows)

    return LossHistory()


def train_variant(variant: VariantParams, data: Dataset, outputs: TrainingOutputs, extra_callbacks=(), report=print) -> dict:
    """Train (or resume) one variant; write model, histories and metrics; return the metrics.

    ``extra_callbacks`` are Keras callbacks to run as well (the benchmark times epochs with one).
    The variant's precision policy is Keras-global, so it holds only for this call.
    The backend (``train.backend``) must have been chosen before Keras was imported.
    """
    import keras

    if keras.backend.backend() != variant.train.backend:
        raise PipelineError(
            f"variants.{variant.name}: train.backend = {variant.train.backend!r}, but Keras was loaded with "
            f"{keras.backend.backend()!r}; choose it before importing Keras (vae_study.core.backend.apply_train_settings)"
        )
    check_trainable(variant, data)
    configure_determinism(variant.train.seed)
    previous_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(variant.train.precision)
    try:
        return _fit_and_save(variant, data, outputs, extra_callbacks, report)
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)


def _fit_and_save(variant: VariantParams, data: Dataset, outputs: TrainingOutputs, extra_callbacks, report) -> dict:
    """The body of ``train_variant``, run under the variant's precision policy."""
    import keras

    settings = variant.train
    train = data.splits["train"]
    steps = steps_per_epoch(len(train), settings.batch_size)
    chief = is_chief()
    # Several workers would have to agree on the epoch to resume from; they all start afresh instead.
    resumable = settings.distribute != "multi_worker"
    run_directory = outputs.checkpoints / fingerprint(variant, data)
    if chief and resumable and outputs.checkpoints.exists():
        for stale in outputs.checkpoints.iterdir():
            if stale != run_directory:
                report(f"train {run_label(variant.name, settings.seed)}: discarding checkpoint {stale} of other params, data or code")
                shutil.rmtree(stale, ignore_errors=True)
    with distribution_scope(variant):
        model = build_vae(variant, data.image_shape)
        model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate), jit_compile=settings.jit_compile)
        model.optimizer.build(model.trainable_variables)
    shapes = _variable_shapes(model)
    start = checkpoints.latest(run_directory, shapes, report) if resumable else None
    if start is None:
        start = checkpoints.Checkpoint(0, [], [], np.empty((0, len(BATCH_COLUMNS))), [], 0.0)
    else:
        _restore(model, start)
        label = run_label(variant.name, settings.seed)
        report(f"train {label}: resuming after epoch {start.epoch} of {settings.epochs} from {run_directory}")

    def save_checkpoint(epoch, rows, epoch_rows):
        if chief and resumable:
            model_state, optimizer_state = _state(model)
            seconds = start.seconds + time.perf_counter() - started
            checkpoints.save(
                run_directory, checkpoints.Checkpoint(epoch, model_state, optimizer_state, rows, epoch_rows, seconds), shapes
            )

    history = _history_callback(variant, start, steps, save_checkpoint)
    validation = data.splits.get("validation")
    started = time.perf_counter()
    if start.epoch < settings.epochs:
        model.fit(
            ((batch,) for batch in training_batches(
                scale_images(train.images), settings.batch_size, settings.seed, start.epoch, settings.epochs
            )),
            epochs=settings.epochs,
            initial_epoch=start.epoch,
            steps_per_epoch=steps,
            validation_data=(scale_images(validation.images),) if validation else None,
            validation_batch_size=settings.batch_size,
            callbacks=[history, *extra_callbacks],
            shuffle=False,  # the batches come in their seeded order
            verbose=2 if chief else 0,
        )
    seconds = time.perf_counter() - started
    if not chief:
        return {}
    final = history.epoch_rows[-1]
    metrics = {
        "train": {name: final[name] for name in (*LOSS_TERMS, "mse")},
        "wall_seconds": round(start.seconds + seconds, 2),
        "images_per_second": round(len(train) * (settings.epochs - start.epoch) / seconds, 1) if start.epoch < settings.epochs else None,
        "steps": len(history.rows),
        "environment": environment.describe(),
    }
    if validation:
        metrics["validation"] = {name: final[f"val_{name}"] for name in (*LOSS_TERMS, "mse")}
    write_history(outputs, history.rows, history.epoch_rows)
    save_without_optimizer(model, outputs.model)
    write_json(outputs.metrics, metrics)
    if resumable:
        shutil.rmtree(run_directory, ignore_errors=True)
    return metrics


def save_without_optimizer(model, path: Path) -> None:
    """The trained model without its optimizer state, deflated: what embedding and a DVC remote need, under a third of
    the file Keras saves by default.

    Keras saves a compiled model's optimizer variables too (Adam keeps two per weight); the resume checkpoints
    hold them, so the final file leaves them out: an uncompiled copy with the same weights is saved, and its
    members are compressed (Keras stores them uncompressed).
    """
    import zipfile

    import keras

    copy = model.__class__.from_config(model.get_config())
    copy.build((None, *model.image_shape))
    copy.set_weights(model.get_weights())
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = path.with_name(f".{path.stem}.stored{path.suffix}")
    keras.saving.save_model(copy, stored)
    try:
        with replacing(path) as partial, zipfile.ZipFile(stored) as saved, \
                zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as deflated:
            for name in saved.namelist():
                deflated.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), saved.read(name),
                                  compress_type=zipfile.ZIP_DEFLATED)
    finally:
        stored.unlink(missing_ok=True)


def write_history(outputs: TrainingOutputs, rows: list[list], epoch_rows: list[dict]) -> None:
    """The per-batch and per-epoch CSV files, each replaced atomically."""
    tables = {
        outputs.batches: pd.DataFrame(rows, columns=BATCH_COLUMNS).astype({"step": int, "epoch": int}),
        outputs.epochs: pd.DataFrame(epoch_rows),
    }
    for path, table in tables.items():
        with replacing(path) as partial:
            table.to_csv(partial, index=False)

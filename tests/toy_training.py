"""Train a toy variant on generated data in its own process (for kill/resume, backend and distribution tests).

Usage: python toy_training.py OUTPUT_DIR [--epochs N] [--learning-rate LR] [--images N] [--backend B]
       [--mirrored-cpus K] [--multi-worker] (TF_CONFIG from the environment)
       [--fast-kernels]  (oneDNN and XLA, the params defaults) [--stop-at-epoch E]
"""

import argparse
from pathlib import Path

import numpy as np


def toy_data(count: int, seed: int = 0):
    from vae_study.datasets import Dataset, Split

    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 3
    images = (rng.random((count, 16, 16, 1)) * 60 + labels[:, None, None, None] * 60).astype(np.uint8)
    return Dataset(class_names=["a", "b", "c"], splits={"train": Split(images, labels), "test": Split(images[:9], labels[:9])})


def toy_variant(epochs=2, learning_rate=1e-3, batch_size=4, **train):
    from vae_study.params import TrainParams, VariantParams

    return VariantParams(
        name="toy", dataset="mnist", conv_filters=(2, 4), dense_units=(8,), latent_dim=2, kl_weight=1.0,
        train=TrainParams(epochs=epochs, learning_rate=learning_rate, batch_size=batch_size, **train),
    )


def outputs_in(directory: Path):
    from vae_study.paths import TrainingOutputs

    return TrainingOutputs(
        model=directory / "toy.keras", history=directory / "history", metrics=directory / "toy.json",
        checkpoints=directory / "checkpoints",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("output", type=Path)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--mirrored-cpus", type=int, default=0)
    parser.add_argument("--multi-worker", action="store_true")
    parser.add_argument("--images", type=int, default=24)
    parser.add_argument("--backend", default="tensorflow")
    parser.add_argument("--fast-kernels", action="store_true")
    parser.add_argument("--stop-at-epoch", type=int, help="end the run (as a crash would) when this epoch begins")
    args = parser.parse_args()
    from vae_study.backend import apply_train_settings

    train = {"backend": args.backend}
    if args.fast_kernels:
        train.update(onednn=True, jit_compile=True)
    if args.multi_worker:
        train.update(distribute="multi_worker")
    if args.mirrored_cpus:
        train.update(distribute="mirrored", devices=tuple(f"/cpu:{index}" for index in range(args.mirrored_cpus)))
    variant = toy_variant(epochs=args.epochs, learning_rate=args.learning_rate, **train)
    apply_train_settings(variant.train)
    if args.mirrored_cpus and args.backend == "tensorflow":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * args.mirrored_cpus)
    import keras

    from vae_study.training import train_variant

    class StopAt(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == args.stop_at_epoch:
                raise SystemExit(f"stopped at the start of epoch {epoch}")

    train_variant(variant, toy_data(args.images), outputs_in(args.output), extra_callbacks=[StopAt()])
    if args.backend == "jax" and args.mirrored_cpus:
        mesh = keras.distribution.distribution().device_mesh
        print(f"trained with {type(keras.distribution.distribution()).__name__} over {mesh.devices.size} devices")


if __name__ == "__main__":
    main()

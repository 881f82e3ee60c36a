"""Train a toy variant (2 epochs of 24 generated images) in its own process, for the distribution tests.

Usage: python toy_training.py OUTPUT_DIR [--backend B] [--mirrored-cpus K] [--multi-worker]
       (--multi-worker reads TF_CONFIG from the environment)
"""

import argparse
from pathlib import Path

import numpy as np


def toy_data(count: int, seed: int = 0):
    from vae_study.core.datasets import Dataset, Split

    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 3
    images = (rng.random((count, 16, 16, 1)) * 60 + labels[:, None, None, None] * 60).astype(np.uint8)
    return Dataset(class_names=["a", "b", "c"], splits={"train": Split(images, labels), "test": Split(images[:9], labels[:9])})


def toy_variant(epochs=2, learning_rate=1e-3, batch_size=4, latent_dim=2, conv_filters=(2, 4), **train):
    """A small variant with the project's train settings (params.yaml), changed by the keyword arguments."""
    from dataclasses import replace

    from vae_study.core.params import VariantParams, load_params, network_params, train_params

    params = load_params(Path(__file__).resolve().parents[1] / "params.yaml")
    shared = train_params(params)
    return VariantParams(
        name="toy", dataset="mnist", conv_filters=conv_filters, dense_units=(8,), latent_dim=latent_dim, kl_weight=1.0,
        reconstruction_loss="sum_squared", network=network_params(params),
        train=replace(shared, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size, **train),
    )


def outputs_in(directory: Path):
    from vae_study.core.paths import TrainingOutputs

    return TrainingOutputs.under(directory)


def stop_at_epoch(epoch: int):
    """A Keras callback that ends training (as a crash would) when ``epoch`` begins."""
    import keras

    class StopAt(keras.callbacks.Callback):
        def on_epoch_begin(self, index, logs=None):
            if index == epoch:
                raise KeyboardInterrupt

    return StopAt()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("output", type=Path)
    parser.add_argument("--backend", default="tensorflow")
    parser.add_argument("--mirrored-cpus", type=int, default=0)
    parser.add_argument("--multi-worker", action="store_true")
    args = parser.parse_args()
    from vae_study.core.backend import apply_train_settings

    train = {"backend": args.backend}
    if args.multi_worker:
        train.update(distribute="multi_worker")
    if args.mirrored_cpus:
        train.update(distribute="mirrored", devices=tuple(f"/cpu:{index}" for index in range(args.mirrored_cpus)))
    variant = toy_variant(**train)
    apply_train_settings(variant.train)
    if args.mirrored_cpus and args.backend == "tensorflow":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * args.mirrored_cpus)
    from vae_study.core.training import train_variant

    train_variant(variant, toy_data(24), outputs_in(args.output))
    if args.backend == "jax" and args.mirrored_cpus:
        import keras

        mesh = keras.distribution.distribution().device_mesh
        print(f"trained with {type(keras.distribution.distribution()).__name__} over {mesh.devices.size} devices")


if __name__ == "__main__":
    main()

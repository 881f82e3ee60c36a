"""Training speed of every variant: the pipeline's training path against a plain Keras ``fit``.

Prints a table and writes it as JSON. For each variant, on random images of the
dataset's size at the variant's batch size:
- pipeline: ``vae_study.training.train_variant`` (tf.data input, per-batch loss log,
  per-epoch checkpoints), timed from the end of its first (warm-up) epoch to the
  end of its last, so start-up and tracing are left out;
- plain: the same model trained with ``model.fit`` on in-memory NumPy arrays with
  default settings, timed after one warm-up epoch;
- GFLOP/s achieved, from the model's analytic training FLOPs per image (3x the
  forward pass: forward, input gradients, weight gradients), against a float32
  matrix-multiply peak measured in the same run.

Usage: python bench/train_speed.py [--images 5000] [--timed-epochs 2] [--variants a,b] [--output bench/results.json]
"""

import argparse
import json
import math
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

IMAGE_SHAPES = {"mnist": (28, 28, 1), "cifar10": (32, 32, 3)}


def forward_flops(variant, image_shape) -> int:
    """Multiply-adds x 2 of one image's forward pass through encoder and decoder."""
    height, width, channels = image_shape
    flops, size_h, size_w, depth = 0, height, width, channels
    for filters in variant.conv_filters:
        size_h, size_w = size_h - 2, size_w - 2
        flops += 2 * size_h * size_w * filters * 9 * depth
        size_h, size_w, depth = size_h // 2, size_w // 2, filters
    units = [size_h * size_w * depth, *variant.dense_units]
    flops += sum(2 * a * b for a, b in zip(units, units[1:])) + 2 * 2 * units[-1] * variant.latent_dim
    scale = 2 ** len(variant.conv_filters)
    grid_h, grid_w = math.ceil(height / scale), math.ceil(width / scale)
    units = [variant.latent_dim, *reversed(variant.dense_units), grid_h * grid_w * variant.conv_filters[-1]]
    flops += sum(2 * a * b for a, b in zip(units, units[1:]))
    depth = variant.conv_filters[-1]
    for filters in reversed(variant.conv_filters):
        flops += 2 * grid_h * grid_w * filters * 9 * depth
        grid_h, grid_w, depth = grid_h * 2, grid_w * 2, filters
    return flops + 2 * height * width * channels * 9 * depth


def matmul_peak_gflops(size: int = 2048, repeats: int = 20) -> float:
    import tensorflow as tf

    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    (a @ b).numpy()
    started = time.perf_counter()
    for _ in range(repeats):
        c = a @ b
    c.numpy()
    return 2 * size**3 * repeats / (time.perf_counter() - started) / 1e9


def random_dataset(image_shape, count: int):
    from vae_study.datasets import Dataset, Split

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (count, *image_shape), dtype=np.uint8)
    labels = np.arange(count) % 10
    return Dataset([str(label) for label in range(10)], {"train": Split(images, labels), "test": Split(images[:10], labels[:10])})


def pipeline_speed(variant, data, timed_epochs: int) -> float:
    """Images/s of ``train_variant`` between the end of its first epoch and the end of its last."""
    import keras

    from vae_study.training import TrainingOutputs, train_variant

    class EpochClock(keras.callbacks.Callback):
        ends: list[float] = []

        def on_epoch_end(self, epoch, logs=None):
            self.ends.append(time.perf_counter())

    clock = EpochClock()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        outputs = TrainingOutputs(root / "model.keras", root / "history", root / "metrics.json", root / "checkpoints")
        timed = replace(variant, train=replace(variant.train, epochs=1 + timed_epochs))
        train_variant(timed, data, outputs, extra_callbacks=[clock])
    return timed_epochs * len(data.splits["train"]) / (clock.ends[-1] - clock.ends[0])


def plain_speed(variant, data, timed_epochs: int) -> float:
    """The reference: the same model, ``fit`` on NumPy arrays with default settings."""
    import keras

    from vae_study.model import build_vae

    keras.utils.set_random_seed(0)
    images = data.splits["train"].images.astype("float32") / 255.0
    model = build_vae(variant, data.image_shape)
    model.compile(optimizer=keras.optimizers.Adam(variant.train.learning_rate))
    model.fit(images, batch_size=variant.train.batch_size, epochs=1, verbose=0)
    started = time.perf_counter()
    model.fit(images, batch_size=variant.train.batch_size, epochs=timed_epochs, verbose=0)
    return timed_epochs * len(images) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--timed-epochs", type=int, default=2)
    parser.add_argument("--variants", default=None, help="comma-separated; default: all in params.yaml")
    parser.add_argument("--output", type=Path, default=Path("bench/results.json"))
    args = parser.parse_args()

    from vae_study.params import load_params, variant_names, variant_params

    params = load_params()
    names = args.variants.split(",") if args.variants else variant_names(params)
    peak = matmul_peak_gflops()
    print(f"float32 matmul peak: {peak:.1f} GFLOP/s", flush=True)
    rows = []
    for name in names:
        variant = variant_params(params, name)
        shape = IMAGE_SHAPES[variant.dataset]
        data = random_dataset(shape, args.images)
        pipeline = pipeline_speed(variant, data, args.timed_epochs)
        plain = plain_speed(variant, data, args.timed_epochs)
        train_flops = 3 * forward_flops(variant, shape)
        rows.append({
            "variant": name,
            "batch_size": variant.train.batch_size,
            "pipeline_images_per_s": round(pipeline, 1),
            "plain_fit_images_per_s": round(plain, 1),
            "ratio": round(pipeline / plain, 3),
            "train_mflop_per_image": round(train_flops / 1e6, 1),
            "pipeline_gflop_per_s": round(pipeline * train_flops / 1e9, 1),
            "fraction_of_peak": round(pipeline * train_flops / 1e9 / peak, 3),
        })
        print(json.dumps(rows[-1]), flush=True)
    header = list(rows[0])
    print("\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(row[key]) for key in header) + " |")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"matmul_peak_gflop_per_s": round(peak, 1), "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Training speed of every variant: the pipeline's training path against a plain Keras ``fit``.

Prints a table and writes it as JSON. For each variant, on random images of the
dataset's size at the variant's batch size:
- pipeline: ``vae_study.core.training.train_variant`` (seeded NumPy batches, per-batch loss log,
  per-epoch checkpoints), timed from the end of its first (warm-up) epoch to the
  end of its last, so start-up and tracing are left out;
- plain: the same model trained with ``model.fit`` on in-memory NumPy arrays with
  default settings, timed the same way (end of the warm-up epoch to end of the last);
- GFLOP/s achieved, from the model's analytic training FLOPs per image (3x the
  forward pass: forward, input gradients, weight gradients), against a float32
  matrix-multiply peak measured in the same run.

Every measurement runs in a fresh Python process, so process-wide settings
(thread pools, oneDNN) and Keras's global state never leak from one into the
next. Each is repeated (pipeline and plain alternating, so slow phases of a
shared machine hit both) and the median is reported with the min-max spread.
The pipeline side runs with the params' settings; levers are switches that
override them on the pipeline side only:
``--precision mixed_bfloat16``, ``--threads INTRA,INTER`` (TensorFlow's thread
pools), ``--onednn on|off`` (default: the params' ``train.onednn``). The plain
side always runs with TensorFlow's defaults, where oneDNN is on only on CPUs
with AVX-512 VNNI/BF16 or AMX. The matmul peak is measured under both sides'
settings and the higher one is used.

Usage: python bench/train_speed.py [--images 5000] [--timed-epochs 1] [--repeats 3]
       [--variants a,b] [--precision P] [--threads I,J] [--onednn on|off]
       [--output bench/results.json]
"""

import argparse
import functools
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from vae_study.core.backend import BACKENDS, ONEDNN_ENV, use_backend, use_onednn
from vae_study.core.params import PRECISIONS


@functools.cache
def image_shapes() -> dict[str, tuple[int, ...]]:
    """Each dataset of params.yaml's image shape, from the examples preprocess commits (metrics/datasets/)."""
    from vae_study.core.params import load_params
    from vae_study.ingest.dataset_statistics import image_shape

    return {name: image_shape(name) for name in load_params()["datasets"]}


def forward_flops(variant, image_shape) -> int:
    """Multiply-adds x 2 of one image's forward pass through encoder and decoder (flat variants too)."""
    height, width, channels = image_shape
    flops, size_h, size_w, depth = 0, height, width, channels
    for filters in variant.conv_filters:
        size_h, size_w = size_h - 2, size_w - 2
        flops += 2 * size_h * size_w * filters * 9 * depth
        size_h, size_w, depth = size_h // 2, size_w // 2, filters
    units = [size_h * size_w * depth, *variant.dense_units]
    flops += sum(2 * a * b for a, b in zip(units, units[1:])) + 2 * 2 * units[-1] * variant.latent_dim
    if not variant.conv_filters:  # flat decoder: dense layers, then one dense layer to the pixels
        units = [variant.latent_dim, *reversed(variant.dense_units), height * width * channels]
        return flops + sum(2 * a * b for a, b in zip(units, units[1:]))
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
    from vae_study.core.datasets import Dataset, Split

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (count, *image_shape), dtype=np.uint8)
    labels = np.arange(count) % 10
    return Dataset([str(label) for label in range(10)], {"train": Split(images, labels), "test": Split(images[:10], labels[:10])})


def epoch_clock():
    """A Keras callback that records when each epoch ends."""
    import keras

    class EpochClock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.ends: list[float] = []

        def on_epoch_end(self, epoch, logs=None):
            self.ends.append(time.perf_counter())

    return EpochClock()


def images_per_second(clock, images: int) -> float:
    """Speed between the end of the first (warm-up) epoch and the end of the last."""
    return (len(clock.ends) - 1) * images / (clock.ends[-1] - clock.ends[0])


def pipeline_speed(variant, data, timed_epochs: int) -> float:
    """Images/s of ``train_variant`` after its warm-up epoch."""
    from vae_study.core.paths import TrainingOutputs
    from vae_study.core.training import train_variant

    clock = epoch_clock()
    with tempfile.TemporaryDirectory() as scratch:
        outputs = TrainingOutputs.under(Path(scratch))
        timed = replace(variant, train=replace(variant.train, epochs=1 + timed_epochs))
        train_variant(timed, data, outputs, extra_callbacks=[clock])
    return images_per_second(clock, len(data.splits["train"]))


def plain_speed(variant, data, timed_epochs: int) -> float:
    """The reference: the same model, ``fit`` on NumPy arrays with default settings, timed the same way."""
    import keras

    from vae_study.core.model import build_vae

    keras.utils.set_random_seed(0)
    images = data.splits["train"].images.astype("float32") / 255.0
    model = build_vae(variant, data.image_shape)
    model.compile(optimizer=keras.optimizers.Adam(variant.train.learning_rate))
    clock = epoch_clock()
    model.fit(images, batch_size=variant.train.batch_size, epochs=1 + timed_epochs, verbose=0, callbacks=[clock])
    return images_per_second(clock, len(images))


def summary(values: list[float], digits: int = 1) -> dict:
    return {name: round(value, digits) for name, value in
            (("median", statistics.median(values)), ("min", min(values)), ("max", max(values)))}


def measure(args: argparse.Namespace) -> float:
    """One measurement, in this (fresh) process: ``args.worker`` is pipeline, plain or peak."""
    from vae_study.core.params import load_params, variant_params

    jax_pipeline = args.worker == "pipeline" and args.backend == "jax"
    if jax_pipeline:
        use_backend("jax")
    else:
        use_backend("tensorflow")
        if args.onednn:
            use_onednn(args.onednn == "on")
        import tensorflow as tf

        if args.threads:
            intra, inter = args.threads
            tf.config.threading.set_intra_op_parallelism_threads(intra)
            tf.config.threading.set_inter_op_parallelism_threads(inter)
    if args.worker == "peak":
        return matmul_peak_gflops()
    variant = variant_params(load_params(), args.variants)
    data = random_dataset(image_shapes()[variant.dataset], args.images)
    if args.worker == "plain":
        return plain_speed(variant, data, args.timed_epochs)
    levers = {"precision": args.precision or variant.train.precision,
              "backend": "jax" if jax_pipeline else "tensorflow"}
    return pipeline_speed(replace(variant, train=replace(variant.train, **levers)), data, args.timed_epochs)


def pipeline_onednn(args: argparse.Namespace, variant: str | None) -> bool:
    """The pipeline's oneDNN choice: ``--onednn`` if given, else the params' ``onednn`` (variant's or shared)."""
    if args.onednn:
        return args.onednn == "on"
    from vae_study.core.params import load_params, train_params, variant_params

    params = load_params()
    return variant_params(params, variant).train.onednn if variant else train_params(params).onednn


def run_worker(kind: str, side: str, args: argparse.Namespace, variant: str | None = None) -> float:
    """Run one measurement in a child process; the pipeline side gets the levers, the plain side defaults.

    The shell's TF_ENABLE_ONEDNN_OPTS is dropped, so the plain side gets TensorFlow's own default.
    """
    command = [sys.executable, __file__, "--worker", kind, "--images", str(args.images),
               "--timed-epochs", str(args.timed_epochs)]
    env = {key: value for key, value in os.environ.items() if key != ONEDNN_ENV}
    if variant:
        command += ["--variants", variant]
    if side == "pipeline":
        if args.precision:
            command += ["--precision", args.precision]
        if args.threads:
            command += ["--threads", ",".join(map(str, args.threads))]
        command += ["--onednn", "on" if pipeline_onednn(args, variant) else "off"]
        if args.backend:
            command += ["--backend", args.backend]
    finished = subprocess.run(command, env=env, capture_output=True, text=True)
    if finished.returncode != 0:
        sys.exit(f"{kind} measurement of {variant or 'the matmul peak'} failed:\n{finished.stderr[-3000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])["value"]


def parse_threads(parser: argparse.ArgumentParser, text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        intra, inter = (int(part) for part in text.split(","))
    except ValueError:
        parser.error(f"--threads = {text!r}; use two integers INTRA,INTER such as 2,1")
    if intra < 0 or inter < 0:
        parser.error(f"--threads = {text!r}; use integers >= 0 (0 = TensorFlow's choice)")
    return intra, inter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=5000,
                        help="random training images per variant (5000: 100 steps per epoch at batch 50)")
    parser.add_argument("--timed-epochs", type=int, default=1, help="epochs timed after one warm-up epoch")
    parser.add_argument("--repeats", type=int, default=3, help="measurements of each kind per variant")
    parser.add_argument("--variants", default=None, help="comma-separated; default: all in params.yaml")
    parser.add_argument("--precision", default=None, choices=PRECISIONS,
                        help="lever: precision policy of the pipeline (default: the params')")
    parser.add_argument("--threads", default=None, help="lever: INTRA,INTER TensorFlow thread-pool sizes")
    parser.add_argument("--onednn", default=None, choices=("on", "off"), help="lever: oneDNN kernels for the pipeline")
    parser.add_argument("--backend", default=None, choices=BACKENDS,
                        help="lever: Keras backend of the pipeline (default tensorflow; the plain side is always tensorflow)")
    parser.add_argument("--output", type=Path, default=Path("bench/results.json"))
    parser.add_argument("--worker", choices=("pipeline", "plain", "peak"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    for name in ("images", "timed_epochs", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} = {getattr(args, name)}; use an integer >= 1")
    args.threads = parse_threads(parser, args.threads)
    if args.worker:
        print(json.dumps({"value": measure(args)}))
        return

    from vae_study.core.params import load_params, variant_names, variant_params

    known = variant_names(load_params())
    names = args.variants.split(",") if args.variants else known
    unknown = [name for name in names if name not in known]
    if unknown:
        parser.error(f"--variants: {', '.join(unknown)} not in params.yaml; use some of {', '.join(known)}")
    peaks = {side: run_worker("peak", side, args) for side in ("pipeline", "plain")}
    peak = max(peaks.values())
    print(f"float32 matmul peak: {peak:.1f} GFLOP/s (pipeline settings {peaks['pipeline']:.1f}, "
          f"defaults {peaks['plain']:.1f})", flush=True)
    rows = []
    for name in names:
        pipeline, plain = [], []
        for _ in range(args.repeats):
            pipeline.append(run_worker("pipeline", "pipeline", args, name))
            plain.append(run_worker("plain", "plain", args, name))
        variant = variant_params(load_params(), name)
        train_flops = 3 * forward_flops(variant, image_shapes()[variant.dataset])
        rows.append({
            "variant": name,
            "batch_size": variant.train.batch_size,
            "pipeline_images_per_s": summary(pipeline),
            "plain_fit_images_per_s": summary(plain),
            "ratio": summary([a / b for a, b in zip(pipeline, plain)], digits=2),
            "train_mflop_per_image": round(train_flops / 1e6, 1),
            "pipeline_gflop_per_s": round(statistics.median(pipeline) * train_flops / 1e9, 1),
            "fraction_of_peak": round(statistics.median(pipeline) * train_flops / 1e9 / peak, 3),
        })
        print(json.dumps(rows[-1]), flush=True)
    print(
        "\n| variant | pipeline images/s median (min-max) | plain fit images/s median (min-max) | ratio median (min-max) "
        "| training MFLOP/image | pipeline GFLOP/s | fraction of matmul peak |\n|---|---|---|---|---|---|---|"
    )
    for row in rows:
        cells = [
            row["variant"],
            *(f"{row[key]['median']} ({row[key]['min']}-{row[key]['max']})"
              for key in ("pipeline_images_per_s", "plain_fit_images_per_s", "ratio")),
            row["train_mflop_per_image"],
            row["pipeline_gflop_per_s"],
            row["fraction_of_peak"],
        ]
        print("| " + " | ".join(str(cell) for cell in cells) + " |")
    settings = {**{key: value for key, value in vars(args).items() if key != "worker"}, "output": str(args.output)}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({
        "settings": settings,
        "matmul_peak_gflop_per_s": round(peak, 1),
        "matmul_peak_by_side": {side: round(value, 1) for side, value in peaks.items()},
        "rows": rows,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()

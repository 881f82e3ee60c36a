"""What each guarantee of the pipeline's training costs against a plain Keras ``fit``, one lever at a time.

The pipeline trains with (1) TensorFlow's deterministic ops (bit-identical reruns and an exact resume), (2) a
callback that reads every batch's loss terms (the exact per-batch log), (3) batches fed in its own seeded order, and
(4) an end-of-epoch checkpoint of the whole training state (the resume). Each configuration below adds one of them to
a plain ``fit`` on in-memory arrays; ``pipeline`` is ``train_variant`` itself. Images/s after a warm-up epoch, on random
images of the dataset's shape, each measurement in a fresh process, configurations interleaved, median and range.

Usage: python bench/train_overheads.py [--variant mnist_simple] [--images 5000] [--timed-epochs 2] [--repeats 3]
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

CONFIGS = ("plain", "deterministic", "batch_log", "seeded_order", "pipeline")


def measure(config: str, variant_name: str, images: int, timed_epochs: int) -> float:
    sys.path.insert(0, str(Path(__file__).parent))
    from train_speed import epoch_clock, image_shapes, images_per_second, pipeline_speed, random_dataset

    from vae_study.core.backend import apply_train_settings
    from vae_study.core.params import load_params, variant_params

    variant = variant_params(load_params(), variant_name)
    apply_train_settings(variant.train)
    import keras
    import tensorflow as tf

    from vae_study.core.batching import steps_per_epoch, training_batches
    from vae_study.core.model import build_vae

    data = random_dataset(image_shapes()[variant.dataset], images)
    if config == "pipeline":
        return pipeline_speed(variant, data, timed_epochs)
    keras.utils.set_random_seed(0)
    if config == "deterministic":
        tf.config.experimental.enable_op_determinism()
    x = data.splits["train"].images.astype("float32") / 255.0
    model = build_vae(variant, data.image_shape)
    model.compile(optimizer=keras.optimizers.Adam(variant.train.learning_rate))
    clock, callbacks = epoch_clock(), []
    if config == "batch_log":
        class BatchLog(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                self.last = [float(logs[f"batch_{name}"]) for name in ("loss", "reconstruction", "kl")]

        callbacks.append(BatchLog())
    epochs, batch = 1 + timed_epochs, variant.train.batch_size
    if config == "seeded_order":
        stream = ((images,) for images in training_batches(x, batch, 0, 0, epochs))
        model.fit(stream, epochs=epochs, steps_per_epoch=steps_per_epoch(len(x), batch), shuffle=False, verbose=0,
                  callbacks=[clock])
    else:
        model.fit(x, batch_size=batch, epochs=epochs, verbose=0, callbacks=[clock, *callbacks])
    return images_per_second(clock, len(x))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variant", default="mnist_simple")
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--timed-epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker", choices=CONFIGS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps({"value": measure(args.worker, args.variant, args.images, args.timed_epochs)}))
        return
    speeds = {config: [] for config in CONFIGS}
    for _ in range(args.repeats):
        for config in CONFIGS:
            finished = subprocess.run([sys.executable, __file__, "--worker", config, "--variant", args.variant, "--images",
                                       str(args.images), "--timed-epochs", str(args.timed_epochs)], capture_output=True, text=True)
            if finished.returncode:
                sys.exit(f"{config} failed:\n{finished.stderr[-3000:]}")
            speeds[config].append(json.loads(finished.stdout.strip().splitlines()[-1])["value"])
    plain = statistics.median(speeds["plain"])
    print(f"{args.variant}, {args.images} random images, {args.timed_epochs} timed epochs, {args.repeats} repeats (images/s)")
    for config, values in speeds.items():
        middle = statistics.median(values)
        print(f"  {config:14s} {middle:8.0f}  ({min(values):.0f}-{max(values):.0f})  {middle / plain:5.2f}x plain")


if __name__ == "__main__":
    main()

"""Where one training step's time goes: a per-layer profile of a variant's training step.

For one variant at its batch size, times (median over repeated runs, after warm-up):
- the whole Keras training step (``model.fit`` on in-memory arrays, epoch to
  epoch after a warm-up epoch), with ``steps_per_execution`` 1 and 10, so the
  per-step framework overhead that the steps_per_execution lever could remove
  is a number;
- every layer of the encoder and decoder alone, forward and backward (weight
  gradients, and input gradients for every layer but the first), each in its own
  ``tf.function``; with its FLOPs and achieved GFLOP/s against a float32 matmul
  peak measured in the same run;
- the Adam update of all weights;
- the pipeline's input stream (``training_batches``) iterated alone, per batch;
- the rest of the step (sampling, loss, metrics, framework) as the difference.

It also prints the whole study's training FLOPs (every variant in params.yaml,
its epochs, the datasets' full training sets) and the time they need at the
measured matmul peak: a floor for any float32 implementation on this machine.

Usage: python bench/step_profile.py [--variant cifar10_deep] [--steps 20] [--repeats 5]
       [--onednn on|off] [--output bench/step_profile.json]
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
from train_speed import epoch_clock, forward_flops, image_shapes, matmul_peak_gflops

from vae_study.ingest.dataset_statistics import read_statistics


def layer_forward_flops(layer) -> int:
    """Multiply-adds x 2 of one image through ``layer`` (0 for layers without weights)."""
    from keras import layers

    in_shape, out_shape = layer.input.shape[1:], layer.output.shape[1:]
    if isinstance(layer, layers.Conv2DTranspose):
        height, width, channels = in_shape
        return 2 * height * width * channels * int(np.prod(layer.kernel_size)) * layer.filters
    if isinstance(layer, layers.Conv2D):
        height, width, filters = out_shape
        return 2 * height * width * filters * int(np.prod(layer.kernel_size)) * in_shape[-1]
    if isinstance(layer, layers.Dense):
        return 2 * in_shape[-1] * layer.units
    return 0


def median_ms(function, repeats: int, calls: int = 1) -> float:
    """Median wall time of ``calls`` calls of ``function``, in ms per call, after two warm-up calls."""
    function()
    function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(calls):
            function()
        times.append((time.perf_counter() - started) / calls * 1e3)
    return statistics.median(times)


def layer_rows(model, batch_size: int, repeats: int, steps: int) -> list[dict]:
    import keras
    import tensorflow as tf

    rows = []
    for part in (model.encoder, model.decoder):
        first = True
        for layer in part.layers:
            if isinstance(layer, keras.layers.InputLayer):
                continue
            inputs = tf.random.uniform((batch_size, *layer.input.shape[1:]))
            needs_input_gradient = not (first and part is model.encoder)
            first = False

            @tf.function
            def forward_backward(inputs=inputs, layer=layer, needs_input_gradient=needs_input_gradient):
                with tf.GradientTape() as tape:
                    if needs_input_gradient:
                        tape.watch(inputs)
                    outputs = layer(inputs, training=True)
                    total = tf.reduce_sum(outputs)
                sources = ([inputs] if needs_input_gradient else []) + list(layer.trainable_weights)
                return tape.gradient(total, sources) if sources else total

            milliseconds = median_ms(lambda: [t.numpy() for t in tf.nest.flatten(forward_backward())], repeats, steps)
            forward = layer_forward_flops(layer)
            passes = (1 + bool(layer.trainable_weights) + needs_input_gradient) if forward else 0
            rows.append({
                "layer": f"{part.name}/{layer.name}",
                "kind": layer.__class__.__name__,
                "output": list(layer.output.shape[1:]),
                "ms_per_step": round(milliseconds, 2),
                "mflop_per_step": round(passes * forward * batch_size / 1e6, 2) if forward else None,
                "gflop_per_s": round(passes * forward * batch_size / milliseconds / 1e6, 2) if forward else None,
            })
            print(json.dumps(rows[-1]), flush=True)
    return rows


def optimizer_ms(model, repeats: int, steps: int) -> float:
    import keras
    import tensorflow as tf

    optimizer = keras.optimizers.Adam(1e-4)
    weights = [tf.Variable(w) for w in model.trainable_weights]
    gradients = [tf.random.normal(w.shape) * 1e-3 for w in weights]
    optimizer.build(weights)

    @tf.function
    def update():
        optimizer.apply(gradients, weights)

    return median_ms(update, repeats, steps)


def input_ms(image_shape, batch_size: int, steps: int, repeats: int) -> float:
    """ms per batch of the pipeline's shuffled input stream (NumPy batches), consumed without training."""
    from vae_study.core.batching import training_batches
    from vae_study.core.datasets import scale_images

    images = scale_images(np.random.default_rng(0).integers(0, 256, (steps * batch_size, *image_shape), dtype=np.uint8))
    return median_ms(lambda: list(training_batches(images, batch_size, seed=0, first_epoch=0, epochs=1)), repeats) / steps


def fit_ms(variant, image_shape, steps: int, repeats: int, steps_per_execution: int) -> float:
    """Steady-state ms per step of ``model.fit`` on in-memory arrays: median epoch time after a warm-up epoch."""
    import keras

    from vae_study.core.model import build_vae

    keras.utils.set_random_seed(0)
    images = np.random.default_rng(0).random((steps * variant.train.batch_size, *image_shape), dtype=np.float32)
    model = build_vae(variant, image_shape)
    model.compile(optimizer=keras.optimizers.Adam(variant.train.learning_rate), steps_per_execution=steps_per_execution)
    clock = epoch_clock()
    model.fit(images, batch_size=variant.train.batch_size, epochs=1 + repeats, verbose=0, shuffle=False, callbacks=[clock])
    return statistics.median(np.diff(clock.ends)) / steps * 1e3


def study_floor(params, peak_gflops: float) -> dict:
    from vae_study.core.params import variant_names, variant_params

    total = 0
    for name in variant_names(params):
        variant = variant_params(params, name)
        images = read_statistics(variant.dataset)["images"]["train"] * variant.train.epochs  # as the study trains
        total += images * 3 * forward_flops(variant, image_shapes()[variant.dataset])
    return {"training_tflop": round(total / 1e12, 1), "minutes_at_matmul_peak": round(total / peak_gflops / 1e9 / 60, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variant", default="cifar10_deep", help="variant in params.yaml (default: the largest)")
    parser.add_argument("--steps", type=int, default=20, help="steps per timed run")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs; the median is reported")
    parser.add_argument("--onednn", default=None, choices=("on", "off"),
                        help="oneDNN kernels (default: the variant's train.onednn)")
    parser.add_argument("--output", type=Path, default=Path("bench/step_profile.json"))
    args = parser.parse_args()
    for name in ("steps", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} = {getattr(args, name)}; use an integer >= 1")

    from vae_study.core.backend import use_backend, use_onednn
    from vae_study.core.errors import PipelineError
    from vae_study.core.params import load_params, variant_names, variant_params

    params = load_params()
    if args.variant not in variant_names(params):
        parser.error(f"--variant = {args.variant!r}; use one of {', '.join(variant_names(params))}")
    try:
        variant = variant_params(params, args.variant)
    except PipelineError as error:
        parser.error(str(error))
    onednn = variant.train.onednn if args.onednn is None else args.onednn == "on"
    use_backend("tensorflow")  # the profile times TensorFlow kernels
    use_onednn(onednn)
    from vae_study.core.model import build_vae  # imports TensorFlow, so only after use_onednn
    image_shape = image_shapes()[variant.dataset]
    batch_size = variant.train.batch_size
    peak = matmul_peak_gflops()
    print(f"float32 matmul peak: {peak:.1f} GFLOP/s", flush=True)
    step = {spe: fit_ms(variant, image_shape, args.steps, args.repeats, spe) for spe in (1, 10)}
    print(f"fit ms/step: steps_per_execution 1: {step[1]:.1f}, 10: {step[10]:.1f}", flush=True)
    model = build_vae(variant, image_shape)
    rows = layer_rows(model, batch_size, args.repeats, args.steps)
    adam = optimizer_ms(model, args.repeats, args.steps)
    stream = input_ms(image_shape, batch_size, args.steps, args.repeats)
    layers_total = sum(row["ms_per_step"] for row in rows)
    train_flops = 3 * forward_flops(variant, image_shape) * batch_size
    result = {
        "variant": variant.name,
        "batch_size": batch_size,
        "onednn": onednn,
        "matmul_peak_gflop_per_s": round(peak, 1),
        "fit_ms_per_step": round(step[1], 1),
        "fit_ms_per_step_steps_per_execution_10": round(step[10], 1),
        "fit_gflop_per_s": round(train_flops / step[1] / 1e6, 1),
        "layers": rows,
        "layers_ms": round(layers_total, 1),
        "adam_ms": round(adam, 1),
        "input_ms": round(stream, 2),
        "rest_ms": round(step[1] - layers_total - adam, 1),
        "study": study_floor(params, peak),
    }
    print(f"\n{variant.name}, batch {batch_size}, oneDNN {'on' if onednn else 'off'}: fit step {step[1]:.1f} ms "
          f"({result['fit_gflop_per_s']} GFLOP/s, {result['fit_gflop_per_s'] / peak:.0%} of the matmul peak); "
          f"steps_per_execution 10: {step[10]:.1f} ms\n")
    print("| part | kind | output | ms/step | share of step | MFLOP/step | GFLOP/s | fraction of peak |\n|---|---|---|---|---|---|---|---|")
    for row in rows:
        rate = row["gflop_per_s"]
        work = "- | - | -" if rate is None else f"{row['mflop_per_step']} | {rate} | {rate / peak:.3f}"
        print(f"| {row['layer']} | {row['kind']} | {'x'.join(map(str, row['output']))} | {row['ms_per_step']} "
              f"| {row['ms_per_step'] / step[1]:.1%} | {work} |")
    for name, value in (("Adam update", adam), ("rest (sampling, loss, metrics, framework)", result["rest_ms"])):
        print(f"| {name} | | | {value:.1f} | {value / step[1]:.1%} | | | |")
    print(f"\ninput stream alone (not part of the fit step above, which reads arrays): {stream:.2f} ms/batch")
    study = result["study"]
    print(f"\nwhole study: {study['training_tflop']} TFLOP of training; "
          f"{study['minutes_at_matmul_peak']} min at the matmul peak")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

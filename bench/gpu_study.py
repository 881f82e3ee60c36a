"""The study's training on the JAX backend in one command, for a GPU machine without TensorFlow.

Trains the named variants (default: all of params.yaml) for the named seeds
through the pipeline's own training code (``vae_study.core.training.train_variant``:
the same batches, per-batch loss log and checkpoints as ``dvc repro``) on
whatever device JAX sees, and writes per-run seconds, images/s and final
losses as JSON. It reads the datasets from local archives (Pillow decodes
them) and needs no TensorFlow, no DVC and no installed package: ``src/`` is
put on the path, so only Keras and its two small dependencies have to travel
as wheels (``bench/gpu_study.sh`` installs them when present).

Output (``--output``, default bench/gpu_study.json):
  {"backend": "jax", "devices": [...], "versions": {...}, "settings": {...},
   "runs": [{"variant", "seed", "train_images", "epochs", "steps", "seconds",
             "images_per_second", "final": {"loss", "reconstruction", "kl", "mse"}}],
   "total_seconds": ...}
``seconds`` is the wall time of ``train_variant`` (model build, compilation and
the per-batch log included); ``images_per_second`` counts every epoch's images
over those seconds.

Usage: python bench/gpu_study.py [--variants a,b] [--seeds 0,1,2] [--epochs E]
                                 [--max-train N] [--max-test N] [--datasets DIR] [--output FILE]
"""

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vae_study.core.backend import use_backend  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", help="comma-separated variant names (default: every variant in params.yaml)")
    parser.add_argument("--seeds", default="0", help="comma-separated training seeds (default: 0)")
    parser.add_argument("--epochs", type=int, help="override train.epochs")
    parser.add_argument("--max-train", type=int, help="class-stratified cap on training images (default: all)")
    parser.add_argument("--max-test", type=int, help="class-stratified cap on test images (default: all)")
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets",
                        help="folder holding each dataset's archive (the file name of params.yaml's source)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "gpu_study.json")
    return parser.parse_args(argv)


def load_data(params: dict, names: set[str], folder: Path, max_train: int | None, max_test: int | None) -> dict:
    """Each named dataset read from its archive and prepared as the preprocess stage would (params' split and seed)."""
    from vae_study.core.params import dataset_params
    from vae_study.ingest.preprocessing import prepare
    from vae_study.ingest.sources import read_local

    data = {}
    for name in sorted(names):
        started = time.perf_counter()
        raw = read_local(folder / Path(dataset_params(params, name).source).name)
        settings = replace(dataset_params(params, name), max_train=max_train, max_test=max_test)
        data[name] = prepare(raw, settings)
        print(f"{name}: {len(data[name].splits['train'])} training images, read in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    return data


def main(argv=None) -> None:
    args = parse_args(argv)
    use_backend("jax", where="bench/gpu_study.py")
    import jax
    import keras

    from vae_study.core.params import load_params, variant_names, variant_params
    from vae_study.core.paths import TrainingOutputs
    from vae_study.core.training import train_variant

    params = load_params(ROOT / "params.yaml")
    names = args.variants.split(",") if args.variants else variant_names(params)
    seeds = [int(seed) for seed in args.seeds.split(",")]
    variants = [variant_params(params, name) for name in names]
    data = load_data(params, {variant.dataset for variant in variants}, args.datasets, args.max_train, args.max_test)
    runs, started = [], time.perf_counter()
    for variant in variants:
        for seed in seeds:
            train = replace(variant.train, backend="jax", seed=seed, **({"epochs": args.epochs} if args.epochs else {}))
            run = replace(variant, train=train)
            images = len(data[variant.dataset].splits["train"])
            with tempfile.TemporaryDirectory() as scratch:
                outputs = TrainingOutputs.under(Path(scratch))
                began = time.perf_counter()
                metrics = train_variant(run, data[variant.dataset], outputs, report=lambda line: None)
                seconds = time.perf_counter() - began
            runs.append({
                "variant": variant.name, "seed": seed, "train_images": images, "epochs": train.epochs,
                "steps": metrics["steps"], "seconds": round(seconds, 2),
                "images_per_second": round(images * train.epochs / seconds, 1), "final": metrics["train"],
            })
            print(f"{variant.name} seed {seed}: {seconds:.1f} s, {runs[-1]['images_per_second']:.0f} images/s, "
                  f"final loss {metrics['train']['loss']:.4g}", flush=True)
    report = {
        "backend": "jax",
        "devices": [str(device) for device in jax.devices()],
        "versions": {"jax": jax.__version__, "keras": keras.__version__, "python": sys.version.split()[0]},
        "settings": {"variants": names, "seeds": seeds, "epochs": args.epochs, "max_train": args.max_train,
                     "max_test": args.max_test},
        "runs": runs,
        "total_seconds": round(time.perf_counter() - started, 2),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{len(runs)} runs in {report['total_seconds']:.1f} s on {report['devices']}; wrote {args.output}")


if __name__ == "__main__":
    main()

"""fetch@<dataset>: read the dataset from its source and store raw uint8 images and labels."""

import argparse
import time
from pathlib import Path

from vae_study.core.datasets import atomic_directory, save_dataset
from vae_study.core.params import dataset_params, load_params
from vae_study.core.paths import RAW_DIR, TFDS_DIR
from vae_study.core.stage_runner import run_stage
from vae_study.ingest.sources import read_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", help="a key of datasets: in params.yaml")
    args = parser.parse_args()
    params = dataset_params(load_params(), args.dataset)
    started = time.perf_counter()
    print(f"fetch@{params.name}: reading from {params.source}", flush=True)
    dataset = read_source(params, Path.cwd(), TFDS_DIR)
    with atomic_directory(RAW_DIR / params.name) as output:
        save_dataset(dataset, output)
    counts = ", ".join(f"{len(split)} {name}" for name, split in dataset.splits.items())
    print(
        f"fetch@{params.name}: {counts} images of {dataset.image_shape}, {len(dataset.class_names)} classes "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


if __name__ == "__main__":
    run_stage(main)

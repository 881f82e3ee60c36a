"""preprocess@<dataset>: seeded validation split and class-stratified caps of the raw data, and the prepared data's
small statistics (metrics/datasets/<dataset>.json, committed) that the summaries need, and a few example
training images for the study's Figure 1 (metrics/datasets/<dataset>-examples.npz, committed)."""

import argparse
import json

import numpy as np

from vae_study.core.analysis_params import evaluate_params
from vae_study.core.datasets import atomic_directory, load_dataset, save_dataset
from vae_study.core.params import dataset_params, load_params
from vae_study.core.paths import PREPARED_DIR, RAW_DIR
from vae_study.core.stage_runner import run_stage
from vae_study.ingest.dataset_statistics import dataset_statistics, example_images, examples_file, statistics_file
from vae_study.ingest.preprocessing import prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", help="a key of datasets: in params.yaml")
    args = parser.parse_args()
    all_params = load_params()
    params = dataset_params(all_params, args.dataset)
    prepared = prepare(load_dataset(RAW_DIR / params.name), params)
    with atomic_directory(PREPARED_DIR / params.name) as output:
        save_dataset(prepared, output)
    statistics = statistics_file(params.name)
    statistics.parent.mkdir(parents=True, exist_ok=True)
    statistics.write_text(json.dumps(dataset_statistics(prepared, evaluate_params(all_params).knn_neighbors), indent=2) + "\n")
    np.savez_compressed(examples_file(params.name), **example_images(prepared))
    counts = ", ".join(f"{len(split)} {name}" for name, split in prepared.splits.items())
    print(f"preprocess@{params.name}: {counts}", flush=True)


if __name__ == "__main__":
    run_stage(main)

"""train-<dataset>@<variant>-<seed>: train one variant with one seed, resuming from its last finished epoch after a kill."""

import argparse
import json

from vae_study.core.backend import apply_train_settings
from vae_study.core.datasets import load_dataset
from vae_study.core.params import load_params, variant_params
from vae_study.core.paths import PREPARED_DIR, run_label, training_outputs
from vae_study.core.stage_runner import run_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variant", help="a key of variants: in params.yaml")
    parser.add_argument("seed", type=int, help="the run's seed (one of seeds: in params.yaml)")
    args = parser.parse_args()
    variant = variant_params(load_params(), args.variant, args.seed)
    apply_train_settings(variant.train)
    from vae_study.core.training import train_variant  # imports Keras, so only after the backend is chosen

    data = load_dataset(PREPARED_DIR / variant.dataset)
    metrics = train_variant(variant, data, training_outputs(variant.name, variant.train.seed))
    print(f"train {run_label(variant.name, variant.train.seed)}: {json.dumps(metrics)}", flush=True)


if __name__ == "__main__":
    run_stage(main)

"""embed-<dataset>@<variant>-<seed>: latent tables of the test and training sets, and the run's test metrics."""

import argparse
import json

from vae_study.backend import apply_train_settings
from vae_study.cli import run_stage
from vae_study.datasets import atomic_directory, load_dataset
from vae_study.params import evaluate_params, load_params, variant_params
from vae_study.paths import PREPARED_DIR, evaluation_file, latents_dir, run_label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variant", help="a key of variants: in params.yaml")
    parser.add_argument("seed", type=int, help="the run's seed (one of seeds: in params.yaml)")
    args = parser.parse_args()
    params = load_params()
    variant = variant_params(params, args.variant, args.seed)
    settings = evaluate_params(params)
    apply_train_settings(variant.train)
    from vae_study.evaluation import evaluate_variant  # imports Keras, so only after the backend is chosen
    from vae_study.inference import load_variant_model

    run = run_label(variant.name, args.seed)
    data = load_dataset(PREPARED_DIR / variant.dataset, splits=("train", "test"))
    model = load_variant_model(variant, data.image_shape)
    print(f"embed {run}: encoding {len(data.splits['train'])} train and {len(data.splits['test'])} test images")
    metrics, tables = evaluate_variant(model, data, settings, settings.superclasses.get(variant.dataset))
    with atomic_directory(latents_dir(variant.name, args.seed)) as output:
        for split, table in tables.items():
            table.to_csv(output / f"{split}.csv", index=False, float_format="%.6g")
    metrics_file = evaluation_file(variant.name, args.seed)
    metrics_file.parent.mkdir(parents=True, exist_ok=True)
    metrics_file.write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"embed {run}: {json.dumps(metrics)}", flush=True)


if __name__ == "__main__":
    run_stage(main)

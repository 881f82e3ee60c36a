"""embed-<dataset>@<variant>-<seed>: the run's test metrics, its test latent table and the decodes its figures show.

Everything that needs the trained model is computed here, and all of it is committed
(metrics/eval, metrics/latents, metrics/figures): summarize, plot and the results page
work from those files alone.
"""

import argparse
import json

from vae_study.analysis_params import evaluate_params, plot_params
from vae_study.backend import apply_train_settings
from vae_study.cli import run_stage
from vae_study.datasets import load_dataset, scale_images
from vae_study.params import load_params, variant_params
from vae_study.paths import PREPARED_DIR, evaluation_file, figure_inputs_file, latents_file, run_label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variant", help="a key of variants: in params.yaml")
    parser.add_argument("seed", type=int, help="the run's seed (one of seeds: in params.yaml)")
    args = parser.parse_args()
    params = load_params()
    variant = variant_params(params, args.variant, args.seed)
    settings, figures = evaluate_params(params), plot_params(params)
    apply_train_settings(variant.train)
    from vae_study.evaluation import evaluate_variant  # imports Keras, so only after the backend is chosen
    from vae_study.figure_inputs import figure_inputs, save_arrays
    from vae_study.inference import load_variant_model

    run = run_label(variant.name, args.seed)
    data = load_dataset(PREPARED_DIR / variant.dataset, splits=("train", "test"))
    train, test = data.splits["train"], data.splits["test"]
    model = load_variant_model(variant, data.image_shape)
    print(f"embed {run}: encoding {len(train)} train and {len(test)} test images", flush=True)
    metrics, table, test_means = evaluate_variant(model, data, settings, settings.superclasses.get(variant.dataset))
    arrays = figure_inputs(model, scale_images(test.images), test.labels, test_means, train.labels, len(data.class_names),
                           figures, settings.batch_size)
    outputs = {latents_file(variant.name, args.seed), figure_inputs_file(variant.name, args.seed), evaluation_file(variant.name, args.seed)}
    for path in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
    # gzip without a timestamp, so the same run writes the same bytes
    table.to_csv(latents_file(variant.name, args.seed), index=False, float_format="%.6g",
                 compression={"method": "gzip", "mtime": 0})
    save_arrays(figure_inputs_file(variant.name, args.seed), arrays)
    evaluation_file(variant.name, args.seed).write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"embed {run}: {json.dumps(metrics)}", flush=True)


if __name__ == "__main__":
    run_stage(main)

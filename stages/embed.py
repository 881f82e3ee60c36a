"""embed-<dataset>@<variant>-<seed>: the run's test metrics, its test and training latent means and the decodes its
figures show.

Everything that needs the trained model is computed here, and all of it is committed
(metrics/eval, metrics/latents, metrics/figures): summarize, plot and the results page
work from those files alone, and a new latent measure from the training latents needs no model.
"""

import argparse
import json

import numpy as np

from vae_study.core.analysis_params import evaluate_params, plot_params
from vae_study.core.backend import apply_train_settings
from vae_study.core.datasets import load_dataset, scale_images
from vae_study.core.files import replacing, save_arrays, write_json
from vae_study.core.params import load_params, variant_params
from vae_study.core.paths import (
    PREPARED_DIR,
    classifier_file,
    evaluation_file,
    figure_inputs_file,
    latents_file,
    run_label,
    train_latents_file,
)
from vae_study.core.stage_runner import run_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variant", help="a key of variants: in params.yaml")
    parser.add_argument("seed", type=int, help="the run's seed (one of seeds: in params.yaml)")
    args = parser.parse_args()
    params = load_params()
    variant = variant_params(params, args.variant, args.seed)
    scoring, figures = evaluate_params(params), plot_params(params)
    apply_train_settings(variant.train)
    from vae_study.core.classifier import load_classifier  # Keras: after the backend
    from vae_study.core.embedding import evaluate_variant, figure_inputs, load_variant_model

    run = run_label(variant.name, args.seed)
    data = load_dataset(PREPARED_DIR / variant.dataset, splits=("train", "test"))
    train, test = data.splits["train"], data.splits["test"]
    model = load_variant_model(variant, data.image_shape)
    print(f"embed {run}: encoding {len(train)} train and {len(test)} test images", flush=True)
    classifier = load_classifier(classifier_file(variant.dataset), data.image_shape, len(data.class_names))
    metrics, table, test_means, train_means = evaluate_variant(model, data, scoring, scoring.superclasses.get(variant.dataset),
                                                               classifier)
    arrays = figure_inputs(model, scale_images(test.images), test.labels, test_means, figures, scoring.batch_size)
    with replacing(latents_file(variant.name, args.seed)) as partial:  # gzip without a time stamp: the same bytes each run
        table.to_csv(partial, index=False, float_format="%.6g", compression={"method": "gzip", "mtime": 0})
    save_arrays(train_latents_file(variant.name, args.seed), {"means": train_means.astype(np.float16), "labels": train.labels})
    save_arrays(figure_inputs_file(variant.name, args.seed), arrays)
    write_json(evaluation_file(variant.name, args.seed), metrics)
    print(f"embed {run}: {json.dumps(metrics)}", flush=True)


if __name__ == "__main__":
    run_stage(main)

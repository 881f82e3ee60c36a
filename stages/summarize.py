"""summarize: every variant's metrics over seeds (mean, sd, 95% interval) and the paired comparisons of params' summarize.compare.

It summarizes the runs present and names every missing one (with the command that makes it), so
`dvc repro -s summarize` reports on a study still in progress; `seeds` in each file says how many
runs it rests on.
"""

import json

import numpy as np
import pandas as pd

from vae_study.cli import run_stage
from vae_study.datasets import load_dataset, scale_images
from vae_study.analysis_params import summarize_params
from vae_study.params import load_params, seeds, study_variants
from vae_study.paths import (COMPARISONS_FILE, PREPARED_DIR, SUMMARY_DIR, evaluation_file, latents_file, run_label, stage_name,
                             training_outputs)
from vae_study.summary import (
    class_scores,
    curve_shape,
    distinct_share,
    flatten,
    paired_differences,
    read_latents,
    silhouette_scores,
    summarize_runs,
    unpaired_differences,
    values_summed_per_image,
    with_gains_over_chance,
)


def pixel_variances(data) -> dict[str, float]:
    """The variances losses and errors are divided by: pooled over the training pixels (that of the pooled R²), and
    each pixel's own, averaged, over the training and the test images (the mean squared error of decoding the mean image)."""
    train, test = (scale_images(data.splits[split].images) for split in ("train", "test"))
    return {"train_pooled": float(train.var()), "train_per_pixel": float(train.var(axis=0).mean()),
            "test_per_pixel": float(test.var(axis=0).mean())}


def run_metrics(variant, seed: int, data, variances: dict[str, float], settings) -> dict[str, float] | None:
    """All numbers of one run: final training terms, test metrics, kNN gains over chance, per-class scores, loss-curve shape.

    None if the run has not finished (its evaluation is missing).
    """
    outputs = training_outputs(variant.name, seed)
    if not (outputs.metrics.exists() and evaluation_file(variant.name, seed).exists() and latents_file(variant.name, seed).exists()):
        return None
    train = json.loads(outputs.metrics.read_text())
    evaluation = json.loads(evaluation_file(variant.name, seed).read_text())
    batches = pd.read_csv(outputs.batches)
    curve = curve_shape(batches, values_summed_per_image(variant.reconstruction_loss, int(np.prod(data.image_shape))),
                        {"variance": variances["train_pooled"], "mean_pixel_variance": variances["train_per_pixel"]},
                        settings.loss_window, settings.flat_after)
    uncomputable = [name for name, value in curve.items() if value is None]
    if uncomputable:
        print(f"summarize: warning: {run_label(variant.name, seed)} has {len(batches)} batches, too few for "
              f"curve.{', curve.'.join(uncomputable)} (windows of {settings.loss_window}, level at batch "
              f"{settings.flat_after}); they are left out as not computable", flush=True)
    labels = data.splits["train"].labels
    shares = {name: float(np.mean(labels == index)) for index, name in enumerate(data.class_names)}
    test = read_latents(latents_file(variant.name, seed))
    classes = class_scores(test, shares, settings.mixes.get(variant.dataset, {}))
    # R² against the per-pixel mean image (each pixel's own test mean), beside the pooled R² of embed: decoding the
    # mean image scores 0 here, while the pooled R² credits it with the variance between pixels.
    evaluation["test"]["r2_vs_mean_image"] = 1 - evaluation["test"]["mse"] / variances["test_per_pixel"]
    latent = {"distinct_share": distinct_share(test), **silhouette_scores(test, seed)}
    return with_gains_over_chance(flatten({"train": train["train"], **evaluation, "curve": curve, "classes": classes,
                                           "latent": {**evaluation["latent"], **latent}}))


def main() -> None:
    params = load_params()
    settings = summarize_params(params)
    variants = study_variants(params)
    datasets = {name: load_dataset(PREPARED_DIR / name, splits=("train", "test")) for name in {v.dataset for v in variants}}
    variances = {name: pixel_variances(data) for name, data in datasets.items()}
    runs, missing = {}, []
    for variant in variants:
        found = {seed: run_metrics(variant, seed, datasets[variant.dataset], variances[variant.dataset], settings)
                 for seed in seeds(params)}
        missing += [stage_name("embed", variant.dataset, variant.name, seed) for seed, metrics in found.items() if metrics is None]
        if any(metrics is not None for metrics in found.values()):
            runs[variant.name] = {seed: metrics for seed, metrics in found.items() if metrics is not None}
    if missing:
        print(f"summarize: {len(missing)} runs missing, left out: dvc repro {' '.join(missing)} makes them "
              "(a variant runs when params.yaml's study lists it)", flush=True)
    SUMMARY_DIR.mkdir(parents=True, exist_ok=True)
    for stale in SUMMARY_DIR.glob("*.json"):
        if stale.stem not in runs:
            stale.unlink()
    for name, per_seed in runs.items():
        (SUMMARY_DIR / f"{name}.json").write_text(json.dumps(summarize_runs(per_seed), indent=2) + "\n")
    comparisons, by_name = {}, {variant.name: variant for variant in variants}
    for label, pair in settings.compare.items():
        if pair["a"] in runs and pair["b"] in runs:
            across = by_name[pair["a"]].dataset != by_name[pair["b"]].dataset  # seeds pair runs within a dataset only
            difference = unpaired_differences if across else paired_differences
            comparisons[label] = {"a": pair["a"], "b": pair["b"], **difference(runs[pair["a"]], runs[pair["b"]])}
        else:
            print(f"summarize: comparison {label} left out: it needs runs of {pair['a']} and {pair['b']}", flush=True)
    COMPARISONS_FILE.write_text(json.dumps(comparisons, indent=2) + "\n")
    count = sum(len(per_seed) for per_seed in runs.values())
    print(f"summarize: {count} runs of {len(runs)} variants, {len(comparisons)} comparisons", flush=True)


if __name__ == "__main__":
    run_stage(main)

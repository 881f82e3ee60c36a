"""Summarize's work: each run's numbers from the committed files, over seeds per variant, the paired comparisons,
and the handful of headline numbers `dvc metrics show` prints per variant.

Metric names carry no param values: embed writes ``knn<k>_accuracy`` (k = evaluate.knn_neighbors), summarize
names it ``knn_accuracy``; the loss-curve measures at summarize.flat_after are ``..._flat_point...``. An
experiment that changes those params therefore stays comparable with the study in `dvc metrics diff`.
"""

import json
import re

import pandas as pd

from vae_study.core.loss_kinds import values_summed_per_image
from vae_study.core.paths import evaluation_file, latents_file, run_label, stage_name, training_outputs
from vae_study.ingest.dataset_statistics import read_statistics
from vae_study.report.files import HEADLINE
from vae_study.report.measures import Run, check_registered, computed
from vae_study.report.summary import (
    class_scores,
    curve_shape,
    distinct_share,
    flatten,
    paired_differences,
    read_latents,
    silhouette_scores,
    summarize_runs,
    unpaired_differences,
    with_gains_over_baselines,
)

KNN_NAME = re.compile(r"^latent\.knn\d+_")

def _without_param_values(metrics: dict[str, float]) -> dict[str, float]:
    return {KNN_NAME.sub("latent.knn_", name): value for name, value in metrics.items()}


def run_metrics(variant, seed: int, statistics: dict, summarize) -> dict[str, float] | None:
    """All numbers of one run: final training terms, test metrics, scores over their baselines, per-class scores,
    loss-curve shape, and the measures report/measures.py computes; each one declared there. None if the run has not
    finished (its evaluation or latent table is missing)."""
    outputs = training_outputs(variant.name, seed)
    if not (outputs.metrics.exists() and evaluation_file(variant.name, seed).exists() and latents_file(variant.name, seed).exists()):
        return None
    train = json.loads(outputs.metrics.read_text())
    evaluation = json.loads(evaluation_file(variant.name, seed).read_text())
    batches = pd.read_csv(outputs.batches)
    variances = statistics["variances"]
    curve = curve_shape(batches, values_summed_per_image(variant.reconstruction_loss, statistics["image_values"]),
                        {"variance": variances["train_pooled"], "mean_pixel_variance": variances["train_per_pixel"]},
                        summarize.loss_window, summarize.flat_after)
    uncomputable = [name for name, value in curve.items() if value is None]
    if uncomputable:
        print(f"summarize: warning: {run_label(variant.name, seed)} has {len(batches)} batches, too few for "
              f"{len(uncomputable)} loss-curve measures (windows of {summarize.loss_window} batches, level at batch "
              f"{summarize.flat_after}; curve.{uncomputable[0]}{' and others' if len(uncomputable) > 1 else ''}); they are left "
              "out as not computable", flush=True)
    test = read_latents(latents_file(variant.name, seed))
    classes = class_scores(test, statistics["train_class_shares"], summarize.mixes.get(variant.dataset, {}))
    # R² against the per-pixel mean image (each pixel's own test mean), beside the pooled R² of embed: decoding the
    # mean image scores 0 here, while the pooled R² credits it with the variance between pixels.
    evaluation["test"]["r2_vs_mean_image"] = 1 - evaluation["test"]["mse"] / variances["test_per_pixel"]
    pca_r2 = statistics["pca_r2_vs_mean_image"]
    if variant.latent_dim < len(pca_r2):  # the gain over a linear code of the latent's size (PCA fit on the training images)
        evaluation["test"]["r2_over_pca"] = evaluation["test"]["r2_vs_mean_image"] - pca_r2[variant.latent_dim]
    latent = {"distinct_share": distinct_share(test), **silhouette_scores(test, seed)}
    pca_knn = statistics["pca_knn_accuracy"].get(str(variant.latent_dim))
    if pca_knn is not None:  # kNN on a PCA code of the latent's size: a baseline, its gain latent.knn_over_pca
        latent["knn_pca"] = pca_knn
    metrics = with_gains_over_baselines(_without_param_values(flatten(
        {"train": train["train"], **evaluation, "curve": curve, "classes": classes,
         "latent": {**evaluation["latent"], **latent}})))
    metrics.update(computed(Run(batches, evaluation, statistics, summarize)))
    check_registered(metrics)
    return metrics


def headline(summary: dict) -> dict:
    """One variant's headline numbers: each mean and the half-width of its 95% interval (``<name>_ci95``, None
    for one seed), and the number of seeds."""
    numbers = {"seeds": summary["seeds"]}
    for name, metric in HEADLINE:
        if metric in summary:
            value = summary[metric]
            numbers[name] = value["mean"]
            numbers[f"{name}_ci95"] = None if value["ci95_high"] is None else value["ci95_high"] - value["mean"]
    return numbers


def summarize_study(variants, run_seeds, summarize) -> tuple[dict, dict, list[str]]:
    """Every present run's metrics over seeds per variant, and the comparisons of ``summarize.compare``.

    Returns (summaries by variant, comparisons by label, the embed stages of the missing runs).
    """
    statistics = {dataset: read_statistics(dataset) for dataset in sorted({variant.dataset for variant in variants})}
    runs, missing = {}, []
    for variant in variants:
        found = {seed: run_metrics(variant, seed, statistics[variant.dataset], summarize) for seed in run_seeds}
        missing += [stage_name("embed", variant.dataset, variant.name, seed) for seed, metrics in found.items() if metrics is None]
        if any(metrics is not None for metrics in found.values()):
            runs[variant.name] = {seed: metrics for seed, metrics in found.items() if metrics is not None}
    comparisons, by_name = {}, {variant.name: variant for variant in variants}
    for label, pair in summarize.compare.items():
        if pair["a"] in runs and pair["b"] in runs:
            across = by_name[pair["a"]].dataset != by_name[pair["b"]].dataset  # seeds pair runs within a dataset only
            difference = unpaired_differences if across else paired_differences
            comparisons[label] = {"a": pair["a"], "b": pair["b"], **difference(runs[pair["a"]], runs[pair["b"]])}
        else:
            print(f"summarize: comparison {label} left out: it needs runs of {pair['a']} and {pair['b']}", flush=True)
    return {name: summarize_runs(per_seed) for name, per_seed in runs.items()}, comparisons, missing

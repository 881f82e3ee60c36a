"""Every measure of a run, declared once: its name, what it means, which way is better, and the committed file it
comes from. Summarize records only registered names (an unregistered one stops it, naming it), computes the entries
that carry a ``compute`` function, claims refer to registered names (tests/test_measures.py), and docs/pipeline.md's
list of measures is this table (pasted by the claims stage).

A name with ``{...}`` stands for a family: ``{class}`` each class, ``{mix}`` each class grouping of summarize.mixes,
``{groups}`` each evaluate.superclasses split (its group names joined by ``_``). Adding a measure: an entry here
(with ``compute`` when summarize makes it), a claim that names it, and a test.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from vae_study.core.errors import PipelineError
from vae_study.report.summary import HALF_SHARE, HALF_SMOOTHING, batch_reaching

EVAL = "metrics/eval/<variant>/seed-<n>.json (embed)"
TRAIN = "metrics/train/<variant>/seed-<n>.json (train)"
HISTORY = "metrics/history/<variant>/seed-<n>/batches.csv (train)"
LATENTS = "metrics/latents/<variant>/seed-<n>.csv.gz (embed)"
DATASETS = "metrics/datasets/<dataset>.json (preprocess)"


@dataclass(frozen=True)
class Run:
    """What a measure may read of one run: its per-batch losses, embed's evaluation, the dataset's statistics, and
    summarize's params."""
    batches: pd.DataFrame
    evaluation: dict
    statistics: dict
    summarize: object


@dataclass(frozen=True)
class Entry:
    name: str
    meaning: str
    better: str  # "higher", "lower", or "" (a baseline, a count of something neutral, a setting of the run)
    source: str
    compute: Callable[[Run], float | None] | None = None  # None: another part of summarize (or embed) records it

    def matches(self, metric: str) -> bool:
        return re.fullmatch(re.sub(r"\\\{\w+\\\}", r"[\\w.]+", re.escape(self.name)), metric) is not None


def _half_batch(run: Run) -> float | None:
    return batch_reaching(run.batches["loss"], HALF_SHARE, run.summarize.loss_window, HALF_SMOOTHING)


def _squared_error_per_image(run: Run) -> float:
    return run.evaluation["test"]["mse"] * run.statistics["image_values"]


REGISTRY = [
    # Training (the final epoch's means, as train records them).
    *[Entry(f"train.{term}", f"final training epoch's mean {what}", "lower", TRAIN)
      for term, what in (("loss", "loss per image"), ("reconstruction", "reconstruction term per image"),
                         ("kl", "KL term per image (nats)"), ("mse", "per-pixel squared error"))],
    # The test set, decoding each image's latent mean.
    Entry("test.mse", "per-pixel mean squared error of the mean decode", "lower", EVAL),
    Entry("test.psnr_db", "peak signal-to-noise ratio of the mean decode (dB)", "higher", EVAL),
    Entry("test.reconstruction", "the variant's reconstruction term per image, for the mean decode", "lower", EVAL),
    Entry("test.decoded_class_accuracy", "the dataset's reference classifier on the mean decodes: share given their true class",
          "higher", EVAL),
    Entry("test.class_kept", "share of mean decodes the reference classifier gives the class it gives the original", "higher",
          EVAL),
    Entry("test.r2", "pooled R²: 1 - MSE / the variance of all test pixels together (credits the mean image)", "higher", EVAL),
    Entry("test.r2_vs_mean_image", "R² against each pixel's own mean: the share of each image's variation recovered",
          "higher", f"{EVAL}, {DATASETS}"),
    Entry("test.r2_over_pca", "that R² minus a PCA code's of the latent's size: what the network adds to a linear code",
          "higher", f"{EVAL}, {DATASETS}"),
    Entry("test.squared_error_per_image", "squared error summed over the image's values: the reconstruction on the loss's scale",
          "lower", f"{EVAL}, {DATASETS}", _squared_error_per_image),
    # The training objective on the test set, with sampled z.
    *[Entry(f"objective.{term}", f"test {what}, estimated with evaluate.objective_samples draws of z", "lower", EVAL)
      for term, what in (("loss", "loss per image"), ("reconstruction", "reconstruction term"), ("kl", "KL term (nats)"))],
    # The latent space.
    Entry("latent.knn_accuracy", "5-NN accuracy of the test latent means, fit on the training ones", "higher", EVAL),
    Entry("latent.knn_uniform_accuracy", "the same with uniform votes (scikit-learn's default, as published scores use)",
          "higher", EVAL),
    Entry("latent.knn_chance", "5-NN's chance level: guessing at the training classes' rates", "", EVAL),
    Entry("latent.knn_majority", "always guessing the largest training class", "", EVAL),
    Entry("latent.knn_pca", "5-NN accuracy on a PCA code of the pixels as large as the latent", "", DATASETS),
    Entry("latent.knn_over_chance", "5-NN accuracy minus chance", "higher", EVAL),
    Entry("latent.knn_over_majority", "5-NN accuracy minus the majority class", "higher", EVAL),
    Entry("latent.knn_over_pca", "5-NN accuracy minus PCA's of the latent's size", "higher", f"{EVAL}, {DATASETS}"),
    Entry("latent.knn_{groups}_accuracy", "5-NN accuracy at telling one super-class group from the other", "higher", EVAL),
    Entry("latent.knn_{groups}_chance", "its chance level", "", EVAL),
    Entry("latent.knn_{groups}_majority", "always guessing the larger group", "", EVAL),
    Entry("latent.knn_{groups}_over_chance", "group 5-NN accuracy minus chance", "higher", EVAL),
    Entry("latent.knn_{groups}_over_majority", "group 5-NN accuracy minus the larger group", "higher", EVAL),
    Entry("latent.silhouette", "mean silhouette of the test latent means by class (context only: see claims.py)", "higher", EVAL),
    Entry("latent.silhouette_permuted_labels", "the silhouette with the labels permuted (seeded): its null", "", LATENTS),
    Entry("latent.silhouette_over_permuted_labels", "the silhouette minus its null", "higher", f"{EVAL}, {LATENTS}"),
    Entry("latent.classes_with_positive_silhouette", "classes whose mean silhouette is above 0", "higher", LATENTS),
    Entry("latent.distinct_share", "share of test images with a latent mean no other shares (near 0: collapsed)", "higher", LATENTS),
    # Classes, from the test latent table's 5-NN predictions.
    Entry("classes.recall.{class}", "share of the class's test images 5-NN places in it", "higher", LATENTS),
    Entry("classes.classes_recalled_over_half", "classes 5-NN recalls more often than not", "higher", LATENTS),
    Entry("classes.classes_recalled_over_70pct", "classes 5-NN recalls over 70% of the time", "higher", LATENTS),
    Entry("classes.mix.{mix}", "share of the two groups' test images 5-NN assigns to the other group", "lower", LATENTS),
    Entry("classes.mix.{mix}_chance", "that share when guessing at the training classes' rates", "", LATENTS),
    Entry("classes.mix.{mix}_median_pair", "that share's median over every grouping of the same sizes", "", LATENTS),
    Entry("classes.mix.{mix}_over_chance", "mixing minus chance", "lower", LATENTS),
    Entry("classes.mix.{mix}_over_median_pair", "mixing minus the median grouping's (below 0: apart more than a typical pair)",
          "lower", LATENTS),
    # The loss curve (per batch).
    Entry("curve.final_loss", "mean loss per image of the last summarize.loss_window batches", "lower", HISTORY),
    Entry("curve.final_per_value", "that per pixel value the loss sums", "lower", HISTORY),
    Entry("curve.final_over_variance", "that over the training pixels' pooled variance", "lower", f"{HISTORY}, {DATASETS}"),
    Entry("curve.final_over_mean_pixel_variance", "that over each pixel's own variance: the final loss over the mean image's",
          "lower", f"{HISTORY}, {DATASETS}"),
    Entry("curve.late_sd", "standard deviation of the last window's batch losses, per image", "lower", HISTORY),
    Entry("curve.late_sd_per_value", "that per pixel value", "lower", HISTORY),
    Entry("curve.late_sd_over_variance", "that over the pooled pixel variance", "lower", f"{HISTORY}, {DATASETS}"),
    Entry("curve.late_sd_over_mean_pixel_variance", "that over each pixel's own variance", "lower", f"{HISTORY}, {DATASETS}"),
    Entry("curve.late_cv", "that standard deviation over the last window's mean loss", "lower", HISTORY),
    Entry("curve.last_window_change", "relative change of the last window's mean loss from the one before (below 0: falling)",
          "lower", HISTORY),
    Entry("curve.half_batch", "batch where the loss (20-batch mean) has made half its drop from start to end: how quickly "
          "it learns", "lower", HISTORY, _half_batch),
    Entry("curve.elbow_batch", "batch where the loss (200-batch mean) has made 95% of its drop", "lower", HISTORY),
    Entry("curve.flat_batch", "batch where the loss (200-batch mean) has made 98% of its drop: where it flattens", "lower", HISTORY),
    Entry("curve.settled_batch", "batch where the loss (200-batch mean) has made 99% of its drop", "lower", HISTORY),
    Entry("curve.drop_after_flat_point_fit", "share of the drop after batch summarize.flat_after, from a line fit to the rest",
          "lower", HISTORY),
    Entry("curve.drop_after_half_flat_point_fit", "the same after half that batch", "lower", HISTORY),
    Entry("curve.drop_after_flat_point_from_start_w{width}", "the same with levels averaged over {width} batches", "lower", HISTORY),
]


def entry(metric: str) -> Entry | None:
    """The registry entry that declares ``metric`` (of several families that match, the most specific), or None."""
    matches = [found for found in REGISTRY if found.matches(metric)]
    return max(matches, key=lambda found: len(re.sub(r"\{\w+\}", "", found.name)), default=None)


def check_registered(metrics: dict[str, float]) -> None:
    """Stop on a measure no entry declares, naming it: a measure is declared before any stage records it."""
    unregistered = sorted(name for name in metrics if entry(name) is None)
    if unregistered:
        raise PipelineError(f"summarize made {', '.join(unregistered)}, which src/vae_study/report/measures.py does not "
                            "declare; add an entry there (name, meaning, which way is better, source)")


def computed(run: Run) -> dict[str, float]:
    """The registered measures summarize computes from their own ``compute`` (those it can for this run)."""
    values = {found.name: found.compute(run) for found in REGISTRY if found.compute}
    return {name: float(value) for name, value in values.items() if value is not None}


def measures_table() -> str:
    """docs/pipeline.md's list of measures: the registry as a Markdown table."""
    lines = ["| measure | what it is | better | from |", "|---|---|---|---|"]
    lines += [f"| `{found.name}` | {found.meaning} | {found.better or '-'} | {found.source} |" for found in REGISTRY]
    return "\n".join(lines) + "\n"

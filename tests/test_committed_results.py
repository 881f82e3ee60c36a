"""The committed study checks out from its committed files alone: no data, no models, no rerun."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import PROJECT_ROOT

from vae_study.report.summary import class_scores, distinct_share, interval, read_latents, silhouette_scores

METRICS = PROJECT_ROOT / "metrics"
PARAMS = yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text())
SUMMARIES = sorted((METRICS / "summary").glob("*.json"))
# The silhouette is quadratic in the 10,000 test points (about 2 s a run): recomputed for each dataset's first variant,
# the same code path as every other's; the other rows are recomputed for every variant.
SILHOUETTE_CHECKED = {variants[0] for variants in PARAMS["study"].values()}


def _runs(variant: str) -> list[tuple[int, pd.DataFrame, dict, dict]]:
    """Each committed run of the variant: its seed, test latent table, figure inputs and evaluation."""
    runs = []
    for seed in PARAMS["seeds"]:
        table = METRICS / "latents" / variant / f"seed-{seed}.csv.gz"
        if table.exists():
            shares = list(json.loads((METRICS / "datasets" / f"{PARAMS['variants'][variant]['dataset']}.json").read_text())
                          ["train_class_shares"].values())
            evaluation = json.loads((METRICS / "eval" / variant / f"seed-{seed}.json").read_text())
            runs.append((seed, read_latents(table), shares, evaluation))
    return runs


@pytest.mark.parametrize("summary_file", SUMMARIES, ids=[path.stem for path in SUMMARIES])
def test_recall_and_mixing_recomputed_from_the_committed_latent_tables(summary_file):
    """Every recall and mixing row of the summary (and each dataset's first variant's silhouette rows), recomputed from
    metrics/latents, metrics/eval and metrics/datasets alone."""
    variant = summary_file.stem
    silhouettes = variant in SILHOUETTE_CHECKED
    summary = json.loads(summary_file.read_text())
    dataset = PARAMS["variants"][variant]["dataset"]
    classes = PARAMS["datasets"][dataset]["classes"]
    runs = _runs(variant)
    assert len(runs) == summary["seeds"], f"{variant}: the summary rests on runs whose latent tables are not committed"
    per_run = []
    for seed, table, shares, evaluation in runs:
        assert len(table) == 10_000 and sorted(table["class"].unique()) == sorted(classes)
        scores = class_scores(table, dict(zip(classes, shares)), PARAMS["summarize"]["mixes"].get(dataset, {}))
        assert np.mean(table["knn_label"] == table["label"]) == pytest.approx(evaluation["latent"]["knn5_accuracy"])
        latent = {"distinct_share": distinct_share(table)}
        if silhouettes:
            latent.update(silhouette_scores(table, seed))
            latent["silhouette_over_permuted_labels"] = evaluation["latent"]["silhouette"] - latent["silhouette_permuted_labels"]
        per_run.append({**{f"classes.{name}": value for name, value in scores.items()},
                        **{f"latent.{name}": value for name, value in latent.items()}})
    for name in per_run[0]:
        recomputed = interval([scores[name] for scores in per_run])
        assert summary[name]["mean"] == pytest.approx(recomputed["mean"], abs=1e-12), name
        if recomputed["ci95_low"] is not None:
            assert summary[name]["ci95_low"] == pytest.approx(recomputed["ci95_low"], abs=1e-12), name


def test_a_collapsed_run_scores_the_null_of_both_mean_image_measures():
    """The null case of the measures that compare datasets: a run that decodes the mean image (the mean-loss controls,
    collapsed) explains nothing against it (R² 0) and ends at a loss per value equal to the mean per-pixel variance."""
    collapsed = [path for path in SUMMARIES if json.loads(path.read_text())["latent.distinct_share"]["mean"] < 0.5]
    assert collapsed, "no collapsed control in the committed study"
    for path in collapsed:
        summary = json.loads(path.read_text())
        assert abs(summary["test.r2_vs_mean_image"]["mean"]) < 0.01, path.stem
        assert summary["curve.final_over_mean_pixel_variance"]["mean"] == pytest.approx(1.0, abs=0.01), path.stem

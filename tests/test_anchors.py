"""The anchors beside the published numbers: one run of theirs against where one run of ours would fall."""

import numpy as np
import pytest

from vae_study.report.anchors import ANCHORS, anchors_table, prediction_interval


def _stats(values) -> dict:
    values = np.asarray(values, float)
    return {"mean": values.mean(), "sd": values.std(ddof=1), "ci95_low": values.mean() - 0.01,
            "ci95_high": values.mean() + 0.01, "min": values.min(), "max": values.max()}


def test_the_prediction_interval_holds_one_more_run_95_times_in_100():
    """On synthetic seeds (normal draws) one further draw falls inside the interval 95% of the time; the interval of
    the mean, which the published single run must not be held to, covers it far less often."""
    rng = np.random.default_rng(0)
    draws = rng.normal(0.75, 0.01, size=(20000, 4))
    inside = mean_inside = 0
    for *seeds, new in draws:
        low, high = prediction_interval(_stats(seeds), 3)
        inside += low <= new <= high
        half = 4.303 * np.std(seeds, ddof=1) / np.sqrt(3)
        mean_inside += abs(new - np.mean(seeds)) <= half
    assert inside / len(draws) == pytest.approx(0.95, abs=0.006)
    assert mean_inside / len(draws) < 0.85


def test_the_table_sets_each_anchor_beside_its_published_number():
    sources = {"pumap_mnist": {"seeds": 3, "latent.knn_uniform_accuracy": _stats([0.74, 0.75, 0.76]),
                               "latent.knn_accuracy": _stats([0.73, 0.74, 0.75]), "latent.knn_pca": _stats([0.41, 0.41, 0.41])}}
    rows = anchors_table(sources).splitlines()
    mnist, cifar10 = rows[2], rows[3]
    assert mnist.startswith(f"| MNIST (`pumap_mnist`) | {ANCHORS[0].knn5:.4f} | 0.7500 [0.7400, 0.7600] | 3: 0.7400 to 0.7600 | ")
    assert "0.7003 to 0.7997" in mnist and mnist.endswith("| 0.4201 / 0.4100 |")
    assert "no runs yet" in cifar10
    assert "| CIFAR-10 | the original images | a JPEG quality-75 copy |" in rows

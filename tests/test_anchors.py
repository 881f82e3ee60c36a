"""The anchors beside the published numbers: one run of theirs against where one run of ours would fall."""

import numpy as np
import pytest

from vae_study.report.anchors import ANCHORS, MEASURES, against_one_more_run, anchors_table, prediction_interval


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


def _sources() -> dict:
    return {"pumap_mnist": {"seeds": 3, "latent.knn_uniform_accuracy": _stats([0.74, 0.75, 0.76]),
                            "test.mse": _stats([0.050, 0.051, 0.052]), "train.loss": _stats([134.0, 135.0, 136.0]),
                            "latent.knn_accuracy": _stats([0.73, 0.74, 0.75]), "latent.knn_pca": _stats([0.41, 0.41, 0.41])}}


def test_the_published_run_tested_as_one_more_run_matches_the_closed_form_and_the_interval():
    """With three seeds t has 2 degrees of freedom, whose two-sided p is 1 - |t| / sqrt(t² + 2); p < 0.05 exactly when
    the published run falls outside the prediction interval."""
    rng = np.random.default_rng(1)
    for seeds, published in zip(rng.normal(0.75, 0.01, size=(200, 3)), rng.normal(0.75, 0.03, size=200)):
        stats = _stats(seeds)
        t, p = against_one_more_run(published, stats, 3)
        assert p == pytest.approx(1 - abs(t) / np.sqrt(t**2 + 2), rel=1e-9)
        low, high = prediction_interval(stats, 3)
        assert (p < 0.05) == (not low <= published <= high)


def test_the_table_sets_each_published_number_beside_the_anchor_s():
    rows = anchors_table(_sources(), 5).splitlines()
    assert set(ANCHORS[0].published) == set(MEASURES)
    knn, mse, loss = rows[2:5]
    # t = (0.7649 - 0.75) / (0.01 * sqrt(4/3)) = 1.29; p = 1 - 1.29 / sqrt(1.29² + 2) = 0.33
    assert knn.startswith("| MNIST | 5-NN accuracy, uniform votes, fit on the training split's latent means | 0.7649 | "
                          "0.75 [0.74, 0.76] | 0.74 to 0.76 | 0.7003 to 0.7997: inside | +1.3 (p 0.33) |")
    # t = (0.037106 - 0.051) / (0.001 * sqrt(4/3)) = -12.0; p = 1 - 12.03 / sqrt(12.03² + 2) = 0.0068
    assert mse.endswith("| 0.03711 | 0.051 [0.041, 0.061] | 0.05 to 0.052 | 0.04603 to 0.05597: outside | -12.0 (p 0.0068) |")
    assert "134.2 | 135.0 [135.0, 135.0] | 134.0 to 136.0 | 130.0 to 140.0" in loss and ": inside | -0.7 (p 0.58) |" in loss
    assert all("no runs yet" in row for row in rows[5:8])  # CIFAR-10's anchor has not run
    assert any(row.startswith("MNIST (`pumap_mnist`): published 1-NN 0.7241") and "5-NN 0.74;" in row and "here 0.41." in row
               for row in rows)
    assert "| CIFAR-10 | the original images |" in "\n".join(rows)


def test_a_knn_of_another_k_is_not_set_beside_the_published_5_nn():
    rows = anchors_table(_sources(), 10).splitlines()
    assert "not comparable: this study's kNN uses 10 neighbours (evaluate.knn_neighbors), the published one 5" in rows[2]
    assert "0.7003" not in rows[2] and "0.03711 | 0.051" in rows[3]
    assert any("distance-weighted 10-NN 0.74;" in row for row in rows)

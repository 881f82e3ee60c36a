"""Results over seeds: intervals, paired differences, gains over chance and the loss-curve numbers."""

import numpy as np
import pandas as pd
import pytest

from vae_study.core.loss_kinds import values_summed_per_image
from vae_study.report.summary import (
    class_scores,
    curve_shape,
    distinct_share,
    drop_after_fit,
    flatten,
    interval,
    paired_differences,
    silhouette_scores,
    summarize_runs,
    unpaired_differences,
    with_gains_over_baselines,
)


def test_interval_is_the_t_interval_of_the_mean():
    summary = interval([1.0, 2.0, 3.0])
    assert summary["mean"] == 2.0 and summary["sd"] == 1.0
    half = 4.302652729911275 / np.sqrt(3)  # t(0.975, 2 degrees of freedom)
    assert summary["ci95_low"] == pytest.approx(2 - half) and summary["ci95_high"] == pytest.approx(2 + half)
    assert interval([5.0]) == {"mean": 5.0, "sd": None, "ci95_low": None, "ci95_high": None, "min": 5.0, "max": 5.0}
    assert (summary["min"], summary["max"]) == (1.0, 3.0)


def test_flatten_keeps_numbers_and_drops_bookkeeping():
    metrics = {"test": {"r2": 0.5}, "objective": {"loss": 3, "samples": 5, "seed": 0}, "steps": 10, "note": "x"}
    assert flatten(metrics) == {"test.r2": 0.5, "objective.loss": 3.0}


def test_gain_over_chance_is_zero_for_a_chance_level_score():
    gains = with_gains_over_baselines({"latent.knn5_accuracy": 0.1, "latent.knn5_chance": 0.1, "latent.silhouette": 0.2,
                                    "classes.mix.ab": 0.3, "classes.mix.ab_chance": 0.5})
    assert gains["latent.knn5_over_chance"] == 0.0 and "latent.silhouette_over_chance" not in gains
    assert gains["classes.mix.ab_over_chance"] == pytest.approx(-0.2)


def test_paired_differences_pair_by_seed():
    first = {0: {"m": 1.0, "only_a": 1.0}, 1: {"m": 2.0}, 2: {"m": 3.0}}
    second = {0: {"m": 1.5}, 1: {"m": 2.4}, 2: {"m": 3.6}, 3: {"m": 100.0}}  # seed 3 has no partner: left out
    result = paired_differences(first, second)
    assert result["seeds"] == 3 and set(result) == {"seeds", "m"}
    assert result["m"]["mean"] == pytest.approx(0.5)
    assert 0 < result["m"]["ci95_low"] < 0.5 < result["m"]["ci95_high"]  # differences 0.5, 0.4, 0.6: one side of zero
    spread = paired_differences(first, {0: {"m": 1.5}, 1: {"m": 1.6}, 2: {"m": 3.6}})
    assert spread["m"]["ci95_low"] < 0 < spread["m"]["ci95_high"]  # differences 0.5, -0.4, 0.6
    same = paired_differences(first, first)
    assert same["m"]["mean"] == 0.0 and same["m"]["ci95_low"] == same["m"]["ci95_high"] == 0.0


def test_summarize_runs_uses_metrics_every_seed_has():
    summary = summarize_runs({0: {"a": 1.0, "b": 2.0}, 1: {"a": 3.0}})
    assert summary["seeds"] == 2 and set(summary) == {"seeds", "a"} and summary["a"]["mean"] == 2.0
    assert summary["a"]["by_seed"] == {"0": 1.0, "1": 3.0}  # each run's value, for a rerun's run-by-run check


STUDY = {"window": 1000, "after": 4000}  # the study's reading: windows of 1,000 batches, flat after batch 4,000
UNIT_VARIANCES = {"variance": 1.0, "mean_pixel_variance": 1.0}


def _curve(values) -> pd.DataFrame:
    return pd.DataFrame({"step": np.arange(len(values)), "loss": values})


def test_curve_shape_of_a_curve_flat_after_4000_and_one_still_falling():
    steps = np.arange(10_000)
    noise = np.random.default_rng(0).normal(0, 0.5, len(steps))
    flat = curve_shape(_curve(100 + 900 * np.exp(-steps / 300) + noise), values_per_image=10,
                       variances={"variance": 0.5, "mean_pixel_variance": 0.25}, **STUDY)
    assert abs(flat["drop_after_flat_point_fit"]) < 0.01 and abs(flat["last_window_change"]) < 0.001
    assert flat["final_per_value"] == pytest.approx(10.0, rel=0.01)
    assert flat["final_over_variance"] == pytest.approx(20.0, rel=0.01)
    assert flat["final_over_mean_pixel_variance"] == pytest.approx(40.0, rel=0.01)
    assert flat["late_sd_over_mean_pixel_variance"] == pytest.approx(0.5 / 10 / 0.25, rel=0.1)
    assert flat["late_cv"] == pytest.approx(0.005, rel=0.1)  # sd 0.5 around 100
    falling = curve_shape(_curve(1000 - 0.05 * steps + noise), values_per_image=10,
                          variances=UNIT_VARIANCES, **STUDY)
    assert falling["drop_after_flat_point_fit"] > 0.3 and falling["last_window_change"] < -0.05


def test_curve_measures_a_short_run_cannot_support_are_none():
    """A first run's 100 batches: no measure needs more than the run has; none is guessed."""
    three_windows = curve_shape(_curve(np.linspace(4, 1, 3000)), values_per_image=1, variances=UNIT_VARIANCES, **STUDY)
    assert three_windows["drop_after_flat_point_fit"] is None  # no level at batch 4,000
    assert three_windows["last_window_change"] < 0 and three_windows["final_per_value"] == pytest.approx(1.5, rel=0.01)
    short = curve_shape(_curve(np.ones(100)), values_per_image=1, variances=UNIT_VARIANCES, **STUDY)
    assert set(short) >= {"final_per_value", "drop_after_flat_point_fit", "drop_after_flat_point_from_start_w200", "late_cv"}
    assert all(value is None for value in short.values())
    assert flatten({"curve": short}) == {}  # left out of the summaries


def test_class_scores_perfect_and_null_predictions():
    rng = np.random.default_rng(0)
    classes = np.array(list("abcd"))
    true = rng.choice(classes, 40_000, p=[0.1, 0.2, 0.3, 0.4])
    shares = {"a": 0.1, "b": 0.2, "c": 0.3, "d": 0.4}
    perfect = class_scores(pd.DataFrame({"class": true, "knn_class": true}), shares, {"ab_c": [["a", "b"], ["c"]]})
    assert perfect["recall.a"] == 1.0 and perfect["mix.ab_c"] == 0.0
    guessed = rng.choice(classes, len(true), p=[0.1, 0.2, 0.3, 0.4])  # predictions that ignore the image
    null = class_scores(pd.DataFrame({"class": true, "knn_class": guessed}), shares, {"ab_c": [["a", "b"], ["c"]]})
    assert null["mix.ab_c"] == pytest.approx(null["mix.ab_c_chance"], abs=0.01)
    assert null["mix.ab_c_chance"] == pytest.approx((0.3 * 0.3 + 0.3 * 0.3) / 0.6)  # A's images x C's share + C's x A's
    assert null["recall.d"] == pytest.approx(0.4, abs=0.01)
    assert (perfect["classes_recalled_over_half"], perfect["classes_recalled_over_70pct"]) == (4, 4)
    assert (null["classes_recalled_over_half"], null["classes_recalled_over_70pct"]) == (0, 0)  # recalls = shares <= 0.4
    assert perfect["mix.ab_c_median_pair"] == 0.0  # every pair of groups lies apart
    # With uninformative predictions the named pair is a typical pair: nothing to single out.
    assert abs(null["mix.ab_c_over_median_pair"]) < 0.05


def test_a_pair_that_mixes_less_than_the_typical_pair_lies_below_the_median():
    """Four classes whose predictions mix a and b with each other, c and d with each other: a/c lies apart, a/b does not."""
    rows = [(true, predicted) for true, partner in (("a", "b"), ("b", "a"), ("c", "d"), ("d", "c"))
            for predicted in [true] * 6 + [partner] * 4]
    test = pd.DataFrame(rows, columns=["class", "knn_class"])
    scores = class_scores(test, dict.fromkeys("abcd", 0.25), {"a_c": [["a"], ["c"]], "a_b": [["a"], ["b"]]})
    assert scores["mix.a_c"] == 0.0 and scores["mix.a_b"] == pytest.approx(0.4)
    assert scores["mix.a_c_median_pair"] == 0.0  # four of the six pairs never mix
    assert scores["mix.a_b_over_median_pair"] == pytest.approx(0.4)


def test_drop_after_from_start_counts_the_whole_drop():
    """A curve that falls from 180 to 60 almost at once: a share near 0 from the start, far more from the first window."""
    steps = np.arange(12_000)
    loss = pd.DataFrame({"step": steps, "loss": 60 + 120 * np.exp(-steps / 200) + 5 * np.exp(-steps / 3000)})
    shape = curve_shape(loss, values_per_image=1, variances=UNIT_VARIANCES, **STUDY)
    for width in (50, 200, 1000):
        assert shape[f"drop_after_flat_point_from_start_w{width}"] == pytest.approx(0.01, abs=0.001)


def test_a_mean_loss_run_and_a_summed_loss_run_compare_per_value():
    """The summed loss of a 784-value image is 784 times the per-pixel mean loss: per value, both read the same."""
    steps = np.arange(400)
    mean_loss = pd.DataFrame({"step": steps, "loss": 0.05 + 0.1 * np.exp(-steps / 50)})
    summed_loss = mean_loss.assign(loss=mean_loss["loss"] * 784)
    per_value = {
        name: curve_shape(history, values_summed_per_image(loss, 784), {"variance": 0.1}, 100, 200)["final_per_value"]
        for name, history, loss in [("mean", mean_loss, "mean_squared"), ("sum", summed_loss, "sum_squared")]
    }
    assert per_value["mean"] == pytest.approx(per_value["sum"]) and 0.05 < per_value["mean"] < 0.06


def test_runs_of_two_datasets_compare_unpaired_with_welchs_interval():
    """Seed numbers do not pair an MNIST run with a CIFAR-10 run: the interval is Welch's, not the paired one."""
    first = {0: {"x": 1.0}, 1: {"x": 2.0}, 2: {"x": 3.0}}
    second = {0: {"x": 5.0}, 1: {"x": 4.0}, 2: {"x": 6.0}}  # paired differences 4, 2, 3; unpaired 5 - 2
    result = unpaired_differences(first, second)["x"]
    assert result["mean"] == pytest.approx(3.0)
    assert result["se"] == pytest.approx(np.sqrt(1 / 3 + 1 / 3))  # standard error of the difference of two means
    half = result["ci95_high"] - result["mean"]
    assert half / result["se"] == pytest.approx(2.7764451, rel=1e-6)  # t(0.975) with Welch's 4 degrees of freedom
    assert result["ci95_low"] > 0
    assert paired_differences({}, second) == {"seeds": 0}


def test_the_fitted_drop_needs_no_level_window():
    """A curve that falls to a plateau by batch 1,000 keeps under 1% of its drop after batch 4,000, whatever the noise."""
    steps = np.arange(12000)
    loss = pd.Series(50 + 150 * np.exp(-steps / 200) + np.random.default_rng(0).normal(0, 5, len(steps)))
    assert abs(drop_after_fit(loss, 4000)) < 0.01
    still = pd.Series(50 + 150 * np.exp(-steps / 3000))  # still falling at 4,000: a large share comes after
    assert drop_after_fit(still, 4000) > 0.1
    assert drop_after_fit(loss.iloc[:7000], 4000) is None  # too short a tail to fit


def test_distinct_share_counts_images_no_other_image_shares():
    test = pd.DataFrame({"mean_0": [0.0, 0.0, 0.00001, 1.0, 2.0], "mean_1": [0.5, 0.5, 0.5, 0.5, 0.5]})
    assert distinct_share(test) == pytest.approx(2 / 5)  # the first three coincide to 4 decimals


def _latent_scores(table: pd.DataFrame, seed: int) -> dict[str, float]:
    """What summarize makes of a latent table: embed's silhouette, its null and per-class count, and the gain."""
    from vae_study.core.latent import silhouette

    embedded = {"silhouette": silhouette(table.filter(like="mean_").to_numpy(), table["class"].to_numpy())}
    return with_gains_over_baselines({**embedded, **silhouette_scores(table, seed)})


def test_silhouette_scores_against_their_permuted_label_null():
    """Unstructured latents score the permuted-label null (not 0, and below it); separated classes are all distinct."""
    rng = np.random.default_rng(0)
    labels = np.repeat([str(digit) for digit in range(10)], 60)
    noise = pd.DataFrame({"class": labels, "mean_0": rng.normal(size=600), "mean_1": rng.normal(size=600)})
    scores = _latent_scores(noise, seed=1)
    assert -0.1 < scores["silhouette_permuted_labels"] < 0
    assert abs(scores["silhouette_over_permuted_labels"]) < 0.03 and scores["classes_with_positive_silhouette"] <= 2
    centres = {str(digit): (10.0 * np.cos(digit), 10.0 * np.sin(digit)) for digit in range(10)}
    apart = noise.assign(mean_0=noise["mean_0"] + noise["class"].map(lambda c: centres[c][0]),
                         mean_1=noise["mean_1"] + noise["class"].map(lambda c: centres[c][1]))
    scores = _latent_scores(apart, seed=1)
    assert scores["silhouette_over_permuted_labels"] > 0.5 and scores["classes_with_positive_silhouette"] == 10


def test_batch_reaching_finds_where_a_decaying_loss_has_made_its_drop():
    """loss = 10 + 100 exp(-t / 1000): 98% of the drop from start to end is made at t = 1000 ln(50) ≈ 3,912, 95% at
    1000 ln(20) ≈ 2,996; a flat curve has no drop, and a run shorter than the end window has no end level."""
    from vae_study.report.summary import batch_reaching

    steps = np.arange(12000)
    loss = pd.Series(10 + 100 * np.exp(-steps / 1000) + np.random.default_rng(0).normal(0, 0.5, len(steps)))
    assert batch_reaching(loss, 0.98, 1000) == pytest.approx(1000 * np.log(50), abs=60)
    assert batch_reaching(loss, 0.95, 1000) == pytest.approx(1000 * np.log(20), abs=60)
    assert batch_reaching(pd.Series(np.full(12000, 5.0)), 0.98, 1000) is None
    assert batch_reaching(loss.iloc[:900], 0.98, 1000) is None
    shape = curve_shape(pd.DataFrame({"step": steps, "loss": loss}), 784, {}, 1000, 4000)
    assert shape["settled_batch"] > shape["flat_batch"] > shape["elbow_batch"]
    assert shape["late_sd"] == pytest.approx(shape["late_sd_per_value"] * 784)

"""The figures' data: the interactive latent charts' sample and the 2-D projection they share with the PNGs."""

import numpy as np
import pandas as pd
import pytest

from vae_study.report.plotting import latent_points_table, project_to_2d


def _latent_table(sizes: list[int], dims: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(len(sizes)), sizes)  # in label order, as the test split is
    table = pd.DataFrame({"label": labels, "class": [f"c{label}" for label in labels]})
    for dim in range(dims):
        table[f"mean_{dim}"] = rng.normal(labels * (dim + 1), 1.0)
    return table


def test_the_latent_sample_keeps_each_class_s_share_in_random_order():
    table = _latent_table([600, 300, 100], 2)
    points = latent_points_table(table, points=200)
    assert points["class"].value_counts().to_dict() == {"c0": 120, "c1": 60, "c2": 20}
    assert points["image"].is_unique and list(points.columns) == ["x", "y", "class", "image"]
    assert (table.loc[points["image"], "class"].to_numpy() == points["class"].to_numpy()).all()
    assert np.allclose(points["x"], table.loc[points["image"], "mean_0"], atol=5e-4)  # 2-D: the means themselves
    assert not points["class"].is_monotonic_increasing  # drawn in random order, not class after class
    assert points.equals(latent_points_table(table, points=200))  # seeded
    assert len(latent_points_table(table, points=5000)) == len(table)  # never more than the test set


def test_a_larger_latent_space_is_shown_on_its_first_two_principal_components():
    table = _latent_table([50, 50], 16)
    table["mean_5"] *= 30  # one dimension carries nearly all the variance: the first component follows it
    points, names = project_to_2d(table)
    assert points.shape == (100, 2) and names[0].startswith("PC 1") and names[1].startswith("PC 2")
    assert abs(np.corrcoef(points[:, 0], table["mean_5"])[0, 1]) > 0.99
    assert project_to_2d(table[["label", "class", "mean_0", "mean_1"]])[1] == ("z[0]", "z[1]")
    one_d, axes = project_to_2d(table[["label", "class", "mean_0"]])  # 1-D: the class against z[0], jittered
    assert axes == ("z[0]", "class") and np.all(np.abs(one_d[:, 1] - table["label"]) <= 0.3)


def test_a_class_smaller_than_its_share_still_shows():
    points = latent_points_table(_latent_table([995, 5], 2), points=100)
    assert points["class"].value_counts().to_dict() == {"c0": 100, "c1": 1}


def test_the_loss_axis_ends_above_the_smoothed_curves_not_at_the_first_batches_raw_loss(tmp_path, monkeypatch):
    """An untrained network's cross-entropy (543 per MNIST image) in the first batches must not squeeze the curves,
    which settle near 135, into a strip: the axis ends a little above the highest smoothed curve."""
    from vae_study.report import plotting

    rng = np.random.default_rng(0)
    loss = 135 + 5 * rng.standard_normal(3000)
    loss[:5] = 543.0
    history = pd.DataFrame({"step": np.arange(3000), "loss": loss})
    saved = []
    monkeypatch.setattr(plotting, "_save", lambda figure, path: saved.append(figure))
    plotting.plot_loss_curves({"a": [history]}, {"a": "a"}, {"a": 784}, {"a": "mnist"}, tmp_path / "curves.png", mark=None)
    top_axes = saved[0].axes[0]
    smoothed_max = history["loss"].rolling(200, center=True, min_periods=100).mean().max()
    assert smoothed_max < top_axes.get_ylim()[1] < 543 and top_axes.get_ylim()[0] < 130


def test_the_drop_markers_sit_on_the_drawn_curve_and_unshared_panels_keep_their_own_axes(tmp_path, monkeypatch):
    """The half-drop triangle and the 98% circle lie on the drawn (200-batch) line, not at the 20-batch level the
    half-drop is found on, which early in a run is far above it; with share_y=False a flat loss near 500 beside a
    falling one near 135 gets an axis of its own, so its plateau is not a flat line across a 400-wide axis."""
    from vae_study.report import plotting

    steps = np.arange(4000)
    falling = pd.DataFrame({"step": steps, "loss": 135 + 400 * np.exp(-steps / 60)})
    flat = pd.DataFrame({"step": steps, "loss": 498 + 30 * np.exp(-steps / 40)})
    saved = []
    monkeypatch.setattr(plotting, "_save", lambda figure, path: saved.append(figure))
    plotting.plot_loss_curves({"a": [falling], "b": [flat]}, {"a": "a", "b": "b"}, {"a": 784, "b": 784},
                              {"a": "mnist", "b": "cifar10"}, tmp_path / "curves.png", mark=None, end_window=500,
                              share_y=False)
    axes = saved[0].axes[0]
    drawn = next(line for line in axes.lines if line.get_label() == "a, 1 seed")
    markers = [line for line in axes.lines if line.get_marker() in ("^", "o")]
    assert {line.get_marker() for line in markers} == {"^", "o"}
    curve = dict(zip(drawn.get_xdata(), drawn.get_ydata()))
    for marker in markers:
        (batch,), (level,) = marker.get_xdata(), marker.get_ydata()
        assert level == pytest.approx(curve[batch])
    bottom, top = saved[0].axes[1].get_ylim()
    assert 490 < bottom and top < 540

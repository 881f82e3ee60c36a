"""Results over seeds: per-variant means with 95% intervals, paired differences between variants, loss-curve shape.

A claim about a difference is judged on its spread over seeds, never on one run. Seeds pair runs:
the same seed of two variants of one dataset sees the same batch order.
"""

import math

import numpy as np
import pandas as pd
from scipy import stats

# Metrics that describe the run, not the model: left out of the summaries.
BOOKKEEPING = {"steps", "objective.samples", "objective.seed"}


def flatten(metrics: dict, prefix: str = "") -> dict[str, float]:
    """Nested metrics as ``{"test.r2": 0.6, ...}``; numbers only."""
    flat = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and name not in BOOKKEEPING:
            flat[name] = float(value)
    return flat


def with_gains_over_chance(metrics: dict[str, float]) -> dict[str, float]:
    """Adds ``<score>_over_chance`` = score minus its chance level for every score that has one.

    ``x_chance`` is the chance level of ``x_accuracy`` (kNN scores) or of ``x`` (class-group mixing).
    """
    gains = {}
    for name, chance in metrics.items():
        if not name.endswith("_chance"):
            continue
        base = name.removesuffix("_chance")
        score = metrics.get(f"{base}_accuracy", metrics.get(base))
        if score is not None:
            gains[f"{base}_over_chance"] = score - chance
    return {**metrics, **gains}


def interval(values: list[float]) -> dict[str, float | None]:
    """Mean, standard deviation and two-sided 95% t-interval of the mean over seeds (None for one seed)."""
    values = np.asarray(values, float)
    mean = float(values.mean())
    if len(values) < 2:
        return {"mean": mean, "sd": None, "ci95_low": None, "ci95_high": None}
    sd = float(values.std(ddof=1))
    half = float(stats.t.ppf(0.975, len(values) - 1)) * sd / math.sqrt(len(values))
    return {"mean": mean, "sd": sd, "ci95_low": mean - half, "ci95_high": mean + half}


def summarize_runs(runs: dict[int, dict[str, float]]) -> dict:
    """One variant's metrics over its seeds: ``{"seeds": n, "<metric>": {mean, sd, ci95_low, ci95_high}}``."""
    names = sorted(set.intersection(*(set(metrics) for metrics in runs.values())))
    return {"seeds": len(runs), **{name: interval([metrics[name] for metrics in runs.values()]) for name in names}}


def paired_differences(first: dict[int, dict[str, float]], second: dict[int, dict[str, float]]) -> dict:
    """``second`` minus ``first`` seed by seed, for every metric both report; the interval of the mean difference.

    ``excludes_zero`` is the rule every claim is judged by: 1 when the 95% interval lies on one side of zero.
    """
    seeds = sorted(set(first) & set(second))
    names = sorted(set.intersection(*(set(first[seed]) & set(second[seed]) for seed in seeds)))
    result = {"seeds": len(seeds)}
    for name in names:
        summary = interval([second[seed][name] - first[seed][name] for seed in seeds])
        low, high = summary["ci95_low"], summary["ci95_high"]
        summary["excludes_zero"] = None if low is None else int(low > 0 or high < 0)
        result[name] = summary
    return result


def class_scores(test: pd.DataFrame, train_shares: dict[str, float], mixes: dict[str, list[list[str]]]) -> dict[str, float]:
    """Per-class kNN recall, and how much named class groups are mixed up, from a run's test latent table.

    ``test`` has each test image's ``class`` and kNN prediction ``knn_class``. For each entry
    ``name: [group A, group B]`` of ``mixes``, ``mix.<name>`` is the share of A's and B's test
    images that kNN assigns to the other group, and ``mix.<name>_chance`` what guessing at the
    training classes' rates (``train_shares``) would give: below chance, the two groups lie apart.
    """
    scores = {f"recall.{name}": float(np.mean(rows["knn_class"] == name)) for name, rows in test.groupby("class")}
    for name, (first, second) in mixes.items():
        in_first, in_second = test["class"].isin(first), test["class"].isin(second)
        crossed = (in_first & test["knn_class"].isin(second)) | (in_second & test["knn_class"].isin(first))
        share = {group: sum(train_shares.get(member, 0.0) for member in members) for group, members in (("a", first), ("b", second))}
        scores[f"mix.{name}"] = float(crossed.sum() / (in_first | in_second).sum())
        scores[f"mix.{name}_chance"] = float((in_first.sum() * share["b"] + in_second.sum() * share["a"]) / (in_first | in_second).sum())
    return scores


def window_means(batches: pd.DataFrame, window: int) -> pd.Series:
    """Mean total loss of batches [0, window), [window, 2 window), ...; a short last window is dropped."""
    full = len(batches) // window * window
    return batches["loss"].iloc[:full].groupby(batches["step"].iloc[:full] // window).mean()


def curve_shape(batches: pd.DataFrame, values_per_image: int, pixel_variance: float, window: int = 1000,
                after: int = 4000) -> dict[str, float | None]:
    """Numbers behind the study's loss-curve claims, for one run's per-batch losses.

    - ``final_per_value``: mean loss of the last window per pixel value;
    - ``final_over_variance``: that divided by the training pixels' variance, the normalisation of
      R², so that datasets compare (MNIST's near-binary pixels vary more than CIFAR-10's);
    - ``drop_after_<after>``: share of the whole drop (first to last window) that comes after batch ``after``
      (near 0: the curve was flat by then);
    - ``last_window_change``: relative change from the second-to-last to the last window (negative: still falling);
    - ``late_cv``: standard deviation over mean of the batch losses in the last window (oscillation, scale-free).

    A measure the run has too few batches for (a short first run) is None: not computable, never a guess.
    """
    means = window_means(batches, window)
    last = means.iloc[-1] if len(means) else None
    late = batches["loss"].iloc[(len(means) - 1) * window: len(means) * window] if len(means) else None
    level = after // window - 1
    return {
        "final_per_value": None if last is None else float(last / values_per_image),
        "final_over_variance": None if last is None else float(last / values_per_image / pixel_variance),
        f"drop_after_{after}": float((means.loc[level] - last) / (means.iloc[0] - last))
        if len(means) >= 2 and level in means.index and level < means.index[-1] else None,
        "last_window_change": float(last / means.iloc[-2] - 1) if len(means) >= 2 else None,
        "late_cv": float(late.std(ddof=1) / late.mean()) if late is not None and len(late) >= 2 else None,
    }

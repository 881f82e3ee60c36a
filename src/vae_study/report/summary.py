"""Results over seeds: per-variant means with 95% intervals, paired differences between variants, loss-curve shape.

A claim about a difference is judged on its spread over seeds, never on one run. Seeds pair runs:
the same seed of two variants of one dataset sees the same batch order.
"""

import itertools
import math
import warnings

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


# What a score must beat: guessing at the class rates; always the largest class; the same score with the labels shuffled;
# the same score on a PCA code of the pixels as large as the latent space.
BASELINES = ("chance", "majority", "permuted_labels", "pca")


def with_gains_over_baselines(metrics: dict[str, float]) -> dict[str, float]:
    """Adds ``<score>_over_<baseline>`` = score minus its baseline for every score that has one.

    ``x_chance`` / ``x_majority`` are baselines of ``x_accuracy`` (kNN scores) or of ``x`` (class-group mixing);
    ``x_permuted_labels`` is the baseline of ``x`` (the silhouette); ``x_pca``, of ``x_accuracy`` or ``x``: the same
    score of a PCA code of the pixels as large as the latent space.
    """
    gains = {}
    for name, level in metrics.items():
        for baseline in BASELINES:
            if name.endswith(f"_{baseline}"):
                base = name.removesuffix(f"_{baseline}")
                score = metrics.get(f"{base}_accuracy", metrics.get(base))
                if score is not None:
                    gains[f"{base}_over_{baseline}"] = score - level
    return {**metrics, **gains}


def interval(values: list[float]) -> dict[str, float | None]:
    """Mean, standard deviation and two-sided 95% t-interval of the mean over seeds (scipy's one-sample t-test; None
    for one seed), and the smallest and largest seed's value (where the seeds fall, beside the interval of their mean).
    """
    values = np.asarray(values, float)
    mean, extremes = float(values.mean()), {"min": float(values.min()), "max": float(values.max())}
    if len(values) < 2:
        return {"mean": mean, "sd": None, "ci95_low": None, "ci95_high": None, **extremes}
    sd = float(values.std(ddof=1))
    with warnings.catch_warnings():  # seeds equal but for float rounding: scipy warns, its interval is still right
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = (mean, mean) if sd == 0 else stats.ttest_1samp(values, 0.0).confidence_interval(0.95)
    return {"mean": mean, "sd": sd, "ci95_low": float(low), "ci95_high": float(high), **extremes}


def summarize_runs(runs: dict[int, dict[str, float]]) -> dict:
    """One variant's metrics over its seeds: ``{"seeds": n, "<metric>": {mean, sd, ci95_low, ci95_high, min, max,
    by_seed}}``; ``by_seed`` keeps each seed's value, so a rerun of the same seeds can be set beside it run by run
    (report/earlier_study.py)."""
    names = sorted(set.intersection(*(set(metrics) for metrics in runs.values())))
    return {"seeds": len(runs), **{name: {**interval([metrics[name] for metrics in runs.values()]),
                                          "by_seed": {str(seed): metrics[name] for seed, metrics in runs.items()}}
                                   for name in names}}


def paired_differences(first: dict[int, dict[str, float]], second: dict[int, dict[str, float]]) -> dict:
    """``second`` minus ``first`` seed by seed, for every metric both report; the interval of the mean difference."""
    seeds = sorted(set(first) & set(second))
    if not seeds:
        return {"seeds": 0}
    names = sorted(set.intersection(*(set(first[seed]) & set(second[seed]) for seed in seeds)))
    result = {"seeds": len(seeds)}
    for name in names:
        result[name] = interval([second[seed][name] - first[seed][name] for seed in seeds])
    return result


def unpaired_differences(first: dict[int, dict[str, float]], second: dict[int, dict[str, float]]) -> dict:
    """``second`` minus ``first`` for runs that share nothing but a seed number (two datasets): Welch's interval.

    Seeds do not pair an MNIST run with a CIFAR-10 run (they see different data), so the difference of the two
    means gets Welch's 95% t-interval (scipy's ``ttest_ind(equal_var=False)``), and ``se`` its standard error;
    ``seeds`` is the smaller of the two run counts.
    """
    names = sorted(set.intersection(*(set(metrics) for metrics in [*first.values(), *second.values()])))
    result = {"seeds": min(len(first), len(second)), "unpaired": 1}
    for name in names:
        a, b = (np.asarray([metrics[name] for metrics in runs.values()], float) for runs in (first, second))
        mean = float(b.mean() - a.mean())
        summary = {"mean": mean, "se": None, "ci95_low": None, "ci95_high": None}
        if len(a) >= 2 and len(b) >= 2:
            se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
            with warnings.catch_warnings():  # as in ``interval``
                warnings.simplefilter("ignore", RuntimeWarning)
                low, high = (mean, mean) if se == 0 else stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
            summary.update(se=se, ci95_low=float(low), ci95_high=float(high))
        result[name] = summary
    return result


def _crossing(counts: np.ndarray, first: list[int], second: list[int]) -> float:
    """Share of the two groups' test images that kNN assigns to the other group (``counts``: true x predicted)."""
    crossed = counts[np.ix_(first, second)].sum() + counts[np.ix_(second, first)].sum()
    return float(crossed / counts[first + second].sum())


def median_pair_mixing(counts: np.ndarray, sizes: tuple[int, int], limit: int = 5000) -> float:
    """The median crossing over every pair of disjoint class groups of ``sizes`` (at most ``limit``, seeded sample).

    The fair reference for "these classes lie apart": any two classes lie apart from each other more than
    chance once the latent space separates classes at all, so a named pair is judged against the typical pair.
    """
    classes = range(len(counts))
    pairs = [(list(a), list(b)) for a in itertools.combinations(classes, sizes[0])
             for b in itertools.combinations([c for c in classes if c not in a], sizes[1])
             if sizes[0] != sizes[1] or a < b]
    if len(pairs) > limit:
        pairs = [pairs[index] for index in np.random.default_rng(0).choice(len(pairs), limit, replace=False)]
    return float(np.median([_crossing(counts, a, b) for a, b in pairs]))


def read_latents(path) -> pd.DataFrame:
    """A run's test latent table as embed writes it (``vae_study.core.latent.latent_table``).

    Class names are read as text: MNIST's "0"-"9" would otherwise become integers and match no class name.
    """
    return pd.read_csv(path, dtype={"class": str, "knn_class": str})


def class_scores(test: pd.DataFrame, train_shares: dict[str, float], mixes: dict[str, list[list[str]]]) -> dict[str, float]:
    """Per-class kNN recall, and how much named class groups are mixed up, from a run's test latent table.

    ``test`` has each test image's ``class`` and kNN prediction ``knn_class``; ``classes_recalled_over_half``
    counts the classes kNN places right more often than not (the "clearly distinct" reading;
    ``classes_recalled_over_70pct`` the stricter sensitivity reading). For each entry
    ``name: [group A, group B]`` of ``mixes``, ``mix.<name>`` is the share of A's and B's test
    images that kNN assigns to the other group; ``mix.<name>_chance`` what guessing at the
    training classes' rates (``train_shares``) would give; ``mix.<name>_median_pair`` the median
    of the same share over every pair of class groups of the same sizes, and ``..._over_median_pair``
    the difference: below 0, the two groups lie apart more than a typical pair does.
    """
    names = list(train_shares)
    scores = {f"recall.{name}": float(np.mean(rows["knn_class"] == name)) for name, rows in test.groupby("class")}
    recalls = list(scores.values())
    scores["classes_recalled_over_half"] = float(sum(value > 0.5 for value in recalls))
    scores["classes_recalled_over_70pct"] = float(sum(value > 0.7 for value in recalls))  # a stricter "clearly distinct"
    index = {name: position for position, name in enumerate(names)}
    counts = np.zeros((len(names), len(names)))
    np.add.at(counts, (test["class"].map(index).to_numpy(), test["knn_class"].map(index).to_numpy()), 1)
    for name, (first, second) in mixes.items():
        in_first, in_second = test["class"].isin(first), test["class"].isin(second)
        share = {group: sum(train_shares.get(member, 0.0) for member in members) for group, members in (("a", first), ("b", second))}
        mix = _crossing(counts, [index[member] for member in first], [index[member] for member in second])
        median = median_pair_mixing(counts, (len(first), len(second)))
        scores[f"mix.{name}"] = mix
        scores[f"mix.{name}_chance"] = float((in_first.sum() * share["b"] + in_second.sum() * share["a"]) / (in_first | in_second).sum())
        scores[f"mix.{name}_median_pair"] = median
        scores[f"mix.{name}_over_median_pair"] = mix - median
    return scores


# "Flat after batch N" from the start: the start level is the first START_BATCHES batches' mean (the loss before
# training has moved it), the level at N and the end level are means of a window centred on N and of the last
# batches; each window width of LEVEL_WINDOWS is reported, so the verdict's dependence on it shows.
START_BATCHES = 10
LEVEL_WINDOWS = (50, 200, 1000)


def drop_after_from_start(loss: pd.Series, after: int, window: int) -> float | None:
    """Share of the whole drop, from the start to the end of training, that comes after batch ``after``.

    None when the run has no ``window`` batches around ``after`` and after it.
    """
    low, high = after - window // 2, after + window // 2
    if len(loss) < high + window or low < START_BATCHES:
        return None
    start, level, end = loss.iloc[:START_BATCHES].mean(), loss.iloc[low:high].mean(), loss.iloc[-window:].mean()
    return float((level - end) / (start - end))


def silhouette_scores(test: pd.DataFrame, seed: int) -> dict[str, float]:
    """The silhouette's null for the test latent means, and the silhouette per class.

    The null is not 0: each image's nearest other class is a minimum over the classes, so labels permuted at
    random (seeded by the run's seed) score a little below 0; ``with_gains_over_baselines`` subtracts it from
    embed's silhouette. ``classes_with_positive_silhouette`` counts the classes whose images lie, on average,
    nearer their own class than the nearest other one: the silhouette's reading of "distinct".
    """
    from sklearn.metrics import silhouette_samples, silhouette_score

    points, labels = test.filter(like="mean_").to_numpy(), test["class"].to_numpy()
    samples = silhouette_samples(points, labels)
    permuted = silhouette_score(points, np.random.default_rng(seed).permutation(labels))
    per_class = pd.Series(samples).groupby(labels).mean()
    return {"silhouette_permuted_labels": float(permuted), "classes_with_positive_silhouette": float((per_class > 0).sum())}


COLLAPSED_BELOW = 0.5  # share of distinct test latent means under which a run's posterior has collapsed


def distinct_share(test: pd.DataFrame) -> float:
    """Share of test images whose latent means (``mean_*`` columns, to 4 decimals) no other image shares.

    Near 0, the posterior collapsed: the encoder maps most images to one point, and kNN or silhouette
    scores on it measure ties, not classes.
    """
    means = test.filter(like="mean_").to_numpy().round(4)
    _, inverse, counts = np.unique(means, axis=0, return_inverse=True, return_counts=True)
    return float(np.mean(counts[inverse.ravel()] == 1))


def window_means(batches: pd.DataFrame, window: int) -> pd.Series:
    """Mean total loss of batches [0, window), [window, 2 window), ...; a short last window is dropped."""
    full = len(batches) // window * window
    return batches["loss"].iloc[:full].groupby(batches["step"].iloc[:full] // window).mean()


def drop_after_fit(loss: pd.Series, after: int) -> float | None:
    """Share of the whole drop that comes after batch ``after``, with no level window: a least-squares line
    through every batch loss from ``after`` to the end gives the levels at ``after`` and at the end; the start
    is the first START_BATCHES batches' mean.

    None when the run has fewer than ``2 * after`` batches (too short a tail to fit) or ``after`` < START_BATCHES.
    """
    if len(loss) < 2 * after or after < START_BATCHES:
        return None
    steps = np.arange(after, len(loss), dtype=float)
    slope, intercept = np.polyfit(steps, loss.iloc[after:].to_numpy(float), 1)
    level, end = intercept + slope * after, intercept + slope * (len(loss) - 1)
    start = loss.iloc[:START_BATCHES].mean()
    return float((level - end) / (start - end))


# Batches at which the loss, smoothed over FLAT_SMOOTHING batches (a centred mean), has come a share of the whole way
# from the start (the first START_BATCHES batches) to the end (the last window's mean): HALF_SHARE, how quickly it
# learns; FLAT_SHARE, where it flattens; ELBOW_SHARE and SETTLED_SHARE, the readings either side of it.
# The half point falls in the first few hundred batches, where the loss changes fastest: it is found on a mean over
# HALF_SMOOTHING batches, which a 200-batch mean would blur.
FLAT_SMOOTHING, HALF_SMOOTHING = 200, 20
HALF_SHARE, ELBOW_SHARE, FLAT_SHARE, SETTLED_SHARE = 0.5, 0.95, 0.98, 0.99


def batch_reaching(loss: pd.Series, share: float, end_window: int, smoothing: int = FLAT_SMOOTHING) -> float | None:
    """The first batch at which the loss, smoothed by a centred mean over ``smoothing`` batches, has covered ``share``
    of the drop from the start to the end level.

    None when the run has too few batches for the end level (``end_window``) and the smoothing, or never drops.
    """
    if len(loss) < max(end_window, smoothing) + START_BATCHES:
        return None
    start, end = loss.iloc[:START_BATCHES].mean(), loss.iloc[-end_window:].mean()
    if not start > end:
        return None
    smooth = loss.rolling(smoothing, center=True, min_periods=max(1, smoothing // 2)).mean().to_numpy()
    reached = np.flatnonzero(smooth <= start - share * (start - end))
    return float(reached[0]) if len(reached) else None


def curve_shape(batches: pd.DataFrame, values_per_image: int, variances: dict[str, float],
                window: int, after: int) -> dict[str, float | None]:
    """Numbers behind the study's loss-curve claims, for one run's per-batch losses.

    - ``final_loss``: mean total loss per image of the last window, as the study's loss curves plot it;
    - ``final_per_value``: that per pixel value the loss sums (784 on MNIST, 3,072 on CIFAR-10 for the summed error);
    - ``final_over_<name>``: that divided by each of ``variances``: ``variance``, the training pixels' pooled
      variance, the normalisation of the pooled R² (it counts the variance between pixels, which decoding the
      mean image already explains, and MNIST's pixels have far more of it than CIFAR-10's), and
      ``mean_pixel_variance``, the mean of each pixel's own variance, the normalisation of R² against the mean
      image (decoding the mean image scores about 1 here);
    - ``drop_after_flat_point_from_start_w<w>``: the share of the whole drop, from the start (the first 10 batches)
      to the end, that comes after batch ``after`` (summarize.flat_after), levels averaged over ``w`` batches, for
      each ``w`` of LEVEL_WINDOWS;
    - ``drop_after_flat_point_fit`` and ``drop_after_half_flat_point_fit``: the same share with no level window (see
      ``drop_after_fit``) after ``after`` and after ``after`` / 2: the second asks whether the curve still fell after
      half the claimed batch;
    - ``late_sd_per_value``, ``late_sd_over_<name>``: the last window's batch-loss sd per pixel value, and over
      each of ``variances`` (absolute oscillation, beside the scale-free ``late_cv``);
    - ``late_sd``: the last window's batch-loss standard deviation per image, the oscillation as the loss curves plot it;
    - ``elbow_batch``, ``flat_batch`` and ``settled_batch``: the batches at which the smoothed loss has come
      ELBOW_SHARE (95%), FLAT_SHARE (98%) and SETTLED_SHARE (99%) of the way from its start to its end level
      (``batch_reaching``; the half point is registered with its own computation in report/measures.py);
    - ``last_window_change``: relative change from the second-to-last to the last window (negative: still falling);
    - ``late_cv``: standard deviation over mean of the batch losses in the last window (oscillation, scale-free).

    A measure the run has too few batches for (a short first run) is None: not computable, never a guess.
    """
    means = window_means(batches, window)
    last = means.iloc[-1] if len(means) else None
    late = batches["loss"].iloc[(len(means) - 1) * window: len(means) * window] if len(means) else None
    final = None if last is None else float(last / values_per_image)
    late_sd = float(late.std(ddof=1) / values_per_image) if late is not None and len(late) >= 2 else None
    return {
        "final_loss": None if last is None else float(last),
        "final_per_value": final,
        **{f"final_over_{name}": None if final is None else final / variance for name, variance in variances.items()},
        "last_window_change": float(last / means.iloc[-2] - 1) if len(means) >= 2 else None,
        "late_cv": float(late.std(ddof=1) / late.mean()) if late is not None and len(late) >= 2 else None,
        "late_sd": None if late_sd is None else late_sd * values_per_image,
        "late_sd_per_value": late_sd,
        "flat_batch": batch_reaching(batches["loss"], FLAT_SHARE, window),
        "elbow_batch": batch_reaching(batches["loss"], ELBOW_SHARE, window),
        "settled_batch": batch_reaching(batches["loss"], SETTLED_SHARE, window),
        **{f"late_sd_over_{name}": None if late_sd is None else late_sd / variance for name, variance in variances.items()},
        "drop_after_half_flat_point_fit": drop_after_fit(batches["loss"], after // 2),
        "drop_after_flat_point_fit": drop_after_fit(batches["loss"], after),
        **{f"drop_after_flat_point_from_start_w{width}": drop_after_from_start(batches["loss"], after, width)
           for width in LEVEL_WINDOWS},
    }

"""The published numbers the anchor variants rebuild, beside the anchors' own: context on the results page, not a claim.

Parametric UMAP's conv VAE (Sainburg, McInnes & Gentner 2021) reports one run's 5-NN accuracy of its 2-D test latent
means: scikit-learn's `KNeighborsClassifier(n_neighbors=5)` (uniform votes) fit on the training split's latent means.
The variants `pumap_mnist` and `pumap_cifar10` rebuild that network, loss, training and split (docs/pipeline.md), and
embed scores them the same way (`latent.knn_uniform_accuracy`), so the two numbers compare like for like up to the
differences listed in DIFFERENCES. Their notebooks also print each run's per-pixel test error of the mean decode
and its last epoch's training loss, which compare the same way (`test.mse`, `train.loss`).
"""

from dataclasses import dataclass

import scipy.stats

PUBLISHED_NEIGHBORS = 5  # their KNeighborsClassifier(n_neighbors=5)
SOURCE = ("https://github.com/timsainb/ParametricUMAP_paper/blob/master/notebooks/dataset-projections/"
          "knn-classifier/table-knn-results.ipynb")


@dataclass(frozen=True)
class Anchor:
    variant: str
    dataset: str  # as the table names it
    published: dict[str, float]  # summary metric: the published run's value (its notebook's printed output)
    knn1: float  # published 2-D 1-NN accuracy: not computed here, shown for completeness
    pca_knn5: float  # the same table's 2-D PCA of the pixels (uniform votes)


# What each published number is, as (summary metric, what the notebook computes).
MEASURES = {"latent.knn_uniform_accuracy": "5-NN accuracy, uniform votes, fit on the training split's latent means",
            "test.mse": "per-pixel squared error of the test images decoded from their latent means",
            "train.loss": "training loss per image, the last epoch's mean (Keras' printed epoch loss)"}
ANCHORS = [
    Anchor("pumap_mnist", "MNIST", {"latent.knn_uniform_accuracy": 0.7649, "test.mse": 0.037106, "train.loss": 134.2354},
           knn1=0.7241, pca_knn5=0.4201),
    Anchor("pumap_cifar10", "CIFAR-10", {"latent.knn_uniform_accuracy": 0.1941, "test.mse": 0.034999, "train.loss": 497.6605},
           knn1=0.1665, pca_knn5=0.1503),
]

# What still differs between the published runs and the anchors (everything else is rebuilt: docs/pipeline.md).
DIFFERENCES = [
    ("runs", "one", "three seeds: mean, 95% interval, and where one more run would fall"),
    ("held-out split", "the last 10,000 training images in the original order",
     "10,000 drawn with the dataset's seed, each class in proportion: the pipeline's one way to hold out (CIFAR-10's "
     "archive keeps no order across classes). MNIST's keeps the original indices: of each trained anchor's (seeds 0, 1) "
     "own training images, those in the published training split decode 0.19 and 0.26 (standard error 0.09) per "
     "image worse than all of them, about a quarter of the training loss's gap; the split's effect on the other two numbers is "
     "not measured (bench/anchor_split.py)"),
    ("CIFAR-10", "the original images", "a JPEG quality-75 copy, training and test images alike: it bears on all three "
     "CIFAR-10 numbers, in a direction not measured"),
    ("libraries", "TensorFlow 2.2-2.3 with its own Keras, Python 3.6 (the notebooks' environment)",
     "TensorFlow 2.21 with Keras 3, oneDNN kernels and deterministic ops: other rounding. Both compute the "
     "cross-entropy from the decoder's logits, not from clipped probabilities (tests/test_model.py)"),
    ("hardware", "a GPU (both notebooks print GPU:0): a batch of 128 took 10-46 ms on MNIST, 12-33 ms on CIFAR-10",
     "a 2-core CPU: 270-310 ms on MNIST, 105-135 ms on CIFAR-10 (128 over the images/s in docs/study-run.log)"),
    ("PCA baseline", "5-NN with uniform votes", "5-NN with distance-weighted votes (metrics/datasets/)"),
]


def _number(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 10 else f"{value:.1f}"


def prediction_interval(stats: dict, seeds: int) -> tuple[float, float]:
    """Where one more run would fall, 95%: mean ± t(0.975, n-1) · sd · sqrt(1 + 1/n). The published number is one run,
    so it is compared with this, not with the interval of the mean; with three seeds it is wide (± 4.97 sd)."""
    half = scipy.stats.t.ppf(0.975, seeds - 1) * _one_more_run_sd(stats, seeds)
    return stats["mean"] - half, stats["mean"] + half


def _one_more_run_sd(stats: dict, seeds: int) -> float:
    """The sd of one more run's distance from the mean of ``seeds`` runs: its own sd and the mean's together."""
    return stats["sd"] * (1 + 1 / seeds) ** 0.5


def against_one_more_run(published: float, stats: dict, seeds: int) -> tuple[float, float]:
    """The published run as one more run of the anchor: t = (published - mean) / (sd · sqrt(1 + 1/n)) on n - 1 degrees
    of freedom, and its two-sided p. It lies outside the prediction interval exactly when p < 0.05."""
    t = (published - stats["mean"]) / _one_more_run_sd(stats, seeds)
    return t, 2 * scipy.stats.t.sf(abs(t), seeds - 1)


def _row(anchor: Anchor, metric: str, summary: dict, knn_neighbors: int) -> str:
    published, seeds, found = anchor.published[metric], summary.get("seeds", 0), summary.get(metric)
    head = f"| {anchor.dataset} | {MEASURES[metric]} | {_number(published)} | "
    if metric == "latent.knn_uniform_accuracy" and knn_neighbors != PUBLISHED_NEIGHBORS:
        return head + (f"not comparable: this study's kNN uses {knn_neighbors} neighbours (evaluate.knn_neighbors), "
                       f"the published one {PUBLISHED_NEIGHBORS} | | | |")
    if not found:
        return head + "no runs yet | | | |"
    mine = _number(found["mean"])
    if seeds < 2:
        return head + f"{mine} (1 seed) | {_number(found['mean'])} | | |"
    low, high = prediction_interval(found, seeds)
    where = "inside" if low <= published <= high else "outside"
    test = "{:+.1f} (p {:.2g})".format(*against_one_more_run(published, found, seeds)) if found["sd"] else ""
    return (head + f"{mine} [{_number(found['ci95_low'])}, {_number(found['ci95_high'])}] | "
            f"{_number(found['min'])} to {_number(found['max'])} | {_number(low)} to {_number(high)}: {where} | {test} |")


def anchors_table(sources: dict[str, dict], knn_neighbors: int) -> str:
    """Per anchor and published number: the anchor's mean and interval over seeds, its seeds' range, where one more
    run would fall (and whether the published run falls there), and the published run tested as one more run; then
    the kNN numbers shown for context and the differences that remain. ``knn_neighbors`` is the k embed scored with:
    only 5 compares with the published 5-NN."""
    lines = ["| dataset | measure | published (one run) | the anchor: mean [95% interval] | its seeds | one more run, 95% "
             "prediction interval: the published run | the published run as one more run: t (two-sided p) |",
             "|---|---|---|---|---|---|---|"]
    context = []
    for anchor in ANCHORS:
        summary = sources.get(anchor.variant, {})
        lines += [_row(anchor, metric, summary, knn_neighbors) for metric in MEASURES]
        weighted, pca = summary.get("latent.knn_accuracy"), summary.get("latent.knn_pca")
        context.append(f"{anchor.dataset} (`{anchor.variant}`): published 1-NN {anchor.knn1:.4f} (not computed here); "
                       f"this project's distance-weighted {knn_neighbors}-NN "
                       f"{_number(weighted['mean']) if weighted else 'no runs yet'}; 2-D PCA of the pixels, 5-NN, "
                       f"published {anchor.pca_knn5:.4f}, here {_number(pca['mean']) if pca else 'no runs yet'}.")
    tests = len(ANCHORS) * len(MEASURES)
    lines += ["", f"t on the seeds' degrees of freedom (2 for three seeds). The table makes {tests} such tests, so with "
              f"no difference at all one p or more below 0.05 would come by chance {1 - 0.95**tests:.0%} of the time; "
              "three seeds find only large differences.",
              "", *context, "", "| what still differs | published | the anchors |", "|---|---|---|",
              *(f"| {what} | {theirs} | {ours} |" for what, theirs, ours in DIFFERENCES)]
    return "\n".join(lines) + "\n"

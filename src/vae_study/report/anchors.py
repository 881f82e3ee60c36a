"""The published numbers the anchor variants rebuild, beside the anchors' own: context on the results page, not a claim.

Parametric UMAP's conv VAE (Sainburg, McInnes & Gentner 2021) reports one run's 5-NN accuracy of its 2-D test latent
means: scikit-learn's `KNeighborsClassifier(n_neighbors=5)` (uniform votes) fit on the training split's latent means.
The variants `pumap_mnist` and `pumap_cifar10` rebuild that network, loss, training and split (docs/pipeline.md), and
embed scores them the same way (`latent.knn_uniform_accuracy`), so the two numbers compare like for like up to the
differences listed in DIFFERENCES.
"""

from dataclasses import dataclass

import scipy.stats

SOURCE = ("https://github.com/timsainb/ParametricUMAP_paper/blob/master/notebooks/dataset-projections/"
          "knn-classifier/table-knn-results.ipynb")


@dataclass(frozen=True)
class Anchor:
    variant: str
    dataset: str  # as the table names it
    knn5: float  # published 2-D 5-NN accuracy (uniform votes), one run
    pca_knn5: float  # the same table's 2-D PCA of the pixels


ANCHORS = [Anchor("pumap_mnist", "MNIST", 0.7649, 0.4201), Anchor("pumap_cifar10", "CIFAR-10", 0.1941, 0.1503)]

# What still differs between the published runs and the anchors (everything else is rebuilt: docs/pipeline.md).
DIFFERENCES = [
    ("runs", "one", "three seeds; mean, 95% interval and the seeds' range"),
    ("held-out split", "the last 10,000 training images in the original order",
     "10,000 drawn per class with the dataset's seed (the archives' file names keep no order)"),
    ("CIFAR-10", "the original images", "a JPEG quality-75 copy"),
    ("libraries", "TensorFlow 2.2-2.3 with its own Keras (the repository's pins)",
     "TensorFlow 2.21 with Keras 3, oneDNN kernels and deterministic ops"),
    ("batch order", "Keras' shuffle each epoch", "a seeded order (the same for every variant of a dataset)"),
    ("PCA baseline", "5-NN with uniform votes", "5-NN with distance-weighted votes (metrics/datasets/)"),
]


def _accuracy(stats: dict, seeds: int) -> str:
    """``mean [low, high]`` to four places, as the published numbers are given (one seed: the mean alone)."""
    if seeds < 2:
        return f"{stats['mean']:.4f} (1 seed)"
    return f"{stats['mean']:.4f} [{stats['ci95_low']:.4f}, {stats['ci95_high']:.4f}]"


def prediction_interval(stats: dict, seeds: int) -> tuple[float, float]:
    """Where one more run would fall, 95%: mean ± t(0.975, n-1) · sd · sqrt(1 + 1/n). The published number is one run,
    so it is compared with this, not with the interval of the mean."""
    half = scipy.stats.t.ppf(0.975, seeds - 1) * stats["sd"] * (1 + 1 / seeds) ** 0.5
    return stats["mean"] - half, stats["mean"] + half


def anchors_table(sources: dict[str, dict]) -> str:
    """Per anchor: the published 5-NN beside the anchor's (uniform votes, as published; the project's distance-weighted
    votes beside it), where one more run of the anchor would fall, and the PCA baseline published and here."""
    lines = ["| dataset | published 5-NN (one run) | the anchor's 5-NN, uniform votes: mean [95% interval] | its seeds "
             "| one more run, 95% prediction interval | distance-weighted votes | 2-D PCA of the pixels: published / here |",
             "|---|---|---|---|---|---|---|"]
    for anchor in ANCHORS:
        summary = sources.get(anchor.variant, {})
        seeds, uniform = summary.get("seeds", 0), summary.get("latent.knn_uniform_accuracy")
        if uniform:
            low, high = prediction_interval(uniform, seeds) if seeds > 1 else (None, None)
            cells = [_accuracy(uniform, seeds), f"{seeds}: {uniform['min']:.4f} to {uniform['max']:.4f}",
                     f"{low:.4f} to {high:.4f}" if low is not None else "",
                     _accuracy(summary["latent.knn_accuracy"], seeds), f"{summary['latent.knn_pca']['mean']:.4f}"]
        else:
            cells = ["no runs yet", "", "", "", "no runs yet"]
        lines.append(f"| {anchor.dataset} (`{anchor.variant}`) | {anchor.knn5:.4f} | " + " | ".join(cells[:4]) +
                     f" | {anchor.pca_knn5:.4f} / {cells[4]} |")
    lines += ["", "| what still differs | published | the anchors |", "|---|---|---|",
              *(f"| {what} | {theirs} | {ours} |" for what, theirs, ours in DIFFERENCES)]
    return "\n".join(lines) + "\n"

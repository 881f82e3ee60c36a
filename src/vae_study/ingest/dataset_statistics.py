"""Small per-dataset numbers the summaries need, written once by preprocess and committed (metrics/datasets/).

Summarize divides losses and errors by pixel variances, compares kNN scores with the training classes' shares
and reconstructions with a linear code of the latent's size (PCA); reading them from this small file instead of
the prepared images lets the report stages run in a clone that has only the committed files
(`dvc repro --allow-missing`).
"""

import json
from pathlib import Path

import numpy as np

from vae_study.core.datasets import Dataset, scale_images
from vae_study.core.errors import PipelineError
from vae_study.core.latent import knn_accuracy
from vae_study.core.paths import METRICS_DIR

DATASET_STATISTICS_DIR = METRICS_DIR / "datasets"
PCA_COMPONENTS = 64  # the largest latent size whose PCA baseline is recorded
PCA_KNN_SIZES = (2, 4, 8, 16, 32, 64)  # the latent sizes whose PCA code gets a kNN baseline


EXAMPLES_PER_CLASS = 4  # training images per class in the study's Figure 1 (plots/examples.png)


def statistics_file(dataset: str) -> Path:
    return DATASET_STATISTICS_DIR / f"{dataset}.json"


def examples_file(dataset: str) -> Path:
    return DATASET_STATISTICS_DIR / f"{dataset}-examples.npz"


def example_images(data: Dataset, per_class: int = EXAMPLES_PER_CLASS, seed: int = 0) -> dict[str, np.ndarray]:
    """A seeded sample of ``per_class`` training images of every class (all of a smaller one; uint8, in class order) and
    their labels:
    the study's Figure 1, small enough to commit, so plot draws it without the prepared data."""
    train, rng = data.splits["train"], np.random.default_rng(seed)
    members = [np.flatnonzero(train.labels == label) for label in range(len(data.class_names))]
    chosen = np.concatenate([np.sort(rng.choice(found, min(per_class, len(found)), replace=False)) for found in members])
    return {"images": train.images[chosen], "labels": train.labels[chosen], "class_names": np.array(data.class_names)}


def dataset_statistics(data: Dataset, knn_neighbors: int) -> dict:
    """The variances losses are divided by, the values per image, each training class's share, and PCA baselines.

    ``variances``: pooled over the training pixels (the normalisation of the pooled R²), and each pixel's own,
    averaged, over the training and the test images (the mean squared error of decoding the mean image).
    """
    train, test = (scale_images(data.splits[split].images) for split in ("train", "test"))
    labels = data.splits["train"].labels
    variances = {"train_pooled": float(train.var()), "train_per_pixel": float(train.var(axis=0).mean()),
                 "test_per_pixel": float(test.var(axis=0).mean())}
    flat_train, flat_test = (images.reshape(len(images), -1).astype(np.float64) for images in (train, test))
    pca = fit_pca(flat_train)
    return {
        "image_values": int(np.prod(data.image_shape)),
        "variances": variances,
        "train_class_shares": {name: float(np.mean(labels == index)) for index, name in enumerate(data.class_names)},
        "images": {split: len(data.splits[split]) for split in data.splits},
        "pca_r2_vs_mean_image": pca_r2_vs_mean_image(pca, flat_test, variances["test_per_pixel"]),
        "pca_knn_accuracy": pca_knn_accuracy(pca, flat_train, labels, flat_test, data.splits["test"].labels, knn_neighbors),
    }


def fit_pca(flat_train: np.ndarray):
    """PCA of the training images (one row each), as many components as recorded (fewer where there are fewer values)."""
    from sklearn.decomposition import PCA

    return PCA(n_components=min(PCA_COMPONENTS, *flat_train.shape), svd_solver="covariance_eigh").fit(flat_train)


def pca_r2_vs_mean_image(pca, flat_test: np.ndarray, test_per_pixel_variance: float) -> list[float]:
    """Test R² against the mean image of a k-component PCA code fit on the training images, for k = 0, 1, ...

    The best linear code of each size: a VAE whose R² against the mean image merely matches entry k (its latent
    size) has learned no more than PCA would. Entry 0 decodes the training mean image (about 0: the null). The
    denominator is summarize's for the VAE's R² against the mean image: each pixel's test variance, averaged.
    """
    centred = flat_test - pca.mean_
    # orthonormal components: each adds its squared projection to what the code explains, per image
    explained = np.concatenate([[0.0], np.cumsum((centred @ pca.components_.T) ** 2, axis=1).mean(axis=0)])
    mse = np.mean(np.square(centred)) - explained / centred.shape[1]
    return [float(value) for value in 1 - mse / test_per_pixel_variance]


def pca_knn_accuracy(pca, flat_train: np.ndarray, train_labels, flat_test: np.ndarray, test_labels, neighbors: int) -> dict:
    """Test kNN accuracy on the first k PCA components of the pixels, for each k of PCA_KNN_SIZES the PCA has.

    What a linear projection of the latent's size separates without any training: a VAE's kNN score beside it
    says whether the network placed the classes apart beyond what the pixels' main directions already do.
    """
    train_code, test_code = pca.transform(flat_train), pca.transform(flat_test)
    return {str(size): knn_accuracy(train_code[:, :size], train_labels, test_code[:, :size], test_labels, neighbors)
            for size in PCA_KNN_SIZES if size <= pca.n_components_}


def image_shape(dataset: str) -> tuple[int, ...]:
    """A dataset's image shape (height, width, channels), from the example images preprocess commits."""
    path = examples_file(dataset)
    if not path.exists():
        raise PipelineError(f"{path} is missing; run dvc repro preprocess@{dataset} (it writes it, and it is committed)")
    with np.load(path) as examples:
        return tuple(int(size) for size in examples["images"].shape[1:])


def read_statistics(dataset: str) -> dict:
    path = statistics_file(dataset)
    if not path.exists():
        raise PipelineError(f"{path} is missing; run dvc repro preprocess@{dataset} (it writes it, and it is committed)")
    return json.loads(path.read_text())

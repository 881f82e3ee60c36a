"""Small per-dataset numbers the summaries need, written once by preprocess and committed (metrics/datasets/).

Summarize divides losses and errors by pixel variances, compares kNN scores with the training classes' shares
and reconstructions with a linear code of the latent's size (PCA); reading them from this small file instead of the prepared images lets the report stages run in a
clone that has only the committed files (`dvc repro --allow-missing`).
"""

import json
from pathlib import Path

import numpy as np

from vae_study.datasets import Dataset, scale_images
from vae_study.errors import PipelineError
from vae_study.paths import METRICS_DIR

DATASET_STATISTICS_DIR = METRICS_DIR / "datasets"
PCA_COMPONENTS = 64  # the largest latent size whose PCA baseline is recorded


def statistics_file(dataset: str) -> Path:
    return DATASET_STATISTICS_DIR / f"{dataset}.json"


def dataset_statistics(data: Dataset) -> dict:
    """The variances losses are divided by, the values per image, and each training class's share.

    ``variances``: pooled over the training pixels (the normalisation of the pooled R²), and each pixel's own,
    averaged, over the training and the test images (the mean squared error of decoding the mean image).
    """
    train, test = (scale_images(data.splits[split].images) for split in ("train", "test"))
    labels = data.splits["train"].labels
    return {
        "image_values": int(np.prod(data.image_shape)),
        "variances": {"train_pooled": float(train.var()), "train_per_pixel": float(train.var(axis=0).mean()),
                      "test_per_pixel": float(test.var(axis=0).mean())},
        "train_class_shares": {name: float(np.mean(labels == index)) for index, name in enumerate(data.class_names)},
        "images": {split: len(data.splits[split]) for split in data.splits},
        "pca_r2_vs_mean_image": pca_r2_vs_mean_image(train, test),
    }


def pca_r2_vs_mean_image(train: np.ndarray, test: np.ndarray) -> list[float]:
    """Test R² against the mean image of a k-component PCA code fit on the training images, for k = 0, 1, ...

    The best linear code of each size: a VAE whose R² against the mean image merely matches entry k (its latent
    size) has learned no more than PCA would. Entry 0 decodes the training mean image (about 0: the null).
    """
    from sklearn.decomposition import PCA

    train, test = (images.reshape(len(images), -1).astype(np.float64) for images in (train, test))
    pca = PCA(n_components=min(PCA_COMPONENTS, *train.shape), svd_solver="covariance_eigh").fit(train)
    centred = test - pca.mean_
    # orthonormal components: each adds its squared projection to what the code explains, per image
    explained = np.concatenate([[0.0], np.cumsum((centred @ pca.components_.T) ** 2, axis=1).mean(axis=0)])
    mse = np.mean(np.square(centred)) - explained / centred.shape[1]
    return [float(value) for value in 1 - mse / test.var(axis=0).mean()]  # the denominator of summarize's R² vs mean image


def read_statistics(dataset: str) -> dict:
    path = statistics_file(dataset)
    if not path.exists():
        raise PipelineError(f"{path} is missing; run dvc repro preprocess@{dataset} (it writes it, and it is committed)")
    return json.loads(path.read_text())

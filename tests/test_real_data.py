"""The real datasets in ../shared/datasets/ read with the right counts and pixel values."""

import numpy as np
import pytest
from conftest import SHARED_DATASETS

from vae_study.ingest.sources import read_local


def _archive(name: str):
    path = SHARED_DATASETS / name
    if not path.exists():
        pytest.skip(f"real dataset archive {path} is absent")
    return path


def test_real_mnist_counts_and_pixel_mean():
    dataset = read_local(_archive("mnist-png.tar.gz"))
    train, test = dataset.splits["train"], dataset.splits["test"]
    assert train.images.shape == (60_000, 28, 28, 1) and test.images.shape == (10_000, 28, 28, 1)
    assert train.images.mean() == pytest.approx(33.318, abs=0.001)
    assert dataset.class_names == [str(digit) for digit in range(10)]
    assert np.bincount(test.labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_real_cifar10_counts_and_classes():
    dataset = read_local(_archive("cifar10-jpg.tar.gz"))
    assert dataset.splits["train"].images.shape == (50_000, 32, 32, 3)
    assert dataset.splits["test"].images.shape == (10_000, 32, 32, 3)
    assert dataset.class_names[:3] == ["airplane", "automobile", "bird"] and dataset.class_names[-1] == "truck"
    assert np.bincount(dataset.splits["train"].labels).tolist() == [5000] * 10
    # The archive's README: per-channel means 125.3 / 122.9 / 113.9, as the original set.
    means = dataset.splits["train"].images.reshape(-1, 3).mean(axis=0)
    np.testing.assert_allclose(means, [125.3, 122.9, 113.9], atol=0.05)

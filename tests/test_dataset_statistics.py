"""The PCA baselines the claims measure gains against: right on images of known structure, at chance on no structure."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from vae_study.ingest.dataset_statistics import fit_pca, pca_knn_accuracy, pca_r2_vs_mean_image


def _images_in_a_subspace(rng, count: int, basis: np.ndarray) -> np.ndarray:
    """Flattened images (64 values each) that vary along the rows of ``basis`` alone, plus faint noise."""
    codes = rng.normal(size=(count, len(basis))) * np.array([3.0, 2.0, 1.0])[: len(basis)]
    return 0.5 + 0.05 * codes @ basis + 0.001 * rng.normal(size=(count, 64))


def test_a_code_as_large_as_the_images_structure_explains_it_all_and_none_explains_nothing():
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(64, 3)))[0].T
    train, test = _images_in_a_subspace(rng, 2000, basis), _images_in_a_subspace(rng, 500, basis)
    r2 = pca_r2_vs_mean_image(fit_pca(train), test, test.var(axis=0).mean())
    assert len(r2) == 65  # k = 0 .. 64
    assert r2[0] == pytest.approx(0.0, abs=0.01)  # the training mean image: the null
    assert 0.5 < r2[1] < r2[2] < r2[3] and r2[3] > 0.99  # three directions hold all the structure
    assert r2[-1] - r2[3] < 0.01  # the other 61 directions hold only the faint noise
    assert np.all(np.diff(r2) >= -1e-12)


def test_each_entry_is_the_r2_of_decoding_that_many_components():
    """The running sum of squared projections agrees with reconstructing through sklearn's PCA directly."""
    rng = np.random.default_rng(1)
    flat_train, flat_test = rng.random((300, 48)), rng.random((100, 48))
    r2 = pca_r2_vs_mean_image(fit_pca(flat_train), flat_test, flat_test.var(axis=0).mean())
    for k in (1, 2, 16):
        pca = PCA(n_components=k).fit(flat_train)
        mse = np.mean(np.square(flat_test - pca.inverse_transform(pca.transform(flat_test))))
        assert r2[k] == pytest.approx(1 - mse / flat_test.var(axis=0).mean(), abs=1e-9)


def _labelled_images(rng, count: int, shift: float):
    """Two classes of 8x8 noise images, the second brighter by ``shift`` in its top half."""
    labels = rng.integers(0, 2, count)
    images = rng.normal(0.5, 0.1, (count, 8, 8, 1))
    images[:, :4] += shift * labels[:, None, None, None]
    return images, labels


def test_pca_knn_rises_with_the_classes_separation_and_sits_at_chance_without_it():
    rng = np.random.default_rng(2)
    scores = {}
    for shift in (0.0, 0.05, 0.2):
        (train, train_labels), (test, test_labels) = _labelled_images(rng, 1000, shift), _labelled_images(rng, 400, shift)
        train, test = train.reshape(len(train), -1), test.reshape(len(test), -1)
        scores[shift] = pca_knn_accuracy(fit_pca(train), train, train_labels, test, test_labels, 5)
    assert sorted(scores[0.0]) == ["16", "2", "32", "4", "64", "8"]
    assert all(abs(value - 0.5) < 0.08 for value in scores[0.0].values())  # two balanced classes: chance is 0.5
    assert 0.6 < scores[0.05]["2"] < scores[0.2]["2"] and scores[0.2]["2"] > 0.95


def test_example_images_are_a_seeded_sample_of_every_class():
    from vae_study.core.datasets import Dataset, Split
    from vae_study.ingest.dataset_statistics import example_images

    labels = np.repeat(np.arange(3), [5, 20, 2])  # class c has fewer than four: all of them
    images = np.arange(len(labels), dtype=np.uint8)[:, None, None, None] * np.ones((1, 2, 2, 1), np.uint8)
    data = Dataset(["a", "b", "c"], {"train": Split(images, labels), "test": Split(images[:3], labels[:3])})
    examples = example_images(data, per_class=4)
    assert examples["labels"].tolist() == [0] * 4 + [1] * 4 + [2] * 2
    assert len(set(examples["images"][:, 0, 0, 0].tolist())) == 10  # ten different images
    assert all(labels[index] == label for index, label in zip(examples["images"][:, 0, 0, 0], examples["labels"]))
    assert examples["class_names"].tolist() == ["a", "b", "c"]
    assert np.array_equal(example_images(data, per_class=4)["images"], examples["images"])  # seeded

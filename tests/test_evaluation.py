"""Evaluation: metric functions against hand-computed values, and refusing a mismatched model."""

import numpy as np
import pandas as pd
import pytest
from toy_training import toy_variant

from vae_study.core.embedding import encode, load_variant_model, psnr_db, reconstruction_metrics, sampled_objective
from vae_study.core.errors import PipelineError
from vae_study.core.latent import (
    chance_accuracy,
    knn_accuracy,
    knn_confusion,
    knn_predict,
    majority_accuracy,
    silhouette,
    superclass_labels,
)
from vae_study.core.model import VAE


def test_psnr_of_known_mse():
    assert psnr_db(0.01) == pytest.approx(20.0)
    assert psnr_db(0.001) == pytest.approx(30.0)
    assert psnr_db(0.0) == float("inf")


def test_knn_on_separable_and_on_random_points():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [10.0, 10.0], [-10.0, 10.0]])
    train_labels, test_labels = np.arange(300) % 3, np.arange(90) % 3
    train = centres[train_labels] + rng.normal(0, 0.5, (300, 2))
    test = centres[test_labels] + rng.normal(0, 0.5, (90, 2))
    assert knn_accuracy(train, train_labels, test, test_labels, 5) == 1.0
    assert silhouette(test, test_labels) > 0.8
    noise_train, noise_test = rng.normal(size=(3000, 2)), rng.normal(size=(3000, 2))
    chance = knn_accuracy(noise_train, rng.integers(0, 4, 3000), noise_test, rng.integers(0, 4, 3000), 5)
    assert 0.2 < chance < 0.3  # 4 random classes: about 1/4


def test_knn_has_no_label_order_bias():
    """Uninformative 2-D latents, 10 balanced classes: predictions spread evenly and a renaming of labels changes nothing.

    With scikit-learn's uniform votes, ties go to the lowest label: about 23% of these
    points would be called class 0 and 15% class 1.
    """
    rng = np.random.default_rng(0)
    train, test = rng.normal(size=(20_000, 2)), rng.normal(size=(10_000, 2))
    train_labels, test_labels = rng.permutation(np.arange(20_000) % 10), rng.permutation(np.arange(10_000) % 10)
    predicted = knn_predict(train, train_labels, test, 5)
    shares = np.bincount(predicted, minlength=10) / len(predicted)
    assert shares.max() < 0.115 and shares.min() > 0.085, shares
    renamed = rng.permutation(10)
    assert knn_accuracy(train, renamed[train_labels], test, renamed[test_labels], 5) == knn_accuracy(
        train, train_labels, test, test_labels, 5
    )
    accuracy = knn_accuracy(train, train_labels, test, test_labels, 5)
    assert abs(accuracy - chance_accuracy(train_labels, test_labels)) < 0.015


def test_chance_accuracy_of_unbalanced_classes():
    assert chance_accuracy(np.array([0, 0, 0, 1]), np.array([0, 1])) == pytest.approx(0.75 * 0.5 + 0.25 * 0.5)
    assert chance_accuracy(np.array([0, 1]), np.array([2, 2])) == 0.0


def test_majority_baseline_beats_chance_on_unbalanced_groups():
    """Vehicles 40% / animals 60%: guessing at those rates scores 0.52, always answering animals 0.60."""
    train = np.array([0] * 40 + [1] * 60)
    test = np.array([0] * 4 + [1] * 6)
    assert chance_accuracy(train, test) == pytest.approx(0.52)
    assert majority_accuracy(train, test) == pytest.approx(0.60)


def test_knn_confusion_rows_are_shares_of_the_true_class():
    table = pd.DataFrame({"label": [0, 0, 0, 0, 1, 1, 2], "knn_label": [0, 0, 0, 1, 1, 1, 0]})
    expected = [[0.75, 0.25, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    np.testing.assert_allclose(knn_confusion(table, ["a", "b", "c"]), expected)


def test_superclass_mapping():
    names = ["airplane", "automobile", "bird", "cat", "ship"]
    groups = {"vehicles": ["airplane", "automobile", "ship"], "animals": ["bird", "cat"]}
    assert superclass_labels(np.array([0, 1, 2, 3, 4, 2]), names, groups).tolist() == [0, 0, 1, 1, 0, 1]
    with pytest.raises(PipelineError, match=r"classes \['cat'\] belong to no super-class"):
        superclass_labels(np.array([0]), names, {"vehicles": ["airplane", "automobile", "ship"], "animals": ["bird"]})
    with pytest.raises(PipelineError, match="'horse' is not a class"):
        superclass_labels(np.array([0]), names, {"animals": ["horse"]})


def _variant(latent_dim=2):
    return toy_variant(latent_dim=latent_dim, conv_filters=(4,))


def test_model_checks_name_the_variant_and_file(tmp_path):
    path = tmp_path / "toy.keras"
    with pytest.raises(PipelineError, match=r"variant toy: model file .*toy.keras is missing; run dvc repro train-mnist@toy-0"):
        load_variant_model(_variant(), (16, 16, 1), path)
    model = VAE((16, 16, 1), (4,), (8,), latent_dim=2)
    model(np.zeros((1, 16, 16, 1), np.float32))
    model.save(path)
    with pytest.raises(PipelineError, match=r"trained on images of \(16, 16, 1\), but dataset mnist has \(28, 28, 1\)"):
        load_variant_model(_variant(), (28, 28, 1), path)
    with pytest.raises(PipelineError, match="has a 2-D latent, params say 3"):
        load_variant_model(_variant(latent_dim=3), (16, 16, 1), path)
    path.write_bytes(b"not a model")
    with pytest.raises(PipelineError, match="cannot be loaded"):
        load_variant_model(_variant(), (16, 16, 1), path)


def test_reconstruction_metrics_are_the_deterministic_mean_decode_error():
    model = VAE((16, 16, 1), (4,), (8,), latent_dim=2, kl_weight=0.5)
    images = np.random.default_rng(2).random((30, 16, 16, 1), dtype=np.float32)
    means, _ = encode(model, images, batch_size=7)
    first, second = (reconstruction_metrics(model, images, means, batch_size=7) for _ in range(2))
    assert first == second
    # Decoded here in one batch, there in batches of 7: float32 kernels round a little differently.
    mean_decode_mse = float(np.mean((images.astype(np.float64) - model.reconstruct(images)) ** 2))
    assert first["mse"] == pytest.approx(mean_decode_mse, rel=1e-5)
    assert first["reconstruction"] == pytest.approx(mean_decode_mse * 256, rel=1e-5)  # summed over 16 x 16 pixels
    assert first["r2"] == pytest.approx(1 - mean_decode_mse / np.var(images, dtype=np.float64), abs=1e-5)
    assert first["psnr_db"] == pytest.approx(psnr_db(mean_decode_mse), rel=1e-5)


def test_sampled_objective_is_seeded_and_differs_from_the_mean_decode():
    model = VAE((16, 16, 1), (4,), (8,), latent_dim=2, kl_weight=0.5)
    images = np.random.default_rng(3).random((20, 16, 16, 1), dtype=np.float32)
    means, log_vars = encode(model, images, batch_size=8)
    once, again = (sampled_objective(model, images, means, log_vars, batch_size=8, samples=3, seed=1) for _ in range(2))
    assert once == again and once["samples"] == 3
    assert sampled_objective(model, images, means, log_vars, 8, samples=3, seed=2)["reconstruction"] != once["reconstruction"]
    assert once["loss"] == pytest.approx(once["reconstruction"] + 0.5 * once["kl"], rel=1e-6)
    assert once["reconstruction"] != pytest.approx(reconstruction_metrics(model, images, means, 8)["reconstruction"], rel=1e-6)


def _gaussian_classes(shift: float, rng, per_class: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten 2-D Gaussian classes (unit spread) whose centres lie ``shift`` apart in scale (fixed random directions)."""
    centres = np.random.default_rng(99).normal(size=(10, 2))
    labels = np.repeat(np.arange(10), per_class)
    return centres[labels] * shift + rng.normal(size=(len(labels), 2)), labels


def test_knn_accuracy_rises_with_separation_and_its_null_stays_put_while_the_silhouette_falls_below_its_own():
    """Why separation claims are judged by 5-NN, not the silhouette: as the class centres move apart, 5-NN accuracy
    rises every step while with permuted labels it stays at chance (0.1); in weakly separated classes the
    silhouette sinks below its permuted-label null, the pattern CIFAR-10 shows, though separation grew."""
    rng = np.random.default_rng(0)
    accuracies, nulls, silhouettes = [], [], []
    for shift in (0.0, 0.3, 0.6, 1.0, 2.0, 4.0):
        train, train_labels = _gaussian_classes(shift, rng, 300)
        test, test_labels = _gaussian_classes(shift, rng, 100)
        accuracies.append(knn_accuracy(train, train_labels, test, test_labels, 5))
        nulls.append(knn_accuracy(train, rng.permutation(train_labels), test, test_labels, 5))
        silhouettes.append((silhouette(test, test_labels), silhouette(test, rng.permutation(test_labels))))
    assert all(later > earlier for earlier, later in zip(accuracies, accuracies[1:])), accuracies
    assert abs(accuracies[0] - 0.1) < 0.04 and accuracies[-1] > 0.5
    assert all(abs(null - 0.1) < 0.04 for null in nulls), nulls
    weak = next(index for index, accuracy in enumerate(accuracies) if accuracy > 0.13)  # weakly separated, like CIFAR-10
    assert silhouettes[weak][0] < silhouettes[weak][1] < 0, silhouettes[weak]

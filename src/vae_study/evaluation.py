"""Test-set loss terms and latent-space scores of a trained variant.

kNN, silhouette and PCA come from scikit-learn; this module only wires them
to the study's questions (how separable are the classes in the latent space?).
"""

import math

import numpy as np
import pandas as pd

from vae_study.batching import in_order
from vae_study.datasets import Dataset, scale_images
from vae_study.latent import chance_accuracy, knn_accuracy, knn_predict, latent_table, majority_accuracy, silhouette, superclass_labels
from vae_study.model import VAE


def psnr_db(mse: float, max_value: float = 1.0) -> float:
    """Peak signal-to-noise ratio of a per-pixel MSE on images scaled to [0, max_value]."""
    if mse <= 0:
        return math.inf
    return 10.0 * math.log10(max_value**2 / mse)


def encode(model: VAE, images: np.ndarray, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Latent means and log-variances of scaled images."""
    from keras import ops

    means, log_vars = [], []
    for batch in in_order(images, batch_size):
        mean, log_var = model.encoder(batch, training=False)
        means.append(ops.convert_to_numpy(mean))
        log_vars.append(ops.convert_to_numpy(log_var))
    return np.concatenate(means), np.concatenate(log_vars)


def reconstruction_metrics(model: VAE, images: np.ndarray, means: np.ndarray, batch_size: int) -> dict:
    """How well decoding each image's latent mean (``means``) reproduces it: deterministic, as the figures show it.

    mse is per pixel value, reconstruction is the variant's own reconstruction term
    per image, and r2 = 1 - mse / (variance of the test pixel values), the share of
    the pixels' variance the reconstructions explain, which compares across datasets.
    """
    from vae_study.model import reconstruction_error

    squared_sum, reconstruction_sum = 0.0, 0.0
    for batch, batch_means in zip(in_order(images, batch_size), in_order(means, batch_size)):
        decoded = np.asarray(model.decoder(batch_means, training=False))
        squared_sum += float(np.sum((batch.astype(np.float64) - decoded) ** 2))
        reconstruction_sum += float(np.sum(np.asarray(reconstruction_error(batch, decoded, model.reconstruction_loss))))
    mse = squared_sum / images.size
    return {
        "mse": mse,
        "psnr_db": psnr_db(mse),
        "r2": 1.0 - mse / float(np.var(images, dtype=np.float64)),
        "reconstruction": reconstruction_sum / len(images),
    }


def sampled_objective(model: VAE, images: np.ndarray, means: np.ndarray, log_vars: np.ndarray, batch_size: int,
                      samples: int, seed: int) -> dict:
    """The training objective's terms on ``images`` (latents ``means``, ``log_vars``), averaged over ``samples`` draws of z.

    z is drawn as in training (mean + sigma * noise) with NumPy's generator seeded
    by ``seed``, so the estimate is repeatable and the same on every backend.
    """
    from vae_study.model import LOSS_TERMS, loss_terms

    rng = np.random.default_rng(seed)
    sums = dict.fromkeys(LOSS_TERMS, 0.0)
    for batch, mean, log_var in zip(*(in_order(array, batch_size) for array in (images, means, log_vars))):
        for _ in range(samples):
            z = (mean + np.exp(0.5 * log_var) * rng.standard_normal(mean.shape)).astype(np.float32)
            terms = loss_terms(batch, model.decoder(z, training=False), mean, log_var, model.kl_weight,
                               model.reconstruction_loss)
            for name in LOSS_TERMS:
                sums[name] += float(terms[name]) * len(batch)
    return {**{name: total / (len(images) * samples) for name, total in sums.items()}, "samples": samples, "seed": seed}


def evaluate_variant(model: VAE, data: Dataset, settings, groups: dict | None) -> tuple[dict, pd.DataFrame, np.ndarray]:
    """Test reconstructions, the sampled objective and latent scores; the test latent table; the test latent means.

    ``settings`` are the evaluate params, ``groups`` the dataset's super-classes (or None). The test
    table carries each image's kNN prediction, so the per-class picture (which classes the latent
    space mixes up) can be drawn and recomputed from it. Every kNN score has two baselines beside it:
    its chance level and the majority-class accuracy.
    """
    train, test = data.splits["train"], data.splits["test"]
    neighbors, batch_size = settings.knn_neighbors, settings.batch_size
    test_images = scale_images(test.images)
    train_means, _ = encode(model, scale_images(train.images), batch_size)
    test_means, test_log_vars = encode(model, test_images, batch_size)
    predicted = knn_predict(train_means, train.labels, test_means, neighbors)
    latent = {
        f"knn{neighbors}_accuracy": float(np.mean(predicted == test.labels)),
        f"knn{neighbors}_chance": chance_accuracy(train.labels, test.labels),
        f"knn{neighbors}_majority": majority_accuracy(train.labels, test.labels),
        "silhouette": silhouette(test_means, test.labels),
    }
    if groups:
        names = "_".join(groups)
        train_groups = superclass_labels(train.labels, data.class_names, groups)
        test_groups = superclass_labels(test.labels, data.class_names, groups)
        latent[f"knn{neighbors}_{names}_accuracy"] = knn_accuracy(train_means, train_groups, test_means, test_groups, neighbors)
        latent[f"knn{neighbors}_{names}_chance"] = chance_accuracy(train_groups, test_groups)
        latent[f"knn{neighbors}_{names}_majority"] = majority_accuracy(train_groups, test_groups)
    metrics = {
        "test": reconstruction_metrics(model, test_images, test_means, batch_size),
        "objective": sampled_objective(
            model, test_images, test_means, test_log_vars, batch_size, settings.objective_samples, settings.seed
        ),
        "latent": latent,
    }
    return metrics, latent_table(test_means, test.labels, predicted, data.class_names), test_means

"""Everything the embed stage computes from a trained model, all of it committed so no later stage needs the model.

The model is loaded and checked against its data (``load_variant_model``); the test loss terms, reconstructions and
latent scores come next (``evaluate_variant``; kNN, silhouette and PCA from scikit-learn via ``vae_study.core.latent``);
then the arrays the figures show (``figure_inputs``): decoded images as uint8, as a figure shows them. The plot stage
draws every figure from those arrays, the latent tables and the loss histories, so a reader can redraw or check any
figure from a fresh clone.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd

from vae_study.core.batching import in_order
from vae_study.core.datasets import Dataset, scale_images
from vae_study.core.errors import PipelineError
from vae_study.core.latent import chance_accuracy, knn_accuracy, knn_predict, latent_table, majority_accuracy, silhouette, superclass_labels
from vae_study.core.model import VAE
from vae_study.core.params import VariantParams
from vae_study.core.paths import stage_name, training_outputs


def load_variant_model(variant: VariantParams, image_shape: tuple[int, int, int], path: Path | None = None) -> VAE:
    """The model of the variant's run (its ``train.seed``), refused if missing or built for other images or latent size.

    ``path`` defaults to where the train stage writes it.
    """
    import keras

    path = Path(path or training_outputs(variant.name, variant.train.seed).model)
    retrain = f"dvc repro {stage_name('train', variant.dataset, variant.name, variant.train.seed)}"
    if not path.exists():
        raise PipelineError(f"variant {variant.name}: model file {path} is missing; run {retrain} first")
    try:
        model = keras.saving.load_model(path)
    except Exception as error:  # Keras raises several types for a damaged file.
        raise PipelineError(f"variant {variant.name}: model file {path} cannot be loaded ({error})") from None
    if not isinstance(model, VAE):
        raise PipelineError(f"variant {variant.name}: {path} holds a {type(model).__name__}, not a VAE")
    if tuple(model.image_shape) != tuple(image_shape):
        raise PipelineError(
            f"variant {variant.name}: model {path} was trained on images of {tuple(model.image_shape)}, "
            f"but dataset {variant.dataset} has {tuple(image_shape)}; retrain it with {retrain}"
        )
    if model.latent_dim != variant.latent_dim:
        raise PipelineError(
            f"variant {variant.name}: model {path} has a {model.latent_dim}-D latent, params say {variant.latent_dim}; "
            f"retrain it with {retrain}"
        )
    return model


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


def reconstruction_metrics(model: VAE, images: np.ndarray, means: np.ndarray, batch_size: int, classifier=None,
                           labels: np.ndarray | None = None) -> dict:
    """How well decoding each image's latent mean (``means``) reproduces it: deterministic, as the figures show it.

    mse is per pixel value, reconstruction is the variant's own reconstruction term
    per image, and r2 = 1 - mse / (variance of the test pixel values), the share of
    the pixels' variance the reconstructions explain, which compares across datasets.
    With the dataset's reference ``classifier`` (and the images' ``labels``): whether a decode keeps its image's
    class, as ``decoded_class_accuracy`` (the classifier on the decodes against the labels) and ``class_kept``
    (the share of decodes it gives the class it gives the original).
    """
    from vae_study.core.classifier import predicted_classes
    from vae_study.core.model import reconstruction_error

    squared_sum, reconstruction_sum, correct, kept = 0.0, 0.0, 0, 0
    for index, (batch, batch_means) in enumerate(zip(in_order(images, batch_size), in_order(means, batch_size))):
        decoded = np.asarray(model.decoder(batch_means, training=False))
        squared_sum += float(np.sum((batch.astype(np.float64) - decoded) ** 2))
        reconstruction_sum += float(np.sum(np.asarray(reconstruction_error(batch, decoded, model.reconstruction_loss))))
        if classifier is not None:
            decoded_classes = predicted_classes(classifier, decoded, batch_size)
            correct += int(np.sum(decoded_classes == labels[index * batch_size:index * batch_size + len(batch)]))
            kept += int(np.sum(decoded_classes == predicted_classes(classifier, batch, batch_size)))
    mse = squared_sum / images.size
    metrics = {
        "mse": mse,
        "psnr_db": psnr_db(mse),
        "r2": 1.0 - mse / float(np.var(images, dtype=np.float64)),
        "reconstruction": reconstruction_sum / len(images),
    }
    if classifier is not None:
        metrics.update(decoded_class_accuracy=correct / len(images), class_kept=kept / len(images))
    return metrics


def sampled_objective(model: VAE, images: np.ndarray, means: np.ndarray, log_vars: np.ndarray, batch_size: int,
                      samples: int, seed: int) -> dict:
    """The training objective's terms on ``images`` (latents ``means``, ``log_vars``), averaged over ``samples`` draws of z.

    z is drawn as in training (mean + sigma * noise) with NumPy's generator seeded
    by ``seed``, so the estimate is repeatable and the same on every backend.
    """
    from vae_study.core.model import LOSS_TERMS, loss_terms

    rng = np.random.default_rng(seed)
    sums = dict.fromkeys(LOSS_TERMS, 0.0)
    for batch, mean, log_var in zip(*(in_order(array, batch_size) for array in (images, means, log_vars))):
        for _ in range(samples):
            z = (mean + np.exp(0.5 * log_var) * rng.standard_normal(mean.shape)).astype(np.float32)
            terms = loss_terms(batch, model.decoder(z, training=False), mean, log_var, model.kl_weight,
                               model.reconstruction_loss, model.reconstruction_weight)
            for name in LOSS_TERMS:
                sums[name] += float(terms[name]) * len(batch)
    return {**{name: total / (len(images) * samples) for name, total in sums.items()}, "samples": samples, "seed": seed}


def evaluate_variant(model: VAE, data: Dataset, settings, groups: dict | None,
                     classifier) -> tuple[dict, pd.DataFrame, np.ndarray, np.ndarray]:
    """Test reconstructions, the sampled objective and latent scores; the test latent table; the test and the training
    latent means.

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
        # uniform votes, as published kNN scores of embeddings are made (scikit-learn's default): for comparison only
        f"knn{neighbors}_uniform_accuracy": float(np.mean(knn_predict(train_means, train.labels, test_means, neighbors, "uniform")
                                                         == test.labels)),
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
        "test": reconstruction_metrics(model, test_images, test_means, batch_size, classifier, test.labels),
        "objective": sampled_objective(
            model, test_images, test_means, test_log_vars, batch_size, settings.objective_samples, settings.seed
        ),
        "latent": latent,
    }
    return metrics, latent_table(test_means, test.labels, predicted, data.class_names), test_means, train_means


def one_per_class(labels: np.ndarray, seed: int) -> np.ndarray:
    """Index of one test image of every class, in class order, picked by ``seed``."""
    order = np.random.default_rng(seed).permutation(len(labels))
    return np.array([order[labels[order] == label][0] for label in np.unique(labels)])


def manifold_axes(test_means: np.ndarray, grid: int) -> tuple[np.ndarray, np.ndarray]:
    """Grid coordinates spanning the 1st to 99th percentile of 2-D latent means (z[1] from top to bottom)."""
    low, high = np.percentile(test_means, [1, 99], axis=0)
    return np.linspace(low[0], high[0], grid), np.linspace(high[1], low[1], grid)


def prior_points(latent_dim: int, count: int, seed: int) -> np.ndarray:
    """``count`` latent points drawn from the prior N(0, I) with ``seed``."""
    return np.random.default_rng(seed).standard_normal((count, latent_dim)).astype(np.float32)


def as_uint8(images: np.ndarray) -> np.ndarray:
    return np.round(np.clip(images, 0.0, 1.0) * 255).astype(np.uint8)


def decode(decoder, points: np.ndarray, batch_size: int) -> np.ndarray:
    """Images decoded from latent ``points``, as uint8."""
    return as_uint8(np.concatenate([np.asarray(decoder(batch, training=False)) for batch in in_order(points, batch_size)]))


def figure_inputs(model, test_images: np.ndarray, test_labels: np.ndarray, test_means: np.ndarray, settings,
                  batch_size: int) -> dict[str, np.ndarray]:
    """The arrays behind one run's figures; ``test_images`` scaled to [0, 1], ``settings`` the plot params.

    - ``originals``, ``reconstructions``: one test image per class (picked by ``settings.seed``) and the
      decode of its latent mean;
    - ``samples``: decodes of ``settings.samples`` draws from the prior N(0, I);
    - for a 2-D latent, ``manifold`` (grid x grid decodes) at ``manifold_x`` by ``manifold_y``.
    Each class's share of the training set is preprocess's (metrics/datasets/<dataset>.json).
    """
    chosen = one_per_class(test_labels, settings.seed)
    arrays = {
        "chosen": chosen,
        "originals": as_uint8(test_images[chosen]),
        "reconstructions": decode(model.decoder, test_means[chosen], batch_size),
        "samples": decode(model.decoder, prior_points(test_means.shape[1], settings.samples, settings.seed), batch_size),
    }
    if test_means.shape[1] == 2:
        xs, ys = manifold_axes(test_means, settings.manifold_grid)
        points = np.array([[x, y] for y in ys for x in xs], np.float32)
        arrays.update(manifold=decode(model.decoder, points, batch_size), manifold_x=xs, manifold_y=ys)
    return arrays

"""Test-set loss terms and latent-space scores of a trained variant.

kNN, silhouette and PCA come from scikit-learn; this module only wires them
to the study's questions (how separable are the classes in the latent space?).
"""

import math

import numpy as np
import pandas as pd

from vae_study.datasets import Dataset, scale_images
from vae_study.errors import PipelineError
from vae_study.model import VAE
from vae_study.batching import in_order


def psnr_db(mse: float, max_value: float = 1.0) -> float:
    """Peak signal-to-noise ratio of a per-pixel MSE on images scaled to [0, max_value]."""
    if mse <= 0:
        return math.inf
    return 10.0 * math.log10(max_value**2 / mse)


def knn_predict(train_points, train_labels, test_points, neighbors: int) -> np.ndarray:
    """Labels a k-nearest-neighbour classifier fit on the train points gives the test points.

    Votes are weighted by inverse distance. With uniform votes, scikit-learn breaks
    the frequent ties (k = 5, 10 classes) toward the lowest label, which on
    uninformative points predicts class 0 for about a quarter of them; weighted
    votes practically never tie, so no class is favoured by its label's order.
    """
    from sklearn.neighbors import KNeighborsClassifier

    classifier = KNeighborsClassifier(n_neighbors=neighbors, weights="distance")
    return classifier.fit(train_points, train_labels).predict(test_points)


def chance_accuracy(train_labels, test_labels) -> float:
    """Expected accuracy of a classifier that ignores the points and draws labels at the training classes' rates.

    The level a kNN score must beat: sum over classes of train share x test share.
    """
    classes = np.union1d(train_labels, test_labels)
    train_share = np.array([np.mean(train_labels == label) for label in classes])
    test_share = np.array([np.mean(test_labels == label) for label in classes])
    return float(train_share @ test_share)


def knn_accuracy(train_points, train_labels, test_points, test_labels, neighbors: int) -> float:
    """Accuracy of a k-nearest-neighbour classifier fit on train points, scored on test points."""
    return float(np.mean(knn_predict(train_points, train_labels, test_points, neighbors) == test_labels))


def knn_confusion(table: pd.DataFrame, class_names: list[str]) -> np.ndarray:
    """Fraction of each true class (rows) that the kNN classifier gives each class (columns)."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(table["label"], table["knn_label"], labels=range(len(class_names)), normalize="true")


def silhouette(points, labels) -> float:
    from sklearn.metrics import silhouette_score

    return float(silhouette_score(points, labels))


def superclass_labels(labels: np.ndarray, class_names: list[str], groups: dict[str, list[str]]) -> np.ndarray:
    """Map class labels to the index of the group (in ``groups`` order) that holds each class."""
    lookup = {}
    for index, members in enumerate(groups.values()):
        for name in members:
            if name not in class_names:
                raise PipelineError(f"super-class member {name!r} is not a class; classes are {class_names}")
            lookup[class_names.index(name)] = index
    missing = sorted(set(range(len(class_names))) - set(lookup))
    if missing:
        raise PipelineError(f"classes {[class_names[i] for i in missing]} belong to no super-class of {list(groups)}")
    return np.array([lookup[int(label)] for label in labels], np.int64)


def encode(model: VAE, images: np.ndarray, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Latent means and log-variances of scaled images."""
    from keras import ops

    means, log_vars = [], []
    for batch in in_order(images, batch_size):
        mean, log_var = model.encoder(batch, training=False)
        means.append(ops.convert_to_numpy(mean))
        log_vars.append(ops.convert_to_numpy(log_var))
    return np.concatenate(means), np.concatenate(log_vars)


def latent_table(means: np.ndarray, log_vars: np.ndarray | None, labels: np.ndarray, class_names) -> pd.DataFrame:
    columns = {"label": labels, "class": [class_names[label] for label in labels]}
    columns.update({f"mean_{dim}": means[:, dim] for dim in range(means.shape[1])})
    if log_vars is not None:
        columns.update({f"log_var_{dim}": log_vars[:, dim] for dim in range(log_vars.shape[1])})
    return pd.DataFrame(columns)


def latent_means(table: pd.DataFrame) -> np.ndarray:
    return table[[column for column in table.columns if column.startswith("mean_")]].to_numpy()


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


def evaluate_variant(model: VAE, data: Dataset, settings, groups: dict | None) -> tuple[dict, dict]:
    """Test reconstructions, the sampled objective and latent scores; also the latent tables behind them.

    ``settings`` are the evaluate params, ``groups`` the dataset's super-classes (or None). The test table carries each image's kNN
    prediction, so the per-class picture (which classes the latent space mixes up)
    can be drawn from it. Every kNN score has its chance level beside it.
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
        "silhouette": silhouette(test_means, test.labels),
    }
    if groups:
        names = "_".join(groups)
        train_groups = superclass_labels(train.labels, data.class_names, groups)
        test_groups = superclass_labels(test.labels, data.class_names, groups)
        latent[f"knn{neighbors}_{names}_accuracy"] = knn_accuracy(train_means, train_groups, test_means, test_groups, neighbors)
        latent[f"knn{neighbors}_{names}_chance"] = chance_accuracy(train_groups, test_groups)
    test_table = latent_table(test_means, test_log_vars, test.labels, data.class_names)
    test_table.insert(2, "knn_label", predicted)
    test_table.insert(3, "knn_class", [data.class_names[label] for label in predicted])
    tables = {
        "test": test_table,
        "train": latent_table(train_means, None, train.labels, data.class_names),
    }
    metrics = {
        "test": reconstruction_metrics(model, test_images, test_means, batch_size),
        "objective": sampled_objective(
            model, test_images, test_means, test_log_vars, batch_size, settings.objective_samples, settings.seed
        ),
        "latent": latent,
    }
    return metrics, tables

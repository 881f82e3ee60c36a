"""Test-set loss terms and latent-space scores of a trained variant.

kNN, silhouette and PCA come from scikit-learn; this module only wires them
to the study's questions (how separable are the classes in the latent space?).
"""

import math

import numpy as np
import pandas as pd

from vae_study.datasets import Dataset, Split, scale_images
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


def encode(model: VAE, split: Split, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Latent means and log-variances of a split."""
    from keras import ops

    means, log_vars = [], []
    for images in in_order(scale_images(split.images), batch_size):
        mean, log_var = model.encoder(images, training=False)
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


def evaluate_variant(model: VAE, data: Dataset, neighbors: int, batch_size: int, superclasses: dict | None):
    """Test loss terms, PSNR and latent scores; also the latent tables they were computed from.

    The test table carries each image's kNN prediction, so the per-class picture
    (which classes the latent space mixes up) can be drawn from it.
    """
    train, test = data.splits["train"], data.splits["test"]
    # Inference decodes the latent mean, so these terms are deterministic (no sampled z).
    terms = model.evaluate(scale_images(test.images), batch_size=batch_size, return_dict=True, verbose=0)
    test_metrics = {name: float(terms[name]) for name in ("loss", "reconstruction", "kl", "mse")}
    test_metrics["psnr_db"] = psnr_db(test_metrics["mse"])
    train_means, _ = encode(model, train, batch_size)
    test_means, test_log_vars = encode(model, test, batch_size)
    predicted = knn_predict(train_means, train.labels, test_means, neighbors)
    latent = {
        f"knn{neighbors}_accuracy": float(np.mean(predicted == test.labels)),
        f"knn{neighbors}_chance": chance_accuracy(train.labels, test.labels),
        "silhouette": silhouette(test_means, test.labels),
    }
    if superclasses:
        names = "_".join(superclasses)
        train_groups = superclass_labels(train.labels, data.class_names, superclasses)
        test_groups = superclass_labels(test.labels, data.class_names, superclasses)
        latent[f"knn{neighbors}_{names}_accuracy"] = knn_accuracy(train_means, train_groups, test_means, test_groups, neighbors)
        latent[f"knn{neighbors}_{names}_chance"] = chance_accuracy(train_groups, test_groups)
    test_table = latent_table(test_means, test_log_vars, test.labels, data.class_names)
    test_table.insert(2, "knn_label", predicted)
    test_table.insert(3, "knn_class", [data.class_names[label] for label in predicted])
    tables = {
        "test": test_table,
        "train": latent_table(train_means, None, train.labels, data.class_names),
    }
    return {"test": test_metrics, "latent": latent}, tables

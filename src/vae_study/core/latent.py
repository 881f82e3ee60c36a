"""Scores of a latent space that need only latent points and labels, never a model (no Keras).

kNN, silhouette and the confusion matrix come from scikit-learn; this module wires them to
the study's questions (how separable are the classes?). The embed stage computes them from a
model's latents; summarize, plot and the tests recompute them from the committed latent tables.
"""

import numpy as np
import pandas as pd

from vae_study.core.errors import PipelineError


def knn_predict(train_points, train_labels, test_points, neighbors: int, weights: str = "distance") -> np.ndarray:
    """Labels a k-nearest-neighbour classifier fit on the train points gives the test points.

    Votes are weighted by inverse distance. With uniform votes (``weights="uniform"``, scikit-learn's default and
    published scores' protocol), scikit-learn breaks the frequent ties (k = 5, 10 classes) toward the lowest label,
    which on uninformative points predicts class 0 for about a quarter of them; weighted votes practically never
    tie, so no class is favoured by its label's order.
    """
    from sklearn.neighbors import KNeighborsClassifier

    classifier = KNeighborsClassifier(n_neighbors=neighbors, weights=weights)
    return classifier.fit(train_points, train_labels).predict(test_points)


def chance_accuracy(train_labels, test_labels) -> float:
    """Expected accuracy of a classifier that ignores the points and draws labels at the training classes' rates.

    The level a kNN score must beat: sum over classes of train share x test share.
    """
    classes = np.union1d(train_labels, test_labels)
    train_share = np.array([np.mean(train_labels == label) for label in classes])
    test_share = np.array([np.mean(test_labels == label) for label in classes])
    return float(train_share @ test_share)


def majority_accuracy(train_labels, test_labels) -> float:
    """Accuracy of always answering the training set's most frequent class: the other baseline a kNN score must beat.

    Above the chance level whenever the classes are unbalanced (vehicles 40%, animals 60%: chance 0.52, majority 0.60).
    """
    values, counts = np.unique(train_labels, return_counts=True)
    return float(np.mean(test_labels == values[np.argmax(counts)]))


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


def latent_table(means: np.ndarray, labels: np.ndarray, predicted: np.ndarray, class_names) -> pd.DataFrame:
    """One row per image: its label and class, the kNN prediction, and its latent mean (``mean_0``, ...)."""
    columns = {"label": labels, "class": [class_names[label] for label in labels],
               "knn_label": predicted, "knn_class": [class_names[label] for label in predicted]}
    columns.update({f"mean_{dim}": means[:, dim] for dim in range(means.shape[1])})
    return pd.DataFrame(columns)


def latent_means(table: pd.DataFrame) -> np.ndarray:
    return table[[column for column in table.columns if column.startswith("mean_")]].to_numpy()

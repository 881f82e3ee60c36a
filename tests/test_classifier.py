"""The reference classifier that judges whether a decode keeps its class, and the two measures made with it."""

from types import SimpleNamespace

import numpy as np
import pytest
from toy_training import toy_data

from vae_study.core.classifier import load_classifier, predicted_classes, save_classifier, train_classifier
from vae_study.core.datasets import scale_images
from vae_study.core.embedding import reconstruction_metrics
from vae_study.core.errors import PipelineError
from vae_study.core.params import ClassifierParams

SETTINGS = ClassifierParams(epochs=4, batch_size=8, learning_rate=1e-2, seed=0)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    split = toy_data(48).splits["train"]  # three classes of distinct brightness
    path = tmp_path_factory.mktemp("classifier") / "toy.npz"
    model = train_classifier(split, 3, SETTINGS)
    save_classifier(model, path)
    return split, model, path


def test_it_learns_and_a_retrained_one_saves_the_same_bytes(trained, tmp_path):
    split, model, path = trained
    assert np.mean(predicted_classes(model, scale_images(split.images), 16) == split.labels) == 1.0
    save_classifier(train_classifier(split, 3, SETTINGS), tmp_path / "again.npz")
    assert (tmp_path / "again.npz").read_bytes() == path.read_bytes()  # embed stays up to date after a rerun


def test_a_saved_one_loads_and_one_for_other_classes_is_refused(trained):
    split, model, path = trained
    images = scale_images(split.images)
    loaded = load_classifier(path, split.images.shape[1:], 3)
    np.testing.assert_array_equal(predicted_classes(loaded, images, 16), predicted_classes(model, images, 16))
    with pytest.raises(PipelineError, match="trained for other images or classes"):
        load_classifier(path, split.images.shape[1:], 4)


def _decoding(decoded: np.ndarray):
    """A stand-in for a VAE whose decoder turns latent point i into ``decoded[i]``."""
    return SimpleNamespace(decoder=lambda points, training=False: decoded[np.asarray(points)[:, 0].astype(int)],
                           reconstruction_loss="sum_squared")


def test_perfect_decodes_keep_every_class_and_constant_ones_keep_one(trained):
    """The measures' two ends: decodes equal to the originals keep every class (and score the classifier's own
    accuracy); one decode for every image (a collapsed posterior) keeps only the class it happens to look like."""
    split, model, _ = trained
    images = scale_images(split.images)
    points = np.arange(len(images), dtype=np.float32)[:, None]
    perfect = reconstruction_metrics(_decoding(images), images, points, 10, model, split.labels)
    assert perfect["class_kept"] == 1.0 and perfect["decoded_class_accuracy"] == 1.0
    collapsed = reconstruction_metrics(_decoding(np.repeat(images[:1], len(images), axis=0)), images, points, 10, model,
                                       split.labels)
    assert collapsed["class_kept"] == pytest.approx(1 / 3) and collapsed["decoded_class_accuracy"] == pytest.approx(1 / 3)

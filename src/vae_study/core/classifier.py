"""A dataset's reference classifier: a small CNN trained once, which tells whether a decoded image keeps its class.

Embed applies it to every run's mean decodes of the test images. Its weights are saved as an npz (the same weights
make the same bytes), so retraining it with the same params, data and code leaves every embed stage up to date.
"""

from pathlib import Path

import numpy as np

from vae_study.core.batching import epoch_order, in_order, steps_per_epoch
from vae_study.core.datasets import Split, scale_images
from vae_study.core.errors import PipelineError
from vae_study.core.files import save_arrays


def build_classifier(image_shape: tuple[int, int, int], classes: int):
    """Two 3x3 conv layers (32, 64 filters, same padding) with 2x2 max pooling, Dense 128, softmax."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=image_shape),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(classes, activation="softmax"),
    ], name="reference_classifier")


def train_classifier(train: Split, classes: int, settings):
    """The classifier fit on ``train`` (``settings``: the classifier params), batches in the seeded order training
    uses, deterministic as training is."""
    import keras

    from vae_study.core.training import configure_determinism

    configure_determinism(settings.seed)
    images = scale_images(train.images)
    model = build_classifier(images.shape[1:], classes)
    model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])

    def batches():
        for epoch in range(settings.epochs):
            order = epoch_order(len(images), settings.seed, epoch)
            for start in range(0, len(order), settings.batch_size):
                chosen = order[start:start + settings.batch_size]
                yield images[chosen], train.labels[chosen]

    model.fit(batches(), epochs=settings.epochs, steps_per_epoch=steps_per_epoch(len(images), settings.batch_size),
              shuffle=False, verbose=2)
    return model


def predicted_classes(model, images: np.ndarray, batch_size: int) -> np.ndarray:
    """The class the classifier gives each image (scaled to [0, 1])."""
    return np.concatenate([np.argmax(np.asarray(model(batch, training=False)), axis=1) for batch in in_order(images, batch_size)])


def save_classifier(model, path: Path) -> None:
    save_arrays(path, {f"weight_{index}": weight for index, weight in enumerate(model.get_weights())})


def load_classifier(path: Path, image_shape: tuple[int, int, int], classes: int):
    """The classifier saved at ``path``, refused if missing or built for other images or classes."""
    if not Path(path).exists():
        raise PipelineError(f"reference classifier {path} is missing; run dvc repro classifier@{Path(path).stem} first")
    model = build_classifier(image_shape, classes)
    with np.load(path) as arrays:
        weights = [arrays[f"weight_{index}"] for index in range(len(arrays.files))]
    if [weight.shape for weight in weights] != [tuple(variable.shape) for variable in model.weights]:
        raise PipelineError(f"reference classifier {path} was trained for other images or classes; rerun "
                            f"dvc repro classifier@{Path(path).stem}")
    model.set_weights(weights)
    return model

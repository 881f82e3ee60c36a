"""Mini-batches as NumPy arrays, the same on every Keras backend.

The order of epoch e depends only on (seed, e), so a resumed run sees the
batches an uninterrupted one would, whatever ran before in the process, and
TensorFlow and JAX train on identical batches.
"""

from collections.abc import Iterator

import numpy as np


def epoch_order(size: int, seed: int, epoch: int) -> np.ndarray:
    """The seeded permutation of ``range(size)`` that epoch ``epoch`` visits."""
    return np.random.default_rng([seed, epoch]).permutation(size)


def steps_per_epoch(size: int, batch_size: int) -> int:
    """Batches in one epoch; the last one is partial when batch_size does not divide size."""
    return -(-size // batch_size)


def training_batches(images: np.ndarray, batch_size: int, seed: int, first_epoch: int, epochs: int) -> Iterator[np.ndarray]:
    """Batches of epochs ``first_epoch`` .. ``epochs - 1`` in order, as one stream (``images`` already scaled)."""
    for epoch in range(first_epoch, epochs):
        order = epoch_order(len(images), seed, epoch)
        for start in range(0, len(order), batch_size):
            yield images[order[start : start + batch_size]]


def in_order(images: np.ndarray, batch_size: int) -> Iterator[np.ndarray]:
    """Batches of ``images`` in their stored order (evaluation and inference)."""
    for start in range(0, len(images), batch_size):
        yield images[start : start + batch_size]

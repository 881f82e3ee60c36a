"""What the figures need from a trained model, decoded once by the embed stage and committed.

The plot stage then draws every figure from committed files alone (these arrays, the
latent tables and the loss histories), without models: a reader can redraw or check
any figure from a fresh clone. Images are stored as uint8, as a figure shows them.
"""

import io
import zipfile
from pathlib import Path

import numpy as np

from vae_study.batching import in_order


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


def figure_inputs(model, test_images: np.ndarray, test_labels: np.ndarray, test_means: np.ndarray,
                  train_labels: np.ndarray, class_count: int, settings, batch_size: int) -> dict[str, np.ndarray]:
    """The arrays behind one run's figures; ``test_images`` scaled to [0, 1], ``settings`` the plot params.

    - ``originals``, ``reconstructions``: one test image per class (picked by ``settings.seed``) and the
      decode of its latent mean;
    - ``samples``: decodes of ``settings.samples`` draws from the prior N(0, I);
    - for a 2-D latent, ``manifold`` (grid x grid decodes) at ``manifold_x`` by ``manifold_y``;
    - ``train_class_shares``: each class's share of the training set, the chance level of its kNN recall.
    """
    chosen = one_per_class(test_labels, settings.seed)
    arrays = {
        "chosen": chosen,
        "originals": as_uint8(test_images[chosen]),
        "reconstructions": decode(model.decoder, test_means[chosen], batch_size),
        "samples": decode(model.decoder, prior_points(test_means.shape[1], settings.samples, settings.seed), batch_size),
        "train_class_shares": np.bincount(train_labels, minlength=class_count) / len(train_labels),
    }
    if test_means.shape[1] == 2:
        xs, ys = manifold_axes(test_means, settings.manifold_grid)
        points = np.array([[x, y] for y in ys for x in xs], np.float32)
        arrays.update(manifold=decode(model.decoder, points, batch_size), manifold_x=xs, manifold_y=ys)
    return arrays


def save_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as a compressed ``.npz`` (``numpy.load`` reads it) with fixed file dates.

    ``numpy.savez_compressed`` stamps each member with the time of writing, so the same run would
    write other bytes each time; fixed dates keep reruns byte-identical.
    """
    partial = path.with_name(f".{path.name}.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), buffer.getvalue(),
                             compress_type=zipfile.ZIP_DEFLATED)
    partial.replace(path)

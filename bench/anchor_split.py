"""Could the MNIST anchor's held-out split explain its training loss? The images' own share of the cross-entropy.

The Parametric UMAP notebook holds out the last 10,000 training images in the original order; the anchor
(`pumap_mnist`) draws 10,000 per class with the dataset's seed, the pipeline's one way to hold out. A pixel's binary
cross-entropy against a target x in [0, 1] is at least the target's own entropy, -x log x - (1 - x) log(1 - x), reached
by a perfect decode: summed over an image's pixels, a floor that depends on the images alone. This prints that floor
per image, averaged over each training split (theirs: the first 50,000; the anchor's, drawn as `dvc repro
preprocess@mnist_pumap` draws it), so a split that is easier or harder to reconstruct shows without any model.

With `--model` (a trained `pumap_mnist` model, data/models/pumap_mnist/seed-<n>.keras after a study run) it also
scores that model's cross-entropy on its own training images, apart for those among the published training split and
those among its held-out last 10,000: a model trained on the published split would see only the first kind, so the
difference between their mean and the mean over all is what the split moves the training loss by, beyond the floor.

The MNIST archive's file names are the images' original indices (0.png is the first training image, a 5), which
is what lets this rebuild their split. Prints numbers; asserts nothing. About a minute on 2 cores, two with --model.

Usage: python bench/anchor_split.py [--archive ../shared/datasets/mnist-png.tar.gz] [--model PATH]
"""

import argparse
import io
import sys
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vae_study.core.params import dataset_params, load_params  # noqa: E402
from vae_study.ingest.preprocessing import prepare  # noqa: E402
from vae_study.ingest.sources import read_local  # noqa: E402

PUBLISHED_VALIDATION = 10_000  # the notebook's n_valid: X_train[-n_valid:]
BATCH = 500


def entropy_floor(images: np.ndarray) -> np.ndarray:
    """Per image, the least summed binary cross-entropy any decode can reach: each pixel's own entropy."""
    x = np.clip(images.reshape(len(images), -1).astype(np.float64) / 255, 1e-12, 1 - 1e-12)
    return -(x * np.log(x) + (1 - x) * np.log1p(-x)).sum(axis=1)


def training_images_in_original_order(archive: Path) -> np.ndarray:
    """The archive's training images sorted by file name as a number: MNIST's original order."""
    images = {}
    with tarfile.open(archive) as tar:
        for member in tar:
            if member.isfile() and "/train/" in member.name:
                images[int(Path(member.name).stem)] = np.asarray(Image.open(io.BytesIO(tar.extractfile(member).read())))
    if sorted(images) != list(range(len(images))):
        raise SystemExit(f"{archive}: training file names are not the indices 0..{len(images) - 1}")
    return np.stack([images[index] for index in range(len(images))])


def model_cross_entropy(path: Path, images: np.ndarray) -> np.ndarray:
    """Per image, the summed cross-entropy of the decoded latent mean under the model at ``path``."""
    from vae_study.core.backend import load_tensorflow_quietly

    load_tensorflow_quietly()
    import keras

    from vae_study.core.datasets import scale_images
    from vae_study.core.model import reconstruction_error

    model = keras.saving.load_model(path)
    scores = []
    for start in range(0, len(images), BATCH):
        batch = scale_images(images[start:start + BATCH])
        scores.append(np.asarray(reconstruction_error(batch, model.reconstruct(batch), "binary_crossentropy")))
    return np.concatenate(scores)


def split_shift_under_model(path: Path, original: np.ndarray, anchor_train: np.ndarray) -> None:
    """The model's loss on its training images, those among the published training split apart."""
    index = {image.tobytes(): position for position, image in enumerate(original)}
    positions = np.array([index[image.tobytes()] for image in anchor_train])
    published = positions < len(original) - PUBLISHED_VALIDATION
    scores = model_cross_entropy(path, anchor_train)
    print(f"\n{path}: cross-entropy of the decoded latent means on its own training images")
    for name, chosen in (("all of them", np.ones_like(published)), ("those among the published training split",
                         published), ("those among the published held-out split", ~published)):
        print(f"{name:<46}{chosen.sum():>8}  {scores[chosen].mean():.3f}")
    inside, outside = scores[published], scores[~published]
    spread = np.sqrt(inside.var(ddof=1) / len(inside) + outside.var(ddof=1) / len(outside)) * len(outside) / len(scores)
    print(f"published split's images minus all: {inside.mean() - scores.mean():+.3f} per image (standard error "
          f"{spread:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=ROOT.parent / "shared/datasets/mnist-png.tar.gz")
    parser.add_argument("--model", type=Path, help="a trained pumap_mnist model (.keras)")
    args = parser.parse_args()
    if not args.archive.exists():
        raise SystemExit(f"{args.archive} does not exist; pass --archive with the MNIST PNG archive")
    original = training_images_in_original_order(args.archive)
    theirs = entropy_floor(original[:-PUBLISHED_VALIDATION])
    held_out = entropy_floor(original[-PUBLISHED_VALIDATION:])
    params = dataset_params(load_params(ROOT / "params.yaml"), "mnist_pumap")
    anchor_train = prepare(read_local(args.archive), params).splits["train"].images
    anchors = entropy_floor(anchor_train)
    print("training split                                  images  entropy floor per image: mean (standard error)")
    for name, floor in (("published: the first 50,000", theirs), ("the anchor: drawn per class, seed "
                        f"{params.seed}", anchors), ("(published held-out: the last 10,000)", held_out)):
        print(f"{name:<46}{len(floor):>8}  {floor.mean():.3f} ({floor.std(ddof=1) / np.sqrt(len(floor)):.3f})")
    print(f"anchor minus published: {anchors.mean() - theirs.mean():+.3f} per image")
    if args.model:
        split_shift_under_model(args.model, original, anchor_train)


if __name__ == "__main__":
    main()

"""What a class-kept number means: the class kept of linear (PCA) reconstructions of known fidelity.

The reconstruction rows read R² against the mean image with the cut-off 0.9; their k twins read the class kept
(src/vae_study/report/claims.py). This sets the two scales side by side on reconstructions whose fidelity is known:
each test image rebuilt from its first k principal components (fit on the training images), for k from 1 up,
scored by the same reference classifier embed uses (data/classifiers/<dataset>.npz) and by the same R². It prints one
line per k: R² against the mean image, the class kept, and the decodes' accuracy against the labels.

Needs the prepared data and the classifier of each dataset (`dvc repro classifier@<dataset>`; in this project's
DVC cache after a study run). Prints numbers; asserts nothing.

Usage: python bench/class_kept_scale.py [--datasets mnist,cifar10] [--components 1,2,4,8,16,32,64,128,256]
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vae_study.core.backend import load_tensorflow_quietly  # noqa: E402
from vae_study.core.classifier import load_classifier, predicted_classes  # noqa: E402
from vae_study.core.datasets import load_dataset, scale_images  # noqa: E402
from vae_study.core.paths import PREPARED_DIR, classifier_file  # noqa: E402


def scale(dataset: str, components: list[int]) -> None:
    data = load_dataset(ROOT / PREPARED_DIR / dataset, ("train", "test"))
    train, test = (scale_images(data.splits[name].images) for name in ("train", "test"))
    labels, shape = data.splits["test"].labels, data.image_shape
    classifier = load_classifier(ROOT / classifier_file(dataset), shape, len(data.class_names))
    originals = predicted_classes(classifier, test, 500)
    flat_train, flat_test = train.reshape(len(train), -1), test.reshape(len(test), -1)
    pca = PCA(n_components=max(components), svd_solver="randomized", random_state=0).fit(flat_train)
    code = pca.transform(flat_test)
    pixel_variance = flat_test.var(axis=0).mean()  # R² against each pixel's own test mean, as test.r2_vs_mean_image
    print(f"{dataset}: the classifier names {np.mean(originals == labels):.3f} of the sharp test images right")
    print(f"{'components':>10} {'R² vs mean image':>17} {'class kept':>11} {'decodes right':>14}")
    for size in components:
        rebuilt = code[:, :size] @ pca.components_[:size] + pca.mean_
        r2 = 1 - np.mean((rebuilt - flat_test) ** 2) / pixel_variance
        decoded = predicted_classes(classifier, np.clip(rebuilt, 0, 1).reshape(-1, *shape).astype(np.float32), 500)
        print(f"{size:>10} {r2:>17.3f} {np.mean(decoded == originals):>11.3f} {np.mean(decoded == labels):>14.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="mnist,cifar10")
    parser.add_argument("--components", default="1,2,4,8,16,32,64,128,256")
    args = parser.parse_args()
    load_tensorflow_quietly()
    for dataset in args.datasets.split(","):
        scale(dataset, [int(size) for size in args.components.split(",")])


if __name__ == "__main__":
    main()

"""The on-disk form of a dataset, shared by every stage that reads or writes one.

Images stay uint8 on disk (4x smaller than float32); ``scale_images`` is the one
place where pixels become the model's [0, 1] floats.
"""

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vae_study.core.errors import PipelineError

CLASSES_FILE = "classes.json"


@dataclass
class Split:
    """Images as uint8 NHWC and their integer labels."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


@dataclass
class Dataset:
    class_names: list[str]
    splits: dict[str, Split]

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(next(iter(self.splits.values())).images.shape[1:])


def scale_images(images: np.ndarray) -> np.ndarray:
    """The study's preprocessing: uint8 pixels divided by 255, as float32."""
    return images.astype(np.float32) / np.float32(255.0)


@contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a scratch folder that replaces ``target`` only if the block succeeds.

    A failed or interrupted stage then leaves no half-written output behind.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield scratch
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    if target.exists():
        shutil.rmtree(target)
    scratch.rename(target)


def save_dataset(dataset: Dataset, directory: Path) -> None:
    """Write one ``<split>.npz`` per split plus the class names."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, split in dataset.splits.items():
        np.savez(directory / f"{name}.npz", images=split.images, labels=split.labels)
    (directory / CLASSES_FILE).write_text(json.dumps(dataset.class_names, indent=1) + "\n")


def load_dataset(directory: Path, splits: tuple[str, ...] | None = None) -> Dataset:
    """Read what ``save_dataset`` wrote; fail naming the folder if a stage has not run."""
    directory = Path(directory)
    classes_file = directory / CLASSES_FILE
    if not classes_file.exists():
        raise PipelineError(f"{directory} holds no dataset (missing {CLASSES_FILE}); run its stage first")
    names = splits or tuple(sorted(path.stem for path in directory.glob("*.npz")))
    loaded = {}
    for name in names:
        path = directory / f"{name}.npz"
        if not path.exists():
            raise PipelineError(f"{path} is missing; run the stage that writes {directory} first")
        with np.load(path) as arrays:
            loaded[name] = Split(images=arrays["images"], labels=arrays["labels"])
    return Dataset(class_names=json.loads(classes_file.read_text()), splits=loaded)

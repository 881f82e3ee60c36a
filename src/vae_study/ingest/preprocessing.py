"""The study's data preparation: a seeded validation split and optional class-stratified caps."""

import numpy as np

from vae_study.core.datasets import Dataset, Split
from vae_study.core.errors import PipelineError
from vae_study.core.params import DatasetParams


def stratified_indices(labels: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` indices drawn per class in proportion to its frequency (largest remainder), sorted."""
    classes, counts = np.unique(labels, return_counts=True)
    quotas = counts * size / counts.sum()
    allotted = np.floor(quotas).astype(int)
    shortfall = size - allotted.sum()
    allotted[np.argsort(-(quotas - allotted), kind="stable")[:shortfall]] += 1
    chosen = [
        rng.choice(np.flatnonzero(labels == label), count, replace=False)
        for label, count in zip(classes, allotted)
    ]
    return np.sort(np.concatenate(chosen))


def _take(split: Split, indices: np.ndarray) -> Split:
    return Split(images=split.images[indices], labels=split.labels[indices])


def prepare(raw: Dataset, params: DatasetParams) -> Dataset:
    """Carve the validation split from train, then apply the caps, all seeded by ``params.seed``."""
    train, test = raw.splits["train"], raw.splits["test"]
    where = f"datasets.{params.name}"
    if params.validation_size >= len(train):
        raise PipelineError(
            f"{where}.validation_size = {params.validation_size} leaves no training images; "
            f"use 0 to {len(train) - 1} (train has {len(train)} images)"
        )
    rng = np.random.default_rng(params.seed)
    splits = {}
    if params.validation_size:
        validation = stratified_indices(train.labels, params.validation_size, rng)
        splits["validation"] = _take(train, validation)
        train = _take(train, np.setdiff1d(np.arange(len(train)), validation))
    for name, split, cap in (("train", train, params.max_train), ("test", test, params.max_test)):
        if cap is not None and cap > len(split):
            raise PipelineError(
                f"{where}.max_{name} = {cap} is larger than the {len(split)} {name} images available; "
                f"use 1 to {len(split)} or null"
            )
        splits[name] = split if cap is None else _take(split, stratified_indices(split.labels, cap, rng))
    return Dataset(class_names=raw.class_names, splits=splits)

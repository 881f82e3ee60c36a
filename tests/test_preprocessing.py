"""preprocess: exact scaling, seeded validation split, stratified caps, clear errors."""

import numpy as np
import pytest

from vae_study.core.datasets import Dataset, Split, load_dataset, save_dataset, scale_images
from vae_study.core.errors import PipelineError
from vae_study.core.params import DatasetParams
from vae_study.ingest.preprocessing import prepare, stratified_indices


def _raw(train=100, test=40, classes=4):
    rng = np.random.default_rng(3)

    def split(count):
        return Split(
            images=rng.integers(0, 256, (count, 5, 5, 1), dtype=np.uint8),
            labels=np.arange(count, dtype=np.int64) % classes,
        )

    return Dataset(class_names=[str(index) for index in range(classes)], splits={"train": split(train), "test": split(test)})


def _params(**overrides):
    settings = dict(validation_size=0, max_train=None, max_test=None, seed=0) | overrides
    return DatasetParams(name="toy", source="tfds", tfds_name="toy", classes=("a", "b", "c"), **settings)


def test_scaling_is_exactly_x_over_255():
    images = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1)
    scaled = scale_images(images)
    assert scaled.dtype == np.float32
    np.testing.assert_array_equal(scaled, images.astype(np.float32) / np.float32(255))
    assert scaled.min() == 0.0 and scaled.max() == 1.0


def test_split_and_caps_are_deterministic_and_disjoint():
    raw = _raw()
    first = prepare(raw, _params(validation_size=20, max_train=40, max_test=12, seed=7))
    second = prepare(raw, _params(validation_size=20, max_train=40, max_test=12, seed=7))
    other = prepare(raw, _params(validation_size=20, max_train=40, max_test=12, seed=8))
    assert [len(first.splits[name]) for name in ("train", "validation", "test")] == [40, 20, 12]
    for name in first.splits:
        np.testing.assert_array_equal(first.splits[name].images, second.splits[name].images)
    assert not np.array_equal(first.splits["validation"].images, other.splits["validation"].images)
    flat = {name: {image.tobytes() for image in split.images} for name, split in first.splits.items() if name != "test"}
    assert not flat["train"] & flat["validation"]


def test_caps_are_stratified_by_class():
    labels = np.repeat(np.arange(3), [60, 30, 10])
    chosen = stratified_indices(labels, 20, np.random.default_rng(0))
    assert np.bincount(labels[chosen]).tolist() == [12, 6, 2]
    assert len(np.unique(chosen)) == 20


def test_no_validation_and_no_caps_keep_everything():
    raw = _raw()
    prepared = prepare(raw, _params())
    assert set(prepared.splits) == {"train", "test"}
    np.testing.assert_array_equal(prepared.splits["train"].images, raw.splits["train"].images)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"validation_size": 100}, r"validation_size = 100 leaves no training images; use 0 to 99"),
        ({"max_train": 101}, r"max_train = 101 is larger than the 100 train images"),
        ({"validation_size": 50, "max_train": 60}, r"max_train = 60 is larger than the 50 train images"),
        ({"max_test": 41}, r"max_test = 41 is larger than the 40 test images"),
    ],
)
def test_sizes_larger_than_the_data_are_refused(overrides, message):
    with pytest.raises(PipelineError, match=message):
        prepare(_raw(), _params(**overrides))


def test_saved_dataset_round_trips(tmp_path):
    raw = _raw()
    save_dataset(raw, tmp_path / "toy")
    loaded = load_dataset(tmp_path / "toy")
    assert loaded.class_names == raw.class_names
    np.testing.assert_array_equal(loaded.splits["test"].labels, raw.splits["test"].labels)
    with pytest.raises(PipelineError, match="run its stage first"):
        load_dataset(tmp_path / "missing")

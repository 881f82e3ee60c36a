"""fetch: TFDS and local sources, and every bad input, with clear errors."""

import io
import socket
import tarfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import write_image_folder

from vae_study.core.errors import PipelineError
from vae_study.ingest.sources import read_local, read_tfds


def _tar(folder: Path, target: Path, mode: str) -> Path:
    with tarfile.open(target, mode) as tar:
        tar.add(folder, arcname="dataset")
    return target


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as zipped:
        for path in sorted(folder.rglob("*")):
            zipped.write(path, Path("dataset") / path.relative_to(folder))
    return target


def _check_pixels(dataset, pixels, classes=("a", "b", "c")):
    assert dataset.class_names == list(classes)
    for split in ("train", "test"):
        np.testing.assert_array_equal(dataset.splits[split].images, pixels[split])
        per_class = len(pixels[split]) // len(classes)
        np.testing.assert_array_equal(dataset.splits[split].labels, np.repeat(np.arange(len(classes)), per_class))


@pytest.mark.parametrize("shape", [(8, 8, 1), (6, 7, 3)], ids=["grayscale", "rgb"])
@pytest.mark.parametrize("packing", ["folder", "tar", "tar.gz", "zip"])
def test_local_sources_keep_pixels_labels_and_channels(tmp_path, shape, packing):
    folder = tmp_path / "images"
    pixels = write_image_folder(folder, shape=shape)
    source = {
        "folder": lambda: folder,
        "tar": lambda: _tar(folder, tmp_path / "d.tar", "w"),
        "tar.gz": lambda: _tar(folder, tmp_path / "d.tar.gz", "w:gz"),
        "zip": lambda: _zip(folder, tmp_path / "d.zip"),
    }[packing]()
    dataset = read_local(source)
    assert dataset.image_shape == shape
    assert dataset.splits["train"].images.dtype == np.uint8
    _check_pixels(dataset, pixels)


class _Connection:
    def close(self):
        pass


def test_tfds_source_under_mock_data(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    monkeypatch.setattr(socket, "create_connection", lambda *args, **kwargs: _Connection())
    with tfds.testing.mock_data(num_examples=6):
        dataset = read_tfds("mnist", tmp_path / "tfds", "mnist")
    assert dataset.class_names == [str(digit) for digit in range(10)]
    for split in ("train", "test"):
        assert dataset.splits[split].images.shape == (6, 28, 28, 1)
        assert dataset.splits[split].images.dtype == np.uint8
        assert dataset.splits[split].labels.shape == (6,)


def test_unknown_tfds_name_is_refused(tmp_path):
    with pytest.raises(PipelineError, match="'no_such_dataset' is not a TFDS dataset"):
        read_tfds("no_such_dataset", tmp_path, "mnist")


def test_failed_download_fails_fast_with_offline_hint(tmp_path, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OSError("Name or service not known")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    started = time.perf_counter()
    with pytest.raises(PipelineError) as raised:
        read_tfds("mnist", tmp_path, "mnist")
    assert time.perf_counter() - started < 60
    message = str(raised.value)
    assert "downloading TFDS dataset 'mnist' for mnist failed" in message
    assert "datasets.mnist.source" in message


def _remove(path: Path):
    for child in sorted(path.rglob("*"), reverse=True):
        child.rmdir() if child.is_dir() else child.unlink()
    path.rmdir()


BAD_FOLDERS = {
    "missing test split": (lambda root: _remove(root / "test"), "has no 'test' folder"),
    "split without classes": (
        lambda root: [_remove(path) for path in (root / "test").iterdir()],
        "has no class folders",
    ),
    "empty class folder": (lambda root: (root / "train" / "empty").mkdir(), "class folder .*empty is empty"),
    "unknown test class": (
        lambda root: write_image_folder(root / "extra", classes=("z",)) and (root / "extra" / "test" / "z").rename(
            root / "test" / "z"
        ),
        r"classes \['z'\] appear in .*test but not in",
    ),
    "undecodable image": (
        lambda root: (root / "train" / "a" / "broken.png").write_bytes(b"\x89PNG not really"),
        "broken.png is not a decodable PNG or JPEG image",
    ),
    "not an image file": (lambda root: (root / "train" / "a" / "notes.txt").write_text("x"), "notes.txt is not a PNG"),
    "mixed sizes": (
        lambda root: write_image_folder(root / "big", shape=(9, 9, 1), classes=("a",), per_class=1)
        and (root / "big" / "train" / "a" / "000.png").rename(root / "train" / "a" / "zzz.png"),
        r"images differ in size: .* is \(8, 8, 1\) but .*zzz.png is \(9, 9, 1\)",
    ),
}


@pytest.mark.parametrize("case", BAD_FOLDERS, ids=list(BAD_FOLDERS))
def test_bad_folders_are_refused_with_a_clear_message(image_folder, case):
    root, _ = image_folder
    spoil, message = BAD_FOLDERS[case]
    spoil(root)
    with pytest.raises(PipelineError, match=message):
        read_local(root)


def test_missing_source_and_invalid_archive(tmp_path):
    with pytest.raises(PipelineError, match="does not exist"):
        read_local(tmp_path / "nowhere")
    for name in ("junk.tar.gz", "junk.zip", "junk.tar"):
        (tmp_path / name).write_bytes(b"this is not an archive")
        with pytest.raises(PipelineError, match=f"{name} is not a valid"):
            read_local(tmp_path / name)
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(PipelineError, match="neither a folder nor an archive"):
        read_local(tmp_path / "file.txt")


def _tar_with(tmp_path: Path, member: tarfile.TarInfo) -> Path:
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        tar.addfile(member, io.BytesIO(b"x" * member.size) if member.isfile() else None)
    return archive


@pytest.mark.parametrize(
    "name, kind, message",
    [
        ("/etc/evil.png", tarfile.REGTYPE, "absolute or climbs out"),
        ("train/../../evil.png", tarfile.REGTYPE, "absolute or climbs out"),
        ("train/a/link.png", tarfile.SYMTYPE, "link or device"),
        ("train/a/hard.png", tarfile.LNKTYPE, "link or device"),
        ("train/a/dev.png", tarfile.CHRTYPE, "link or device"),
    ],
)
def test_unsafe_tar_members_are_refused(tmp_path, name, kind, message):
    member = tarfile.TarInfo(name)
    member.type = kind
    member.size = 1 if kind == tarfile.REGTYPE else 0
    member.linkname = "/etc/passwd" if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""
    with pytest.raises(PipelineError, match=message):
        read_local(_tar_with(tmp_path, member))
    assert not (tmp_path.parent / "evil.png").exists()


def test_unsafe_zip_members_are_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("../evil.png", b"x")
    with pytest.raises(PipelineError, match="absolute or climbs out"):
        read_local(archive)
    link = zipfile.ZipInfo("train/a/link.png")
    link.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(link, "/etc/passwd")
    with pytest.raises(PipelineError, match="link or device"):
        read_local(archive)

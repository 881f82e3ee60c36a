"""Reading a dataset from TensorFlow Datasets or from a local image folder or archive.

A local source is laid out ``<split>/<class>/<image>``. Its layout is checked
up front so that every structural problem gets its own message, then
Pillow decodes the images on a thread pool. TFDS's ``ImageFolder`` is
not used: it needs an extracted folder, and unpacking the 70,000 MNIST files
alone took 51 s of system time here, against seconds for reading the archive
in memory.
"""

import io
import os
import socket
import stat
import tarfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import numpy as np

from vae_study.core.datasets import Dataset, Split
from vae_study.core.errors import PipelineError
from vae_study.core.params import DatasetParams

SPLITS = ("train", "test")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".zip")
CONNECT_TIMEOUT_S = 10
PIXEL_MODES = {"L": 1, "RGB": 3}  # Pillow mode -> channels
DECODE_CHUNK = 1024  # images per thread-pool task: one task per image costs more than the decoding


def read_source(params: DatasetParams, project_root: Path, tfds_dir: Path) -> Dataset:
    """The dataset named by ``params.source`` (TFDS, or a path relative to the project root), refused unless
    its classes are the ones params.yaml names, in the same order (they fix the labels every stage uses)."""
    if params.is_tfds:
        dataset = read_tfds(params.tfds_name, tfds_dir, params.name)
    else:
        path = Path(params.source)
        dataset = read_local(path if path.is_absolute() else project_root / path)
    if tuple(dataset.class_names) != params.classes:
        raise PipelineError(
            f"datasets.{params.name}.classes = {list(params.classes)}, but {params.source} holds the classes "
            f"{dataset.class_names}; list those in datasets.{params.name}.classes"
        )
    return dataset


def offline_hint(dataset: str) -> str:
    return (
        f"to use a local copy instead, point datasets.{dataset}.source at an image folder or archive, "
        f"e.g. dvc exp run -S 'datasets.{dataset}.source=../shared/datasets/mnist-png.tar.gz'"
    )


def read_tfds(tfds_name: str, data_dir: Path, dataset: str) -> Dataset:
    """Download (once, into ``data_dir``) and read the train and test splits from TFDS."""
    import tensorflow_datasets as tfds

    try:
        builder = tfds.builder(tfds_name, data_dir=str(data_dir))
    except tfds.core.registered.DatasetNotFoundError:
        raise PipelineError(
            f"datasets.{dataset}.tfds_name = {tfds_name!r} is not a TFDS dataset; "
            "use a name from the TFDS catalog, such as mnist or cifar10"
        ) from None
    if not builder.is_prepared():
        _check_hosts_reachable(builder, dataset)
        try:
            builder.download_and_prepare()
        except Exception as error:  # TFDS raises many kinds; all mean the same to the user.
            raise PipelineError(
                f"downloading TFDS dataset {tfds_name!r} for {dataset} failed ({error}); {offline_hint(dataset)}"
            ) from None
    class_names = list(builder.info.features["label"].names)
    splits = {}
    for split in SPLITS:
        chunks = list(tfds.as_numpy(builder.as_dataset(split=split, as_supervised=True).batch(4096)))
        splits[split] = Split(
            images=np.concatenate([images for images, _ in chunks]).astype(np.uint8),
            labels=np.concatenate([labels for _, labels in chunks]).astype(np.int64),
        )
    return Dataset(class_names=class_names, splits=splits)


def _check_hosts_reachable(builder, dataset: str) -> None:
    """Fail in seconds, not after minutes of TFDS's retries, when a download host is unreachable."""
    hosts = {urlparse(url).hostname for url in (builder.url_infos or {})}
    for host in sorted(host for host in hosts if host):
        try:
            socket.create_connection((host, 443), timeout=CONNECT_TIMEOUT_S).close()
        except OSError as error:
            raise PipelineError(
                f"downloading TFDS dataset {builder.name!r} for {dataset} failed: cannot reach {host} ({error}); "
                f"{offline_hint(dataset)}"
            ) from None


def read_local(path: Path) -> Dataset:
    """Read a local image folder or a .tar/.tar.gz/.tgz/.zip archive of one."""
    if not path.exists():
        raise PipelineError(
            f"source {path} does not exist; use 'tfds' or an existing image folder or "
            f"{'/'.join(ARCHIVE_SUFFIXES)} archive"
        )
    if path.is_dir():
        tree = _folder_tree(path)
    elif path.name.lower().endswith(ARCHIVE_SUFFIXES):
        tree = _zip_tree(path) if path.name.lower().endswith(".zip") else _tar_tree(path)
    else:
        raise PipelineError(
            f"source {path} is neither a folder nor an archive; use a folder or a {', '.join(ARCHIVE_SUFFIXES)} file"
        )
    return decode_tree(_dataset_root(tree, str(path)))


# A source as nested dicts: folder name -> subtree, file name -> a callable returning its bytes.
# Archives are read in memory rather than extracted: nothing is ever written outside the
# project, and unpacking 70,000 small files costs more than reading them.
FileTree = dict  # a folder or archive as nested dicts: folder name -> FileTree, file name -> a callable giving its bytes


def _folder_tree(folder: Path) -> FileTree:
    tree: FileTree = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        tree[entry.name] = _folder_tree(entry) if entry.is_dir() else entry.read_bytes
    return tree


def _insert(tree: FileTree, archive: Path, name: str, content) -> None:
    member = PurePosixPath(name)
    if member.is_absolute() or name.startswith(("/", "\\")) or ".." in member.parts:
        raise PipelineError(
            f"archive {archive} has member {name!r} whose path is absolute or climbs out with '..'; refusing it"
        )
    parts = [part for part in member.parts if part not in ("", ".")]
    if not parts or any(part.startswith(".") for part in parts):
        return
    node = tree
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    if content is None:
        node.setdefault(parts[-1], {})
    else:
        node[parts[-1]] = content


def _refuse_special(archive: Path, name: str) -> None:
    raise PipelineError(
        f"archive {archive} has member {name!r} that is a link or device; only regular files and folders are allowed"
    )


def _tar_tree(archive: Path) -> FileTree:
    tree: FileTree = {}
    try:
        with tarfile.open(archive) as tar:
            for member in tar:
                if not (member.isfile() or member.isdir()):
                    _refuse_special(archive, member.name)
                data = tar.extractfile(member).read() if member.isfile() else None
                _insert(tree, archive, member.name, (lambda data=data: data) if member.isfile() else None)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise PipelineError(f"source {archive} is not a valid tar archive ({error})") from None
    return tree


def _zip_tree(archive: Path) -> FileTree:
    tree: FileTree = {}
    try:
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                kind = stat.S_IFMT(info.external_attr >> 16)
                if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
                    _refuse_special(archive, info.filename)
                data = None if info.is_dir() else zipped.read(info)
                _insert(tree, archive, info.filename, None if info.is_dir() else (lambda data=data: data))
    except (zipfile.BadZipFile, zlib.error, OSError) as error:
        raise PipelineError(f"source {archive} is not a valid zip archive ({error})") from None
    return tree


def _dataset_root(tree: FileTree, where: str) -> tuple[FileTree, str]:
    """The subtree holding ``train`` and ``test``: the top, or its only folder."""
    if not any(split in tree for split in SPLITS) and len(tree) == 1:
        (name, subtree), = tree.items()
        if isinstance(subtree, dict):
            return _dataset_root(subtree, f"{where}/{name}")
    for split in SPLITS:
        if not isinstance(tree.get(split), dict):
            found = ", ".join(tree) or "nothing"
            raise PipelineError(
                f"source {where} has no '{split}' folder (found: {found}); "
                "lay it out as <split>/<class>/<image> with splits train and test"
            )
    return tree, where


def _check_layout(tree: FileTree, where: str) -> list[str]:
    """Check every split, class and file name; return the class names in sorted order."""
    classes = {}
    for split in SPLITS:
        class_dirs = {name: node for name, node in tree[split].items() if isinstance(node, dict)}
        if not class_dirs:
            raise PipelineError(f"split folder {where}/{split} has no class folders; expected {split}/<class>/<image>")
        for class_name, files in class_dirs.items():
            if not files:
                raise PipelineError(
                    f"class folder {where}/{split}/{class_name} is empty; every class needs at least one image"
                )
            for file_name, node in files.items():
                if isinstance(node, dict) or not file_name.lower().endswith(IMAGE_SUFFIXES):
                    raise PipelineError(
                        f"{where}/{split}/{class_name}/{file_name} is not a PNG or JPEG image file; "
                        f"class folders may hold only {', '.join(IMAGE_SUFFIXES)} files"
                    )
        classes[split] = sorted(class_dirs)
    unknown = sorted(set(classes["test"]) - set(classes["train"]))
    if unknown:
        raise PipelineError(
            f"classes {unknown} appear in {where}/test but not in {where}/train; "
            f"test classes must be among the train classes {classes['train']}"
        )
    return classes["train"]


def decode_tree(root: tuple[FileTree, str]) -> Dataset:
    """Decode every image of ``train`` and ``test``, labelled by sorted class-folder name."""
    tree, where = root
    class_names = _check_layout(tree, where)
    reference: tuple[tuple[int, ...], str] | None = None
    splits = {}
    for split in SPLITS:
        paths, contents, labels = [], [], []
        for class_name, files in sorted(tree[split].items()):
            for file_name, read in sorted(files.items()):
                paths.append(f"{where}/{split}/{class_name}/{file_name}")
                contents.append(read())
                labels.append(class_names.index(class_name))
        shapes = _decode_all(contents, paths, shapes_only=True)
        first = shapes[0] if reference is None else reference[0]
        mismatch = np.flatnonzero(np.any(shapes != first, axis=1))
        if reference is None:
            reference = (tuple(int(size) for size in first), paths[0])
        if mismatch.size:
            odd = mismatch[0]
            raise PipelineError(
                f"images differ in size: {reference[1]} is {reference[0]} but {paths[odd]} is {tuple(int(size) for size in shapes[odd])}; "
                "all images of a dataset must share one height, width and channel count"
            )
        images = _decode_all(contents, paths, shapes_only=False)
        splits[split] = Split(images=images, labels=np.asarray(labels, np.int64))
    return Dataset(class_names=class_names, splits=splits)


def _open(data: bytes, path: str, decode: bool = True):
    """The image in ``data`` as a Pillow image of mode L or RGB, or an error naming ``path``.

    ``decode=False`` reads the header only (size and mode), which is all the layout check needs.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        if decode:
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PipelineError(f"{path} is not a decodable PNG or JPEG image") from None
    if image.mode in ("1", "P"):  # bilevel and palette images hold gray or colour pixels; expand them
        image = image.convert("L" if image.mode == "1" or image.palette.mode == "L" else "RGB")
    if image.mode not in PIXEL_MODES:
        raise PipelineError(f"{path} has pixel mode {image.mode}; use 8-bit grayscale (L) or RGB images")
    return image


def _decode_all(contents: list[bytes], paths: list[str], shapes_only: bool) -> np.ndarray:
    """Decode with Pillow on a thread pool (it releases the GIL); name the first file that fails.

    Pillow rather than TensorFlow, so that the same archive gives the same pixels
    on every machine, with or without TensorFlow installed.
    """
    from concurrent.futures import ThreadPoolExecutor

    def decode(item):
        image = _open(*item, decode=not shapes_only)
        if shapes_only:
            return (image.height, image.width, PIXEL_MODES[image.mode])
        return np.asarray(image, np.uint8).reshape(image.height, image.width, PIXEL_MODES[image.mode])

    items = list(zip(contents, paths))
    chunks = [items[start : start + DECODE_CHUNK] for start in range(0, len(items), DECODE_CHUNK)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        decoded = [image for chunk in pool.map(lambda chunk: [decode(item) for item in chunk], chunks) for image in chunk]
    return np.array(decoded) if shapes_only else np.stack(decoded)

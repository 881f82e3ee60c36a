"""Fixtures that generate small image folders and temporary copies of the project."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))  # the tests of scripts/ import them as modules
SHARED_DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
PROJECT_FILES = ["dvc.yaml", "params.yaml", "tfds", "stages", "src", "metrics/reference"]  # the reference: a dep of claims
# The suite runs Keras on TensorFlow, whatever the shell says; tests of JAX set KERAS_BACKEND in their subprocesses.
os.environ["KERAS_BACKEND"] = "tensorflow"
HAS_JAX = importlib.util.find_spec("jax") is not None
requires_jax = pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed (pip install -e '.[jax]')")
# JAX compiles every eager op on first use; a compilation cache shared by the suite's processes saves minutes.
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(Path(tempfile.gettempdir()) / "vae-study-test-jax-cache"))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")


def write_image_folder(root: Path, shape=(8, 8, 1), classes=("a", "b", "c"), per_class=4, seed=0, suffix=".png"):
    """Write ``<split>/<class>/<n><suffix>`` images and return their pixels by split, class-sorted."""
    rng = np.random.default_rng(seed)
    pixels = {}
    for split, count in (("train", per_class), ("test", max(1, per_class // 2))):
        pixels[split] = []
        for class_name in sorted(classes):
            folder = root / split / class_name
            folder.mkdir(parents=True, exist_ok=True)
            for index in range(count):
                image = rng.integers(0, 256, size=shape, dtype=np.uint8)
                Image.fromarray(image[..., 0] if shape[-1] == 1 else image).save(folder / f"{index:03d}{suffix}")
                pixels[split].append(image)
    return {split: np.stack(images) for split, images in pixels.items()}


@pytest.fixture
def image_folder(tmp_path):
    root = tmp_path / "images"
    pixels = write_image_folder(root)
    return root, pixels


def run_command(args, cwd, check=True, env_update=None, **kwargs):
    """Run a command with the test's interpreter first on PATH; return the CompletedProcess (output captured unless redirected)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", **(env_update or {})}
    if "stdout" not in kwargs:
        kwargs["capture_output"] = True
    result = subprocess.run(args, cwd=cwd, env=env, text=True, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def dvc(project: Path, *args, check=True, env_update=None):
    return run_command([str(Path(sys.executable).parent / "dvc"), *args], cwd=project, check=check, env_update=env_update)


def copy_project(project: Path, update=None, variants: dict[str, list[str]] | None = None) -> Path:
    """Copy the pipeline's files into ``project``, edit its params with ``update``, init git and DVC.

    ``variants`` ({dataset: [variant, ...]}) keeps only those variants (params.yaml's variants, study and compare)
    and datasets (params.yaml's and their train- and embed- matrices in dvc.yaml).
    """
    project.mkdir(parents=True)
    for entry in PROJECT_FILES:
        source = PROJECT_ROOT / entry
        if source.is_dir():
            shutil.copytree(source, project / entry, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, project / entry)
    params = yaml.safe_load((project / "params.yaml").read_text())
    if update:
        update(params)
    if variants is not None:
        params["datasets"] = {name: entry for name, entry in params["datasets"].items() if name in variants}
        for by_dataset in (params["summarize"]["mixes"], params["evaluate"]["superclasses"]):
            for name in set(by_dataset) - set(variants):
                del by_dataset[name]
        pipeline = yaml.safe_load((project / "dvc.yaml").read_text())
        pipeline["stages"] = {name: stage for name, stage in pipeline["stages"].items()
                              if not (name.startswith(("train-", "embed-")) and name.split("-", 1)[1] not in variants)}
        (project / "dvc.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
        kept = [name for names in variants.values() for name in names]
        params["variants"] = {name: params["variants"][name] for name in kept}
        params["summarize"]["compare"] = {
            label: pair for label, pair in params["summarize"]["compare"].items() if {pair["a"], pair["b"]} <= set(kept)
        }
        params["study"] = variants
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    run_command(["git", "init", "-q"], cwd=project)
    dvc(project, "init", "-q")
    dvc(project, "config", "core.analytics", "false")
    shutil.copytree(PROJECT_ROOT / ".dvc" / "plots", project / ".dvc" / "plots")  # the plot templates dvc.yaml names
    return project


def add_dataset(project: Path, name: str, source: Path, like: str = "mnist") -> None:
    """The README's recipe for a dataset, in a copy of the project: an entry under ``datasets:`` (``like``'s, reading
    ``source``) and in dvc.yaml a train- and an embed- matrix copied from ``like``'s. Its variants come after it."""
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["datasets"][name] = {**params["datasets"][like], "source": str(source)}
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    pipeline = yaml.safe_load((project / "dvc.yaml").read_text())
    for stage in ("train", "embed"):
        copied = json.dumps(pipeline["stages"][f"{stage}-{like}"]).replace(f"study.{like}", f"study.{name}")
        for folder in ("data/prepared", "data/classifiers"):
            copied = copied.replace(f"{folder}/{like}", f"{folder}/{name}")
        pipeline["stages"][f"{stage}-{name}"] = json.loads(copied)
    (project / "dvc.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))


@contextmanager
def edited(path: Path, content: bytes | str):
    """``path`` holds ``content`` inside the block and its old bytes after it, whatever the block raised."""
    saved = path.read_bytes()
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    try:
        yield path
    finally:
        path.write_bytes(saved)


@contextmanager
def edited_params(project: Path, change):
    """The project's params.yaml with ``change(params)`` applied inside the block, as it was after it."""
    params = yaml.safe_load((project / "params.yaml").read_text())
    change(params)
    with edited(project / "params.yaml", yaml.safe_dump(params, sort_keys=False)):
        yield params


@pytest.fixture
def make_project(tmp_path):
    """A copy of the project with its own DVC repo and params edited by ``update(params)``."""

    def make(update=None, name="project") -> Path:
        return copy_project(tmp_path / name, update)

    return make


def tiny_params(params, *sources, epochs=2):
    """Point the datasets at generated folders, in params.yaml's order (the last folder for the datasets after it), and
    shrink training to seconds."""
    for position, dataset in enumerate(params["datasets"].values()):
        dataset["source"] = str(sources[min(position, len(sources) - 1)])
        dataset.update(classes=["a", "b", "c"], validation_size=0)  # write_image_folder's classes
    params["evaluate"]["superclasses"] = {}
    params["train"].update(epochs=epochs, batch_size=4)
    params["seeds"] = [0]
    for variant in params["variants"].values():
        for key in ("epochs", "batch_size", "learning_rate", "decoder_grid_filters"):  # a variant's own: the shared tiny ones
            variant.pop(key, None)
        variant.update(conv_filters=[2, 4, 4][: len(variant["conv_filters"])], dense_units=[8])
    params["summarize"].update(loss_window=2, flat_after=4, mixes={"cifar10": {"a_c": [["a"], ["c"]]}})
    params["plot"].update(manifold_grid=3, samples=4)
    params["classifier"].update(epochs=1, batch_size=4)
    return params


# The longest files first, so that pytest-xdist (--dist loadfile) starts them on different workers and shares the
# rest out around them: the end-to-end run alone takes most of one worker's time.
LONGEST_FIRST = ("test_pipeline.py", "test_remote.py", "test_backends.py", "test_resume.py")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: LONGEST_FIRST.index(item.path.name) if item.path.name in LONGEST_FIRST else len(LONGEST_FIRST))

"""The five-minute first run's settings, for every dataset of params.yaml: capped data (FIRST_RUN_TRAIN training and
FIRST_RUN_TEST test images, at most FIRST_RUN_VALIDATION held out), the first FIRST_RUN_VARIANTS variants of each
dataset's study list, one seed, one epoch (a variant's own epochs included), and each dataset from TensorFlow Datasets
where its local source is not there (said in one line on stderr: the
committed study was made from the local archives, ../shared/datasets, CIFAR-10 as JPEG quality 75).

scripts/first_run.sh passes the ``-S`` overrides this prints to `dvc exp run`.

Usage: python -m vae_study.ingest.first_run   (from the project root)
"""

import json
import sys
from pathlib import Path

from vae_study.core.params import dataset_params, load_params
from vae_study.ingest.dataset_statistics import statistics_file

FIRST_RUN_TRAIN, FIRST_RUN_TEST, FIRST_RUN_VALIDATION, FIRST_RUN_VARIANTS = 5000, 1000, 1000, 2


def tfds_fallbacks(params: dict, project_root: Path) -> dict[str, str]:
    """{dataset: its missing local source} for every dataset whose local source does not exist."""
    missing = {}
    for name in params["datasets"]:
        dataset = dataset_params(params, name)
        if not dataset.is_tfds and not (project_root / dataset.source).exists():
            missing[name] = dataset.source
    return missing


def _images(project_root: Path, dataset: str) -> dict[str, int]:
    """The dataset's split sizes as preprocess last recorded them (metrics/datasets/), or {} before its first run."""
    path = project_root / statistics_file(dataset)
    return json.loads(path.read_text())["images"] if path.exists() else {}


def first_run_overrides(params: dict, project_root: Path) -> list[str]:
    """`dvc exp run` ``-S`` overrides, one string each, that make the first run of ``params``."""
    overrides = ["seeds=[0]", "train.epochs=1"]
    for name in params["datasets"]:
        images = _images(project_root, name)  # a cap above a split's size is refused: a small dataset runs whole
        train, test = (min(cap, images.get(split, cap)) for cap, split in ((FIRST_RUN_TRAIN, "train"), (FIRST_RUN_TEST, "test")))
        variants = params["study"][name][:FIRST_RUN_VARIANTS]
        overrides += [f"datasets.{name}.max_train={train}", f"datasets.{name}.max_test={test}", f"study.{name}=[{','.join(variants)}]"]
        if dataset_params(params, name).validation_size > FIRST_RUN_VALIDATION:
            overrides.append(f"datasets.{name}.validation_size={FIRST_RUN_VALIDATION}")
        overrides += [f"variants.{variant}.epochs=1" for variant in variants if "epochs" in params["variants"].get(variant, {})]
    return overrides + [f"datasets.{name}.source=tfds" for name in tfds_fallbacks(params, project_root)]


def main() -> None:
    params = load_params()
    for name, source in tfds_fallbacks(params, Path.cwd()).items():
        print(f"first_run: {source} is not there; {name} comes from TensorFlow Datasets instead (a download; the "
              f"committed study used the local archive)", file=sys.stderr)
    print(" ".join(f"-S {override}" for override in first_run_overrides(params, Path.cwd())))


if __name__ == "__main__":
    main()

"""Where the first run reads each dataset: params.yaml's local source when it is there, else TensorFlow Datasets.

The committed study was made from the local archives (../shared/datasets, CIFAR-10 as JPEG quality 75); a clone
elsewhere has none, and its first run should still run. scripts/first_run.sh passes the ``-S`` overrides this
prints to `dvc exp run`, and each fallback is said in one line on stderr.

Usage: python -m vae_study.ingest.first_run_sources   (from the project root)
"""

import sys
from pathlib import Path

from vae_study.params import dataset_params, load_params


def tfds_fallbacks(params: dict, project_root: Path) -> dict[str, str]:
    """{dataset: its missing local source} for every dataset whose local source does not exist."""
    missing = {}
    for name in params["datasets"]:
        dataset = dataset_params(params, name)
        if not dataset.is_tfds and not (project_root / dataset.source).exists():
            missing[name] = dataset.source
    return missing


def main() -> None:
    missing = tfds_fallbacks(load_params(), Path.cwd())
    for name, source in missing.items():
        print(f"first_run: {source} is not there; {name} comes from TensorFlow Datasets instead (a download; the "
              f"committed study used the local archive)", file=sys.stderr)
    print(" ".join(f"-S datasets.{name}.source=tfds" for name in missing))


if __name__ == "__main__":
    main()

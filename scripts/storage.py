"""What a DVC remote holds for this project: the size of every stage output under data/, from dvc.lock.

The metrics, plots and docs are committed to git; what DVC caches (and `dvc push` sends) are the outputs under
data/: the downloaded and prepared datasets, the reference classifiers and each run's final model. Sizes are the
ones dvc.lock records, so this needs no data on the machine.

Usage: python scripts/storage.py [--lock dvc.lock]
"""

import argparse
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MB = 1e6


def output_sizes(lock: dict) -> dict[str, int]:
    """Every output path under data/ with its recorded size in bytes."""
    return {out["path"]: out["size"] for stage in lock["stages"].values() for out in stage.get("outs", [])
            if out["path"].startswith("data/") and "size" in out}


def by_group(sizes: dict[str, int]) -> dict[str, tuple[int, int]]:
    """(files, bytes) per group: data/models/<variant>, else the folder under data/."""
    groups = defaultdict(lambda: [0, 0])
    for path, size in sizes.items():
        parts = Path(path).parts
        group = "/".join(parts[:3]) if parts[1] == "models" else "/".join(parts[:2])
        groups[group][0] += 1
        groups[group][1] += size
    return {group: (files, size) for group, (files, size) in sorted(groups.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, default=ROOT / "dvc.lock")
    args = parser.parse_args()
    groups = by_group(output_sizes(yaml.safe_load(args.lock.read_text())))
    print("| outputs | entries | MB |\n|---|---|---|")
    for group, (files, size) in groups.items():
        print(f"| {group} | {files} | {size / MB:,.1f} |")
    models = [(files, size) for group, (files, size) in groups.items() if group.startswith("data/models/")]
    print(f"| every final model | {sum(f for f, _ in models)} | {sum(s for _, s in models) / MB:,.1f} |")
    print(f"| all of data/ | {sum(f for f, _ in groups.values())} | {sum(s for _, s in groups.values()) / MB:,.1f} |")


if __name__ == "__main__":
    main()

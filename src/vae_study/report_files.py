"""The small committed files the report stages write for DVC's own commands, one file per row.

`dvc metrics show` prints one row per metrics file and one column per key, so the per-variant headline numbers
(metrics/variants/) and the claims' verdicts (metrics/verdicts/) are one small file each: the table stays a
few dozen rows of a few columns, and `dvc metrics diff` lists exactly the rows an experiment changes.
(paths.py would be their home, but the train and embed stages import it: editing it would mark every
trained run stale until the next rerun.)
"""

import json
from pathlib import Path

from vae_study.paths import METRICS_DIR

HEADLINE_DIR = METRICS_DIR / "variants"
VERDICTS_DIR = METRICS_DIR / "verdicts"


def write_each(directory: Path, files: dict[str, dict]) -> None:
    """``<name>.json`` per entry, and no file of a name no longer there (a variant or claim dropped)."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.json"):
        if stale.stem not in files:
            stale.unlink()
    for name, content in files.items():
        (directory / f"{name}.json").write_text(json.dumps(content, indent=2) + "\n")

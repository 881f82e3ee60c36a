"""How the report stages write their committed files: atomically, and one small file per row for DVC's own commands.

`dvc metrics show` prints one row per metrics file and one column per key, so the per-variant headline numbers
(metrics/variants/) and the claims' verdicts (metrics/verdicts/) are one small file each: the table stays a
few dozen rows of a few columns, and `dvc metrics diff` lists exactly the rows an experiment changes.
"""

import json
import os
from pathlib import Path

from vae_study.paths import METRICS_DIR

HEADLINE_DIR = METRICS_DIR / "variants"
VERDICTS_DIR = METRICS_DIR / "verdicts"


def write_atomically(path: Path, text: str) -> None:
    """``text`` into ``path`` through a sibling temporary file renamed over it: a killed stage never leaves half a
    file for DVC to record or a reader to parse."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    os.replace(partial, path)


def write_json(path: Path, content) -> None:
    write_atomically(path, json.dumps(content, indent=2) + "\n")


def write_each(directory: Path, files: dict[str, dict]) -> None:
    """``<name>.json`` per entry, and no file of a name no longer there (a variant or claim dropped)."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.json"):
        if stale.stem not in files:
            stale.unlink()
    for name, content in files.items():
        write_json(directory / f"{name}.json", content)

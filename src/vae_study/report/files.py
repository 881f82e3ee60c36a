"""How the report stages lay out their committed files: one small file per row for DVC's own commands.

`dvc metrics show` prints one row per metrics file and one column per key, so the per-variant headline numbers
(metrics/variants/) and the claims' verdicts (metrics/verdicts/) are one small file each: the table stays a
few dozen rows of a few columns, and `dvc metrics diff` lists exactly the rows an experiment changes.
"""

from pathlib import Path

from vae_study.core.files import write_json
from vae_study.core.paths import METRICS_DIR

HEADLINE_DIR = METRICS_DIR / "variants"
VERDICTS_DIR = METRICS_DIR / "verdicts"


def write_each(directory: Path, files: dict[str, dict]) -> None:
    """``<name>.json`` per entry, and no file of a name no longer there (a variant or claim dropped)."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.json"):
        if stale.stem not in files:
            stale.unlink()
    for name, content in files.items():
        write_json(directory / f"{name}.json", content)

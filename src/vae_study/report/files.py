"""How the report stages lay out their committed files: one small file per row for DVC's own commands.

`dvc metrics show` prints one row per metrics file and one column per key, so the per-variant headline numbers
(metrics/variants/) and the claims' verdicts (metrics/verdicts/) are one small file each: the table stays a
few dozen rows of a few columns, and `dvc metrics diff` lists exactly the rows an experiment changes.
"""

from pathlib import Path

from vae_study.core.files import write_json
from vae_study.core.paths import METRICS_DIR

# The numbers a reader compares across variants (dvc metrics show), as (name, summary metric).
HEADLINE = (
    ("loss", "objective.loss"),             # the sampled training objective on the test set, per image
    ("r2", "test.r2"),                      # pooled R² of the mean decode
    ("r2_vs_mean_image", "test.r2_vs_mean_image"),
    ("mse", "test.mse"),                    # per-pixel mean squared error
    ("kl", "objective.kl"),                 # nats per image
    ("knn_over_chance", "latent.knn_over_chance"),
)
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

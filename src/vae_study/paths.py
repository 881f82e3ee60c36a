"""Where each stage reads and writes, relative to the project root (DVC runs stages there)."""

from pathlib import Path

DATA_DIR = Path("data")
TFDS_DIR = DATA_DIR / "tfds"
RAW_DIR = DATA_DIR / "raw"
PREPARED_DIR = DATA_DIR / "prepared"
MODELS_DIR = DATA_DIR / "models"
CHECKPOINTS_DIR = DATA_DIR / "checkpoints"
LATENTS_DIR = DATA_DIR / "latents"
METRICS_DIR = Path("metrics")
TRAINING_DIR = METRICS_DIR / "train"
HISTORY_DIR = METRICS_DIR / "history"
EVALUATION_DIR = METRICS_DIR / "eval"
PLOTS_DIR = Path("plots")


def training_outputs(variant: str):
    """Everything ``train@<variant>`` writes."""
    from vae_study.training import TrainingOutputs

    return TrainingOutputs(
        model=MODELS_DIR / f"{variant}.keras",
        history=HISTORY_DIR / variant,
        metrics=TRAINING_DIR / f"{variant}.json",
        checkpoints=CHECKPOINTS_DIR / variant,
    )

"""Where each stage reads and writes, relative to the project root (DVC runs stages there)."""

from dataclasses import dataclass
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


@dataclass
class TrainingOutputs:
    """Where one variant's training writes (``checkpoints`` is not a DVC output: it survives DVC's cleanup)."""

    model: Path
    history: Path
    metrics: Path
    checkpoints: Path

    @classmethod
    def under(cls, directory: Path) -> "TrainingOutputs":
        """All outputs of one training run inside ``directory`` (benchmarks and tests)."""
        return cls(directory / "model.keras", directory / "history", directory / "metrics.json", directory / "checkpoints")

    @property
    def batches(self) -> Path:
        return self.history / "batches.csv"

    @property
    def epochs(self) -> Path:
        return self.history / "epochs.csv"


def training_outputs(variant: str) -> TrainingOutputs:
    """Everything ``train@<variant>`` writes."""
    return TrainingOutputs(
        model=MODELS_DIR / f"{variant}.keras",
        history=HISTORY_DIR / variant,
        metrics=TRAINING_DIR / f"{variant}.json",
        checkpoints=CHECKPOINTS_DIR / variant,
    )

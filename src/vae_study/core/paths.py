"""Where each stage reads and writes, relative to the project root (DVC runs stages there)."""

from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path("data")
PARAMS_CHECKED_FILE = DATA_DIR / "params-checked.txt"
TFDS_DIR = DATA_DIR / "tfds"
RAW_DIR = DATA_DIR / "raw"
PREPARED_DIR = DATA_DIR / "prepared"
MODELS_DIR = DATA_DIR / "models"
CHECKPOINTS_DIR = DATA_DIR / "checkpoints"
CLASSIFIERS_DIR = DATA_DIR / "classifiers"
METRICS_DIR = Path("metrics")  # committed: everything the results page and the figures are computed from
TRAINING_DIR = METRICS_DIR / "train"
HISTORY_DIR = METRICS_DIR / "history"
EVALUATION_DIR = METRICS_DIR / "eval"
LATENTS_DIR = METRICS_DIR / "latents"
FIGURE_INPUTS_DIR = METRICS_DIR / "figures"
SUMMARY_DIR = METRICS_DIR / "summary"
COMPARISONS_FILE = METRICS_DIR / "comparisons.json"
CLAIMS_FILE = METRICS_DIR / "claims.json"
PLOTS_DIR = Path("plots")
TABLES_DIR = Path("docs") / "tables"  # the generated tables docs/results.md includes


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


def run_label(variant: str, seed: int) -> str:
    """A run is one variant trained with one seed: ``<variant>/seed-<seed>`` in every output path."""
    return f"{variant}/seed-{seed}"


def training_outputs(variant: str, seed: int) -> TrainingOutputs:
    """Everything the train stage of one variant and seed writes."""
    run = run_label(variant, seed)
    return TrainingOutputs(
        model=MODELS_DIR / f"{run}.keras",
        history=HISTORY_DIR / run,
        metrics=TRAINING_DIR / f"{run}.json",
        checkpoints=CHECKPOINTS_DIR / run,
    )


def stage_name(stage: str, dataset: str, variant: str, seed: int) -> str:
    """The DVC stage of one run: dvc.yaml has one train and one embed matrix per dataset."""
    return f"{stage}-{dataset}@{variant}-{seed}"


def latents_file(variant: str, seed: int) -> Path:
    """The run's test-set latent means, labels and kNN predictions (committed, gzip CSV)."""
    return LATENTS_DIR / f"{run_label(variant, seed)}.csv.gz"


def train_latents_file(variant: str, seed: int) -> Path:
    """The run's training-set latent means (float16) and labels (committed, npz): what a kNN fits on."""
    return LATENTS_DIR / f"{run_label(variant, seed)}-train.npz"


def figure_inputs_file(variant: str, seed: int) -> Path:
    """What the run's figures need from its model: decoded images, as uint8 arrays (committed)."""
    return FIGURE_INPUTS_DIR / f"{run_label(variant, seed)}.npz"


def evaluation_file(variant: str, seed: int) -> Path:
    return EVALUATION_DIR / f"{run_label(variant, seed)}.json"


def classifier_file(dataset: str) -> Path:
    """The weights of the dataset's reference classifier (DVC-cached npz)."""
    return CLASSIFIERS_DIR / f"{dataset}.npz"


def classifier_metrics_file(dataset: str) -> Path:
    """Its test accuracy (committed)."""
    return METRICS_DIR / "classifiers" / f"{dataset}.json"

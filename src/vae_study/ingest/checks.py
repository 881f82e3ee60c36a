"""Every check of params.yaml in one call, so that a bad value stops the pipeline before any stage works.

The ``check`` stage runs this first; every other stage depends on its output, so
DVC reaches no stage that would delete an output (a model, a committed metric)
while any value is bad.
"""

from typing import Any

from vae_study.core.analysis_params import evaluate_params, plot_params
from vae_study.core.params import (
    classifier_params,
    dataset_params,
    network_params,
    seeds,
    study,
    train_params,
    variant_names,
    variant_params,
)
from vae_study.core.validate import check_keys, section
from vae_study.report.summarize_params import summarize_params

SECTIONS = {"datasets", "seeds", "train", "network", "variants", "study", "classifier", "evaluate", "summarize", "plot"}


def check_params(params: dict[str, Any]) -> str:
    """Validate every section; return a one-line account of what was checked."""
    check_keys("params.yaml", params, SECTIONS, required=SECTIONS)
    datasets = [dataset_params(params, name) for name in section(params, "datasets")]
    run_seeds = seeds(params)
    train_params(params)
    network_params(params)
    classifier_params(params)
    variants = [variant_params(params, name, seed) for name in variant_names(params) for seed in run_seeds]
    runs = study(params)
    evaluate_params(params)
    summarize_params(params)
    plot_params(params)
    counts = ", ".join(f"{len(listed)} {dataset}" for dataset, listed in runs.items())
    return (f"{len(datasets)} datasets, {len(variants) // len(run_seeds)} variants, {len(run_seeds)} seeds; "
            f"the study runs {counts} variants")

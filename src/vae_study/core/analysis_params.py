"""Reading and validating the analysis settings the embed stage uses: evaluate and plot (summarize: ``vae_study.report``).

Kept apart from ``vae_study.core.params`` so that the train stages do not depend on it:
a new analysis setting reruns the cheap analysis stages, never the training.
Class names are checked against each dataset's ``classes`` in params.yaml, so a
typo is refused before any stage runs, not after training.
"""

from dataclasses import dataclass, fields
from typing import Any

from vae_study.core.errors import PipelineError
from vae_study.core.params import dataset_params
from vae_study.core.validate import check_keys, describe, integer, section


@dataclass(frozen=True)
class EvaluateParams:
    """Latent-space scoring settings."""

    knn_neighbors: int
    batch_size: int
    objective_samples: int
    seed: int
    superclasses: dict[str, dict[str, list[str]]]


@dataclass(frozen=True)
class PlotParams:
    """How many images the figures show."""

    manifold_grid: int
    samples: int
    seed: int


def section_keys(params: dict[str, Any], name: str, kind: type) -> dict[str, Any]:
    given = section(params, name)
    allowed = {field.name for field in fields(kind)}
    check_keys(name, given, allowed, required=allowed)
    return given


def class_names(params: dict[str, Any], where: str, dataset: Any) -> tuple[str, ...]:
    datasets = section(params, "datasets")
    if dataset not in datasets:
        raise PipelineError(f"{where} names dataset {dataset!r}; params.yaml defines: {', '.join(datasets)}")
    return dataset_params(params, dataset).classes


def check_members(where: str, members: Any, classes: tuple[str, ...]) -> None:
    if not isinstance(members, list) or not members:
        raise PipelineError(f"{where} = {describe(members)} is invalid; use a non-empty list of class names")
    for member in members:
        if member not in classes:
            raise PipelineError(f"{where} names class {member!r}; the dataset's classes are {', '.join(classes)}")


def evaluate_params(params: dict[str, Any]) -> EvaluateParams:
    given = section_keys(params, "evaluate", EvaluateParams)
    superclasses = given["superclasses"] or {}
    if not isinstance(superclasses, dict) or not all(isinstance(groups, dict) and groups for groups in superclasses.values()):
        raise PipelineError(
            f"evaluate.superclasses = {describe(superclasses)} is invalid; use a mapping "
            "dataset -> {group name: [class names]}"
        )
    for dataset, groups in superclasses.items():
        classes = class_names(params, "evaluate.superclasses", dataset)
        for name, members in groups.items():
            check_members(f"evaluate.superclasses.{dataset}.{name}", members, classes)
        grouped = [member for members in groups.values() for member in members]
        left_out = [name for name in classes if name not in grouped]
        twice = sorted({member for member in grouped if grouped.count(member) > 1})
        if left_out or twice:
            problem = f"leaves out {left_out[0]!r}" if left_out else f"puts {twice[0]!r} in two groups"
            raise PipelineError(f"evaluate.superclasses.{dataset} {problem}; every class belongs to exactly one group")
    return EvaluateParams(
        knn_neighbors=integer("evaluate.knn_neighbors", given["knn_neighbors"], 1),
        batch_size=integer("evaluate.batch_size", given["batch_size"], 1),
        objective_samples=integer("evaluate.objective_samples", given["objective_samples"], 1),
        seed=integer("evaluate.seed", given["seed"], 0),
        superclasses=superclasses,
    )


def plot_params(params: dict[str, Any]) -> PlotParams:
    given = section_keys(params, "plot", PlotParams)
    return PlotParams(
        manifold_grid=integer("plot.manifold_grid", given["manifold_grid"], 2),
        samples=integer("plot.samples", given["samples"], 1),
        seed=integer("plot.seed", given["seed"], 0),
    )

"""plot: every figure of the study: loss curves of every run; latent spaces, confusion, reconstructions and samples of the first seed.

Like summarize, it draws the runs present and names every missing one, so it reports on a study in progress.
"""

import time

import numpy as np
import pandas as pd

from vae_study.backend import apply_train_settings
from vae_study.cli import run_stage
from vae_study.datasets import atomic_directory, load_dataset, scale_images
from vae_study.errors import PipelineError
from vae_study.params import evaluate_params, load_params, plot_params, seeds, train_params, variant_names, variant_params
from vae_study.paths import PLOTS_DIR, PREPARED_DIR, latents_dir, run_label, stage_name, training_outputs


def _read_csv(path, stage: str) -> pd.DataFrame:
    if not path.exists():
        raise PipelineError(f"{path} is missing; run dvc repro {stage} first")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise PipelineError(f"{path} cannot be parsed ({error})") from None


def one_per_class(labels: np.ndarray, seed: int) -> np.ndarray:
    """Index of one test image of every class, in class order, picked by ``seed``."""
    order = np.random.default_rng(seed).permutation(len(labels))
    return np.array([order[labels[order] == label][0] for label in np.unique(labels)])


def main() -> None:
    started = time.perf_counter()
    params = load_params()
    settings = plot_params(params)
    groups = evaluate_params(params).superclasses
    run_seeds = seeds(params)
    first = run_seeds[0]
    variants = [variant_params(params, name, first) for name in variant_names(params)]
    apply_train_settings(train_params(params))
    # These import Keras, so only after the backend is chosen.
    from vae_study.evaluation import latent_means
    from vae_study.inference import load_variant_model
    from vae_study.plotting import (
        plot_knn_confusion,
        plot_latent_space,
        plot_loss_curves,
        plot_manifold,
        plot_reconstructions,
        plot_samples,
    )

    datasets = {name: load_dataset(PREPARED_DIR / name, splits=("train", "test")) for name in {v.dataset for v in variants}}
    chosen = {name: one_per_class(data.splits["test"].labels, settings.seed) for name, data in datasets.items()}
    originals = {name: scale_images(data.splits["test"].images[chosen[name]]) for name, data in datasets.items()}
    reconstructions = {name: {} for name in datasets}
    histories, missing = {}, []
    with atomic_directory(PLOTS_DIR) as output:
        for variant in variants:
            data = datasets[variant.dataset]
            train_labels = data.splits["train"].labels
            runs = [seed for seed in run_seeds if training_outputs(variant.name, seed).batches.exists()]
            missing += [stage_name("train", variant.dataset, variant.name, seed) for seed in run_seeds if seed not in runs]
            if runs:
                histories[variant.name] = [
                    _read_csv(training_outputs(variant.name, seed).batches, stage_name("train", variant.dataset, variant.name, seed))
                    for seed in runs
                ]
            if not (latents_dir(variant.name, first) / "test.csv").exists():
                missing.append(stage_name("embed", variant.dataset, variant.name, first))
                continue
            model = load_variant_model(variant, data.image_shape)
            table = _read_csv(latents_dir(variant.name, first) / "test.csv", stage_name("embed", variant.dataset, variant.name, first))
            header = f"{variant.latent_dim}-D, KL {variant.kl_weight:g}"
            label = f"{run_label(variant.name, first)} ({variant.dataset}, {header})"
            plot_latent_space(table, data.class_names, f"Test latent means: {label}", output / "latent" / f"{variant.name}.png",
                              groups.get(variant.dataset))
            chance = np.array([np.mean(train_labels == label) for label in range(len(data.class_names))])
            plot_knn_confusion(
                table, data.class_names, chance, f"kNN on test latent means, per class\n{label}",
                output / "knn_confusion" / f"{variant.name}.png",
            )
            reconstructions[variant.dataset][f"{variant.name}\n{header}"] = model.reconstruct(originals[variant.dataset])
            if variant.latent_dim == 2:
                plot_manifold(
                    model.decoder, latent_means(table), settings.manifold_grid,
                    f"Decoded latent grid: {label}", output / "manifold" / f"{variant.name}.png",
                )
            plot_samples(
                model.decoder, variant.latent_dim, settings.samples, settings.seed,
                f"Samples from the prior N(0, I)\n{label}", output / "samples" / f"{variant.name}.png",
            )
            print(f"plot: {variant.name} done", flush=True)
        for name, columns in reconstructions.items():
            if not columns:
                continue
            class_names = datasets[name].class_names
            plot_reconstructions(
                originals[name], [class_names[label] for label in datasets[name].splits["test"].labels[chosen[name]]], columns,
                f"{name}: one test image per class, decoded from its latent mean (seed {first})",
                output / "reconstructions" / f"{name}.png",
            )
        plot_loss_curves(
            histories,
            {v.name: f"{v.name} ({v.latent_dim}-D, KL {v.kl_weight:g})" for v in variants if v.name in histories},
            {v.name: int(np.prod(datasets[v.dataset].image_shape)) for v in variants},
            output / "loss_curves.png",
        )
    if missing:
        print(f"plot: {len(missing)} runs missing, left out: dvc repro {' '.join(sorted(set(missing)))} makes them", flush=True)
    print(f"plot: figures for {len(histories)} variants in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    run_stage(main)

"""plot: every figure of the study, from all variants' models, latents and loss histories."""

import time

import numpy as np
import pandas as pd

from vae_study.backend import apply_train_settings
from vae_study.cli import run_stage
from vae_study.datasets import atomic_directory, load_dataset, scale_images
from vae_study.errors import PipelineError
from vae_study.params import load_params, plot_params, train_params, variant_names, variant_params
from vae_study.paths import LATENTS_DIR, PLOTS_DIR, PREPARED_DIR, training_outputs


def _read_csv(path, variant: str) -> pd.DataFrame:
    if not path.exists():
        raise PipelineError(f"variant {variant}: {path} is missing; run its train and embed stages first")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise PipelineError(f"variant {variant}: {path} cannot be parsed ({error})") from None


def main() -> None:
    started = time.perf_counter()
    params = load_params()
    settings = plot_params(params)
    variants = [variant_params(params, name) for name in variant_names(params)]
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

    datasets = {name: load_dataset(PREPARED_DIR / name, splits=("test",)) for name in {v.dataset for v in variants}}
    for name, data in datasets.items():
        if settings.reconstructions > len(data.splits["test"]):
            raise PipelineError(
                f"plot.reconstructions = {settings.reconstructions} is larger than the "
                f"{len(data.splits['test'])} test images of {name}; use 1 to {len(data.splits['test'])}"
            )
    originals = {}
    for name, data in datasets.items():
        chosen = np.random.default_rng(settings.seed).choice(len(data.splits["test"]), settings.reconstructions, replace=False)
        originals[name] = scale_images(data.splits["test"].images[np.sort(chosen)])
    reconstructions = {name: {} for name in datasets}
    histories = {}
    with atomic_directory(PLOTS_DIR) as output:
        for variant in variants:
            data = datasets[variant.dataset]
            model = load_variant_model(variant, data.image_shape)
            table = _read_csv(LATENTS_DIR / variant.name / "test.csv", variant.name)
            histories[variant.name] = _read_csv(training_outputs(variant.name).batches, variant.name)
            label = f"{variant.name} ({variant.dataset}, {variant.latent_dim}-D latent)"
            plot_latent_space(table, data.class_names, f"Test latent means: {label}", output / "latent" / f"{variant.name}.png")
            plot_knn_confusion(
                table, data.class_names, f"kNN on test latent means, per class\n{label}",
                output / "knn_confusion" / f"{variant.name}.png",
            )
            reconstructions[variant.dataset][variant.name] = model.reconstruct(originals[variant.dataset])
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
            plot_reconstructions(
                originals[name], columns, f"{name}: test images and their reconstructions", output / "reconstructions" / f"{name}.png"
            )
        plot_loss_curves(
            histories,
            {v.name: f"{v.name} ({v.latent_dim}-D, KL {v.kl_weight:g})" for v in variants},
            {v.name: int(np.prod(datasets[v.dataset].image_shape)) for v in variants},
            output / "loss_curves.png",
        )
    print(f"plot: figures for {len(variants)} variants in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    run_stage(main)

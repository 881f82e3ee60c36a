"""plot: every figure of the study from committed files alone (no models): example training images (Figure 1); loss
curves of every run (the anchors, which rebuild a published network on their own split of the same images, in a
figure of their own and not in Figure 1); latent spaces (as PNG and as the interactive charts' data, plots/latent_points/), kNN confusion,
reconstructions, decoded grids and prior samples of the first seed.

Like summarize, it draws the runs present and names every missing one, so it reports on a study in progress.
"""

import time
import zipfile

import numpy as np
import pandas as pd

from vae_study.core.analysis_params import evaluate_params
from vae_study.core.datasets import atomic_directory
from vae_study.core.errors import PipelineError
from vae_study.core.loss_kinds import loss_kind, values_summed_per_image
from vae_study.core.params import dataset_params, load_params, seeds, study_variants
from vae_study.core.paths import PLOTS_DIR, figure_inputs_file, latents_file, run_label, stage_name, training_outputs
from vae_study.core.stage_runner import run_stage
from vae_study.ingest.dataset_statistics import examples_file, read_statistics
from vae_study.report.anchors import ANCHORS
from vae_study.report.plotting import (
    latent_points_table,
    loss_curve_table,
    plot_examples,
    plot_knn_confusion,
    plot_latent_space,
    plot_loss_curves,
    plot_manifold,
    plot_reconstructions,
    plot_samples,
)
from vae_study.report.summarize_params import summarize_params
from vae_study.report.summary import read_latents


def _read_table(path, stage: str, read=pd.read_csv) -> pd.DataFrame:
    if not path.exists():
        raise PipelineError(f"{path} is missing; run dvc repro {stage} first")
    try:
        return read(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, EOFError, OSError) as error:
        raise PipelineError(f"{path} cannot be parsed ({error})") from None


def _load_arrays(path, stage: str) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as stored:
            return dict(stored)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise PipelineError(f"{path} cannot be read ({error}); rerun dvc repro {stage}") from None


def _variant_label(variant) -> str:
    """What sets a variant apart in a figure's labels: latent size, KL weight, and the loss when it is not the summed one."""
    loss = loss_kind(variant.reconstruction_loss).label
    return f"{variant.latent_dim}-D, KL {variant.kl_weight:.3g}" + (f", {loss}" if loss else "")


def _prior_caveat(variant) -> str:
    if variant.kl_weight == 0:
        return "\nKL weight 0: nothing pulled the latents toward N(0, I), so these decode points the model never learned"
    return ""


def main() -> None:
    started = time.perf_counter()
    params = load_params()
    groups, curves = evaluate_params(params).superclasses, summarize_params(params)
    run_seeds = seeds(params)
    first = run_seeds[0]
    variants = study_variants(params, first)
    classes = {variant.dataset: list(dataset_params(params, variant.dataset).classes) for variant in variants}
    anchored = {anchor.variant for anchor in ANCHORS}
    study_datasets = [dataset for dataset in classes if not {v.name for v in variants if v.dataset == dataset} <= anchored]
    originals, reconstructions, values_per_image = {}, {name: {} for name in classes}, {}
    histories, missing = {}, []
    with atomic_directory(PLOTS_DIR) as output:
        examples = {dataset: _load_arrays(examples_file(dataset), f"preprocess@{dataset}") for dataset in study_datasets
                    if examples_file(dataset).exists()}
        if examples:
            plot_examples(examples, output / "examples.png")
        no_examples = [f"preprocess@{dataset}" for dataset in study_datasets if dataset not in examples]
        if no_examples:
            print(f"plot: example images missing, Figure 1 left out: dvc repro {' '.join(no_examples)} makes them", flush=True)
        for variant in variants:
            class_names = classes[variant.dataset]
            runs = [seed for seed in run_seeds if training_outputs(variant.name, seed).batches.exists()]
            missing += [stage_name("train", variant.dataset, variant.name, seed) for seed in run_seeds if seed not in runs]
            if runs:
                histories[variant.name] = [
                    _read_table(training_outputs(variant.name, seed).batches, stage_name("train", variant.dataset, variant.name, seed))
                    for seed in runs
                ]
            embed = stage_name("embed", variant.dataset, variant.name, first)
            if not (latents_file(variant.name, first).exists() and figure_inputs_file(variant.name, first).exists()):
                missing.append(embed)
                continue
            table = _read_table(latents_file(variant.name, first), embed, read_latents)
            arrays = _load_arrays(figure_inputs_file(variant.name, first), embed)
            header = _variant_label(variant)
            label = f"{run_label(variant.name, first)} ({variant.dataset}, {header})"
            plot_latent_space(table, class_names, f"Test latent means: {label}", output / "latent" / f"{variant.name}.png",
                              groups.get(variant.dataset))
            (output / "latent_points").mkdir(exist_ok=True)
            latent_points_table(table).to_csv(output / "latent_points" / f"{variant.name}.csv", index=False)
            shares = read_statistics(variant.dataset)["train_class_shares"]
            plot_knn_confusion(table, class_names, np.array([shares[name] for name in class_names]),
                               f"kNN on test latent means, per class\n{label}",
                               output / "knn_confusion" / f"{variant.name}.png")
            chosen_labels = table["label"].to_numpy()[arrays["chosen"]]
            originals[variant.dataset] = (arrays["originals"], [class_names[index] for index in chosen_labels])
            values_per_image[variant.dataset] = int(np.prod(arrays["originals"].shape[1:]))
            reconstructions[variant.dataset][f"{variant.name}\n{header}"] = arrays["reconstructions"] / 255.0
            if "manifold" in arrays:
                plot_manifold(arrays["manifold"], arrays["manifold_x"], arrays["manifold_y"], f"Decoded latent grid: {label}",
                              output / "manifold" / f"{variant.name}.png")
            plot_samples(arrays["samples"], f"Samples from the prior N(0, I)\n{label}{_prior_caveat(variant)}",
                         output / "samples" / f"{variant.name}.png")
            print(f"plot: {variant.name} done", flush=True)
        for dataset, columns in reconstructions.items():
            if columns:
                images, row_labels = originals[dataset]
                plot_reconstructions(images / 255.0, row_labels, columns,
                                     f"{dataset}: one test image per class, decoded from its latent mean (seed {first})",
                                     output / "reconstructions" / f"{dataset}.png")
        drawn = {v.name: v for v in variants if v.name in histories and v.dataset in values_per_image}
        if drawn:
            drawn_histories = {name: histories[name] for name in drawn}
            per_value = {name: values_summed_per_image(v.reconstruction_loss, values_per_image[v.dataset]) for name, v in drawn.items()}
            # the anchors' losses differ in kind (cross-entropy; CIFAR-10's a mean x 784): each panel its own y axis
            for figure, names, mark, share_y in (
                    ("loss_curves.png", [name for name in drawn if name not in anchored], curves.flat_after, True),
                    ("anchors_loss_curves.png", [name for name in drawn if name in anchored], None, False)):
                if names:
                    plot_loss_curves({name: drawn_histories[name] for name in names},
                                     {name: f"{name} ({_variant_label(drawn[name])})" for name in names}, per_value,
                                     {name: drawn[name].dataset for name in names}, output / figure, mark=mark,
                                     end_window=curves.loss_window, share_y=share_y)
            loss_curve_table(drawn_histories, per_value).to_csv(output / "loss_curves.csv", index=False)
    if missing:
        print(f"plot: {len(missing)} runs missing, left out: dvc repro {' '.join(sorted(set(missing)))} makes them", flush=True)
    print(f"plot: figures for {len(histories)} variants in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    run_stage(main)

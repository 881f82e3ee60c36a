"""The tables of docs/results.md: every claim of the study judged by one rule, and every variant's main metrics.

The rule: a claim holds when the 95% interval over seeds (metrics/summary, metrics/comparisons.json)
of its measure lies entirely on the claimed side of its reference (zero for a difference or a gain
over chance; a stated cut-off otherwise). It fails when the interval lies entirely on the other side,
and is not shown when the interval contains the reference. Fewer than two seeds: pending. Context rows
are shown beside a claim and not judged.

Usage: python scripts/claims.py [--metrics metrics]   (prints both tables as Markdown)
"""

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Claim:
    number: str
    text: str
    source: str  # a variant (metrics/summary/<variant>.json) or a comparison label (metrics/comparisons.json)
    metric: str
    side: str  # "above" or "below" the reference
    reference: float = 0.0
    measure: str = ""
    context: bool = False  # shown beside a claim, not judged: its verdict column says "context"


# The abstract's "these networks" beyond the simple one: (row suffix, label, variant).
OTHER_CIFAR10_NETWORKS = [("'", "16-D (KL weight 0)", "cifar10_highdim"), ("''", "16-D (KL weight 1)", "cifar10_highdim_kl"),
                          ("'''", "deep", "cifar10_deep")]

CLAIMS = [
    Claim("0a", "a flat VAE gives MNIST a clear 2-D latent space (the study's starting point)", "mnist_flat",
          "latent.knn5_over_chance", "above", measure="5-NN accuracy minus chance"),
    Claim("0b", "convolutions improve on the flat VAE, on MNIST (the study's premise is about CIFAR-10, where no flat VAE was run): latent", "conv_vs_flat_mnist",
          "latent.knn5_accuracy", "above", measure="conv minus flat: 5-NN accuracy"),
    Claim("0c", "convolutions improve on the flat VAE: reconstructions", "conv_vs_flat_mnist", "test.r2", "above",
          measure="conv minus flat: test R²"),
    Claim("0d", "the flat VAE reconstructs MNIST accurately (cut-off: R² > 0.9, as 4a)", "mnist_flat", "test.r2", "above", 0.9,
          measure="test R² of the mean decode"),
    Claim("1a", "MNIST, simple: the 2-D latent separates the digits", "mnist_simple", "latent.knn5_over_chance", "above",
          measure="5-NN accuracy minus chance"),
    Claim("1b", "MNIST: 0s and 1s lie apart", "mnist_simple", "classes.mix.zeros_ones_over_chance", "below",
          measure="0/1 kNN mixing minus chance"),
    Claim("1b'", "MNIST: 0s and 2s lie apart", "mnist_simple", "classes.mix.zeros_twos_over_chance", "below",
          measure="0/2 kNN mixing minus chance"),
    Claim("1b''", "MNIST: 1s and 2s lie apart", "mnist_simple", "classes.mix.ones_twos_over_chance", "below",
          measure="1/2 kNN mixing minus chance"),
    Claim("1c", "MNIST: 4s and 9s overlap", "mnist_simple", "classes.mix.fours_nines_over_chance", "above",
          measure="4/9 kNN mixing minus chance"),
    Claim("2a", "CIFAR-10's 2-D latent is far less separable than MNIST's", "mnist_vs_cifar10", "latent.knn5_over_chance",
          "above", measure="MNIST minus CIFAR-10: 5-NN gain over chance"),
    Claim("2a'", "deep's CIFAR-10 latent is not as separable as MNIST's", "mnist_vs_cifar10_deep", "latent.knn5_over_chance",
          "above", measure="MNIST minus CIFAR-10 deep: 5-NN gain over chance"),
    Claim("2b", "CIFAR-10, simple: vehicles apart from animals", "cifar10_simple",
          "latent.knn5_vehicles_animals_over_chance", "above", measure="vehicles/animals 5-NN accuracy minus chance"),
    Claim("2b'", "CIFAR-10, deep: again vehicles apart from animals", "cifar10_deep",
          "latent.knn5_vehicles_animals_over_chance", "above", measure="vehicles/animals 5-NN accuracy minus chance"),
    Claim("2b''", "cars and trucks have very similar features (the study's explanation of 2b): they lie close", "cifar10_simple",
          "classes.mix.cars_trucks_over_chance", "above", measure="car/truck kNN mixing minus chance"),
    Claim("2c", "CIFAR-10, simple: latent distributions slightly distinct by class", "cifar10_simple", "latent.knn5_over_chance",
          "above", measure="5-NN accuracy minus chance"),
    *[Claim(f"2c{mark}", f"CIFAR-10, {label}: latent distributions slightly distinct by class", name, "latent.knn5_over_chance",
            "above", measure="5-NN accuracy minus chance") for mark, label, name in OTHER_CIFAR10_NETWORKS],
    Claim("3a", "deep separates CIFAR-10 classes slightly better", "deep_vs_simple", "latent.knn5_accuracy", "above",
          measure="deep minus simple: 5-NN accuracy"),
    Claim("3b", "deep: cars and trucks apart from deer and dogs", "cifar10_deep",
          "classes.mix.cars_trucks_deer_dogs_over_chance", "below", measure="mixing minus chance"),
    Claim("4a", "MNIST reconstructions are very accurate (cut-off: R² > 0.9)", "mnist_simple", "test.r2", "above", 0.9,
          measure="test R² of the mean decode"),
    Claim("4b", "16-D latent reconstructs CIFAR-10 better (KL weight 0, the text's reading)", "highdim_vs_simple", "test.r2",
          "above", measure="16-D minus simple: test R²"),
    Claim("4c", "16-D latent reconstructs CIFAR-10 better (KL weight 1)", "highdim_kl_vs_simple", "test.r2", "above",
          measure="16-D minus simple: test R²"),
    Claim("4d", "deep reconstructs slightly better than simple", "deep_vs_simple", "test.r2", "above",
          measure="deep minus simple: test R²"),
    Claim("4e", "much worse reconstructions on CIFAR-10 than on MNIST", "mnist_vs_cifar10", "test.r2", "above",
          measure="MNIST minus CIFAR-10: test R²"),
    Claim("4e'", "much worse reconstructions on CIFAR-10 than on MNIST: 16-D network", "mnist_vs_cifar10_highdim", "test.r2",
          "above", measure="MNIST simple minus CIFAR-10 16-D: test R²"),
    Claim("4e''", "much worse reconstructions on CIFAR-10 than on MNIST: deep network", "mnist_vs_cifar10_deep", "test.r2",
          "above", measure="MNIST simple minus CIFAR-10 deep: test R²"),
    Claim("4f", "(context for 4e: per-pixel MSE, the study's own measure, which does not compare across datasets)",
          "mnist_vs_cifar10", "test.mse", "below", measure="MNIST minus CIFAR-10: test MSE", context=True),
    Claim("4g", "CIFAR-10, simple: not reconstructed accurately (cut-off: R² < 0.9, as 4a)", "cifar10_simple", "test.r2",
          "below", 0.9, measure="test R² of the mean decode"),
    *[Claim(f"4g{mark}", f"CIFAR-10, {label}: not reconstructed accurately", name, "test.r2", "below", 0.9,
            measure="test R² of the mean decode") for mark, label, name in OTHER_CIFAR10_NETWORKS],
    Claim("5a", "MNIST's loss is flat after about 4,000 batches (cut-off: under 5% of the whole drop comes later)",
          "mnist_simple", "curve.drop_after_4000", "below", 0.05, measure="share of the drop after batch 4,000"),
    Claim("5a'", "(5e's standard applied to MNIST: still falling at the end?)", "mnist_simple", "curve.last_window_change",
          "below", measure="last 1,000 batches vs the 1,000 before"),
    Claim("5b", "CIFAR-10 2-D losses plateau higher than MNIST's: simple", "mnist_vs_cifar10", "curve.final_over_variance",
          "below", measure="MNIST minus CIFAR-10: final loss per pixel value / pixel variance (as R²)"),
    Claim("5b'", "CIFAR-10 2-D losses plateau higher than MNIST's: deep", "mnist_vs_cifar10_deep", "curve.final_over_variance",
          "below", measure="MNIST minus CIFAR-10 deep: final loss per pixel value / pixel variance"),
    Claim("5c", "CIFAR-10 2-D losses oscillate more: simple", "mnist_vs_cifar10", "curve.late_cv", "below",
          measure="MNIST minus CIFAR-10: late batch-loss sd / mean"),
    Claim("5c'", "CIFAR-10 2-D losses oscillate more: deep", "mnist_vs_cifar10_deep", "curve.late_cv", "below",
          measure="MNIST minus CIFAR-10 deep: late batch-loss sd / mean"),
    Claim("5d", "16-D loss ends much lower than the 2-D one (KL weight 0)", "highdim_vs_simple", "curve.final_per_value", "below",
          measure="16-D minus simple: final loss per pixel value"),
    Claim("5d'", "16-D loss ends much lower than the 2-D one (KL weight 1)", "highdim_kl_vs_simple", "curve.final_per_value",
          "below", measure="16-D minus simple: final loss per pixel value"),
    Claim("5e", "16-D loss is still falling after 10 epochs (KL weight 0)", "cifar10_highdim", "curve.last_window_change", "below",
          measure="last 1,000 batches vs the 1,000 before"),
    Claim("5e'", "16-D loss is still falling after 10 epochs (KL weight 1)", "cifar10_highdim_kl", "curve.last_window_change",
          "below", measure="last 1,000 batches vs the 1,000 before"),
]


def _load(metrics: Path) -> dict[str, dict]:
    sources = {path.stem: json.loads(path.read_text()) for path in sorted((metrics / "summary").glob("*.json"))}
    comparisons = metrics / "comparisons.json"
    if comparisons.exists():
        sources.update(json.loads(comparisons.read_text()))
    return sources


def judge(claim: Claim, sources: dict[str, dict]) -> tuple[str, str]:
    """(verdict, numbers) of one claim under the rule of the module docstring."""
    source = sources.get(claim.source, {})
    stats = source.get(claim.metric)
    seeds = source.get("seeds", 0)
    if stats is None and seeds >= 2:
        return "pending", f"no {claim.metric} in its summary yet; dvc repro summarize adds it"
    if stats is None or stats.get("ci95_low") is None:
        return "pending", f"{seeds} seed{'s' if seeds != 1 else ''} so far"
    low, high, mean = stats["ci95_low"], stats["ci95_high"], stats["mean"]
    numbers = f"{mean:.4g} [{low:.4g}, {high:.4g}], {source['seeds']} seeds"
    above, below = low > claim.reference, high < claim.reference
    if claim.context:
        verdict = "context"
    elif (claim.side == "above" and above) or (claim.side == "below" and below):
        verdict = "holds"
    elif (claim.side == "above" and below) or (claim.side == "below" and above):
        verdict = "fails"
    else:
        verdict = "not shown"
    return verdict, numbers


VARIANT_COLUMNS = [
    ("test R²", "test.r2", ".3f"),
    ("PSNR (dB)", "test.psnr_db", ".2f"),
    ("5-NN accuracy", "latent.knn5_accuracy", ".3f"),
    ("5-NN chance", "latent.knn5_chance", ".3f"),
    ("silhouette", "latent.silhouette", ".3f"),
    ("sampled loss per image", "objective.loss", ".2f"),
    ("KL (nats)", "objective.kl", ".2f"),
    ("final train loss per value / pixel variance", "curve.final_over_variance", ".3f"),
]


def _cell(stats: dict | None, form: str) -> str:
    if stats is None:
        return ""
    if stats.get("ci95_low") is None:
        return format(stats["mean"], form)
    return f"{stats['mean']:{form}} [{stats['ci95_low']:{form}}, {stats['ci95_high']:{form}}]"


def variants_table(sources: dict[str, dict]) -> list[str]:
    """One row per variant summary: mean [95% interval] of the main metrics."""
    rows = ["| variant | seeds | " + " | ".join(title for title, _, _ in VARIANT_COLUMNS) + " |",
            "|---|---|" + "---|" * len(VARIANT_COLUMNS)]
    for name, summary in sources.items():
        if "test.r2" in summary and "a" not in summary:  # variant summaries; comparisons name their pair
            cells = [_cell(summary.get(metric), form) for _, metric, form in VARIANT_COLUMNS]
            rows.append(f"| `{name}` | {summary['seeds']} | " + " | ".join(cells) + " |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--metrics", type=Path, default=Path("metrics"))
    args = parser.parse_args()
    sources = _load(args.metrics)
    if not sources:
        sys.exit(f"error: no metrics/summary/*.json or comparisons.json under {args.metrics}; run dvc repro summarize")
    print("| # | claim of the study | measure (source: metric) | reference | verdict | mean [95% interval], seeds |")
    print("|---|---|---|---|---|---|")
    for claim in CLAIMS:
        verdict, numbers = judge(claim, sources)
        side = ">" if claim.side == "above" else "<"
        print(f"| {claim.number} | {claim.text} | {claim.measure} (`{claim.source}`: `{claim.metric}`) | "
              f"{side} {claim.reference:g} | {verdict} | {numbers} |")
    print()
    print("\n".join(variants_table(sources)))


if __name__ == "__main__":
    main()

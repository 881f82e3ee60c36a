"""The numbers behind the loss-curve claims: where each variant's per-batch loss flattens.

Reads every ``metrics/history/<variant>/batches.csv`` (the raw loss of each batch)
and prints two Markdown tables:
- the mean total loss over consecutive windows of ``--window`` batches;
- per variant: the share of the whole drop (first window to last window) that
  happens after batch ``--after``, and the change of the mean loss from the
  second-to-last to the last window (negative: still falling).
With ``--figure PATH`` it also draws the window means on a linear axis (the
pipeline's own loss figure is log-scale, which hides slow late declines).

Usage: python scripts/loss_curve_stats.py [--history metrics/history] [--window 1000] [--after 4000]
       [--variants a,b] [--figure loss_windows.png]
"""

import argparse
import sys
from pathlib import Path

import pandas as pd


def window_means(batches: pd.DataFrame, window: int) -> pd.Series:
    """Mean total loss of batches [0, window), [window, 2 window), ...; a short last window is dropped."""
    full = len(batches) // window * window
    return batches["loss"].iloc[:full].groupby(batches["step"].iloc[:full] // window).mean()


def flattening(means: pd.Series, window: int, after: int) -> dict:
    """Share of the total drop that comes after batch ``after``, and the last window's relative change.

    The level at batch ``after`` is the mean of the window that ends there.
    """
    start, end = means.iloc[0], means.iloc[-1]
    at_after = means.loc[after // window - 1] if after // window - 1 in means.index else float("nan")
    return {
        f"share of drop after batch {after}": (at_after - end) / (start - end) if start != end else float("nan"),
        "last window vs the one before": means.iloc[-1] / means.iloc[-2] - 1 if len(means) > 1 else float("nan"),
    }


def plot_window_means(means: dict[str, pd.Series], window: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 4.5), layout="constrained")
    for name, series in means.items():
        axes.plot((series.index + 0.5) * window, series.values, marker="o", markersize=3, label=name)
    axes.set(title=f"Mean training loss per window of {window} batches", xlabel="batch", ylabel="total loss per image")
    axes.grid(True, alpha=0.3)
    axes.legend(title="variant")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", type=Path, default=Path("metrics/history"))
    parser.add_argument("--window", type=int, default=1000)
    parser.add_argument("--after", type=int, default=4000)
    parser.add_argument("--variants", default=None, help="comma-separated; default: every variant with a history")
    parser.add_argument("--figure", type=Path, default=None, help="also draw the window means into this PNG")
    args = parser.parse_args()
    if args.window < 1 or args.after < args.window:
        parser.error(f"--window = {args.window}, --after = {args.after}; use 1 <= window <= after")
    files = sorted(args.history.glob("*/batches.csv"))
    if not files:
        sys.exit(f"error: no */batches.csv under {args.history}; run the train stages first")
    available = [path.parent.name for path in files]
    chosen = args.variants.split(",") if args.variants else available
    missing = [name for name in chosen if name not in available]
    if missing:
        sys.exit(f"error: no history for {', '.join(missing)} under {args.history}; there is one for {', '.join(available)}")
    means = {name: window_means(pd.read_csv(args.history / name / "batches.csv"), args.window) for name in chosen}
    table = pd.DataFrame(means)
    table.index = [f"{start * args.window}-{(start + 1) * args.window - 1}" for start in table.index]
    print(f"Mean total loss per window of {args.window} batches\n")
    print(table.to_markdown(floatfmt=".2f"))
    summary = pd.DataFrame({name: flattening(series, args.window, args.after) for name, series in means.items()}).T
    print("\n" + summary.to_markdown(floatfmt=".3f"))
    if args.figure:
        plot_window_means(means, args.window, args.figure)


if __name__ == "__main__":
    main()

"""The numbers behind the loss-curve claims: where each variant's per-batch loss flattens.

Reads every ``metrics/history/<variant>/batches.csv`` (the raw loss of each batch)
and prints two Markdown tables:
- the mean total loss over consecutive windows of ``--window`` batches;
- per variant: the share of the whole drop (first window to last window) that
  happens after batch ``--after``, and the change of the mean loss from the
  second-to-last to the last window (negative: still falling).

Usage: python scripts/loss_curve_stats.py [--history metrics/history] [--window 1000] [--after 4000]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", type=Path, default=Path("metrics/history"))
    parser.add_argument("--window", type=int, default=1000)
    parser.add_argument("--after", type=int, default=4000)
    args = parser.parse_args()
    if args.window < 1 or args.after < args.window:
        parser.error(f"--window = {args.window}, --after = {args.after}; use 1 <= window <= after")
    files = sorted(args.history.glob("*/batches.csv"))
    if not files:
        sys.exit(f"error: no */batches.csv under {args.history}; run the train stages first")
    means = {path.parent.name: window_means(pd.read_csv(path), args.window) for path in files}
    table = pd.DataFrame(means)
    table.index = [f"{start * args.window}-{(start + 1) * args.window - 1}" for start in table.index]
    print(f"Mean total loss per window of {args.window} batches\n")
    print(table.to_markdown(floatfmt=".2f"))
    summary = pd.DataFrame({name: flattening(series, args.window, args.after) for name, series in means.items()}).T
    print("\n" + summary.to_markdown(floatfmt=".3f"))


if __name__ == "__main__":
    main()

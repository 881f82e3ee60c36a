"""Where each rerun run first parts from the committed study's: the first batch whose logged loss differs, by how many
float32 units in the last place there, and how far apart the two runs end.

A run that parts at its first batches by one unit in the last place was moved by rounding, not by a change of what the
code computes; the rerun's table (docs/tables/rerun.md) counts which runs changed but not where. Reads the per-batch
logs (`metrics/history/<variant>/seed-<n>/batches.csv`) from git, so it needs no model and no data.

    python scripts/rerun_divergence.py                 # the committed study (f998c99) against the working tree
    python scripts/rerun_divergence.py --then 5552fc0 --now HEAD
"""
import argparse
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[1]
HISTORY = "metrics/history"


def _batches(revision: str | None, path: str) -> pd.DataFrame | None:
    """The per-batch log at a git revision (None: the working tree), or None where that revision has no such run."""
    if revision is None:
        file = PROJECT_ROOT / path
        return pd.read_csv(file) if file.exists() else None
    shown = subprocess.run(["git", "show", f"{revision}:{path}"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    return pd.read_csv(io.StringIO(shown.stdout)) if shown.returncode == 0 else None


def _runs(revision: str) -> list[str]:
    listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", revision, HISTORY], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    return sorted(path for path in listed if path.endswith("/batches.csv"))


def _ulps(a: float, b: float) -> int:
    """How many float32 values lie between a and b (both of one sign, as a loss is)."""
    return abs(int(np.float32(a).view(np.int32)) - int(np.float32(b).view(np.int32)))


def divergence(then: pd.DataFrame, now: pd.DataFrame) -> dict:
    """First differing batch, its difference in float32 ulps and relative terms, and the last batch's relative gap."""
    steps = min(len(then), len(now))
    old, new = then["loss"].to_numpy()[:steps], now["loss"].to_numpy()[:steps]
    differing = np.flatnonzero(old != new)
    if len(then) == len(now) and not len(differing):
        return {"first": None}
    first = int(differing[0]) if len(differing) else steps
    return {"first": first, "ulps": _ulps(old[first], new[first]) if first < steps else None,
            "relative_end": abs(new[-1] - old[-1]) / abs(old[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--then", default="f998c99", help="the committed study's revision (default f998c99)")
    parser.add_argument("--now", default=None, help="the rerun's revision (default: the working tree)")
    arguments = parser.parse_args()
    paths = _runs(arguments.then)
    if not paths:
        sys.exit(f"{arguments.then} has no per-batch logs under {HISTORY}/")
    print(f"{'run':<34} {'first differing batch':>22} {'ulps there':>11} {'last batch, relative gap':>25}")
    counts = {"same": 0, "changed": 0, "missing": 0}
    for path in paths:
        run = path.removeprefix(f"{HISTORY}/").removesuffix("/batches.csv")
        now = _batches(arguments.now, path)
        if now is None:
            counts["missing"] += 1
            print(f"{run:<34} {'not in the rerun':>22}")
            continue
        found = divergence(_batches(arguments.then, path), now)
        if found["first"] is None:
            counts["same"] += 1
            print(f"{run:<34} {'identical':>22}")
        else:
            counts["changed"] += 1
            print(f"{run:<34} {found['first']:>22,} {found['ulps'] if found['ulps'] is not None else '-':>11} "
                  f"{found['relative_end']:>25.2e}")
    print(f"{counts['same']} identical, {counts['changed']} changed, {counts['missing']} not in the rerun "
          f"({arguments.then} against {arguments.now or 'the working tree'})")


if __name__ == "__main__":
    main()

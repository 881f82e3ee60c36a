"""scripts/loss_curve_stats.py: window means and the share of the drop after a given batch."""

import subprocess
import sys

import numpy as np
import pandas as pd
from PIL import Image

from conftest import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "loss_curve_stats.py"


def _write_history(root, name, losses):
    folder = root / name
    folder.mkdir(parents=True)
    steps = np.arange(len(losses))
    pd.DataFrame({"step": steps, "epoch": steps // 10, "loss": losses, "reconstruction": losses, "kl": 0.0}).to_csv(
        folder / "batches.csv", index=False
    )


def test_window_means_and_drop_shares(tmp_path):
    # Windows of 10 batches: means 10, 6, 4, 3, 2.5 (plus 5 batches of a short window that is ignored).
    falling = np.repeat([10.0, 6.0, 4.0, 3.0, 2.5, 99.0], [10, 10, 10, 10, 10, 5])
    _write_history(tmp_path, "falling", falling)
    _write_history(tmp_path, "flat", np.full(50, 7.0))
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--history", str(tmp_path), "--window", "10", "--after", "20"],
        capture_output=True, text=True, check=True,
    )
    rows = {line.split("|")[1].strip(): [cell.strip() for cell in line.split("|")[2:-1]] for line in result.stdout.splitlines() if line.startswith("|")}
    assert rows["0-9"] == ["10.00", "7.00"]
    assert rows["40-49"] == ["2.50", "7.00"]
    assert "50-59" not in rows
    # Drop after batch 20: from the 10-19 window (6) to the last (2.5), out of 10 -> 2.5.
    assert rows["falling"] == [f"{3.5 / 7.5:.3f}", f"{2.5 / 3.0 - 1:.3f}"]
    assert rows["flat"] == ["nan", "0.000"]


def test_missing_history_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "--history", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"no */batches.csv under {tmp_path}" in result.stderr


def test_chosen_variants_and_figure(tmp_path):
    _write_history(tmp_path / "history", "a", np.linspace(10, 5, 40))
    _write_history(tmp_path / "history", "b", np.full(40, 7.0))
    figure = tmp_path / "out" / "windows.png"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--history", str(tmp_path / "history"), "--window", "10", "--after", "10",
         "--variants", "b", "--figure", str(figure)],
        capture_output=True, text=True, check=True,
    )
    header = next(line for line in result.stdout.splitlines() if line.startswith("|"))
    assert [cell.strip() for cell in header.split("|")[2:-1]] == ["b"]
    assert np.asarray(Image.open(figure).convert("L"), float).std() > 5


def test_unknown_variant_is_a_clear_error(tmp_path):
    _write_history(tmp_path, "a", np.full(20, 1.0))
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--history", str(tmp_path), "--window", "10", "--after", "10", "--variants", "a,zz"],
        capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert "no history for zz" in result.stderr and "there is one for a" in result.stderr

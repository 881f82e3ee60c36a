"""scripts/rerun_divergence.py: where a rerun run first parts from the committed study's, in float32 ulps."""

import importlib.util
import subprocess
import sys

import numpy as np
import pandas as pd
from conftest import PROJECT_ROOT

SPEC = importlib.util.spec_from_file_location("rerun_divergence", PROJECT_ROOT / "scripts" / "rerun_divergence.py")
rerun_divergence = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(rerun_divergence)


def _losses(values) -> pd.DataFrame:
    return pd.DataFrame({"step": range(len(values)), "loss": np.asarray(values, dtype=np.float32).astype(float)})


def test_the_first_differing_batch_its_ulps_and_the_end_gap():
    then = np.float32([180.0, 179.5, 179.0, 178.0])
    now = then.copy()
    now[2] = np.nextafter(now[2], np.float32(np.inf))  # one float32 unit up at batch 2
    now[3] = np.float32(178.0 * 1.01)
    assert rerun_divergence.divergence(_losses(then), _losses(then)) == {"first": None}
    found = rerun_divergence.divergence(_losses(then), _losses(now))
    assert found["first"] == 2 and found["ulps"] == 1
    assert abs(found["relative_end"] - 0.01) < 1e-6


def test_a_shorter_rerun_counts_as_changed_where_it_ends():
    found = rerun_divergence.divergence(_losses([3.0, 2.0, 1.0]), _losses([3.0, 2.0]))
    assert found["first"] == 2 and found["ulps"] is None


def test_the_committed_study_against_itself_is_identical():
    printed = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "rerun_divergence.py"), "--then", "HEAD",
                              "--now", "HEAD"], check=True, capture_output=True, text=True, cwd=PROJECT_ROOT).stdout
    runs = sum(1 for _ in (PROJECT_ROOT / "metrics" / "history").glob("*/seed-*/batches.csv"))
    assert printed.splitlines()[-1].startswith(f"{runs} identical, 0 changed, 0 not in the rerun")

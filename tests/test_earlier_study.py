"""The rerun set beside an earlier committed study: headline numbers against its intervals, verdicts that flipped."""

import json
import subprocess
import sys

import pytest
from conftest import PROJECT_ROOT

from vae_study.report.earlier_study import compare, flips, rerun_table


def _stats(mean, low, high):
    return {"mean": mean, "sd": 0.01, "ci95_low": low, "ci95_high": high}


REFERENCE = {"commit": "abc1234",
             "variants": {"a": {"seeds": 3, "test.r2": _stats(0.5, 0.4, 0.6), "objective.kl": _stats(4.0, 3.9, 4.1)},
                          "gone": {"seeds": 3, "test.r2": _stats(0.1, 0.0, 0.2)}},
             "verdicts": {"R1": "no", "R2": "yes", "X9": "yes"}}


def test_a_number_outside_the_earlier_interval_and_a_flipped_verdict_are_named():
    sources = {"a": {"seeds": 3, "test.r2": _stats(0.5, 0.4, 0.6), "objective.kl": _stats(4.3, 4.2, 4.4)}}
    verdicts = {"R1": {"verdict": "no"}, "R2": {"verdict": "unclear"}, "R1k": {"verdict": "no"}}
    rows = {row["metric"]: row for row in compare(REFERENCE, sources)}
    assert (rows["test.r2"]["inside"], rows["test.r2"]["identical"]) == (True, True)
    assert (rows["objective.kl"]["inside"], rows["objective.kl"]["identical"]) == (False, False)
    assert flips(REFERENCE, verdicts) == ([("R2", "yes", "unclear")], ["R1k"], ["X9"])
    table = rerun_table(REFERENCE, sources, verdicts)
    assert table.startswith("Against the committed study (abc1234): 1 of 2 headline numbers inside its 95% interval, "
                            "1 with the same mean to the last bit; 1 verdicts flipped (R2: yes to unclear); new rows: R1k; "
                            "rows gone: X9; not rerun yet: `gone`.")
    assert "| `a` | 3 / 3 | 1 of 2 | 1 of 2 | objective.kl: 4 [3.9, 4.1] then, 4.3 [4.2, 4.4] now |" in table


def test_the_same_runs_summarized_again_are_identical_up_to_float_rounding():
    earlier = _stats(0.5, 0.4, 0.6)
    rounded = {**earlier, "ci95_high": 0.6 + 1e-16}
    assert compare({**REFERENCE, "variants": {"a": {"seeds": 3, "test.r2": earlier}}},
                   {"a": {"seeds": 3, "test.r2": rounded}})[0]["identical"]


def test_the_committed_reference_is_what_freeze_study_writes_from_its_commit(tmp_path):
    """metrics/reference/ holds a study frozen from a commit; freezing that commit again gives the same file."""
    (reference,) = sorted((PROJECT_ROOT / "metrics" / "reference").glob("study-*.json"))
    commit = json.loads(reference.read_text())["commit"]
    if subprocess.run(["git", "cat-file", "-e", commit], cwd=PROJECT_ROOT, capture_output=True).returncode:
        pytest.skip(f"{commit} is not in this clone's history (a shallow clone)")
    out = tmp_path / "again.json"
    subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "freeze_study.py"), commit, "--out", str(out)],
                   check=True, capture_output=True, cwd=PROJECT_ROOT)
    assert out.read_text() == reference.read_text()

"""scripts/claims.py: one rule applied to the summaries and comparisons."""

import json
import sys

from conftest import PROJECT_ROOT, run_command

SCRIPT = PROJECT_ROOT / "scripts" / "claims.py"


def _stats(mean, low, high):
    return {"mean": mean, "sd": 0.1, "ci95_low": low, "ci95_high": high}


def test_verdicts_follow_the_interval(tmp_path):
    (tmp_path / "summary").mkdir()
    (tmp_path / "summary" / "mnist_simple.json").write_text(json.dumps({
        "seeds": 3,
        "latent.knn5_over_chance": _stats(0.6, 0.55, 0.65),     # above 0: holds
        "test.r2": _stats(0.6, 0.5, 0.7),                       # below the 0.9 cut-off: fails
        "classes.mix.fours_nines_over_chance": _stats(0.01, -0.02, 0.04),  # contains 0: not shown
    }))
    (tmp_path / "summary" / "cifar10_simple.json").write_text(json.dumps({"seeds": 3, "test.r2": _stats(0.4, 0.3, 0.5)}))
    (tmp_path / "summary" / "cifar10_deep.json").write_text(json.dumps({"seeds": 1, "test.r2": _stats(0.3, None, None)}))
    (tmp_path / "comparisons.json").write_text(json.dumps(
        {"deep_vs_simple": {"a": "cifar10_simple", "b": "cifar10_deep", "seeds": 1, "test.r2": _stats(0.1, None, None)},
         "mnist_vs_cifar10": {"a": "cifar10_simple", "b": "mnist_simple", "seeds": 3, "test.mse": _stats(0.004, 0.003, 0.005)}}))
    table = run_command([sys.executable, str(SCRIPT), "--metrics", str(tmp_path)], cwd=tmp_path).stdout
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table.splitlines()[2:]}
    assert "| holds | 0.6 [0.55, 0.65], 3 seeds |" in rows["1a"]
    assert "| fails |" in rows["4a"]
    assert "| not shown |" in rows["1c"]
    assert "| pending | 1 seed so far |" in rows["3a"]
    assert "| pending | 0 seeds so far |" in rows["2a'"]
    assert "| pending | no latent.knn5_vehicles_animals_over_chance in its summary yet" in rows["2b"]
    assert "| context | 0.004 [0.003, 0.005], 3 seeds |" in rows["4f"]  # above its reference, yet not called "fails"
    assert "| `mnist_simple` | 3 | 0.600 [0.500, 0.700] |" in table
    assert "| `cifar10_deep` | 1 | 0.300 |" in table
    assert "| `deep_vs_simple` |" not in table


def test_no_metrics_is_an_error(tmp_path):
    result = run_command([sys.executable, str(SCRIPT), "--metrics", str(tmp_path)], cwd=tmp_path, check=False)
    assert result.returncode == 1 and "run dvc repro summarize" in result.stderr

"""The rerun set beside an earlier committed study: headline numbers against it, answers that changed and why."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from conftest import PROJECT_ROOT
from scipy import stats

from vae_study.report.claims import CLAIMS
from vae_study.report.earlier_study import (
    OUTSIDE_BY_CHANCE,
    changed_answers,
    compare,
    fresh_seed_median,
    pooled_sd,
    rerun_table,
    seed_changes,
    welch_difference,
)

R1 = next(claim.quote for claim in CLAIMS if claim.id == "R1")


def _stats(mean, low, high, sd=0.01, by_seed=None):
    return {"mean": mean, "sd": sd, "ci95_low": low, "ci95_high": high, **({"by_seed": by_seed} if by_seed else {})}


def _vote(mean):
    return {"mnist_simple: test.r2_vs_mean_image": {"label": "R² vs mean image", "seeds": 3, **_stats(mean, mean - 0.1, mean + 0.1)}}


REFERENCE = {"commit": "abc1234",
             "variants": {"a": {"seeds": 3, "test.r2": _stats(0.5, 0.4, 0.6, by_seed={"0": 0.49, "1": 0.5, "2": 0.51}),
                                "objective.kl": _stats(4.0, 3.9, 4.1)},
                          "gone": {"seeds": 3, "test.r2": _stats(0.1, 0.0, 0.2)}},
             "rows": {"R1": {"verdict": "no", "vote": _vote(0.4)}, "M1": {"verdict": "yes", "vote": _vote(0.7)},
                      "X9": {"verdict": "yes", "vote": _vote(0.1)}},
             "statements": {R1: "no"}}


def test_numbers_outside_and_answers_that_changed_are_named_with_their_cause():
    sources = {"a": {"seeds": 3, "test.r2": _stats(0.5, 0.4, 0.6, by_seed={"0": 0.49, "1": 0.5, "2": 0.51}),
                     "objective.kl": _stats(4.3, 4.2, 4.4)}}
    verdicts = {"R1": {"verdict": "no", "vote": _vote(0.4)}, "R1k": {"verdict": "unclear", "vote": _vote(0.5)},
                "M1": {"verdict": "unclear", "vote": _vote(0.6)}}
    rows = {(row["variant"], row["metric"]): row for row in compare(REFERENCE, sources)}
    same, moved = rows["a", "test.r2"], rows["a", "objective.kl"]
    assert (same["inside"], same["consistent"], same["identical"]) == (True, True, True)
    assert (moved["inside"], moved["consistent"], moved["identical"]) == (False, False, False)
    assert rows["gone", "test.r2"]["now"] is None
    changed = changed_answers(REFERENCE, verdicts)
    assert changed["rows"] == [("M1", "yes", "unclear")] and changed["new"] == ["R1k"] and changed["gone"] == ["X9"]
    assert changed["statements"][0] == (R1, "no", "depends", ["R1k"])  # no number moved: a new row changed it
    table = rerun_table(REFERENCE, sources, verdicts)
    assert table.startswith("Against the committed study (abc1234): 0 of 3 runs changed, the others are the same to "
                            "the last bit. Of 2 headline numbers, 1 lie inside the earlier 95% interval (for independent "
                            "seeds about 0 would fall outside by chance alone), 1 have a Welch interval of the difference "
                            "that contains zero, and 1 of 1 a paired interval of the mean per-seed change that contains zero (a "
                            "rerun repeats each seed's initial weights and batch order; of the 0 whose runs changed, about "
                            "0 would miss zero by chance alone)")
    assert "not in the current results: `gone` test.r2." in table.splitlines()[0]
    assert "| `a` | 3 / 3 | 0 of 3 | 1 of 2 | 1 of 2 | 1 of 1 |  | objective.kl: 4 [3.9, 4.1] then, 4.3 [4.2, 4.4] now |" in table
    assert "| `a` | test.r2 | 0.5 [0.4, 0.6] | 0.5 [0.4, 0.6] | 0 [-0.0227, 0.0227] | 0: +0, 1: +0, 2: +0 | 0 [0, 0] |" in table
    assert f'| "{R1}" | no | depends | it gained rows R1k |' in table
    assert "| M1 | MNIST, simple: most digits are distinct in the latent means | yes: R² vs mean image: 0.7 [0.6, 0.8] | " \
           "unclear: R² vs mean image: 0.6 [0.5, 0.7] |" in table


def test_welch_difference_matches_scipy_on_the_seeds():
    earlier, now = np.array([0.50, 0.52, 0.55]), np.array([0.56, 0.57, 0.61, 0.58])
    summary = [{"mean": values.mean(), "sd": values.std(ddof=1)} for values in (earlier, now)]
    difference, low, high = welch_difference(*summary, seeds=(3, 4))
    expected = stats.ttest_ind(now, earlier, equal_var=False).confidence_interval(0.95)
    assert difference == pytest.approx(now.mean() - earlier.mean())
    assert (low, high) == pytest.approx((expected.low, expected.high))


def test_a_faithful_rerun_of_three_seeds_falls_outside_the_earlier_interval_at_the_stated_rate():
    """Both studies drawn from one distribution: the new mean leaves the old 95% interval of the mean about
    OUTSIDE_BY_CHANCE of the time, while Welch's interval of the difference misses zero about 5%."""
    rng = np.random.default_rng(0)
    earlier, now = rng.normal(0, 1, (40000, 3)), rng.normal(0, 1, (40000, 3))
    half = stats.t.ppf(0.975, 2) * earlier.std(axis=1, ddof=1) / np.sqrt(3)
    outside = np.mean(np.abs(now.mean(axis=1) - earlier.mean(axis=1)) > half)
    assert outside == pytest.approx(OUTSIDE_BY_CHANCE, abs=0.006)
    misses = 0
    for old, new in zip(earlier[:4000], now[:4000]):
        _, low, high = welch_difference({"mean": old.mean(), "sd": old.std(ddof=1)},
                                        {"mean": new.mean(), "sd": new.std(ddof=1)}, (3, 3))
        misses += not low <= 0 <= high
    assert misses / 4000 < 0.06


def test_the_committed_reference_is_what_freeze_study_writes_from_its_commit(tmp_path):
    """metrics/reference/ holds a study frozen from a commit; freezing that commit again gives the same file, but for
    the seed-by-seed values (minutes of recomputing: left out here), which must be the seeds its summaries rest on,
    each under its own seed."""
    (reference,) = sorted((PROJECT_ROOT / "metrics" / "reference").glob("study-*.json"))
    frozen = json.loads(reference.read_text())
    for variant in frozen["variants"].values():
        for metric, numbers in variant.items():
            if metric != "seeds":
                values = list(numbers.pop("by_seed").values())
                assert len(values) == variant["seeds"] and (min(values), max(values)) == (numbers["min"], numbers["max"])
                assert np.mean(values) == pytest.approx(numbers["mean"], rel=1e-12)
    if subprocess.run(["git", "cat-file", "-e", frozen["commit"]], cwd=PROJECT_ROOT, capture_output=True).returncode:
        pytest.skip(f"{frozen['commit']} is not in this clone's history (a shallow clone)")
    for variant, numbers in json.loads(reference.read_text())["variants"].items():  # each value under its own seed
        for seed, value in numbers["test.r2"]["by_seed"].items():
            run = subprocess.run(["git", "show", f"{frozen['commit']}:metrics/eval/{variant}/seed-{seed}.json"],
                                 cwd=PROJECT_ROOT, check=True, capture_output=True, text=True).stdout
            assert json.loads(run)["test"]["r2"] == value, (variant, seed)
    out = tmp_path / "again.json"
    subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "freeze_study.py"), frozen["commit"], "--out", str(out),
                    "--without-seed-values"], check=True, capture_output=True, cwd=PROJECT_ROOT)
    assert json.loads(out.read_text()) == frozen


def test_seed_by_seed_the_paired_interval_finds_a_shift_of_every_run_that_the_interval_checks_pass():
    """A rerun of the same seeds pairs with the earlier runs: a change of one seed sd in every run (a code change)
    passes both unpaired checks (inside the interval, Welch contains zero) and fails the paired one; the table says so."""
    then = {"0": 0.40, "1": 0.50, "2": 0.60}
    earlier = _stats(0.5, 0.252, 0.748, sd=0.1, by_seed=then)
    shifted = {seed: value + 0.1 + noise for (seed, value), noise in zip(then.items(), (0.001, -0.002, 0.001))}
    now = _stats(0.6, 0.352, 0.848, sd=0.1, by_seed=shifted)
    reference = {**REFERENCE, "variants": {"a": {"seeds": 3, "test.r2": earlier}}}
    (row,) = compare(reference, {"a": {"seeds": 3, "test.r2": now}})
    assert row["inside"] and row["consistent"] and not row["paired_consistent"]
    assert list(row["changes"].values()) == pytest.approx([0.101, 0.098, 0.101])
    table = rerun_table(reference, {"a": {"seeds": 3, "test.r2": now}}, {})
    assert "3 of 3 runs changed" in table and "and 0 of 1 a paired interval of the mean per-seed change" in table
    assert f"| `a` | 3 / 3 | 3 of 3 | 1 of 1 | 1 of 1 | 0 of 1 | 1.01 ({fresh_seed_median(3, 3):.2f}) |  |" in table
    unchanged = compare(reference, {"a": {"seeds": 3, "test.r2": earlier}})[0]
    assert unchanged["paired_consistent"] and unchanged["identical"] and not any(unchanged["changes"].values())


def test_the_pooled_sd_weighs_each_study_by_its_degrees_of_freedom_and_skips_a_single_seed():
    assert pooled_sd({"sd": 1.0}, {"sd": 3.0}, (3, 3)) == pytest.approx(math.sqrt(5))
    assert pooled_sd({"sd": 1.0}, {"sd": 3.0}, (3, 2)) == pytest.approx(math.sqrt((2 + 9) / 3))
    assert pooled_sd({"sd": 2.0}, {"sd": None}, (3, 1)) == 2.0 and pooled_sd({"sd": None}, {"sd": None}, (1, 1)) is None


def test_a_fresh_seed_moves_a_run_by_the_stated_median_on_synthetic_runs():
    """The yardstick beside each variant: with the sd known a fresh seed moves a number by 0.954 sds (median of
    |X - Y|); in an sd pooled from three seeds per study, as the table measures, by about 1.09."""
    rng = np.random.default_rng(1)
    assert np.median(np.abs(rng.normal(size=200000) - rng.normal(size=200000))) == pytest.approx(0.954, abs=0.01)
    sizes = []
    for then_draws, now_draws in zip(rng.normal(size=(10000, 3)), rng.normal(size=(10000, 3))):
        studies = [{"sd": draws.std(ddof=1), "by_seed": {str(seed): value for seed, value in enumerate(draws)}}
                   for draws in (then_draws, now_draws)]
        unit = pooled_sd(*studies, (3, 3))
        sizes += [abs(change) / unit for change in seed_changes(*studies).values()]
    assert np.median(sizes) == pytest.approx(fresh_seed_median(3, 3), abs=0.02)
    assert fresh_seed_median(3, 3) == pytest.approx(1.09, abs=0.01)

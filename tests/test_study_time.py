"""The study's time as docs report it: runs side by side count once, gaps between sessions not at all."""

import sys

from conftest import PROJECT_ROOT, run_command

LOG = """# header
2026-12-01T05:00:00Z start embed-mnist@mnist_flat-0 (core 0)
2026-12-01T05:00:30Z start embed-mnist@mnist_flat-1 (core 1)
2026-12-01T05:01:00Z done embed-mnist@mnist_flat-0 fit 50.0 s, 1000.0 images/s
2026-12-01T05:02:00Z done embed-mnist@mnist_flat-1 fit 80.0 s, 900.0 images/s
2026-12-01T05:02:30Z start embed-cifar10@cifar10_deep-0
# runner stopped: the session ended before cifar10_deep-0 finished
2026-12-01T07:00:00Z start embed-cifar10@cifar10_deep-0
2026-12-01T07:45:00Z done embed-cifar10@cifar10_deep-0 fit 2600.0 s, 190.0 images/s
2026-12-01T07:46:00Z check, summarize, plot, claims: done
"""


def test_busy_time_is_the_union_of_run_spans_and_fit_time_their_sum(tmp_path):
    log = tmp_path / "study-run.log"
    log.write_text(LOG)
    result = run_command([sys.executable, str(PROJECT_ROOT / "scripts" / "study_time.py"), str(log)], cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("cifar10_deep ") and "1 runs, fit   43.3 min (2600 s)" in lines[0]
    assert "2 runs, fit    2.2 min (50, 80 s)" in lines[1]
    # 05:00:00-05:02:00 (two runs overlapping) + 07:00:00-07:45:00 (the restart counts, the unfinished start not)
    assert lines[-1] == "3 runs: busy 0.78 h of wall time; summed fit 0.76 h"


def test_since_counts_one_study_of_a_log_that_holds_several(tmp_path):
    log = tmp_path / "study-run.log"
    log.write_text(LOG)
    result = run_command([sys.executable, str(PROJECT_ROOT / "scripts" / "study_time.py"), str(log),
                          "--since", "2026-12-01T06:00:00Z"], cwd=tmp_path)
    assert result.stdout.splitlines() == ["cifar10_deep               1 runs, fit   43.3 min (2600 s)",
                                          "1 runs: busy 0.75 h of wall time; summed fit 0.72 h"]


def test_until_counts_the_study_before_a_later_one(tmp_path):
    log = tmp_path / "study-run.log"
    log.write_text(LOG)
    result = run_command([sys.executable, str(PROJECT_ROOT / "scripts" / "study_time.py"), str(log),
                          "--until", "2026-12-01T06:00:00Z"], cwd=tmp_path)
    assert result.stdout.splitlines()[-1] == "2 runs: busy 0.03 h of wall time; summed fit 0.04 h"

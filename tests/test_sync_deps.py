"""scripts/sync_deps.py rewrites each stage's code deps from its imports, and leaves everything else in dvc.yaml."""

import shutil
import sys

from conftest import PROJECT_ROOT, run_command
from sync_deps import synced

PIPELINE = (PROJECT_ROOT / "dvc.yaml").read_text()


def test_a_dropped_and_a_stray_code_dep_are_put_right_and_the_rest_is_kept():
    broken = PIPELINE.replace("      - src/vae_study/report/claims_tables.py\n", "", 1)
    broken = broken.replace("      - stages/claims.py\n", "      - stages/claims.py\n      - src/vae_study/core/training.py\n", 1)
    assert broken != PIPELINE and synced(broken) == PIPELINE
    assert synced(PIPELINE) == PIPELINE  # the committed dvc.yaml is already in sync, and a second pass changes nothing


def test_check_reports_a_difference_without_writing(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "sync_deps.py").write_text((PROJECT_ROOT / "scripts" / "sync_deps.py").read_text())
    for name in ("src", "stages"):
        shutil.copytree(PROJECT_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    stale = PIPELINE.replace("      - src/vae_study/report/claims_tables.py\n", "", 1)
    (tmp_path / "dvc.yaml").write_text(stale)
    result = run_command([sys.executable, "scripts/sync_deps.py", "--check"], cwd=tmp_path, check=False)
    assert result.returncode == 1 and "code deps differ" in result.stderr
    assert (tmp_path / "dvc.yaml").read_text() == stale
    run_command([sys.executable, "scripts/sync_deps.py"], cwd=tmp_path)
    assert (tmp_path / "dvc.yaml").read_text() == PIPELINE

"""scripts/run_study.py commits each finished run's dvc.lock entries, even while DVC rewrites the file for another run."""

import importlib.util
import subprocess
import threading
import time

from conftest import PROJECT_ROOT

LOCK = "schema: '2.0'\nstages:\n  a:\n    cmd: python a.py\n"
FULL = LOCK + "  b:\n    cmd: python b.py\n    outs:\n    - path: metrics/b.json\n      md5: 0\n"


def _run_study(root):
    spec = importlib.util.spec_from_file_location("run_study_under_test", PROJECT_ROOT / "scripts" / "run_study.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.ROOT = root
    return module


def test_a_lock_read_mid_write_is_read_again_until_it_has_the_finished_stage(tmp_path):
    """Another run's DVC process truncates and rewrites dvc.lock: a read at that moment can parse as a shorter valid
    file without the finished stage's entry. The commit waits for it instead of failing (as it once did, KeyError)."""
    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path, check=True,
                              capture_output=True, text=True).stdout

    git("init", "-q")
    (tmp_path / "dvc.lock").write_text(LOCK)
    git("add", "dvc.lock")
    git("commit", "-qm", "start")
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "b.json").write_text("{}\n")
    threading.Timer(1.5, lambda: (tmp_path / "dvc.lock").write_text(FULL)).start()  # the other process finishes writing
    module = _run_study(tmp_path)
    module.git = lambda *args, stdin=None: subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path, input=stdin, check=True,
        capture_output=True, text=True).stdout
    started = time.monotonic()
    module.commit_stages(["b"], "study: run b")
    assert time.monotonic() - started >= 1
    assert "b:" in git("show", "HEAD:dvc.lock") and git("show", "HEAD:metrics/b.json") == "{}\n"
    assert git("log", "--format=%s").splitlines()[0] == "study: run b"


FAKE_DVC = """#!{python}
import pathlib, sys, time
calls = pathlib.Path(sys.argv[0]).with_suffix(".calls")
calls.write_text(calls.read_text() + "x" if calls.exists() else "x")
if len(calls.read_text()) == 1:
    print("ERROR: Unable to acquire lock", file=sys.stderr)
    sys.exit(1)
print("Epoch 1/2")
time.sleep(3)
print("Epoch 2/2")
"""


def test_a_runs_log_shows_each_epoch_while_it_trains_and_a_busy_lock_is_retried(tmp_path, monkeypatch):
    """The per-run log is the only progress a user sees during an hour-long run: DVC's output (Python's print,
    block-buffered into a file unless told otherwise) must reach it as it is written, not when the run ends."""
    import sys

    fake = tmp_path / "dvc"
    fake.write_text(FAKE_DVC.format(python=sys.executable))
    fake.chmod(0o755)
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)  # the runner sets it, whatever the caller's shell has
    module = _run_study(tmp_path)
    module.DVC, module.LOCK_RETRY_SECONDS = str(fake), 0
    log = tmp_path / "run.log"
    done = []
    worker = threading.Thread(target=lambda: done.append(module.dvc(["repro", "-s", "train"], log)))
    worker.start()
    deadline = time.monotonic() + 60
    while "Epoch 1/2" not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Epoch 1/2" in log.read_text() and "Epoch 2/2" not in log.read_text() and not done
    worker.join()
    assert done[0].returncode == 0 and "Epoch 2/2" in done[0].stdout and "Unable to acquire lock" not in done[0].stdout
    assert log.read_text().count("$ ") == 2  # the busy try, then the run

"""Kill a training stage's whole process group (DVC included) at a chosen point, like a kill -9 would.

Python imports this file at start-up when its folder is on PYTHONPATH. It acts only
in ``stages/train.py`` and only when KILL_AT names a point; the test that sets it
starts ``dvc repro`` in a new session, so the group killed is DVC and its stage.
  checkpoint: while the checkpoint of epoch 2 is being written (files in its scratch folder)
  history:    while the per-epoch CSV is being written (the per-batch one already in place)
  model:      while the model is being saved (written, not yet moved into place)
"""

import os
import signal
import sys

POINT = os.environ.get("KILL_AT")


def _kill() -> None:
    os.killpg(0, signal.SIGKILL)


if POINT and sys.argv and sys.argv[0].endswith(os.path.join("stages", "train.py")):
    if POINT == "checkpoint":
        from vae_study.core import checkpoints

        original_fsync = checkpoints._fsync

        def _fsync(path):
            original_fsync(path)
            if "scratch-epoch-0002" in str(path) and path.name == "state.npz":
                _kill()

        checkpoints._fsync = _fsync
    elif POINT == "history":
        import pandas

        original_to_csv = pandas.DataFrame.to_csv

        def to_csv(self, path=None, *args, **kwargs):
            result = original_to_csv(self, path, *args, **kwargs)
            if str(path).endswith(".epochs.partial.csv"):
                _kill()
            return result

        pandas.DataFrame.to_csv = to_csv
    elif POINT == "model":
        original_replace = os.replace

        def replace(source, target, *args, **kwargs):
            if str(target).endswith(".keras"):
                _kill()
            return original_replace(source, target, *args, **kwargs)

        os.replace = replace
    else:
        raise SystemExit(f"KILL_AT = {POINT!r}: use checkpoint, history or model")

"""Process-wide TensorFlow settings chosen from the params before TensorFlow loads."""

import subprocess
import sys

import pytest

from vae_study.core.backend import use_onednn

REPORT = (
    "import sys; from vae_study.core.backend import use_onednn; use_onednn(sys.argv[1] == 'on'); "
    "from tensorflow.python.util import _pywrap_util_port as port; print(port.IsMklEnabled())"
)


@pytest.mark.parametrize("switch, enabled", [("on", "True"), ("off", "False")])
def test_onednn_switch_reaches_tensorflow(switch, enabled, monkeypatch):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0" if switch == "on" else "1")  # the param wins over the shell
    finished = subprocess.run([sys.executable, "-c", REPORT, switch], capture_output=True, text=True, check=True)
    assert finished.stdout.strip() == enabled


def test_stage_plumbing_does_not_import_tensorflow():
    """The train stage reads params and sets the switch before anything loads TensorFlow."""
    script = (
        "import sys, vae_study, vae_study.core.backend, vae_study.core.stage_runner, vae_study.core.datasets, vae_study.core.params, "
        "vae_study.core.paths; print('tensorflow' in sys.modules)"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert finished.stdout.strip() == "False"


def test_onednn_switch_after_tensorflow_import_is_refused():
    import tensorflow  # noqa: F401

    with pytest.raises(RuntimeError, match="before TensorFlow is imported"):
        use_onednn(True)


QUIET_LOAD = """
import os
from vae_study.core.backend import TENSORFLOW_STARTUP_NOISE, filtered_stderr, load_tensorflow_quietly
load_tensorflow_quietly()
with filtered_stderr(TENSORFLOW_STARTUP_NOISE):
    os.write(2, b"I0000 00:00:1.0  1 port.cc:153] oneDNN custom operations are on.\\nE0000 a real error\\n")
"""


def test_tensorflow_loads_without_its_startup_lines_and_other_lines_still_show():
    """A CPU-only run prints none of TensorFlow's C++ start-up lines (the failed cuInit among them); other lines pass."""
    finished = subprocess.run([sys.executable, "-c", QUIET_LOAD], capture_output=True, text=True, check=True)
    assert finished.stderr == "E0000 a real error\n"

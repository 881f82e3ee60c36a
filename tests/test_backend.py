"""Process-wide TensorFlow settings chosen from the params before TensorFlow loads."""

import subprocess
import sys

import pytest

from vae_study.backend import use_onednn

REPORT = (
    "import sys; from vae_study.backend import use_onednn; use_onednn(sys.argv[1] == 'on'); "
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
        "import sys, vae_study, vae_study.backend, vae_study.cli, vae_study.datasets, vae_study.params, "
        "vae_study.paths; print('tensorflow' in sys.modules)"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert finished.stdout.strip() == "False"


def test_onednn_switch_after_tensorflow_import_is_refused():
    import tensorflow  # noqa: F401

    with pytest.raises(RuntimeError, match="before TensorFlow is imported"):
        use_onednn(True)

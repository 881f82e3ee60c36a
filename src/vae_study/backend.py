"""TensorFlow settings that hold for a whole process and must be chosen before TensorFlow loads."""

import os
import sys

ONEDNN_ENV = "TF_ENABLE_ONEDNN_OPTS"


def use_onednn(enabled: bool) -> None:
    """Turn TensorFlow's oneDNN CPU kernels on or off for this process.

    TensorFlow reads the switch once, when it is imported, and by default turns
    oneDNN on only on CPUs with AVX-512 VNNI/BF16 or AMX. Setting it from the
    params makes the choice, which changes float rounding, part of the run's
    recorded configuration rather than of the machine or the shell.
    """
    if "tensorflow" in sys.modules:
        raise RuntimeError("use_onednn() must run before TensorFlow is imported; it has been imported already")
    os.environ[ONEDNN_ENV] = "1" if enabled else "0"

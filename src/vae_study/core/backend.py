"""Process-wide settings that must be chosen before Keras or TensorFlow loads.

The train stage applies them from the params, so each run's Keras backend and
TensorFlow kernels are part of its recorded configuration rather than of the
machine or the shell.
"""

import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from vae_study.core.errors import PipelineError

ONEDNN_ENV = "TF_ENABLE_ONEDNN_OPTS"
BACKEND_ENV = "KERAS_BACKEND"
BACKENDS = ("tensorflow", "jax")
INSTALL_HINT = {"tensorflow": "pip install -e .", "jax": "pip install -e '.[jax]'"}
# What TensorFlow's C++ side prints while it loads and finds its devices: absl's notice, info and warning lines
# (oneDNN, no CUDA drivers, CPU features), and on a machine without a GPU driver the failed cuInit, which reads as
# an error but is the normal state of a CPU-only machine. absl writes them before TF_CPP_MIN_LOG_LEVEL applies.
TENSORFLOW_STARTUP_NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} .*"
    r"|E\d{4} .*failed call to cuInit.*"
    r"|To enable the following instructions: .*"
)


def use_onednn(enabled: bool) -> None:
    """Turn TensorFlow's oneDNN CPU kernels on or off for this process.

    TensorFlow reads the switch once, when it is imported, and by default turns
    oneDNN on only on CPUs with AVX-512 VNNI/BF16 or AMX. It changes float rounding.
    """
    if "tensorflow" in sys.modules:
        raise RuntimeError("use_onednn() must run before TensorFlow is imported; it has been imported already")
    os.environ[ONEDNN_ENV] = "1" if enabled else "0"


def use_backend(name: str, where: str = "train.backend") -> None:
    """Make ``name`` the Keras backend of this process; fail clearly if it is not installed."""
    if name not in BACKENDS:
        raise PipelineError(f"{where} = {name!r} is invalid; use one of {', '.join(BACKENDS)}")
    if "keras" in sys.modules:
        import keras

        if keras.backend.backend() != name:
            raise RuntimeError(f"use_backend({name!r}) must run before Keras is imported; Keras runs on {keras.backend.backend()}")
        return
    if not _installed(name):
        raise PipelineError(f"{where} = {name!r} but {name} is not installed; install it with {INSTALL_HINT[name]}")
    os.environ[BACKEND_ENV] = name


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a finder that refuses the module: as good as absent
        return False


@contextmanager
def filtered_stderr(noise: re.Pattern) -> Iterator[None]:
    """Whatever the block writes to file descriptor 2 (C++ code included), less the lines ``noise`` matches, written
    to stderr after it."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().decode(errors="replace").splitlines(keepends=True)
            sys.stderr.write("".join(line for line in lines if not noise.fullmatch(line.rstrip("\n"))))
            sys.stderr.flush()


def load_tensorflow_quietly() -> None:
    """Import TensorFlow and let it find its devices with its start-up lines filtered out; any other line it prints
    (a real error) still reaches stderr."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's own logs after start-up: errors only
    with filtered_stderr(TENSORFLOW_STARTUP_NOISE):
        import tensorflow as tf

        tf.config.list_physical_devices()  # initialises the platforms (CUDA's probe among them) inside the filter


def apply_train_settings(train) -> None:
    """Backend and oneDNN switch of a variant's ``train`` params, before anything imports Keras; on TensorFlow, loads
    it without its start-up lines."""
    use_backend(train.backend)
    if train.backend == "tensorflow":
        use_onednn(train.onednn)
        load_tensorflow_quietly()


def replica_share(loss):
    """The share of a batch's loss that one replica contributes under ``tf.distribute``.

    Keras's TensorFlow trainer sums gradients over replicas (and unscales the logged
    loss), and its built-in losses scale themselves down by the replica count with
    this Keras function; a ``compute_loss`` of our own must call it too. It does
    nothing on other backends, which shard one global batch.
    """
    from keras.src.losses.loss import scale_loss_for_distribution

    return scale_loss_for_distribution(loss)


def replica_mean(value):
    """The mean of ``value`` over the replicas of a ``tf.distribute`` step, so logs show the whole batch.

    Each replica sees only its slice of the batch; the per-batch loss terms are
    logged for the global batch. Other backends see the global batch already.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        return value
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return value
    return context.all_reduce(tf.distribute.ReduceOp.MEAN, value)

"""What produced a run: library versions and the processor, recorded in each run's training metrics.

Exact reruns hold for the same versions on the same kind of machine; this record is
what lets a reader tell whether two runs could have matched bit for bit.
"""

import os
import platform
from importlib import metadata
from pathlib import Path

PACKAGES = ("keras", "tensorflow", "jax", "jaxlib", "numpy")


def cpu_model() -> str:
    """The processor's model name (Linux /proc/cpuinfo), else what the platform module reports."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def accelerators() -> list[str]:
    """The accelerators the running Keras backend sees (empty on a CPU-only run)."""
    import keras

    if keras.backend.backend() == "jax":
        import jax

        return [device.device_kind for device in jax.devices() if device.platform != "cpu"]
    import tensorflow as tf

    return [tf.config.experimental.get_device_details(device).get("device_name", device.name)
            for device in tf.config.list_physical_devices("GPU")]


def describe() -> dict:
    """Versions of the installed numerical libraries, the Keras backend, the CPU and any accelerators."""
    import keras

    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return {
        "python": platform.python_version(),
        **versions,
        "keras_backend": keras.backend.backend(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "accelerators": accelerators(),
    }

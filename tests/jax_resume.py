"""On JAX: train the toy variant uninterrupted, then stopped at the start of epoch 2 and resumed; print both logs' equality.

Usage: python jax_resume.py DIRECTORY   (one process: JAX compiles once for all three runs)
"""

import sys
from pathlib import Path

from vae_study.core.backend import use_backend

use_backend("jax")
from toy_training import outputs_in, stop_at_epoch, toy_data, toy_variant  # noqa: E402

from vae_study.core.training import train_variant  # noqa: E402

root = Path(sys.argv[1])
variant, data = toy_variant(epochs=3, backend="jax"), toy_data(24)
train_variant(variant, data, outputs_in(root / "whole"))
try:
    train_variant(variant, data, outputs_in(root / "resumed"), extra_callbacks=[stop_at_epoch(2)])
except KeyboardInterrupt:
    print("stopped at the start of epoch 2")
train_variant(variant, data, outputs_in(root / "resumed"))

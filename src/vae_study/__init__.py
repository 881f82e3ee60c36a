"""Convolutional VAE study as a reproducible DVC pipeline.

Importing the package registers the custom Keras objects, so a saved model
loads with ``keras.saving.load_model`` and nothing else.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from vae_study import model  # noqa: E402  (registers VAE and Sampling with Keras)
from vae_study.errors import PipelineError  # noqa: E402

__all__ = ["PipelineError", "model"]

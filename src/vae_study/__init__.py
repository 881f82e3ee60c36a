"""Convolutional VAE study as a reproducible DVC pipeline.

Importing the package does not import TensorFlow, so a stage can choose
process-wide TensorFlow settings (``vae_study.backend``) first. Import
``vae_study.model`` before ``keras.saving.load_model`` to register the
custom Keras objects.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from vae_study.errors import PipelineError  # noqa: E402

__all__ = ["PipelineError"]

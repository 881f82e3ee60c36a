"""Convolutional VAE study as a reproducible DVC pipeline.

Importing the package registers the custom Keras objects, so a saved model
loads with ``keras.saving.load_model`` and nothing else.
"""

from vae_study.errors import PipelineError

__all__ = ["PipelineError"]

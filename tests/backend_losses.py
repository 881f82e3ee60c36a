"""Per-batch training losses of the toy VAE on one backend, from given initial weights (run in its own process).

Usage: python backend_losses.py BACKEND WEIGHTS OUTPUT
Writes the initial weights to WEIGHTS first if it does not exist yet. OUTPUT (.npz) gets two series of
12 Adam steps from those weights: ``sampled`` (as trained) and ``mean`` (z = latent mean, so that the
backends' different random generators do not enter).
"""

import sys

import numpy as np

from vae_study.core.backend import use_backend

backend, weights, output = sys.argv[1:4]
use_backend(backend)
from pathlib import Path  # noqa: E402

import keras  # noqa: E402
from toy_training import toy_data, toy_variant  # noqa: E402

from vae_study.core.batching import training_batches  # noqa: E402
from vae_study.core.datasets import scale_images  # noqa: E402
from vae_study.core.model import Sampling, build_vae  # noqa: E402


def losses() -> list[float]:
    keras.utils.set_random_seed(0)  # the same initial weights (when written) and sampler seed on every run
    model = build_vae(toy_variant(backend=backend), (16, 16, 1))
    if Path(weights).exists():
        model.load_weights(weights)
    else:
        model.save_weights(weights)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    images = scale_images(toy_data(24).splits["train"].images)
    return [float(model.train_on_batch(batch, return_dict=True)["batch_loss"]) for batch in training_batches(images, 4, 0, 0, 2)]


sampled = losses()
Sampling.call = lambda self, inputs: inputs[0]
np.savez(output, sampled=sampled, mean=losses())

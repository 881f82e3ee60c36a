"""Per-batch training losses of the toy VAE on one backend, from given initial weights (run in its own process).

Usage: python backend_losses.py BACKEND WEIGHTS OUTPUT [--no-noise]
Writes the initial weights to WEIGHTS first if it does not exist yet.
--no-noise decodes the latent mean (z = mean) so that the backends' different random generators do not enter.
"""

import sys

import numpy as np

from vae_study.backend import use_backend

backend, weights, output = sys.argv[1:4]
use_backend(backend)
from pathlib import Path  # noqa: E402

import keras  # noqa: E402

from toy_training import toy_data, toy_variant  # noqa: E402
from vae_study.batching import training_batches  # noqa: E402
from vae_study.datasets import scale_images  # noqa: E402
from vae_study.model import Sampling, build_vae  # noqa: E402

if "--no-noise" in sys.argv:
    Sampling.call = lambda self, inputs: inputs[0]
model = build_vae(toy_variant(backend=backend), (16, 16, 1))
if Path(weights).exists():
    model.load_weights(weights)
else:
    model.save_weights(weights)
model.compile(optimizer=keras.optimizers.Adam(1e-3))
losses = []
for batch in training_batches(scale_images(toy_data(24).splits["train"].images), 4, 0, 0, 2):
    losses.append(float(model.train_on_batch(batch, return_dict=True)["batch_loss"]))
np.save(output, np.array(losses))

"""The study's convolutional VAE, after the Keras VAE example, with the network settings other published VAEs need.

Encoder: per conv layer a 3x3 convolution with ReLU (stride and padding from the network params) and, by default,
2x2 max pooling, then the dense layers and two linear heads (latent mean and log-variance). Decoder: the dense
layers mirrored, a dense layer to a grid (the last conv layer's filters, or ``decoder_grid_filters``), stride-2
transposed convolutions back up, cropping to the input size when it is not a multiple of 2^k, and a 3x3 sigmoid
output layer (a convolution, or a stride-1 transposed one). With no conv layers (``conv_filters: []``) both are
flat, fully connected networks: the decoder's last dense layer outputs the pixels through a sigmoid.
"""

import math
from dataclasses import asdict

import keras
from keras import layers, ops

from vae_study.core.backend import replica_mean, replica_share
from vae_study.core.errors import PipelineError
from vae_study.core.loss_kinds import loss_kind

PACKAGE = "vae_study"
LOSS_TERMS = ("loss", "reconstruction", "kl")


@keras.saving.register_keras_serializable(package=PACKAGE)
class Sampling(layers.Layer):
    """Reparameterised draw z = mean + sigma * eps from a seeded generator."""

    def __init__(self, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_var = inputs
        epsilon = keras.random.normal(ops.shape(mean), dtype=mean.dtype, seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * epsilon

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def encoded_size(size: int, conv_layers: int, strides: int = 1, padding: str = "valid", pooling: bool = True) -> int:
    """Spatial size after ``conv_layers`` rounds of 3x3 convolution (and 2x2 pooling, if on)."""
    for _ in range(conv_layers):
        size = -(-size // strides) if padding == "same" else (size - 3) // strides + 1
        if pooling:
            size //= 2
    return size


def check_architecture(image_shape: tuple[int, int, int], conv_filters, where: str, network=None) -> None:
    height, width, _ = image_shape
    shape = {} if network is None else {"strides": network.conv_strides, "padding": network.conv_padding, "pooling": network.pooling}
    if min(encoded_size(height, len(conv_filters), **shape), encoded_size(width, len(conv_filters), **shape)) < 1:
        raise PipelineError(
            f"{where}.conv_filters = {list(conv_filters)} is too deep for {height}x{width} images: "
            f"the conv layers shrink the image below 1x1; use fewer conv layers"
        )


def build_encoder(image_shape, conv_filters, dense_units, latent_dim, strides=1, padding="valid", pooling=True) -> keras.Model:
    images = keras.Input(shape=image_shape, name="images")
    x = images
    for index, filters in enumerate(conv_filters):
        x = layers.Conv2D(filters, 3, strides=strides, padding=padding, activation="relu", name=f"conv_{index}")(x)
        if pooling:
            x = layers.MaxPooling2D(2, name=f"pool_{index}")(x)
    x = layers.Flatten(name="flatten")(x)
    for index, units in enumerate(dense_units):
        x = layers.Dense(units, activation="relu", name=f"dense_{index}")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean", dtype="float32")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var", dtype="float32")(x)
    return keras.Model(images, [z_mean, z_log_var], name="encoder")


def build_decoder(image_shape, conv_filters, dense_units, latent_dim, grid_filters=None, output="conv") -> keras.Model:
    height, width, channels = image_shape
    scale = 2 ** len(conv_filters)
    start_height, start_width = math.ceil(height / scale), math.ceil(width / scale)
    latent = keras.Input(shape=(latent_dim,), name="z")
    x = latent
    for index, units in enumerate(reversed(dense_units)):
        x = layers.Dense(units, activation="relu", name=f"dense_{index}")(x)
    if not conv_filters:
        pixels = layers.Dense(height * width * channels, activation="sigmoid", name="pixels", dtype="float32")(x)
        return keras.Model(latent, layers.Reshape(image_shape, name="image")(pixels), name="decoder")
    grid_filters = grid_filters or conv_filters[-1]
    x = layers.Dense(start_height * start_width * grid_filters, activation="relu", name="to_grid")(x)
    x = layers.Reshape((start_height, start_width, grid_filters), name="grid")(x)
    for index, filters in enumerate(reversed(conv_filters)):
        x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu", name=f"deconv_{index}")(x)
    extra_height, extra_width = start_height * scale - height, start_width * scale - width
    if extra_height or extra_width:
        x = layers.Cropping2D(
            ((extra_height // 2, extra_height - extra_height // 2), (extra_width // 2, extra_width - extra_width // 2)),
            name="crop",
        )(x)
    last = layers.Conv2D if output == "conv" else layers.Conv2DTranspose
    reconstruction = last(channels, 3, padding="same", activation="sigmoid", name="pixels", dtype="float32")(x)
    return keras.Model(latent, reconstruction, name="decoder")


def reconstruction_error(images, reconstruction, kind: str = "sum_squared", squared=None):
    """Per-image reconstruction error of the chosen kind (``vae_study.core.loss_kinds``).

    ``squared`` (the per-pixel squared errors) may be passed in when the caller has them already.
    """
    spec = loss_kind(kind)
    if spec.per_value == "binary_crossentropy":
        per_value = ops.binary_crossentropy(ops.cast(images, "float32"), ops.cast(reconstruction, "float32"))
    elif squared is None:
        per_value = ops.square(ops.cast(images, "float32") - ops.cast(reconstruction, "float32"))
    else:
        per_value = squared
    return (ops.sum if spec.summed_over_pixels else ops.mean)(per_value, axis=(1, 2, 3))


def loss_terms(images, reconstruction, z_mean, z_log_var, kl_weight: float, reconstruction_loss="sum_squared",
               reconstruction_weight: float = 1.0) -> dict:
    """Per-image loss terms averaged over the batch.

    reconstruction: the chosen reconstruction error (default: sum of squared
    errors over pixels and channels, n x the per-pixel MSE, as in the Keras
    reference VAE); kl: closed-form KL to N(0, I) summed over latent dimensions;
    loss = reconstruction_weight * reconstruction + kl_weight * kl. mse is the
    per-pixel MSE whatever the loss, so runs with different losses stay comparable.
    """
    squared = ops.square(ops.cast(images, "float32") - ops.cast(reconstruction, "float32"))
    reconstruction_term = ops.mean(reconstruction_error(images, reconstruction, reconstruction_loss, squared))
    kl = ops.mean(-0.5 * ops.sum(1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=1))
    return {
        "loss": reconstruction_weight * reconstruction_term + kl_weight * kl,
        "reconstruction": reconstruction_term,
        "kl": kl,
        "mse": ops.mean(squared),
    }


@keras.saving.register_keras_serializable(package=PACKAGE)
class VAE(keras.Model):
    """Encoder, sampler and decoder trained on reconstruction + kl_weight * KL.

    Backend-neutral, after Keras 3's advice: the forward pass is ``call`` and the
    loss is ``compute_loss``, so Keras's own ``train_step`` trains it on
    TensorFlow and JAX alike. Besides the epoch means, every step reports the raw
    loss terms of its own batch as ``batch_<term>`` so they can be logged exactly.
    """

    def __init__(
        self,
        image_shape,
        conv_filters,
        dense_units,
        latent_dim,
        kl_weight=1.0,
        seed=0,
        reconstruction_loss="sum_squared",
        reconstruction_weight=1.0,
        conv_strides=1,
        conv_padding="valid",
        pooling=True,
        decoder_grid_filters=None,
        decoder_output="conv",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_shape = tuple(image_shape)
        self.conv_filters = tuple(conv_filters)
        self.dense_units = tuple(dense_units)
        self.latent_dim = latent_dim
        self.kl_weight = float(kl_weight)
        self.seed = seed
        self.reconstruction_loss = reconstruction_loss
        self.reconstruction_weight = float(reconstruction_weight)
        self.network = {"conv_strides": conv_strides, "conv_padding": conv_padding, "pooling": pooling,
                        "decoder_grid_filters": decoder_grid_filters, "decoder_output": decoder_output}
        self.encoder = build_encoder(self.image_shape, self.conv_filters, self.dense_units, latent_dim, conv_strides,
                                     conv_padding, pooling)
        self.decoder = build_decoder(self.image_shape, self.conv_filters, self.dense_units, latent_dim,
                                     decoder_grid_filters, decoder_output)
        self.sampling = Sampling(seed, name="sampling")
        self.epoch_trackers = {name: keras.metrics.Mean(name=name) for name in (*LOSS_TERMS, "mse")}
        self.batch_trackers = {name: keras.metrics.Mean(name=f"batch_{name}") for name in LOSS_TERMS}

    @property
    def metrics(self):
        return [*self.epoch_trackers.values(), *self.batch_trackers.values()]

    def call(self, images, training=False):
        """Training decodes a sampled z; otherwise the latent mean (deterministic)."""
        z_mean, z_log_var = self.encoder(images, training=training)
        z = self.sampling([z_mean, z_log_var]) if training else z_mean
        return {"reconstruction": self.decoder(z, training=training), "z_mean": z_mean, "z_log_var": z_log_var}

    def reconstruct(self, images):
        """Decoded latent means of ``images``, as a NumPy array."""
        return ops.convert_to_numpy(self(images, training=False)["reconstruction"])

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        terms = loss_terms(x, y_pred["reconstruction"], y_pred["z_mean"], y_pred["z_log_var"], self.kl_weight,
                           self.reconstruction_loss, self.reconstruction_weight)
        logged = {name: replica_mean(value) for name, value in terms.items()}
        for name, tracker in self.epoch_trackers.items():
            tracker.update_state(logged[name])
        for name, tracker in self.batch_trackers.items():
            tracker.reset_state()
            tracker.update_state(logged[name])
        return replica_share(terms["loss"])

    def build(self, input_shape):
        """Encoder and decoder are built functional models; only the sampler needs a shape."""
        self.sampling.build([(None, self.latent_dim)] * 2)

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        """Skip Keras's look-ahead build under ``tf.distribute``: nothing is left to build.

        Keras 3 (3.15) takes that look-ahead batch from the training iterator itself,
        so with ``steps_per_epoch`` a distributed run would lose its last step, and under
        MultiWorkerMirroredStrategy it fails outright. ``build_vae`` builds the model and
        training builds the optimizer before ``fit``, which is all the look-ahead is for.
        """

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": list(self.image_shape),
            "conv_filters": list(self.conv_filters),
            "dense_units": list(self.dense_units),
            "latent_dim": self.latent_dim,
            "kl_weight": self.kl_weight,
            "seed": self.seed,
            "reconstruction_loss": self.reconstruction_loss,
            "reconstruction_weight": self.reconstruction_weight,
            **self.network,
        }


def build_vae(variant, image_shape) -> VAE:
    """The VAE a variant's params describe, for images of ``image_shape``."""
    check_architecture(image_shape, variant.conv_filters, f"variants.{variant.name}", variant.network)
    model = VAE(
        image_shape=image_shape,
        conv_filters=variant.conv_filters,
        dense_units=variant.dense_units,
        latent_dim=variant.latent_dim,
        kl_weight=variant.kl_weight,
        seed=variant.train.seed,
        reconstruction_loss=variant.reconstruction_loss,
        **asdict(variant.network),
        name=f"vae_{variant.name}",
    )
    model.build((None, *image_shape))
    return model

"""The VAE: shapes for the study's image sizes and an odd one, loss terms by hand, save and load."""

import sys

import numpy as np
import pytest
from conftest import requires_jax, run_command

from vae_study.core.errors import PipelineError
from vae_study.core.model import VAE, build_decoder, check_architecture, loss_terms, reconstruction_error


@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3), (30, 27, 3)], ids=["mnist", "cifar10", "odd"])
@pytest.mark.parametrize(
    "filters, units", [((32, 64), (256, 64)), ((32, 128), (1024, 256, 32)), ((), (256, 64))], ids=["simple", "deep", "flat"]
)
def test_shapes(shape, filters, units):
    model = VAE(shape, filters, units, latent_dim=3)
    images = np.random.default_rng(0).random((2, *shape), dtype=np.float32)
    z_mean, z_log_var = model.encoder(images)
    assert z_mean.shape == z_log_var.shape == (2, 3)
    reconstruction = model.reconstruct(images)
    assert reconstruction.shape == (2, *shape)
    assert reconstruction.min() >= 0 and reconstruction.max() <= 1


def test_flat_vae_has_no_conv_layers():
    model = VAE((28, 28, 1), (), (256, 64), latent_dim=2)
    kinds = {type(layer).__name__ for part in (model.encoder, model.decoder) for layer in part.layers}
    assert not kinds & {"Conv2D", "Conv2DTranspose", "MaxPooling2D"}
    assert model.decoder.output.shape == (None, 28, 28, 1)


def test_too_deep_for_the_image_is_refused():
    with pytest.raises(PipelineError, match=r"conv_filters = \[8, 8, 8\] is too deep for 12x12 images"):
        check_architecture((12, 12, 1), (8, 8, 8), "variants.toy")


def test_loss_terms_match_a_hand_computation():
    images = np.array([[[[0.0], [1.0]], [[0.5], [0.25]]], [[[1.0], [1.0]], [[0.0], [0.0]]]], np.float32)
    reconstruction = np.full_like(images, 0.5)
    z_mean = np.array([[1.0, 0.0], [0.0, -2.0]], np.float32)
    z_log_var = np.array([[0.0, np.log(2.0)], [0.0, 0.0]], np.float32)
    terms = {name: float(value) for name, value in loss_terms(images, reconstruction, z_mean, z_log_var, 0.5).items()}
    squared_sums = [0.25 + 0.25 + 0.0 + 0.0625, 0.25 * 4]
    kl = [0.5 * (1.0 + (2.0 - 1.0 - np.log(2.0))), 0.5 * 4.0]
    assert terms["reconstruction"] == pytest.approx(np.mean(squared_sums))
    assert terms["kl"] == pytest.approx(np.mean(kl))
    assert terms["loss"] == pytest.approx(np.mean(squared_sums) + 0.5 * np.mean(kl))
    assert terms["mse"] == pytest.approx(np.mean(squared_sums) / 4)


def test_other_reconstruction_losses_match_a_hand_computation():
    images = np.array([[[[0.0], [1.0]], [[0.5], [0.25]]]], np.float32)
    reconstruction = np.array([[[[0.2], [0.9]], [[0.5], [0.5]]]], np.float32)
    squared = (images - reconstruction) ** 2
    cross_entropy = -(images * np.log(reconstruction) + (1 - images) * np.log(1 - reconstruction))
    expected = {
        "sum_squared": squared.sum(),
        "mean_squared": squared.mean(),
        "binary_crossentropy": cross_entropy.sum(),
    }
    for kind, value in expected.items():
        assert float(reconstruction_error(images, reconstruction, kind)[0]) == pytest.approx(value, rel=1e-5), kind
    z = np.zeros((1, 2), np.float32)
    terms = loss_terms(images, reconstruction, z, z, 1.0, "mean_squared")
    assert float(terms["loss"]) == pytest.approx(squared.mean(), rel=1e-5)
    assert float(terms["mse"]) == pytest.approx(squared.mean(), rel=1e-5)
    with pytest.raises(ValueError, match="unknown reconstruction loss 'l1'"):
        reconstruction_error(images, reconstruction, "l1")


def test_the_anchors_cross_entropy_reads_the_decoder_s_logits_as_the_published_tensorflow_did():
    """A pixel the decoder saturates costs its logit, not the 16.1 of a probability clipped at 1e-7.

    TensorFlow 2.2's Keras took the logits from a Sigmoid op in a graph; Keras 3 keeps them on the sigmoid layer's
    output, which the anchors' decoder (a sigmoid transposed convolution, nothing after it) hands to the loss as it is.
    """
    import tensorflow as tf

    decoder = build_decoder((8, 8, 1), (2, 2), (4,), 2, grid_filters=2, output="conv_transpose")
    pixels = decoder.get_layer("pixels")
    kernel, bias = pixels.get_weights()
    pixels.set_weights([np.zeros_like(kernel), np.full_like(bias, 30.0)])  # every pixel's logit: 30
    black, z = np.zeros((1, 8, 8, 1), np.float32), np.zeros((1, 2), np.float32)
    eager = reconstruction_error(black, decoder(z), "binary_crossentropy")
    in_a_graph = tf.function(lambda z: reconstruction_error(black, decoder(z), "binary_crossentropy"))(z)
    assert float(eager[0]) == pytest.approx(64 * 30.0, rel=1e-5)
    assert float(in_a_graph[0]) == pytest.approx(64 * 30.0, rel=1e-5)


@pytest.mark.parametrize("backend", ["tensorflow", pytest.param("jax", marks=requires_jax)])
def test_saved_model_loads_after_importing_the_model_module(tmp_path, backend):
    """Saved on the suite's backend (TensorFlow), loaded and run on each backend."""
    model = VAE((16, 16, 1), (4,), (8,), latent_dim=2, kl_weight=0.5, reconstruction_loss="mean_squared")
    images = np.random.default_rng(1).random((3, 16, 16, 1), dtype=np.float32)
    np.save(tmp_path / "images.npy", images)
    np.save(tmp_path / "expected.npy", model.reconstruct(images))
    model.save(tmp_path / "model.keras")
    script = (
        "import sys, numpy as np, keras, vae_study.core.model\n"
        "model = keras.saving.load_model(sys.argv[1] + '/model.keras')\n"
        "assert model.kl_weight == 0.5 and model.latent_dim == 2\n"
        "assert model.reconstruction_loss == 'mean_squared'\n"
        "out = model.reconstruct(np.load(sys.argv[1] + '/images.npy'))\n"
        "np.testing.assert_allclose(out, np.load(sys.argv[1] + '/expected.npy'), rtol=1e-6)\n"
    )
    run_command([sys.executable, "-c", script, str(tmp_path)], cwd=tmp_path, env_update={"KERAS_BACKEND": backend})


# Trainable parameters of the Parametric UMAP paper's conv VAE, from its notebooks' model summaries
# (notebooks/dataset-projections/<dataset>/<dataset>-vae-embedding.ipynb in timsainb/ParametricUMAP_paper).
PUBLISHED_PARAMETERS = {"pumap_mnist": (2_436_356, 6_806_017), "pumap_cifar10": (685_636, 1_292_867)}


@pytest.mark.parametrize("name", PUBLISHED_PARAMETERS)
def test_the_published_anchor_networks_are_built_layer_for_layer(name):
    """params.yaml's anchor variants build the published encoder and decoder: the same parameter counts and shapes."""
    from conftest import PROJECT_ROOT

    from vae_study.core.model import build_vae
    from vae_study.core.params import load_params, variant_params

    variant = variant_params(load_params(PROJECT_ROOT / "params.yaml"), name)
    shape = {"pumap_mnist": (28, 28, 1), "pumap_cifar10": (32, 32, 3)}[name]
    model = build_vae(variant, shape)
    counts = tuple(sum(int(np.prod(weight.shape)) for weight in part.trainable_weights) for part in (model.encoder, model.decoder))
    assert counts == PUBLISHED_PARAMETERS[name]
    grid = {"pumap_mnist": (7, 7, 256), "pumap_cifar10": (4, 4, 128)}[name]
    assert tuple(model.decoder.get_layer("grid").output.shape[1:]) == grid
    assert tuple(model.decoder.output.shape[1:]) == shape

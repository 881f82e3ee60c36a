"""The table of loss kinds, which params.yaml accepts and the model computes, says right which losses grow with the image
size, so summaries and figures scale and name every loss right."""

import numpy as np
import pytest

from vae_study.core.loss_kinds import LOSS_KINDS, loss_kind, values_summed_per_image


@pytest.mark.parametrize("name", LOSS_KINDS)
def test_a_loss_grows_with_the_image_size_exactly_when_the_table_says_it_is_summed(name):
    """Images of 4x as many identical pixels: a summed loss is 4x as large per image, a mean one the same."""
    from vae_study.core.model import reconstruction_error

    small_images, small_decodes = np.full((2, 4, 4, 1), 0.8, "float32"), np.full((2, 4, 4, 1), 0.3, "float32")
    large_images, large_decodes = np.full((2, 8, 8, 1), 0.8, "float32"), np.full((2, 8, 8, 1), 0.3, "float32")
    small = np.asarray(reconstruction_error(small_images, small_decodes, name))
    large = np.asarray(reconstruction_error(large_images, large_decodes, name))
    per_value_small = small / values_summed_per_image(name, 16)
    per_value_large = large / values_summed_per_image(name, 64)
    np.testing.assert_allclose(per_value_small, per_value_large, rtol=1e-5)
    assert (large[0] / small[0] == pytest.approx(4.0, rel=1e-5)) == loss_kind(name).summed_over_pixels


def test_an_unknown_loss_is_named_with_the_valid_ones():
    with pytest.raises(ValueError, match="'l1'.*sum_squared, mean_squared, binary_crossentropy"):
        values_summed_per_image("l1", 784)

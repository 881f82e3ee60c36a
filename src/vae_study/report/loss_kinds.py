"""The reconstruction losses a variant may choose, in one table: what each adds up per image and how a figure names it.

Summaries divide a run's loss by the values it adds up per image, so runs of different losses and datasets share one
per-value scale; figures name every loss but the default. ``model.reconstruction_error`` computes the losses and
``params.RECONSTRUCTION_LOSSES`` lists them for validation; both are imported by the train and embed stages, so they
keep their own list until the next rerun, and a test keeps the three in step.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LossKind:
    summed_over_pixels: bool  # True: one term per pixel value, added up per image; False: their mean
    label: str  # how figure labels name it; "" for the default loss, which needs no mention


LOSS_KINDS = {
    "sum_squared": LossKind(summed_over_pixels=True, label=""),
    "mean_squared": LossKind(summed_over_pixels=False, label="mean loss"),
    "binary_crossentropy": LossKind(summed_over_pixels=True, label="binary cross-entropy"),
}


def loss_kind(name: str) -> LossKind:
    try:
        return LOSS_KINDS[name]
    except KeyError:
        raise ValueError(f"unknown reconstruction loss {name!r}; use one of {', '.join(LOSS_KINDS)}") from None


def values_summed_per_image(reconstruction_loss: str, image_values: int) -> int:
    """How many pixel values a run's loss adds up per image: all of them for a summed loss, one for a mean.

    Dividing a run's loss by this puts runs of every loss and both datasets on one per-value scale.
    """
    return image_values if loss_kind(reconstruction_loss).summed_over_pixels else 1

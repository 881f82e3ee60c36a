"""The reconstruction losses a variant may choose, in one table: what each computes per pixel value, whether it adds
them up or averages them per image, and how a figure names it.

params.yaml's choices, the model's loss and the summaries' per-value scale all read this table. Summaries divide a
run's loss by the values it adds up per image, so runs of different losses and datasets share one scale.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LossKind:
    per_value: str  # the error of one pixel value: "squared_error" or "binary_crossentropy"
    summed_over_pixels: bool  # True: one term per pixel value, added up per image; False: their mean
    label: str  # how figure labels name it; "" for the default loss, which needs no mention


LOSS_KINDS = {
    "sum_squared": LossKind("squared_error", summed_over_pixels=True, label=""),
    "mean_squared": LossKind("squared_error", summed_over_pixels=False, label="mean loss"),
    "binary_crossentropy": LossKind("binary_crossentropy", summed_over_pixels=True, label="binary cross-entropy"),
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

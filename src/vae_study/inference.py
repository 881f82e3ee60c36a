"""Loading a trained variant and checking it matches the data it is applied to."""

from pathlib import Path

from vae_study.errors import PipelineError
from vae_study.model import VAE
from vae_study.params import VariantParams
from vae_study.paths import stage_name, training_outputs


def load_variant_model(variant: VariantParams, image_shape: tuple[int, int, int], path: Path | None = None) -> VAE:
    """The model of the variant's run (its ``train.seed``), refused if missing or built for other images or latent size.

    ``path`` defaults to where the train stage writes it.
    """
    import keras

    path = Path(path or training_outputs(variant.name, variant.train.seed).model)
    retrain = f"dvc repro {stage_name('train', variant.dataset, variant.name, variant.train.seed)}"
    if not path.exists():
        raise PipelineError(f"variant {variant.name}: model file {path} is missing; run {retrain} first")
    try:
        model = keras.saving.load_model(path)
    except Exception as error:  # Keras raises several types for a damaged file.
        raise PipelineError(f"variant {variant.name}: model file {path} cannot be loaded ({error})") from None
    if not isinstance(model, VAE):
        raise PipelineError(f"variant {variant.name}: {path} holds a {type(model).__name__}, not a VAE")
    if tuple(model.image_shape) != tuple(image_shape):
        raise PipelineError(
            f"variant {variant.name}: model {path} was trained on images of {tuple(model.image_shape)}, "
            f"but dataset {variant.dataset} has {tuple(image_shape)}; retrain it with {retrain}"
        )
    if model.latent_dim != variant.latent_dim:
        raise PipelineError(
            f"variant {variant.name}: model {path} has a {model.latent_dim}-D latent, params say {variant.latent_dim}; "
            f"retrain it with {retrain}"
        )
    return model

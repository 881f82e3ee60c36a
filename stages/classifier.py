"""classifier@<dataset>: train the dataset's reference classifier, which embed applies to every run's decodes."""

import argparse
import json

from vae_study.core.backend import apply_train_settings
from vae_study.core.datasets import load_dataset, scale_images
from vae_study.core.files import write_json
from vae_study.core.params import classifier_params, load_params, train_params
from vae_study.core.paths import PREPARED_DIR, classifier_file, classifier_metrics_file
from vae_study.core.stage_runner import run_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", help="a key of datasets: in params.yaml")
    args = parser.parse_args()
    params = load_params()
    settings = classifier_params(params)
    apply_train_settings(train_params(params))  # the study's backend and kernels
    from vae_study.core.classifier import predicted_classes, save_classifier, train_classifier  # Keras: after the backend

    data = load_dataset(PREPARED_DIR / args.dataset, splits=("train", "test"))
    train, test = data.splits["train"], data.splits["test"]
    model = train_classifier(train, len(data.class_names), settings)
    accuracy = float((predicted_classes(model, scale_images(test.images), settings.batch_size) == test.labels).mean())
    save_classifier(model, classifier_file(args.dataset))
    metrics = {"test_accuracy": accuracy, "train_images": len(train), "test_images": len(test)}
    write_json(classifier_metrics_file(args.dataset), metrics)
    print(f"classifier@{args.dataset}: {json.dumps(metrics)}", flush=True)


if __name__ == "__main__":
    run_stage(main)

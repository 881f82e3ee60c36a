"""The first run's choice of source: the local archive when it is there, TensorFlow Datasets when it is not."""

import copy
import subprocess
import sys

import yaml
from conftest import PROJECT_ROOT

from vae_study.ingest.first_run_sources import tfds_fallbacks

PARAMS = yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text())


def test_a_missing_local_source_falls_back_to_tfds_and_a_present_one_stays(tmp_path):
    (tmp_path / "mnist.tar.gz").write_bytes(b"")
    params = copy.deepcopy(PARAMS)
    params["datasets"]["mnist"]["source"] = "mnist.tar.gz"
    params["datasets"]["cifar10"]["source"] = "elsewhere/cifar10.tar.gz"
    assert tfds_fallbacks(params, tmp_path) == {"cifar10": "elsewhere/cifar10.tar.gz"}
    params["datasets"]["cifar10"]["source"] = "tfds"
    assert tfds_fallbacks(params, tmp_path) == {}


def test_the_script_prints_the_overrides_and_says_why(tmp_path):
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(PARAMS, sort_keys=False))  # sources ../shared/... not beside tmp_path
    result = subprocess.run([sys.executable, "-m", "vae_study.ingest.first_run_sources"], cwd=tmp_path, capture_output=True,
                            text=True, check=True)
    assert result.stdout.split() == ["-S", "datasets.mnist.source=tfds", "-S", "datasets.cifar10.source=tfds"]
    assert result.stderr.count("comes from TensorFlow Datasets instead") == 2

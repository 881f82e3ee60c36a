"""The first run's settings come from params.yaml: every dataset capped, its first variants, and the local archive
when it is there, TensorFlow Datasets when it is not."""

import copy
import shutil
import subprocess
import sys

import yaml
from conftest import PROJECT_ROOT, run_command

from vae_study.ingest.first_run import first_run_overrides, tfds_fallbacks

PARAMS = yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text())


def test_a_missing_local_source_falls_back_to_tfds_and_a_present_one_stays(tmp_path):
    (tmp_path / "mnist.tar.gz").write_bytes(b"")
    params = copy.deepcopy(PARAMS)
    for dataset in params["datasets"].values():
        dataset["source"] = "tfds"
    params["datasets"]["mnist"]["source"] = "mnist.tar.gz"
    params["datasets"]["cifar10"]["source"] = "elsewhere/cifar10.tar.gz"
    assert tfds_fallbacks(params, tmp_path) == {"cifar10": "elsewhere/cifar10.tar.gz"}
    params["datasets"]["cifar10"]["source"] = "tfds"
    assert tfds_fallbacks(params, tmp_path) == {}


def test_every_dataset_of_params_is_capped_and_runs_its_first_variants(tmp_path):
    params = copy.deepcopy(PARAMS)
    params["datasets"]["letters"] = {**params["datasets"]["mnist"], "source": "tfds"}
    params["study"]["letters"] = ["letters_a", "letters_b", "letters_c"]
    overrides = first_run_overrides(params, tmp_path)
    assert overrides[:2] == ["seeds=[0]", "train.epochs=1"]
    for name in ("mnist", "cifar10", "letters"):
        first = params["study"][name][:2]
        assert [f"datasets.{name}.max_train=5000", f"datasets.{name}.max_test=1000", f"study.{name}=[{','.join(first)}]"] == [
            override for override in overrides if override.startswith((f"datasets.{name}.max", f"study.{name}="))]
    local = [name for name, dataset in PARAMS["datasets"].items() if dataset["source"] != "tfds"]
    assert overrides[-len(local):] == [f"datasets.{name}.source=tfds" for name in local]  # no archives beside tmp_path
    # a dataset holding images out keeps at most 1,000 of the capped 5,000 out; a variant's own epochs become one too
    assert "datasets.mnist_pumap.validation_size=1000" in overrides and "variants.pumap_mnist.epochs=1" in overrides
    assert not any(override.startswith(("datasets.mnist.validation_size", "variants.mnist_simple.")) for override in overrides)


def test_a_dataset_smaller_than_the_caps_runs_whole(tmp_path):
    """A cap above a split's size is refused by preprocess: the first run caps at the size preprocess recorded."""
    params = copy.deepcopy(PARAMS)
    params["datasets"]["letters"] = {**params["datasets"]["mnist"], "source": "tfds"}
    params["study"]["letters"] = ["letters_a"]
    (tmp_path / "metrics" / "datasets").mkdir(parents=True)
    (tmp_path / "metrics" / "datasets" / "letters.json").write_text('{"images": {"train": 300, "test": 2000}}')
    overrides = first_run_overrides(params, tmp_path)
    assert {"datasets.letters.max_train=300", "datasets.letters.max_test=1000", "datasets.mnist.max_train=5000"} <= set(overrides)


def test_the_script_prints_the_overrides_and_says_why(tmp_path):
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(PARAMS, sort_keys=False))  # sources ../shared/... not beside tmp_path
    result = subprocess.run([sys.executable, "-m", "vae_study.ingest.first_run"], cwd=tmp_path, capture_output=True,
                            text=True, check=True)
    printed = result.stdout.split()
    assert printed[::2] == ["-S"] * (len(printed) // 2)
    assert printed[1::2] == first_run_overrides(PARAMS, tmp_path)
    local = [dataset for dataset in PARAMS["datasets"].values() if dataset["source"] != "tfds"]
    assert result.stderr.count("comes from TensorFlow Datasets instead") == len(local)


def test_a_failed_first_run_puts_the_committed_study_back(make_project):
    """When the experiment fails (here the check stage refuses a committed k of 0; without network, a TFDS download),
    the script says so, exits non-zero and leaves params.yaml and dvc.lock as committed, not the experiment's."""
    project = make_project(lambda params: params["evaluate"].update(knn_neighbors=0))
    (project / "scripts").mkdir()
    shutil.copy2(PROJECT_ROOT / "scripts" / "first_run.sh", project / "scripts" / "first_run.sh")
    (project / "dvc.lock").write_text("schema: '2.0'\nstages: {}\n")  # the committed study: no stage run yet
    for page in ("plots/README.md", "docs/tables/README.md", "docs/results.md", "docs/claims.md", "docs/pipeline.md"):
        (project / page).parent.mkdir(parents=True, exist_ok=True)
        (project / page).write_text("committed\n")  # what the script restores, as a clone has them
    run_command(["git", "add", "-A"], cwd=project)
    run_command(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "study"], cwd=project)
    committed = (project / "params.yaml").read_text()
    result = run_command(["bash", "scripts/first_run.sh"], cwd=project, check=False)
    assert result.returncode != 0 and "evaluate.knn_neighbors" in result.stdout + result.stderr
    assert "the experiment failed (its error is above); the workspace shows the committed study again" in result.stderr
    assert (project / "params.yaml").read_text() == committed
    assert run_command(["git", "status", "--porcelain", "--", "params.yaml", "dvc.lock"], cwd=project).stdout == ""

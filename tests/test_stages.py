"""Stage scripts: a bad input ends with exit code 2, one 'error:' line and no partial output."""

import sys

import pytest
from conftest import run_command, tiny_params, write_image_folder


def _stage(project, script, *args):
    return run_command([sys.executable, f"stages/{script}.py", *args], cwd=project, check=False)


def _errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


@pytest.fixture
def project_with(make_project, tmp_path):
    def make(source, **dataset):
        def update(params):
            tiny_params(params, source)
            params["datasets"]["mnist"].update(dataset)

        return make_project(update)

    return make


def test_missing_source_fails_cleanly(project_with, tmp_path):
    project = project_with(tmp_path / "nowhere")
    result = _stage(project, "fetch", "mnist")
    assert result.returncode == 2
    assert len(_errors(result)) == 1 and "does not exist" in _errors(result)[0]
    assert not (project / "data" / "raw" / "mnist").exists()


def test_undecodable_image_leaves_no_partial_output(project_with, tmp_path):
    write_image_folder(tmp_path / "images")
    (tmp_path / "images" / "test" / "b" / "zz.jpg").write_bytes(b"\xff\xd8 truncated")
    project = project_with(tmp_path / "images")
    result = _stage(project, "fetch", "mnist")
    assert result.returncode == 2
    assert "zz.jpg is not a decodable PNG or JPEG image" in _errors(result)[0]
    raw = project / "data" / "raw"
    assert not raw.exists() or not any(raw.iterdir())


def test_relative_source_and_oversized_cap(project_with, tmp_path):
    write_image_folder(tmp_path / "images")
    project = project_with("../images", max_train=13)
    assert _stage(project, "fetch", "mnist").returncode == 0
    assert (project / "data" / "raw" / "mnist" / "train.npz").exists()
    result = _stage(project, "preprocess", "mnist")
    assert result.returncode == 2
    assert "max_train = 13 is larger than the 12 train images" in _errors(result)[0]
    assert not (project / "data" / "prepared" / "mnist").exists()


def test_unknown_param_key_fails_before_any_work(project_with, tmp_path):
    project = project_with(tmp_path / "nowhere", shuffle=True)
    result = _stage(project, "fetch", "mnist")
    assert result.returncode == 2
    assert "unknown key datasets.mnist.shuffle" in _errors(result)[0]

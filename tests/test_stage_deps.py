"""Each stage's code deps in dvc.yaml are exactly its script and the project modules it imports, derived from the imports."""

import re

import pytest
import yaml
from conftest import PROJECT_ROOT
from sync_deps import stage_code

PIPELINE = yaml.safe_load((PROJECT_ROOT / "dvc.yaml").read_text())["stages"]


def _definition(stage: dict) -> dict:
    return stage.get("do", stage)  # foreach stages keep their body under do


def _code_deps(stage: dict) -> set[str]:
    return {dep for dep in _definition(stage)["deps"] if dep.startswith(("src/", "stages/"))}


def imported_code(stage: dict) -> set[str]:
    """The script in the stage's command and every project module it imports, as paths from the project root."""
    script = re.search(r"python (stages/\w+\.py)", _definition(stage)["cmd"]).group(1)
    return {str(path.relative_to(PROJECT_ROOT)) for path in stage_code(PROJECT_ROOT / script)}


def mismatch(stage: dict) -> tuple[set[str], set[str]]:
    """(modules the stage runs but does not depend on, code deps it does not run)."""
    declared, imported = _code_deps(stage), imported_code(stage)
    return imported - declared, declared - imported


@pytest.mark.parametrize("name", PIPELINE)
def test_code_deps_match_the_imports(name):
    missing, extra = mismatch(PIPELINE[name])
    assert not missing, f"stage {name} runs {sorted(missing)} but dvc.yaml does not list them (python scripts/sync_deps.py)"
    assert not extra, f"stage {name} depends on {sorted(extra)}, which its script never imports"


def test_a_module_left_out_of_any_stage_is_caught():
    """Removing any one module from any stage's deps makes the check above fail."""
    for name, stage in PIPELINE.items():
        for module in sorted(_code_deps(stage)):
            body = {**_definition(stage), "deps": [dep for dep in _definition(stage)["deps"] if dep != module]}
            assert mismatch(body) == ({module}, set()), f"{name} without {module} went unnoticed"


def test_lazy_and_indirect_imports_are_found():
    """Train imports training inside main (after the backend is chosen); training imports checkpoints and model."""
    train = {str(path.relative_to(PROJECT_ROOT)) for path in stage_code(PROJECT_ROOT / "stages/train.py")}
    assert {"src/vae_study/core/training.py", "src/vae_study/core/checkpoints.py", "src/vae_study/core/model.py",
            "src/vae_study/__init__.py"} <= train
    claims = {str(path.relative_to(PROJECT_ROOT)) for path in stage_code(PROJECT_ROOT / "stages/claims.py")}
    assert {"src/vae_study/report/__init__.py", "src/vae_study/report/claims.py"} <= claims  # a subpackage runs its __init__


def test_every_stage_waits_for_the_params_check():
    for name, stage in PIPELINE.items():
        if name != "check":
            assert "data/params-checked.txt" in _definition(stage)["deps"], f"{name} can run before the params are checked"

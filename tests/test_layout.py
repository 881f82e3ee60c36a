"""The package's layout says what an edit costs. ``core/`` is what train and embed run, so an edit there makes every
trained run stale; ``ingest/`` (raw data) and ``report/`` (summarize, plot, claims) rerun in seconds to a minute.
Nothing outside the core may join the train or embed import closure."""

import ast

from conftest import PROJECT_ROOT
from sync_deps import stage_code

PACKAGE = PROJECT_ROOT / "src" / "vae_study"
CORE = PACKAGE / "core"
SUBPACKAGES = ("core", "ingest", "report")


def _closure() -> set:
    return {path for script in ("stages/train.py", "stages/embed.py") for path in stage_code(PROJECT_ROOT / script)
            if PACKAGE in path.parents}


def test_train_and_embed_run_core_modules_only():
    outside = sorted(str(path.relative_to(PACKAGE)) for path in _closure() if path.parent != CORE and path != PACKAGE / "__init__.py")
    assert not outside, (f"train or embed now imports {outside}: an edit there would retrain every run; move the "
                         "code it needs into the core (with the study's rerun) or drop the import")


def test_the_core_is_what_train_and_embed_run():
    """Every core module is in the closure: what only other stages use belongs in ingest/ or report/."""
    idle = sorted(path.name for path in CORE.glob("*.py") if path not in _closure())
    assert not idle, f"{idle} sit in the core but neither train nor embed runs them; move them to ingest/ or report/"


def test_only_the_package_marker_sits_above_the_subpackages():
    assert sorted(path.name for path in PACKAGE.glob("*.py")) == ["__init__.py"]


def test_each_subpackage_says_in_one_line_what_belongs_there():
    for name in SUBPACKAGES:
        docstring = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
        assert docstring and "\n" not in docstring.strip(), name
    assert sorted(path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "__init__.py").exists()) == list(SUBPACKAGES)

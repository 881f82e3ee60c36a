"""The docs keep their promises: every file they name exists, the README stays short, its two commands are the CI's."""

import re

import pytest
from conftest import PROJECT_ROOT

DOCS = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
# Written when the pipeline or a benchmark runs (git-ignored), or outside the repository.
RUN_TIME = ("data/", "logs/", ".venv", ".whl", ".datasets", "../", "bench/results.json", "bench/step_profile.json",
            "bench/noop_repro.json", "bench/gpu_study.json", "metrics/claims.json")
PATH = re.compile(r"^[\w.-]+(/[\w.-]*)+$|^[\w-]+\.(py|sh|md|yaml|toml|txt|log|json|png|lock)$")


def named_paths(doc) -> set[str]:
    """Repository paths a doc names: `code` spans (from the project root) and relative links (from the doc's folder).

    Placeholders (``<variant>``), globs and URLs are left out, and so is what only a run writes (RUN_TIME).
    """
    text = doc.read_text()
    spans = {(PROJECT_ROOT, span) for span in re.findall(r"`([^`\s]+)`", text)}
    links = {(doc.parent, link) for link in re.findall(r"\]\(([^)#\s]+)", text)}
    found = set()
    for base, candidate in spans | links:
        if "<" in candidate or "*" in candidate or "://" in candidate or not PATH.match(candidate):
            continue
        path = (base / candidate).resolve()
        if not path.is_relative_to(PROJECT_ROOT):
            continue  # beside the project (../shared/datasets)
        relative = str(path.relative_to(PROJECT_ROOT))
        if not relative.startswith(RUN_TIME):
            found.add(relative)
    return found


@pytest.mark.parametrize("doc", DOCS, ids=[str(doc.relative_to(PROJECT_ROOT)) for doc in DOCS])
def test_every_path_a_doc_names_exists(doc):
    missing = sorted(path for path in named_paths(doc) if not (PROJECT_ROOT / path).exists())
    assert not missing, f"{doc.name} names files that do not exist: {missing}"


def test_readme_is_short_and_its_test_command_is_what_ci_runs():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 150
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert ".venv/bin/python -m pytest" in readme and ".venv/bin/python -m pytest" in ci
    assert "-c constraints.txt -e '.[test,jax]'" in readme and "-c constraints.txt -e '.[test,jax]'" in ci

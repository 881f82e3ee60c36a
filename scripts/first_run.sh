#!/usr/bin/env bash
# The five-minute first run: the whole pipeline, every stage, on capped data (5,000 training and 1,000 test
# images per dataset, one seed, one epoch, each dataset's first two variants: src/vae_study/ingest/first_run.py), as
# the named DVC experiment `first-run`
# (or the name given as the first argument). Run it from the project's virtual environment.
# DVC applies an experiment to the workspace; this script then restores the committed study's files and data/, so
# the workspace (and the tests, which read it) stays the study's, and the first run lives on as the experiment.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-first-run}"
results=(params.yaml dvc.lock metrics plots docs/tables docs/results.md docs/claims.md docs/pipeline.md)  # what the experiment rewrites (the claims stage pastes its tables into the three pages)
if [ -n "$(git status --porcelain -- "${results[@]}")" ]; then
  echo "first_run: ${results[*]} have uncommitted changes; commit or stash them first (the first run restores" \
    "these paths to the last commit when it ends)" >&2
  exit 2
fi
# The first run's settings for every dataset of params.yaml (capped data, each dataset's first two variants, one seed,
# one epoch); without the local archives (a clone elsewhere), each missing dataset comes from TensorFlow Datasets (one
# line says so).
settings="$(python -m vae_study.ingest.first_run)"  # an assignment, so that its failure stops the script
read -r -a overrides <<< "$settings"
restore_study() {
  git restore -- "${results[@]}"
  git clean -fdq -- "${results[@]}"  # outputs the committed study has no file for yet (a new kind of output)
  # ...and data/ as dvc.lock says: without this the experiment's models and capped datasets stay in the workspace,
  # and the next `dvc repro --allow-missing` would embed the study's runs from first-run's models. The study's models,
  # never in this clone, stay missing; first-run's stay in the cache (`dvc exp apply` brings them back).
  dvc checkout --allow-missing --quiet
}
# (TensorFlow's C++ start-up lines are filtered by the stages themselves: vae_study.core.backend.)
if ! dvc exp run --name "$name" --force "${overrides[@]}"; then
  restore_study  # a failed experiment leaves its params in the workspace: put the committed study back all the same
  echo "first_run: the experiment failed (its error is above); the workspace shows the committed study again" >&2
  exit 1
fi
restore_study
cat <<EOF2

$name is saved as an experiment; the workspace shows the committed study again. Next:
  # $name beside the study: seeds, epochs and two variants' R²
  dvc exp show --drop '.*' --keep 'Experiment\$|Created\$|params.yaml:seeds\$|train.epochs\$|metrics/variants/(mnist|cifar10)_simple.json:r2\$'
  # each headline number and verdict of $name against the study's (HEAD)
  dvc metrics diff HEAD $name
  # $name's loss curves and figures as one HTML page; then git restore . for the study again
  dvc exp apply $name && dvc plots show
EOF2

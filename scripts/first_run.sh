#!/usr/bin/env bash
# The five-minute first run: the whole pipeline, every stage, on capped data (5,000 training and 1,000 test
# images per dataset, one seed, one epoch, four variants), as the named DVC experiment `first-run`
# (or the name given as the first argument). Run it from the project's virtual environment.
# DVC applies the experiment to the workspace; `git restore .` brings back the committed study's files.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-first-run}"
dvc exp run --name "$name" --force \
  -S 'seeds=[0]' -S train.epochs=1 \
  -S 'study.mnist=[mnist_flat,mnist_simple]' -S 'study.cifar10=[cifar10_simple,cifar10_highdim]' \
  -S datasets.mnist.max_train=5000 -S datasets.mnist.max_test=1000 \
  -S datasets.cifar10.max_train=5000 -S datasets.cifar10.max_test=1000
cat <<EOF2

$name beside the committed study:
  dvc exp show --only-changed             every experiment's params and metrics, one row each
  dvc metrics diff HEAD $name --md        each number of $name against the study's (HEAD)
  dvc plots show                          the loss curves and figures (plots/) as one HTML page
  git restore . && dvc checkout           the workspace back to the committed study
EOF2

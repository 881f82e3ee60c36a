#!/usr/bin/env bash
# The GPU study in one command, on a machine with JAX but no TensorFlow and no package index.
# Installs the wheels in .whl/ (made by bench/gpu_wheels.sh) into a scratch folder when Keras is
# missing, then runs bench/gpu_study.py with the given arguments; datasets from .datasets/ if present.
#   bash bench/gpu_study.sh [gpu_study.py arguments, e.g. --seeds 0,1,2 --output $OUT/gpu_study.json]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c "import keras" 2>/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/vae-study-site .whl/*.whl
    export PYTHONPATH="/tmp/vae-study-site${PYTHONPATH:+:$PYTHONPATH}"
fi
datasets=()
[ -d .datasets ] && datasets=(--datasets .datasets)
PYTHONUNBUFFERED=1 exec python3 bench/gpu_study.py "${datasets[@]}" "$@"

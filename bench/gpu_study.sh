#!/usr/bin/env bash
# The GPU study in one command, on a machine with JAX but no TensorFlow and no package index.
# Installs the wheels in .whl/ (made by bench/gpu_wheels.sh) into a scratch folder when Keras is
# missing, checks that every other module the training code imports is there, then runs
# bench/gpu_study.py with the given arguments; datasets from .datasets/ if present.
#   bash bench/gpu_study.sh [gpu_study.py arguments, e.g. --seeds 0,1,2 --output $OUT/gpu_study.json]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c "import keras" 2>/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/vae-study-site .whl/*.whl
    export PYTHONPATH="/tmp/vae-study-site${PYTHONPATH:+:$PYTHONPATH}"
fi
python3 - <<'PY'
import importlib.util, sys
needed = ["jax", "keras", "numpy", "pandas", "yaml", "PIL", "h5py", "rich", "absl", "ml_dtypes", "namex", "optree"]
missing = [name for name in needed if importlib.util.find_spec(name) is None]
if missing:
    sys.exit(f"missing Python modules: {', '.join(missing)}; carry them as wheels in .whl/ (bench/gpu_wheels.sh)")
PY
datasets=()
[ -d .datasets ] && datasets=(--datasets .datasets)
PYTHONUNBUFFERED=1 exec python3 bench/gpu_study.py "${datasets[@]}" "$@"

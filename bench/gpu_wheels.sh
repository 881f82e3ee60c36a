#!/usr/bin/env bash
# Prepare what bench/gpu_study.sh needs on a GPU machine with no package index (run here, with pip):
# Keras and its two dependencies missing from that image as Python 3.12 x86-64 wheels in .whl/,
# and the dataset archives in .datasets/. Both folders are git-ignored; carry them to the machine.
# Needs the project's .venv (the README's setup) and the archives in ../shared/datasets/.
set -euo pipefail
cd "$(dirname "$0")/.."
keras_version=$(.venv/bin/python -c "import keras; print(keras.__version__)")
platforms=()
for tag in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64; do
    platforms+=(--platform "$tag")
done
rm -rf .whl && mkdir -p .whl .datasets
for package in "keras==$keras_version" namex optree; do
    .venv/bin/python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        "${platforms[@]}" -d .whl "$package"
done
cp -f ../shared/datasets/mnist-png.tar.gz ../shared/datasets/cifar10-jpg.tar.gz .datasets/
ls -la .whl .datasets

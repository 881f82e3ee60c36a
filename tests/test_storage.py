"""scripts/storage.py: what a DVC remote holds, from dvc.lock's recorded sizes."""

import importlib.util
import re
import subprocess
import sys

from conftest import PROJECT_ROOT

SPEC = importlib.util.spec_from_file_location("storage", PROJECT_ROOT / "scripts" / "storage.py")
storage = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(storage)


def test_sizes_are_grouped_per_variant_model_and_data_folder_and_git_committed_outputs_left_out():
    lock = {"stages": {
        "train@a-0": {"outs": [{"path": "data/models/a/seed-0.keras", "size": 3_000_000},
                               {"path": "metrics/train/a/seed-0.json", "size": 900}]},
        "train@a-1": {"outs": [{"path": "data/models/a/seed-1.keras", "size": 1_000_000}]},
        "preprocess@m": {"outs": [{"path": "data/prepared/m", "size": 5_000_000, "nfiles": 3}]},
        "check": {"cmd": "python stages/check.py"}}}
    assert storage.by_group(storage.output_sizes(lock)) == {"data/models/a": (2, 4_000_000),
                                                           "data/prepared": (1, 5_000_000)}


def test_the_committed_lock_totals_every_final_model():
    printed = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "storage.py")], check=True,
                             capture_output=True, text=True).stdout
    total = next(line for line in printed.splitlines() if line.startswith("| every final model |"))
    runs = sum(1 for stage in storage.yaml.safe_load((PROJECT_ROOT / "dvc.lock").read_text())["stages"]
               if stage.startswith("train-"))
    assert runs and total.split("|")[2].strip() == str(runs)
    quoted = re.search(r"(\d+) final models ([\d,.]+) MB", " ".join((PROJECT_ROOT / "docs" / "backends.md").read_text().split()))
    assert quoted and quoted.groups() == (str(runs), f"{float(total.split('|')[3].strip().replace(',', '')):,.0f}"), \
        "docs/backends.md quotes another total than scripts/storage.py prints"

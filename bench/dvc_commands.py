"""How long DVC's own commands take on the committed study, as a user types them (median of 3, seconds).

Run from the project root with the virtual environment's dvc on PATH: python bench/dvc_commands.py
`dvc version` is DVC's start-up alone; `dvc exp show` runs with the README's columns; `dvc repro --allow-missing` is
the no-op rerun: every stage is up to date but for the models this clone lacks.
"""

import statistics
import subprocess
import tempfile
import time

README_EXP_SHOW = ["--drop", ".*", "--keep",
                   r"Experiment$|Created$|params.yaml:seeds$|train.epochs$|metrics/variants/(mnist|cifar10)_simple.json:r2$"]
COMMANDS = [
    ["dvc", "version"],  # DVC's own start-up, the floor under every command
    ["dvc", "status"],
    ["dvc", "metrics", "show"],
    ["dvc", "exp", "show", "--no-pager", *README_EXP_SHOW],
    ["dvc", "plots", "show", "-o", "{tmp}"],
    ["dvc", "repro", "--allow-missing"],
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for command in COMMANDS:
            command = [part.format(tmp=tmp) for part in command]
            seconds = []
            for _ in range(3):
                started = time.perf_counter()
                result = subprocess.run(command, capture_output=True, text=True)
                seconds.append(time.perf_counter() - started)
                if result.returncode:
                    raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
            print(f"{' '.join(command[:3]):<24} {statistics.median(seconds):5.2f} s  ({len(result.stdout):,} bytes printed)")


if __name__ == "__main__":
    main()

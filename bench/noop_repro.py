"""How long a no-op ``dvc repro`` takes, and how much of it is DVC's own floor.

Times ``dvc repro`` (every stage up to date) in a project, and in two generated
pipelines that carry no project at all: one trivial stage, and as many trivial
stages as the project has (each an ``echo`` with one dependency, one param and one
output). The one-stage pipeline is DVC's start-up; the many-stage one adds DVC's
per-stage checks; what the project takes beyond that is its own share (more
dependencies and outputs per stage, directory outputs, ``foreach`` templates, a
larger params.yaml and dvc.lock).

Run it with the machine otherwise idle. Each run is a fresh process, so the
numbers are wall times of what a user waits for; the three pipelines take turns
run by run, so a slow phase of a shared machine hits all three.

Usage: python bench/noop_repro.py [--project .] [--runs 5] [--output bench/noop_repro.json]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from train_speed import summary

DVC = str(Path(sys.executable).with_name("dvc"))
UP_TO_DATE = "Data and pipelines are up to date."


def run_dvc(project: Path, *args: str) -> str:
    result = subprocess.run([DVC, *args], cwd=project, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"`dvc {' '.join(args)}` failed in {project}:\n{result.stdout}{result.stderr}")
    return result.stdout


def stage_count(project: Path) -> int:
    return len(run_dvc(project, "stage", "list", "--name-only").split())


def noop_repro_seconds(project: Path) -> float:
    """Wall time of one no-op ``dvc repro``; refuses a project that had stages to run."""
    started = time.perf_counter()
    output = run_dvc(project, "repro")
    seconds = round(time.perf_counter() - started, 2)
    if UP_TO_DATE not in output:
        raise SystemExit(f"{project}: `dvc repro` ran stages, so it was not a no-op; "
                         "run `dvc repro` there first and time it again")
    return seconds


def trivial_pipeline(root: Path, stages: int) -> Path:
    """A git + DVC project with a chain of ``stages`` echo stages, all reproduced once."""
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    run_dvc(root, "init", "-q")
    (root / "params.yaml").write_text("x: 1\n")
    chain = {
        f"s{index}": {
            "cmd": f"echo {index} > out{index}.txt",
            "deps": ["params.yaml" if index == 0 else f"out{index - 1}.txt"],
            "params": ["x"],
            "outs": [f"out{index}.txt"],
        }
        for index in range(stages)
    }
    (root / "dvc.yaml").write_text(yaml.safe_dump({"stages": chain}))
    run_dvc(root, "repro")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=Path("."), help="an up-to-date DVC project (default: here)")
    parser.add_argument("--runs", type=int, default=5, help="timed `dvc repro` calls per pipeline")
    parser.add_argument("--output", type=Path, default=Path("bench/noop_repro.json"))
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    project = args.project.resolve()
    if not (project / "dvc.yaml").is_file():
        parser.error(f"--project {args.project}: no dvc.yaml there")

    if UP_TO_DATE not in run_dvc(project, "status"):
        raise SystemExit(f"{project}: some stages are not up to date (`dvc status` there lists them); "
                         "a no-op `dvc repro` needs every stage up to date, so run `dvc repro` there first")
    stages = stage_count(project)
    with tempfile.TemporaryDirectory() as scratch:
        pipelines = {f"trivial, {count} stage{'s' if count > 1 else ''}": trivial_pipeline(
            Path(scratch) / f"trivial_{count}", count) for count in (1, stages)}
        pipelines[f"{project.name}, {stages} stages"] = project
        seconds = {name: [] for name in pipelines}
        for run in range(args.runs):
            for name, pipeline in pipelines.items():
                seconds[name].append(noop_repro_seconds(pipeline))
            print(f"run {run + 1}/{args.runs}: " + ", ".join(f"{name} {times[-1]} s" for name, times in seconds.items()), flush=True)
    rows = {name: {**summary(times, digits=2), "runs": times} for name, times in seconds.items()}

    print("| pipeline | no-op `dvc repro` median s (min-max) | runs |\n|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['median']} ({row['min']}-{row['max']}) | {', '.join(map(str, row['runs']))} |")
    args.output.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

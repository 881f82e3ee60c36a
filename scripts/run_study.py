"""Run the whole study through DVC: every run of params.yaml's study lists and seeds, cheapest first, logged.

Each run is its train stage then its embed stage (`dvc repro -s`), so a run's model is used
in the same session it is trained in; everything embed writes is committed, so a later session
needs no model. Light runs go two at a time, each pinned to one core (`taskset`): a 32/64-filter
model uses the second core poorly, so two pinned runs train about 1.9x the images of one. Heavy
runs (a conv layer of 128 filters or a dense layer of 1,024 units: `cifar10_deep`) run alone on
both cores. A run is skipped when DVC has nothing to do for it (`dvc status`: its committed outputs
match dvc.lock, even with the model gone); a run whose model is gone but whose embed must rerun is
retrained. Summarize, plot and claims run at the end, on the runs present. With a DVC remote configured
(`dvc remote add -d ...`, docs/backends.md), the prepared data and each finished run's model are pushed to it.

Each run's start, end, fit seconds and images/s go to the log (default docs/study-run.log); DVC's
own output goes to logs/<stage>.log (git-ignored).

Usage: python scripts/run_study.py [--log PATH] [--jobs 2] [--only VARIANT,...] [--hours H] [--dry]
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vae_study.core.params import load_params, seeds, study_variants  # noqa: E402
from vae_study.core.paths import stage_name, training_outputs  # noqa: E402
from vae_study.ingest.dataset_statistics import read_statistics  # noqa: E402

DVC = str(Path(sys.executable).with_name("dvc"))
# Stage commands say `python`: make it this interpreter, activated venv or not.
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
LOCK_BUSY = "Unable to acquire lock"
REPORT_STAGES = ["check", "summarize", "plot", "claims"]  # params checked, then reports from the runs present


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_heavy(variant) -> bool:
    return max(variant.conv_filters, default=0) >= 128 or max(variant.dense_units) >= 1024


def cost(variant, image_values: dict[str, int]) -> tuple:
    """Sort key, cheapest first: flat networks, then by image size (values per image, from metrics/datasets), the heavy
    ones last."""
    return is_heavy(variant), bool(variant.conv_filters), image_values[variant.dataset], variant.latent_dim


def dvc(args: list[str], log: Path | None = None, core: int | None = None) -> subprocess.CompletedProcess:
    """Run DVC (pinned to ``core`` if given), retrying while another DVC process holds the repository lock."""
    command = (["taskset", "-c", str(core)] if core is not None else []) + [DVC, *args]
    while True:
        result = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True)
        if log is not None:
            with log.open("a") as handle:
                handle.write(f"$ {' '.join(command)}\n{result.stdout}{result.stderr}\n")
        if result.returncode == 0 or LOCK_BUSY not in result.stderr:
            return result
        time.sleep(5)


def _changes(entries: list) -> dict[str, object]:
    """A stage's `dvc status` entries as one mapping of what changed (deps and outs together)."""
    changed = {}
    for entry in entries:
        if isinstance(entry, dict):
            for kind in ("changed deps", "changed outs"):
                changed.update(entry.get(kind, {}))
        else:
            changed[str(entry)] = "changed"
    return changed


def pending(runs: list) -> dict[str, set[str]]:
    """For each run's embed stage, its stages DVC would have to run (empty: done).

    A model that is only missing (a run finished and committed in an earlier session) does not
    count: what it produced is committed and matches dvc.lock.
    """
    stages = [stage_name(kind, v.dataset, v.name, seed) for v, seed in runs for kind in ("train", "embed")]
    result = dvc(["status", "--json", *stages])
    if result.returncode != 0:
        sys.exit(f"dvc status failed:\n{result.stderr}")
    status = json.loads(result.stdout or "{}")
    todo = {}
    for variant, seed in runs:
        model = str(training_outputs(variant.name, seed).model)
        names = {kind: stage_name(kind, variant.dataset, variant.name, seed) for kind in ("train", "embed")}
        todo[names["embed"]] = {
            name for name in names.values()
            if {path: change for path, change in _changes(status.get(name, [])).items() if path != model}
            or (name in status and not _changes(status[name]))
        }
    return todo


def has_remote() -> bool:
    return bool(dvc(["remote", "list"]).stdout.strip())


def run_one(variant, seed: int, stages: set[str], logs: Path, study_log: Path, core: int | None,
            push: bool) -> subprocess.Popen:
    """Start train (if needed, forced when only its model is missing) then embed of one run, in a child process;
    then push its model if ``push``."""
    train, embed = (stage_name(kind, variant.dataset, variant.name, seed) for kind in ("train", "embed"))
    steps = []
    if train in stages or not training_outputs(variant.name, seed).model.exists():
        steps.append(["repro", "-s", "-f", train] if train not in stages else ["repro", "-s", train])
    steps.append(["repro", "-s", embed])
    if push:
        steps.append(["push", train])
    with study_log.open("a") as handle:
        handle.write(f"{now()} start {embed}{'' if core is None else f' (core {core})'}\n")
    script = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from run_study import dvc; from pathlib import Path\n"
        f"for step in {steps!r}:\n"
        f"    if dvc(step, Path({str(logs / f'{embed}.log')!r}), {core!r}).returncode: sys.exit(1)\n"
    )
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)


def finished(variant, seed: int, code: int, study_log: Path) -> None:
    embed = stage_name("embed", variant.dataset, variant.name, seed)
    metrics_file = training_outputs(variant.name, seed).metrics
    numbers = ""
    if code == 0 and metrics_file.exists():
        metrics = json.loads(metrics_file.read_text())
        numbers = f" fit {metrics['wall_seconds']} s, {metrics['images_per_second']} images/s"
    with study_log.open("a") as handle:
        handle.write(f"{now()} {'done' if code == 0 else f'FAILED ({code}), see logs/{embed}.log'} {embed}{numbers}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--log", type=Path, default=ROOT / "docs" / "study-run.log")
    parser.add_argument("--jobs", type=int, default=2, help="light runs side by side, one core each")
    parser.add_argument("--only", help="comma-separated variants to run (default: every variant of the study)")
    parser.add_argument("--dry", action="store_true", help="print the plan and stop")
    parser.add_argument("--hours", type=float, help="start no run after this many hours (a session's end), "
                        "let the running ones finish, then write the reports")
    args = parser.parse_args()
    os.chdir(ROOT)  # the project's paths (metrics/, data/) are relative to its root
    params = load_params(ROOT / "params.yaml")
    variants = [v for v in study_variants(params) if not args.only or v.name in args.only.split(",")]
    logs = ROOT / "logs"
    logs.mkdir(exist_ok=True)
    setup = dvc(["repro", "check", *(f"preprocess@{name}" for name in params["datasets"])], logs / "setup.log")
    if setup.returncode:
        sys.exit(f"check/fetch/preprocess failed, see {logs / 'setup.log'}:\n{setup.stderr}")
    image_values = {name: read_statistics(name)["image_values"] for name in params["datasets"]}
    runs = sorted(((v, seed) for v in variants for seed in seeds(params)), key=lambda run: (cost(run[0], image_values), run[1]))
    push = has_remote()
    if push and dvc(["push", *(f"preprocess@{name}" for name in params["datasets"])], logs / "setup.log").returncode:
        sys.exit(f"dvc push of the prepared data failed, see {logs / 'setup.log'}")
    todo = pending(runs)
    plan = [(v, seed) for v, seed in runs if todo[stage_name("embed", v.dataset, v.name, seed)]]
    print(f"{len(runs) - len(plan)} of {len(runs)} runs done; to run, in order: "
          + ", ".join(f"{v.name}-{seed}" for v, seed in plan), flush=True)
    if args.dry:
        return
    running: dict[int, tuple] = {}  # core (or -1 for a heavy run on both) -> (process, variant, seed)
    queue = list(plan)
    deadline = time.monotonic() + 3600 * args.hours if args.hours is not None else None
    while queue or running:
        if queue and deadline is not None and time.monotonic() > deadline:
            with args.log.open("a") as handle:
                handle.write(f"{now()} --hours {args.hours:g} reached: {len(queue)} runs left for the next session\n")
            queue.clear()
        for core, (process, variant, seed) in list(running.items()):
            if process.poll() is not None:
                finished(variant, seed, process.returncode, args.log)
                del running[core]
        if queue and -1 not in running:
            variant, seed = queue[0]
            stages = todo[stage_name("embed", variant.dataset, variant.name, seed)]
            if is_heavy(variant) and not running:
                running[-1] = (run_one(variant, seed, stages, logs, args.log, None, push), variant, seed)
                queue.pop(0)
            elif not is_heavy(variant):
                free = [core for core in range(args.jobs) if core not in running]
                if free:
                    core = free[0] if args.jobs > 1 else None
                    running[free[0]] = (run_one(variant, seed, stages, logs, args.log, core, push), variant, seed)
                    queue.pop(0)
        time.sleep(5)
    result = dvc(["repro", "-s", *REPORT_STAGES], logs / "report.log")
    with args.log.open("a") as handle:
        handle.write(f"{now()} {', '.join(REPORT_STAGES)}: {'done' if result.returncode == 0 else 'FAILED, see logs/report.log'}\n")


if __name__ == "__main__":
    main()

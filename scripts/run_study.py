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
own output goes to logs/<stage>.log (git-ignored). In a git repository each finished step is committed as it ends
(the data setup, each run, the reports): its stages' dvc.lock entries on top of the committed dvc.lock, and their
committed outputs, so the committed dvc.lock always matches the committed files, even while another run is half done.

Usage: python scripts/run_study.py [--log PATH] [--jobs 2] [--only VARIANT,...] [--hours H] [--dry] [--no-commit]
"""

import argparse
import datetime
import io
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
# Unbuffered, so a run's log shows each epoch as it ends, not all of them when the run ends.
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
       "PYTHONUNBUFFERED": "1"}
LOCK_BUSY = "Unable to acquire lock"
LOCK_RETRY_SECONDS = 5
REPORT_STAGES = ["check", "summarize", "plot", "claims"]  # params checked, then reports from the runs present
EMPTY_LOCK = "schema: '2.0'\nstages: {}\n"


def machine() -> str:
    """The CPU as kernels see it: model name, family and model number, and the widest vector extension. Runs are
    bit-identical only on one kind of CPU (oneDNN picks kernels by it), and a model name alone ("AMD EPYC") does not
    tell the kinds apart."""
    fields, cpuinfo = {}, Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    flags = set(fields.get("flags", "").split())
    vectors = next((name for flag, name in (("amx_tile", "AMX"), ("avx512f", "AVX-512"), ("avx2", "AVX2")) if flag in flags),
                   "no AVX2")
    return (f"{fields.get('model name', 'unknown CPU')} (family {fields.get('cpu family', '?')}, model "
            f"{fields.get('model', '?')}, {vectors}), {os.cpu_count()} cores")


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_heavy(variant) -> bool:
    return max(variant.conv_filters, default=0) >= 128 or max(variant.dense_units) >= 1024


def cost(variant, image_values: dict[str, int]) -> tuple:
    """Sort key, cheapest first: flat networks, then by image size (values per image, from metrics/datasets), the heavy
    ones last."""
    return is_heavy(variant), bool(variant.conv_filters), image_values[variant.dataset], variant.latent_dim


def dvc(args: list[str], log: Path | None = None, core: int | None = None) -> subprocess.CompletedProcess:
    """Run DVC (pinned to ``core`` if given), retrying while another DVC process holds the repository lock. With a
    ``log``, DVC's output goes there as it is written (each epoch's line while a run trains), and the result's stdout
    holds it, stderr merged in."""
    command = (["taskset", "-c", str(core)] if core is not None else []) + [DVC, *args]
    while True:
        if log is None:
            result = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True)
            output = result.stderr
        else:
            with log.open("ab") as handle:
                handle.write(f"$ {' '.join(command)}\n".encode())
                handle.flush()
                start = handle.tell()
                result = subprocess.run(command, cwd=ROOT, env=ENV, stdout=handle, stderr=subprocess.STDOUT)
                handle.write(b"\n")
            with log.open("rb") as handle:
                handle.seek(start)
                output = handle.read().decode(errors="replace")
            result = subprocess.CompletedProcess(command, result.returncode, output, "")
        if result.returncode == 0 or LOCK_BUSY not in output:
            return result
        time.sleep(LOCK_RETRY_SECONDS)


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


def git(*args: str, stdin: str | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=ROOT, input=stdin, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"git {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def commit_stages(stages: list[str], message: str) -> None:
    """Commit ``stages``' dvc.lock entries, set on top of the committed dvc.lock (entries of stages still running
    stay out), and their committed outputs (git-ignored ones, DVC-cached, are in the commit as their .gitignore)."""
    from ruamel.yaml import YAML  # DVC's own YAML library: the committed dvc.lock keeps DVC's layout

    yaml = YAML()
    for _ in range(30):  # DVC may be rewriting dvc.lock for a run still going: a half-written file can fail to parse,
        try:             # or parse as a shorter valid file that lacks entries; read it again until it has them all
            working = yaml.load((ROOT / "dvc.lock").read_text())
            if all(stage in working["stages"] for stage in stages):
                break
        except Exception:  # noqa: BLE001 - any parse error of a half-written file
            pass
        time.sleep(1)
    else:
        sys.exit(f"dvc.lock could not be read with entries for {', '.join(stages)}")
    shown = subprocess.run(["git", "show", "HEAD:dvc.lock"], cwd=ROOT, capture_output=True, text=True)
    committed = yaml.load(shown.stdout if shown.returncode == 0 else EMPTY_LOCK)
    outputs = []
    for stage in stages:
        committed["stages"][stage] = working["stages"][stage]
        outputs += [out["path"] for out in working["stages"][stage].get("outs", [])]
    text = io.StringIO()
    yaml.dump(committed, text)
    blob = git("hash-object", "-w", "--stdin", stdin=text.getvalue()).strip()
    git("update-index", "--add", "--cacheinfo", f"100644,{blob},dvc.lock")
    ignored = set(subprocess.run(["git", "check-ignore", "--stdin"], cwd=ROOT, input="\n".join(outputs), capture_output=True,
                                 text=True).stdout.split())
    kept = [path for path in outputs if path not in ignored]
    gitignores = sorted({str(Path(path).parent / ".gitignore") for path in ignored if (ROOT / Path(path).parent / ".gitignore").exists()})
    git("add", "-A", "--", *kept, *gitignores)
    if git("diff", "--cached", "--name-only").strip():
        git("commit", "-q", "-m", message)


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
    parser.add_argument("--no-commit", dest="commit", action="store_false", help="leave git alone (default: commit each "
                        "finished step)")
    parser.add_argument("--hours", type=float, help="start no run after this many hours (a session's end), "
                        "let the running ones finish, then write the reports")
    args = parser.parse_args()
    os.chdir(ROOT)  # the project's paths (metrics/, data/) are relative to its root
    params = load_params(ROOT / "params.yaml")
    variants = [v for v in study_variants(params) if not args.only or v.name in args.only.split(",")]
    logs = ROOT / "logs"
    logs.mkdir(exist_ok=True)
    setup_stages = ["check", *(f"{stage}@{name}" for stage in ("fetch", "preprocess", "classifier") for name in params["datasets"])]
    setup = dvc(["repro", *setup_stages], logs / "setup.log")
    if setup.returncode:
        sys.exit(f"check/fetch/preprocess/classifier failed, see {logs / 'setup.log'}:\n{setup.stdout[-3000:]}")
    if args.commit:
        commit_stages(setup_stages, "study: data prepared, reference classifiers trained")
    image_values = {name: read_statistics(name)["image_values"] for name in params["datasets"]}
    runs = sorted(((v, seed) for v in variants for seed in seeds(params)), key=lambda run: (cost(run[0], image_values), run[1]))
    push = has_remote()
    if push and dvc(["push", *setup_stages[1:]], logs / "setup.log").returncode:
        sys.exit(f"dvc push of the prepared data failed, see {logs / 'setup.log'}")
    todo = pending(runs)
    plan = [(v, seed) for v, seed in runs if todo[stage_name("embed", v.dataset, v.name, seed)]]
    print(f"{len(runs) - len(plan)} of {len(runs)} runs done; to run, in order: "
          + ", ".join(f"{v.name}-{seed}" for v, seed in plan), flush=True)
    if args.dry:
        return
    with args.log.open("a") as handle:
        handle.write(f"# {now()} runner started on {machine()}\n")
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
                if process.returncode == 0 and args.commit:
                    if ROOT in args.log.resolve().parents:
                        git("add", "--", str(args.log))
                    commit_stages([stage_name(kind, variant.dataset, variant.name, seed) for kind in ("train", "embed")],
                                  f"study: run {variant.name}-{seed}")
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
    if result.returncode == 0 and args.commit:
        git("add", "--", *(path for path in ("docs/results.md", "docs/claims.md") if (ROOT / path).exists()))  # claims pastes
        commit_stages(REPORT_STAGES, "study: summarize, plot, claims")


if __name__ == "__main__":
    main()

"""Freeze a committed study's results as the reference a rerun is checked against (metrics/reference/).

Reads, at a git revision, every variant's summary over seeds (metrics/summary/) for the headline numbers
`dvc metrics show` prints, every claim row's answer and the numbers it voted with (metrics/claims.json), and the
answer of each of the study's statements those rows give under today's rule (``claims.sentences``), and writes them
to one small JSON file. Each headline number also keeps its value seed by seed, so a rerun of the same seeds is
checked run by run: today's summarize recomputes them from the revision's committed files (a few minutes; its
summaries may predate ``by_seed``), and they must agree with the revision's summaries. The claims stage then
sets the current results beside it (docs/tables/rerun.md): each headline number against the earlier one, each
row and statement whose answer changed, and why.

Usage: python scripts/freeze_study.py REVISION [--out metrics/reference/study-<revision>.json]
"""

import argparse
import io
import json
import math
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vae_study.core.files import write_json  # noqa: E402
from vae_study.core.params import load_params, seeds, study_variants  # noqa: E402
from vae_study.core.paths import CLAIMS_FILE, METRICS_DIR, SUMMARY_DIR, evaluation_file  # noqa: E402
from vae_study.report.claims import sentences  # noqa: E402
from vae_study.report.files import HEADLINE  # noqa: E402
from vae_study.report.run_summary import summarize_study  # noqa: E402
from vae_study.report.summarize_params import summarize_params  # noqa: E402


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout


def committed_json(revision: str, directory: Path) -> dict[str, dict]:
    """Every ``<name>.json`` of ``directory`` at ``revision``, by name."""
    names = git("ls-tree", "--name-only", f"{revision}:{directory.as_posix()}").split()
    return {Path(name).stem: json.loads(git("show", f"{revision}:{directory.as_posix()}/{name}"))
            for name in names if name.endswith(".json")}


def by_seed(revision: str) -> dict[str, dict[str, dict[str, float]]]:
    """Each variant's headline numbers seed by seed, summarized by today's code from the revision's params.yaml and
    committed metrics (unpacked to a scratch folder: the pipeline's paths are relative to the working folder)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "params.yaml", "metrics"], check=True,
                             capture_output=True).stdout
    here = Path.cwd()
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        os.chdir(folder)
        try:
            params = load_params()
            summaries, _, _ = summarize_study(study_variants(params), seeds(params), summarize_params(params))
        finally:
            os.chdir(here)
    return {name: {metric: summary[metric]["by_seed"] for _, metric in HEADLINE if metric in summary}
            for name, summary in summaries.items()}


def freeze(revision: str, seed_values: bool = True) -> dict:
    """The reference; ``seed_values=False`` leaves out the seed-by-seed values (the slow part)."""
    commit = git("rev-parse", "--short", revision).strip()
    metrics = [metric for _, metric in HEADLINE]
    summaries = committed_json(commit, SUMMARY_DIR)
    claims = json.loads(git("show", f"{commit}:{CLAIMS_FILE.as_posix()}"))
    variants = {name: {"seeds": summary["seeds"], **{m: summary[m] for m in metrics if m in summary}}
                for name, summary in summaries.items()}
    if seed_values:
        for name, numbers in by_seed(commit).items():
            for metric, values in numbers.items():
                frozen = variants[name][metric]
                mean = sum(values.values()) / len(values)
                if len(values) != variants[name]["seeds"] or not math.isclose(mean, frozen["mean"], rel_tol=1e-9,
                                                                                abs_tol=1e-12):
                    sys.exit(f"{name} {metric}: today's summarize gives {len(values)} seeds with mean {mean!r}, the "
                             f"revision's summary {variants[name]['seeds']} with {frozen['mean']!r}; they must agree")
                frozen["by_seed"] = values
            for seed, value in numbers.get("test.r2", {}).items():  # each value filed under its own seed
                run = json.loads(git("show", f"{commit}:{evaluation_file(name, int(seed)).as_posix()}"))
                if run["test"]["r2"] != value:
                    sys.exit(f"{name} seed {seed}: test.r2 {value!r} recomputed, {run['test']['r2']!r} in its run's file")
    return {"commit": commit, "variants": variants,
            "rows": {row: {"verdict": found["verdict"], "vote": found["vote"]} for row, found in claims.items()},
            "statements": {quote: found["verdict"] for quote, found in sentences(claims).items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--without-seed-values", action="store_true", help="leave out the seed-by-seed values (fast)")
    args = parser.parse_args()
    reference = freeze(args.revision, seed_values=not args.without_seed_values)
    out = args.out or METRICS_DIR / "reference" / f"study-{reference['commit']}.json"
    write_json(ROOT / out, reference)
    print(f"{out}: {len(reference['variants'])} variants, {len(reference['rows'])} rows, {len(reference['statements'])} "
          f"statements from {reference['commit']}")


if __name__ == "__main__":
    main()

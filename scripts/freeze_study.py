"""Freeze a committed study's results as the reference a rerun is checked against (metrics/reference/).

Reads, at a git revision, every variant's summary over seeds (metrics/summary/) for the headline numbers
`dvc metrics show` prints, every claim row's answer and the numbers it voted with (metrics/claims.json), and the
answer of each of the study's statements those rows give under today's rule (``claims.sentences``), and writes them
to one small JSON file. The claims stage then sets the current results beside it (docs/tables/rerun.md): each
headline number against the earlier one, each row and statement whose answer changed, and why.

Usage: python scripts/freeze_study.py REVISION [--out metrics/reference/study-<revision>.json]
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vae_study.core.files import write_json  # noqa: E402
from vae_study.core.paths import CLAIMS_FILE, METRICS_DIR, SUMMARY_DIR  # noqa: E402
from vae_study.report.claims import sentences  # noqa: E402
from vae_study.report.files import HEADLINE  # noqa: E402


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout


def committed_json(revision: str, directory: Path) -> dict[str, dict]:
    """Every ``<name>.json`` of ``directory`` at ``revision``, by name."""
    names = git("ls-tree", "--name-only", f"{revision}:{directory.as_posix()}").split()
    return {Path(name).stem: json.loads(git("show", f"{revision}:{directory.as_posix()}/{name}"))
            for name in names if name.endswith(".json")}


def freeze(revision: str) -> dict:
    commit = git("rev-parse", "--short", revision).strip()
    metrics = [metric for _, metric in HEADLINE]
    summaries = committed_json(commit, SUMMARY_DIR)
    claims = json.loads(git("show", f"{commit}:{CLAIMS_FILE.as_posix()}"))
    return {"commit": commit,
            "variants": {name: {"seeds": summary["seeds"], **{m: summary[m] for m in metrics if m in summary}}
                         for name, summary in summaries.items()},
            "rows": {row: {"verdict": found["verdict"], "vote": found["vote"]} for row, found in claims.items()},
            "statements": {quote: found["verdict"] for quote, found in sentences(claims).items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    reference = freeze(args.revision)
    out = args.out or METRICS_DIR / "reference" / f"study-{reference['commit']}.json"
    write_json(ROOT / out, reference)
    print(f"{out}: {len(reference['variants'])} variants, {len(reference['rows'])} rows, {len(reference['statements'])} "
          f"statements from {reference['commit']}")


if __name__ == "__main__":
    main()

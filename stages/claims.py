"""claims: every claim of the study judged over seeds (metrics/claims.json) and the tables of docs/results.md.

metrics/claims.json has, per claim, its verdict (and a number for it: holds 1, fails -1, otherwise 0)
and each measure's mean and 95% interval. metrics/verdicts/<claim>.json holds the verdict alone: those are the
DVC metrics, so `dvc metrics diff` against an experiment lists exactly the claims whose verdict it flips.
docs/tables/claims.md, variants.md and figures.md (links to every figure in plots/) are the tables docs/results.md shows.
"""

import json

from vae_study.claims import claims_table, figures_table, judge_all, tally, variants_table
from vae_study.cli import run_stage
from vae_study.errors import PipelineError
from vae_study.paths import CLAIMS_FILE, COMPARISONS_FILE, PLOTS_DIR, SUMMARY_DIR, TABLES_DIR
from vae_study.report_files import VERDICTS_DIR, write_each


def main() -> None:
    sources = {path.stem: json.loads(path.read_text()) for path in sorted(SUMMARY_DIR.glob("*.json"))}
    if not sources:
        raise PipelineError(f"no summaries in {SUMMARY_DIR}; run dvc repro summarize first")
    if COMPARISONS_FILE.exists():
        sources.update(json.loads(COMPARISONS_FILE.read_text()))
    verdicts = judge_all(sources)
    CLAIMS_FILE.write_text(json.dumps(verdicts, indent=2) + "\n")
    write_each(VERDICTS_DIR, {claim: {"verdict": judged["verdict"], "verdict_code": judged["verdict_code"]}
                              for claim, judged in verdicts.items()})
    TABLES_DIR.mkdir(parents=True, exist_ok=True)
    (TABLES_DIR / "claims.md").write_text(claims_table(verdicts))
    (TABLES_DIR / "variants.md").write_text(variants_table(sources))
    (TABLES_DIR / "figures.md").write_text(figures_table([path.as_posix() for path in PLOTS_DIR.rglob("*.png")]))
    counts = ", ".join(f"{count} {verdict}" for verdict, count in sorted(tally(verdicts).items()))
    print(f"claims: {len(verdicts)} claims: {counts}", flush=True)


if __name__ == "__main__":
    run_stage(main)

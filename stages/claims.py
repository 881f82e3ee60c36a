"""claims: every claim of the study judged over seeds (metrics/claims.json), its verdicts as DVC metrics, and the
tables of docs/results.md and its appendix docs/claims.md, pasted into both pages.

metrics/claims.json has, per row, its answer (and a number for it: yes 1, no -1, otherwise 0), its voting
measure's mean and 95% interval, and its context's numbers. metrics/verdicts/<claim>.json holds the verdict alone: those are the
DVC metrics, so `dvc metrics diff` against an experiment lists exactly the claims whose verdict it flips.
docs/tables/ has the answers table, tally and the rule's readings (results.md) and the statements, claims, variants and
figures tables (claims.md), the anchors beside their published numbers and the results beside each earlier study
frozen in metrics/reference/ (claims.md), and the list of measures (pipeline.md).
"""

import json

from vae_study.core.analysis_params import evaluate_params
from vae_study.core.errors import PipelineError
from vae_study.core.files import write_atomically, write_json
from vae_study.core.params import load_params
from vae_study.core.paths import CLAIMS_FILE, COMPARISONS_FILE, METRICS_DIR, PLOTS_DIR, SUMMARY_DIR, TABLES_DIR
from vae_study.core.stage_runner import run_stage
from vae_study.report.anchors import anchors_table
from vae_study.report.claims import judge_all, tally
from vae_study.report.claims_tables import (
    answers_table,
    claims_table,
    figures_table,
    paste_tables,
    readings_table,
    sentences_table,
    tally_line,
    variants_table,
)
from vae_study.report.earlier_study import rerun_table
from vae_study.report.files import VERDICTS_DIR, write_each
from vae_study.report.measures import measures_table

REFERENCES_DIR = METRICS_DIR / "reference"  # earlier studies, frozen by scripts/freeze_study.py
PAGES = [TABLES_DIR.parent / name for name in ("results.md", "claims.md", "pipeline.md")]  # the pages that show the tables


def main() -> None:
    sources = {path.stem: json.loads(path.read_text()) for path in sorted(SUMMARY_DIR.glob("*.json"))}
    if not sources:
        raise PipelineError(f"no summaries in {SUMMARY_DIR}; run dvc repro summarize first")
    if COMPARISONS_FILE.exists():
        sources.update(json.loads(COMPARISONS_FILE.read_text()))
    verdicts = judge_all(sources)
    write_json(CLAIMS_FILE, verdicts)
    write_each(VERDICTS_DIR, {claim: {"verdict": judged["verdict"], "verdict_code": judged["verdict_code"]}
                              for claim, judged in verdicts.items()})
    tables = {"answers.md": answers_table(verdicts), "tally.md": tally_line(verdicts), "readings.md": readings_table(),
              "sentences.md": sentences_table(verdicts), "claims.md": claims_table(verdicts),
              "variants.md": variants_table(sources),
              "figures.md": figures_table([path.as_posix() for path in PLOTS_DIR.rglob("*.png")]), "measures.md": measures_table(),
              "anchors.md": anchors_table(sources, evaluate_params(load_params()).knn_neighbors),
              "rerun.md": "\n".join(rerun_table(json.loads(path.read_text()), sources, verdicts)
                                    for path in sorted(REFERENCES_DIR.glob("*.json")))
              or f"No earlier study in {REFERENCES_DIR}/ (scripts/freeze_study.py freezes one).\n"}
    for name, table in tables.items():
        write_atomically(TABLES_DIR / name, table)
    for page in PAGES:
        if page.exists():
            write_atomically(page, paste_tables(page.read_text(), tables))
    counts = ", ".join(f"{count} {verdict}" for verdict, count in sorted(tally(verdicts).items()))
    print(f"claims: {len(verdicts)} rows; the study's sentences: {counts}", flush=True)


if __name__ == "__main__":
    run_stage(main)

"""summarize: every variant's metrics over seeds (metrics/summary/<variant>.json: mean, sd, 95% interval), the
paired comparisons of params' summarize.compare (metrics/comparisons.json), and each variant's headline numbers
(metrics/variants/<variant>.json, what `dvc metrics show` prints).

It reads only committed files (metrics/ and the dataset statistics preprocess wrote), so it runs in any clone.
It summarizes the runs present and names every missing one (with the command that makes it), so
`dvc repro -s summarize` reports on a study still in progress; `seeds` in each file says how many runs it rests on.
"""

from vae_study.core.files import write_json
from vae_study.core.params import load_params, seeds, study_variants
from vae_study.core.paths import COMPARISONS_FILE, SUMMARY_DIR
from vae_study.core.stage_runner import run_stage
from vae_study.report.files import HEADLINE_DIR, write_each
from vae_study.report.run_summary import headline, summarize_study
from vae_study.report.summarize_params import summarize_params


def main() -> None:
    params = load_params()
    summaries, comparisons, missing = summarize_study(study_variants(params), seeds(params), summarize_params(params))
    if missing:
        print(f"summarize: {len(missing)} runs missing, left out: dvc repro {' '.join(missing)} makes them "
              "(a variant runs when params.yaml's study lists it)", flush=True)
    write_each(SUMMARY_DIR, summaries)
    write_each(HEADLINE_DIR, {name: headline(summary) for name, summary in summaries.items()})
    write_json(COMPARISONS_FILE, comparisons)
    count = sum(summary["seeds"] for summary in summaries.values())
    print(f"summarize: {count} runs of {len(summaries)} variants, {len(comparisons)} comparisons", flush=True)


if __name__ == "__main__":
    run_stage(main)

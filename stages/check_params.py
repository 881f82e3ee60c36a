"""check: every value of params.yaml, before any other stage runs (each depends on this stage's output).

The output says only that the params passed: it stays the same while they stay
valid, so a valid change reruns just the stages that read the changed values.
DVC keeps it (persist) when a check fails, so a refused change deletes nothing.
"""

from vae_study.core.params import load_params
from vae_study.core.paths import PARAMS_CHECKED_FILE
from vae_study.core.stage_runner import run_stage
from vae_study.ingest.checks import check_params


def main() -> None:
    account = check_params(load_params())
    PARAMS_CHECKED_FILE.parent.mkdir(parents=True, exist_ok=True)
    PARAMS_CHECKED_FILE.write_text("params.yaml passed every check of stages/check_params.py\n")
    print(f"check: params.yaml is valid: {account}", flush=True)


if __name__ == "__main__":
    run_stage(main)

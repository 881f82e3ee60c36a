"""Shared entry-point plumbing for the stage scripts."""

import sys
from collections.abc import Callable

from vae_study.core.errors import PipelineError


def run_stage(main: Callable[[], None]) -> None:
    """Run a stage, turning a PipelineError into one message and exit code 2."""
    try:
        main()
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)

"""How long the study took, from the runner's log: the wall time it was busy, and the runs' summed fit time.

Busy time is the union of every run's start-to-done span, so the gaps between sessions and the reports
do not count; side by side runs count once. The summed `fit` seconds approximate one run at a time on
both cores (`dvc repro`): a light model trains about as fast pinned to one core as on both (docs/performance.md).

Usage: python scripts/study_time.py [docs/study-run.log] [--since 2026-12-06T23:00:00Z] [--until ...]   (one study of
the log: the runs between those moments; the log keeps every study run into it)
"""

import argparse
import collections
import datetime
import re
from pathlib import Path

LINE = re.compile(r"^(\S+Z) (start|done) embed-\w+@(\w+)-(\d+)(?: fit ([\d.]+) s)?")


def spans(lines) -> tuple[list[tuple[datetime.datetime, datetime.datetime]], dict[str, list[float]]]:
    """Each finished run's (start, done) and each variant's fit seconds; a run started twice counts from its last start."""
    started, runs, fits = {}, [], collections.defaultdict(list)
    for line in lines:
        match = LINE.match(line)
        if not match:
            continue
        time, event, variant, seed, fit = match.groups()
        moment = datetime.datetime.fromisoformat(time.replace("Z", "+00:00"))
        if event == "start":
            started[variant, seed] = moment
        elif (variant, seed) in started:
            runs.append((started.pop((variant, seed)), moment))
            fits[variant].append(float(fit))
    return runs, fits


def busy_seconds(runs: list[tuple[datetime.datetime, datetime.datetime]]) -> float:
    total, end = 0.0, None
    for start, done in sorted(runs):
        if end is None or start > end:
            total, end = total + (done - start).total_seconds(), done
        elif done > end:
            total, end = total + (done - end).total_seconds(), done
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", nargs="?", type=Path, default=Path("docs/study-run.log"))
    parser.add_argument("--since", help="count only the lines from this UTC moment on (ISO 8601, as the log writes it)")
    parser.add_argument("--until", help="count only the lines before this UTC moment (ISO 8601)")
    args = parser.parse_args()
    lines = args.log.read_text().splitlines()
    if args.since:
        lines = [line for line in lines if line[:20] >= args.since]  # the log's moments sort as text
    if args.until:
        lines = [line for line in lines if line[:20] < args.until]
    runs, fits = spans(lines)
    for variant, seconds in sorted(fits.items()):
        print(f"{variant:26} {len(seconds)} runs, fit {sum(seconds) / 60:6.1f} min ({', '.join(f'{s:.0f}' for s in seconds)} s)")
    fit_hours = sum(map(sum, fits.values())) / 3600
    print(f"{len(runs)} runs: busy {busy_seconds(runs) / 3600:.2f} h of wall time; summed fit {fit_hours:.2f} h")


if __name__ == "__main__":
    main()

"""The current results set beside an earlier committed study (metrics/reference/, frozen by scripts/freeze_study.py).

A rerun with cleaned code must reproduce the study within its seed spread: each variant's headline numbers (the ones
`dvc metrics show` prints) are checked against the earlier 95% interval of the mean, and every claim whose verdict
differs is listed. Rows the earlier study did not have are named, not counted as flips.
"""

import math

from vae_study.report.claims_tables import interval_text
from vae_study.report.files import HEADLINE


def _inside(earlier: dict, now: dict) -> bool:
    low, high = earlier.get("ci95_low"), earlier.get("ci95_high")
    if low is None:
        return now["mean"] == earlier["mean"]
    return low <= now["mean"] <= high


def _identical(earlier: dict, now: dict) -> bool:
    """The same mean to the last bit (the same runs), the interval up to the float rounding of its computation."""
    return earlier["mean"] == now["mean"] and all(
        math.isclose(earlier[key], now[key], rel_tol=1e-9, abs_tol=1e-15) if earlier.get(key) is not None
        else now.get(key) is None for key in ("ci95_low", "ci95_high"))


def compare(reference: dict, sources: dict[str, dict]) -> list[dict]:
    """One entry per variant and headline number both studies have: both summaries, inside, identical."""
    rows = []
    for variant, earlier in sorted(reference["variants"].items()):
        for _, metric in HEADLINE:
            now = sources.get(variant, {}).get(metric)
            if metric in earlier and now:
                rows.append({"variant": variant, "metric": metric, "seeds": (earlier["seeds"], sources[variant]["seeds"]),
                             "earlier": earlier[metric], "now": now, "inside": _inside(earlier[metric], now),
                             "identical": _identical(earlier[metric], now)})
    return rows


def flips(reference: dict, verdicts: dict[str, dict]) -> tuple[list[tuple[str, str, str]], list[str], list[str]]:
    """(the rows whose verdict changed, as (row, earlier, now); rows new since; rows gone since)."""
    earlier = reference["verdicts"]
    changed = [(row, earlier[row], verdicts[row]["verdict"]) for row in verdicts
               if row in earlier and earlier[row] != verdicts[row]["verdict"]]
    return changed, [row for row in verdicts if row not in earlier], [row for row in earlier if row not in verdicts]


def rerun_table(reference: dict, sources: dict[str, dict], verdicts: dict[str, dict]) -> str:
    """A line that answers first (with the flipped verdicts), a row per variant, and every number in a folded table."""
    rows = compare(reference, sources)
    commit = reference["commit"]
    missing = sorted(set(reference["variants"]) - {row["variant"] for row in rows})
    inside, identical = sum(row["inside"] for row in rows), sum(row["identical"] for row in rows)
    changed, new, gone = flips(reference, verdicts)
    lines = [f"Against the committed study ({commit}): {inside} of {len(rows)} headline numbers inside its 95% "
             f"interval, {identical} with the same mean to the last bit; "
             + (f"{len(changed)} verdicts flipped ({', '.join(f'{row}: {then} to {now}' for row, then, now in changed)})"
                if changed else "no verdict flipped")
             + (f"; new rows: {', '.join(new)}" if new else "") + (f"; rows gone: {', '.join(gone)}" if gone else "")
             + (f"; not rerun yet: {', '.join(f'`{name}`' for name in missing)}" if missing else "") + ".", "",
             "| variant | seeds, then / now | inside the earlier interval | the same mean | outside: number, then and now |",
             "|---|---|---|---|---|"]
    for variant in sorted({row["variant"] for row in rows}):
        mine = [row for row in rows if row["variant"] == variant]
        outside = "; ".join(f"{row['metric']}: {interval_text(_shown(row['earlier'], row['seeds'][0]))} then, "
                            f"{interval_text(_shown(row['now'], row['seeds'][1]))} now" for row in mine if not row["inside"])
        then, now = mine[0]["seeds"]
        lines.append(f"| `{variant}` | {then} / {now} | {sum(row['inside'] for row in mine)} of {len(mine)} | "
                     f"{sum(row['identical'] for row in mine)} of {len(mine)} | {outside} |")
    lines += ["", "<details><summary>Every headline number, then and now</summary>", "",
              "| variant | number | then: mean [95% interval] | now | against the earlier interval |", "|---|---|---|---|---|",
              *(f"| `{row['variant']}` | {row['metric']} | {interval_text(_shown(row['earlier'], row['seeds'][0]))} | "
                f"{interval_text(_shown(row['now'], row['seeds'][1]))} | {'inside' if row['inside'] else 'outside'} |"
                for row in rows), "", "</details>"]
    return "\n".join(lines) + "\n"


def _shown(stats: dict, seeds: int) -> dict:
    return {"seeds": seeds, **stats}

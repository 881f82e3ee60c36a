"""The current results set beside an earlier committed study (metrics/reference/, frozen by scripts/freeze_study.py).

A rerun with cleaned code must reproduce the study within its seed spread. Each variant's headline numbers (the ones
`dvc metrics show` prints) are set against the earlier ones three ways:

- the new mean inside the earlier 95% interval of the mean: what a reader checks by eye; for independent seeds,
  three against three fall outside it about 9% of the time by chance alone (``OUTSIDE_BY_CHANCE``);
- Welch's 95% interval of the difference, which counts the noise of both studies;
- seed by seed: a rerun repeats each seed's initial weights and batch order, so its runs pair with the earlier ones.
  The paired interval of the mean per-seed change catches a shift of every run that the two checks above let
  through. How far the changed runs moved, in seed sds, is set beside how far a fresh seed moves a run: runs that
  float rounding alone changed (another CPU kind) may stay close or drift as far as a fresh seed, and then the
  paired check is no sharper than Welch's.

Runs reproduced to the last bit are counted. Every row and statement of the claims whose answer changed is listed
with its voting numbers then and now; a statement that gained rows (the class kept) says so, since its answer can
change with no number changing.
"""

import functools
import math
import statistics

import numpy as np
import scipy.stats

from vae_study.report.claims import CLAIMS, sentences
from vae_study.report.claims_tables import interval_text
from vae_study.report.files import HEADLINE
from vae_study.report.summary import interval

# P(|t with 2 df| > t_0.975(2) / sqrt(2)): a mean of 3 seeds outside another 3 seeds' 95% interval of the mean, both
# drawn from one distribution (tests/test_earlier_study.py checks it on synthetic seeds).
OUTSIDE_BY_CHANCE = 0.093


def welch_difference(earlier: dict, now: dict, seeds: tuple[int, int]) -> tuple[float, float | None, float | None]:
    """now minus earlier: the difference of the means and Welch's 95% interval from each study's sd and seed count
    (None with a single seed)."""
    difference = now["mean"] - earlier["mean"]
    (then_n, now_n), then_sd, now_sd = seeds, earlier.get("sd"), now.get("sd")
    if then_sd is None or now_sd is None or min(seeds) < 2:
        return difference, None, None
    a, b = then_sd ** 2 / then_n, now_sd ** 2 / now_n
    if a + b == 0:
        return difference, difference, difference
    freedom = (a + b) ** 2 / (a ** 2 / (then_n - 1) + b ** 2 / (now_n - 1))
    half = scipy.stats.t.ppf(0.975, freedom) * math.sqrt(a + b)
    return difference, difference - half, difference + half


def _inside(earlier: dict, now: dict) -> bool:
    low, high = earlier.get("ci95_low"), earlier.get("ci95_high")
    if low is None:
        return now["mean"] == earlier["mean"]
    return low <= now["mean"] <= high


def pooled_sd(earlier: dict, now: dict, seeds: tuple[int, int]) -> float | None:
    """The seed sd of both studies pooled by their degrees of freedom (a side with one seed adds none)."""
    parts = [(count - 1, stats["sd"]) for count, stats in zip(seeds, (earlier, now)) if count > 1 and stats.get("sd") is not None]
    freedom = sum(df for df, _ in parts)
    return math.sqrt(sum(df * sd ** 2 for df, sd in parts) / freedom) if freedom else None


@functools.lru_cache
def fresh_seed_median(then_seeds: int, now_seeds: int, draws: int = 20000) -> float:
    """How far a fresh seed moves a run's number: the median |now - then| of paired draws from one normal
    distribution, in the sd pooled from the draws themselves as ``pooled_sd`` pools it (1.09 for three seeds each;
    0.95 were the sd known). Simulated with a fixed seed, so the page is the same on every run."""
    rng = np.random.default_rng(0)
    then, now = rng.normal(size=(draws, then_seeds)), rng.normal(size=(draws, now_seeds))
    paired = min(then_seeds, now_seeds)
    pooled = np.sqrt(((then_seeds - 1) * then.var(axis=1, ddof=1) + (now_seeds - 1) * now.var(axis=1, ddof=1))
                     / (then_seeds + now_seeds - 2))
    return float(np.median(np.abs(now[:, :paired] - then[:, :paired]) / pooled[:, None]))


def seed_changes(earlier: dict, now: dict) -> dict[str, float]:
    """Now minus then for each seed both studies ran (empty without seed-by-seed values)."""
    then_seeds, now_seeds = earlier.get("by_seed") or {}, now.get("by_seed") or {}
    return {seed: now_seeds[seed] - then_seeds[seed] for seed in sorted(set(then_seeds) & set(now_seeds), key=int)}


def compare(reference: dict, sources: dict[str, dict]) -> list[dict]:
    """One entry per variant and headline number of the earlier study: both summaries (``now`` None where the current
    results lack it), inside the earlier interval, Welch's difference, the same mean, each seed's change, the paired
    interval of the mean change (None with fewer than two paired seeds) and the pooled seed sd."""
    rows = []
    for variant, earlier in sorted(reference["variants"].items()):
        for _, metric in HEADLINE:
            if metric not in earlier:
                continue
            now = sources.get(variant, {}).get(metric)
            row = {"variant": variant, "metric": metric, "earlier": earlier[metric], "now": now}
            if now:
                seeds = (earlier["seeds"], sources[variant]["seeds"])
                difference, changes = welch_difference(earlier[metric], now, seeds), seed_changes(earlier[metric], now)
                paired = interval(list(changes.values())) if len(changes) > 1 else None
                row.update(seeds=seeds, inside=_inside(earlier[metric], now), difference=difference,
                           consistent=difference[1] is None or difference[1] <= 0 <= difference[2],
                           identical=earlier[metric]["mean"] == now["mean"], changes=changes, paired=paired,
                           paired_consistent=None if paired is None else paired["ci95_low"] <= 0 <= paired["ci95_high"],
                           unit=pooled_sd(earlier[metric], now, seeds))
            rows.append(row)
    return rows


def changed_seeds(rows: list[dict]) -> set[str]:
    """The seeds whose run changed: any of its headline numbers differs from the earlier run's."""
    return {seed for row in rows for seed, change in row["changes"].items() if change != 0}


def moved(rows: list[dict]) -> float | None:
    """How far one variant's changed runs moved: the median over its changed runs and headline numbers of |change| in
    pooled seed sds (None if none changed or no spread to measure in)."""
    sizes = [abs(change) / row["unit"] for row in rows if row["unit"] for change in row["changes"].values() if change]
    return statistics.median(sizes) if sizes else None


def changed_answers(reference: dict, verdicts: dict[str, dict]) -> dict[str, list]:
    """The rows whose answer changed (row, then, now), the statements whose answer changed (quote, then, now, the rows
    it gained), the rows new since, and the rows gone."""
    rows, earlier_statements = reference["rows"], reference["statements"]
    now_statements = sentences(verdicts)
    statements = []
    for quote, found in now_statements.items():
        then = earlier_statements.get(quote)
        if then is not None and then != found["verdict"]:
            statements.append((quote, then, found["verdict"], [row for row in found["rows"] if row not in rows]))
    return {"rows": [(row, rows[row]["verdict"], verdicts[row]["verdict"]) for row in verdicts
                     if row in rows and rows[row]["verdict"] != verdicts[row]["verdict"]],
            "statements": statements, "new": [row for row in verdicts if row not in rows],
            "gone": [row for row in rows if row not in verdicts]}


def _vote_numbers(vote: dict) -> str:
    return "; ".join(f"{entry['label']}: {interval_text(entry)}" for entry in vote.values())


def rerun_table(reference: dict, sources: dict[str, dict], verdicts: dict[str, dict]) -> str:
    """A line that answers first, a row per variant, the changed answers with their numbers, and every headline
    number then and now in a folded table."""
    rows = compare(reference, sources)
    present = [row for row in rows if row["now"]]
    absent = sorted({f"`{row['variant']}` {row['metric']}" for row in rows if not row["now"]})
    changed = changed_answers(reference, verdicts)
    variants = sorted({row["variant"] for row in present})
    by_variant = {variant: [row for row in present if row["variant"] == variant] for variant in variants}
    paired_rows = [row for row in present if row["paired"] is not None]
    moving = [row for row in paired_rows if any(row["changes"].values())]
    runs = sum(len(mine[0]["changes"]) for mine in by_variant.values())
    runs_changed = sum(len(changed_seeds(mine)) for mine in by_variant.values())
    inside = sum(row["inside"] for row in present)
    consistent = sum(row["consistent"] for row in present)
    lines = [
        f"Against the committed study ({reference['commit']}): {runs_changed} of {runs} runs changed, the others are the "
        f"same to the last bit. Of {len(present)} headline numbers, {inside} lie inside the earlier 95% interval (for "
        f"independent seeds about {OUTSIDE_BY_CHANCE * len(present):.0f} would fall outside by chance alone), "
        f"{consistent} have a Welch interval of the difference that contains zero, and "
        f"{sum(row['paired_consistent'] for row in paired_rows)} of {len(paired_rows)} a paired interval of the mean "
        f"per-seed change that contains zero (a rerun repeats each seed's initial weights and batch order; of the "
        f"{len(moving)} whose runs changed, about {0.05 * len(moving):.0f} would miss zero by chance alone). Rows whose "
        f"answer changed: {len(changed['rows'])}; statements: {len(changed['statements'])}"
        + (f"; new rows: {', '.join(changed['new'])}" if changed["new"] else "")
        + (f"; rows gone: {', '.join(changed['gone'])}" if changed["gone"] else "")
        + (f"; not in the current results: {', '.join(absent)}" if absent else "") + ".", "",
        "| variant | seeds, then / now | runs changed | inside the earlier interval | Welch interval contains zero "
        "| paired interval contains zero | changed runs moved, in seed sds: median (a fresh seed's) "
        "| outside: number, then and now |",
        "|---|---|---|---|---|---|---|---|"]
    for variant, mine in by_variant.items():
        then, now = mine[0]["seeds"]
        outside_cells = "; ".join(f"{row['metric']}: {interval_text({'seeds': then, **row['earlier']})} then, "
                                  f"{interval_text({'seeds': now, **row['now']})} now" for row in mine if not row["inside"])
        distance = moved(mine)
        fresh = f" ({fresh_seed_median(then, now):.2f})" if min(then, now) > 1 else ""
        paired = [row["paired_consistent"] for row in mine if row["paired_consistent"] is not None]
        lines.append(f"| `{variant}` | {then} / {now} | {len(changed_seeds(mine))} of {len(mine[0]['changes'])} | "
                     f"{sum(row['inside'] for row in mine)} of {len(mine)} | {sum(row['consistent'] for row in mine)} of "
                     f"{len(mine)} | {f'{sum(paired)} of {len(paired)}' if paired else ''} | "
                     f"{'' if distance is None else f'{distance:.2f}{fresh}'} | {outside_cells} |")
    if changed["statements"]:
        lines += ["", "| statement | then | now | why |", "|---|---|---|---|"]
        for quote, then, now, gained in changed["statements"]:
            why = (f"it gained rows {', '.join(gained)}" if gained else "its rows' numbers changed")
            lines.append(f"| \"{quote}\" | {then} | {now} | {why} |")
    if changed["rows"]:
        claims = {claim.id: claim for claim in CLAIMS}
        lines += ["", "| row | measured as | then | now |", "|---|---|---|---|"]
        for row, then, now in changed["rows"]:
            lines.append(f"| {row} | {claims[row].reading if row in claims else ''} | {then}: "
                         f"{_vote_numbers(reference['rows'][row]['vote'])} | {now}: {_vote_numbers(verdicts[row]['vote'])} |")
    lines += ["", "<details><summary>Every headline number, then and now</summary>", "",
              "| variant | number | then: mean [95% interval] | now | now minus then, Welch's 95% interval "
              "| each seed's change (seed: change) | paired 95% interval of the mean change |", "|---|---|---|---|---|---|---|"]
    for row in present:
        difference, low, high = row["difference"]
        welch = f"{difference:.3g}" + (f" [{low:.3g}, {high:.3g}]" if low is not None else "")
        each = ", ".join(f"{seed}: {change:+.3g}" for seed, change in row["changes"].items())
        paired = "" if row["paired"] is None else interval_text({"seeds": len(row["changes"]), **row["paired"]})
        lines.append(f"| `{row['variant']}` | {row['metric']} | {interval_text({'seeds': row['seeds'][0], **row['earlier']})} | "
                     f"{interval_text({'seeds': row['seeds'][1], **row['now']})} | {welch} | {each} | {paired} |")
    lines += ["", "</details>"]
    return "\n".join(lines) + "\n"

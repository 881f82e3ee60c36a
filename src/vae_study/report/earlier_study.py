"""The current results set beside an earlier committed study (metrics/reference/, frozen by scripts/freeze_study.py).

A rerun with cleaned code must reproduce the study within its seed spread. Each variant's headline numbers (the ones
`dvc metrics show` prints) are set against the earlier ones twice: the new mean inside the earlier 95% interval of the
mean (what a reader checks by eye; an exact statistical reproduction of three seeds against three still falls
outside it about 9% of the time, ``OUTSIDE_BY_CHANCE``), and Welch's 95% interval of the difference, which counts the
noise of both studies. The same runs give the same mean to the last bit. Every row and statement of the claims whose
answer changed is listed with its voting numbers then and now; a statement that gained rows (the class kept) says so,
since its answer can change with no number changing.
"""

import math
import statistics

import scipy.stats

from vae_study.report.claims import CLAIMS, sentences
from vae_study.report.claims_tables import interval_text
from vae_study.report.files import HEADLINE

# P(|t with 2 df| > t_0.975(2) / sqrt(2)): a mean of 3 seeds outside another 3 seeds' 95% interval of the mean, both
# drawn from one distribution (tests/test_earlier_study.py checks it on synthetic seeds).
OUTSIDE_BY_CHANCE = 0.093
# The median of |X - Y| for two independent draws of one normal distribution, in its sds (sqrt(2) x its 75th
# percentile, 0.954): a fresh seed moves a run's number by more than this half the time. Measured in sds estimated
# from three seeds per study, fresh seeds pass it FRESH_SEED_SHARE of the time (tests/test_earlier_study.py).
FRESH_SEED_CHANGE = math.sqrt(2) * float(scipy.stats.norm.ppf(0.75))
FRESH_SEED_SHARE = 0.56


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


def seed_changes(earlier: dict, now: dict) -> list[float] | None:
    """Each seed both studies ran: now minus then, in seed sds pooled over both studies (a 3-seed sd alone is too
    noisy a unit); 0 where the run is unchanged; None without seed-by-seed values or without a spread to measure in."""
    then_seeds, now_seeds = earlier.get("by_seed"), now.get("by_seed")
    if not then_seeds or not now_seeds:
        return None
    changes = [now_seeds[seed] - then_seeds[seed] for seed in sorted(set(then_seeds) & set(now_seeds), key=int)]
    if not changes:
        return None
    if all(change == 0 for change in changes):
        return [0.0] * len(changes)
    pooled = math.sqrt(((earlier.get("sd") or 0) ** 2 + (now.get("sd") or 0) ** 2) / 2)
    return [change / pooled for change in changes] if pooled else None


def compare(reference: dict, sources: dict[str, dict]) -> list[dict]:
    """One entry per variant and headline number of the earlier study: both summaries (``now`` None where the current
    results lack it), inside the earlier interval, Welch's difference, the same mean, and the change of each seed."""
    rows = []
    for variant, earlier in sorted(reference["variants"].items()):
        for _, metric in HEADLINE:
            if metric not in earlier:
                continue
            now = sources.get(variant, {}).get(metric)
            row = {"variant": variant, "metric": metric, "earlier": earlier[metric], "now": now}
            if now:
                seeds = (earlier["seeds"], sources[variant]["seeds"])
                difference = welch_difference(earlier[metric], now, seeds)
                row.update(seeds=seeds, inside=_inside(earlier[metric], now), difference=difference,
                           consistent=difference[1] is None or difference[1] <= 0 <= difference[2],
                           identical=earlier[metric]["mean"] == now["mean"],
                           seed_changes=seed_changes(earlier[metric], now))
            rows.append(row)
    return rows


def _sizes(rows: list[dict]) -> list[float]:
    """How far each changed run's numbers moved (a run reproduced to the last bit moved 0 and is counted apart)."""
    return [abs(change) for row in rows for change in (row.get("seed_changes") or []) if change != 0]


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
    inside = sum(row["inside"] for row in present)
    consistent, identical = sum(row["consistent"] for row in present), sum(row["identical"] for row in present)
    outside = len(present) - inside
    sizes = _sizes(present)
    largest = max((row for row in present if row.get("seed_changes")), key=lambda row: max(map(abs, row["seed_changes"])),
                  default=None)
    paired = (f" Seed by seed (a rerun repeats each seed's initial weights and batch order, so its runs pair with the "
              f"earlier ones): the {len(sizes)} numbers of the runs that changed moved by a median of "
              f"{statistics.median(sizes):.2f} seed sds, {sum(size > FRESH_SEED_CHANGE for size in sizes)} by more than "
              f"{FRESH_SEED_CHANGE:.2f} (fresh seeds, three per study: about {FRESH_SEED_SHARE * len(sizes):.0f}); the largest, {max(sizes):.2f}, is "
              f"`{largest['variant']}` {largest['metric']}." if sizes else "")
    lines = [
        f"Against the committed study ({reference['commit']}): {inside} of {len(present)} headline numbers inside its 95% "
        f"interval ({outside} outside; for independent seeds about {OUTSIDE_BY_CHANCE * len(present):.0f} would be by "
        f"chance alone), {consistent} with a Welch interval of the difference that holds zero, {identical} with the same "
        f"mean to the last bit (the same runs).{paired} Rows whose answer changed: {len(changed['rows'])}; statements: "
        f"{len(changed['statements'])}" + (f"; new rows: {', '.join(changed['new'])}" if changed["new"] else "")
        + (f"; rows gone: {', '.join(changed['gone'])}" if changed["gone"] else "")
        + (f"; not in the current results: {', '.join(absent)}" if absent else "") + ".", "",
        "| variant | seeds, then / now | inside the earlier interval | Welch interval holds zero | the same mean "
        "| changed runs: median and largest change, in seed sds | outside: number, then and now |",
        "|---|---|---|---|---|---|---|"]
    for variant in sorted({row["variant"] for row in present}):
        mine = [row for row in present if row["variant"] == variant]
        then, now = mine[0]["seeds"]
        outside_cells = "; ".join(f"{row['metric']}: {interval_text({'seeds': then, **row['earlier']})} then, "
                                  f"{interval_text({'seeds': now, **row['now']})} now" for row in mine if not row["inside"])
        mine_sizes = _sizes(mine)
        moved = f"{statistics.median(mine_sizes):.2f}, {max(mine_sizes):.2f}" if mine_sizes else "none changed"
        lines.append(f"| `{variant}` | {then} / {now} | {sum(row['inside'] for row in mine)} of {len(mine)} | "
                     f"{sum(row['consistent'] for row in mine)} of {len(mine)} | {sum(row['identical'] for row in mine)} "
                     f"of {len(mine)} | {moved} | {outside_cells} |")
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
              "| each seed's change, in seed sds |", "|---|---|---|---|---|---|"]
    for row in present:
        difference, low, high = row["difference"]
        welch = f"{difference:.3g}" + (f" [{low:.3g}, {high:.3g}]" if low is not None else "")
        each = ", ".join(f"{change:+.2f}" for change in row["seed_changes"] or [])
        lines.append(f"| `{row['variant']}` | {row['metric']} | {interval_text({'seeds': row['seeds'][0], **row['earlier']})} | "
                     f"{interval_text({'seeds': row['seeds'][1], **row['now']})} | {welch} | {each} |")
    lines += ["", "</details>"]
    return "\n".join(lines) + "\n"

"""The claims as Markdown for a reader: the answers table and tally docs/results.md opens with, and the full claims,
variants and figures tables of its appendix, docs/claims.md. The claims stage writes them to docs/tables/ and
pastes them into both pages between their markers (``paste_tables``), so the pages cannot drift from the numbers.
"""

import re
from collections import Counter
from pathlib import Path

from vae_study.claims import CLAIMS, tally
from vae_study.summary import COLLAPSED_BELOW

def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}"


def interval_text(result: dict) -> str:
    """A judged measure as the tables show it, ``mean [low, high]``; the findings quote it in these words."""
    if result["mean"] is None:
        return "no runs yet"
    if result["ci95_low"] is None:
        return f"{_number(result['mean'])} ({result['seeds']} seed)"
    return f"{_number(result['mean'])} [{_number(result['ci95_low'])}, {_number(result['ci95_high'])}]"


def claims_table(verdicts: dict[str, dict]) -> str:
    """The Markdown table of every claim: its quote, reading, each measure with its reference, interval and verdict."""
    lines = ["| # | the study says | measured as | measure: mean [95% interval over seeds] | reference | verdict |",
             "|---|---|---|---|---|---|"]
    for claim in CLAIMS:
        result = verdicts[claim.id]
        mixed = len({judged["verdict"] for judged in result["measures"].values()}) > 1 and result["verdict"] != "pending"
        cells = []
        for measure in claim.measures:
            judged = result["measures"][measure.key]
            mark = f" ({judged['verdict']})" if mixed else ""
            cells.append(f"{measure.label}: {interval_text(judged)}{mark}")
        for measure in claim.sensitivity:
            judged = result["sensitivity"][measure.key]
            shown = f" ({judged['verdict']})" if judged["verdict"] != "pending" else ""
            cells.append(f"sensitivity, {measure.label}: {interval_text(judged)}{shown}")
        references = list(dict.fromkeys(f"{'>' if m.side == 'above' else '<'} {m.reference:g}" for m in claim.measures))
        reading = claim.reading + (f" (cut-off, a convention: {claim.cutoff})" if claim.cutoff else "")
        together = Counter(measure.together for measure in claim.measures if measure.together)
        reading += "".join(f"; {condition}" for condition, count in together.items() if count > 1)
        reading += "".join(f"; {note}" for note in claim.notes)
        sources = ", ".join(sorted({f"`{m.source}`" for m in claim.measures}))
        lines.append(f"| {claim.id} | \"{claim.quote}\" | {reading} ({sources}) | {'<br>'.join(cells)} | "
                     f"{', '.join(references)} | **{result['verdict']}** |")
    return "\n".join(lines) + "\n"



VARIANT_COLUMNS = [
    ("test R²", "test.r2"),
    ("R² vs mean image", "test.r2_vs_mean_image"),
    ("per-pixel MSE", "test.mse"),
    ("5-NN accuracy", "latent.knn_accuracy"),
    ("5-NN chance / majority", None),
    ("silhouette", "latent.silhouette"),
    ("silhouette, permuted labels", "latent.silhouette_permuted_labels"),
    ("KL (nats)", "objective.kl"),
    ("final loss / pooled pixel variance", "curve.final_over_variance"),
]


def variants_table(sources: dict[str, dict]) -> str:
    """One row per variant summary: seeds and mean [95% interval] of the main metrics, the kNN baselines beside."""
    lines = ["| variant | seeds | " + " | ".join(title for title, _ in VARIANT_COLUMNS) + " |",
             "|---|---|" + "---|" * len(VARIANT_COLUMNS)]
    for name, summary in sources.items():
        if "a" in summary or "test.r2" not in summary:  # comparisons name their pair
            continue
        cells = []
        for _, metric in VARIANT_COLUMNS:
            if metric is None:
                chance, majority = summary.get("latent.knn_chance"), summary.get("latent.knn_majority")
                cells.append(" / ".join(_number(stats["mean"]) if stats else "" for stats in (chance, majority)))
            else:
                stats = summary.get(metric)
                cells.append(interval_text({"seeds": summary["seeds"], **stats}) if stats else "")
        distinct = summary.get("latent.distinct_share", {}).get("mean")
        collapsed = (f" (collapsed: {distinct:.1%} of test images have distinct latent means; its kNN and silhouette "
                     "score ties, not classes)" if distinct is not None and distinct < COLLAPSED_BELOW else "")
        lines.append(f"| `{name}`{collapsed} | {summary['seeds']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# Figure kinds drawn per variant (plots/<kind>/<variant>.png), as the figures table's columns.
VARIANT_FIGURES = [("latent means", "latent"), ("kNN confusion", "knn_confusion"),
                   ("decoded 2-D grid", "manifold"), ("prior samples", "samples")]


def figures_table(figures: list[str], link_prefix: str = "../") -> str:
    """Links to every figure in ``figures`` (paths under plots/): one row per variant, then the other figures.

    ``link_prefix`` leads from the page that shows the table (docs/results.md) to the project root.
    """
    figures = sorted(figures)
    variants = sorted({Path(path).stem for path in figures if Path(path).parent.name in dict(VARIANT_FIGURES).values()})
    lines = ["| variant | " + " | ".join(title for title, _ in VARIANT_FIGURES) + " |",
             "|---|" + "---|" * len(VARIANT_FIGURES)]
    for name in variants:
        cells = [f"[figure]({link_prefix}plots/{kind}/{name}.png)" if f"plots/{kind}/{name}.png" in figures else ""
                 for _, kind in VARIANT_FIGURES]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    shown = {f"plots/{kind}/{name}.png" for name in variants for _, kind in VARIANT_FIGURES}
    others = [path for path in figures if path not in shown]
    if others:
        lines += ["", "Across variants: " + ", ".join(f"[{path.removeprefix('plots/')}]({link_prefix}{path})"
                                                      for path in others) + "."]
    return "\n".join(lines) + "\n"


# The study's main sentences, one row each on the results page: (what the study says, in short, the claim whose
# verdict answers it). Every other row is in the appendix.
ANSWERS = [  # (the study's sentence in short, its claim, the measure whose number is quoted, a note for the reader)
    ("MNIST's 2-D latent space keeps most digits clearly distinct", "M1", 0,
     "\"clearly\" read as recall > 0.7: every seed has exactly 5 of 10, no"),
    ("very accurate reconstructions of the MNIST digits", "R1", 0, ""),
    ("CIFAR-10's class distributions are far less clear than MNIST's", "C1", 0, ""),
    ("CIFAR-10's latent distributions are slightly distinct by class", "C4a", 0,
     "not voting, in claims.md: the silhouette against its permuted-label null, 5-NN against a PCA code as large"),
    ("some separation of the vehicles from the animals", "C2", 1, "the majority class is the stricter baseline"),
    ("the deep network slightly improves separation", "C5", 0, ""),
    ("a 16-D latent space improves the reconstruction", "R3a", 0, "with the KL term kept; without it (R3) also yes"),
    ("much worse reconstruction of CIFAR-10 than of MNIST", "R5", 0,
     "the two ask different questions: what a code adds to none, what the network adds to a linear code"),
    ("the loss flattens after roughly 4,000 batches", "T1", 0, "flat by 4,000; whether already by 2,000 is unclear (T1a)"),
    ("CIFAR-10's loss plateaus at a much higher value", "T2", 0,
     "per image, one possible scale of the study's Figure 5, yes; but decoding the mean image alone already ends 3.6x higher there"),
]
PLAIN = {"holds": "yes", "fails": "no", "not shown": "unclear", "pending": "not run yet"}
TALLY_WORDS = {**PLAIN, "measure-dependent": "depends on the measure", "holds by some measures": "yes by some measures",
               "fails by some measures": "no by some measures"}  # "by some": the other measures unclear


def plain_answer(claim, result: dict) -> str:
    """A verdict in a reader's words: yes, no, unclear, or which measure says what."""
    if result["verdict"] in PLAIN:
        return PLAIN[result["verdict"]]
    by = {}
    for measure in claim.measures:
        by.setdefault(PLAIN.get(result["measures"][measure.key]["verdict"], "?"), []).append(measure.label)
    return "depends on the measure: " + "; ".join(f"{answer} by {' and '.join(labels)}" for answer, labels in by.items())


def answers_table(verdicts: dict[str, dict]) -> str:
    claims = {claim.id: claim for claim in CLAIMS}
    lines = ["| the study says (in short; its words in claims.md) | the rerun finds | measured as "
             "| mean [95% interval over seeds] | row |", "|---|---|---|---|---|"]
    for words, claim_id, quoted, note in ANSWERS:
        claim, result = claims[claim_id], verdicts[claim_id]
        measure = claim.measures[quoted]
        number = f"{measure.label}: {interval_text(result['measures'][measure.key])}"
        if claim.cutoff:
            number += f" (cut-off: {claim.cutoff})"
        answer = f"**{plain_answer(claim, result)}**" + (f" ({note})" if note else "")
        lines.append(f"| {words} | {answer} | {claim.reading} | {number} | [{claim_id}](claims.md#the-claims) |")
    return "\n".join(lines) + "\n"


def tally_line(verdicts: dict[str, dict]) -> str:
    """Verdicts counted twice: per sentence of the study (rows quoting one sentence agree, or the sentence is mixed),
    and per row, in the reader's words (yes for holds, no for fails, unclear for not shown; "by some measures": the
    others unclear)."""
    claims = {claim.id: claim for claim in CLAIMS}
    by_sentence = {}
    for claim_id, result in verdicts.items():
        if not result.get("control"):
            by_sentence.setdefault(claims[claim_id].quote, set()).add(result["verdict"])
    sentences = Counter(TALLY_WORDS[next(iter(found))] if len(found) == 1 else "mixed (its rows disagree)"
                        for found in by_sentence.values())
    rows = Counter({TALLY_WORDS[verdict]: count for verdict, count in tally(verdicts).items()})

    def listed(counts):
        return ", ".join(f"{count} {verdict}" for verdict, count in counts.most_common())

    return (f"Of the study's {len(by_sentence)} sentences with a row (controls left out): {listed(sentences)}. "
            f"Of its {rows.total()} rows: {listed(rows)}.\n")


def paste_tables(page: str, tables: dict[str, str]) -> str:
    """``page`` with each table between its ``<!-- begin docs/tables/<name> -->`` and ``<!-- end ... -->`` markers."""
    for name, table in tables.items():
        marker = re.escape(f"docs/tables/{name}")
        pattern = re.compile(rf"(<!-- begin {marker} -->\n).*?(<!-- end {marker} -->)", re.DOTALL)
        page = pattern.sub(lambda match: match.group(1) + table + match.group(2), page)
    return page

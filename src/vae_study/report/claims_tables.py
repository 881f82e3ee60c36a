"""The claims as Markdown for a reader: the answers table, tally and the rule's readings of docs/results.md; the
statements, claims, variants and figures tables of its appendix, docs/claims.md (and the measures of pipeline.md,
report/measures.py). The claims stage writes them to docs/tables/ and
pastes them into both pages between their markers (``paste_tables``), so the pages cannot drift from the numbers.
"""

import re
from collections import Counter
from pathlib import Path

from vae_study.report.claims import CLAIMS, READINGS, Claim, sentences, tally
from vae_study.report.summary import COLLAPSED_BELOW


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def interval_text(result: dict) -> str:
    """A measure's numbers as the tables show them, ``mean [low, high]``; the findings quote it in these words."""
    if result["mean"] is None:
        return "no runs yet"
    if result["ci95_low"] is None:
        return f"{_number(result['mean'])} ({result['seeds']} seed)"
    return f"{_number(result['mean'])} [{_number(result['ci95_low'])}, {_number(result['ci95_high'])}]"


def _reference_text(claim: Claim) -> str:
    sides = [f"{'>' if m.side == 'above' else '<'} {_number(m.reference)}" for m in claim.vote]
    return " and ".join(dict.fromkeys(sides))


def _vote_text(result: dict) -> str:
    """The voting measure as ``label: mean [low, high]`` (one entry, however many references it clears)."""
    labels: dict[str, list[str]] = {}  # a score whose baselines coincide (balanced classes) shows its number once
    for judged in result["vote"].values():
        labels.setdefault(interval_text(judged), []).append(judged["label"])
    return "; ".join(f"{' and '.join(names)}: {number}" for number, names in labels.items())


def _context_text(result: dict) -> str:
    return "<br>".join(f"{judged['label']}: {interval_text(judged)}" for judged in result.get("context", {}).values())


def claims_table(verdicts: dict[str, dict]) -> str:
    """Every row: the quote, the reading, the voting measure against its reference, the answer, and the context."""
    lines = ["| # | the study says | measured as | votes: mean [95% interval over seeds] | reference | answer "
             "| context (numbers only, no vote) |", "|---|---|---|---|---|---|---|"]
    for claim in CLAIMS:
        result = verdicts[claim.id]
        reading = claim.reading + (f" (cut-off, a convention: {claim.cutoff})" if claim.cutoff else "")
        reading += "".join(f"; {note}" for note in claim.notes)
        sources = ", ".join(sorted({f"`{m.source}`" for m in claim.vote}))
        kind = "" if claim.kind == "claim" else f" ({claim.kind}, outside the tally)"
        lines.append(f"| {claim.id}{kind} | \"{claim.quote}\" | {reading} ({sources}) | {_vote_text(result)} | "
                     f"{_reference_text(claim)} | **{result['verdict']}** | {_context_text(result)} |")
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


# The study's main sentences, one row each on the results page: (the sentence in short, its lead row, what that row
# measures in short, a note for the reader). The answer is the sentence's: every row quoting it agrees, or it depends.
ANSWERS = [
    ("MNIST's 2-D latent space keeps most digits clearly distinct", "M1", "digits 5-NN recalls more often than not",
     "exactly 5 of the 10 digits reach recall > 0.7 in every seed"),
    ("very accurate reconstructions of the MNIST digits", "R1", "share of each image recovered",
     "a decode keeps its digit in {R1k:test.class_kept} of the test images (R1k, cut-off 0.9)"),
    ("CIFAR-10's class distributions are far less clear than MNIST's", "C1", "5-NN over its baselines, MNIST minus CIFAR-10", ""),
    ("CIFAR-10's latent distributions are slightly distinct by class", "C4a", "5-NN over its baselines (simple network's)",
     "every network"),
    ("some separation of the vehicles from the animals", "C2", "5-NN vehicles vs animals over its baselines", ""),
    ("the deep network slightly improves separation", "C5", "5-NN accuracy, deep minus simple", ""),
    ("a 16-D latent space improves the reconstruction", "R3a", "share of each image recovered, 16-D minus 2-D",
     "with the KL term kept or dropped"),
    ("much worse reconstruction of CIFAR-10 than of MNIST", "R5", "share of each image recovered, MNIST minus CIFAR-10",
     "CIFAR-10's slightly higher; beyond what a linear code of the latent's size recovers, MNIST's network adds "
     "more: {R5:test.r2_over_pca}"),
    ("MNIST learns very quickly, against CIFAR-10", "T0", "batch at half the loss's drop, MNIST minus CIFAR-10",
     "but CIFAR-10's flattens sooner: at 98% of the drop, {T0:curve.flat_batch}"),
    ("the loss flattens after roughly 4,000 batches", "T1", "batch at 98% of the loss's drop, MNIST",
     "each seed {T1:curve.flat_batch:min} to {T1:curve.flat_batch:max}, inside 3,000 to 5,000, but three seeds "
     "leave the mean's interval wider; at 95% of the drop {T1:curve.elbow_batch}, at 99% {T1:curve.settled_batch}"),
    ("CIFAR-10's loss plateaus at a much higher value", "T2", "final loss per image, MNIST minus CIFAR-10",
     "image size explains it: over the mean image's loss per image, MNIST's ends higher, "
     "{T2:curve.final_over_mean_pixel_variance}"),
]


def _fill(note: str, verdicts: dict[str, dict]) -> str:
    """``{ROW:metric}`` in a note becomes that row's committed ``mean [low, high]`` for the metric (vote or context);
    ``{ROW:metric:min}`` (``:max``) its smallest (largest) seed's value."""
    def number(match):
        result = verdicts[match.group(1)]
        judged = {key.split(": ", 1)[1]: value for key, value in {**result["vote"], **result.get("context", {})}.items()}
        found = judged[match.group(2)]
        return (_number(found.get(match.group(3))) or "no runs yet") if match.group(3) else interval_text(found)
    return re.sub(r"\{(\w+):([\w.]+)(?::(min|max))?\}", number, note)


def _binding(result: dict) -> dict:
    """The vote entry nearest its reference (of a score over two baselines, the stricter one): the number that decides."""
    def margin(judged):
        if judged["mean"] is None:
            return 0.0
        return min(judged["mean"] - ref["reference"] if ref["side"] == "above" else ref["reference"] - judged["mean"]
                   for ref in judged["references"])
    return min(result["vote"].values(), key=margin)


def answers_table(verdicts: dict[str, dict]) -> str:
    claims = {claim.id: claim for claim in CLAIMS}
    lines = ["| the study says (in short) | the rerun finds | measured as | mean [95% interval over seeds] | rows |",
             "|---|---|---|---|---|"]
    answered = sentences(verdicts)
    for words, claim_id, measured, note in ANSWERS:
        claim, result = claims[claim_id], verdicts[claim_id]
        answer, rows = answered[claim.quote]["verdict"], answered[claim.quote]["rows"]
        if answer == "depends":
            by: dict[str, list[str]] = {}
            for row in rows:
                by.setdefault(verdicts[row]["verdict"], []).append(row)
            note = "; ".join(f"{verdict} in {', '.join(ids)}" for verdict, ids in by.items()) + (f"; {note}" if note else "")
        number = interval_text(_binding(result))
        if claim.cutoff:
            number += f" (cut-off: {claim.cutoff})"
        cell = f"**{answer}**" + (f" ({_fill(note, verdicts)})" if note else "")
        span = rows[0] if len(rows) == 1 else f"{rows[0]}-{rows[-1]}"
        lines.append(f"| {words} | {cell} | {measured} | {number} | [{span}](claims.md#the-claims) |")
    return "\n".join(lines) + "\n"


def tally_line(verdicts: dict[str, dict]) -> str:
    """The sentences' answers counted, in the one vocabulary, and the rows outside the tally in one line."""
    counts = Counter(tally(verdicts))
    listed = ", ".join(f"{count} {verdict}" for verdict, count in counts.most_common())
    outside = {kind: ", ".join(f"{claim.id} {verdicts[claim.id]['verdict']}" for claim in CLAIMS if claim.kind == kind)
               for kind in ("background", "control")}
    return (f"The study's {counts.total()} statements with a row ([each one](claims.md#the-statements)): {listed}. "
            f"Outside the tally: the background rows "
            f"({outside['background']}), judged on a stand-in flat network the study never sized, and the controls "
            f"({outside['control']}), which test this pipeline's own loss change and a cause the study does not name.\n")


def sentences_table(verdicts: dict[str, dict]) -> str:
    """Each statement of the study in the tally: its words, its rows (re-readings marked) and its answer."""
    lines = ["| the study says | rows (parts; a re-reading after its part) | answer |", "|---|---|---|"]
    claims = {claim.id: claim for claim in CLAIMS}
    for quote, sentence in sentences(verdicts).items():
        rows = ", ".join(f"{row} {verdicts[row]['verdict']}" + (f" (re-reads {claims[row].rereads})" if claims[row].rereads else "")
                         for row in sentence["rows"])
        lines.append(f"| \"{quote}\" | {rows} | **{sentence['verdict']}** |")
    return "\n".join(lines) + "\n"


def readings_table() -> str:
    """The rule's table: what each kind of sentence is measured by (claims.READINGS)."""
    return "\n".join(["| the study's words | vote |", "|---|---|",
                      *(f"| {words} | {measure} |" for words, measure in READINGS)]) + "\n"


def paste_tables(page: str, tables: dict[str, str]) -> str:
    """``page`` with each table between its ``<!-- begin docs/tables/<name> -->`` and ``<!-- end ... -->`` markers."""
    for name, table in tables.items():
        marker = re.escape(f"docs/tables/{name}")
        pattern = re.compile(rf"(<!-- begin {marker} -->\n).*?(<!-- end {marker} -->)", re.DOTALL)
        page = pattern.sub(lambda match, table=table: match.group(1) + table + match.group(2), page)
    return page

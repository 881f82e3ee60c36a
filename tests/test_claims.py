"""Claims: one rule over every measure a claim's words allow; the claims stage's outputs; the results page's tables."""

import json
import re
import sys

import pytest
from conftest import PROJECT_ROOT, run_command

from vae_study.report.claims import CLAIMS, CLASS_KEPT_VOTES, VERDICT_CODES, Claim, Measure, judge, judge_claim, tally
from vae_study.report.claims_tables import interval_text


def _stats(mean, low, high):
    return {"mean": mean, "sd": 0.1, "ci95_low": low, "ci95_high": high}


SOURCES = {
    "v": {"seeds": 3, "up": _stats(0.6, 0.55, 0.65), "down": _stats(-0.2, -0.3, -0.1), "zero": _stats(0.01, -0.02, 0.04),
          "level": _stats(0.6, 0.5, 0.7)},
    "one": {"seeds": 1, "up": _stats(0.3, None, None)},
}


@pytest.mark.parametrize("metric, side, reference, verdict", [
    ("up", "above", 0.0, "yes"), ("up", "below", 0.0, "no"), ("zero", "above", 0.0, "unclear"),
    ("level", "above", 0.9, "no"), ("level", "below", 0.9, "yes"), ("down", "below", 0.0, "yes"),
])
def test_a_measure_is_judged_by_its_interval(metric, side, reference, verdict):
    assert judge(Measure("v", metric, side, reference), SOURCES) == verdict


@pytest.mark.parametrize("side, reference, verdict", [
    ("above", 5, "no"), ("below", 5, "no"), ("above", 4, "yes"), ("below", 6, "yes"), ("above", 6, "no"),
])
def test_a_zero_width_interval_is_decided_by_the_seeds(side, reference, verdict):
    """Every seed 5 of 10 (interval [5, 5]): not "more than 5", and not "fewer than 5" either: each seed says no."""
    sources = {"v": {"seeds": 3, "count": {"mean": 5.0, "sd": 0.0, "ci95_low": 5.0, "ci95_high": 5.0}}}
    assert judge(Measure("v", "count", side, reference), sources) == verdict


def test_one_seed_or_no_run_has_too_few_seeds():
    assert judge(Measure("one", "up", "above"), SOURCES) == "too few seeds"
    assert judge(Measure("absent", "up", "above"), SOURCES) == "too few seeds"
    assert judge_claim(Claim("x", "q", "r", (Measure("one", "up"),)), SOURCES)["verdict_code"] is None


@pytest.mark.parametrize("metrics, references, verdict", [
    (("up", "up"), (0.0, 0.0), "yes"),          # a score above both of its baselines
    (("up", "zero"), (0.0, 0.0), "unclear"),    # above one, not shown above the other
    (("up", "down"), (0.0, 0.0), "no"),         # below one baseline: no, whatever the other says
    (("level", "level"), (0.4, 0.8), "yes"),    # inside a tolerance: above its low end and below its high end
    (("level", "level"), (0.4, 0.65), "unclear"),
])
def test_one_measure_clears_all_its_references_together(metrics, references, verdict):
    sides = ("above", "below") if references[1] > references[0] else ("above", "above")
    claim = Claim("x", "q", "r", tuple(Measure("v", metric, side, reference)
                                       for metric, side, reference in zip(metrics, sides, references)))
    assert judge_claim(claim, SOURCES)["verdict"] == verdict


def test_context_shows_numbers_without_a_verdict_and_only_the_study_s_sentences_are_tallied():
    claim = Claim("x", "q", "r", (Measure("v", "up", "above"),), context=(Measure("v", "down", label="w"),))
    result = judge_claim(claim, SOURCES)
    assert result["verdict"] == "yes" and result["verdict_code"] == 1
    assert result["context"]["v: down"] == {"label": "w", "seeds": 3, "mean": -0.2, "ci95_low": -0.3, "ci95_high": -0.1}
    assert not VERDICT_WORDS_RE.search(json.dumps(result["context"]))
    rows = {claim.id: {"verdict": "yes" if claim.kind != "claim" else "no"} for claim in CLAIMS}
    statements = {claim.quote for claim in CLAIMS if claim.kind == "claim"}
    assert {claim.kind for claim in CLAIMS} == {"claim", "background", "control"}
    assert tally(rows) == {"no": len(statements)}, "background and control rows stay out of the tally"


def test_rows_of_one_sentence_agree_or_the_sentence_depends():
    from vae_study.report.claims import sentences

    r5_rows = [claim.id for claim in CLAIMS if claim.quote == next(c.quote for c in CLAIMS if c.id == "R5")]
    assert r5_rows == ["R5", "R5a", "R5b", "R5c", "R5d"]
    rows = {claim.id: {"verdict": "yes"} for claim in CLAIMS}
    quote = next(c.quote for c in CLAIMS if c.id == "R5")
    assert sentences(rows)[quote] == {"rows": r5_rows, "verdict": "yes"}
    rows["R5d"] = {"verdict": "unclear"}  # a re-reading of R5 (KL-matched MNIST) disagrees: R5's part depends
    assert sentences(rows)[quote]["verdict"] == "depends"
    rows["R5b"] = {"verdict": "no"}  # a part says no: the statement is no
    assert sentences(rows)[quote]["verdict"] == "no"
    r3 = next(c.quote for c in CLAIMS if c.id == "R3")
    rows.update({row: {"verdict": "yes"} for row in ("R3", "R3a", "R3ak")})
    rows["R3k"] = {"verdict": "unclear"}  # R3 re-read on the class kept answers otherwise: R3's part depends
    assert sentences(rows)[r3] == {"rows": ["R3", "R3k", "R3a", "R3ak"], "verdict": "depends"}
    parts = next(c.quote for c in CLAIMS if c.id == "M2c")  # "1's, 2's, and 0's": three parts, no re-reading
    rows["M2c"] = {"verdict": "unclear"}
    assert sentences(rows)[parts]["verdict"] == "unclear"


def test_every_row_votes_with_one_measure_under_one_rule():
    """One measure per row (its entries share a metric: the references it clears together); no silhouette or pooled
    R² ever votes; the loss rows vote on the loss per image (Figure 5's scale)."""
    for claim in CLAIMS:
        assert claim.kind == "control" or len({measure.key for measure in claim.vote}) == 1 or all(
            measure.metric.endswith(("_over_chance", "_over_majority")) for measure in claim.vote), claim.id
        assert not any("silhouette" in measure.metric or measure.metric == "test.r2" for measure in claim.vote), claim.id
        if claim.id.startswith(("T2", "T4")):
            assert [measure.metric for measure in claim.vote] == ["curve.final_loss"], claim.id


def test_reconstruction_rows_are_re_read_on_the_class_kept_where_one_classifier_judges_fairly():
    """R1 and every reconstruction row on MNIST or between two networks of one dataset has a k twin: the class kept,
    same source, side, reference and cut-off, re-reading the same part of the same sentence (so pixels and classes
    disagreeing make that part depend). Across datasets and as a level on CIFAR-10 the class kept is context."""
    rows = {claim.id: claim for claim in CLAIMS}
    pixel_rows = [claim for claim in CLAIMS if [m.metric for m in claim.vote] == ["test.r2_vs_mean_image"]]
    twinned = [claim for claim in pixel_rows if f"{claim.id}k" in rows]
    assert {claim.id for claim in twinned} == CLASS_KEPT_VOTES and "R1" in CLASS_KEPT_VOTES
    for claim in twinned:
        twin = rows[f"{claim.id}k"]
        (pixels,), (classes,) = claim.vote, twin.vote
        assert (classes.metric, classes.source, classes.side, classes.reference) == (
            "test.class_kept", pixels.source, pixels.side, pixels.reference), twin.id
        assert (twin.quote, twin.kind, twin.rereads) == (claim.quote, claim.kind, claim.rereads or claim.id), twin.id
        assert twin.cutoff == claim.cutoff.replace("R²", "class kept")
        mnist_level = pixels.source.startswith("mnist_") and "_vs_" not in pixels.source
        assert mnist_level or "_vs_" in pixels.source, f"{twin.id}: neither MNIST nor within one dataset"
    for claim in pixel_rows:
        if claim not in twinned:
            source = claim.vote[0].source
            assert source.startswith(("cifar10_", "mnist_vs_", "mnist_klmatched_vs_")), claim.id
            assert ("test.class_kept" in [m.metric for m in claim.context]
                    and any("class kept is context" in note for note in claim.notes)), claim.id
    assert len([claim for claim in CLAIMS if claim.id.endswith("k")]) == len(twinned)


def test_every_claim_quotes_the_study_word_for_word():
    """The quotes are the study's own words (ignoring line breaks and spacing)."""
    study = PROJECT_ROOT.parent / "shared" / "study" / "study.txt"
    if not study.exists():
        pytest.skip("the study's text is not beside the project")
    text = re.sub(r"\s+", " ", study.read_text())
    for claim in CLAIMS:
        assert re.sub(r"\s+", " ", claim.quote) in text, f"{claim.id}: {claim.quote!r} is not in the study"
    assert len({claim.id for claim in CLAIMS}) == len(CLAIMS)


def test_every_measure_names_a_source_and_metric_the_pipeline_writes():
    """Each claim's source is a study variant or a summarize.compare label, so no claim stays pending by a typo."""
    import yaml

    params = yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text())
    known = set(params["variants"]) | set(params["summarize"]["compare"])
    for claim in CLAIMS:
        for measure in (*claim.vote, *claim.context):
            assert measure.source in known, f"{claim.id}: {measure.source} is neither a variant nor a comparison"


def test_every_measure_a_claim_names_is_in_the_committed_summaries():
    """A measure name no summary has would leave its claim pending unnoticed (a renamed metric, a param value in a name)."""
    sources = {path.stem: json.loads(path.read_text()) for path in (PROJECT_ROOT / "metrics" / "summary").glob("*.json")}
    sources |= json.loads((PROJECT_ROOT / "metrics" / "comparisons.json").read_text())
    for claim in CLAIMS:
        for measure in (*claim.vote, *claim.context):
            assert measure.metric in sources[measure.source], f"{claim.id}: {measure.source} has no {measure.metric}"


def test_the_stage_writes_the_claims_and_the_tables(tmp_path):
    (tmp_path / "metrics" / "summary").mkdir(parents=True)
    (tmp_path / "metrics" / "summary" / "mnist_simple.json").write_text(json.dumps(
        {"seeds": 3, "test.r2": _stats(0.6, 0.5, 0.7), "test.r2_vs_mean_image": _stats(0.4, 0.3, 0.5)}))
    for figure in ("latent/mnist_simple.png", "samples/mnist_simple.png", "loss_curves.png"):
        (tmp_path / "plots" / figure).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "plots" / figure).write_bytes(b"")
    (tmp_path / "params.yaml").write_text((PROJECT_ROOT / "params.yaml").read_text())  # evaluate.knn_neighbors
    run_command([sys.executable, str(PROJECT_ROOT / "stages" / "claims.py")], cwd=tmp_path)
    claims = json.loads((tmp_path / "metrics" / "claims.json").read_text())
    assert claims["R1"]["verdict"] == "no" and claims["R1"]["verdict_code"] == -1
    assert claims["R1"]["vote"]["mnist_simple: test.r2_vs_mean_image"]["ci95_high"] == 0.5
    verdict = json.loads((tmp_path / "metrics" / "verdicts" / "R1.json").read_text())
    assert verdict == {"verdict": "no", "verdict_code": -1}
    assert len(list((tmp_path / "metrics" / "verdicts").glob("*.json"))) == len(claims)
    assert "| R1 | \"very accurate reconstructions of the MNIST digits\"" in (tmp_path / "docs" / "tables" / "claims.md").read_text()
    assert "| `mnist_simple` | 3 | 0.6 [0.5, 0.7] |" in (tmp_path / "docs" / "tables" / "variants.md").read_text()
    figures = (tmp_path / "docs" / "tables" / "figures.md").read_text()
    assert "| `mnist_simple` | [figure](../plots/latent/mnist_simple.png) |  |  | [figure](../plots/samples/mnist_simple.png) |" in figures
    assert "[loss_curves.png](../plots/loss_curves.png)" in figures
    assert "| MNIST | 5-NN accuracy, uniform votes" in (tmp_path / "docs" / "tables" / "anchors.md").read_text()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_command([sys.executable, str(PROJECT_ROOT / "stages" / "claims.py")], cwd=empty, check=False)
    assert result.returncode == 2 and "run dvc repro summarize first" in result.stderr


def test_the_pages_show_the_tables_the_stage_wrote():
    """docs/results.md (answers, tally) and docs/claims.md (every claim, variant and figure) carry docs/tables/*.md
    verbatim: regenerated tables cannot drift from the pages."""
    tables = sorted(table.name for table in (PROJECT_ROOT / "docs" / "tables").glob("*.md"))
    assert tables == ["anchors.md", "answers.md", "claims.md", "figures.md", "measures.md", "readings.md", "rerun.md",
                      "sentences.md", "tally.md", "variants.md"]
    pages = {"results.md": ["answers.md", "tally.md", "readings.md"],
             "claims.md": ["sentences.md", "claims.md", "variants.md", "figures.md", "anchors.md", "rerun.md"],
             "pipeline.md": ["measures.md"]}
    for page, names in pages.items():
        text = (PROJECT_ROOT / "docs" / page).read_text()
        for name in names:
            table = (PROJECT_ROOT / "docs" / "tables" / name).read_text()
            assert f"<!-- begin docs/tables/{name} -->\n{table}<!-- end docs/tables/{name} -->" in text, (page, name)


def _words(markdown: str) -> int:
    """Words a reader reads: no comments, link targets or table rules."""
    text = re.sub(r"<!--.*?-->", " ", markdown, flags=re.DOTALL)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return len(re.findall(r"\S+", re.sub(r"[|#*`]|---", " ", text)))


def test_the_results_page_opens_with_the_finding_and_the_answers_and_is_short():
    """At most five lines above the answers table, the loss change among them; about 1,000 words in all."""
    page = (PROJECT_ROOT / "docs" / "results.md").read_text()
    sections = re.findall(r"^## (.+)$", page, re.MULTILINE)
    assert sections[0] == "The answers" and page.index("docs/tables/answers.md") < page.index("docs/tables/tally.md")
    above = [line for line in page.split("<!-- begin docs/tables/answers.md -->")[0].splitlines() if line.strip()]
    assert len(above) <= 5, above
    assert re.search(r"sums the squared error", " ".join(page.splitlines()[:15]))
    assert _words(page) <= 1050, f"{_words(page)} words"
    answers = (PROJECT_ROOT / "docs" / "tables" / "answers.md").read_text().splitlines()
    assert 3 <= len(answers) - 2 <= 11  # header, rule, at most eleven rows


def test_the_appendix_links_every_committed_figure():
    page = (PROJECT_ROOT / "docs" / "claims.md").read_text()
    figures = sorted(path.relative_to(PROJECT_ROOT).as_posix() for path in (PROJECT_ROOT / "plots").rglob("*.png"))
    assert figures and not [path for path in figures if f"](../{path})" not in page]


def test_a_collapsed_variant_is_marked_in_the_variants_table():
    """A run whose test images share a handful of latent means has kNN scores of ties: the table says so."""
    from vae_study.report.claims_tables import variants_table

    sources = {"ok": {"seeds": 3, "test.r2": _stats(0.6, 0.5, 0.7), "latent.distinct_share": _stats(1.0, 1.0, 1.0)},
               "flat": {"seeds": 3, "test.r2": _stats(0.3, 0.2, 0.4), "latent.distinct_share": _stats(0.002, 0.0, 0.004)}}
    rows = variants_table(sources).splitlines()
    assert rows[2].startswith("| `ok` | 3 |") and rows[3].startswith("| `flat` (collapsed: 0.2% of test images")


VERDICT_WORDS = "|".join(sorted(VERDICT_CODES, key=len, reverse=True))
VERDICT_WORDS_RE = re.compile(rf"\b({VERDICT_WORDS})\b")
CITATION = re.compile(rf"\b([A-Z]\d+[a-z]?k?), ({VERDICT_WORDS})\b")
INTERVAL = re.compile(r"-?\d[\d.,e+-]* \[-?\d[\d.,e+-]*, -?\d[\d.,e+-]*\]")


def _bullets(doc: str, heading: str) -> list[str]:
    """The bullets of one section, each joined into one line."""
    section = (PROJECT_ROOT / doc).read_text().split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    return [" ".join(bullet.split()) for bullet in re.split(r"\n- ", "\n" + section)[1:]]


@pytest.mark.parametrize("doc, heading", [("README.md", "## What the rerun found")])
def test_every_finding_cites_the_committed_verdict_and_interval(doc, heading):
    """A finding says "(C1, holds: ...)": that verdict, and every "mean [low, high]" it quotes, is in the committed
    claims (or the variants table), so the summary cannot drift from the numbers it summarizes."""
    verdicts = json.loads((PROJECT_ROOT / "metrics" / "claims.json").read_text())
    variants = (PROJECT_ROOT / "docs" / "tables" / "variants.md").read_text()
    bullets = _bullets(doc, heading)
    assert 1 <= len(bullets) <= 6, f"{doc}: {len(bullets)} findings; at most six"
    for bullet in bullets:
        cited = CITATION.findall(bullet)
        assert cited, f"{doc}: a finding cites no claim: {bullet[:80]}"
        quoted = set(INTERVAL.findall(variants))
        for claim_id, verdict in cited:
            result = verdicts[claim_id]
            assert result["verdict"] == verdict, f"{doc}: {claim_id} is cited as {verdict}, committed {result['verdict']}"
            quoted |= {interval_text(judged) for judged in [*result["vote"].values(), *result.get("context", {}).values()]}
        stale = [number for number in INTERVAL.findall(bullet) if number not in quoted]
        assert not stale, f"{doc}: {stale} is in no cited claim nor the variants table: {bullet[:80]}"


def test_one_vocabulary_on_both_pages_and_in_the_verdict_files():
    """Every answer in metrics/verdicts, and every bold answer on docs/results.md and docs/claims.md, is a word of
    VERDICT_CODES; the words of earlier rules (holds, fails, not shown, mixed, ...) appear nowhere on the pages."""
    words = set(VERDICT_CODES)
    files = sorted((PROJECT_ROOT / "metrics" / "verdicts").glob("*.json"))
    assert files and {json.loads(path.read_text())["verdict"] for path in files} <= words
    for page in ("results.md", "claims.md"):
        text = (PROJECT_ROOT / "docs" / page).read_text()
        bold = set(re.findall(r"\*\*([^*]+)\*\*", text))
        answers = {word for word in bold if word.islower() and len(word) < 20}
        assert answers and answers <= words, (page, answers - words)
        old = re.findall(r"\b(holds|fails|not shown|measure-dependent|by some measures|mixed)\b", text)
        assert not old, (page, sorted(set(old)))


@pytest.mark.parametrize("doc", ["README.md", "docs/results.md", "docs/claims.md"])
def test_every_interval_the_prose_quotes_is_in_a_committed_table(doc):
    """Prose around the generated tables quotes their numbers ("0.693 [0.676, 0.71]"): each must still be in one of
    docs/tables/, so a rerun that moves a number makes this fail until the sentence is rewritten."""
    # rerun.md quotes the earlier study's numbers too: a sentence left at those would pass
    tables = "".join(path.read_text() for path in sorted((PROJECT_ROOT / "docs" / "tables").glob("*.md"))
                     if path.name != "rerun.md")
    prose = re.sub(r"<!-- begin (\S+) -->.*?<!-- end \1 -->", "", (PROJECT_ROOT / doc).read_text(), flags=re.S)
    stale = [number for number in INTERVAL.findall(prose) if number not in set(INTERVAL.findall(tables))]
    assert not stale, f"{doc} quotes {stale}, which no table in docs/tables/ holds: rewrite the sentence"

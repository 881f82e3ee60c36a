"""Every claim of the study, judged by one rule under every measure its words allow.

The rule: a measure holds when the 95% interval over seeds (metrics/summary, metrics/comparisons.json)
lies entirely on the claimed side of its reference (zero for a difference between variants or a
score minus its baseline; a stated cut-off for a claim about a level); it fails when the interval
lies entirely on the other side, and is not shown when the interval contains the reference. Fewer
than two seeds: pending. A claim takes its measures' common verdict; when they disagree, it is
*measure-dependent* and each measure's verdict is shown.

Level claims ("clearly distinct", "very accurate", "flattens") are judged against a cut-off the
study does not give; every cut-off is this module's convention, stated in its row.
"""

from dataclasses import dataclass, field
from pathlib import Path

VERDICT_CODES = {"holds": 1, "fails": -1, "not shown": 0, "measure-dependent": 0, "pending": 0}

# The KL term weighs per pixel value 3,072 / 784 = 3.9 times more on MNIST than on CIFAR-10 under the summed loss.
CONFOUND = ("confound: with the summed squared error the KL term weighs 3.9x more per pixel value on MNIST (784 values) "
            "than on CIFAR-10 (3,072); the *KL matched* row removes it")


@dataclass(frozen=True)
class Measure:
    source: str  # a variant (metrics/summary/<variant>.json) or a comparison label (metrics/comparisons.json)
    metric: str
    side: str  # "above" or "below" the reference
    reference: float = 0.0
    label: str = ""

    @property
    def key(self) -> str:
        return f"{self.source}: {self.metric}"


@dataclass(frozen=True)
class Claim:
    id: str
    quote: str  # the study's words
    reading: str  # what is measured, in this project's words
    measures: tuple[Measure, ...]
    cutoff: str = ""  # the convention of a level claim
    notes: tuple[str, ...] = field(default_factory=tuple)


def _m(source, metric, side, reference=0.0, label="") -> Measure:
    return Measure(source, metric, side, reference, label or metric)


def _separation(source: str, side: str = "above") -> tuple[Measure, ...]:
    """A difference in class separation, under both measures the words allow: 5-NN accuracy and silhouette."""
    return (_m(source, "latent.knn5_accuracy", side, label="5-NN accuracy"), _m(source, "latent.silhouette", side, label="silhouette"))


def _reconstruction(source: str, better: bool = True) -> tuple[Measure, ...]:
    """A difference in reconstruction (b minus a), under R² and the study's own per-pixel MSE."""
    return (_m(source, "test.r2", "above" if better else "below", label="test R²"),
            _m(source, "test.mse", "below" if better else "above", label="per-pixel MSE"))


def _above_baselines(source: str, score: str) -> tuple[Measure, ...]:
    return (_m(source, f"latent.{score}_over_chance", "above", label="minus chance"),
            _m(source, f"latent.{score}_over_majority", "above", label="minus majority class"))


CIFAR10_NETWORKS = [("simple", "cifar10_simple"), ("16-D, KL 0", "cifar10_highdim"), ("16-D, KL 1", "cifar10_highdim_kl"),
                    ("deep", "cifar10_deep")]
MNIST_MINUS = [("simple", "mnist_vs_cifar10"), ("16-D", "mnist_vs_cifar10_highdim"), ("deep", "mnist_vs_cifar10_deep"),
               ("KL matched", "mnist_klmatched_vs_cifar10")]

CLAIMS = [
    # The premise: MNIST is easy for a flat VAE, CIFAR-10 needs convolutions.
    Claim("P1", "a variational autoencoder with flat fully connected networks creates a clear latent space representation",
          "MNIST, flat VAE: most digits are placed right by 5-NN on the latent means",
          (_m("mnist_flat", "classes.classes_recalled_over_half", "above", 5, "digits with 5-NN recall > 0.5"),),
          cutoff="more than 5 of the 10 digits"),
    Claim("P2", "and accurate reconstructions", "MNIST, flat VAE: test R² of the mean decode",
          (_m("mnist_flat", "test.r2", "above", 0.9, "test R²"),), cutoff="R² > 0.9"),
    Claim("P3", "the complexity of the CIFAR-10 requires the use of a convolutional network to hopefully improve the "
          "reconstructive ability and learn a distinct latent space manifold",
          "CIFAR-10: the simple conv VAE minus the flat one",
          (*_reconstruction("conv_vs_flat_cifar10"), *_separation("conv_vs_flat_cifar10"))),
    # MNIST's latent space.
    Claim("M1", "clearly distinct latent space distributions for most of the digits",
          "MNIST, simple: most digits are placed right by 5-NN on the latent means",
          (_m("mnist_simple", "classes.classes_recalled_over_half", "above", 5, "digits with 5-NN recall > 0.5"),),
          cutoff="more than 5 of the 10 digits"),
    *[Claim(f"M2{mark}", "1's, 2's, and 0's all have very different representations",
            f"MNIST, simple: {pair} mix less than the median pair of digits",
            (_m("mnist_simple", f"classes.mix.{name}_over_median_pair", "below", label="mixing minus median pair"),))
      for mark, pair, name in (("a", "0s and 1s", "zeros_ones"), ("b", "0s and 2s", "zeros_twos"), ("c", "1s and 2s", "ones_twos"))],
    Claim("M3", "9's and 4's have very similar distributions", "MNIST, simple: 4s and 9s mix more than the median pair",
          (_m("mnist_simple", "classes.mix.fours_nines_over_median_pair", "above", label="mixing minus median pair"),)),
    # CIFAR-10's latent space.
    *[Claim(f"C1{mark}", "the distributions were far less clear", f"MNIST ({label}) minus CIFAR-10 (simple): class separation",
            (_m(source, "latent.knn5_over_chance", "above", label="5-NN minus chance"), _m(source, "latent.silhouette", "above", label="silhouette")),
            notes=notes)
      for mark, label, source, notes in (("", "simple", "mnist_vs_cifar10", (CONFOUND,)),
                                         ("a", "KL matched", "mnist_klmatched_vs_cifar10", ()))],
    Claim("C2", "there is some separation of the vehicles (airplanes, cars, boats, and trucks) from the animals",
          "CIFAR-10, simple: vehicles vs animals by 5-NN on the latent means",
          _above_baselines("cifar10_simple", "knn5_vehicles_animals")),
    Claim("C3", "cars and trucks for example have very similar features",
          "CIFAR-10, simple: cars and trucks mix more than the median pair of classes",
          (_m("cifar10_simple", "classes.mix.cars_trucks_over_median_pair", "above", label="mixing minus median pair"),)),
    *[Claim(f"C4{mark}", "able to learn latent distributions that are slightly distinct by class",
            f"CIFAR-10, {label}: 5-NN accuracy on the latent means above both baselines", _above_baselines(name, "knn5"))
      for mark, (label, name) in zip("abcd", CIFAR10_NETWORKS)],
    Claim("C5", "The deep network representation in figure 4 has slightly improved separation in the latent distributions",
          "CIFAR-10: deep minus simple (deep changes depth and KL weight together)", _separation("deep_vs_simple")),
    Claim("C5a", "due to the increased network complexity", "depth alone: deep minus simple, both at KL weight 0.5",
          _separation("deep_vs_simple_halfkl")),
    Claim("C5b", "and the decreased weight on the Kullback-Leibler divergence",
          "KL weight alone: simple at KL 0.5 minus simple at KL 1", _separation("halfkl_vs_simple")),
    Claim("C6", "the distributions for the car and truck have distinct distributions from those of the deer and dogs",
          "CIFAR-10, deep: cars+trucks and deer+dogs mix less than the median pair of two-class groups",
          (_m("cifar10_deep", "classes.mix.cars_trucks_deer_dogs_over_median_pair", "below", label="mixing minus median pair"),)),
    Claim("C7", "Again, we see separation between vehicles and animals", "CIFAR-10, deep: vehicles vs animals by 5-NN",
          _above_baselines("cifar10_deep", "knn5_vehicles_animals")),
    Claim("C8", "they are not as separable as the latent distributions for the MNIST digits",
          "MNIST (simple) minus CIFAR-10 (deep): class separation",
          (_m("mnist_vs_cifar10_deep", "latent.knn5_over_chance", "above", label="5-NN minus chance"),
           _m("mnist_vs_cifar10_deep", "latent.silhouette", "above", label="silhouette")), notes=(CONFOUND,)),
    # Reconstructions.
    Claim("R1", "very accurate reconstructions of the MNIST digits", "MNIST, simple: test R² of the mean decode",
          (_m("mnist_simple", "test.r2", "above", 0.9, "test R²"),), cutoff="R² > 0.9"),
    *[Claim(f"R2{mark}", "not able to accurately reconstruct images", f"CIFAR-10, {label}: test R² of the mean decode",
            (_m(name, "test.r2", "below", 0.9, "test R²"),), cutoff="R² < 0.9")
      for mark, (label, name) in zip("abcd", CIFAR10_NETWORKS)],
    Claim("R3", "by increasing the latent space dimensionality, we lose less data and improve the reconstruction",
          "CIFAR-10: 16-D (KL 0, the text's reading) minus simple", _reconstruction("highdim_vs_simple")),
    Claim("R3a", "by increasing the latent space dimensionality, we lose less data and improve the reconstruction",
          "CIFAR-10: 16-D (KL 1) minus simple", _reconstruction("highdim_kl_vs_simple")),
    Claim("R4", "They are slightly better than the simple network", "CIFAR-10: deep minus simple (depth and KL weight together)",
          _reconstruction("deep_vs_simple")),
    Claim("R4a", "They are slightly better than the simple network", "depth alone: deep minus simple, both at KL weight 0.5",
          _reconstruction("deep_vs_simple_halfkl")),
    *[Claim(f"R5{mark}", "all of these networks do much worse reconstruction the CIFAR-10 data compared to the MNIST data",
            f"MNIST ({'KL matched' if label == 'KL matched' else 'simple'}) minus CIFAR-10 ({'simple' if label == 'KL matched' else label})",
            _reconstruction(source), notes=(CONFOUND,) if label != "KL matched" else ())
      for mark, (label, source) in zip(["", "a", "b", "c"], MNIST_MINUS)],
    # Loss curves.
    Claim("T1", "the loss function flattens after roughly 4,000 batch iterations",
          "MNIST, simple: share of the whole training drop (from the first 10 batches) that comes after batch 4,000",
          tuple(_m("mnist_simple", f"curve.drop_after_4000_from_start_w{width}", "below", 0.05, f"levels over {width} batches")
                for width in (50, 200, 1000)), cutoff="under 5% of the drop"),
    *[Claim(f"T2{mark}", "have loss functions that plateau at a much higher value",
            f"MNIST (simple) minus CIFAR-10 ({label}): final loss", (
                _m(source, "curve.final_per_value", "below", label="per pixel value"),
                _m(source, "curve.final_over_variance", "below", label="per pixel value / pixel variance")), notes=(CONFOUND,))
      for mark, (label, source) in zip(["", "a"], [MNIST_MINUS[0], MNIST_MINUS[2]])],
    *[Claim(f"T3{mark}", "but have larger oscillation", f"MNIST (simple) minus CIFAR-10 ({label}): late batch-loss sd / mean",
            (_m(source, "curve.late_cv", "below", label="late sd / mean"),), notes=(CONFOUND,))
      for mark, (label, source) in zip(["", "a"], [MNIST_MINUS[0], MNIST_MINUS[2]])],
    *[Claim(f"T4{mark}", "we see the loss function is minimized much more", f"CIFAR-10: 16-D ({label}) minus simple, final loss",
            (_m(source, "curve.final_per_value", "below", label="per pixel value"),))
      for mark, label, source in (("", "KL 0", "highdim_vs_simple"), ("a", "KL 1", "highdim_kl_vs_simple"))],
    *[Claim(f"T5{mark}", "After 10 epochs it looks that the loss function may still be decreasing",
            f"CIFAR-10, 16-D ({label}): last 1,000 batches against the 1,000 before",
            (_m(name, "curve.last_window_change", "below", label="relative change"),))
      for mark, label, name in (("", "KL 0", "cifar10_highdim"), ("a", "KL 1", "cifar10_highdim_kl"))],
    # The study's literal loss, run as a control: why the pipeline sums the squared error.
    *[Claim(f"L1{mark}", "the pixel-wise mean squared error reconstruction loss",
            f"{dataset}: the per-pixel mean loss (the study's formula) minus the summed one (this pipeline's)",
            (_m(source, "latent.knn5_accuracy", "below", label="5-NN accuracy"), _m(source, "test.r2", "below", label="test R²")))
      for mark, dataset, source in (("", "MNIST", "meanloss_vs_sumloss_mnist"), ("a", "CIFAR-10", "meanloss_vs_sumloss_cifar10"))],
]


def judge(measure: Measure, sources: dict[str, dict]) -> dict:
    """One measure's verdict and its numbers (mean, 95% interval, seeds)."""
    source = sources.get(measure.source, {})
    stats = source.get(measure.metric)
    result = {"verdict": "pending", "seeds": source.get("seeds", 0), "mean": None, "ci95_low": None, "ci95_high": None}
    if stats is None:
        return result
    result.update(mean=stats["mean"], ci95_low=stats["ci95_low"], ci95_high=stats["ci95_high"])
    if stats["ci95_low"] is None:
        return result
    above, below = stats["ci95_low"] > measure.reference, stats["ci95_high"] < measure.reference
    claimed, other = (above, below) if measure.side == "above" else (below, above)
    result["verdict"] = "holds" if claimed else "fails" if other else "not shown"
    return result


def judge_claim(claim: Claim, sources: dict[str, dict]) -> dict:
    """The claim's verdict (its measures' common one, else measure-dependent) and every measure's."""
    measures = {measure.key: {"label": measure.label, **judge(measure, sources)} for measure in claim.measures}
    verdicts = {result["verdict"] for result in measures.values()}
    verdict = "pending" if "pending" in verdicts else verdicts.pop() if len(verdicts) == 1 else "measure-dependent"
    return {"verdict": verdict, "verdict_code": VERDICT_CODES[verdict], "measures": measures}


def judge_all(sources: dict[str, dict]) -> dict[str, dict]:
    return {claim.id: judge_claim(claim, sources) for claim in CLAIMS}


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}"


def _interval(result: dict) -> str:
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
        cells = []
        for measure in claim.measures:
            judged = result["measures"][measure.key]
            mark = f" ({judged['verdict']})" if result["verdict"] == "measure-dependent" else ""
            cells.append(f"{measure.label}: {_interval(judged)}{mark}")
        references = sorted({f"{'>' if m.side == 'above' else '<'} {m.reference:g}" for m in claim.measures})
        reading = claim.reading + (f" (cut-off, a convention: {claim.cutoff})" if claim.cutoff else "")
        reading += "".join(f"; {note}" for note in claim.notes)
        sources = ", ".join(sorted({f"`{m.source}`" for m in claim.measures}))
        lines.append(f"| {claim.id} | \"{claim.quote}\" | {reading} ({sources}) | {'<br>'.join(cells)} | "
                     f"{', '.join(references)} | **{result['verdict']}** |")
    return "\n".join(lines) + "\n"


def tally(verdicts: dict[str, dict]) -> dict[str, int]:
    counts = {}
    for result in verdicts.values():
        counts[result["verdict"]] = counts.get(result["verdict"], 0) + 1
    return counts


VARIANT_COLUMNS = [
    ("test R²", "test.r2"),
    ("per-pixel MSE", "test.mse"),
    ("5-NN accuracy", "latent.knn5_accuracy"),
    ("5-NN chance / majority", None),
    ("silhouette", "latent.silhouette"),
    ("KL (nats)", "objective.kl"),
    ("final loss / pixel variance", "curve.final_over_variance"),
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
                chance, majority = summary.get("latent.knn5_chance"), summary.get("latent.knn5_majority")
                cells.append(" / ".join(_number(stats["mean"]) if stats else "" for stats in (chance, majority)))
            else:
                stats = summary.get(metric)
                cells.append(_interval({"seeds": summary["seeds"], **stats}) if stats else "")
        lines.append(f"| `{name}` | {summary['seeds']} | " + " | ".join(cells) + " |")
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

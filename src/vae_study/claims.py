"""Every claim of the study, judged by one rule under every measure its words allow.

The rule: a measure holds when the 95% interval over seeds (metrics/summary, metrics/comparisons.json)
lies entirely on the claimed side of its reference (zero for a difference between variants or a
score minus its baseline; a stated cut-off for a claim about a level); it fails when the interval
lies entirely on the other side, and is not shown when the interval contains the reference. When every
seed gave the same value (a zero-width interval), the seeds decide: it holds if that value is on the claimed
side, and fails otherwise (5 of 10 is not "more than 5"). Fewer than two seeds: pending. A claim takes its measures' common verdict. When they differ, it is
*measure-dependent* if one measure holds and another fails, and *holds (fails) by some measures* if
the others are not shown. Measures that must hold *together* (a score above each of its baselines)
count as one: it holds when all of them hold, fails when one fails, and is otherwise not shown.
*Sensitivity* measures (the same measure under other settings) are shown beside the verdict, not
counted in it; so are the silhouette and the pooled R², which never vote (see _separation below).
*Control* rows test this pipeline's own deviations, not the study's words,
and stay out of the tally.

Level claims ("clearly distinct", "very accurate", "flattens") are judged against a cut-off the
study does not give; every cut-off is this module's convention, stated in its row. Size words
("far", "much", "very") are not tested: such rows judge the direction, and say so.
"""

from dataclasses import dataclass, field

VERDICT_CODES = {"holds": 1, "holds by some measures": 0.5, "not shown": 0, "measure-dependent": 0,
                 "fails by some measures": -0.5, "fails": -1, "pending": None}

DIRECTION_ONLY = "direction only: the size word is not tested"
FLAT_STAND_IN = "the flat network is this page's stand-in (dense 256, 64, 2-D latent): the study gives no sizes"
# Differences between the datasets other than the one a row compares; each is explained once on the results page
# ("Confounds of MNIST against CIFAR-10"), and every row they bear on names it.
POOLED_R2 = ("pooled R² leans toward MNIST (a sensitivity line, not a vote); R² vs mean image (what a code adds to none) and "
             "the gain over PCA of the latent's size (what the network adds to a linear code) ask different questions: a "
             "linear 2-D code already explains 0.40 of CIFAR-10 and 0.17 of MNIST, so the first favours CIFAR-10 and the "
             "second leaves MNIST more room; both vote, and a split between them is the answer")
JPEG = "CIFAR-10 is a JPEG copy, which likely favours it"
LOSS_PER_IMAGE = ("the loss per image (one possible scale of the study's Figure 5) is a sensitivity line: it grows with the pixel values "
                  "per image, so decoding the mean image alone already ends 3.6x higher on CIFAR-10 (188 vs 52.8)")
LONGER = "MNIST trains 12,000 batches, CIFAR-10 10,000"


def confound(cifar10_kl_weight: float, matched: str = "") -> str:
    """The KL-scaling confound of an MNIST-vs-CIFAR-10 row (MNIST at KL weight 1, summed squared error)."""
    if cifar10_kl_weight == 0:
        return "confound: the CIFAR-10 network has no KL term, the MNIST one has"
    factor = (1 / 784) / (cifar10_kl_weight / 3072)
    text = f"confound: the KL term weighs {factor:.1f}x more per pixel value on MNIST"
    return text + (f" (row {matched} matches it)" if matched else " (no KL-matched run for this pair)")


@dataclass(frozen=True)
class Measure:
    source: str  # a variant (metrics/summary/<variant>.json) or a comparison label (metrics/comparisons.json)
    metric: str
    side: str  # "above" or "below" the reference
    reference: float = 0.0
    label: str = ""
    together: str = ""  # measures naming the same condition here must all hold (a score above each of its baselines)

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
    sensitivity: tuple[Measure, ...] = field(default_factory=tuple)  # shown, not counted in the verdict
    control: bool = False  # a check of this pipeline's deviation, outside the tally


def _m(source, metric, side, reference=0.0, label="", together="") -> Measure:
    return Measure(source, metric, side, reference, label or metric, together)


# Three measures never vote, only show as sensitivity lines (the rule, stated once):
# - the silhouette: with weakly separated classes it falls below its permuted-label null as separation grows
#   (tests/test_evaluation.py, ten Gaussian classes), so it cannot test "slightly distinct"; 5-NN accuracy rises
#   with separation while its null (chance: guessing at the training classes' rates) stays put;
# - the pooled R² (and any loss divided by the pooled pixel variance): it credits the variance between pixels,
#   which decoding the mean image alone explains (0.300 of MNIST's, 0.021 of CIFAR-10's), so it favours MNIST;
#   R² against the mean image, per-pixel MSE and losses over the mean per-pixel variance do not;
# - the loss per image between datasets: it adds up 3,072 values on CIFAR-10 and 784 on MNIST, so the mean image
#   alone scores 3.6x higher on CIFAR-10 (LOSS_PER_IMAGE); the loss per pixel value votes.
def _separation(source: str, side: str = "above") -> tuple[Measure, ...]:
    """A difference in class separation: 5-NN accuracy (the silhouette is a sensitivity line, _silhouette)."""
    return (_m(source, "latent.knn_accuracy", side, label="5-NN accuracy"),)


def _silhouette(source: str, side: str = "above") -> tuple[Measure, ...]:
    return (_m(source, "latent.silhouette", side, label="silhouette"),)


def _separation_across(source: str) -> tuple[Measure, ...]:
    """MNIST minus CIFAR-10 separation: 5-NN over each dataset's own baselines."""
    return (_m(source, "latent.knn_over_chance", "above", label="5-NN minus chance"),
            _m(source, "latent.knn_over_majority", "above", label="5-NN minus majority class"))


def _silhouette_over_null(source: str) -> tuple[Measure, ...]:
    return (_m(source, "latent.silhouette_over_permuted_labels", "above", label="silhouette minus permuted labels"),)


def _knn_over_pca(source: str) -> tuple[Measure, ...]:
    """5-NN beside a PCA code of the pixels as large as the latent space: what the network adds to a linear projection.

    Shown, not voting: the study says the classes are distinct, not that a VAE separates them better than PCA."""
    return (_m(source, "latent.knn_over_pca", "above", label="5-NN minus PCA's of the latent's size"),)


def _reconstruction(source: str, better: bool = True) -> tuple[Measure, ...]:
    """A difference in reconstruction (b minus a): R² against the mean image and the study's per-pixel MSE."""
    return (_m(source, "test.r2_vs_mean_image", "above" if better else "below", label="R² vs mean image"),
            _m(source, "test.mse", "below" if better else "above", label="per-pixel MSE"))


def _reconstruction_across_datasets(source: str) -> tuple[Measure, ...]:
    """MNIST against CIFAR-10: also the gain over a PCA code of the latent's size, because a linear 2-D code already
    explains 0.40 of CIFAR-10's variance around the mean image and 0.17 of MNIST's (metrics/datasets/)."""
    return (*_reconstruction(source), _m(source, "test.r2_over_pca", "above", label="R² gain over PCA of the latent's size"))


def _pooled_r2(source: str, side: str = "above", cutoff: float = 0.0) -> tuple[Measure, ...]:
    suffix = f" against {cutoff:g}" if cutoff not in (0.0, 0.9) else ""
    return (_m(source, "test.r2", side, cutoff, "pooled R²" + suffix),)


def _accuracy_level(source: str, side: str, cutoff: float = 0.9) -> tuple[Measure, ...]:
    """A reconstruction level: R² against the per-pixel mean image and a cut-off (0.9; 0.8 as sensitivity)."""
    suffix = "" if cutoff == 0.9 else f" against {cutoff:g}"
    return (_m(source, "test.r2_vs_mean_image", side, cutoff, "R² vs mean image" + suffix),)


def _distinct_digits(source: str) -> tuple[Measure, ...]:
    """How many of the 10 digits are distinct: placed right by 5-NN more often than not."""
    return (_digits_recalled(source),)


def _digits_by_silhouette(source: str) -> Measure:
    return _m(source, "latent.classes_with_positive_silhouette", "above", 5, "digits with mean silhouette > 0")


def _digits_recalled(source: str, over: str = "half") -> Measure:
    """How many of the 10 classes 5-NN places right more often than not (over 70%: the stricter sensitivity reading)."""
    share = {"half": "0.5", "70pct": "0.7"}[over]
    return _m(source, f"classes.classes_recalled_over_{over}", "above", 5, f"digits with 5-NN recall > {share}")


def _above_baselines(source: str, score: str, what: str = "5-NN") -> tuple[Measure, ...]:
    """A kNN score above both of its baselines: one measure, holding only when it beats each."""
    together = f"{what} must beat both baselines"
    return (_m(source, f"latent.{score}_over_chance", "above", label=f"{what} minus chance", together=together),
            _m(source, f"latent.{score}_over_majority", "above", label=f"{what} minus majority class", together=together))


def _vehicles_animals(source: str) -> tuple[Measure, ...]:
    """Vehicles vs animals: 5-NN above both baselines, and the two groups mixed less than the median 4-vs-6 grouping."""
    return (*_above_baselines(source, "knn_vehicles_animals", "5-NN vehicles vs animals"),
            _m(source, "classes.mix.vehicles_animals_over_median_pair", "below", label="mixing minus median 4-vs-6 grouping"))


CIFAR10_NETWORKS = [("simple", "cifar10_simple"), ("16-D, KL 0", "cifar10_highdim"), ("16-D, KL 1", "cifar10_highdim_kl"),
                    ("deep", "cifar10_deep")]
# MNIST (simple, KL 1) minus a CIFAR-10 network: (label, comparison, the CIFAR-10 network's KL weight, KL-matched row)
MNIST_MINUS = [("simple", "mnist_vs_cifar10", 1.0, "R5d"), ("16-D, KL 0", "mnist_vs_cifar10_highdim", 0.0, ""),
               ("deep", "mnist_vs_cifar10_deep", 0.5, ""), ("16-D, KL 1", "mnist_vs_cifar10_highdim_kl", 1.0, "")]
ARCHITECTURE = "architecture alone (deep's filters and dense layer), both at KL weight 0.5: deep minus simple"
FLAT_SHARE = "share of the whole training drop (from the first 10 batches) after batch {after:,}, from a line fit to every batch after it"

CLAIMS = [
    # The premise: MNIST is easy for a flat VAE, CIFAR-10 needs convolutions.
    Claim("P1", "a variational autoencoder with flat fully connected networks creates a clear latent space representation",
          "MNIST, flat VAE: most digits are distinct in the latent means",
          _distinct_digits("mnist_flat"), cutoff="more than 5 of the 10 digits", notes=(FLAT_STAND_IN,),
          sensitivity=(_digits_recalled("mnist_flat", "70pct"), _digits_by_silhouette("mnist_flat"))),
    Claim("P2", "and accurate reconstructions", "MNIST, flat VAE: test R² of the mean decode",
          _accuracy_level("mnist_flat", "above"), cutoff="R² > 0.9", notes=(FLAT_STAND_IN,),
          sensitivity=(*_accuracy_level("mnist_flat", "above", 0.8), *_pooled_r2("mnist_flat", "above", 0.9))),
    Claim("P3", "the complexity of the CIFAR-10 requires the use of a convolutional network to hopefully improve the "
          "reconstructive ability", "CIFAR-10: the simple conv VAE minus the flat one, reconstruction",
          _reconstruction("conv_vs_flat_cifar10"), notes=(FLAT_STAND_IN, "tests \"improve\"; \"requires\" is not tested"),
          sensitivity=_pooled_r2("conv_vs_flat_cifar10")),
    Claim("P3a", "and learn a distinct latent space manifold", "CIFAR-10: the simple conv VAE minus the flat one, class separation",
          _separation("conv_vs_flat_cifar10"), notes=(FLAT_STAND_IN,), sensitivity=_silhouette("conv_vs_flat_cifar10")),
    # MNIST's latent space.
    Claim("M1", "clearly distinct latent space distributions for most of the digits",
          "MNIST, simple: most digits are distinct in the latent means",
          _distinct_digits("mnist_simple"), cutoff="more than 5 of the 10 digits",
          sensitivity=(_digits_recalled("mnist_simple", "70pct"), _digits_by_silhouette("mnist_simple"))),
    *[Claim(claim_id, "1's, 2's, and 0's all have very different representations",
            f"MNIST, simple: {pair} mix less than the median pair of digits",
            (_m("mnist_simple", f"classes.mix.{name}_over_median_pair", "below", label="mixing minus median pair"),),
            notes=(DIRECTION_ONLY,))
      for claim_id, pair, name in (("M2a", "0s and 1s", "zeros_ones"), ("M2b", "0s and 2s", "zeros_twos"),
                                   ("M2c", "1s and 2s", "ones_twos"))],
    Claim("M3", "9's and 4's have very similar distributions", "MNIST, simple: 4s and 9s mix more than the median pair",
          (_m("mnist_simple", "classes.mix.fours_nines_over_median_pair", "above", label="mixing minus median pair"),),
          notes=(DIRECTION_ONLY,)),
    # CIFAR-10's latent space.
    Claim("C1", "the distributions were far less clear", "MNIST (simple) minus CIFAR-10 (simple): class separation",
          _separation_across("mnist_vs_cifar10"), notes=(confound(1.0, "C1a"), DIRECTION_ONLY),
          sensitivity=_silhouette_over_null("mnist_vs_cifar10")),
    Claim("C1a", "the distributions were far less clear", "MNIST (KL matched) minus CIFAR-10 (simple): class separation",
          _separation_across("mnist_klmatched_vs_cifar10"), notes=(DIRECTION_ONLY,),
          sensitivity=_silhouette_over_null("mnist_klmatched_vs_cifar10")),
    Claim("C2", "there is some separation of the vehicles (airplanes, cars, boats, and trucks) from the animals",
          "CIFAR-10, simple: vehicles vs animals", _vehicles_animals("cifar10_simple")),
    Claim("C3", "cars and trucks for example have very similar features",
          "CIFAR-10, simple: cars and trucks mix more than the median pair of classes",
          (_m("cifar10_simple", "classes.mix.cars_trucks_over_median_pair", "above", label="mixing minus median pair"),),
          notes=(DIRECTION_ONLY,)),
    *[Claim(claim_id, "able to learn latent distributions that are slightly distinct by class",
            f"CIFAR-10, {label}: classes separate in the latent means beyond their baselines",
            _above_baselines(name, "knn"), notes=(DIRECTION_ONLY,),
            sensitivity=(*_silhouette_over_null(name), *_knn_over_pca(name)))
      for claim_id, (label, name) in zip(("C4a", "C4b", "C4c", "C4d"), CIFAR10_NETWORKS)],
    Claim("C5", "The deep network representation in figure 4 has slightly improved separation in the latent distributions",
          "CIFAR-10: deep minus simple (deep changes the architecture and the KL weight together)", _separation("deep_vs_simple"),
          notes=(DIRECTION_ONLY,), sensitivity=_silhouette("deep_vs_simple")),
    Claim("C5a", "due to the increased network complexity", ARCHITECTURE, _separation("deep_vs_simple_halfkl"),
          sensitivity=_silhouette("deep_vs_simple_halfkl")),
    Claim("C5b", "and the decreased weight on the Kullback-Leibler divergence",
          "KL weight alone: simple at KL 0.5 minus simple at KL 1", _separation("halfkl_vs_simple"),
          sensitivity=_silhouette("halfkl_vs_simple")),
    Claim("C6", "the distributions for the car and truck have distinct distributions from those of the deer and dogs",
          "CIFAR-10, deep: cars+trucks and deer+dogs mix less than the median pair of two-class groups",
          (_m("cifar10_deep", "classes.mix.cars_trucks_deer_dogs_over_median_pair", "below", label="mixing minus median pair"),)),
    Claim("C7", "Again, we see separation between vehicles and animals", "CIFAR-10, deep: vehicles vs animals",
          _vehicles_animals("cifar10_deep")),
    Claim("C8", "they are not as separable as the latent distributions for the MNIST digits",
          "MNIST (simple) minus CIFAR-10 (deep): class separation", _separation_across("mnist_vs_cifar10_deep"),
          notes=(confound(0.5),), sensitivity=_silhouette_over_null("mnist_vs_cifar10_deep")),
    # Reconstructions.
    Claim("R1", "very accurate reconstructions of the MNIST digits", "MNIST, simple: test R² of the mean decode",
          _accuracy_level("mnist_simple", "above"), cutoff="R² > 0.9",
          sensitivity=(*_accuracy_level("mnist_simple", "above", 0.8), *_pooled_r2("mnist_simple", "above", 0.9))),
    *[Claim(claim_id, "not able to accurately reconstruct images", f"CIFAR-10, {label}: test R² of the mean decode",
            _accuracy_level(name, "below"), cutoff="R² < 0.9",
            sensitivity=(*_accuracy_level(name, "below", 0.8), *_pooled_r2(name, "below", 0.9)))
      for claim_id, (label, name) in zip(("R2a", "R2b", "R2c", "R2d"), CIFAR10_NETWORKS)],
    Claim("R3", "by increasing the latent space dimensionality, we lose less data and improve the reconstruction",
          "CIFAR-10: 16-D (KL 0, the text's reading) minus simple", _reconstruction("highdim_vs_simple"),
          notes=("the 16-D network also drops the KL term, which alone lets reconstructions improve; R3a keeps it",),
          sensitivity=_pooled_r2("highdim_vs_simple")),
    Claim("R3a", "by increasing the latent space dimensionality, we lose less data and improve the reconstruction",
          "CIFAR-10: 16-D (KL 1) minus simple", _reconstruction("highdim_kl_vs_simple"),
          sensitivity=_pooled_r2("highdim_kl_vs_simple")),
    Claim("R4", "They are slightly better than the simple network",
          "CIFAR-10: deep minus simple (architecture and KL weight together)", _reconstruction("deep_vs_simple"),
          notes=(DIRECTION_ONLY,), sensitivity=_pooled_r2("deep_vs_simple")),
    Claim("R4a", "They are slightly better than the simple network", ARCHITECTURE, _reconstruction("deep_vs_simple_halfkl"),
          notes=(DIRECTION_ONLY,), sensitivity=_pooled_r2("deep_vs_simple_halfkl")),
    *[Claim(claim_id, "all of these networks do much worse reconstruction the CIFAR-10 data compared to the MNIST data",
            f"MNIST (simple) minus CIFAR-10 ({label})", _reconstruction_across_datasets(source),
            notes=(confound(kl_weight, matched), POOLED_R2, JPEG, DIRECTION_ONLY), sensitivity=_pooled_r2(source))
      for claim_id, (label, source, kl_weight, matched) in zip(("R5", "R5a", "R5b", "R5c"), MNIST_MINUS)],
    Claim("R5d", "all of these networks do much worse reconstruction the CIFAR-10 data compared to the MNIST data",
          "MNIST (KL matched) minus CIFAR-10 (simple)", _reconstruction_across_datasets("mnist_klmatched_vs_cifar10"),
          notes=(POOLED_R2, JPEG, DIRECTION_ONLY), sensitivity=_pooled_r2("mnist_klmatched_vs_cifar10")),
    # Loss curves.
    Claim("T1", "the loss function flattens after roughly 4,000 batch iterations",
          "MNIST, simple: flat by batch 4,000: " + FLAT_SHARE.format(after=4000),
          (_m("mnist_simple", "curve.drop_after_flat_point_fit", "below", 0.05, "line fit after 4,000"),),
          cutoff="under 5% of the drop",
          sensitivity=tuple(_m("mnist_simple", f"curve.drop_after_flat_point_from_start_w{width}", "below", 0.05,
                               f"levels as means over {width} batches") for width in (50, 200, 1000))),
    Claim("T1a", "the loss function flattens after roughly 4,000 batch iterations",
          "MNIST, simple: not flat long before (still falling after batch 2,000): " + FLAT_SHARE.format(after=2000),
          (_m("mnist_simple", "curve.drop_after_half_flat_point_fit", "above", 0.05, "line fit after 2,000"),),
          cutoff="over 5% of the drop"),
    *[Claim(claim_id, "have loss functions that plateau at a much higher value",
            f"MNIST ({label}) minus CIFAR-10 ({other}): final loss", (
                _m(source, "curve.final_per_value", "below", label="per pixel value"),
                _m(source, "curve.final_over_mean_pixel_variance", "below", label="per pixel value / mean per-pixel variance")),
            notes=(*notes, LOSS_PER_IMAGE, LONGER, JPEG, DIRECTION_ONLY),
            sensitivity=(_m(source, "curve.final_loss", "below", label="loss per image (one possible scale of Figure 5)"),
                         _m(source, "curve.final_over_variance", "below", label="per pixel value / pooled pixel variance")))
      for claim_id, label, other, source, notes in (
          ("T2", "simple", "simple", "mnist_vs_cifar10", (confound(1.0, "T2b"),)),
          ("T2a", "simple", "deep", "mnist_vs_cifar10_deep", (confound(0.5),)),
          ("T2b", "KL matched", "simple", "mnist_klmatched_vs_cifar10", ()))],
    *[Claim(claim_id, "but have larger oscillation", f"MNIST ({label}) minus CIFAR-10 ({other}): late batch-loss spread", (
                _m(source, "curve.late_cv", "below", label="sd / mean"),
                _m(source, "curve.late_sd_per_value", "below", label="sd per pixel value"),
                _m(source, "curve.late_sd_over_mean_pixel_variance", "below", label="sd per pixel value / mean per-pixel variance")),
            notes=(*notes, LONGER, JPEG),
            sensitivity=(_m(source, "curve.late_sd_over_variance", "below", label="sd per pixel value / pooled pixel variance"),))
      for claim_id, label, other, source, notes in (
          ("T3", "simple", "simple", "mnist_vs_cifar10", (confound(1.0, "T3b"),)),
          ("T3a", "simple", "deep", "mnist_vs_cifar10_deep", (confound(0.5),)),
          ("T3b", "KL matched", "simple", "mnist_klmatched_vs_cifar10", ()))],
    *[Claim(claim_id, "we see the loss function is minimized much more", f"CIFAR-10: 16-D ({label}) minus simple, final loss",
            (_m(source, "curve.final_per_value", "below", label="per pixel value"),), notes=notes)
      for claim_id, label, source, notes in (
          ("T4", "KL 0", "highdim_vs_simple", ("dropping the KL term lowers the loss by itself; T4a keeps it", DIRECTION_ONLY)),
          ("T4a", "KL 1", "highdim_kl_vs_simple", (DIRECTION_ONLY,)))],
    *[Claim(claim_id, "After 10 epochs it looks that the loss function may still be decreasing",
            f"CIFAR-10, 16-D ({label}): last 1,000 batches against the 1,000 before",
            (_m(name, "curve.last_window_change", "below", label="relative change"),))
      for claim_id, label, name in (("T5", "KL 0", "cifar10_highdim"), ("T5a", "KL 1", "cifar10_highdim_kl"))],
    # The study's literal loss, run as a control: why the pipeline sums the squared error.
    *[Claim(claim_id, "the pixel-wise mean squared error reconstruction loss",
            f"control, not a claim: {dataset} with the study's literal loss (per-pixel mean) collapses the posterior: "
            "KL term under 1 nat, decodes no better than the mean image",
            (_m(source, "objective.kl", "below", 1.0, "KL term (nats)", together="both must hold"),
             _m(source, "test.r2_vs_mean_image", "below", 0.05, "R² vs mean image", together="both must hold")),
            cutoff="KL < 1 nat; R² vs mean image < 0.05", control=True)
      for claim_id, dataset, source in (("L1", "MNIST", "mnist_simple_meanloss"), ("L1a", "CIFAR-10", "cifar10_simple_meanloss"))],
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
    if stats["ci95_low"] == stats["ci95_high"]:  # every seed gave the same value: the seeds decide, each one alike
        value, reference = stats["mean"], measure.reference
        result["verdict"] = "holds" if (value > reference if measure.side == "above" else value < reference) else "fails"
        return result
    above, below = stats["ci95_low"] > measure.reference, stats["ci95_high"] < measure.reference
    claimed, other = (above, below) if measure.side == "above" else (below, above)
    result["verdict"] = "holds" if claimed else "fails" if other else "not shown"
    return result


def combine(verdicts: list[str], together: bool = False) -> str:
    """One verdict from the measures' verdicts (the rule in this module's docstring)."""
    found = set(verdicts)
    if "pending" in found:
        return "pending"
    if len(found) == 1:
        return found.pop()
    if together:
        return "fails" if "fails" in found else "not shown"
    if {"holds", "fails"} <= found:
        return "measure-dependent"
    return "holds by some measures" if "holds" in found else "fails by some measures"


def judge_claim(claim: Claim, sources: dict[str, dict]) -> dict:
    """The claim's verdict, every measure's, and the sensitivity measures' (outside the verdict)."""
    measures = {measure.key: {"label": measure.label, **judge(measure, sources)} for measure in claim.measures}
    conditions: dict[str, list[str]] = {}
    for measure in claim.measures:
        conditions.setdefault(measure.together or measure.key, []).append(measures[measure.key]["verdict"])
    verdict = combine([combine(verdicts, together=True) for verdicts in conditions.values()])
    result = {"verdict": verdict, "verdict_code": VERDICT_CODES[verdict], "measures": measures}
    if claim.sensitivity:
        result["sensitivity"] = {measure.key: {"label": measure.label, **judge(measure, sources)} for measure in claim.sensitivity}
    if claim.control:
        result["control"] = 1
    return result


def judge_all(sources: dict[str, dict]) -> dict[str, dict]:
    return {claim.id: judge_claim(claim, sources) for claim in CLAIMS}


def tally(verdicts: dict[str, dict]) -> dict[str, int]:
    """How many of the study's claims take each verdict (control rows left out)."""
    counts = {}
    for result in verdicts.values():
        if not result.get("control"):
            counts[result["verdict"]] = counts.get(result["verdict"], 0) + 1
    return counts

"""Every claim of the study, judged by one rule.

The rule: **each row votes with one measure, the quantity the study's words name, on the scale the study saw it**
(the table READINGS, one entry per kind of sentence). Numbers that take out something the study did not (image size,
what a linear code of the latent's size already gives) or rescale it are *context*: shown with their numbers, never
voting. Reconstructions are read per pixel, as images beside their originals (the share of each image recovered),
the loss per image, as its curve: on each other's scale T2 and R5 would flip, which their context shows.
The voting measure answers **yes** when its 95% interval over seeds (metrics/summary,
metrics/comparisons.json) lies on the claimed side of its reference (zero for a difference; a stated cut-off for a
level), **no** when it lies on the other side, **unclear** when it contains the reference. A measure that must clear
several references at once (a score above each of its baselines; a batch inside a tolerance) is one measure: yes
when it clears all, no when it misses one, unclear otherwise. When every seed gave the same value (a zero-width
interval) the seeds decide. Fewer than two seeds: **too few seeds**.

A reconstruction row on MNIST, or between two networks of one dataset, has a twin ending in k that re-reads it as
images a viewer names: the share of test images whose mean decode the dataset's reference classifier names as it
names the original (``class kept``; the same reference or cut-off). A decode can recover most of an image's pixels
and show another digit, or little of them and keep the class. Across datasets and as a level on CIFAR-10 the class
kept is context (CLASS_KEPT_VOTES says why).
The rows quoting one sentence answer it together (``sentence_answer``): its *parts* (each network or pair its words
cover) must all say yes; a row that re-reads a part under another setting (``rereads``: the other KL weight, the
KL-matched MNIST network) must agree with it, or the part **depends** on the reading.
*Background* rows (the premise about a flat network the study never built; judged on this page's stand-in) and
*control* rows (this pipeline's own deviations, and a cause the study did not name) are judged alike, outside the
tally.

A measure must pass its null and synthetic checks before it can vote: the silhouette does not (it sinks below its
permuted-label null as weakly separated classes move apart, tests/test_evaluation.py), so it is context only. The
class kept passes: perfect decodes keep every class, decodes collapsed to one image keep only that image's class's
share (tests/test_classifier.py), and on PCA reconstructions it rises with their fidelity (bench/class_kept_scale.py:
on MNIST R² 0.87 keeps 0.989, on CIFAR-10 0.534, which is why CLASS_KEPT_VOTES leaves CIFAR-10's levels out).
Level claims ("clearly distinct", "very accurate", "flattens") are judged against a cut-off the study does not
give; every cut-off is this module's convention, stated in its row. Size words ("far", "much", "very") are not
tested: such rows judge the direction, and say so.
"""

from dataclasses import dataclass, field, replace

# The one vocabulary of both pages and metrics/verdicts, with the number `dvc metrics diff` compares.
VERDICT_CODES = {"yes": 1, "no": -1, "unclear": 0, "depends": 0, "too few seeds": None}

# What each kind of sentence is measured by (the rule's table; the results page prints it).
READINGS = [
    ("classes distinct, separated, less clear (the latent figures)",
     "5-NN accuracy of the test latent means over chance and the majority class"),
    ("two classes similar or apart", "how often 5-NN mistakes one for the other, against the median pair"),
    ("reconstructions accurate, better, worse", "R² against the mean image: the share of each image's variation recovered"),
    ("the same, re-read as a viewer names the images (k rows: MNIST, or two networks of one dataset)",
     "class kept: the share of test decodes a reference classifier names as it names the original"),
    ("loss levels and oscillation (Figure 5)", "the loss per image, as the study's summed loss plots it"),
    ("learns quickly; the loss flattens (Figure 5)",
     "the batch at which the smoothed loss has made half (quickly) or 98% (flattens) of its drop"),
]

DIRECTION_ONLY = "direction only: the size word is not tested"
FLAT_STAND_IN = "the flat network is this page's stand-in (dense 256, 64, 2-D latent): the study gives no sizes"
JPEG = "CIFAR-10 is a JPEG copy, which likely favours it"
IMAGE_SIZE = ("a loss per image adds up 3,072 values on CIFAR-10 and 784 on MNIST: the loss over the mean image's "
              "loss (context) says how much of the gap image size explains")
LONGER = "MNIST trains 12,000 batches, CIFAR-10 10,000"
RECONSTRUCTION_ACROSS = ("a linear code of the latent's size already recovers 0.40 of CIFAR-10's variation and 0.17 of "
                         "MNIST's; the gain over it (context) is what the network adds")
ROUGHLY = (3000, 5000)  # "roughly 4,000" read as nearer 4,000 than the neighbouring thousands' midpoints


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
    side: str = "above"  # "above" or "below" the reference
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
    vote: tuple[Measure, ...]  # one measure: several entries are the references it must clear together
    cutoff: str = ""  # the convention of a level claim
    notes: tuple[str, ...] = field(default_factory=tuple)
    context: tuple[Measure, ...] = field(default_factory=tuple)  # shown with their numbers, never voting
    kind: str = "claim"  # "claim", or "background" / "control": judged alike, outside the tally
    rereads: str = ""  # the row whose part of the sentence this one reads under another setting


def measure(source: str, metric: str, side: str = "above", reference: float = 0.0, label: str = "") -> Measure:
    return Measure(source, metric, side, reference, label or metric)


def context(source: str, metric: str, label: str) -> Measure:
    return Measure(source, metric, label=label)


def _separation(source: str) -> tuple[Measure, ...]:
    """A difference in class separation between two variants of one dataset: 5-NN accuracy."""
    return (measure(source, "latent.knn_accuracy", label="5-NN accuracy"),)


def _silhouette(source: str) -> tuple[Measure, ...]:
    return (context(source, "latent.silhouette", "silhouette"),)


def _above_baselines(source: str, score: str = "knn", what: str = "5-NN") -> tuple[Measure, ...]:
    """A kNN score (or a difference of two) above both of its baselines: one measure, clearing each."""
    return (measure(source, f"latent.{score}_over_chance", label=f"{what} minus chance"),
            measure(source, f"latent.{score}_over_majority", label=f"{what} minus majority class"))


def _separation_context(source: str) -> tuple[Measure, ...]:
    return (context(source, "latent.silhouette_over_permuted_labels", "silhouette minus permuted labels"),)


def _reconstruction(source: str) -> tuple[Measure, ...]:
    """A difference in reconstruction within one dataset (b minus a): R² against the mean image."""
    return (measure(source, "test.r2_vs_mean_image", label="R² vs mean image"),)


def _reconstruction_context(source: str) -> tuple[Measure, ...]:
    return (context(source, "test.mse", "per-pixel MSE"), context(source, "test.squared_error_per_image", "squared error per image"),
            context(source, "test.r2", "pooled R²"))


def _accuracy_level(source: str, side: str) -> tuple[Measure, ...]:
    """A reconstruction level: R² against the per-pixel mean image and the cut-off 0.9."""
    return (measure(source, "test.r2_vs_mean_image", side, 0.9, "R² vs mean image"),)


def _digits_recalled(source: str) -> tuple[Measure, ...]:
    """How many of the 10 digits 5-NN places right more often than not."""
    return (measure(source, "classes.classes_recalled_over_half", "above", 5, "digits with 5-NN recall > 0.5"),)


def _digits_context(source: str) -> tuple[Measure, ...]:
    return (context(source, "classes.classes_recalled_over_70pct", "digits with 5-NN recall > 0.7"),
            context(source, "latent.classes_with_positive_silhouette", "digits with mean silhouette > 0"))


def _vehicles_animals(source: str) -> tuple[Measure, ...]:
    return _above_baselines(source, "knn_vehicles_animals", "5-NN vehicles vs animals")


def _mixing(source: str, name: str, side: str) -> tuple[Measure, ...]:
    return (measure(source, f"classes.mix.{name}_over_median_pair", side, label="mixing minus median pair"),)


def _flattening(source: str) -> tuple[Measure, ...]:
    """The batch where the loss flattens, inside "roughly 4,000" (ROUGHLY): one measure, two references."""
    low, high = ROUGHLY
    return (measure(source, "curve.flat_batch", "above", low, "batch at 98% of the drop"),
            measure(source, "curve.flat_batch", "below", high, "batch at 98% of the drop"))


def _curve_context(source: str) -> tuple[Measure, ...]:
    return (context(source, "curve.elbow_batch", "batch at 95% of the drop"),
            context(source, "curve.settled_batch", "batch at 99% of the drop"),
            context(source, "curve.drop_after_flat_point_fit", "share of the drop after batch 4,000 (line fit)"))


CIFAR10_NETWORKS = [("simple", "cifar10_simple"), ("16-D, KL 0", "cifar10_highdim"), ("16-D, KL 1", "cifar10_highdim_kl"),
                    ("deep", "cifar10_deep")]
# MNIST (simple, KL 1) minus a CIFAR-10 network: (label, comparison, the CIFAR-10 network's KL weight, KL-matched row)
MNIST_MINUS = [("simple", "mnist_vs_cifar10", 1.0, "R5d"), ("16-D, KL 0", "mnist_vs_cifar10_highdim", 0.0, ""),
               ("deep", "mnist_vs_cifar10_deep", 0.5, ""), ("16-D, KL 1", "mnist_vs_cifar10_highdim_kl", 1.0, "")]
# The 16-D network's KL weight is ambiguous in the text: its KL-1 rows re-read the KL-0 rows (the text's reading).
HIGHDIM_REREADS = {"C4c": "C4b", "R2c": "R2b", "R3a": "R3", "T4a": "T4", "T5a": "T5"}
ARCHITECTURE = "architecture alone (deep's filters and dense layer), both at KL weight 0.5: deep minus simple"

CLASS_KEPT = "class kept"
# Where the class kept re-reads a reconstruction row: on MNIST, whose classifier is right on nearly every sharp test
# image, and between two networks of one dataset, which one classifier judges alike. Across datasets, or as a level
# on CIFAR-10 (its classifier right on about two thirds of sharp images), blur alone changes the classifier's answer
# more on CIFAR-10: the measure would lean toward "worse", so there it is context.
CLASS_KEPT_VOTES = {"P2", "P3", "R1", "R3", "R3a", "R4", "R4a"}
LATENT_BOUND = "a 2-D decode depends on the latent mean alone: digits the latent space mixes (P1, M1) decode as each other"
ONE_CLASSIFIER = "one classifier judges both networks' decodes"
CLASSIFIER_CONTEXT = ("the class kept is context here: CIFAR-10's classifier (right on about two thirds of sharp test "
                      "images) changes its answer under blur more than MNIST's")


def _class_kept_twin(claim: Claim) -> Claim:
    """A reconstruction row re-read on the class kept (READINGS): the same source, side, reference and cut-off; it
    re-reads the row's part, so where pixels and classes disagree the part depends on the reading."""
    (vote,) = claim.vote
    reading = claim.reading.removesuffix(": test R² of the mean decode")
    within = "_vs_" in vote.source  # a comparison within one dataset (no twin compares across datasets)
    return Claim(f"{claim.id}k", claim.quote, f"{reading}: share of mean decodes that keep their class",
                 (measure(vote.source, "test.class_kept", vote.side, vote.reference, CLASS_KEPT),),
                 cutoff=claim.cutoff.replace("R²", CLASS_KEPT),
                 notes=(*(note for note in claim.notes if note != RECONSTRUCTION_ACROSS),
                        ONE_CLASSIFIER if within else LATENT_BOUND),
                 context=(context(vote.source, "test.decoded_class_accuracy", "decodes given their true class"),),
                 kind=claim.kind, rereads=claim.rereads or claim.id)


def _with_class_kept(claims: list[Claim]) -> list[Claim]:
    """Each reconstruction row of CLASS_KEPT_VOTES followed by its class-kept twin; the other reconstruction rows show
    the class kept as context."""
    result = []
    for claim in claims:
        if [vote.metric for vote in claim.vote] != ["test.r2_vs_mean_image"]:
            result.append(claim)
        elif claim.id in CLASS_KEPT_VOTES:
            result += [claim, _class_kept_twin(claim)]
        else:
            kept = context(claim.vote[0].source, "test.class_kept", CLASS_KEPT)
            result.append(replace(claim, notes=(*claim.notes, CLASSIFIER_CONTEXT), context=(*claim.context, kept)))
    return result


CLAIMS = _with_class_kept([
    # The premise: MNIST is easy for a flat VAE, CIFAR-10 needs convolutions (background: a network the study never built).
    Claim("P1", "a variational autoencoder with flat fully connected networks creates a clear latent space representation",
          "MNIST, flat VAE: most digits are distinct in the latent means", _digits_recalled("mnist_flat"),
          cutoff="more than 5 of the 10 digits", notes=(FLAT_STAND_IN,), context=_digits_context("mnist_flat"),
          kind="background"),
    Claim("P2", "and accurate reconstructions", "MNIST, flat VAE: test R² of the mean decode",
          _accuracy_level("mnist_flat", "above"), cutoff="R² > 0.9", notes=(FLAT_STAND_IN,),
          context=_reconstruction_context("mnist_flat"), kind="background"),
    Claim("P3", "the complexity of the CIFAR-10 requires the use of a convolutional network to hopefully improve the "
          "reconstructive ability", "CIFAR-10: the simple conv VAE minus the flat one, reconstruction",
          _reconstruction("conv_vs_flat_cifar10"), notes=(FLAT_STAND_IN, "tests \"improve\"; \"requires\" is not tested"),
          context=_reconstruction_context("conv_vs_flat_cifar10"), kind="background"),
    Claim("P3a", "and learn a distinct latent space manifold", "CIFAR-10: the simple conv VAE minus the flat one, class separation",
          _separation("conv_vs_flat_cifar10"), notes=(FLAT_STAND_IN,), context=_silhouette("conv_vs_flat_cifar10"),
          kind="background"),
    # MNIST's latent space.
    Claim("M1", "clearly distinct latent space distributions for most of the digits",
          "MNIST, simple: most digits are distinct in the latent means", _digits_recalled("mnist_simple"),
          cutoff="more than 5 of the 10 digits", context=_digits_context("mnist_simple")),
    *[Claim(claim_id, "1's, 2's, and 0's all have very different representations",
            f"MNIST, simple: {pair} mix less than the median pair of digits", _mixing("mnist_simple", name, "below"),
            notes=(DIRECTION_ONLY,))
      for claim_id, pair, name in (("M2a", "0s and 1s", "zeros_ones"), ("M2b", "0s and 2s", "zeros_twos"),
                                   ("M2c", "1s and 2s", "ones_twos"))],
    Claim("M3", "9's and 4's have very similar distributions", "MNIST, simple: 4s and 9s mix more than the median pair",
          _mixing("mnist_simple", "fours_nines", "above"), notes=(DIRECTION_ONLY,)),
    # CIFAR-10's latent space.
    Claim("C1", "the distributions were far less clear", "MNIST (simple) minus CIFAR-10 (simple): class separation",
          _above_baselines("mnist_vs_cifar10"), notes=(confound(1.0, "C1a"), DIRECTION_ONLY),
          context=_separation_context("mnist_vs_cifar10")),
    Claim("C1a", "the distributions were far less clear", "MNIST (KL matched) minus CIFAR-10 (simple): class separation",
          _above_baselines("mnist_klmatched_vs_cifar10"), notes=(DIRECTION_ONLY,),
          context=_separation_context("mnist_klmatched_vs_cifar10"), rereads="C1"),
    Claim("C2", "there is some separation of the vehicles (airplanes, cars, boats, and trucks) from the animals",
          "CIFAR-10, simple: vehicles vs animals", _vehicles_animals("cifar10_simple"),
          context=(context("cifar10_simple", "classes.mix.vehicles_animals_over_median_pair",
                           "mixing minus median 4-vs-6 grouping"),)),
    Claim("C3", "cars and trucks for example have very similar features",
          "CIFAR-10, simple: cars and trucks mix more than the median pair of classes",
          _mixing("cifar10_simple", "cars_trucks", "above"), notes=(DIRECTION_ONLY,)),
    *[Claim(claim_id, "able to learn latent distributions that are slightly distinct by class",
            f"CIFAR-10, {label}: classes separate in the latent means beyond their baselines",
            _above_baselines(name), notes=(DIRECTION_ONLY,),
            context=(*_separation_context(name), context(name, "latent.knn_over_pca", "5-NN minus PCA's of the latent's size")),
            rereads=HIGHDIM_REREADS.get(claim_id, ""))
      for claim_id, (label, name) in zip(("C4a", "C4b", "C4c", "C4d"), CIFAR10_NETWORKS)],
    Claim("C5", "The deep network representation in figure 4 has slightly improved separation in the latent distributions",
          "CIFAR-10: deep minus simple (deep changes the architecture and the KL weight together)", _separation("deep_vs_simple"),
          notes=(DIRECTION_ONLY,), context=_silhouette("deep_vs_simple")),
    Claim("C5a", "due to the increased network complexity", ARCHITECTURE, _separation("deep_vs_simple_halfkl"),
          context=_silhouette("deep_vs_simple_halfkl")),
    Claim("C5b", "and the decreased weight on the Kullback-Leibler divergence",
          "KL weight alone: simple at KL 0.5 minus simple at KL 1", _separation("halfkl_vs_simple"),
          context=_silhouette("halfkl_vs_simple")),
    Claim("C6", "the distributions for the car and truck have distinct distributions from those of the deer and dogs",
          "CIFAR-10, deep: cars+trucks and deer+dogs mix less than the median pair of two-class groups",
          _mixing("cifar10_deep", "cars_trucks_deer_dogs", "below")),
    Claim("C7", "Again, we see separation between vehicles and animals", "CIFAR-10, deep: vehicles vs animals",
          _vehicles_animals("cifar10_deep"),
          context=(context("cifar10_deep", "classes.mix.vehicles_animals_over_median_pair", "mixing minus median 4-vs-6 grouping"),)),
    Claim("C8", "they are not as separable as the latent distributions for the MNIST digits",
          "MNIST (simple) minus CIFAR-10 (deep): class separation", _above_baselines("mnist_vs_cifar10_deep"),
          notes=(confound(0.5),), context=_separation_context("mnist_vs_cifar10_deep")),
    # Reconstructions.
    Claim("R1", "very accurate reconstructions of the MNIST digits", "MNIST, simple: test R² of the mean decode",
          _accuracy_level("mnist_simple", "above"), cutoff="R² > 0.9", context=_reconstruction_context("mnist_simple")),
    *[Claim(claim_id, "not able to accurately reconstruct images", f"CIFAR-10, {label}: test R² of the mean decode",
            _accuracy_level(name, "below"), cutoff="R² < 0.9", context=_reconstruction_context(name),
            rereads=HIGHDIM_REREADS.get(claim_id, ""))
      for claim_id, (label, name) in zip(("R2a", "R2b", "R2c", "R2d"), CIFAR10_NETWORKS)],
    Claim("R3", "by increasing the latent space dimensionality, we lose less data and improve the reconstruction",
          "CIFAR-10: 16-D (KL 0, the text's reading) minus simple", _reconstruction("highdim_vs_simple"),
          notes=("the 16-D network also drops the KL term, which alone lets reconstructions improve; R3a keeps it",),
          context=_reconstruction_context("highdim_vs_simple")),
    Claim("R3a", "by increasing the latent space dimensionality, we lose less data and improve the reconstruction",
          "CIFAR-10: 16-D (KL 1) minus simple", _reconstruction("highdim_kl_vs_simple"),
          context=_reconstruction_context("highdim_kl_vs_simple"), rereads=HIGHDIM_REREADS["R3a"]),
    Claim("R4", "They are slightly better than the simple network",
          "CIFAR-10: deep minus simple (architecture and KL weight together)", _reconstruction("deep_vs_simple"),
          notes=(DIRECTION_ONLY,), context=_reconstruction_context("deep_vs_simple")),
    Claim("R4a", "They are slightly better than the simple network", ARCHITECTURE, _reconstruction("deep_vs_simple_halfkl"),
          notes=(DIRECTION_ONLY, "a cause the study does not name: the deep network's architecture alone"),
          context=_reconstruction_context("deep_vs_simple_halfkl"), kind="control"),
    *[Claim(claim_id, "all of these networks do much worse reconstruction the CIFAR-10 data compared to the MNIST data",
            f"MNIST ({mnist}) minus CIFAR-10 ({label})", _reconstruction(source),
            notes=(*([confound(kl_weight, matched)] if mnist == "simple" else []), RECONSTRUCTION_ACROSS, JPEG, DIRECTION_ONLY),
            context=(context(source, "test.r2_over_pca", "R² gain over PCA of the latent's size"),
                     *_reconstruction_context(source)), rereads=rereads)
      for claim_id, (mnist, label, source, kl_weight, matched), rereads in zip(
          ("R5", "R5a", "R5b", "R5c", "R5d"),
          [("simple", *row) for row in MNIST_MINUS] + [("KL matched", "simple", "mnist_klmatched_vs_cifar10", 1.0, "")],
          ("", "", "", "R5a", "R5"))],
    # Loss curves (Figure 5), read on its scale: the loss per image, by batch.
    Claim("T0", "MNIST clearly has a very quick learning capability",
          "MNIST (simple) minus CIFAR-10 (simple): batch at which the smoothed loss has made half its drop",
          (measure("mnist_vs_cifar10", "curve.half_batch", "below", label="batch at half the drop"),),
          notes=("the study's paragraph compares MNIST with CIFAR-10; an MNIST epoch has 1,200 batches, CIFAR-10's 1,000",
                 DIRECTION_ONLY),
          context=(context("mnist_vs_cifar10", "curve.elbow_batch", "batch at 95% of the drop"),
                   context("mnist_vs_cifar10", "curve.flat_batch", "batch at 98% of the drop"))),
    Claim("T1", "the loss function flattens after roughly 4,000 batch iterations",
          "MNIST, simple: batch at which the smoothed loss (a centred mean over 200 batches) has come 98% of the way "
          "from its start (the first 10 batches) to its end (the last 1,000)", _flattening("mnist_simple"),
          cutoff=f"between {ROUGHLY[0]:,} and {ROUGHLY[1]:,}", context=_curve_context("mnist_simple")),
    *[Claim(claim_id, "have loss functions that plateau at a much higher value",
            f"MNIST ({label}) minus CIFAR-10 ({other}): final loss per image (the last 1,000 batches)",
            (measure(source, "curve.final_loss", "below", label="loss per image"),),
            notes=(*notes, IMAGE_SIZE, LONGER, JPEG, DIRECTION_ONLY),
            context=(context(source, "curve.final_over_mean_pixel_variance", "loss per image / the mean image's"),
                     context(source, "curve.final_per_value", "loss per pixel value")), rereads="T2" if claim_id == "T2b" else "")
      for claim_id, label, other, source, notes in (
          ("T2", "simple", "simple", "mnist_vs_cifar10", (confound(1.0, "T2b"),)),
          ("T2a", "simple", "deep", "mnist_vs_cifar10_deep", (confound(0.5),)),
          ("T2b", "KL matched", "simple", "mnist_klmatched_vs_cifar10", ()))],
    *[Claim(claim_id, "but have larger oscillation",
            f"MNIST ({label}) minus CIFAR-10 ({other}): sd of the batch losses per image in the last 1,000 batches",
            (measure(source, "curve.late_sd", "below", label="sd per image"),),
            notes=(*notes, IMAGE_SIZE, LONGER, JPEG),
            context=(context(source, "curve.late_cv", "sd / mean"),
                     context(source, "curve.late_sd_over_mean_pixel_variance", "sd / the mean image's loss per image")),
            rereads="T3" if claim_id == "T3b" else "")
      for claim_id, label, other, source, notes in (
          ("T3", "simple", "simple", "mnist_vs_cifar10", (confound(1.0, "T3b"),)),
          ("T3a", "simple", "deep", "mnist_vs_cifar10_deep", (confound(0.5),)),
          ("T3b", "KL matched", "simple", "mnist_klmatched_vs_cifar10", ()))],
    *[Claim(claim_id, "we see the loss function is minimized much more", f"CIFAR-10: 16-D ({label}) minus simple, final loss per image",
            (measure(source, "curve.final_loss", "below", label="loss per image"),), notes=notes,
            rereads=HIGHDIM_REREADS.get(claim_id, ""))
      for claim_id, label, source, notes in (
          ("T4", "KL 0", "highdim_vs_simple", ("dropping the KL term lowers the loss by itself; T4a keeps it", DIRECTION_ONLY)),
          ("T4a", "KL 1", "highdim_kl_vs_simple", (DIRECTION_ONLY,)))],
    *[Claim(claim_id, "After 10 epochs it looks that the loss function may still be decreasing",
            f"CIFAR-10, 16-D ({label}): last 1,000 batches against the 1,000 before",
            (measure(name, "curve.last_window_change", "below", label="relative change"),), rereads=rereads)
      for claim_id, label, name, rereads in (("T5", "KL 0", "cifar10_highdim", ""),
                                             ("T5a", "KL 1", "cifar10_highdim_kl", HIGHDIM_REREADS["T5a"]))],
    # The study's literal loss, run as a control: why the pipeline sums the squared error.
    *[Claim(claim_id, "the pixel-wise mean squared error reconstruction loss",
            f"control, not a claim: {dataset} with the study's literal loss (per-pixel mean) collapses the posterior: "
            "KL term under 1 nat, decodes no better than the mean image",
            (measure(source, "objective.kl", "below", 1.0, "KL term (nats)"),
             measure(source, "test.r2_vs_mean_image", "below", 0.05, "R² vs mean image")),
            cutoff="KL < 1 nat; R² vs mean image < 0.05", kind="control")
      for claim_id, dataset, source in (("L1", "MNIST", "mnist_simple_meanloss"), ("L1a", "CIFAR-10", "cifar10_simple_meanloss"))],
])


def numbers(measure: Measure, sources: dict[str, dict]) -> dict:
    """A measure's mean, 95% interval and seed count (None where the summaries lack it)."""
    source = sources.get(measure.source, {})
    stats = source.get(measure.metric) or {}
    return {"seeds": source.get("seeds", 0), "mean": stats.get("mean"), "ci95_low": stats.get("ci95_low"),
            "ci95_high": stats.get("ci95_high"), **{key: stats[key] for key in ("min", "max") if key in stats}}


def judge(measure: Measure, sources: dict[str, dict]) -> str:
    """yes, no or unclear by the measure's interval against its reference; too few seeds without an interval."""
    found = numbers(measure, sources)
    if found["ci95_low"] is None:
        return "too few seeds"
    low, high, reference = found["ci95_low"], found["ci95_high"], measure.reference
    if low == high:  # every seed gave the same value: the seeds decide, each one alike
        low = high = found["mean"]
        if low == reference:
            return "no"  # 5 of 10 is neither "more than 5" nor "fewer than 5"
    claimed, other = (low > reference, high < reference) if measure.side == "above" else (high < reference, low > reference)
    return "yes" if claimed else "no" if other else "unclear"


def together(verdicts: list[str]) -> str:
    """One measure's answer from the references it must clear together: yes if all, no if one fails."""
    found = set(verdicts)
    if "too few seeds" in found:
        return "too few seeds"
    return "no" if "no" in found else "yes" if found == {"yes"} else "unclear"


def sentence_answer(parts: list[list[str]]) -> str:
    """A sentence's answer from its parts, each given as [its row's answer, the answers of the rows re-reading it]:
    a part whose readings disagree depends on the reading; the sentence is no if a part says no, depends if a part
    depends, yes if every part says yes, and unclear otherwise."""
    answers = []
    for readings in parts:
        found = set(readings)
        answers.append(found.pop() if len(found) == 1 else "too few seeds" if "too few seeds" in found else "depends")
    for answer in ("too few seeds", "no", "depends"):
        if answer in answers:
            return answer
    return "yes" if set(answers) == {"yes"} else "unclear"


def judge_claim(claim: Claim, sources: dict[str, dict]) -> dict:
    """The row's answer, its voting measure's numbers (one entry per reference), and its context's numbers."""
    references = [judge(measure, sources) for measure in claim.vote]
    verdict = together(references)
    vote = {}
    for measure, answer in zip(claim.vote, references):
        entry = vote.setdefault(measure.key, {"label": measure.label, **numbers(measure, sources), "references": []})
        entry["references"].append({"side": measure.side, "reference": measure.reference, "verdict": answer})
    result = {"verdict": verdict, "verdict_code": VERDICT_CODES[verdict], "vote": vote}
    if claim.context:
        result["context"] = {measure.key: {"label": measure.label, **numbers(measure, sources)} for measure in claim.context}
    if claim.kind != "claim":
        result["kind"] = claim.kind
    return result


def judge_all(sources: dict[str, dict]) -> dict[str, dict]:
    return {claim.id: judge_claim(claim, sources) for claim in CLAIMS}


def sentences(verdicts: dict[str, dict]) -> dict[str, dict]:
    """The study's sentences in the tally (background and control rows left out): each one's rows and answer."""
    grouped: dict[str, list[Claim]] = {}
    for claim in CLAIMS:
        if claim.kind == "claim" and claim.id in verdicts:
            grouped.setdefault(claim.quote, []).append(claim)
    result = {}
    for quote, claims in grouped.items():
        parts = [[verdicts[part.id]["verdict"], *(verdicts[other.id]["verdict"] for other in claims if other.rereads == part.id)]
                 for part in claims if not part.rereads]
        result[quote] = {"rows": [claim.id for claim in claims], "verdict": sentence_answer(parts)}
    return result


def tally(verdicts: dict[str, dict]) -> dict[str, int]:
    """How many of the study's sentences take each answer (background and control rows left out)."""
    counts: dict[str, int] = {}
    for sentence in sentences(verdicts).values():
        counts[sentence["verdict"]] = counts.get(sentence["verdict"], 0) + 1
    return counts

"""The study's figures (example training images, latent spaces, kNN confusion, loss curves, reconstructions, manifolds
and prior samples) and the tables `dvc plots show` draws interactively (the loss curves, each variant's latent means)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402

from vae_study.core.latent import knn_confusion, latent_means, superclass_labels  # noqa: E402
from vae_study.report.summary import (  # noqa: E402
    COLLAPSED_BELOW,
    FLAT_SHARE,
    FLAT_SMOOTHING,
    HALF_SHARE,
    HALF_SMOOTHING,
    batch_reaching,
    distinct_share,
)

DPI = 110
SMOOTHING_WINDOW = 100
# Super-class panels (vehicles vs animals): colours none of the ten class colours (tab10) uses.
GROUP_COLOURS = ["#000000", "#c51b7d", "#8c510a", "#35978f"]  # black, magenta: two groups read apart


def _save(figure, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(figure)


def _class_colours(count: int):
    base = plt.get_cmap("tab10" if count <= 10 else "tab20")
    cmap = ListedColormap([base(index % base.N) for index in range(count)])
    return cmap, BoundaryNorm(np.arange(count + 1) - 0.5, count)


def _scatter_panel(axes, points, colours, cmap, norm, labels) -> object:
    scatter = axes.scatter(points[:, 0], points[:, 1], c=colours, cmap=cmap, norm=norm, s=3, alpha=0.5, linewidths=0)
    axes.set(xlabel=labels[0], ylabel=labels[1])
    return scatter


def _spread_labels(anchors: np.ndarray, sizes: np.ndarray, steps: int = 400) -> np.ndarray:
    """Label centres near ``anchors`` (axes fractions) pushed apart until no two boxes (``sizes``, per label) overlap.

    A pull back toward each label's own point keeps labels near their points; it fades out over the first half of
    the steps, so the later steps only separate and the result has no overlap wherever the boxes fit at all.
    """
    positions = anchors.astype(float).copy()
    for step in range(steps):
        moved = False
        for first in range(len(positions)):
            for second in range(first + 1, len(positions)):
                gap = positions[second] - positions[first]
                overlap = (sizes[first] + sizes[second]) / 2 - np.abs(gap)
                if (overlap > 0).all():
                    axis = int(np.argmin(overlap))  # separate along the axis that needs the smaller move
                    direction = np.sign(gap[axis]) or (1.0 if second % 2 else -1.0)
                    positions[first, axis] -= direction * (overlap[axis] / 2 + 1e-3)
                    positions[second, axis] += direction * (overlap[axis] / 2 + 1e-3)
                    moved = True
        positions = np.clip(positions, sizes / 2, 1 - sizes / 2)
        if not moved:
            break
        positions += 0.05 * max(0.0, 1 - 2 * step / steps) * (anchors - positions)
    return positions


def _label_centroids(axes, points, table: pd.DataFrame, class_names: list[str]) -> None:
    """Each class's median point, labelled with its name; labels pushed apart so none hides another, with a leader line."""
    medians, names = [], []
    for label, name in enumerate(class_names):
        members = points[table["label"].to_numpy() == label]
        if len(members):
            medians.append(np.median(members, axis=0))
            names.append(name)
    if not medians:
        return
    medians = np.array(medians)
    to_fraction = axes.transAxes.inverted().transform
    anchors = to_fraction(axes.transData.transform(medians))
    labels = [axes.annotate(name, median, xytext=anchor, textcoords="axes fraction", ha="center", va="center", fontsize=8,
                            fontweight="bold", arrowprops={"arrowstyle": "-", "color": "black", "linewidth": 0.6},
                            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.85, "linewidth": 0})
              for name, median, anchor in zip(names, medians, anchors)]
    renderer = axes.figure.canvas.get_renderer()
    sizes = []
    for label in labels:  # each label's box as drawn, in axes fractions, with a small margin
        corners = to_fraction(label.get_window_extent(renderer).get_points())
        sizes.append(corners[1] - corners[0] + 0.015)
    for label, place in zip(labels, _spread_labels(anchors, np.array(sizes))):
        label.set_position(place)


def project_to_2d(table: pd.DataFrame) -> tuple[np.ndarray, tuple[str, str]]:
    """A run's test latent means as 2-D points and their axis names: as they are in 2-D, their first two principal
    components above (a PCA of every test mean), the class against z[0] (jittered) in 1-D."""
    from sklearn.decomposition import PCA

    means = latent_means(table)
    if means.shape[1] > 2:
        pca = PCA(n_components=2).fit(means)
        ratios = pca.explained_variance_ratio_ * 100
        return pca.transform(means), (f"PC 1 ({ratios[0]:.0f}% of variance)", f"PC 2 ({ratios[1]:.0f}% of variance)")
    if means.shape[1] == 2:
        return means, ("z[0]", "z[1]")
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(means))
    return np.column_stack([means[:, 0], table["label"] + jitter]), ("z[0]", "class")


LATENT_POINTS = 2000  # test images per interactive latent chart (a class-stratified, seeded sample)


def latent_points_table(table: pd.DataFrame, points: int = LATENT_POINTS, seed: int = 0) -> pd.DataFrame:
    """The interactive latent chart's data (`dvc plots show`): a class-stratified sample of ``points`` test images
    (seed ``seed``), in random order, with their 2-D position (``project_to_2d``), class name and test-image index.

    The chart names each variant from its file name (plots/latent_points/<variant>.csv), so a row carries no name.
    """
    projected, _ = project_to_2d(table)
    rng = np.random.default_rng(seed)
    share = min(1.0, points / max(1, len(table)))
    chosen = np.concatenate([rng.choice(members, max(1, round(len(members) * share)), replace=False)  # every class shows
                             for members in table.groupby("class").indices.values()] or [np.array([], int)])
    chosen = rng.permutation(chosen)
    return pd.DataFrame({"x": projected[chosen, 0].round(3), "y": projected[chosen, 1].round(3),
                         "class": table["class"].to_numpy()[chosen], "image": chosen})


def plot_latent_space(table: pd.DataFrame, class_names: list[str], title: str, path: Path,
                      groups: dict[str, list[str]] | None = None) -> None:
    """Test latent means coloured by class (drawn in a seeded random order), each class's median labelled; PCA to 2-D
    above two dimensions.

    With ``groups`` (super-classes such as vehicles and animals) a second panel colours the same points by group.
    """
    means = latent_means(table)
    points, labels = project_to_2d(table)
    if means.shape[1] > 2:
        title = f"{title}\nPCA projection of the {means.shape[1]}-D latent means"
    panels = 2 if groups else 1
    figure, axes = plt.subplots(1, panels, figsize=(7.5 * panels, 6), squeeze=False, layout="constrained")
    cmap, norm = _class_colours(len(class_names))
    order = np.random.default_rng(0).permutation(len(points))  # no class drawn on top of the others
    scatter = _scatter_panel(axes[0, 0], points[order], table["label"].to_numpy()[order], cmap, norm, labels)
    colorbar = figure.colorbar(scatter, ax=axes[0, 0], ticks=np.arange(len(class_names)))
    colorbar.ax.set_yticklabels(class_names)
    colorbar.set_label("class (names at each class's median)")
    if groups:
        group_labels = superclass_labels(table["label"].to_numpy(), class_names, groups)
        for group, colour in zip(groups, GROUP_COLOURS):
            axes[0, 1].scatter([], [], color=colour, s=20, label=group)  # the legend's marker, drawn full size
        axes[0, 1].scatter(points[order, 0], points[order, 1], c=[GROUP_COLOURS[label] for label in group_labels[order]],
                           s=3, alpha=0.5, linewidths=0)
        axes[0, 1].set(xlabel=labels[0], ylabel=labels[1], title=" vs ".join(groups) + " (drawn in random order)")
        axes[0, 1].legend(loc="best", markerscale=1.5)
        axes[0, 1].sharex(axes[0, 0])
        axes[0, 1].sharey(axes[0, 0])
    figure.suptitle(title)
    distinct = distinct_share(table)
    if distinct < COLLAPSED_BELOW:  # class medians would all sit on the same few points
        axes[0, 0].set_title(f"collapsed: {distinct:.1%} of the {len(means):,} test images have a latent mean of their "
                             "own; no class is placed apart", fontsize=9)
    else:
        axes[0, 0].set_title("by class (drawn in random order)")
        figure.draw_without_rendering()  # settle the layout first: the labels are placed in the axes' final size
        _label_centroids(axes[0, 0], points, table, class_names)
    _save(figure, path)


def plot_knn_confusion(table: pd.DataFrame, class_names: list[str], chance: np.ndarray, title: str, path: Path) -> None:
    """Per true class, the share of its test images the latent kNN classifier assigns to each class.

    ``chance`` is each class's share of the training set: the diagonal a guess by class rates would reach.
    A sequential scale from white (0) to dark blue (the largest share), with the mean chance level
    marked on the colour bar, so that empty cells are blank and only real shares stand out.
    """
    fractions = knn_confusion(table, class_names)
    count = len(class_names)
    distinct = distinct_share(table)
    if distinct < COLLAPSED_BELOW:
        title += (f"\ncollapsed: {distinct:.1%} of test images have a latent mean of their own, so neighbours tie at "
                  "distance 0 and the training set's order decides: ties, not a class preference")
    level = float(np.mean(chance))
    top = max(float(fractions.max()), 2 * level)
    figure, axes = plt.subplots(figsize=(1.6 + 0.62 * count, 0.9 + 0.55 * count), layout="constrained")
    image = axes.imshow(fractions, cmap="Blues", vmin=0.0, vmax=top)
    for row in range(count):
        for column in range(count):
            value = fractions[row, column]
            axes.text(column, row, f"{value:.2f}", ha="center", va="center",
                      fontsize=8, color="white" if value > 0.6 * top else "black",
                      fontweight="bold" if row == column else "normal")
    axes.set_xticks(range(count), class_names, rotation=45, ha="right")
    axes.set_yticks(range(count), [f"{name} ({share:.2f})" for name, share in zip(class_names, chance)])
    axes.set(title=title, xlabel="predicted class (kNN on the training latent means)",
             ylabel="true class (chance: its share of the training set)")
    colorbar = figure.colorbar(image, ax=axes, shrink=0.8, label="fraction of the true class")
    colorbar.ax.axhline(level, color="tab:red", linewidth=1.5)
    colorbar.set_ticks(sorted({0.0, level, top}), labels=["0", f"chance {level:.2f}", f"{top:.2f}"])
    _save(figure, path)


def loss_curve_table(histories: dict[str, list[pd.DataFrame]], values_per_image: dict[str, int],
                     window: int = SMOOTHING_WINDOW) -> pd.DataFrame:
    """The interactive loss chart's data (`dvc plots show`), one row per variant and window of batches:
    the total loss per pixel value (the lower row of plot_loss_curves), averaged over the window (the last one may be short)
    and over the seeds.

    Long format, one ``variant`` column, so the chart colours by variant and a new variant needs no edit of dvc.yaml.
    """
    rows = []
    for name, runs in histories.items():
        per_seed = [history.groupby(history["step"] // window)["loss"].mean() / values_per_image[name] for history in runs]
        mean = pd.concat(per_seed, axis=1).mean(axis=1)
        rows.append(pd.DataFrame({"variant": name, "batch": mean.index * window, "loss_per_value": mean.to_numpy(),
                                  "seeds": len(runs)}))
    return pd.concat(rows, ignore_index=True)


def plot_loss_curves(histories: dict[str, list[pd.DataFrame]], labels: dict[str, str], values_per_image: dict[str, int],
                     datasets: dict[str, str], path: Path, mark: int | None = 4000, end_window: int = 1000,
                     share_y: bool = True) -> None:
    """Per-batch training loss, one column per dataset: per image on top (the scale of the study's Figure 5), per
    pixel value below (the loss divided by the values it sums, 784 on MNIST and 3,072 on CIFAR-10, so the datasets
    share one scale); each row shares its y axis across the datasets unless ``share_y`` is False (networks whose losses
    differ in kind), and batch ``mark`` (unless None) is marked. Each y axis ends a little above its highest smoothed
    curve, so the first batches' raw loss (an untrained network's, 543 per image for a cross-entropy on MNIST) cannot
    squeeze the curves into a strip.

    Each variant is one line, the mean over its seeds of the loss smoothed as the loss-curve measures smooth it (a
    centred mean over FLAT_SMOOTHING batches), with the seeds' range as a band and the first seed's raw loss faintly
    behind; on that line a triangle marks the batch where it has made half its drop (found on a mean over
    HALF_SMOOTHING batches) and a circle 98% (``summary.batch_reaching``, mean over seeds, the end level the mean of
    the last ``end_window`` batches). Both sit on the drawn line, not at the level they were found on: early in a
    run a 20-batch mean is far above a 200-batch one, and a marker there would float off its curve. A variant trained
    on the per-pixel mean loss (``values_per_image`` 1) has no loss per image and appears in the lower row only.
    Colours follow the variants' order, the same in every panel.
    """
    columns = list(dict.fromkeys(datasets[name] for name in histories))
    figure, grid = plt.subplots(2, len(columns), figsize=(7.5 * len(columns), 10), squeeze=False,
                                sharey="row" if share_y else False, layout="constrained")
    palette = [*plt.get_cmap("tab10").colors, "black"]
    colours = {name: palette[position % len(palette)] for position, name in enumerate(histories)}
    tops: dict[tuple[int, int], list[float]] = {}  # each y axis's highest smoothed curve: the raw loss may go off the top
    for name, runs in histories.items():
        column = columns.index(datasets[name])
        smooth = [history.set_index("step")["loss"].rolling(FLAT_SMOOTHING, center=True, min_periods=FLAT_SMOOTHING // 2)
                  .mean() for history in runs]
        table = pd.concat(smooth, axis=1)
        reached = {}  # marker: the batch, mean over seeds
        for share, marker, smoothing in ((HALF_SHARE, "^", HALF_SMOOTHING), (FLAT_SHARE, "o", FLAT_SMOOTHING)):
            batches = [batch_reaching(history["loss"], share, end_window, smoothing) for history in runs]
            if all(batch is not None for batch in batches):
                reached[marker] = int(round(float(np.mean(batches))))
        seeds = f"{len(runs)} seed{'s' if len(runs) > 1 else ''}"
        rows = [(0, 1), (1, values_per_image[name])] if values_per_image[name] > 1 else [(1, 1)]
        for row, divisor in rows:
            axes = grid[row, column]
            scaled, mean = table / divisor, table.mean(axis=1) / divisor
            axes.plot(runs[0]["step"], runs[0]["loss"] / divisor, color=colours[name], alpha=0.12, linewidth=0.5)
            axes.plot(scaled.index, mean, color=colours[name], linewidth=1.4, label=f"{labels[name]}, {seeds}")
            tops.setdefault((row, column if not share_y else 0), []).append(float(scaled.max(axis=1).max()))
            if len(runs) > 1:
                axes.fill_between(scaled.index, scaled.min(axis=1), scaled.max(axis=1), color=colours[name], alpha=0.2,
                                  linewidth=0)
            for marker, batch in reached.items():
                level = mean.iloc[batch]
                axes.plot([batch], [level], marker=marker, color=colours[name], markeredgecolor="black", markersize=7,
                          linestyle="none")
    for row, scale in enumerate(("loss per image (as the study's Figure 5)",
                                 "loss per pixel value (loss per image / values it sums)")):
        for column, dataset in enumerate(columns):
            axes = grid[row, column]
            if mark is not None:
                axes.axvline(mark, color="0.3", linestyle="--", linewidth=1)
                axes.annotate(f"batch {mark:,}", (mark, 1), xycoords=("data", "axes fraction"), xytext=(4, -12),
                              textcoords="offset points", fontsize=8, color="0.3")
            axes.set(title=f"{dataset}: {scale}", xlabel="batch")
            axes.grid(True, alpha=0.3)
            if axes.lines:
                axes.legend(handles=[line for line in axes.lines if not line.get_label().startswith("_")], fontsize=8,
                            title="variant (latent size, KL weight)", title_fontsize=8)
        grid[row, 0].set_ylabel(scale)
    for (row, column), heights in tops.items():
        bottom, top = grid[row, column].get_ylim()
        grid[row, column].set_ylim(bottom, min(top, bottom + 1.1 * (max(heights) - bottom)))
    figure.suptitle(f"Training loss by batch: each line the mean over seeds of the loss smoothed over {FLAT_SMOOTHING} "
                    "batches, the band the seeds' range, faint the first seed's raw loss;\n"
                    "▲ half the drop made, ● 98% of it (mean over seeds)")
    _save(figure, path)


def _show(axes, image: np.ndarray) -> None:
    if image.shape[-1] == 1:
        axes.imshow(image[..., 0], cmap="gray", vmin=0, vmax=1)
    else:
        axes.imshow(np.clip(image, 0, 1))
    axes.set_xticks([])
    axes.set_yticks([])


def plot_reconstructions(originals: np.ndarray, row_labels: list[str], reconstructions: dict[str, np.ndarray], title: str,
                         path: Path) -> None:
    """Test images in the first column (``row_labels`` name them), then each column's reconstruction of them.

    The keys of ``reconstructions`` are the column headers (variant, latent size, KL weight).
    """
    columns = {"test image": originals, **reconstructions}
    rows = len(originals)
    figure, grid = plt.subplots(
        rows, len(columns), figsize=(1.5 * len(columns), 1.25 * rows + 0.8), squeeze=False, layout="constrained"
    )
    for column, (name, images) in enumerate(columns.items()):
        grid[0, column].set_title(name, fontsize=8)
        for row in range(rows):
            _show(grid[row, column], images[row])
            if column == 0:
                grid[row, 0].set_ylabel(row_labels[row], fontsize=8)
    figure.suptitle(title)
    _save(figure, path)


def _tile(images: np.ndarray, columns: int) -> np.ndarray:
    rows = len(images) // columns
    height, width, channels = images.shape[1:]
    return images.reshape(rows, columns, height, width, channels).swapaxes(1, 2).reshape(rows * height, columns * width, channels)


def _distinct_ticks(values: np.ndarray, axis: str) -> tuple[list[str], str]:
    """Tick labels with the fewest significant digits (up to 4) that tell every grid value apart, and the axis label.

    A collapsed run's grid spans a tiny range around an offset, which plain labels print as one repeated number:
    then the ticks show each value minus the first, and the axis label names that offset; a grid of one point
    repeated gets no ticks and says so.
    """
    for digits in range(2, 5):
        labels = [f"{value:.{digits}g}" for value in values]
        if len(set(labels)) == len(labels):
            return labels, axis
    if np.ptp(values) == 0:  # the grid is one point repeated: the run's latent means have no spread to span
        return [""] * len(values), f"{axis} = {values[0]:.4g} in every row and column (the latent means have no spread)"
    return [f"{value - values[0]:+.2e}" for value in values], f"{axis} - ({values[0]:.6g})"


def plot_manifold(images: np.ndarray, xs: np.ndarray, ys: np.ndarray, title: str, path: Path) -> None:
    """Images decoded from a grid of 2-D latent points (``xs`` by ``ys``; ``images`` row by row, uint8)."""
    grid = len(xs)
    height, width = images.shape[1:3]
    figure, axes = plt.subplots(figsize=(8, 8))
    _show(axes, _tile(images / 255.0, grid))
    ticks = np.arange(grid)
    (x_labels, x_axis), (y_labels, y_axis) = _distinct_ticks(xs, "z[0]"), _distinct_ticks(ys, "z[1]")
    axes.set_xticks(ticks * width + width / 2, x_labels, rotation=90, fontsize=7)
    axes.set_yticks(ticks * height + height / 2, y_labels, fontsize=7)
    axes.set(title=title, xlabel=x_axis, ylabel=y_axis)
    _save(figure, path)


def plot_examples(examples: dict[str, dict[str, np.ndarray]], path: Path) -> None:
    """The study's Figure 1: example training images of each dataset side by side, one row per class, named.

    ``examples`` maps a dataset to ``example_images``' arrays (uint8 images, labels, class names)."""
    figure, panels = plt.subplots(1, len(examples), figsize=(3.2 * len(examples), 6.2), squeeze=False, layout="constrained")
    for axes, (dataset, arrays) in zip(panels[0], examples.items()):
        names, labels = [str(name) for name in arrays["class_names"]], arrays["labels"]
        per_class = int(np.max(np.bincount(labels)))
        tiles = np.ones((len(names) * per_class, *arrays["images"].shape[1:]))
        for label in range(len(names)):
            members = arrays["images"][labels == label] / 255.0
            tiles[label * per_class: label * per_class + len(members)] = members
        _show(axes, _tile(tiles, per_class))
        height = arrays["images"].shape[1]
        axes.set_yticks(np.arange(len(names)) * height + height / 2, names, fontsize=8)
        axes.set_title(f"{dataset} ({per_class} per class)")
    figure.suptitle("Example training images (the study's Figure 1)")
    _save(figure, path)


def plot_samples(images: np.ndarray, title: str, path: Path) -> None:
    """Images decoded from draws of the prior (uint8), tiled in a near-square grid."""
    count = len(images)
    columns = int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    tiles = np.ones((rows * columns, *images.shape[1:]))
    tiles[:count] = images / 255.0
    figure, axes = plt.subplots(figsize=(0.9 * columns + 1, 0.9 * rows + 1))
    _show(axes, _tile(tiles, columns))
    axes.set_title(title)
    _save(figure, path)

"""The study's figures: latent spaces, kNN confusion, loss curves, reconstructions, manifolds and prior samples."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402

from vae_study.evaluation import knn_confusion, latent_means  # noqa: E402

DPI = 110
SMOOTHING_WINDOW = 100


def _save(figure, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(figure)


def _class_colours(count: int):
    base = plt.get_cmap("tab10" if count <= 10 else "tab20")
    cmap = ListedColormap([base(index % base.N) for index in range(count)])
    return cmap, BoundaryNorm(np.arange(count + 1) - 0.5, count)


def plot_latent_space(table: pd.DataFrame, class_names: list[str], title: str, path: Path) -> None:
    """Test latent means coloured by class; PCA to 2-D above two dimensions."""
    from sklearn.decomposition import PCA

    means = latent_means(table)
    if means.shape[1] > 2:
        pca = PCA(n_components=2).fit(means)
        points = pca.transform(means)
        ratios = pca.explained_variance_ratio_ * 100
        labels = (f"PC 1 ({ratios[0]:.0f}% of variance)", f"PC 2 ({ratios[1]:.0f}% of variance)")
        title = f"{title}\nPCA projection of the {means.shape[1]}-D latent means"
    elif means.shape[1] == 2:
        points, labels = means, ("z[0]", "z[1]")
    else:
        jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(means))
        points, labels = np.column_stack([means[:, 0], table["label"] + jitter]), ("z[0]", "class")
    cmap, norm = _class_colours(len(class_names))
    figure, axes = plt.subplots(figsize=(7.5, 6))
    scatter = axes.scatter(points[:, 0], points[:, 1], c=table["label"], cmap=cmap, norm=norm, s=3, alpha=0.6, linewidths=0)
    colorbar = figure.colorbar(scatter, ax=axes, ticks=np.arange(len(class_names)))
    colorbar.ax.set_yticklabels(class_names)
    colorbar.set_label("class")
    axes.set(title=title, xlabel=labels[0], ylabel=labels[1])
    _save(figure, path)


def plot_knn_confusion(table: pd.DataFrame, class_names: list[str], title: str, path: Path) -> None:
    """Per true class, the share of its test images the latent kNN classifier assigns to each class."""
    fractions = knn_confusion(table, class_names)
    count = len(class_names)
    figure, axes = plt.subplots(figsize=(1.2 + 0.62 * count, 0.9 + 0.55 * count), layout="constrained")
    image = axes.imshow(fractions, cmap="Blues", vmin=0, vmax=1)
    for row in range(count):
        for column in range(count):
            value = fractions[row, column]
            axes.text(column, row, f"{value:.2f}".lstrip("0") if value < 1 else "1", ha="center", va="center",
                      fontsize=8, color="white" if value > 0.55 else "black")
    axes.set_xticks(range(count), class_names, rotation=45, ha="right")
    axes.set_yticks(range(count), class_names)
    axes.set(title=title, xlabel="predicted class (kNN on the training latent means)", ylabel="true class")
    figure.colorbar(image, ax=axes, shrink=0.8, label="fraction of the true class")
    _save(figure, path)


def plot_loss_curves(histories: dict[str, pd.DataFrame], labels: dict[str, str], values_per_image: dict[str, int],
                     path: Path) -> None:
    """Per-batch total loss of every variant per pixel value, on one linear axis, smoothed over the faint raw curve.

    Dividing by the values per image (784 for MNIST, 3,072 for CIFAR-10) puts both datasets
    on one scale; a linear axis keeps the late slopes visible. ``labels`` name each curve.
    """
    figure, axes = plt.subplots(figsize=(10, 5.5))
    for index, (name, history) in enumerate(histories.items()):
        colour = plt.get_cmap("tab10")(index % 10)
        loss = history["loss"] / values_per_image[name]
        axes.plot(history["step"], loss, color=colour, alpha=0.18, linewidth=0.5)
        smooth = loss.rolling(SMOOTHING_WINDOW, min_periods=1).mean()
        axes.plot(history["step"], smooth, color=colour, linewidth=1.6, label=labels[name])
    axes.set(
        title=f"Per-batch training loss (faint: raw; bold: mean of the last {SMOOTHING_WINDOW} batches)",
        xlabel="batch",
        ylabel="total loss per image / values per image",
    )
    axes.grid(True, alpha=0.3)
    axes.legend(title="variant (latent size, KL weight)")
    _save(figure, path)


def _show(axes, image: np.ndarray) -> None:
    if image.shape[-1] == 1:
        axes.imshow(image[..., 0], cmap="gray", vmin=0, vmax=1)
    else:
        axes.imshow(np.clip(image, 0, 1))
    axes.set_xticks([])
    axes.set_yticks([])


def plot_reconstructions(originals: np.ndarray, reconstructions: dict[str, np.ndarray], title: str, path: Path) -> None:
    """Test images in the first column, then each variant's reconstruction of them."""
    columns = {"original": originals, **reconstructions}
    rows = len(originals)
    figure, grid = plt.subplots(
        rows, len(columns), figsize=(1.5 * len(columns), 1.25 * rows + 0.8), squeeze=False, layout="constrained"
    )
    for column, (name, images) in enumerate(columns.items()):
        grid[0, column].set_title(name.replace("_", "_\n", 1), fontsize=9)
        for row in range(rows):
            _show(grid[row, column], images[row])
    figure.suptitle(title)
    _save(figure, path)


def _tile(images: np.ndarray, columns: int) -> np.ndarray:
    rows = len(images) // columns
    height, width, channels = images.shape[1:]
    return images.reshape(rows, columns, height, width, channels).swapaxes(1, 2).reshape(rows * height, columns * width, channels)


def plot_manifold(decoder, test_means: np.ndarray, grid: int, title: str, path: Path) -> None:
    """Images decoded from a grid spanning the 1st to 99th percentile of the 2-D test latent means."""
    low, high = np.percentile(test_means, [1, 99], axis=0)
    xs, ys = np.linspace(low[0], high[0], grid), np.linspace(high[1], low[1], grid)
    points = np.array([[x, y] for y in ys for x in xs], np.float32)
    images = np.asarray(decoder(points, training=False))
    height, width = images.shape[1:3]
    figure, axes = plt.subplots(figsize=(8, 8))
    _show(axes, _tile(images, grid))
    ticks = np.arange(grid)
    axes.set_xticks(ticks * width + width / 2, [f"{x:.2f}" for x in xs], rotation=90, fontsize=7)
    axes.set_yticks(ticks * height + height / 2, [f"{y:.2f}" for y in ys], fontsize=7)
    axes.set(title=title, xlabel="z[0]", ylabel="z[1]")
    _save(figure, path)


def plot_samples(decoder, latent_dim: int, count: int, seed: int, title: str, path: Path) -> None:
    """Images decoded from latent points drawn from the prior N(0, I)."""
    columns = int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    points = np.random.default_rng(seed).standard_normal((rows * columns, latent_dim)).astype(np.float32)
    images = np.array(decoder(points, training=False))
    images[count:] = 1.0
    figure, axes = plt.subplots(figsize=(0.9 * columns + 1, 0.9 * rows + 1))
    _show(axes, _tile(images, columns))
    axes.set_title(title)
    _save(figure, path)

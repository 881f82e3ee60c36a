"""scripts/publish_figures.py: palette copies of every figure, same layout, still the same picture."""

import subprocess
import sys

import numpy as np
from PIL import Image

from conftest import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "publish_figures.py"


def test_copies_every_png_as_a_close_palette_image(tmp_path):
    plots = tmp_path / "plots"
    (plots / "latent").mkdir(parents=True)
    gradient = np.linspace(0, 255, 200 * 300 * 3).reshape(200, 300, 3).astype(np.uint8)
    Image.fromarray(gradient).save(plots / "loss_curves.png")
    Image.fromarray(gradient[::-1]).save(plots / "latent" / "toy.png")
    (plots / "notes.txt").write_text("not a figure")
    subprocess.run([sys.executable, str(SCRIPT), "--plots", str(plots), "--target", str(tmp_path / "docs")], check=True)
    published = sorted(path.relative_to(tmp_path / "docs") for path in (tmp_path / "docs").rglob("*"))
    assert [str(path) for path in published] == ["latent", "latent/toy.png", "loss_curves.png"]
    with Image.open(tmp_path / "docs" / "loss_curves.png") as copy:
        assert copy.mode == "P" and copy.size == (300, 200)
        assert np.abs(np.asarray(copy.convert("RGB"), float) - gradient).mean() < 3


def test_no_figures_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "--plots", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 1 and f"no PNG figures under {tmp_path}" in result.stderr

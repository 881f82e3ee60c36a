"""`dvc plots show` and `dvc plots diff` open in a real browser: Debian's headless Chromium, with the vega libraries
the page loads from a CDN taken from npm instead (tests/browser, `npm ci` there; .ci/run installs both).

The page fails on a script error (an apostrophe in a plot title once broke DVC's inline `vegaEmbed` call); the
loss chart must draw one legend entry per variant with its full name, and one per revision in a diff; every variant's
latent chart must draw its points in one distinct colour per class, and in a diff one panel per revision side by side.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import PROJECT_ROOT, dvc

VEGA = PROJECT_ROOT / "tests" / "browser" / "node_modules"
LIBRARIES = {"vega": "vega/build/vega.js", "vega-lite": "vega-lite/build/vega-lite.js", "vega-embed": "vega-embed/build/vega-embed.js"}
CHROMIUM = shutil.which("chromium")
# .ci/run installs Chromium and the npm packages and sets this, so that in CI a missing browser fails instead of skipping
REQUIRED = os.environ.get("VAE_STUDY_REQUIRE_BROWSER") == "1"
# A folder to save the pages' screenshots in, for a person to look at (a second browser start each: off by default)
SCREENSHOTS = os.environ.get("VAE_STUDY_SCREENSHOTS")
missing = [what for what, present in (("chromium", CHROMIUM), ("tests/browser/node_modules (npm ci)", VEGA.exists())) if not present]
pytestmark = pytest.mark.skipif(bool(missing) and not REQUIRED, reason=f"not installed: {', '.join(missing)}")

# Runs before DVC's own script: records any script error, then, once vega has drawn, the legend's labels.
PROBE = """<script>
window.probe = {errors: []};
window.addEventListener("error", (event) => window.probe.errors.push(String(event.message)));
window.addEventListener("load", () => setTimeout(() => {
  const out = document.createElement("pre");
  out.id = "probe";
  window.probe.legend = [...document.querySelectorAll(".vega-embed .role-legend-label text")].map((node) => node.textContent);
  window.probe.charts = document.querySelectorAll(".vega-embed").length;
  window.probe.drawn = document.querySelectorAll(".vega-embed svg.marks").length;
  window.probe.latent = [...document.querySelectorAll(".vega-embed")].filter((chart) => chart.querySelector(".role-column-header"))
    .map((chart) => ({
      plot: chart.closest("div[id]").id,
      titles: [...chart.querySelectorAll(".role-title-text text")].map((node) => node.textContent),
      columns: [...chart.querySelectorAll(".role-column-header text")].map((node) => node.textContent),
      classes: [...chart.querySelectorAll(".role-legend-label text")].map((node) => node.textContent),
      colours: [...chart.querySelectorAll(".role-legend-symbol path")].map((node) => node.getAttribute("fill")),
      points: chart.querySelectorAll(".role-mark.mark-symbol path").length,
      hover: chart.querySelector(".role-mark.mark-symbol path")?.getAttribute("aria-label"),
    }));
  out.textContent = JSON.stringify(window.probe);
  document.body.appendChild(out);
}, 3000));
</script>"""


def _open_in_chromium(page_dir, label: str) -> dict:
    """Load ``page_dir``/index.html with local vega, return what the probe saw (and save ``label``.png in SCREENSHOTS)."""
    page = page_dir / "index.html"
    html = page.read_text()
    for name, path in LIBRARIES.items():
        html, count = re.subn(rf'src="https://cdn\.jsdelivr\.net/npm/{name}@[\d.]+"',
                              f'src="{(VEGA / path).as_uri()}" charset="utf-8"', html)  # as the CDN serves it
        assert count == 1, f"the page does not load {name} from the CDN as expected"
    page.write_text(html.replace("<head>", "<head>" + PROBE, 1))
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
               "--virtual-time-budget=20000", "--window-size=1500,900"]
    dom = subprocess.run([*command, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True).stdout
    if SCREENSHOTS:
        screenshot = Path(SCREENSHOTS) / f"{label}.png"
        taller = [flag for flag in command if not flag.startswith("--window-size")] + ["--window-size=1500,2400"]
        subprocess.run([*taller, f"--screenshot={screenshot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, "the page never finished loading (no probe output)"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def _latent_charts_are_drawn(seen: dict, revisions: list[str]) -> None:
    """One latent chart per variant file, one panel per revision, one distinct colour per class, every point drawn."""
    files = sorted((PROJECT_ROOT / "plots" / "latent_points").glob("*.csv"))
    assert files and sorted(chart["plot"] for chart in seen["latent"]) == [f"plots_latent_points_{path.stem}_csv" for path in files]
    for chart in seen["latent"]:
        variant = chart["plot"].removeprefix("plots_latent_points_").removesuffix("_csv")
        table = pd.read_csv(PROJECT_ROOT / "plots" / "latent_points" / f"{variant}.csv", dtype={"class": str})
        assert variant in chart["titles"], f"the chart does not name {variant}: {chart['titles']}"
        assert chart["columns"] == revisions, variant
        assert sorted(chart["classes"]) == sorted(table["class"].unique()), variant
        assert len(set(chart["colours"])) == len(chart["classes"]), f"{variant}: classes share a colour"
        assert chart["points"] == len(table) * len(revisions), variant
        assert re.search(r"class: .+; test image: \d+", chart["hover"]), chart["hover"]  # what hovering shows


def test_plots_show_draws_one_named_colour_per_variant(tmp_path):
    output = tmp_path / "show"
    dvc(PROJECT_ROOT, "plots", "show", "-o", str(output))  # as a user types it: every plot dvc.yaml declares
    seen = _open_in_chromium(output, "show")
    variants = sorted(pd.read_csv(PROJECT_ROOT / "plots" / "loss_curves.csv")["variant"].unique())
    assert seen["errors"] == [] and seen["charts"] == seen["drawn"] == 1 + len(seen["latent"])
    assert set(variants) <= set(seen["legend"]), f"legend lacks variants (cut or missing): {seen['legend']}"
    _latent_charts_are_drawn(seen, ["workspace"])
    size = (output / "index.html").stat().st_size
    assert size < 6e6, f"the page is {size / 1e6:.1f} MB"


def test_plots_diff_tells_the_revisions_apart(tmp_path):
    output = tmp_path / "diff"
    dvc(PROJECT_ROOT, "plots", "diff", "HEAD", "-o", str(output))
    seen = _open_in_chromium(output, "diff")
    assert seen["errors"] == [] and seen["charts"] == seen["drawn"] == 1 + len(seen["latent"])
    assert {"HEAD", "workspace"} <= set(seen["legend"])
    _latent_charts_are_drawn(seen, ["HEAD", "workspace"])

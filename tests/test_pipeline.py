"""End-to-end: `dvc repro` of the whole pipeline in a temporary copy of the project, on generated data."""

import io
import json
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import add_dataset, copy_project, dvc, edited, edited_params, run_command, tiny_params, write_image_folder
from PIL import Image

from vae_study.core.backend import TENSORFLOW_STARTUP_NOISE

pytestmark = pytest.mark.slow
# A third dataset, "letters", added as the README says (params.yaml and dvc.yaml alone), with a 16-D variant.
DATASET = {"mnist_simple": "mnist", "cifar10_simple": "cifar10", "cifar10_deep": "cifar10", "letters_highdim": "letters"}
VARIANTS = list(DATASET)
SHAPES = {"mnist": (16, 16, 1), "cifar10": (17, 18, 3), "letters": (12, 10, 1)}


@pytest.fixture(scope="module")
def reproduced(tmp_path_factory):
    """One tiny full run shared by the tests below (each dvc repro costs TensorFlow start-ups)."""
    root = tmp_path_factory.mktemp("e2e")
    for dataset, shape in SHAPES.items():
        write_image_folder(root / dataset, shape=shape, per_class=6, seed=len(dataset))

    def update(params):
        tiny_params(params, root / "mnist", root / "cifar10")
        params["evaluate"]["superclasses"] = {"cifar10": {"ab": ["a", "b"], "c": ["c"]}}
        params["evaluate"]["knn_neighbors"] = 3
        params["seeds"] = [0, 1]

    def letters_variant(params):
        params["variants"]["letters_highdim"] = {**params["variants"]["mnist_simple"], "dataset": "letters", "latent_dim": 16}
        params["study"]["letters"] = ["letters_highdim"]

    # cifar10_highdim(_kl) left out: letters_highdim covers a 16-D latent, and each run costs start-ups
    project = copy_project(root / "project", update, variants={name: [v for v in VARIANTS if DATASET[v] == name]
                                                               for name in ("mnist", "cifar10")})
    add_dataset(project, "letters", root / "letters")
    params = yaml.safe_load((project / "params.yaml").read_text())
    letters_variant(params)
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    result = dvc(project, "repro")
    return project, root, result


def test_repro_writes_every_output(reproduced):
    project, _, result = reproduced
    printed = (result.stdout + result.stderr).splitlines()
    assert not [line for line in printed if TENSORFLOW_STARTUP_NOISE.fullmatch(line)], "TensorFlow's start-up lines printed"
    for name in VARIANTS:
        for seed in (0, 1):
            run = f"{name}/seed-{seed}"
            assert (project / "data" / "models" / f"{run}.keras").exists()
            batches = np.loadtxt(project / "metrics" / "history" / run / "batches.csv", delimiter=",", skiprows=1)
            assert batches.shape == (2 * 5, 5)  # 2 epochs of ceil(18 / 4) batches; step, epoch and 3 loss terms
            np.testing.assert_array_equal(batches[:, 0], np.arange(10))
            evaluation = json.loads((project / "metrics" / "eval" / f"{run}.json").read_text())
            assert set(evaluation["test"]) == {"mse", "psnr_db", "r2", "reconstruction", "decoded_class_accuracy", "class_kept"}
            with np.load(project / "metrics" / "latents" / f"{run}-train.npz") as train_latents:  # what a kNN fits on
                latent_size = 16 if "highdim" in name else 2
                assert train_latents["means"].dtype == np.float16 and train_latents["means"].shape == (18, latent_size)
                with np.load(project / "data" / "prepared" / DATASET[name] / "train.npz") as prepared:
                    np.testing.assert_array_equal(train_latents["labels"], prepared["labels"])
            assert set(evaluation["objective"]) == {"loss", "reconstruction", "kl", "samples", "seed"}
            assert {"knn3_accuracy", "knn3_uniform_accuracy", "knn3_chance", "knn3_majority", "silhouette"} <= set(evaluation["latent"])
            assert ("knn3_ab_c_accuracy" in evaluation["latent"]) == name.startswith("cifar10")
            test_table = pd.read_csv(project / "metrics" / "latents" / f"{run}.csv.gz")
            assert len(test_table) == 3 * 3 and set(test_table["knn_label"]) <= {0, 1, 2}
            assert (test_table["knn_class"] == test_table["knn_label"].map(dict(enumerate("abc")))).all()
            assert np.mean(test_table["knn_label"] == test_table["label"]) == pytest.approx(evaluation["latent"]["knn3_accuracy"])
            with np.load(project / "metrics" / "figures" / f"{run}.npz") as arrays:
                shape = SHAPES[DATASET[name]]
                assert arrays["originals"].shape == arrays["reconstructions"].shape == (3, *shape)
                assert arrays["samples"].shape == (4, *shape) and arrays["samples"].dtype == np.uint8
                assert ("manifold" in arrays) == (name != "letters_highdim")
        first, second = (pd.read_csv(project / "metrics" / "history" / name / f"seed-{seed}" / "batches.csv") for seed in (0, 1))
        assert not np.allclose(first["loss"], second["loss"]), f"{name}: seeds 0 and 1 trained alike"
        for figure in (f"latent/{name}.png", f"samples/{name}.png", f"knn_confusion/{name}.png"):
            pixels = np.asarray(Image.open(project / "plots" / figure).convert("L"), float)
            assert pixels.std() > 5, f"{figure} looks blank"
    assert (project / "plots" / "manifold" / "mnist_simple.png").exists()
    assert not (project / "plots" / "manifold" / "letters_highdim.png").exists()  # no 2-D grid to decode
    for figure in ("loss_curves.png", "examples.png", *(f"reconstructions/{dataset}.png" for dataset in SHAPES)):
        assert (project / "plots" / figure).stat().st_size > 10_000
    for dataset, shape in SHAPES.items():
        assert 0 <= json.loads((project / "metrics" / "classifiers" / f"{dataset}.json").read_text())["test_accuracy"] <= 1
        with np.load(project / "metrics" / "datasets" / f"{dataset}-examples.npz") as examples:
            assert examples["images"].shape == (4 * 3, *shape)  # four training images of each class
        assert json.loads((project / "metrics" / "datasets" / f"{dataset}.json").read_text())["image_values"] == np.prod(shape)
    for name in VARIANTS:  # the interactive latent charts' data: every test image of the tiny test split, no name needed
        points = pd.read_csv(project / "plots" / "latent_points" / f"{name}.csv")
        assert list(points.columns) == ["x", "y", "class", "image"] and len(points) == 9
    curves = pd.read_csv(project / "plots" / "loss_curves.csv")  # the interactive chart's data: every variant, long format
    assert sorted(curves["variant"].unique()) == sorted(VARIANTS) and (curves["seeds"] == 2).all()


def test_summary_aggregates_the_seeds_and_pairs_them(reproduced):
    """metrics/summary/<variant>.json: mean and t-interval of the two seeds' values; comparisons: b - a seed by seed."""
    from scipy import stats

    project, _, _ = reproduced
    runs = {
        name: [json.loads((project / "metrics" / "eval" / name / f"seed-{seed}.json").read_text()) for seed in (0, 1)]
        for name in VARIANTS
    }
    summary = json.loads((project / "metrics" / "summary" / "cifar10_deep.json").read_text())
    values = [run["test"]["r2"] for run in runs["cifar10_deep"]]
    assert summary["seeds"] == 2
    assert summary["test.r2"]["mean"] == pytest.approx(np.mean(values))
    half = stats.t.ppf(0.975, 1) * np.std(values, ddof=1) / np.sqrt(2)
    assert summary["test.r2"]["ci95_high"] == pytest.approx(np.mean(values) + half)
    gains = [run["latent"]["knn3_accuracy"] - run["latent"]["knn3_chance"] for run in runs["cifar10_deep"]]
    assert summary["latent.knn_over_chance"]["mean"] == pytest.approx(np.mean(gains))  # no k in the name
    assert not any("knn3" in name for name in summary)
    assert {"curve.final_per_value", "curve.final_over_variance", "curve.last_window_change", "curve.late_cv"} <= set(summary)
    headline = json.loads((project / "metrics" / "variants" / "cifar10_deep.json").read_text())
    assert headline["seeds"] == 2 and headline["r2"] == pytest.approx(np.mean(values))
    assert headline["r2_ci95"] == pytest.approx(half)
    assert headline["knn_over_chance"] == pytest.approx(np.mean(gains))
    assert sorted(path.stem for path in (project / "metrics" / "variants").glob("*.json")) == sorted(VARIANTS)
    comparisons = json.loads((project / "metrics" / "comparisons.json").read_text())
    deep = comparisons["deep_vs_simple"]
    differences = [b["test"]["r2"] - a["test"]["r2"] for a, b in zip(runs["cifar10_simple"], runs["cifar10_deep"])]
    assert (deep["a"], deep["b"], deep["seeds"]) == ("cifar10_simple", "cifar10_deep", 2)
    assert deep["test.r2"]["mean"] == pytest.approx(np.mean(differences))
    half = stats.t.ppf(0.975, 1) * np.std(differences, ddof=1) / np.sqrt(2)
    low, high = np.mean(differences) - half, np.mean(differences) + half
    assert deep["test.r2"]["ci95_low"] == pytest.approx(low)
    assert deep["test.r2"]["ci95_high"] == pytest.approx(high)
    assert "latent.knn_ab_c_accuracy" in comparisons["deep_vs_simple"]
    assert "latent.knn_ab_c_accuracy" not in comparisons["mnist_vs_cifar10"]  # MNIST has no super-classes


def test_second_repro_is_a_no_op(reproduced):
    project, _, _ = reproduced
    output = dvc(project, "repro").stdout
    assert "Running stage" not in output
    assert "Data and pipelines are up to date" in output


def test_summarize_names_missing_runs_and_uses_the_rest(reproduced):
    import shutil

    project, _, _ = reproduced
    evaluation = project / "metrics" / "eval" / "cifar10_deep" / "seed-1.json"
    kept = project.parent / "kept.json"
    shutil.move(evaluation, kept)
    summaries = project / "metrics" / "summary"
    written = [*summaries.iterdir(), *(project / "metrics" / "variants").iterdir(), project / "metrics" / "comparisons.json"]
    before = {path: path.read_bytes() for path in written}
    try:
        result = run_command([sys.executable, "stages/summarize.py"], cwd=project)
        partial = json.loads((summaries / "cifar10_deep.json").read_text())
        headline = json.loads((project / "metrics" / "variants" / "cifar10_deep.json").read_text())
        comparison = json.loads((project / "metrics" / "comparisons.json").read_text())["deep_vs_simple"]
    finally:
        shutil.move(kept, evaluation)
        for path, content in before.items():
            path.write_bytes(content)
    assert "1 runs missing, left out: dvc repro embed-cifar10@cifar10_deep-1 makes them" in result.stdout
    assert partial["seeds"] == 1 and partial["test.r2"]["ci95_low"] is None
    assert headline["seeds"] == 1 and headline["r2_ci95"] is None
    assert comparison["seeds"] == 1


def test_metrics_show_one_row_per_variant_and_per_claim(reproduced):
    """`dvc metrics show` lists each variant's headline numbers and each claim's verdict, nothing else."""
    project, _, _ = reproduced
    shown = json.loads(dvc(project, "metrics", "show", "--json").stdout)
    files = next(iter(shown.values()))["data"]
    claims = json.loads((project / "metrics" / "claims.json").read_text())
    assert sorted(files) == sorted([f"metrics/variants/{name}.json" for name in VARIANTS]
                                   + [f"metrics/verdicts/{claim}.json" for claim in claims])
    assert files["metrics/verdicts/R1.json"]["data"] == {key: claims["R1"][key] for key in ("verdict", "verdict_code")}
    one_run = json.loads(dvc(project, "metrics", "show", "--json", "metrics/eval/mnist_simple/seed-1.json").stdout)
    assert "test" in next(iter(one_run.values()))["data"]["metrics/eval/mnist_simple/seed-1.json"]["data"]


def _changed_stages(project) -> set[str]:
    return set(json.loads(dvc(project, "status", "--json").stdout))


def test_one_variant_param_leaves_other_variants_up_to_date(reproduced):
    project, _, _ = reproduced
    with edited_params(project, lambda params: params["variants"]["cifar10_deep"].update(kl_weight=0.25)):
        # check reruns on any params change, but its output stays the same, so nothing else follows from it
        assert _changed_stages(project) == {"check", "summarize", "plot"} | {
            f"{stage}-cifar10@cifar10_deep-{seed}" for stage in ("train", "embed") for seed in (0, 1)}


def test_one_more_seed_adds_only_its_runs(reproduced):
    project, _, _ = reproduced
    with edited_params(project, lambda params: params.update(seeds=[0, 1, 2])):
        changed = _changed_stages(project)
    new_runs = {f"{stage}-{DATASET[name]}@{name}-2" for name in VARIANTS for stage in ("train", "embed")}
    assert changed == new_runs | {"check", "summarize", "plot"}


def test_changed_source_content_reruns_only_its_fetch(reproduced):
    project, root, _ = reproduced
    black = io.BytesIO()
    Image.fromarray(np.zeros((16, 16), np.uint8)).save(black, format="png")
    with edited(root / "mnist" / "train" / "a" / "000.png", black.getvalue()):
        assert _changed_stages(project) == {"fetch@mnist"}
    assert _changed_stages(project) == set()


def test_plot_bad_inputs_name_the_problem_and_keep_old_figures(reproduced):
    project, _, _ = reproduced
    figures = sorted(path.relative_to(project) for path in (project / "plots").rglob("*.png"))
    inputs = project / "metrics" / "figures" / "mnist_simple" / "seed-0.npz"
    history = project / "metrics" / "history" / "cifar10_deep" / "seed-1" / "batches.csv"
    for damaged, content, problem, remedy in (
            (inputs, inputs.read_bytes()[: inputs.stat().st_size // 2], "cannot be read", "rerun dvc repro embed-mnist@mnist_simple-0"),
            (history, b'step,"loss\n1,2,3,4\n', "cannot be parsed", "")):
        with edited(damaged, content):
            result = run_command([sys.executable, "stages/plot.py"], cwd=project, check=False)
        assert result.returncode == 2
        assert f"{damaged.relative_to(project)} {problem}" in result.stderr and remedy in result.stderr
    assert sorted(path.relative_to(project) for path in (project / "plots").rglob("*.png")) == figures


def _tracked_files(project) -> dict[str, bytes]:
    """Every output the pipeline wrote (DVC-cached or committed), by path."""
    return {str(path.relative_to(project)): path.read_bytes()
            for folder in ("data", "metrics", "plots") for path in sorted((project / folder).rglob("*")) if path.is_file()}


BAD_VALUES = [  # one per section: (-S override, the message the check stage stops with)
    ("evaluate.knn_neighbors=0", "evaluate.knn_neighbors = 0 (int) is invalid; use an integer >= 1"),
    ("plot.samples=0", "plot.samples = 0 (int) is invalid; use an integer >= 1"),
    ("summarize.flat_after=1", "summarize.flat_after = 1 (int) is invalid; use an integer >= 2"),
    ("variants.mnist_simple.latent_dim=0", "variants.mnist_simple.latent_dim = 0 (int) is invalid; use an integer >= 1"),
    ("train.learning_rate=-1", "train.learning_rate = -1 (int) is invalid; use a number > 0.0"),
]


def test_a_bad_value_stops_exp_run_before_anything_runs_or_is_deleted(reproduced):
    """With the outputs committed, each bad value fails `dvc exp run` in the check stage: nothing retrained or deleted."""
    import time

    project, _, _ = reproduced
    run_command(["git", "add", "-A"], cwd=project)
    run_command(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "outputs", "--allow-empty"], cwd=project)
    before = _tracked_files(project)
    for override, message in BAD_VALUES:
        started = time.monotonic()
        # A valid change to the training first: without the check, it would retrain before the bad value is read.
        result = dvc(project, "exp", "run", "-S", "train.epochs=3", "-S", override, check=False)
        elapsed = time.monotonic() - started
        run_command(["git", "checkout", "params.yaml"], cwd=project)
        assert result.returncode != 0, override
        assert f"error: {message}" in result.stderr, (override, result.stderr)
        assert "Running stage 'check'" in result.stdout and result.stdout.count("Running stage") == 1, result.stdout
        assert elapsed < 30, f"{override}: refused after {elapsed:.0f} s"
        assert run_command(["git", "status", "--porcelain"], cwd=project).stdout == ""
        assert _tracked_files(project) == before, f"{override} changed or deleted outputs"
        assert _changed_stages(project) == set()


def _experiments(shown) -> list[dict]:
    """Every experiment row's data in `dvc exp show --json` output."""
    rows = []
    for entry in shown:
        for experiment in entry.get("experiments") or []:
            rows.extend(rev["data"] for rev in experiment.get("revs") or [] if rev.get("data"))
    return rows


def test_two_queued_experiments_run_side_by_side(reproduced):
    """`dvc exp run --queue` twice, `dvc queue start -j 2`: both finish and show their metrics in `dvc exp show`."""
    import subprocess
    import time
    from pathlib import Path

    project, _, _ = reproduced
    run_command(["git", "add", "-A"], cwd=project)
    run_command(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "baseline", "--allow-empty"], cwd=project)
    windows = (3, 4)
    for window in windows:  # one seed (its runs are cached) and an analysis param: no training, the queue is what is tested
        dvc(project, "exp", "run", "--queue", "-S", f"summarize.loss_window={window}", "-S", "seeds=[0]")
    # The workers `queue start` leaves behind inherit its output: a file, not a pipe (a pipe would never close).
    with open(project.parent / "queue.log", "w") as log:
        run_command([str(Path(sys.executable).parent / "dvc"), "queue", "start", "-j", "2"], cwd=project, stdout=log,
                    stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            status = dvc(project, "queue", "status").stdout
            if "Queued" not in status and "Running" not in status:
                break
            time.sleep(3)
    finally:
        dvc(project, "queue", "stop", check=False)
    assert status.count("Success") == 2, status
    finished = {}
    for data in _experiments(json.loads(dvc(project, "exp", "show", "--json").stdout)):
        window = data["params"]["params.yaml"]["data"]["summarize"]["loss_window"]
        headline = data["metrics"].get("metrics/variants/mnist_simple.json", {}).get("data", {})
        finished[window] = (headline.get("seeds"), headline.get("r2"))
    assert set(finished) == set(windows), finished
    assert all(seeds == 1 and r2 is not None for seeds, r2 in finished.values()), finished
    _readme_exp_show_fits_200_columns(project, len(windows))


def _readme_exp_show_fits_200_columns(project, experiments: int) -> None:
    """The README's `dvc exp show` command, in a 200-column terminal: every column whole (no "…"), every row there."""
    import shlex

    from conftest import PROJECT_ROOT, run_command

    line = next(line for line in (PROJECT_ROOT / "README.md").read_text().splitlines() if line.startswith("dvc exp show "))
    command = shlex.split(line.split("  #")[0])
    result = run_command([*command, "--no-pager"], cwd=project, env_update={"COLUMNS": "200"})
    assert "…" not in result.stdout and max(map(len, result.stdout.splitlines())) <= 200, result.stdout
    assert "metrics/variants/mnist_simple.json:r2" in result.stdout and "params.yaml:seeds" in result.stdout
    assert result.stdout.count("[0]") == experiments, result.stdout  # each experiment's seeds, beside the baseline's


def test_metrics_diff_lists_exactly_the_claims_an_experiment_flips(reproduced):
    """An experiment on one seed (no training: seed 0's runs are there) leaves no interval, so verdicts that needed
    two seeds change; `dvc metrics diff` against it names each of those claims' verdict files, and no other."""
    import subprocess

    project, _, _ = reproduced
    run_command(["git", "add", "-A"], cwd=project)
    run_command(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "two seeds", "--allow-empty"], cwd=project)
    before = json.loads((project / "metrics" / "claims.json").read_text())
    try:
        ran = dvc(project, "exp", "run", "-n", "one-seed", "-S", "seeds=[0]").stdout
        assert "Running stage 'train" not in ran, ran
        after = json.loads((project / "metrics" / "claims.json").read_text())
        flipped = {claim for claim in before if before[claim]["verdict"] != after[claim]["verdict"]}
        assert flipped, "one seed changed no verdict"
        diff = json.loads(dvc(project, "metrics", "diff", "--json", "HEAD", "one-seed").stdout)
        verdict_files = {path for path in diff if path.startswith("metrics/verdicts/")}
        assert verdict_files == {f"metrics/verdicts/{claim}.json" for claim in flipped}, (verdict_files, flipped)
        some = sorted(flipped)[0]
        assert diff[f"metrics/verdicts/{some}.json"]["verdict"] == {"old": before[some]["verdict"], "new": after[some]["verdict"]}
    finally:
        subprocess.run(["git", "checkout", "--", "."], cwd=project, check=True)

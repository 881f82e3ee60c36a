"""A real DVC remote, as a team uses one: push from one clone, `dvc pull` into a fresh clone, and a one-variant change
there trains that variant only. Against a local-directory remote and a WebDAV server (wsgidav) on 127.0.0.1, and the
two-machine recipe of docs/backends.md (one git remote, one DVC remote, `dvc exp push` / `dvc exp pull`)."""

import json
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, copy_project, dvc, run_command, tiny_params, write_image_folder

pytestmark = pytest.mark.slow
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
CHANGE = "variants.mnist_flat.kl_weight=0.5"
CHANGED_RUN = {"check", "train-mnist@mnist_flat-0", "embed-mnist@mnist_flat-0", "summarize", "plot", "claims"}


@pytest.fixture(scope="module")
def origin(tmp_path_factory):
    """A tiny study run by scripts/run_study.py in one clone, which pushes each finished run to the local-directory DVC
    remote; committed and pushed to a bare git remote."""
    root = tmp_path_factory.mktemp("remote")
    write_image_folder(root / "gray", shape=(16, 16, 1), per_class=6)
    write_image_folder(root / "rgb", shape=(17, 18, 3), per_class=6, seed=1)

    def update(params):
        tiny_params(params, root / "gray", root / "rgb")
        params["seeds"] = [0]

    project = copy_project(root / "origin", update, variants={"mnist": ["mnist_flat"], "cifar10": ["cifar10_simple"]})
    run_command(["git", "init", "-q", "--bare", str(root / "git-remote.git")], cwd=root)
    run_command(["git", "remote", "add", "origin", str(root / "git-remote.git")], cwd=project)
    dvc(project, "remote", "add", "-d", "storage", str(root / "dvc-remote"))
    (project / "scripts").mkdir()
    shutil.copy2(PROJECT_ROOT / "scripts" / "run_study.py", project / "scripts")
    identity = {f"GIT_{role}_{key}": value for role in ("AUTHOR", "COMMITTER") for key, value in (("NAME", "t"), ("EMAIL", "t@t"))}
    run_command([sys.executable, "scripts/run_study.py", "--jobs", "1", "--log", str(root / "study.log")], cwd=project,
                env_update=identity)
    assert json.loads(dvc(project, "status", "--json").stdout) == {}
    assert json.loads(dvc(project, "status", "--cloud", "--json").stdout) == {}, "run_study.py left outputs unpushed"
    assert re.search(r"runner started on .+ \(family \S+, model \S+, [^)]+\), \d+ cores", (root / "study.log").read_text())
    log = run_command(["git", "log", "--format=%s"], cwd=project).stdout.splitlines()
    assert {"study: run mnist_flat-0", "study: run cifar10_simple-0", "study: summarize, plot, claims"} <= set(log), log
    # metrics/reference/ came with the copy (a clone has it committed); every output run_study wrote is committed
    assert run_command(["git", "status", "--porcelain", "--", "dvc.lock", "metrics", ":!metrics/reference"],
                       cwd=project).stdout == "", \
        "run_study.py left run outputs uncommitted"
    run_command(["git", "add", "-A"], cwd=project)
    run_command([*GIT, "commit", "-qm", "study"], cwd=project)
    run_command(["git", "push", "-q", "origin", "HEAD:main"], cwd=project)
    return root, project


def _clone(root: Path, name: str) -> Path:
    run_command(["git", "clone", "-q", "-b", "main", str(root / "git-remote.git"), name], cwd=root)
    return root / name


def _pulled_clone_reruns_only_the_change(clone: Path) -> str:
    """`dvc pull` leaves `dvc status` clean; then the one-variant experiment runs its stages and no other."""
    dvc(clone, "pull")
    assert json.loads(dvc(clone, "status", "--json").stdout) == {}
    assert (clone / "data" / "models" / "cifar10_simple" / "seed-0.keras").exists()  # a model the change does not retrain
    output = dvc(clone, "exp", "run", "--pull", "--allow-missing", "-S", CHANGE).stdout
    assert set(re.findall(r"Running stage '([^']+)'", output)) == CHANGED_RUN, output
    return output


def test_round_trip_through_a_local_directory_remote_and_two_clones_sharing_experiments(origin):
    root, _ = origin
    first = _clone(root, "first")
    _pulled_clone_reruns_only_the_change(first)
    name = dvc(first, "exp", "list", "--name-only").stdout.split()[0]
    dvc(first, "exp", "push", "origin", name)  # its git refs to the git remote, its outputs to the DVC remote
    second = _clone(root, "second")
    dvc(second, "exp", "pull", "origin", name)
    shown = json.loads(dvc(second, "exp", "show", "--json").stdout)
    names = {experiment.get("name") for entry in shown for experiment in entry.get("experiments") or []}
    assert name in names
    dvc(second, "exp", "apply", name)
    dvc(second, "pull")  # the experiment's model, trained on the first clone, comes from the DVC remote
    assert json.loads(dvc(second, "status", "--json").stdout) == {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def webdav_server(tmp_path):
    """wsgidav serving an empty folder on 127.0.0.1 (anonymous), stopped after the test."""
    folder, port = tmp_path / "webdav", _free_port()
    folder.mkdir()
    wsgidav = Path(sys.executable).with_name("wsgidav")
    server = subprocess.Popen([str(wsgidav), "--host", "127.0.0.1", "--port", str(port), "--root", str(folder),
                               "--auth", "anonymous", "--no-config", "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "wsgidav did not start"
                time.sleep(0.2)
        yield f"webdav://127.0.0.1:{port}/", folder
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_round_trip_through_a_webdav_server(origin, webdav_server):
    root, project = origin
    url, folder = webdav_server
    dvc(project, "remote", "add", "--local", "-d", "webdav", url)  # this clone only: .dvc/config.local
    try:
        dvc(project, "push")
    finally:
        dvc(project, "remote", "remove", "--local", "webdav")
    assert any(path.is_file() for path in (folder / "files").rglob("*"))
    clone = _clone(root, "from-webdav")
    dvc(clone, "remote", "add", "--local", "-d", "webdav", url)
    dvc(clone, "pull")  # what a rerun after the pull does is the local-directory test's; here, that the pull is whole
    assert json.loads(dvc(clone, "status", "--json").stdout) == {}
    assert (clone / "data" / "models" / "cifar10_simple" / "seed-0.keras").exists()

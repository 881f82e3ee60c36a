"""The project modules a script runs, read from its import statements (direct, indirect and inside functions).

The single source of the code a stage depends on: tests hold every stage's deps in
dvc.yaml against it, and training fingerprints its checkpoints with it.
"""

import ast
from pathlib import Path

PACKAGE = "vae_study"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/vae_study, above this core/ folder


def _module_file(name: str) -> Path | None:
    """The file of ``vae_study[.sub[.module]]`` (a subpackage's ``__init__.py``), or None for anything outside the package."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    folder = PACKAGE_DIR.joinpath(*parts[1:])
    if (folder / "__init__.py").exists():
        return folder / "__init__.py"
    candidate = folder.with_suffix(".py")
    return candidate if candidate.exists() else None


def _direct_imports(path: Path) -> set[Path]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from vae_study.core import model`` imports a module; ``from vae_study.core.x import name`` imports x.
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            for depth in range(1, len(parts) + 1):  # importing a.b.c runs a, a.b and a.b.c
                file = _module_file(".".join(parts[:depth]))
                if file is not None:
                    found.add(file)
    return found


def project_modules(script: Path) -> list[Path]:
    """Every package module that running ``script`` can import, with ``script`` itself, sorted."""
    script = Path(script).resolve()
    seen, pending = {script}, [script]
    while pending:
        for module in _direct_imports(pending.pop()):
            if module not in seen:
                seen.add(module)
                pending.append(module)
    return sorted(seen)

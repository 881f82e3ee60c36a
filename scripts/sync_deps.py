"""Rewrite the code deps of every stage in dvc.yaml from its script's imports (vae_study.core.code_deps).

Each stage's deps list starts with its code (src/..., stages/...) and then its data; this replaces
the code lines with the script and every project module it imports, leaving the rest of dvc.yaml as
it is. tests/test_stage_deps.py fails while dvc.yaml and the imports disagree.

Usage: python scripts/sync_deps.py [--check]   (--check: report, change nothing, exit 1 on a difference)
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vae_study.core.code_deps import project_modules  # noqa: E402

CODE_LINE = re.compile(r"^(?P<indent> +)- (?:src|stages)/\S+\n", re.MULTILINE)


def stage_code(script: Path) -> list[Path]:
    """The script and every project module it runs (``vae_study.core.code_deps.project_modules``)."""
    return project_modules(script)


def synced(text: str) -> str:
    """dvc.yaml's text with each stage's block of code-dep lines replaced by the derived list."""
    result, position = [], 0
    for block in re.finditer(r"(?:^ +- (?:src|stages)/\S+\n)+", text, re.MULTILINE):
        script = re.findall(r"python (stages/\w+\.py)", text[:block.start()])[-1]  # the command of this stage
        indent = CODE_LINE.match(block.group(0)).group("indent")
        derived = [str(path.relative_to(ROOT)) for path in stage_code(ROOT / script)]
        result += [text[position:block.start()], "".join(f"{indent}- {path}\n" for path in derived)]
        position = block.end()
    return "".join(result) + text[position:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    pipeline = ROOT / "dvc.yaml"
    text = pipeline.read_text()
    new = synced(text)
    if new == text:
        print("dvc.yaml: every stage's code deps match its imports")
        return
    if args.check:
        sys.exit("dvc.yaml: code deps differ from the imports; run python scripts/sync_deps.py")
    pipeline.write_text(new)
    print("dvc.yaml: code deps rewritten from the imports")


if __name__ == "__main__":
    main()

"""Copy the pipeline's figures into the docs as small PNGs, so they show on a code host without DVC.

Every ``plots/**/*.png`` is written to the same relative path under the target,
reduced to a 256-colour palette (the figures are flat-colour plots and image
grids, so this keeps them legible at a fraction of the size).

Usage: python scripts/publish_figures.py [--plots plots] [--target docs/figures]
"""

import argparse
import sys
from pathlib import Path

from PIL import Image


def publish(plots: Path, target: Path) -> list[tuple[Path, int, int]]:
    """Write palette copies of every PNG under ``plots``; return (path, bytes before, bytes after)."""
    copied = []
    for source in sorted(plots.rglob("*.png")):
        destination = target / source.relative_to(plots)
        destination.parent.mkdir(parents=True, exist_ok=True)
        with Image.open(source) as image:
            image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(destination, optimize=True)
        copied.append((destination, source.stat().st_size, destination.stat().st_size))
    return copied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plots", type=Path, default=Path("plots"))
    parser.add_argument("--target", type=Path, default=Path("docs/figures"))
    args = parser.parse_args()
    copied = publish(args.plots, args.target)
    if not copied:
        sys.exit(f"error: no PNG figures under {args.plots}; run the plot stage first")
    for path, before, after in copied:
        print(f"{path}: {before / 1024:.0f} KiB -> {after / 1024:.0f} KiB")
    print(f"{len(copied)} figures, {sum(row[2] for row in copied) / 1024:.0f} KiB in all")


if __name__ == "__main__":
    main()

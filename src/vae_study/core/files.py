"""Every committed or cached output is written atomically: a killed stage never leaves half a file for DVC to record
or a reader to parse, and the same content always makes the same bytes (no time stamps), so a rerun is byte-identical."""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A sibling scratch path (same suffix) to write ``path``'s new content to; it replaces ``path`` when the block
    succeeds and is removed when it fails."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_atomically(path: Path, text: str) -> None:
    with replacing(path) as partial:
        partial.write_text(text)


def write_json(path: Path, content) -> None:
    write_atomically(path, json.dumps(content, indent=2) + "\n")


def save_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """``arrays`` as a compressed ``.npz`` (numpy 2 dates its members 1980-01-01: the same arrays, the same bytes)."""
    with replacing(path) as partial:
        np.savez_compressed(partial, **arrays)

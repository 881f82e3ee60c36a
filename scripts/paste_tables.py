"""Paste the claims stage's tables (docs/tables/*.md) into docs/results.md, between their markers.

The page keeps each table between `<!-- begin docs/tables/<name> -->` and `<!-- end docs/tables/<name> -->`;
tests/test_claims.py fails while the page shows anything else there.

Usage: python scripts/paste_tables.py   (after dvc repro claims)
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "results.md"


def main() -> None:
    page = PAGE.read_text()
    for table in sorted((ROOT / "docs" / "tables").glob("*.md")):
        name = f"docs/tables/{table.name}"
        pattern = re.compile(rf"(<!-- begin {re.escape(name)} -->\n).*?(<!-- end {re.escape(name)} -->)", re.DOTALL)
        if not pattern.search(page):
            raise SystemExit(f"{PAGE} has no <!-- begin {name} --> ... <!-- end {name} --> markers")
        page = pattern.sub(lambda match: match.group(1) + table.read_text() + match.group(2), page)
    PAGE.write_text(page)
    print(f"{PAGE.relative_to(ROOT)}: tables pasted")


if __name__ == "__main__":
    main()

"""docs/ARCHITECTURE.md maps every module: one added without a line there fails here."""

from __future__ import annotations

import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGE = REPOSITORY / "src" / "petitiondesk"


def mapped_modules(text: str) -> set[str]:
    """The modules the map's code block names, as paths under src/petitiondesk ("gui/chart.py")."""
    block = text.split("```", 2)[1]
    mapped, folder = set(), ""
    for line in block.splitlines():
        heading = re.match(r"  (\w+)/\s", line)
        if heading:
            folder = heading.group(1) + "/"
            continue
        if re.match(r"  \S", line):  # a module of the package itself, beside the folders
            folder = ""
        names = re.match(r"\s+([\w.]+\.py(?:, [\w.]+\.py)*)\s", line)
        if names:
            mapped.update(folder + name for name in names.group(1).split(", "))
    return mapped


def test_every_module_under_src_has_a_line_in_the_architecture_map():
    modules = {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
               if path.stat().st_size}  # an empty __init__.py only marks a package
    mapped = mapped_modules((REPOSITORY / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    assert sorted(modules - mapped) == [], "modules missing from docs/ARCHITECTURE.md"
    assert sorted(mapped - modules) == [], "docs/ARCHITECTURE.md names modules that are gone"

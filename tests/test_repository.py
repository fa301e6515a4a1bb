"""The repository stands on its own: a stranger's clone has everything the code, tests and benches use.

Nothing reads or names a path outside the checkout, the API sections the code cites exist in
docs/API.md, the vendored maps are found, and the command line runs without Qt.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from petitiondesk.resources import HEXMAP_YEARS, hexmap_path

REPOSITORY = Path(__file__).resolve().parents[1]
CHECKED_FOLDERS = ("src", "tests", "bench", "packaging", ".ci")
SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
API_DOC = REPOSITORY / "docs" / "API.md"
RUNNER = Path(__file__).with_name("run_cli_without_qt.py")

# This file spells the patterns out, so it is the one file not checked against them.
ABSOLUTE_PATHS = re.compile(r"(?<![\w.:/-])/(?:work|home|Users|root|mnt)/[\w.-]+")
# The notes the API contract was first written from lived beside the checkout ("[i]": no citation here).
# (A folder named "shared" is fine anywhere inside; one beside the checkout is caught as ../ or parents[N].)
OLD_NOTES = re.compile(r"petitions-ap[i]\.md")
RELATIVE_PATH = re.compile(r"(?<![\w.])(?:\.\./)+[\w./-]*")
PARENTS = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?(?:\.parents\[(\d+)\]|((?:\.parent)+))")
# "§4.2" cites docs/API.md unless another document is named just before it.
SECTION = re.compile(r"(ENGINEERING\.md|RFC \d+)?\s*§\s?(\d+(?:\.\d+)*)")
API_HEADING = re.compile(r"^#{2,4} (?:§)?(\d+(?:\.\d+)*)\.? ", re.MULTILINE)


def checked_files() -> list[Path]:
    files = []
    for folder in CHECKED_FOLDERS:
        for path in sorted((REPOSITORY / folder).rglob("*")):
            if path.is_file() and not SKIPPED_PARTS & set(path.parts) and path != Path(__file__).resolve():
                files.append(path)
    return files


def text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:  # images, icons: no paths in them
        return None


def inside_repository(path: Path) -> bool:
    resolved = path.resolve()
    return resolved == REPOSITORY or REPOSITORY in resolved.parents


def outside_references(path: Path, text: str) -> list[str]:
    """Each place in `text` that names something outside the checkout, as "file:line: what"."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{path.relative_to(REPOSITORY)}:{number}"
        for match in ABSOLUTE_PATHS.finditer(line):
            found.append(f"{where}: absolute path {match.group()}")
        for match in OLD_NOTES.finditer(line):
            found.append(f"{where}: {match.group()} lives outside the repository; cite docs/API.md")
        for match in RELATIVE_PATH.finditer(line):
            target = path.parent / match.group()
            if not (inside_repository(target) and (target.exists() or target.parent.is_dir())):  # "icon-N.png"
                found.append(f"{where}: {match.group()} is not a file of the repository")
        for match in PARENTS.finditer(line):
            levels = int(match.group(1)) + 1 if match.group(1) else match.group(2).count(".parent")
            target = path.resolve().parents[levels - 1] if levels <= len(path.parents) else Path("/")
            if not inside_repository(target):
                found.append(f"{where}: {match.group()} leaves the repository")
    return found


def test_no_file_names_a_path_outside_the_repository():
    problems = []
    for path in checked_files():
        text = text_of(path)
        if text is not None:
            problems += outside_references(path, text)
    assert problems == []


# The folder beside the checkout, named in pieces so that plain text searches for paths that leave
# the checkout (a reviewer's grep, a pre-commit hook) find the real offenders, not these examples.
BESIDE = "sha" + "red"


@pytest.mark.parametrize(
    ("line", "caught"),
    [
        (f'SHARED = Path(__file__).resolve().parents[2] / "{BESIDE}"', True),
        ("HEXMAP = Path(__file__).parent.parent.parent / 'maps'", True),
        (f"see ../{BESIDE}/notes.md §4", True),
        ('open("/work/shared/samples/x.json")', True),
        ("REPOSITORY = Path(__file__).resolve().parents[1]", False),
        ("see ../docs/API.md §4 and ../tests/data/README.md", False),
        ("see ../../docs/API.md", True),
        ("https://petition.parliament.uk/petitions/1.json and 1/2/3", False),
        ('shared = tmp_path / "shared"', False),
    ],
)
def test_the_check_catches_paths_that_leave_the_checkout(line, caught):
    somewhere = REPOSITORY / "tests" / "example.py"
    assert bool(outside_references(somewhere, line)) is caught


def test_every_api_section_the_code_cites_is_in_docs_api_md():
    sections = set(API_HEADING.findall(API_DOC.read_text(encoding="utf-8")))
    assert {str(n) for n in range(1, 17)} <= sections  # numbered like the notes the comments were written from
    missing = []
    for folder in ("src", "tests", "bench"):
        for path in sorted((REPOSITORY / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                missing += [f"{path.relative_to(REPOSITORY)}:{number}: §{cited}"
                            for other_document, cited in SECTION.findall(line)
                            if not other_document and cited not in sections]
    assert missing == []


@pytest.mark.parametrize("year", HEXMAP_YEARS)
def test_the_vendored_hex_maps_are_found_with_their_650_seats(year):
    hexes = json.loads(hexmap_path(year).read_text(encoding="utf-8"))["hexes"]
    assert len(hexes) == 650
    assert inside_repository(hexmap_path(year))


def test_a_map_for_a_year_without_one_is_refused_by_name():
    with pytest.raises(ValueError, match="no constituency hex map for 2019"):
        hexmap_path(2019)


def test_the_core_and_the_command_line_run_without_qt(tmp_path):
    """A server without a display runs `record` from cron: no command of the core may need Qt."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PETITIONDESK_")}
    result = subprocess.run([sys.executable, str(RUNNER), str(tmp_path)], capture_output=True, text=True,
                            timeout=240, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.splitlines()[-1])
    commands = {name.split()[0] for name in report["exit_codes"]}
    assert commands == {"add", "remove", "list", "show", "refresh", "record", "history", "search", "watchlist",
                        "simulator"}
    assert {name: status for name, status in report["exit_codes"].items() if status != 0} == {}
    assert report["qt_modules"] == []
    # The simulator serves the real 2024 constituencies by default, so the demo shows real names.
    map_names = {seat["n"] for seat in json.loads(hexmap_path(2024).read_text(encoding="utf-8"))["hexes"].values()}
    assert set(report["simulator_seats"]) == map_names

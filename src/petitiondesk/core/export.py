"""Writing exports safely: CSV that spreadsheets read as data, and files that are whole or absent.

Every export goes through `atomic_write`: the content is written to a temporary file in the target
folder, flushed to disk, then renamed over the target. A full disk, a missing permission or a folder
of that name gives an `ExportError` with a clear message, and leaves no half-written file behind.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from petitiondesk.core.models import ConstituencySignatures, CountrySignatures, Petition

if TYPE_CHECKING:
    from petitiondesk.core.movers import Movers

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """A file could not be written; str() says why in words a user understands."""


def neutralise(cell: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers pass as they are.

    Spreadsheets skip leading spaces and line breaks, and read full-width signs ("＝") as their ASCII
    twins, so the first character that counts is the first one left after both."""
    if not isinstance(cell, str):
        return cell
    stripped = cell.lstrip()
    first = unicodedata.normalize("NFKC", stripped[:1])
    if cell.startswith(_FORMULA_PREFIXES) or (first and first.startswith(_FORMULA_PREFIXES)):
        return "'" + cell
    return cell


def iso_utc(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def atomic_write(path: Path, write: Callable[[io.BufferedWriter], object]) -> None:
    """Write through `write(file)` into `path`, all or nothing."""
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"Cannot save to {path}: a folder of that name is there.")
    folder = path.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise ExportError(_explain(error, path)) from None
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp's file is private while it is written; the export then gets the usual permissions.
        os.chmod(temporary, 0o666 & ~_current_umask())
        os.replace(temporary, path)
    except OSError as error:
        _remove_quietly(temporary)
        raise ExportError(_explain(error, path)) from None
    except BaseException:
        _remove_quietly(temporary)
        raise


def _current_umask() -> int:
    """Read, never set: os.umask() would change it for every thread of the process for a moment.

    Linux shows it in /proc; elsewhere the export stays private (0600), the safe side.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o077


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _explain(error: OSError, path: Path) -> str:
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EACCES: "you do not have permission to write there",
        errno.EPERM: "you do not have permission to write there",
        errno.EROFS: "the disk is read-only",
        errno.ENOENT: "the folder does not exist",
        errno.EISDIR: "a folder of that name is there",
        errno.ENAMETOOLONG: "the name is too long",
    }
    reason = reasons.get(error.errno or 0, error.strerror or str(error))
    return f"Cannot save to {path}: {reason}. Nothing was written."


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A CSV with a header row, UTF-8 with a BOM so that Excel reads accents, formulas neutralised."""

    def write(file: io.BufferedWriter) -> None:
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows([neutralise(cell) for cell in row] for row in rows)
        text.flush()
        text.detach()

    atomic_write(path, write)


def write_history_csv(path: Path, petition_id: int, times: Iterable[float], counts: Iterable[int],
                      title: str = "") -> None:
    """The recorded samples: one row per sample, ISO-8601 UTC times."""
    rows = ((petition_id, title, iso_utc(float(t)), int(c)) for t, c in zip(times, counts, strict=True))
    write_csv(path, ("petition_id", "petition", "time_utc", "signature_count"), rows)


def constituency_rows(petition: Petition, baseline: dict[str, int] | None = None) -> list[tuple[Any, ...]]:
    rows = []
    total = uk_total(petition.signatures_by_country, petition.signatures_by_constituency)
    for row in petition.signatures_by_constituency or ():
        change = row.signature_count - baseline[row.ons_code] if baseline and row.ons_code in baseline else ""
        rows.append((row.ons_code, row.name, row.mp or "", row.signature_count,
                     share_percent(row.signature_count, total), change))
    return rows


def write_constituencies_csv(path: Path, petition: Petition, baseline: dict[str, int] | None = None) -> None:
    header = ("ons_code", "constituency", "mp", "signatures", "share_of_uk_percent", "change_24h")
    write_csv(path, header, constituency_rows(petition, baseline))


def write_regions_csv(path: Path, petition: Petition) -> None:
    total = uk_total(petition.signatures_by_country, petition.signatures_by_constituency)
    rows = ((r.ons_code, r.name, r.signature_count, share_percent(r.signature_count, total))
            for r in petition.signatures_by_region or ())
    write_csv(path, ("ons_code", "region", "signatures", "share_of_uk_percent"), rows)


def write_countries_csv(path: Path, petition: Petition) -> None:
    total = sum(c.signature_count for c in petition.signatures_by_country or ())
    rows = ((c.code or "", c.name, c.signature_count, share_percent(c.signature_count, total))
            for c in petition.signatures_by_country or ())
    write_csv(path, ("code", "country", "signatures", "share_percent"), rows)


def uk_total(countries: Sequence[CountrySignatures] | None,
             constituencies: Sequence[ConstituencySignatures] | None) -> int:
    """The UK's signatures: the GB country row when there is one (it also counts signatures that
    map to no constituency, API §4.3; data before 2016 has no codes), else the sum of the
    constituencies. The detail pane and the CSV exports share this, so their shares agree."""
    for country in countries or ():
        if country.code == "GB" or (country.code is None and country.name == "United Kingdom"):
            return country.signature_count
    return sum(row.signature_count for row in constituencies or ())


def share_percent(part: int, total: int) -> float | str:
    return round(100.0 * part / total, 3) if total > 0 else ""


def write_movers_csv(path: Path, petition_id: int, movers: Movers) -> None:
    """24-hour movers (a `core.movers.Movers`): constituencies, then regions, then nations."""
    since = iso_utc(movers.since) if movers.since is not None else ""
    until = iso_utc(movers.until) if movers.until is not None else ""
    rows = []
    for level, places in (("constituency", movers.constituencies), ("region", movers.regions),
                          ("nation", movers.nations)):
        for place in places:
            relative = round(100.0 * place.relative, 3) if place.relative is not None else ""
            rows.append((petition_id, level, place.code, place.name, place.before, place.after, place.change,
                         relative, since, until))
    header = ("petition_id", "level", "code", "name", "signatures_before", "signatures_after", "change",
              "change_percent", "since_utc", "until_utc")
    write_csv(path, header, rows)

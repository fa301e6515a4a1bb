"""`petitiondesk export-chart ID ID...`: several petitions on one chart, from the command line."""

from __future__ import annotations

import numpy as np
import pytest

from petitiondesk.gui.compare_export import COLOURS


def colour_present(path, hex_colour: str) -> bool:
    from PySide6.QtGui import QColor, QImage

    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
    want = QColor(hex_colour).rgb() & 0xFFFFFF
    return bool(np.any((pixels & 0xFFFFFF) == want))


@pytest.fixture
def recorded(run, simulator):
    ids = simulator.world.ids("open")[:2]
    run("add", *map(str, ids))
    for _ in range(3):
        simulator.world.advance(3600)
        run("refresh")
    return ids


def test_two_petitions_by_days_since_opening_each_in_its_colour(run, recorded, tmp_path):
    target = tmp_path / "rivals.png"
    status, out, err = run("export-chart", *map(str, recorded), "--align", "opened", "--units", "share",
                           "--log", "-o", str(target), "--width", "1000", "--height", "600")
    assert status == 0, err
    assert "2 petitions" in out
    assert colour_present(target, COLOURS[0]) and colour_present(target, COLOURS[1])


def test_the_comparison_as_svg_names_both_petitions(run, recorded, simulator, tmp_path):
    target = tmp_path / "rivals.svg"
    status, _, err = run("export-chart", *map(str, recorded), "-o", str(target))
    assert status == 0, err
    text = target.read_text(encoding="utf-8")
    assert "Comparing 2 petitions" in text


def test_a_petition_nothing_is_known_of_is_refused_and_nothing_written(run, recorded, tmp_path):
    target = tmp_path / "rivals.png"
    status, _, err = run("export-chart", str(recorded[0]), "999999", "-o", str(target))
    assert status == 1 and "999999" in err
    assert not target.exists()


def test_one_petition_keeps_its_own_chart_now_with_its_milestones(run, recorded, tmp_path, monkeypatch):
    from petitiondesk.gui import chart_export

    drawn = []
    original = chart_export.export_chart
    monkeypatch.setattr(chart_export, "export_chart", lambda spec, *args: (drawn.append(spec), original(spec, *args)))
    target = tmp_path / "one.png"
    status, _, err = run("export-chart", str(recorded[0]), "-o", str(target))
    assert status == 0, err
    (spec,) = drawn
    assert spec.petition_id == recorded[0] and spec.known  # the site's stated counts, as diamonds
    assert target.stat().st_size > 0


def test_the_single_chart_forecast_cone_runs_from_the_latest_count_to_the_deadline_while_open():
    from tests.test_compare import new_petition, old_petition

    from petitiondesk.cli import _forecast_cone
    from petitiondesk.core import analysis

    growing = new_petition()
    times = growing.times[0] + np.arange(0, 9 * 86400, 3600.0)
    counts = np.linspace(0, 20_000, len(times)).astype(np.int64)
    seen = analysis.outlook(growing.petition, times, counts, float(times[-1]))
    start, start_count, end, low, central, high = _forecast_cone(seen, times, counts)
    assert (start, start_count, end) == (times[-1], 20_000, seen.deadline.at)
    assert start_count <= low <= central <= high
    closed = old_petition()
    seen = analysis.outlook(closed.petition, closed.times, closed.counts, float(closed.times[-1]) + 86400)
    assert _forecast_cone(seen, closed.times, closed.counts) is None  # closed: nothing to forecast


def test_an_archived_petition_not_pinned_is_fetched_once_and_kept(run, recorded, simulator, tmp_path):
    archived = simulator.world.archived_ids()[0]
    target = tmp_path / "then-and-now.png"
    status, out, err = run("export-chart", str(recorded[0]), str(archived), "--align", "opened", "-o", str(target))
    assert status == 0, err
    assert "2 petitions" in out and colour_present(target, COLOURS[1])
    assert any(path.startswith(f"/archived/petitions/{archived}.json") for _, path, _ in simulator.request_log)
    simulator.request_log.clear()
    target.unlink()
    status, _, err = run("export-chart", str(recorded[0]), str(archived), "--align", "opened", "-o", str(target))
    assert status == 0, err
    assert target.exists()
    assert [path for _, path, _ in simulator.request_log if str(archived) in path] == []

"""Chart images: the requested size, not blank, real vectors, safe with hostile titles, all or nothing."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QImage

from petitiondesk.core.export import ExportError
from petitiondesk.gui.chart_export import (
    ChartSpec,
    ExportFigure,
    export_chart,
    render_image,
    source_line,
    subtitle_line,
)

DAY = 86400.0


def spec(title="Make rivers clean again", n=500, peak=150_000, **kwargs) -> ChartSpec:
    start = 1_760_000_000.0
    times = start + np.linspace(0, 3 * DAY, n)
    counts = (peak * (1 - np.exp(-np.linspace(0, 3, n)))).astype(np.int64)
    return ChartSpec(title=title, petition_id=700123, times=times, counts=counts, **kwargs)


def distinct_colours(image: QImage) -> int:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    data = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
    return len(np.unique(data))


def test_png_has_the_requested_size_and_is_not_blank(qapp, tmp_path):
    target = tmp_path / "chart.png"
    export_chart(spec(), target, width=1200, height=675)
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1200, 675)
    assert distinct_colours(image) > 20  # text, curve, grid: far from a blank page


def test_png_at_hidpi_scale_keeps_the_pixel_size(qapp):
    image = render_image(spec(), 800, 600, scale=2.0)
    assert (image.width(), image.height()) == (800, 600)
    assert distinct_colours(image) > 20


def test_svg_is_vectors_with_the_title_text(qapp, tmp_path):
    target = tmp_path / "chart.svg"
    export_chart(spec(title="Ban <script>alert(1)</script> & co"), target)
    root = ET.parse(target).getroot()  # parses as XML
    ns = "{http://www.w3.org/2000/svg}"
    assert root.findall(f".//{ns}path"), "the curve and axes are paths, not a bitmap"
    assert not root.findall(f".//{ns}image")
    text = "".join(root.itertext())
    assert "Ban <script>alert(1)</script> & co" in text
    assert "petition.parliament.uk" in text


def test_visible_range_limits_what_is_drawn():
    chart = spec()
    low, high = float(chart.times[100]), float(chart.times[200])
    times, counts = ChartSpec(chart.title, 1, chart.times, chart.counts, x_range=(low, high)).visible()
    assert times[0] >= low and times[-1] <= high and len(times) == 101


def test_source_line_names_the_site_and_the_range():
    line = source_line(spec())
    assert "petition.parliament.uk" in line and "PetitionDesk" in line and "UK time" in line


def test_empty_chart_still_exports(qapp, tmp_path):
    empty = ChartSpec("No samples yet", 1, np.array([], float), np.array([], np.int64))
    export_chart(empty, tmp_path / "empty.png", 400, 300)
    assert QImage(str(tmp_path / "empty.png")).width() == 400


def test_log_scale_with_zero_counts_exports(qapp, tmp_path):
    chart = spec(log_scale=True)
    export_chart(chart, tmp_path / "log.png", 400, 300)
    assert QImage(str(tmp_path / "log.png")).height() == 300


def test_unwritable_target_reports_and_leaves_nothing(qapp, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="Nothing was written"):
        export_chart(spec(), blocker / "chart.png", 400, 300)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


def test_unknown_format_and_absurd_sizes_are_refused(qapp, tmp_path):
    with pytest.raises(ExportError, match=".png or .svg"):
        export_chart(spec(), tmp_path / "chart.gif")
    with pytest.raises(ExportError, match="pixels"):
        export_chart(spec(), tmp_path / "chart.png", width=5, height=100_000)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("scale", [0.0, float("nan"), -1.0, 100.0])
def test_absurd_pixel_ratio_is_refused(qapp, scale):
    with pytest.raises(ExportError, match="pixel ratio"):
        render_image(spec(), 400, 300, scale=scale)


def test_svg_curve_stays_inside_the_plot_frame(qapp, tmp_path):
    """pyqtgraph's exporter once drew a long curve ~3% wider than its axes; the last sample must end
    inside the frame, where the PNG puts it."""
    import re

    target = tmp_path / "chart.svg"
    export_chart(spec(n=800), target, 1600, 900)
    text = target.read_text(encoding="utf-8")
    clip = re.search(r'<clipPath id="ViewBox_1_clip">\s*<path[^>]* d="M([\d.]+),[\d.]+ L([\d.]+),', text)
    left, right = float(clip[1]), float(clip[2])
    longest = max(re.findall(r' d="(M[^"]+)"', text), key=len)
    xs = [float(x) for x in re.findall(r"[ML]([\d.]+),", longest)]
    assert len(xs) >= 800
    assert left <= min(xs) and max(xs) <= right
    assert max(xs) > left + 0.9 * (right - left), "the curve spans the frame, not a corner of it"


def test_a_long_recording_exports_at_the_pages_resolution_with_its_spike_and_last_sample(qapp, tmp_path):
    """Every sample of a long recording made a 17 MB SVG drawn in 13 s on the GUI thread (a million
    samples): the curve is drawn as each pixel's lowest and highest sample instead."""
    import re

    times = 1_760_000_000.0 + 60.0 * np.arange(300_000)
    counts = 2 * np.arange(300_000, dtype=np.int64)
    counts[123_456] = 2_000_000  # one sample far above the rest
    target = tmp_path / "chart.svg"
    export_chart(ChartSpec(title="Recorded for months", petition_id=1, times=times, counts=counts), target, 1600, 900)
    text = target.read_text(encoding="utf-8")
    assert len(text) < 1_000_000
    longest = max(re.findall(r' d="(M[^"]+)"', text), key=len)
    ys = sorted(float(y) for y in re.findall(r"[ML][\d.]+,([\d.]+)", longest))
    assert 1_600 <= len(ys) <= 4 * 1_600 + 4
    assert ys[1] - ys[0] > 0.5 * (ys[-1] - ys[0]), "the spike reaches far above the rest of the curve"


def curve_rows(image: QImage) -> np.ndarray:
    """The pixel rows where the curve's colour appears."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    data = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
    pixels = data.reshape(image.height(), image.width())
    r, g, b = (pixels >> 16) & 0xFF, (pixels >> 8) & 0xFF, pixels & 0xFF
    blue = (abs(r.astype(int) - 0x0B) < 40) & (abs(g.astype(int) - 0x6B) < 40) & (abs(b.astype(int) - 0xCB) < 40)
    return np.flatnonzero(blue.any(axis=1))


def test_a_big_petition_fills_the_export_instead_of_a_flat_line_along_the_top(qapp):
    """1.1 M -> 1.16 M signatures: the curve climbs the plot; the 10k and 100k lines are left out."""
    start = 1_760_000_000.0
    times = start + np.linspace(0, 2 * DAY, 200)
    counts = np.linspace(1_100_000, 1_160_000, 200).astype(np.int64)
    chart = ChartSpec("A big one", 700123, times, counts)
    low, high = chart.count_range()
    assert 1_000_000 < low < 1_100_000 < 1_160_000 < high < 1_200_000
    assert chart.thresholds_in_frame() == ()
    rows = curve_rows(render_image(chart, 800, 600))
    assert rows.max() - rows.min() > 250  # most of the plot's height, not a line along its top


def test_a_threshold_out_of_frame_is_named_in_the_subtitle_when_its_date_is_known(qapp):
    reached = 1_750_000_000.0
    chart = ChartSpec("A big one", 7, np.array([1.76e9, 1.7601e9]), np.array([500_000, 510_000]),
                      reached=((100_000, reached),))
    assert "100,000 reached on 15 Jun 2025" in subtitle_line(chart)


def test_a_threshold_in_frame_is_drawn_and_not_repeated_in_the_subtitle(qapp):
    chart = ChartSpec("Nearly", 7, np.array([1.76e9, 1.7601e9]), np.array([8_500, 9_500]),
                      reached=((10_000, 1.7602e9),))
    assert [value for value, _, _ in chart.thresholds_in_frame()] == [10_000]
    assert "reached on" not in subtitle_line(chart)


def test_an_export_frames_exactly_the_range_the_window_gives(qapp):
    chart = spec(x_range=(1_760_000_000.0, 1_760_100_000.0), y_range=(20_000.0, 60_000.0))
    assert chart.count_range() == (20_000.0, 60_000.0)
    assert [value for value, _, _ in chart.thresholds_in_frame()] == []  # 10k and 100k are outside


def test_a_freshly_pinned_petition_with_one_sample_draws_its_point(qapp):
    chart = ChartSpec("Just pinned", 7, np.array([1.76e9]), np.array([1234]))
    assert len(curve_rows(render_image(chart, 800, 600))) >= 5  # a visible dot


def test_the_time_axis_names_days_and_months(qapp):
    from petitiondesk.gui.axes import LocalDateAxis

    axis = LocalDateAxis()
    axis.setRange(1_764_633_600.0, 1_765_238_400.0)  # Tue 2 Dec 2025 to Tue 9 Dec (UK midnight)
    assert axis.tickStrings([1_764_633_600.0], 1.0, DAY) == ["Tue 2 Dec"]
    assert axis.tickStrings([1_764_633_600.0 + 14 * 3600], 1.0, 6 * 3600) == ["14:00"]
    assert axis.tickStrings([1_764_633_600.0], 1.0, 6 * 3600) == ["Tue 2 Dec"]  # midnight names the day
    axis.setRange(1_750_000_000.0, 1_765_238_400.0)
    assert axis.tickStrings([1_764_633_600.0], 1.0, 30 * DAY) == ["Dec 2025"]


def shaded_pixels(image: QImage) -> int:
    """Pixels of the forecast cone's light blue shade on white."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    data = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
    r, g, b = (data >> 16) & 0xFF, (data >> 8) & 0xFF, data & 0xFF
    return int(((abs(r.astype(int) - 222) < 8) & (abs(g.astype(int) - 233) < 8) & (abs(b.astype(int) - 244) < 8)).sum())


def test_an_export_draws_the_milestones_and_the_forecast_cone(qapp, tmp_path):
    times = np.array([1.7646e9, 1.7646e9 + 3600, 1.7646e9 + 7200])
    counts = np.array([593_000, 593_200, 593_441])
    known = ((1.76e9, 10_000), (1.7605e9, 100_000))
    plain = ChartSpec("Pinned today", 7, times, counts)
    rich = ChartSpec("Pinned today", 7, times, counts, known=known,
                     cone=(float(times[-1]), 593_441.0, 1.7700e9, 600_000.0, 640_000.0, 700_000.0))
    low, high = rich.time_span()
    assert low < 1.76e9 and high > 1.77e9  # from the first milestone to the deadline
    assert rich.count_range()[0] <= 10_000 and rich.count_range()[1] >= 700_000
    assert shaded_pixels(render_image(rich, 800, 600)) > 5_000  # the cone's shade covers a good area
    assert shaded_pixels(render_image(plain, 800, 600)) < 1_000  # (antialiased edges of the curve only)
    figure = ExportFigure(rich, 800, 600)
    diamonds = [item for item in figure.plot.listDataItems() if item.opts.get("symbol") == "d"]
    assert len(diamonds) == 1 and len(diamonds[0].getData()[0]) == 2
    figure.close()
    export_chart(rich, tmp_path / "rich.svg", 800, 600)  # the cone and the diamonds export as vectors too
    assert ET.parse(tmp_path / "rich.svg").getroot() is not None


def svg_plot_frame(text: str) -> tuple[float, float, float, float]:
    """The plot's frame in an exported SVG (its clip path): left, top, right, bottom."""
    import re

    clip = re.search(r'<clipPath id="ViewBox_1_clip">\s*<path[^>]* d="M([\d.]+),([\d.]+) L([\d.]+),[\d.]+ '
                     r'L[\d.]+,([\d.]+)', text)
    return float(clip[1]), float(clip[2]), float(clip[3]), float(clip[4])


def drawn_by_qt(svg: bytes, width: int, height: int) -> QImage:
    from PySide6.QtGui import QColor, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    QSvgRenderer(svg).render(painter)
    painter.end()
    return image


def test_an_svg_shows_no_box_around_the_plot(qapp):
    """The plot's clip path was written stroked: Qt's SVG renderer drew it as a black frame."""
    from petitiondesk.gui.chart_export import svg_bytes

    svg = svg_bytes(spec(), 800, 450)
    left, top, right, bottom = svg_plot_frame(svg.decode())
    image = drawn_by_qt(svg, 800, 450)
    middle_x, middle_y = round((left + right) / 2), round((top + bottom) / 2)
    assert image.pixelColor(middle_x, round(top)).lightness() > 200  # the top edge
    assert image.pixelColor(round(right), middle_y).lightness() > 200  # the right edge


def test_a_gap_in_recording_breaks_the_exported_line_and_is_dashed_as_in_the_window(qapp):
    import re

    from petitiondesk.gui.chart_export import svg_bytes

    times = 1_760_000_000.0 + np.concatenate([np.arange(0, DAY, 600.0), np.arange(2 * DAY, 3 * DAY, 600.0)])
    counts = np.arange(len(times), dtype=np.int64) * 10
    text = svg_bytes(ChartSpec("Closed the app for a day", 700123, times, counts), 800, 450).decode()
    curve = max(re.findall(r' d="(M[^"]+)"', text), key=len)
    assert curve.count("M") == 2, "the recorded line stops at the gap and starts again after it"
    assert "stroke-dasharray" in text  # the gap drawn dashed between the two


def test_date_ticks_with_the_charts_fixed_offset_fall_where_pyqtgraph_puts_them(qapp):
    """The axis skips pyqtgraph's lookup of the computer's zone for each tick (it keeps the fixed
    offset instead): the ticks are pyqtgraph's, at every zoom level the axis picks, for any offset."""
    import pyqtgraph as pg
    from PySide6.QtGui import QFont, QFontMetrics

    from petitiondesk.gui.axes import LocalDateAxis

    pyqtgraph_levels = {id(level.tickSpecs): level for level in pg.DateAxisItem().zoomLevels.values()}
    rng = np.random.default_rng(5)
    for offset in (-3600, 0, 3600, -19_800):
        axis = LocalDateAxis(utcOffset=offset)
        axis.fontMetrics = QFontMetrics(QFont())  # pyqtgraph sets it at the first paint
        for span in (600, 3 * 3600, 30 * 3600, 3 * DAY, 20 * DAY, 200 * DAY, 3000 * DAY):
            end = 1_700_000_000 + rng.uniform(0, 1e8)
            ours = axis.tickValues(end - span, end, 800)
            theirs = pyqtgraph_levels[id(axis.zoomLevel.tickSpecs)]
            theirs.utcOffset = offset
            assert ours == theirs.tickValues(end - span, end, axis.minSpacing)
            assert sum(len(ticks) for _, ticks in ours) >= 2


def test_time_labels_of_two_levels_never_run_together(qapp):
    """At the start of a month the month's label ("Dec 2026") and a day's ("Thu 3 Dec") were
    written over each other: each level's labels are laid out apart from the others'."""
    import pyqtgraph as pg
    from PySide6.QtGui import QImage, QPainter

    from petitiondesk.gui.axes import LocalDateAxis

    plot = pg.PlotWidget(axisItems={"bottom": LocalDateAxis(orientation="bottom")})
    plot.resize(480, 280)
    plot.show()
    axis = plot.getPlotItem().getAxis("bottom")
    closest = math.inf
    for start in np.arange(1_795_900_000.0, 1_796_400_000.0, 3 * 3600):  # late Nov into Dec 2026, by steps
        for days in (12, 14, 16):
            plot.setXRange(start, start + days * DAY, padding=0)
            qapp.processEvents()
            image = QImage(480, 280, QImage.Format.Format_ARGB32)
            painter = QPainter(image)
            axis.fontMetrics = painter.fontMetrics()
            specs = axis.generateDrawSpecs(painter)
            painter.end()
            spans = sorted((rect.left(), rect.right()) for rect, _, _ in specs[2])
            assert spans  # labels are drawn
            closest = min([closest, *(left - right for (_, right), (left, _) in zip(spans, spans[1:], strict=False))])
    plot.close()
    assert closest >= 4  # pixels between two labels, at the least

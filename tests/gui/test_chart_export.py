"""Chart images: the requested size, not blank, real vectors, safe with hostile titles, all or nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QImage

from petitiondesk.core.export import ExportError
from petitiondesk.gui.chart_export import ChartSpec, export_chart, render_image, source_line

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

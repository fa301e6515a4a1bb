"""The forecast's backtest (bench/backtest_forecast.py) on three real curves and on simulated ones."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SERIES = REPO / "tests" / "data" / "series"
sys.path.insert(0, str(REPO / "bench"))

import backtest_forecast  # noqa: E402
from simulated_curves import simulate  # noqa: E402

TARGETS = (0.50, 0.25, 0.25, 0.03)  # issue 11: median error of the central figure by quarter of life


def table_row(output: str, label: str) -> list[float | None]:
    line = next(line for line in output.splitlines() if line.startswith(label))
    cells = re.findall(r"(\d+) %|—", line[len(label):])
    return [float(cell) / 100 if cell else None for cell in cells]


def test_the_backtest_prints_the_issues_table_for_both_methods(capsys):
    assert backtest_forecast.main([str(SERIES)]) == 0
    output = capsys.readouterr().out
    app = table_row(output, "median error, app's method")
    naive = table_row(output, "median error, last 24 h x days left")
    assert len(app) == len(naive) == 4
    assert app[3] is None  # the captures stop before the last quarter of these petitions' lives
    for error, target, baseline in zip(app[:3], TARGETS[:3], naive[:3], strict=True):
        assert error <= target and error <= baseline
    coverage = float(re.search(r"coverage, mean over petitions: (\d+) %", output).group(1))
    assert 50 <= coverage <= 100  # three petitions: a rough check; the simulated test is the real one
    assert "chance of reaching 10,000 / 100,000" in output


def test_the_real_curves_are_read_with_their_closing_moment_and_final():
    curves = {curve.id: curve for curve in backtest_forecast.load_dir(SERIES)}
    assert sorted(curves) == [700217, 702538, 704793]
    cass = curves[700217]
    assert cass.final == 17_353 and cass.times.size == cass.counts.size == 31
    assert cass.closes_at == pytest.approx(1749769199.999)  # 12 June 2025, 23:59:59.999 BST


def test_simulated_petitions_have_the_real_base_rates():
    finals = np.array([curve.final for curve in simulate(3000, seed=11)])
    above = finals[finals >= 10_000]
    assert 0.4 <= np.mean(above < 20_000) <= 0.6  # about half end below 20,000
    assert 0.1 <= np.mean(above >= 100_000) <= 0.25  # about 1 in 6 reach 100,000


def test_on_simulated_curves_the_range_is_honest_and_the_odds_calibrated():
    curves = backtest_forecast.simulated(300, seed=21)
    results = backtest_forecast.backtest(curves, max_points=30)
    assert 0.72 <= np.mean(results.covered) <= 0.88
    app = backtest_forecast.median_by_quarter(results.errors["app"])
    naive = backtest_forecast.median_by_quarter(results.errors["naive"])
    assert all(error <= target for error, target in zip(app, TARGETS, strict=True))
    assert all(a <= n for a, n in zip(app[:3], naive[:3], strict=True))  # near closing both are within 1 %
    given = np.array([chance for chance, _ in results.chances])
    reached = np.array([hit for _, hit in results.chances])
    middling = (given >= 0.05) & (given <= 0.6)
    assert abs(given[middling].mean() - reached[middling].mean()) < 0.1  # "20 %" comes true about 1 in 5

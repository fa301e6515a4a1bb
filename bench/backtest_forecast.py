"""Backtest of the final-count forecast: how wrong it was, how often its range held the final count.

    python bench/backtest_forecast.py DIR                 curves in DIR (<id>.csv + meta.json)
    python bench/backtest_forecast.py --simulate N [--seed S] [--min-final C] [--save DIR]
    python bench/backtest_forecast.py --fit [--simulate N] [--seed S]   refit core.forecast's table

DIR holds ``<id>.csv`` files (``timestamp_utc,signature_count``) and a ``meta.json`` mapping each id
to its ``closing_date`` (the petition closes at the end of that day, UK time) and ``final`` count, and
optionally ``opened_at`` (ISO time) and ``milestones`` (``{"10000": iso time, ...}``: what the site's
document would say). At every recorded point from day 1 of the petition's life to closing (at most
``--max-points`` a petition, evenly spread, for dense recordings), each method forecasts the final
count from the samples up to that point. The error is |central - final| / final; each petition's
median error within each quarter of its life, then the median across petitions (each petition weighs
the same). Coverage: the share of points whose 80 % range held the final, averaged over petitions.
The naive method is "the last 24 hours' rate until closing". The chance of reaching 10,000 and
100,000 is checked the same way: of the points given about p, how many got there.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from petitiondesk.core import forecast as fc
from petitiondesk.core.milestones import end_of_uk_day
from simulated_curves import simulate

DAY = 86400.0
TARGETS = (10_000, 100_000)
CHANCE_BINS = (0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0001)


@dataclass
class Curve:
    id: int
    times: np.ndarray
    counts: np.ndarray
    final: int
    closes_at: float
    opened_at: float | None = None
    milestones: dict[int, float] = field(default_factory=dict)


def _iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def load_dir(folder: Path) -> list[Curve]:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    curves = []
    for key, info in sorted(meta.items()):
        with open(folder / f"{key}.csv", newline="", encoding="utf-8") as handle:
            rows = [(_iso(row["timestamp_utc"]), int(row["signature_count"])) for row in csv.DictReader(handle)]
        times, counts = (np.array(column) for column in zip(*rows, strict=True))
        curves.append(
            Curve(
                id=int(key),
                times=times.astype(np.float64),
                counts=counts.astype(np.int64),
                final=int(info["final"]),
                closes_at=end_of_uk_day(date.fromisoformat(info["closing_date"])),
                opened_at=_iso(info["opened_at"]) if info.get("opened_at") else None,
                milestones={int(level): _iso(when) for level, when in info.get("milestones", {}).items()},
            )
        )
    return curves


def save_dir(curves: list[Curve], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    meta = {}
    for curve in curves:
        with open(folder / f"{curve.id}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["timestamp_utc", "signature_count"])
            for when, count in zip(curve.times, curve.counts, strict=True):
                writer.writerow([utc(when).strftime("%Y-%m-%dT%H:%M:%SZ"), int(count)])
        closing_day = utc(curve.closes_at - 3600).date()  # simulated closings are UTC; close enough
        meta[str(curve.id)] = {
            "closing_date": closing_day.isoformat(),
            "final": curve.final,
            "opened_at": utc(curve.opened_at).isoformat() if curve.opened_at else None,
            "milestones": {str(level): utc(when).isoformat() for level, when in curve.milestones.items()},
        }
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def simulated(count: int, seed: int) -> list[Curve]:
    return [
        Curve(s.id, s.times, s.counts, s.final, s.closes_at, s.opened_at, s.milestones) for s in simulate(count, seed)
    ]


def evaluation_points(curve: Curve, max_points: int) -> np.ndarray:
    """Indices of the recorded points from day 1 of the petition's life to closing."""
    opened = curve.opened_at if curve.opened_at is not None else curve.closes_at - fc.ASSUMED_LIFE
    eligible = np.flatnonzero((curve.times >= opened + DAY) & (curve.times < curve.closes_at))
    if eligible.size > max_points:
        eligible = eligible[np.linspace(0, eligible.size - 1, max_points).astype(int)]
    return eligible


def known_points_at(curve: Curve, when: float) -> list[tuple[float, int]]:
    return [(at, level) for level, at in curve.milestones.items() if at <= when]


def naive(times: np.ndarray, counts: np.ndarray, closes_at: float) -> float:
    """The rate since the last sample a day or more before (else the first) sustained until closing."""
    start = max(int(np.searchsorted(times, times[-1] - DAY, side="right")) - 1, 0)
    span = times[-1] - times[start]
    rate = (counts[-1] - counts[start]) / span if span > 0 else 0.0
    return float(counts[-1] + max(rate, 0.0) * (closes_at - times[-1]))


@dataclass
class Results:
    errors: dict[str, list[list[list[float]]]]  # method -> petition -> quarter -> errors
    covered: list[float]  # per petition: share of points whose range held the final
    coverage_by_quarter: list[list[float]]
    chances: list[tuple[float, bool]]


def backtest(curves: list[Curve], max_points: int) -> Results:
    results = Results({"app": [], "naive": []}, [], [[] for _ in range(4)], [])
    for curve in curves:
        opened = curve.opened_at if curve.opened_at is not None else curve.closes_at - fc.ASSUMED_LIFE
        per_method = {name: [[] for _ in range(4)] for name in results.errors}
        held = []
        for index in evaluation_points(curve, max_points):
            times, counts, when = curve.times[: index + 1], curve.counts[: index + 1], float(curve.times[index])
            quarter = min(int(4 * (when - opened) / (curve.closes_at - opened)), 3)
            options = {"known_points": known_points_at(curve, when), "opened_at": curve.opened_at}
            prediction = fc.forecast(times, counts, when, curve.closes_at, **options)
            if prediction is None:
                continue
            estimate = prediction.estimate()
            per_method["app"][quarter].append(abs(estimate.final - curve.final) / curve.final)
            per_method["naive"][quarter].append(abs(naive(times, counts, curve.closes_at) - curve.final) / curve.final)
            inside = estimate.low <= curve.final <= estimate.high
            held.append(inside)
            results.coverage_by_quarter[quarter].append(inside)
            for target in TARGETS:
                if counts[-1] < target:
                    results.chances.append((prediction.chance(target), curve.final >= target))
        for name, quarters in per_method.items():
            results.errors[name].append(quarters)
        if held:
            results.covered.append(float(np.mean(held)))
    return results


def median_by_quarter(petitions: list[list[list[float]]]) -> list[float | None]:
    table = []
    for quarter in range(4):
        medians = [float(np.median(p[quarter])) for p in petitions if p[quarter]]
        table.append(float(np.median(medians)) if medians else None)
    return table


def print_report(title: str, curves: list[Curve], results: Results) -> None:
    finals = np.array([c.final for c in curves])
    above = finals[finals >= 10_000]
    print(f"== {title}: {len(curves)} petitions", end="")
    if above.size:
        print(
            f"; of the {above.size} reaching 10,000: {np.mean(above < 20_000):.0%} end below 20,000, "
            f"{np.mean(above >= 100_000):.0%} reach 100,000"
        )
    else:
        print()
    print("fraction of life elapsed           0-25 %   25-50 %   50-75 %  75-100 %")
    for name, label in (("app", "median error, app's method"), ("naive", "median error, last 24 h x days left")):
        print(f"{label:<34}{_cells(median_by_quarter(results.errors[name]))}")
    held = [float(np.mean(q)) if q else None for q in results.coverage_by_quarter]
    print(f"{'80 % range held the final':<34}{_cells(held)}")
    if results.covered:
        print(f"80 % range coverage, mean over petitions: {100 * np.mean(results.covered):.0f} %")
    print_calibration(results.chances)


def _cells(values: list[float | None]) -> str:
    return "".join(f"{'—' if v is None else f'{100 * v:.0f} %':>10}" for v in values)


def print_calibration(chances: list[tuple[float, bool]]) -> None:
    if not chances:
        return
    given = np.array([chance for chance, _ in chances])
    reached = np.array([hit for _, hit in chances])
    print("chance of reaching 10,000 / 100,000 given   points   mean given   reached")
    for low, high in zip(CHANCE_BINS[:-1], CHANCE_BINS[1:], strict=True):
        inside = (given >= low) & (given < high)
        if inside.any():
            print(
                f"  {100 * low:3.0f}-{min(100 * high, 100):3.0f} %{'':28}{inside.sum():6d}"
                f"{100 * given[inside].mean():11.0f} %{100 * reached[inside].mean():8.0f} %"
            )
    brier = float(np.mean((given - reached) ** 2))
    print(f"  Brier score {brier:.3f} (always saying the base rate: {float(np.var(reached)):.3f})")


# --- fitting the quantile table -------------------------------------------------------------------


def training_rows(curves: list[Curve], per_curve: int) -> tuple[np.ndarray, np.ndarray]:
    features, growth = [], []
    for curve in curves:
        opened = curve.opened_at
        for index in np.linspace(1, curve.times.size - 1, min(per_curve, curve.times.size - 1)).astype(int):
            when = float(curve.times[index])
            t, c = fc._known_curve(curve.times[: index + 1], curve.counts[: index + 1], when,
                                   known_points_at(curve, when))
            if when - t[0] < fc.MIN_SPAN or when >= curve.closes_at:
                continue
            row = fc._features(t, c, opened, curve.closes_at)
            if row is None or fc._stalled(t, c):
                continue
            features.append(row)
            growth.append(math.log(curve.final / max(int(c[-1]), 1)))
    return np.array(features), np.array(growth)


def quantile_regression(x: np.ndarray, y: np.ndarray, level: float, rounds: int = 300) -> np.ndarray:
    """Linear quantile regression without intercept, by iteratively reweighted least squares."""
    coefficients = np.linalg.lstsq(x, y, rcond=None)[0]
    for _ in range(rounds):
        residuals = y - x @ coefficients
        weights = np.where(residuals > 0, level, 1 - level) / np.maximum(np.abs(residuals), 1e-4)
        weighted = x * weights[:, None]
        coefficients = np.linalg.solve(x.T @ weighted + 1e-9 * np.eye(x.shape[1]), weighted.T @ y)
    return coefficients


def fit(curves: list[Curve]) -> None:
    x, y = training_rows(curves, per_curve=40)
    print(f"# {len(y)} training points from {len(curves)} simulated curves")
    print("COEFFICIENTS = np.array(\n    [")
    for level in fc.LEVELS:
        row = quantile_regression(x, y, level)
        print("        [" + ", ".join(f"{v:.4f}" for v in row) + f"],  # {level:.0%}")
    print("    ]\n)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, help="a folder of curves (<id>.csv + meta.json)")
    parser.add_argument("--simulate", type=int, metavar="N", help="backtest N simulated curves")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--save", type=Path, metavar="DIR", help="write the simulated curves to DIR")
    parser.add_argument("--max-points", type=int, default=60)
    parser.add_argument("--min-final", type=int, default=0, help="only the simulated petitions ending this high")
    parser.add_argument("--fit", action="store_true", help="print core.forecast's table refitted")
    args = parser.parse_args(argv)
    if args.fit:
        fit(simulated(args.simulate or 4000, args.seed))
        return 0
    if args.folder is None and not args.simulate:
        parser.error("give a folder of curves or --simulate N")
    if args.folder is not None:
        curves = load_dir(args.folder)
        print_report(str(args.folder), curves, backtest(curves, args.max_points))
    if args.simulate:
        curves = [curve for curve in simulated(args.simulate, args.seed) if curve.final >= args.min_final]
        if args.save:
            save_dir(curves, args.save)
        print_report(f"simulated (seed {args.seed})", curves, backtest(curves, args.max_points))
    return 0


if __name__ == "__main__":
    sys.exit(main())

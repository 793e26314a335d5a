"""Benchmark: how long each figure builder takes on realistic inputs (the page re-render budget is
< 0.5 s per filter change on a 2-core machine, and a page builds 3-7 figures plus about 6 sparklines).

    .venv/bin/python -m tests.benchmarks.bench_figures [--repeat 15] [--against path/to/old_figures.py]

Inputs: 84 monthly points (2016-2022), 1 and 3 groups with a few suppressed months and confidence
ribbons, rankings of all 98 municipalities (with and without ``max_bars``), the national and the
regional tile map, a 98-unit funnel, stacked shares over 84 months, 84-point sparklines. Prints the
median (and minimum) wall time per builder in milliseconds, with the builders' memo caches (number
formatting, date ticks) emptied before every run unless ``--warm``. ``--against`` loads another copy of
``analysis/figures.py`` (e.g. the previous version: ``git show HEAD~1:analysis/figures.py > /tmp/old.py``)
and prints both side by side.
Not a test: it measures.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from analysis import constants, reference
from tests.test_figures import burn_frame, counterfactual_frame, forest_frame  # the tests' inputs

MONTHS = pd.date_range("2016-01-01", "2022-12-01", freq="MS")  # 84 months


def _trend_frame(n_groups: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for i, name in enumerate(["Aarhus", "Randers", "Horsens"][:n_groups]):
        rate = 20 + i + np.sin(np.arange(len(MONTHS)) / 3) + rng.normal(0, 0.3, len(MONTHS))
        part = pd.DataFrame({"month": MONTHS, "municipality": name, "rate": rate,
                             "lower": rate - 1.5, "upper": rate + 1.5})
        part.loc[[5 + 7 * i, 30 + i, 31 + i, 60], ["rate", "lower", "upper"]] = np.nan  # suppressed months
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


def _national() -> pd.DataFrame:
    munis = reference.municipalities()[["municipality_code", "name"]].reset_index(drop=True)
    df = munis.assign(rate=np.linspace(60.0, 11.5, len(munis)))
    df["lower"], df["upper"] = df["rate"] - 2, df["rate"] + 2
    df["population"] = np.geomspace(1_800, 120_000, len(df))
    df.loc[[3, 20, 40, 60, 80], ["rate", "lower", "upper"]] = np.nan
    return df.sample(frac=1, random_state=7).reset_index(drop=True)


def _limits() -> pd.DataFrame:
    den = np.geomspace(1_000, 150_000, 200)
    half95, half998 = 1.96 * 300 / np.sqrt(den), 3.09 * 300 / np.sqrt(den)
    return pd.DataFrame({"denominator": den, "lower_95": 35 - half95, "upper_95": 35 + half95,
                         "lower_99_8": 35 - half998, "upper_99_8": 35 + half998})


def _shares() -> pd.DataFrame:
    cats = ["home", "home_care", "acute_bed", "death"]
    rows = [(m, c, 10.0 + 5 * j + (i % 3)) for i, m in enumerate(MONTHS) for j, c in enumerate(cats)]
    df = pd.DataFrame(rows, columns=["month", "destination", "n"])
    df.loc[[3, 50, 51], "n"] = np.nan
    return df


def _categories() -> pd.DataFrame:
    groups = ["Pneumoni", "Urinvejsinfektion", "Dehydrering", "KOL", "Hjertesvigt", "Fald"]
    return pd.DataFrame({
        "group": groups * 2, "sex": ["Kvinder"] * 6 + ["Mænd"] * 6,
        "rate": [3.2, np.nan, 1.1, 2.0, 1.4, 0.8, 2.9, 2.2, 0.9, 2.4, np.nan, 0.7],
    }).assign(lower=lambda d: d["rate"] - 0.3, upper=lambda d: d["rate"] + 0.3)


def cases(fig: ModuleType) -> dict[str, Callable[[], object]]:
    """Builder calls as the pages make them; inputs built once, outside the timing."""
    t1, t3, nat, lim, shares = _trend_frame(1), _trend_frame(3), _national(), _limits(), _shares()
    midt = nat[nat["municipality_code"].isin(list(fig.MIDTJYLLAND_TILES))]
    spark = pd.Series(20 + np.sin(np.arange(len(MONTHS)) / 5), index=MONTHS)
    spark.iloc[[10, 40]] = np.nan
    cats, forest_df, cf, burn = _categories(), forest_frame(), counterfactual_frame(), burn_frame()
    common = dict(lang="da", title="Titel")
    return {
        "trend (1 group, ribbon)": lambda: fig.trend(
            t1, x="month", y="rate", lower="lower", upper="upper", x_title="Måned", y_title="Pr. 1.000", **common),
        "trend (3 groups, ribbons)": lambda: fig.trend(
            t3, x="month", y="rate", lower="lower", upper="upper", group="municipality", x_title="Måned",
            y_title="Pr. 1.000", region_code=1082, **common),
        "trend (3 groups, no CI)": lambda: fig.trend(
            t3, x="month", y="rate", group="municipality", x_title="Måned", y_title="Pr. 1.000", **common),
        "ranked_bars (98)": lambda: fig.ranked_bars(
            nat, label="name", value="rate", lower="lower", upper="upper", highlight=["Aarhus"],
            reference_value=30.0, reference_label="Danmark", x_title="Pr. 1.000", **common),
        "ranked_bars (98, max_bars=30)": lambda: fig.ranked_bars(
            nat, label="name", value="rate", lower="lower", upper="upper", highlight=["Aarhus"],
            reference_value=30.0, x_title="Pr. 1.000", max_bars=30, **common),
        "funnel (98)": lambda: fig.funnel(
            nat, denominator="population", value="rate", label="name", limits=lim, target=35,
            x_title="Borgere 65+", y_title="Pr. 1.000", **common),
        "tile_map (98)": lambda: fig.tile_map(
            nat, code="municipality_code", value="rate", colorbar_title="Pr. 1.000", **common),
        "tile_map (19)": lambda: fig.tile_map(
            midt, code="municipality_code", value="rate", colorbar_title="Pr. 1.000", **common),
        "stacked_share (84 x 4, area)": lambda: fig.stacked_share(
            shares, x="month", category="destination", value="n", x_title="Måned", y_title="Andel (%)",
            **common),
        "stacked_share (84 x 4, bar)": lambda: fig.stacked_share(
            shares, x="month", category="destination", value="n", x_title="Måned", y_title="Antal",
            normalise=False, kind="bar", **common),
        "sparkline (84)": lambda: fig.sparkline(spark, lang="da"),
        "bars_by_category (6 x 2)": lambda: fig.bars_by_category(
            cats, category="group", value="rate", lower="lower", upper="upper", group="sex",
            x_title="Diagnosegruppe", y_title="Pr. 1.000", **common),
        "forest (19 + pooled)": lambda: fig.forest(
            forest_df, label="name", estimate="rr", lower="lower", upper="upper",
            pooled={"estimate": 0.93, "lower": 0.88, "upper": 0.99}, x_title="Rate ratio", **common),
        "counterfactual (84)": lambda: fig.counterfactual(
            cf, x="month", observed="observed", fitted="fitted", counterfactual="cf", cf_lower="cf_lower",
            cf_upper="cf_upper", x_title="Måned", y_title="Pr. 1.000", region_code=1082, **common),
        "burn_down (16)": lambda: fig.burn_down(
            burn, x="month", cumulative_spend="spend", budget=3_000_000, x_title="Måned", y_title="Kroner",
            projected_exhaustion="2020-11-01", **common),
    }


def _clear_caches(module: ModuleType) -> None:
    """Empty the module's memo caches (number formatting, date ticks), so that a run pays for them as the
    first render after a filter change with new numbers would."""
    for value in vars(module).values():
        if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == module.__name__:
            value.cache_clear()


def _time(fn: Callable[[], object], repeat: int, module: ModuleType, warm: bool) -> tuple[float, float]:
    fn()  # warm-up: imports, plotly's validator cache
    samples = []
    for _ in range(repeat):
        if not warm:
            _clear_caches(module)
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000, min(samples) * 1000


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("figures_against", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--against", type=Path, default=None, help="another figures.py to compare with")
    ap.add_argument("--warm", action="store_true",
                    help="keep the memo caches between runs (default: emptied before every run)")
    a = ap.parse_args()
    from analysis import figures

    current = {k: _time(fn, a.repeat, figures, a.warm) for k, fn in cases(figures).items()}
    if a.against:
        against = _load(a.against)
        other = {k: _time(fn, a.repeat, against, a.warm) for k, fn in cases(against).items()}
    else:
        other = None
    print(f"machine: {os.cpu_count()} cores; median (min) of {a.repeat} runs, ms; "
          f"memo caches {'kept' if a.warm else 'emptied before every run'}")
    width = max(map(len, current)) + 2
    if other is None:
        for k, (med, low) in current.items():
            print(f"{k:<{width}} {med:7.1f} ({low:6.1f})")
        return
    print(f"{'builder':<{width}} {'against':>16} {'current':>16} {'speed-up':>9}")
    for k, (med, low) in current.items():
        o_med, o_low = other[k]
        print(f"{k:<{width}} {o_med:7.1f} ({o_low:6.1f}) {med:7.1f} ({low:6.1f}) {o_med / med:8.1f}x")
    total_o, total_c = sum(v[0] for v in other.values()), sum(v[0] for v in current.values())
    print(f"{'sum of medians':<{width}} {total_o:16.1f} {total_c:16.1f} {total_o / total_c:8.1f}x")


if __name__ == "__main__":
    main()

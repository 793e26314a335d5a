"""Benchmark: how long a page takes to re-render after a filter change (issue 5's target: under 0.5 s on the
2-core machine at demo scale 1).

    AKUTINDBLIK_DB=data/generated/akutindblik.duckdb .venv/bin/python -m tests.benchmarks.bench_pages [--changes 8]

For every page: the caches emptied (Streamlit's data and resource caches, so the page starts on a new
connection with nothing remembered from the pages before it), one warm-up run, then a series of filter changes
(area, municipalities, age group, sex, period, standardisation and standard population, definition, diagnosis
groups), each timed as a full script rerun in Streamlit's AppTest (queries, statistics and figure building
included; browser drawing excluded). Prints median and maximum per page. Not a test: it measures.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import select

ROOT = Path(__file__).resolve().parents[2]
CHANGES = [
    {"f_munis": [751]}, {"f_munis": [741]}, {"f_munis": []}, {"f_age": "80+"}, {"f_sex": "F"},
    {"f_period": ("2019-01", "2020-12")}, {"f_std": True}, {"f_area": "national"}, {"f_munis": [101, 461]},
    {"f_age": "65+", "f_sex": "all", "f_std": False, "f_period": ("2016-01", "2022-12"), "f_area": "region:1082"},
    {"f_groups": ["dehydration", "lower_respiratory"]}, {"f_definition": "oecd_pqi", "f_groups": []},
    {"f_std": True, "f_stdpop": 2019}, {"f_definition": "dk_preventable_65", "f_std": False, "f_stdpop": None},
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--changes", type=int, default=len(CHANGES))
    a = ap.parse_args()
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.run()
    pages = ["pages/overview.py", "pages/avoidable.py", "pages/los.py", "pages/readmissions.py",
             "pages/acute_beds.py", "pages/data.py", "pages/method.py"]
    print(f"{'page':24} {'first':>7} {'median':>7} {'max':>7}  (seconds per filter change)")
    for page in pages:
        st.cache_data.clear()
        st.cache_resource.clear()
        t = time.perf_counter()
        app.switch_page(page).run()
        first = time.perf_counter() - t
        times = []
        for change in CHANGES[: a.changes]:
            select(app, **change)
            t = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - t)
            assert not app.exception, app.exception
        print(f"{page:24} {first:7.2f} {statistics.median(times):7.2f} {max(times):7.2f}")


if __name__ == "__main__":
    main()

"""Benchmark: generate the national demo and load it through the real ingest (issue 3's target:
generate + load at --scale 1 well under two minutes on a 2-core machine).

    .venv/bin/python -m tests.benchmarks.bench_demo [--scale 1] [--seed 20190901] [--keep DIR]

Prints wall time for generation and for the load (with the derived-table rebuild inside it, timed
separately), rows, database size and the peak resident memory of this process. Not a test: it measures.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from analysis import derived, ingest
from analysis.synthetic import generate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=20190901)
    ap.add_argument("--keep", type=Path, default=None, help="keep files and database in this folder")
    a = ap.parse_args()
    work = a.keep or Path(tempfile.mkdtemp(prefix="akut-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.duckdb"
    for stale in work.glob("bench.duckdb*"):
        stale.unlink()
    timings: dict[str, float] = {}
    original = derived.rebuild_derived

    def timed_rebuild(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            timings["derived"] = time.perf_counter() - t

    derived.rebuild_derived = timed_rebuild
    t0 = time.perf_counter()
    files = generate(work / "files", scale=a.scale, seed=a.seed, progress=False)
    t1 = time.perf_counter()
    report = ingest.load_files(files.data_files, db_path=db, progress=False)
    t2 = time.perf_counter()
    rows = sum(f.read for f in report.files)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"machine: {os.cpu_count()} cores; scale {a.scale}; {rows:,} rows read in {len(report.files)} files")
    print(f"generate: {t1 - t0:6.1f} s")
    print(f"load:     {t2 - t1:6.1f} s  (of which derived tables {timings.get('derived', float('nan')):.1f} s)")
    print(f"total:    {t2 - t0:6.1f} s; database {db.stat().st_size / 1e6:,.0f} MB; peak RSS {peak_gb:.1f} GB")
    print(f"quarantined: {sum(f.quarantined for f in report.files):,}; refused: {sum(f.refused for f in report.files)}")
    if a.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Command line: ``python -m analysis ingest|demo|info``.

``ingest [--db PATH] [--mapping FILE] [--quiet] FILE_OR_FOLDER...``
    Load extracts (CSV, Parquet, XLSX) as one atomic delivery; prints a summary table.
    Exit code 0 when every file loaded (quarantined rows allowed), 2 when any file was refused,
    1 when the load could not start (e.g. a broken mapping file).
``demo [--db PATH] [--out DIR] [--scale S] [--seed N]``
    Generate the national demo extracts as files and load them through the same ingest.
``init [--db PATH]``
    Create an empty database if none exists.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.constants import DEFAULT_DB_PATH, GENERATED_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Akutindblik data tools")
    sub = parser.add_subparsers(dest="command", required=True)
    p_ing = sub.add_parser("ingest", help="load extract files into the database")
    p_ing.add_argument("files", nargs="+", help="files or folders (CSV, Parquet, XLSX)")
    p_ing.add_argument("--db", type=Path, default=DEFAULT_DB_PATH, help=f"database file (default {DEFAULT_DB_PATH})")
    p_ing.add_argument("--mapping", type=Path, default=None, help="TOML file mapping source column names and codes")
    p_ing.add_argument("--quiet", action="store_true", help="no progress bars")
    p_demo = sub.add_parser("demo", help="generate the national demo data and load it")
    p_demo.add_argument("--db", type=Path, default=DEFAULT_DB_PATH)
    p_demo.add_argument("--out", type=Path, default=GENERATED_DIR / "demo", help="folder for the generated extracts")
    p_demo.add_argument("--scale", type=float, default=1.0, help="1 = national volume; 0.1 for quick tests")
    p_demo.add_argument("--seed", type=int, default=20190901)
    p_demo.add_argument("--quiet", action="store_true")
    p_init = sub.add_parser("init", help="create an empty database if none exists")
    p_init.add_argument("--db", type=Path, default=DEFAULT_DB_PATH)
    args = parser.parse_args(argv)

    from analysis.ingest import IngestError, init_db, load_files

    try:
        if args.command == "init":
            init_db(args.db)
            print(f"database ready: {args.db}")
            return 0
        if args.command == "ingest":
            report = load_files(args.files, db_path=args.db, mapping=args.mapping, progress=not args.quiet)
        else:
            from analysis.synthetic import run_demo

            report = run_demo(db_path=args.db, out_dir=args.out, scale=args.scale, seed=args.seed,
                              progress=not args.quiet)
    except IngestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    print(f"\ndatabase: {report.db_path}")
    if not report.ok:
        print("some files were refused: fix them as the messages say and run the same command again", file=sys.stderr)
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())

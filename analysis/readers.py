"""Reading one extract file into a DuckDB staging table of text columns.

Every reader produces the same thing: a table with columns ``c0 … cN`` in the file's column order
(text for CSV and Excel; Parquet keeps its native types, see ``StagedFile.types``)
(``StagedFile.columns`` holds the file's own header names), one row per data row, plus ``_line`` — the
row's line number in the file, the header being line 1 (for Parquet: data row n is "line" n + 1; for
Excel: the sheet row) — so that quarantine reasons point at a
place a data manager can open. Malformed CSV lines (wrong number of fields, broken quoting) are not
dropped: they are returned as :class:`RejectedLine` so that the caller can quarantine them.

Supported: CSV (comma, semicolon or tab; UTF-8, UTF-8 with BOM, Windows-1252), Parquet, XLSX.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

SUPPORTED_SUFFIXES = {".csv", ".txt", ".parquet", ".pq", ".xlsx"}


class FileUnreadable(Exception):
    """The file cannot be read as a table at all (the whole file is refused)."""


@dataclass(frozen=True)
class RejectedLine:
    line: int
    problem: str


@dataclass(frozen=True)
class StagedFile:
    table: str  # staging table name in the connection
    columns: list[str]  # the file's own column names, in file order
    n_rows: int  # data rows read into the table
    rejected: list[RejectedLine]  # malformed lines (read but not parseable as a row)
    encoding: str  # "utf-8", "utf-8-sig", "cp1252", or "parquet"/"xlsx"
    delimiter: str | None
    types: list[str] | None = None  # DuckDB type per column; None = all VARCHAR (CSV, Excel)


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as UTF-8, else Windows-1252."""
    with open(path, "rb") as fh:
        head = fh.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def _detect_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_header(path: Path, encoding: str) -> tuple[str, list[str]]:
    with open(path, encoding=encoding, newline="") as fh:
        first = fh.readline()
    if not first.strip():
        raise FileUnreadable("the file is empty (no header line)")
    delim = _detect_delimiter(first)
    names = next(csv.reader(io.StringIO(first), delimiter=delim))
    return delim, [n.strip().lstrip("\ufeff") for n in names]


def _transcode_to_utf8(path: Path, encoding: str, workdir: Path) -> Path:
    fd, tmp = tempfile.mkstemp(suffix=".csv", dir=workdir)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out, open(path, encoding=encoding, newline="") as src:
        while chunk := src.read(1 << 22):
            out.write(chunk)
    return Path(tmp)


def _unique_names(names: list[str], path: Path) -> None:
    seen: set[str] = set()
    for n in names:
        if n == "":
            raise FileUnreadable("the header has an empty column name")
        if n.lower() in seen:
            raise FileUnreadable(f"the header names the column '{n}' twice")
        seen.add(n.lower())


def read_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str, workdir: Path) -> StagedFile:
    encoding = _detect_encoding(path)
    delim, names = _read_header(path, encoding)
    _unique_names(names, path)
    source = path if encoding == "utf-8" else _transcode_to_utf8(path, encoding, workdir)
    try:
        cols = {f"c{i}": "VARCHAR" for i in range(len(names))}
        con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
        rel = con.read_csv(
            str(source),
            delimiter=delim,
            header=True,
            columns=cols,
            auto_detect=False,
            quotechar='"',
            escapechar='"',
            store_rejects=True,
            null_padding=False,
        )
        con.execute("CREATE OR REPLACE TEMP TABLE " + table + "_raw AS SELECT * FROM rel")
        rejects = con.execute(
            "SELECT line, min(error_type) || ': ' || min(error_message) FROM reject_errors GROUP BY line ORDER BY line"
        ).fetchall()
    except duckdb.Error as exc:  # unreadable CSV: the file is refused as a whole
        raise FileUnreadable(f"not a readable CSV file ({str(exc).splitlines()[0]})") from exc
    finally:
        if source != path:
            os.unlink(source)
    rejected = [RejectedLine(int(line), str(msg)) for line, msg in rejects]
    # Line of valid row i (0-based) = i + 2 + number of rejected lines before it.
    pos = [r.line - 2 - j for j, r in enumerate(rejected)]
    con.execute("CREATE OR REPLACE TEMP TABLE _reject_pos AS SELECT unnest($p::BIGINT[]) AS pos", {"p": pos})
    select_cols = ", ".join(f"c{i}" for i in range(len(names)))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE " + table + " AS SELECT " + select_cols
        + ", rowid + 2 + (SELECT count(*) FROM _reject_pos WHERE pos <= r.rowid) AS _line FROM "
        + table + "_raw r ORDER BY rowid"
    )
    con.execute("DROP TABLE " + table + "_raw")
    n = con.execute("SELECT count(*) FROM " + table).fetchone()[0]
    return StagedFile(table, names, int(n), rejected, encoding, delim)


def read_parquet(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> StagedFile:
    """Parquet keeps its native column types (no text round trip): validation casts what it needs."""
    try:
        names = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet($p)", {"p": str(path)}).fetchall()]
        _unique_names(names, path)
        cols = ", ".join('"' + n.replace('"', '""') + '" AS c' + str(i) for i, n in enumerate(names))
        con.execute(
            "CREATE OR REPLACE TEMP TABLE " + table + " AS SELECT " + cols
            + ", file_row_number + 2 AS _line FROM read_parquet($p, file_row_number = true)",
            {"p": str(path)},
        )
    except duckdb.Error as exc:
        raise FileUnreadable(f"not a readable Parquet file ({str(exc).splitlines()[0]})") from exc
    n = con.execute("SELECT count(*) FROM " + table).fetchone()[0]
    types = [r[1] for r in con.execute("DESCRIBE " + table).fetchall()][: len(names)]
    return StagedFile(table, names, int(n), [], "parquet", None, types)


def read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> StagedFile:
    try:
        frame = pd.read_excel(path, dtype=str, sheet_name=0, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken workbook
        raise FileUnreadable(f"not a readable Excel workbook ({type(exc).__name__}: {exc})") from exc
    names = [str(c).strip() for c in frame.columns]
    _unique_names(names, path)
    frame.columns = [f"c{i}" for i in range(len(names))]
    frame = frame.astype(object).where(frame.notna(), None)
    frame["_line"] = range(2, len(frame) + 2)
    con.register("_xlsx_frame", frame)
    casts = ", ".join(f"CAST(c{i} AS VARCHAR) AS c{i}" for i in range(len(names)))
    con.execute("CREATE OR REPLACE TEMP TABLE " + table + " AS SELECT " + casts + ", _line FROM _xlsx_frame")
    con.unregister("_xlsx_frame")
    return StagedFile(table, names, len(frame), [], "xlsx", None)


def read_file(con: duckdb.DuckDBPyConnection, path: Path, table: str, workdir: Path) -> StagedFile:
    """Stage ``path`` as text columns in ``table``; raise :class:`FileUnreadable` if it cannot be read."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FileUnreadable("the file does not exist")
    if path.stat().st_size == 0:
        raise FileUnreadable("the file is empty")
    if suffix in (".csv", ".txt"):
        return read_csv(con, path, table, workdir)
    if suffix in (".parquet", ".pq"):
        return read_parquet(con, path, table)
    if suffix == ".xlsx":
        return read_xlsx(con, path, table)
    raise FileUnreadable(
        f"unsupported file type '{suffix or path.name}'; expected one of: .csv, .txt, .parquet, .xlsx"
    )

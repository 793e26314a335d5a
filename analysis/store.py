"""The DuckDB database as the dashboard reads it: read-only connections and the queries of the Data page.

The loader replaces the database file atomically (``os.replace``), so a reader that keeps a connection
open keeps seeing the old data; :func:`db_signature` changes when a new file is in place, and the app
keys its cached connection on it. Take a fresh ``cursor()`` per query: one DuckDB connection must not be
used from two threads at once.
"""
from __future__ import annotations

import weakref
from pathlib import Path

import duckdb
import pandas as pd

from analysis.constants import DEFAULT_DB_PATH

READER_THREADS = 2  # a reader may not starve other sessions on the 2-core server
READER_MEMORY_LIMIT = "1GB"
CANONICAL_TABLES = ("admissions", "discharges", "acute_bed_stays", "population")


def db_signature(db_path: Path | str = DEFAULT_DB_PATH) -> tuple[int, int] | None:
    """(modification time in ns, size) of the database file, or None when there is no database yet."""
    try:
        st = Path(db_path).stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)


def connect_readonly(db_path: Path | str = DEFAULT_DB_PATH) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the database file as it is now, with capped threads and memory.

    DuckDB caches database instances by path within a process, so a plain ``duckdb.connect(path)`` after
    the loader swapped in a new file would return the *old* one. An in-memory instance that ATTACHes the
    file opens the file anew every time. Use :func:`cursor` for queries (it selects the attached database).
    """
    con = duckdb.connect(":memory:", config={"threads": READER_THREADS, "memory_limit": READER_MEMORY_LIMIT})
    con.execute("ATTACH '" + str(db_path).replace("'", "''") + "' AS db (READ_ONLY)")
    con.execute("USE db")
    return con


_PARENT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # cursor -> its connection
_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # read-only connection -> its table names


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A fresh cursor (safe to use from this thread) on the attached database."""
    cur = con.cursor()
    cur.execute("USE db")
    _PARENT[cur] = con
    return cur


def memo(cur: duckdb.DuckDBPyConnection, key: tuple, compute, *, max_entries: int = 256):
    """``compute()`` remembered per connection and ``key`` (a read-only connection's data cannot change, so
    nothing goes stale); at most ``max_entries`` per connection, oldest dropped first. A cursor not made by
    :func:`cursor` just computes."""
    con = _PARENT.get(cur)
    if con is None:
        return compute()
    cache = _MEMO.setdefault(con, {})
    if key in cache:
        return cache[key]
    value = compute()
    if len(cache) >= max_entries:
        cache.pop(next(iter(cache)))
    cache[key] = value
    return value


_MEMO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection -> {key: value}


def table_names(cur: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The tables of the database behind a cursor from :func:`cursor`; looked up once per connection (a
    read-only connection keeps seeing the file it opened, so its tables cannot change)."""
    con = _PARENT.get(cur)
    if con is not None and con in _TABLES:
        return _TABLES[con]
    rows = cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()"
    ).fetchall()
    names = frozenset(r[0] for r in rows)
    if con is not None:
        _TABLES[con] = names
    return names


def _has_table(cur, name: str) -> bool:
    return bool(cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'db' AND table_name = $t", {"t": name}
    ).fetchone()[0])


def table_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rows per canonical table (0 for a table that does not exist yet)."""
    cur = cursor(con)
    rows = []
    for table in CANONICAL_TABLES:  # identifiers from a fixed allow-list
        n = cur.execute("SELECT count(*) FROM " + table).fetchone()[0] if _has_table(cur, table) else 0
        rows.append({"table": table, "rows": int(n)})
    return pd.DataFrame(rows)


def missing_extracts(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The kinds of extract (``CANONICAL_TABLES`` names) with no rows loaded."""
    counts = table_counts(con)
    return tuple(counts.loc[counts["rows"] == 0, "table"])


def deliveries(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every delivery (loaded file), newest first."""
    cur = cursor(con)
    if not _has_table(cur, "deliveries"):
        return pd.DataFrame(columns=["delivery_id", "batch_id", "file_name", "kind", "loaded_at", "n_read",
                                     "n_loaded", "n_quarantined", "n_replaced", "message", "sha256"])
    return cur.execute(
        "SELECT delivery_id, batch_id, file_name, kind, loaded_at, n_read, n_loaded, n_quarantined, n_replaced,"
        " message, sha256 FROM deliveries ORDER BY delivery_id DESC"
    ).df()


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Quarantined rows per file and reason."""
    cur = cursor(con)
    if not _has_table(cur, "quarantine"):
        return pd.DataFrame(columns=["file_name", "reason_code", "column", "rows"])
    return cur.execute(
        'SELECT file_name, reason_code, "column", count(*) AS rows FROM quarantine'
        " GROUP BY ALL ORDER BY file_name, rows DESC"
    ).df()


DATA_QUALITY_CHECKS = ("open_stays", "open_stays_suspect", "contacts_merged_into_suspect",
                       "admissions_discharge_quarantined")


def data_quality(con: duckdb.DuckDBPyConnection) -> dict[str, int] | None:
    """The open-stay checks computed at load (``derived.data_quality``): check id -> count; None before the
    first load that built them."""
    cur = cursor(con)
    if not _has_table(cur, "data_quality"):
        return None
    found = dict(cur.execute("SELECT check_id, n FROM data_quality").fetchall())
    return {check: int(found.get(check, 0)) for check in DATA_QUALITY_CHECKS}


def quarantine_rows(con: duckdb.DuckDBPyConnection, *, limit: int = 1000) -> pd.DataFrame:
    """The first ``limit`` quarantined rows with line, column and reason (never whole source rows)."""
    cur = cursor(con)
    if not _has_table(cur, "quarantine"):
        return pd.DataFrame(columns=["file_name", "line", "record_id", "column", "reason_code", "reason"])
    return cur.execute(
        'SELECT file_name, line, record_id, "column", reason_code, reason FROM quarantine'
        " ORDER BY delivery_id, line LIMIT $n", {"n": int(limit)}
    ).df()

"""Validated, atomic, idempotent loading of extracts into the DuckDB database.

Public API
----------
``load_files(paths, *, db_path, mapping=None, progress=False, now=None) -> IngestReport``

What it promises (PRODUCT.md, "Ingest promises"):

* Every row read is either loaded or quarantined with a reason: ``read = loaded + quarantined`` per file,
  recorded in the ``deliveries`` table and the quarantine rows in ``quarantine`` (file, line, column,
  reason).
* A file with a structural problem (unreadable, unsupported, empty, missing required columns, a column
  mapped twice, anything that looks like a CPR number) is refused as a whole with a message naming the
  file and the problem; nothing of it is loaded. CPR messages give column and line numbers, never values.
* Atomic: the load works on a copy of the database beside it and swaps the finished copy into place with
  ``os.replace``; a process killed halfway leaves the database as it was. A running dashboard keeps
  reading the file it opened and sees the new data when it reconnects (key the connection on the
  file's modification time, see ``analysis.store``).
* Idempotent: a file whose sha256 was loaded before changes nothing and says so. A later file with rows
  for existing ids replaces them (a correction), counted as ``replaced``.
* One writer at a time: a lock file beside the database serialises concurrent loads.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator

import duckdb
import pandas as pd

from analysis import readers
from analysis.constants import CPR_REPORT_MAX_ROWS, DEFAULT_DB_PATH, PROGRESS_MIN_ROWS
from analysis.mapping import Mapping, load_mapping, normalise_name
from analysis.schema import DDL, KINDS, LOAD_ORDER, Kind
from analysis.validate import MACROS, SqlParams, typed_select

CHUNK_ROWS = 500_000  # validation works in chunks of this many rows so that progress can be shown
FOLK1A_COLUMNS = {"område", "køn", "alder", "tid", "indhold"}
_TOTAL_WORDS = ["i alt", "total", "alder i alt", "age, total", "hele landet", "all denmark", "køn i alt"]


class IngestError(Exception):
    """A problem that stops the whole load before anything is written (e.g. a broken mapping file)."""


class FileRefused(Exception):
    """One file is refused as a whole; the message names the problem and what was expected."""


@dataclass
class FileReport:
    """What happened to one file: ``read = loaded + quarantined`` unless refused or unchanged."""

    path: str
    kind: str | None = None
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    refused: bool = False
    message: str = ""
    status: str = "loaded"  # loaded | refused | unchanged
    replaced: int = 0  # loaded rows that replaced (corrected) rows of an earlier delivery
    sha256: str = ""
    delivery_id: int | None = None
    reasons: dict[str, int] = field(default_factory=dict)  # quarantine reason code -> rows


@dataclass
class IngestReport:
    """The result of one :func:`load_files` call (one batch)."""

    files: list[FileReport]
    db_path: str
    batch_id: int | None = None
    derived: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no file was refused (quarantined rows are allowed)."""
        return not any(f.refused for f in self.files)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 2

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"file": Path(f.path).name, "kind": f.kind, "status": f.status, "read": f.read, "loaded": f.loaded,
              "quarantined": f.quarantined, "replaced": f.replaced, "message": f.message} for f in self.files]
        )

    def summary(self) -> str:
        """A plain-text table for the command line."""
        rows = [("file", "kind", "status", "read", "loaded", "quarantined", "replaced")]
        for f in self.files:
            rows.append((Path(f.path).name, f.kind or "-", f.status, f"{f.read:,}", f"{f.loaded:,}",
                         f"{f.quarantined:,}", f"{f.replaced:,}"))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.rjust(w) if i >= 3 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.extend(f.message for f in self.files if f.message)
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in readers.SUPPORTED_SUFFIXES))
        else:
            out.append(p)
    return out


@contextmanager
def _writer_lock(db_path: Path) -> Iterator[None]:
    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_stale_copies(db_path: Path) -> None:
    """Working copies left by a killed load (we hold the writer lock, so none is in use)."""
    for stale in db_path.parent.glob(db_path.name + ".tmp-*"):
        stale.unlink(missing_ok=True)


def _municipality_codes() -> list[int]:
    from analysis import reference

    return [int(c) for c in reference.municipalities()["municipality_code"]]


def _municipality_names() -> dict[str, int]:
    from analysis import reference

    return reference.municipality_name_to_code()


def init_db(db_path: Path | str) -> None:
    """Create an empty database with the canonical tables (atomically), if none exists."""
    db_path = Path(db_path)
    if db_path.exists():
        return
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(db_path):
        if db_path.exists():
            return
        tmp = db_path.with_name(db_path.name + f".tmp-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp))
        con.execute(DDL)
        con.close()
        os.replace(tmp, db_path)


# --------------------------------------------------------------------------------------------------------
@dataclass
class _Staged:
    report: FileReport
    staged: readers.StagedFile
    kind: Kind
    source_cols: dict[str, str]  # canonical column -> staging column cK
    folk1a: bool = False
    extra_cols: list[str] = field(default_factory=list)  # FOLK1A: further variables to sum over


def _detect_kind(present: set[str]) -> Kind | None:
    best, best_score = None, 0.0
    for name in LOAD_ORDER:
        kind = KINDS[name]
        if not set(kind.signature) <= present:
            continue
        score = len(set(kind.required) & present) / len(kind.required)
        if score > best_score:
            best, best_score = kind, score
    return best


def _closest_kind(present: set[str]) -> Kind | None:
    scores = {n: len(set(KINDS[n].required) & present) / len(KINDS[n].required) for n in LOAD_ORDER}
    name = max(scores, key=lambda n: scores[n])
    return KINDS[name] if scores[name] >= 0.5 else None


def _stage(con, path: Path, idx: int, mapping: Mapping, workdir: Path, report: FileReport) -> _Staged:
    staged = readers.read_file(con, path, f"stg_{idx}", workdir)
    report.read = staged.n_rows + len(staged.rejected)
    if report.read == 0:
        raise FileRefused("the file has a header but no data rows")
    normalised = [normalise_name(c) for c in staged.columns]
    if FOLK1A_COLUMNS <= set(normalised):
        kind = KINDS["population"]
        src = {n: f"c{i}" for i, n in enumerate(normalised) if n in FOLK1A_COLUMNS}
        extra = [f"c{i}" for i, n in enumerate(normalised) if n not in FOLK1A_COLUMNS]
        return _Staged(report, staged, kind, src, folk1a=True, extra_cols=extra)
    source_cols: dict[str, str] = {}
    for i, name in enumerate(staged.columns):
        canon = mapping.canonical(name)
        if canon is None:
            continue
        if canon in source_cols:
            first = staged.columns[int(source_cols[canon][1:])]
            raise FileRefused(
                f"the columns '{first}' and '{name}' both map to '{canon}'; keep one of them or fix the mapping file"
            )
        source_cols[canon] = f"c{i}"
    present = set(source_cols)
    kind = _detect_kind(present)
    if kind is None:
        near = _closest_kind(present)
        if near is None:
            expected = "; ".join(f"{k.name}: {', '.join(k.required)}" for k in KINDS.values())
            raise FileRefused(
                "cannot tell what kind of extract this is from its columns "
                f"(found: {', '.join(staged.columns)}). Expected the required columns of one of — {expected} — "
                "or a mapping file (--mapping) that renames the source's columns"
            )
        kind = near
    missing = [c for c in kind.required if c not in present]
    if missing:
        raise FileRefused(
            f"missing required column(s) for {kind.name}: {', '.join(missing)}. "
            f"Expected: {', '.join(kind.required)}. Found: {', '.join(staged.columns)}"
        )
    # Only keep columns of this kind (others are ignored, e.g. extra source columns).
    source_cols = {c: s for c, s in source_cols.items() if c in kind.names}
    return _Staged(report, staged, kind, source_cols)


def _cpr_scan(con, st: _Staged) -> None:
    """Refuse the file if any column holds something that looks like a CPR number (values never shown)."""
    types = st.staged.types or ["VARCHAR"] * len(st.staged.columns)
    cols = []
    for i, t in enumerate(types):  # text columns as they are; integers as 10-digit text (leading zero lost)
        if t.upper().startswith("VARCHAR"):
            cols.append(f"c{i}")
        elif t.upper() in ("BIGINT", "INTEGER", "HUGEINT", "UBIGINT", "UINTEGER"):
            cols.append(f"CASE WHEN c{i} BETWEEN 100000000 AND 9999999999 THEN lpad(CAST(c{i} AS VARCHAR), 10, '0') END")
        else:  # dates, times, floats, booleans cannot hold a CPR number
            cols.append("CAST(NULL AS VARCHAR)")
    texts = ", ".join(c + " AS t" + str(i) for i, c in enumerate(cols))
    flags = ", ".join("ak_looks_like_cpr(t" + str(i) + ") AS f" + str(i) for i in range(len(cols)))
    exprs = ", ".join(
        "count(*) FILTER (WHERE f" + str(i) + "), min(_line, " + str(CPR_REPORT_MAX_ROWS) + ") FILTER (WHERE f"
        + str(i) + ")" for i in range(len(cols))
    )
    # Stage 1 (fast): rows where any column has ten digits in CPR shape; stage 2: is the start a real date?
    shape = " OR ".join("regexp_matches(t" + str(i) + ", '[0-9]{6}-?[0-9]{4}')" for i in range(len(cols)))
    con.execute("CREATE OR REPLACE TEMP TABLE _cpr_candidates AS SELECT * FROM (SELECT _line, " + texts + " FROM "
                + st.staged.table + ") WHERE " + shape)
    row = con.execute("SELECT " + exprs + " FROM (SELECT _line, " + flags + " FROM _cpr_candidates)").fetchone()
    hits = []
    for i, name in enumerate(st.staged.columns):
        n, lines = row[2 * i], row[2 * i + 1]
        if n:
            more = f" and {n - len(lines):,} more" if n > len(lines) else ""
            hits.append(f"column '{name}' (column {i + 1}) on line(s) {', '.join(map(str, lines))}{more}")
    if hits:
        raise FileRefused(
            "it contains values that look like CPR numbers (ddmmyy-xxxx or 10 digits starting "
            "with a date): " + "; ".join(hits) + ". The values are not shown. Remove or pseudonymise these "
            "columns and deliver the file again"
        )


def _source_types(st: _Staged) -> dict[str, str]:
    """Native DuckDB types of the source columns (Parquet); empty for text files."""
    if st.staged.types is None:
        return {}
    return {canon: st.staged.types[int(c[1:])] for canon, c in st.source_cols.items()}


def _validate_into(con, st: _Staged, idx: int, mapping: Mapping, munis: list[int], now: datetime, bar,
                   target: str, first: bool) -> None:
    """Parse and check the staged rows of one file into ``target`` (created when ``first``), in chunks so
    that progress can be shown; the staging table is dropped afterwards to free memory."""
    n = st.staged.n_rows
    for lo in range(0, max(n, 1), CHUNK_ROWS):
        params = SqlParams()  # each chunk's SQL gets its own parameters
        where = "rowid >= " + str(lo) + " AND rowid < " + str(lo + CHUNK_ROWS)
        sql = typed_select(st.kind, st.source_cols, table=st.staged.table, value_maps=mapping.values,
                           municipality_codes=munis, now=now, params=params, where=where,
                           source_types=_source_types(st))
        if first:
            con.execute("CREATE OR REPLACE TEMP TABLE " + target + " AS SELECT " + str(idx) + " AS _file_idx, * FROM (" + sql + ")", params.values)
            first = False
        else:
            con.execute("INSERT INTO " + target + " SELECT " + str(idx) + " AS _file_idx, * FROM (" + sql + ")", params.values)
        if bar is not None:
            bar.update(min(CHUNK_ROWS, n - lo))
    con.execute("DROP TABLE " + st.staged.table)


def _validate_folk1a(con, st: _Staged, idx: int, names: dict[str, int]) -> None:
    """FOLK1A StatBank export → typ_<idx> with canonical population columns (quarters kept as rows)."""
    s = st.source_cols
    p = SqlParams()
    totals = p.add(_TOTAL_WORDS)
    name_keys = p.add(list(names.keys()))
    name_vals = p.add(list(names.values()))
    extra_total = " OR ".join("lower(trim(" + c + ")) IN (SELECT unnest(" + totals + "))" for c in st.extra_cols) or "false"
    area, sex, age, tid, val = s["område"], s["køn"], s["alder"], s["tid"], s["indhold"]
    sql = (
        "SELECT " + str(idx) + " AS _file_idx, *, NULL AS raw_key,"
        " CASE WHEN is_total THEN 'total_row'"
        " WHEN municipality_code IS NULL THEN 'unknown_municipality'"
        " WHEN sex IS NULL THEN 'invalid_sex'"
        " WHEN age_from_raw IS NULL THEN 'invalid_age_band'"
        " WHEN year IS NULL THEN 'unparseable_date'"
        " WHEN population IS NULL OR population < 0 THEN 'unparseable_number' END AS reason_code,"
        " CASE WHEN is_total THEN NULL WHEN municipality_code IS NULL THEN 'område'"
        " WHEN sex IS NULL THEN 'køn' WHEN age_from_raw IS NULL THEN 'alder' WHEN year IS NULL THEN 'tid'"
        " WHEN population IS NULL OR population < 0 THEN 'indhold' END AS bad_column,"
        " CASE WHEN is_total THEN 'a total row (' || raw_area || ' / ' || raw_sex || ' / ' || raw_age || ') is skipped so nothing is counted twice'"
        " WHEN municipality_code IS NULL THEN 'område ''' || raw_area || ''' is not one of the 98 municipalities'"
        " WHEN sex IS NULL THEN 'køn ''' || raw_sex || ''' is not Mænd/Kvinder (Men/Women)'"
        " WHEN age_from_raw IS NULL THEN 'alder ''' || raw_age || ''' is not an age such as ''67 år'''"
        " WHEN year IS NULL THEN 'tid ''' || coalesce(raw_tid, '') || ''' is not a quarter such as 2019K1'"
        " WHEN population IS NULL OR population < 0 THEN 'indhold ''' || coalesce(raw_val, '') || ''' is not a number' END AS reason"
        " FROM (SELECT trim(" + area + ") AS raw_area, trim(" + sex + ") AS raw_sex, trim(" + age + ") AS raw_age,"
        " trim(" + tid + ") AS raw_tid, trim(" + val + ") AS raw_val,"
        " (lower(trim(" + area + ")) IN (SELECT unnest(" + totals + ")) OR lower(trim(" + area + ")) LIKE 'region %'"
        "  OR lower(trim(" + area + ")) LIKE 'landsdel %' OR lower(trim(" + sex + ")) IN (SELECT unnest(" + totals + "))"
        "  OR lower(trim(" + age + ")) IN (SELECT unnest(" + totals + ")) OR " + extra_total + ") AS is_total,"
        " " + name_vals + "[list_position(" + name_keys + ", lower(trim(" + area + ")))] AS municipality_code,"
        " CASE WHEN lower(trim(" + sex + ")) IN ('mænd', 'men', 'm') THEN 'M'"
        "      WHEN lower(trim(" + sex + ")) IN ('kvinder', 'women', 'k', 'f') THEN 'F' END AS sex,"
        " TRY_CAST(regexp_extract(trim(" + age + "), '^([0-9]+)', 1) AS INTEGER) AS age_from_raw,"
        " CASE WHEN regexp_matches(lower(" + age + "), 'og derover|and over|\\+') THEN 120"
        "      ELSE TRY_CAST(regexp_extract(trim(" + age + "), '^([0-9]+)', 1) AS INTEGER) END AS age_to_raw,"
        " TRY_CAST(regexp_extract(trim(" + tid + "), '^([0-9]{4})[KQ][1-4]$', 1) AS INTEGER) AS year,"
        " TRY_CAST(regexp_extract(trim(" + tid + "), '^[0-9]{4}[KQ]([1-4])$', 1) AS INTEGER) AS quarter,"
        " ak_num(" + val + ") AS population, _line FROM " + st.staged.table + ")"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE typ_" + str(idx) + " AS " + sql, p.values)


def _mark_duplicates(con, kind: Kind, tables: list[str]) -> None:
    """Within one delivery: the same key with different content → all such rows quarantined; exact repeats
    → the first kept, later copies quarantined."""
    if kind.name == "population":  # tables aligned by _align_population: one row per quarter
        keycols = ["year", "municipality_code", "sex", "age_from_raw", "quarter"]
        content = ["age_to_raw", "population"]
    else:
        keycols = list(kind.key)
        content = [c for c in kind.names if c not in kind.key]
    if tables == ["typ_all"]:
        pass  # validated straight into typ_all
    elif len(tables) == 1:  # no copy needed
        con.execute("DROP TABLE IF EXISTS typ_all")
        con.execute("ALTER TABLE " + tables[0] + " RENAME TO typ_all")
    else:
        con.execute("DROP TABLE IF EXISTS typ_all")
        con.execute("CREATE TEMP TABLE typ_all AS " + " UNION ALL ".join("SELECT * FROM " + t for t in tables))
    keys = ", ".join(keycols)
    h = "hash(" + ", ".join(content) + ")"
    # Only keys that occur more than once need the content hash and the window functions.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _dupkeys AS SELECT " + keys + " FROM typ_all"
        " WHERE reason_code IS NULL GROUP BY " + keys + " HAVING count(*) > 1"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _dups AS SELECT _file_idx, _line,"
        " count(DISTINCT " + h + ") OVER (PARTITION BY " + keys + ") AS nd,"
        " row_number() OVER w AS rn, first_value(_line) OVER w AS first_line"
        " FROM typ_all SEMI JOIN _dupkeys USING (" + keys + ") WHERE reason_code IS NULL"
        " WINDOW w AS (PARTITION BY " + keys + " ORDER BY _file_idx, _line)"
    )
    con.execute(
        "UPDATE typ_all t SET reason_code = CASE WHEN d.nd > 1 THEN 'conflicting_duplicate' ELSE 'duplicate_row' END,"
        " bad_column = " + repr(keycols[0]) + ","
        " reason = CASE WHEN d.nd > 1 THEN 'the same " + keycols[0] + " appears more than once in this delivery with different content'"
        " ELSE 'an exact repeat of line ' || d.first_line || ' (kept once)' END"
        " FROM _dups d WHERE t._file_idx = d._file_idx AND t._line = d._line AND (d.nd > 1 OR d.rn > 1)"
    )


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE " + table + ")").fetchall()]


def _check_discharges(con) -> None:
    """Discharges need a loaded admission, must not precede it, and 'ready' must lie within the stay."""
    con.execute(
        "UPDATE typ_all t SET reason_code = x.code, bad_column = x.col, reason = x.msg FROM ("
        " SELECT d._file_idx, d._line,"
        " CASE WHEN a.admission_id IS NULL THEN 'discharge_without_admission'"
        "      WHEN d.discharged_at < a.admitted_at THEN 'end_before_start'"
        "      WHEN d.ready_for_discharge_at < a.admitted_at OR d.ready_for_discharge_at > d.discharged_at"
        "      THEN 'ready_outside_stay' END AS code,"
        " CASE WHEN a.admission_id IS NULL THEN 'admission_id' WHEN d.discharged_at < a.admitted_at"
        "      THEN 'discharged_at' ELSE 'ready_for_discharge_at' END AS col,"
        " CASE WHEN a.admission_id IS NULL THEN 'no admission ' || d.admission_id || ' is loaded or in this delivery'"
        "      WHEN d.discharged_at < a.admitted_at THEN 'discharged ' || d.discharged_at || ' before admission ' || a.admitted_at"
        "      ELSE 'ready for discharge ' || d.ready_for_discharge_at || ' lies outside the admission' END AS msg"
        " FROM typ_all d LEFT JOIN admissions a USING (admission_id) WHERE d.reason_code IS NULL) x"
        " WHERE t._file_idx = x._file_idx AND t._line = x._line AND x.code IS NOT NULL"
    )


def _insert_valid(con, kind: Kind, file_ids: dict[int, int]) -> dict[int, int]:
    """Replace existing rows with the same key (corrections) and insert the valid rows.
    Returns replaced-row counts per file index."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _fileid AS SELECT unnest($i) AS _file_idx, unnest($d) AS delivery_id",
        {"i": list(file_ids.keys()), "d": list(file_ids.values())},
    )
    if kind.name == "population":
        # Yearly population: the 1st quarter when the file has it, else the mean of the quarters present.
        quarter = "quarter" if "quarter" in _columns(con, "typ_all") else "1"
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _new AS SELECT year, municipality_code, sex, age_from_raw AS age_from,"
            " age_to_raw AS age_to, CASE WHEN bool_or(q = 1) THEN sum(pop) FILTER (WHERE q = 1)"
            " ELSE sum(pop) / count(DISTINCT q) END AS population, max(_file_idx) AS _file_idx FROM ("
            " SELECT year, municipality_code, sex, age_from_raw, age_to_raw, " + quarter + " AS q, _file_idx,"
            " population AS pop FROM typ_all WHERE reason_code IS NULL)"
            " GROUP BY year, municipality_code, sex, age_from_raw, age_to_raw"
        )
        cols = ["year", "municipality_code", "sex", "age_from", "age_to", "population"]
        source = "_new"
    else:
        cols = kind.names
        source = "(SELECT * FROM typ_all WHERE reason_code IS NULL)"
    key = list(kind.key)
    join = " AND ".join("o." + k + " = n." + k for k in key)
    replaced = dict(con.execute(
        "SELECT n._file_idx, count(*) FROM " + source + " n SEMI JOIN " + kind.table + " o ON " + join + " GROUP BY 1"
    ).fetchall())
    if replaced:
        con.execute("DELETE FROM " + kind.table + " o WHERE EXISTS (SELECT 1 FROM " + source + " n WHERE " + join + ")")
    con.execute(
        "INSERT INTO " + kind.table + " (" + ", ".join(cols) + ", delivery_id) SELECT "
        + ", ".join("n." + c for c in cols) + ", f.delivery_id FROM " + source + " n JOIN _fileid f USING (_file_idx)"
    )
    return replaced


def _progress_bar(total: int, desc: str, enabled: bool):
    if not enabled or total < PROGRESS_MIN_ROWS:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="rows", unit_scale=True, file=sys.stderr, leave=False)


# --------------------------------------------------------------------------------------------------------
def load_files(
    paths: Iterable[str | Path],
    *,
    db_path: str | Path = DEFAULT_DB_PATH,
    mapping: str | Path | None = None,
    progress: bool = False,
    now: datetime | None = None,
) -> IngestReport:
    """Load extract files into the database as one atomic delivery.

    Parameters
    ----------
    paths
        Files (CSV, Parquet, XLSX) or folders (every supported file inside, recursively, in name order).
    db_path
        The DuckDB database; created if missing.
    mapping
        Optional TOML mapping file read on top of the shipped Danish default (``data/mapping/default.toml``).
    progress
        Show progress bars on stderr for files above ``PROGRESS_MIN_ROWS`` rows.
    now
        The time of loading (dates after it are quarantined as ``future_date``); defaults to now.

    Returns
    -------
    IngestReport
        Per file: ``path, kind, read, loaded, quarantined, refused, message`` (and ``status``,
        ``replaced``, ``reasons``). ``report.exit_code`` is 0 when every file loaded, 2 when any was refused.

    Raises
    ------
    IngestError
        When the load cannot start (e.g. the mapping file is broken); the database is unchanged.
    """
    db_path = Path(db_path)
    now = now or datetime.now().replace(microsecond=0)
    try:
        mapping_obj = load_mapping(mapping)
    except ValueError as exc:
        raise IngestError(str(exc)) from exc
    files = _expand(paths)
    reports = [FileReport(path=str(p)) for p in files]
    if not files:
        raise IngestError("no files given (or the folder holds no .csv, .txt, .parquet or .xlsx files)")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(db_path):
        _remove_stale_copies(db_path)
        tmp = db_path.with_name(db_path.name + f".tmp-{os.getpid()}")
        if db_path.exists():
            shutil.copyfile(db_path, tmp)
        workdir = Path(tempfile.mkdtemp(prefix="akutindblik-ingest-"))
        con = duckdb.connect(str(tmp))
        swapped = False
        try:
            con.execute("SET preserve_insertion_order = true")
            con.execute("SET enable_progress_bar = false")  # our own tqdm bars report progress
            con.execute(DDL)
            con.execute(MACROS)
            report = _load(con, files, reports, mapping_obj, workdir, now, progress)
            report.db_path = str(db_path)
            if any(r.status == "loaded" for r in reports):
                con.execute("CHECKPOINT")
                con.close()
                os.replace(tmp, db_path)
                swapped = True
            return report
        finally:
            if not swapped:
                con.close()
                tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
            shutil.rmtree(workdir, ignore_errors=True)


def _load(con, files: list[Path], reports: list[FileReport], mapping: Mapping, workdir: Path, now: datetime,
          progress: bool) -> IngestReport:
    known = dict(con.execute("SELECT sha256, max(loaded_at) FROM deliveries WHERE NOT refused GROUP BY 1").fetchall())
    munis = _municipality_codes()
    seen_here: dict[str, str] = {}
    staged: list[_Staged] = []
    for idx, (path, rep) in enumerate(zip(files, reports)):
        try:
            rep.sha256 = _sha256(path) if path.is_file() else ""
        except OSError as exc:
            rep.refused, rep.status, rep.message = True, "refused", f"{path.name} refused: cannot be read ({exc.strerror})"
            continue
        if rep.sha256 in known:
            rep.status = "unchanged"
            rep.message = f"{path.name}: already loaded on {known[rep.sha256]:%Y-%m-%d %H:%M}; nothing changed"
            continue
        if rep.sha256 and rep.sha256 in seen_here:
            rep.status = "unchanged"
            rep.message = f"{path.name}: the same content as {seen_here[rep.sha256]} in this delivery; loaded once"
            continue
        try:
            st = _stage(con, path, idx, mapping, workdir, rep)
            _cpr_scan(con, st)
        except (readers.FileUnreadable, FileRefused) as exc:
            rep.refused, rep.status = True, "refused"
            rep.read = rep.loaded = rep.quarantined = 0
            rep.message = f"{path} refused: {exc}. Nothing from this file was loaded."
            con.execute("DROP TABLE IF EXISTS stg_" + str(idx))
            continue
        rep.kind = st.kind.name
        seen_here[rep.sha256] = path.name
        staged.append(st)

    next_delivery = con.execute("SELECT coalesce(max(delivery_id), 0) + 1 FROM deliveries").fetchone()[0]
    batch_id = con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM deliveries").fetchone()[0]
    for st in staged:
        st.report.delivery_id = next_delivery
        next_delivery += 1

    names = _municipality_names() if any(s.folk1a for s in staged) else {}
    for kind_name in LOAD_ORDER:
        group = [s for s in staged if s.kind.name == kind_name]
        if not group:
            continue
        kind = KINDS[kind_name]
        tables = []
        for st in group:
            idx = staged.index(st)
            bar = _progress_bar(st.staged.n_rows, f"{Path(st.report.path).name}: checking", progress)
            if st.folk1a:
                _validate_folk1a(con, st, idx, names)
                tables.append(f"typ_{idx}")
            elif kind_name == "population":  # aligned with FOLK1A tables below
                _validate_into(con, st, idx, mapping, munis, now, bar, f"typ_{idx}", True)
                tables.append(f"typ_{idx}")
            else:  # every file of the kind straight into one table: no copies
                _validate_into(con, st, idx, mapping, munis, now, bar, "typ_all", not tables)
                tables[:] = ["typ_all"]
            if bar is not None:
                bar.close()
        # FOLK1A and canonical population files have different intermediate columns: align them.
        if kind_name == "population":
            tables = _align_population(con, tables)
        _mark_duplicates(con, kind, tables)
        if kind_name == "discharges":
            _check_discharges(con)
        file_ids = {staged.index(st): st.report.delivery_id for st in group}
        replaced = _insert_valid(con, kind, file_ids)
        counts = con.execute(
            "SELECT _file_idx, reason_code, count(*) FROM typ_all GROUP BY ALL"
        ).fetchall()
        con.execute(
            "INSERT INTO quarantine SELECT f.delivery_id, $name[f._file_idx + 1], t._line, t.raw_key, t.bad_column,"
            " t.reason_code, t.reason FROM typ_all t JOIN _fileid f USING (_file_idx) WHERE t.reason_code IS NOT NULL",
            {"name": [Path(r.path).name for r in reports]},
        )
        for st in group:
            idx = staged.index(st)
            rep = st.report
            for fidx, code, n in counts:
                if fidx != idx:
                    continue
                if code is None:
                    rep.loaded += n
                else:
                    rep.quarantined += n
                    rep.reasons[code] = rep.reasons.get(code, 0) + n
            rejected = st.staged.rejected
            if rejected:
                con.executemany(
                    "INSERT INTO quarantine VALUES (?, ?, ?, NULL, NULL, 'malformed_line', ?)",
                    [(rep.delivery_id, Path(rep.path).name, r.line, f"malformed CSV line ({r.problem})") for r in rejected],
                )
                rep.quarantined += len(rejected)
                rep.reasons["malformed_line"] = len(rejected)
            rep.replaced = int(replaced.get(idx, 0))
            if rep.read != rep.loaded + rep.quarantined:  # the accounting promise; a breach is a bug
                raise IngestError(f"internal accounting error for {rep.path}: read {rep.read} != loaded {rep.loaded} + quarantined {rep.quarantined}")
            rep.message = _file_message(rep, st)
    for st in staged:
        rep = st.report
        con.execute(
            "INSERT INTO deliveries VALUES ($id, $batch, $path, $name, $sha, $kind, $at, $read, $loaded, $q, $rep, false, $msg)",
            {"id": rep.delivery_id, "batch": batch_id, "path": str(Path(rep.path).resolve()), "name": Path(rep.path).name,
             "sha": rep.sha256, "kind": rep.kind, "at": now, "read": rep.read, "loaded": rep.loaded,
             "q": rep.quarantined, "rep": rep.replaced, "msg": rep.message},
        )
    report = IngestReport(files=reports, db_path="", batch_id=batch_id if staged else None)
    if staged:
        report.derived = _rebuild_derived(con, progress)
    return report


def _align_population(con, tables: list[str]) -> list[str]:
    """Give every population typ_ table the same columns (FOLK1A ones carry a quarter)."""
    out = []
    for t in tables:
        cols = _columns(con, t)
        quarter = "quarter" if "quarter" in cols else "1 AS quarter"
        con.execute(
            "CREATE OR REPLACE TEMP TABLE " + t + "_a AS SELECT _file_idx, year, municipality_code, sex, age_from_raw,"
            " age_to_raw, population, " + quarter + ", _line, raw_key, reason_code, bad_column, reason FROM " + t
        )
        out.append(t + "_a")
    return out


def _file_message(rep: FileReport, st: _Staged) -> str:
    parts = [f"{Path(rep.path).name}: {rep.loaded:,} of {rep.read:,} rows loaded as {rep.kind}"]
    if rep.quarantined:
        top = ", ".join(f"{code} {n:,}" for code, n in sorted(rep.reasons.items(), key=lambda kv: -kv[1]))
        parts.append(f"{rep.quarantined:,} quarantined ({top})")
    if rep.replaced:
        parts.append(f"{rep.replaced:,} corrected rows of earlier deliveries")
    if st.folk1a:
        parts.append("StatBank FOLK1A export: a year's population is its 1st quarter (K1), or the mean of the quarters present")
    if st.staged.encoding == "cp1252":
        parts.append("read as Windows-1252")
    return "; ".join(parts)


def _rebuild_derived(con, progress: bool) -> dict[str, int]:
    from analysis import derived, reference

    if progress:
        print("rebuilding derived tables …", file=sys.stderr, flush=True)
    return derived.rebuild_derived(con, code_lists=reference.code_lists())

"""Rows to files: the extracts in real formats, the deliberate dirty rows, and the truth files.

* ``admissions_YYYY.parquet`` / ``discharges_YYYY.parquet``: canonical column names, one file per year
  (admission year / discharge year), zstd, fixed writer options and no metadata, so the same seed gives
  byte-identical files.
* ``akutfunktion_ophold.csv``: municipal acute-bed stays as a Danish export: semicolon, Windows-1252,
  CRLF, Danish column names and codes from ``data/mapping/default.toml``, dates ``dd-mm-yyyy HH:MM``.
* ``befolkning.csv``: population by year x municipality x sex x 5-year band, semicolon, UTF-8, decimal
  comma (the yearly population is the mean of four quarterly counts).
"""
from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.synthetic import params as P
from analysis.synthetic.events import (DATA_END, DESTINATIONS, D_OTHER_HOSPITAL, EPOCH, ADMISSION_REFERRALS,
                                       AcuteBedStays, HospitalStays, secondary_combinations)

PARQUET_OPTIONS = dict(compression="zstd", compression_level=1, row_group_size=1 << 20,
                       version="2.6", data_page_version="1.0", store_schema=False)
STATISTICS_COLUMNS = ["municipality_code", "age", "admitted_at", "discharged_at", "month", "expected_with",
                      "expected_without"]  # min/max only where a reader filters (string statistics are slow)
DICTIONARY_COLUMNS = ["municipality_code", "sex", "admission_type", "primary_diagnosis", "hospital_code",
                      "secondary_diagnoses", "referral_source", "discharge_destination", "outcome",
                      "region_code"]  # low-cardinality columns; ids and times are not dictionary-encoded
WRITER_THREADS = 2  # the year files are written in parallel (pyarrow and numpy release the GIL)
STAY_SETTINGS_DA = ("seng", "hjemme")
STAY_REFERRALS_DA = ("sygehus", "egen_læge", "lægevagt", "hjemmepleje", "andet")  # order of P.REFERRAL_SOURCES
STAY_OUTCOMES_DA = ("hjem", "indlagt", "død", "andet")  # order of P.STAY_OUTCOMES
STAY_COLUMNS_DA = ("ophold_id", "personnoegle", "kommunekode", "startdato", "slutdato", "opholdstype",
                   "henvist_af", "antal_lægerådgivninger", "udfald", "alder", "koen")


_DIGITS4 = np.array([list(f"{i:04d}".encode()) for i in range(10_000)], dtype=np.uint8)


def ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    """Prefixed, zero-padded ids (``A000000123``): 9 digits never look like a 10-digit CPR number."""
    x = np.asarray(numbers, dtype=np.int64)
    if len(x) and (x.min() < 0 or x.max() >= 10**9):
        raise ValueError("id numbers must lie in 0 .. 999,999,999")
    raw = np.empty((len(x), 10), dtype=np.uint8)
    raw[:, 0] = ord(prefix)
    raw[:, 1] = 48 + x // 10**8
    raw[:, 2:6] = _DIGITS4[(x // 10**4) % 10**4]
    raw[:, 6:10] = _DIGITS4[x % 10**4]
    offsets = pa.py_buffer((np.arange(len(x) + 1, dtype=np.int32) * 10).tobytes())
    return pa.StringArray.from_buffers(len(x), offsets, pa.py_buffer(raw.tobytes()))


def _ts(minutes: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    us = (minutes.astype(np.int64) + int(EPOCH.astype(np.int64))) * 60_000_000
    return pa.array(us, pa.timestamp("us"), mask=None if valid is None else ~valid)


def _take(values, index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    out = pc.take(pa.array(list(values), pa.string()), pa.array(index, pa.int64()))
    if valid is not None:
        out = pc.if_else(pa.array(valid), out, pa.scalar(None, pa.string()))
    return out


@dataclass
class Dirty:
    """The deliberate dirty rows: what was planted, in which file, and the expected quarantine reason."""

    rows: list[dict] = field(default_factory=list)

    def add(self, kind: str, file: str, record_ids, reason: str, what: str) -> None:
        for r in record_ids:
            self.rows.append({"kind": kind, "file": file, "record_id": str(r), "reason_code": reason, "what": what})

    def summary(self) -> dict:
        by_file: dict[str, dict[str, int]] = {}
        by_kind: dict[str, dict[str, int]] = {}
        for r in self.rows:
            for table, key in ((by_file, r["file"]), (by_kind, r["kind"])):
                table.setdefault(key, {}).setdefault(r["reason_code"], 0)
                table[key][r["reason_code"]] += 1
        return {"total": len(self.rows), "by_kind": by_kind, "by_file": by_file, "rows": self.rows}


def n_dirty(rows: int) -> int:
    return max(2, int(round(P.DIRTY_RATE * rows)))


def contact_tables(hs: HospitalStays, geo, rng: np.random.Generator):
    """Admissions and discharges as columns (numpy), one row per contact (transfer legs are contacts)."""
    n = len(hs.t)
    tr = np.flatnonzero(hs.transfer)
    stay = np.concatenate([np.arange(n), tr])  # the stay each contact belongs to
    second = np.concatenate([np.zeros(n, bool), np.ones(len(tr), bool)])
    k = len(stay)
    number = rng.permutation(k) + 1  # admission ids carry no information
    adm_at = np.where(second, hs.split[stay] + hs.gap[stay], hs.start[stay])
    dis_at = np.where(second | ~hs.transfer[stay], hs.end[stay], hs.split[stay])
    last = second | ~hs.transfer[stay]
    dest = np.where(last, hs.dest[stay], D_OTHER_HOSPITAL)
    ready = np.where(last, hs.ready[stay], -1)
    planned = np.array([g.kind == "planned" for g in P.GROUPS])[hs.group[stay]]
    hospital = np.where(second, hs.hospital2[stay], hs.hospital[stay])
    referral = np.where(second, ADMISSION_REFERRALS.index("hospital"), hs.referral[stay])
    return dict(stay=stay, second=second, number=number, admitted=adm_at, discharged=dis_at, dest=dest,
                ready=ready, planned=planned, hospital=hospital, referral=referral,
                person=hs.person[stay], municipality=geo.codes[hs.m[stay]], sex=hs.sex[stay], age=hs.age[stay],
                code=hs.code[stay], secondary=hs.secondary[stay], year=hs.t[stay] // 12)


def _write_parquet(table: pa.Table, path: Path) -> None:
    dictionary = [c for c in table.column_names if c in DICTIONARY_COLUMNS]
    statistics = [c for c in table.column_names if c in STATISTICS_COLUMNS]
    pq.write_table(table.replace_schema_metadata(None), path, use_dictionary=dictionary,
                   write_statistics=statistics, **PARQUET_OPTIONS)


def _extend(c: dict, src: np.ndarray) -> None:
    """Append copies of rows ``src`` to every column of ``c`` (the copies are then made dirty)."""
    for key in list(c):
        c[key] = np.concatenate([c[key], c[key][src]])


def write_hospital_files(out: Path, hs: HospitalStays, geo, rng: np.random.Generator, dirty: Dirty) -> dict:
    """Write admissions and discharges per year, with their dirty rows; return file names and row counts."""
    c = contact_tables(hs, geo, rng)
    k = len(c["stay"])
    has_discharge = c["discharged"] < DATA_END  # stays still running at the data end have no discharge
    years = list(P.YEARS)
    nd = n_dirty(k)
    files: dict[str, dict] = {}
    stats = {"contacts": int(k), "stays": int(len(hs.t)), "transfers": int(hs.transfer.sum()),
             "ongoing_admissions": int((~has_discharge).sum()), "short_stays": int(hs.short.sum())}

    # --- dirty admissions: extra rows (no discharge) with exactly one problem each, plus exact repeats
    first_legs = np.flatnonzero(~c["second"] & has_discharge)
    bad_src = first_legs[rng.choice(len(first_legs), size=4 * nd, replace=False)]
    bad_kind = np.concatenate([np.full(k, -1), np.repeat(np.arange(4), nd)])  # 0 411, 1 age, 2 XYZ, 3 repeat
    a = {key: c[key] for key in ("number", "person", "municipality", "sex", "age", "admitted", "planned", "code",
                                 "hospital", "secondary", "referral")}
    _extend(a, bad_src)
    extra = bad_kind >= 0
    a["number"] = np.where(extra & (bad_kind < 3), 900_000_000 + np.cumsum(extra) - 1, a["number"])
    a["municipality"] = np.where(bad_kind == 0, 411, a["municipality"])
    a["age"] = np.where(bad_kind == 1, 130, a["age"])
    codes = list(hs.codes) + ["XYZ"]
    a["code"] = np.where(bad_kind == 2, len(codes) - 1, a["code"])
    adm_year = (EPOCH + a["admitted"]).astype("datetime64[Y]").astype(int) + 1970
    def write_admissions(year: int) -> tuple[str, int, np.ndarray, np.ndarray]:
        sel = np.flatnonzero(adm_year == year)
        sel = sel[np.argsort((a["admitted"][sel] << 30) + a["number"][sel], kind="stable")]
        table = pa.table({
            "admission_id": ids("A", a["number"][sel]),
            "person_id": ids("P", a["person"][sel]),
            "municipality_code": pa.array(a["municipality"][sel].astype(np.int16)),
            "sex": _take(("F", "M"), a["sex"][sel]),
            "age": pa.array(a["age"][sel].astype(np.int16)),
            "admitted_at": _ts(a["admitted"][sel]),
            "admission_type": _take(("acute", "planned"), a["planned"][sel].astype(np.int64)),
            "primary_diagnosis": _take(codes, a["code"][sel]),
            "hospital_code": _take(hs.hospital_codes, a["hospital"][sel]),
            "secondary_diagnoses": pc.take(pa.array(secondary_combinations(), pa.string()),
                                           pa.array(a["secondary"][sel], pa.int64())),
            "referral_source": _take(ADMISSION_REFERRALS, a["referral"][sel]),
        })
        name = f"admissions_{year}.parquet"
        _write_parquet(table, out / name)
        return name, table.num_rows, bad_kind[sel], a["number"][sel]

    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:  # files are independent: deterministic
        written = list(pool.map(write_admissions, years))
    for name, rows, kinds, number in written:
        files[name] = {"kind": "admissions", "rows": rows}
        for kk, reason, what in ((0, "unknown_municipality", "municipality code 411 (Christiansø)"),
                                 (1, "age_out_of_range", "age 130"),
                                 (2, "invalid_diagnosis", "diagnosis code 'XYZ'"),
                                 (3, "duplicate_row", "an exact repeat of a row of the same file")):
            dirty.add("admissions", name, ids("A", number[kinds == kk]).to_pylist(), reason, what)

    # --- discharges, with dirty rows: end before start, ready after discharge, unknown admission id
    taken = np.zeros(k, dtype=bool)
    taken[bad_src] = True
    pool = np.flatnonzero(has_discharge & ~taken)
    corrupt = pool[rng.choice(len(pool), size=3 * nd, replace=False)]
    end_before, ready_after, ghost_src = corrupt[:nd], corrupt[nd:2 * nd], corrupt[2 * nd:]
    d = {key: c[key] for key in ("number", "admitted", "discharged", "ready", "dest")}
    d["discharged"] = d["discharged"].copy()
    d["ready"] = d["ready"].copy()
    d["discharged"][end_before] = c["admitted"][end_before] - rng.integers(60, 48 * 60, nd)
    d["ready"][end_before] = -1
    d["ready"][ready_after] = c["discharged"][ready_after] + rng.integers(60, 72 * 60, nd)
    d["file_time"] = c["discharged"].copy()  # a corrupted row stays in the file of its true discharge year
    _extend(d, ghost_src)
    d_kind = np.concatenate([np.full(k, -1), np.full(nd, 2)])
    d_kind[end_before], d_kind[ready_after] = 0, 1
    d["number"] = np.where(d_kind == 2, 950_000_000 + np.cumsum(d_kind == 2) - 1, d["number"])
    valid = np.concatenate([has_discharge, np.ones(nd, dtype=bool)])
    dis_year = (EPOCH + d["file_time"]).astype("datetime64[Y]").astype(int) + 1970
    def write_discharges(year: int) -> tuple[str, int, np.ndarray, np.ndarray]:
        sel = np.flatnonzero(valid & (dis_year == year))
        sel = sel[np.argsort((d["file_time"][sel] << 30) + d["number"][sel], kind="stable")]
        table = pa.table({
            "admission_id": ids("A", d["number"][sel]),
            "discharged_at": _ts(d["discharged"][sel]),
            "ready_for_discharge_at": _ts(d["ready"][sel], d["ready"][sel] >= 0),
            "discharge_destination": _take(DESTINATIONS, d["dest"][sel]),
        })
        name = f"discharges_{year}.parquet"
        _write_parquet(table, out / name)
        return name, table.num_rows, d_kind[sel], d["number"][sel]

    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:
        written = list(pool.map(write_discharges, years))
    for name, rows, kinds, number in written:
        files[name] = {"kind": "discharges", "rows": rows}
        for kk, reason, what in ((0, "end_before_start", "discharged before admitted"),
                                 (1, "ready_outside_stay", "ready for discharge after discharge"),
                                 (2, "discharge_without_admission",
                                  "a discharge for an admission id that does not exist")):
            dirty.add("discharges", name, ids("A", number[kinds == kk]).to_pylist(), reason, what)
    return {"files": files, "stats": stats}


def _danish_time(minutes: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return pc.strftime(_ts(minutes, valid), format="%d-%m-%Y %H:%M")


def write_acute_bed_file(out: Path, st: AcuteBedStays, geo, rng: np.random.Generator, dirty: Dirty) -> dict:
    """Write the acute-bed stays as a Danish semicolon / Windows-1252 CSV with Danish names and codes."""
    n = len(st.t)
    number = rng.permutation(n) + 1
    ongoing = st.end < 0
    cols = {
        "ophold_id": ids("S", number),
        "personnoegle": ids("P", st.person),
        "kommunekode": pc.cast(pa.array(geo.codes[st.m]), pa.string()),
        "startdato": _danish_time(st.start),
        "slutdato": _danish_time(st.end, ~ongoing),
        "opholdstype": _take(STAY_SETTINGS_DA, st.setting),
        "henvist_af": _take(STAY_REFERRALS_DA, st.referral),
        "antal_lægerådgivninger": pc.cast(pa.array(st.advice), pa.string()),
        "udfald": _take(STAY_OUTCOMES_DA, np.maximum(st.outcome, 0), ~ongoing),
        "alder": pc.cast(pa.array(st.age), pa.string()),
        "koen": _take(("K", "M"), st.sex),
    }
    table = pa.table(cols)
    nd = n_dirty(n)
    src = rng.choice(np.flatnonzero(~ongoing), size=4 * nd, replace=False)
    kinds = np.repeat(np.arange(4), nd)  # 0 municipality 411, 1 unparseable start, 2 end before start, 3 setting
    bad = table.take(pa.array(src))
    bad = bad.set_column(0, "ophold_id", ids("S", 900_000_000 + np.arange(4 * nd)))
    bad = bad.set_column(2, "kommunekode", pc.if_else(pa.array(kinds == 0), pa.scalar("411"), bad.column(2)))
    bad = bad.set_column(3, "startdato", pc.if_else(pa.array(kinds == 1), pa.scalar("31-02-2020 10:00"),
                                                    bad.column(3)))
    early = _danish_time(st.start[src] - rng.integers(60, 72 * 60, len(src)))
    bad = bad.set_column(4, "slutdato", pc.if_else(pa.array(kinds == 2), early, bad.column(4)))
    bad = bad.set_column(5, "opholdstype", pc.if_else(pa.array(kinds == 3), pa.scalar("ukendt"), bad.column(5)))
    name = "akutfunktion_ophold.csv"
    rid = np.array(bad.column(0).to_pylist())
    for kk, reason, what in ((0, "unknown_municipality", "kommunekode 411 (Christiansø)"),
                             (1, "unparseable_date", "startdato '31-02-2020 10:00'"),
                             (2, "end_before_start", "slutdato before startdato"),
                             (3, "invalid_value", "opholdstype 'ukendt'")):
        dirty.add("acute_bed_stays", name, rid[kinds == kk], reason, what)
    table = pa.concat_tables([table, bad])
    # order by start (as a real export would be), the dirty rows mixed in at their place
    key = np.concatenate([st.start, st.start[src]])
    order = np.lexsort((np.concatenate([number, 900_000_000 + np.arange(4 * nd)]), key))
    table = table.take(pa.array(order))
    write_csv(table, out / name, encoding="cp1252")
    return {"files": {name: {"kind": "acute_bed_stays", "rows": table.num_rows}},
            "stats": {"acute_bed_stays": n, "ongoing_stays": int(ongoing.sum()),
                      "gp_advice_contacts": int(st.advice.sum())}}


def write_csv(table: pa.Table, path: Path, *, encoding: str, sep: str = ";") -> None:
    """Write a table of strings as a semicolon CSV (no quoting needed: no value holds ';' or quotes)."""
    columns = [pc.fill_null(table.column(i).combine_chunks(), "") for i in range(table.num_columns)]
    sep_arr = pa.scalar(sep)
    line = pc.binary_join_element_wise(*columns, sep_arr)
    body = "\r\n".join([sep.join(table.column_names)] + line.to_pylist()) + "\r\n"
    path.write_bytes(body.encode(encoding))


def write_population_file(out: Path, pop: np.ndarray, geo) -> dict:
    """Population per year x municipality x sex x band as ``år;kommunekode;køn;alder;folketal`` (UTF-8)."""
    Y, M, S, B = pop.shape
    yy, mm, ss, bb = (a.ravel() for a in np.meshgrid(np.arange(Y), np.arange(M), np.arange(S), np.arange(B),
                                                      indexing="ij"))
    values = pop.ravel()
    text = pc.replace_substring(pc.cast(pa.array(np.round(values, 2)), pa.string()), ".", ",")
    table = pa.table({
        "år": pc.cast(pa.array(np.array(P.YEARS)[yy]), pa.string()),
        "kommunekode": pc.cast(pa.array(geo.codes[mm]), pa.string()),
        "køn": _take(("K", "M"), ss),
        "alder": _take(P.BAND_LABELS, bb),
        "folketal": text,
    })
    name = "befolkning.csv"
    write_csv(table, out / name, encoding="utf-8")
    return {"files": {name: {"kind": "population", "rows": table.num_rows}}}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

"""Ingest: formats, encodings, validation rules, refusals, CPR, accounting, idempotency, corrections,
atomicity and readers during a load."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import store
from analysis.__main__ import main as cli
from analysis.ingest import IngestError, load_files
from tests.conftest import INGEST_FIXTURES as FX

NOW = datetime(2026, 1, 1)


def load(paths, db, **kw):
    return load_files([FX / p if isinstance(p, str) else p for p in paths], db_path=db, now=NOW, **kw)


def query(db: Path, sql: str, params=None) -> pd.DataFrame:
    con = store.connect_readonly(db)
    try:
        return store.cursor(con).execute(sql, params or {}).df()
    finally:
        con.close()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- formats and encodings ---------------------------------------------------------------------------
GOOD_ADMISSION_FILES = [
    "good_admissions_utf8.csv",
    "good_admissions_utf8bom_semicolon.csv",
    "good_admissions_cp1252_danish.csv",
    "good_admissions.parquet",
    "good_admissions.xlsx",
]


@pytest.mark.parametrize("name", GOOD_ADMISSION_FILES)
def test_every_format_and_encoding_loads_the_same_rows(name, db):
    report = load([name], db)
    f = report.files[0]
    assert (f.kind, f.read, f.loaded, f.quarantined, f.refused) == ("admissions", 2, 2, 0, False)
    rows = query(db, "SELECT admission_id, person_id, municipality_code, sex, age, admitted_at, admission_type,"
                     " primary_diagnosis FROM admissions ORDER BY admission_id")
    assert rows.to_dict("records") == [
        {"admission_id": "A1", "person_id": "P1", "municipality_code": 751, "sex": "F", "age": 82,
         "admitted_at": pd.Timestamp("2019-01-05 10:00"), "admission_type": "acute", "primary_diagnosis": "DJ189"},
        {"admission_id": "A2", "person_id": "P2", "municipality_code": 101, "sex": "M", "age": 70,
         "admitted_at": pd.Timestamp("2019-02-01 08:30"), "admission_type": "planned", "primary_diagnosis": "DI259"},
    ]


def test_windows_1252_text_is_decoded(db):
    report = load(["good_admissions_cp1252_danish.csv"], db)
    assert "Windows-1252" in report.files[0].message
    hospitals = query(db, "SELECT hospital_code FROM admissions ORDER BY admission_id")["hospital_code"].tolist()
    assert hospitals == ["Århus Universitetshospital", "Rigshospitalet Ø"]


def test_all_three_extracts_load_together(db):
    report = load(["good_admissions_utf8.csv", "good_discharges.csv", "good_acute_bed_stays.csv"], db)
    assert report.ok and report.exit_code == 0
    assert [f.kind for f in report.files] == ["admissions", "discharges", "acute_bed_stays"]
    assert [f.quarantined for f in report.files] == [0, 0, 0]
    stays = query(db, "SELECT stay_id, ended_at, outcome FROM acute_bed_stays ORDER BY stay_id")
    assert stays["outcome"].tolist()[0] == "home"
    assert pd.isna(stays["ended_at"].tolist()[1])  # an ongoing stay: no end and no outcome yet


# --- one failing row per rule ------------------------------------------------------------------------
RULES = [
    ("bad_unparseable_date.csv", "unparseable_date", "admitted_at"),
    ("bad_unparseable_number.csv", "unparseable_number", "age"),
    ("bad_unknown_municipality.csv", "unknown_municipality", "municipality_code"),
    ("bad_age_out_of_range.csv", "age_out_of_range", "age"),
    ("bad_invalid_diagnosis.csv", "invalid_diagnosis", "primary_diagnosis"),
    ("bad_invalid_sex.csv", "invalid_sex", "sex"),
    ("bad_invalid_value.csv", "invalid_value", "admission_type"),
    ("bad_missing_value.csv", "missing_value", "person_id"),
    ("bad_future_date.csv", "future_date", "admitted_at"),
    ("bad_duplicate_row.csv", "duplicate_row", "admission_id"),
]


@pytest.mark.parametrize("name,code,column", RULES)
def test_a_row_breaking_a_rule_is_quarantined_with_file_line_column_and_reason(name, code, column, db):
    f = load([name], db).files[0]
    assert (f.read, f.loaded, f.quarantined) == (3, 2, 1)
    q = query(db, 'SELECT file_name, line, "column", reason_code, reason FROM quarantine')
    assert q.to_dict("records")[0] | {"reason": None} == {
        "file_name": name, "line": 4, "column": column, "reason_code": code, "reason": None}
    assert q["reason"][0]  # a sentence a data manager can act on


def test_conflicting_duplicates_quarantine_every_copy(db):
    f = load(["bad_conflicting_duplicate.csv"], db).files[0]
    assert (f.read, f.loaded, f.quarantined) == (3, 1, 2)
    q = query(db, "SELECT line, reason_code FROM quarantine ORDER BY line")
    assert q.to_dict("records") == [{"line": 2, "reason_code": "conflicting_duplicate"},
                                    {"line": 4, "reason_code": "conflicting_duplicate"}]
    assert query(db, "SELECT admission_id FROM admissions")["admission_id"].tolist() == ["A2"]


def test_malformed_csv_line_is_quarantined_not_dropped(db):
    f = load(["bad_malformed_line.csv"], db).files[0]
    assert (f.read, f.loaded, f.quarantined) == (3, 2, 1)
    q = query(db, "SELECT line, reason_code FROM quarantine")
    assert q.to_dict("records") == [{"line": 4, "reason_code": "malformed_line"}]


def test_discharge_rules(db):
    report = load(["good_admissions_utf8.csv", "bad_discharge_rules.csv"], db)
    f = report.files[1]
    assert (f.read, f.loaded, f.quarantined) == (4, 1, 3)
    q = query(db, "SELECT line, reason_code FROM quarantine ORDER BY line")
    assert q.to_dict("records") == [
        {"line": 3, "reason_code": "end_before_start"},
        {"line": 4, "reason_code": "discharge_without_admission"},
        {"line": 5, "reason_code": "discharge_without_admission"},
    ]


def test_stay_ending_before_it_starts(db):
    f = load(["bad_stay_end_before_start.csv"], db).files[0]
    assert (f.loaded, f.quarantined, f.reasons) == (1, 1, {"end_before_start": 1})


def test_population_band_that_spans_two_standard_bands(db):
    f = load(["bad_population_band.csv"], db).files[0]
    assert (f.loaded, f.quarantined, f.reasons) == (1, 1, {"invalid_age_band": 1})


# --- population ----------------------------------------------------------------------------------------
def test_population_bands_with_danish_thousands_separator(db):
    f = load(["good_population_bands.csv"], db).files[0]
    assert (f.kind, f.loaded, f.quarantined) == ("population", 3, 0)
    pop = query(db, "SELECT sex, age_from, age_to, population FROM population ORDER BY sex, age_from")
    assert pop.to_dict("records") == [
        {"sex": "F", "age_from": 65, "age_to": 69, "population": 9876.0},
        {"sex": "F", "age_from": 90, "age_to": 120, "population": 1234.0},
        {"sex": "M", "age_from": 67, "age_to": 67, "population": 1500.0},
    ]


def test_statbank_folk1a_export(db):
    f = load(["good_population_folk1a.csv"], db).files[0]
    # 11 rows: 4 totals (Hele landet, Region Midtjylland, Samsø 'I alt', Aarhus 'Alder i alt') and
    # Christiansø (not a municipality) are quarantined; 6 rows are used.
    assert (f.kind, f.read, f.loaded, f.quarantined) == ("population", 11, 6, 5)
    assert f.reasons == {"total_row": 4, "unknown_municipality": 1}
    assert "1st quarter" in f.message
    pop = query(db, "SELECT year, municipality_code, sex, age_from, age_to, population FROM population"
                    " ORDER BY municipality_code, sex, year")
    assert pop.to_dict("records") == [
        {"year": 2020, "municipality_code": 730, "sex": "F", "age_from": 67, "age_to": 67, "population": 705.0},  # mean K2, K3
        {"year": 2019, "municipality_code": 741, "sex": "F", "age_from": 100, "age_to": 120, "population": 2.0},
        {"year": 2019, "municipality_code": 751, "sex": "F", "age_from": 67, "age_to": 67, "population": 1600.0},
        {"year": 2019, "municipality_code": 751, "sex": "M", "age_from": 67, "age_to": 67, "population": 1500.0},  # K1, not K1+K2
    ]


# --- refused files -------------------------------------------------------------------------------------
REFUSED = [
    ("refused_missing_columns.csv", ["missing required column", "sex", "age", "admission_type", "Found:"]),
    ("refused_empty.csv", ["empty"]),
    ("refused_header_only.csv", ["no data rows"]),
    ("refused_unknown_kind.csv", ["cannot tell what kind", "foo", "admissions:"]),
    ("refused_unsupported.json", ["unsupported file type"]),
    ("refused_broken.parquet", ["Parquet"]),
    ("refused_broken.xlsx", ["Excel"]),
    ("does_not_exist.csv", ["does not exist"]),
]


@pytest.mark.parametrize("name,phrases", REFUSED)
def test_structural_problems_refuse_the_whole_file_and_leave_the_database_unchanged(name, phrases, db):
    load(["good_admissions_utf8.csv"], db)
    before = sha(db)
    report = load([name], db)
    f = report.files[0]
    assert f.refused and f.status == "refused" and not report.ok and report.exit_code == 2
    assert (f.loaded, f.quarantined) == (0, 0)
    assert name in f.message
    for phrase in phrases:
        assert phrase in f.message
    assert sha(db) == before


@pytest.mark.parametrize("name,column,line,value", [
    ("refused_cpr_dash.csv", "note", 3, "010203-1234"),
    ("refused_cpr_10digits.csv", "person_id", 2, "0101031234"),
])
def test_cpr_numbers_refuse_the_file_without_echoing_the_value(name, column, line, value, db, capsys):
    report = load([name], db)
    f = report.files[0]
    assert f.refused and "CPR" in f.message
    assert f"column '{column}'" in f.message and f"line(s) {line}" in f.message
    assert value not in f.message and value[:6] not in f.message
    assert not db.exists()  # nothing loaded, so no database was created
    assert cli(["ingest", "--db", str(db), "--quiet", str(FX / name)]) == 2
    out = capsys.readouterr()
    assert value not in out.out + out.err


def test_a_refused_file_does_not_stop_the_good_ones(db):
    report = load(["good_admissions_utf8.csv", "refused_cpr_dash.csv", "good_discharges.csv"], db)
    assert [f.status for f in report.files] == ["loaded", "refused", "loaded"]
    assert report.exit_code == 2
    assert query(db, "SELECT count(*) AS n FROM discharges")["n"][0] == 2


# --- idempotency and corrections -----------------------------------------------------------------------
def test_the_same_file_twice_changes_nothing_and_says_so(db):
    load(["good_admissions_utf8.csv"], db)
    before = query(db, "SELECT * FROM admissions ORDER BY admission_id")
    n_deliveries = query(db, "SELECT count(*) AS n FROM deliveries")["n"][0]
    report = load(["good_admissions_utf8.csv"], db)
    f = report.files[0]
    assert f.status == "unchanged" and "already loaded" in f.message and report.exit_code == 0
    pd.testing.assert_frame_equal(query(db, "SELECT * FROM admissions ORDER BY admission_id"), before)
    assert query(db, "SELECT count(*) AS n FROM deliveries")["n"][0] == n_deliveries


def test_a_later_delivery_corrects_earlier_rows(db, tmp_path):
    load(["good_admissions_utf8.csv"], db)
    fix = tmp_path / "correction.csv"
    fix.write_text("admission_id,person_id,municipality_code,sex,age,admitted_at,admission_type,primary_diagnosis\n"
                   "A1,P1,751,F,83,2019-01-05 10:00,acute,DN390\nA3,P3,751,M,66,2019-03-01,acute,DE86\n")
    f = load([fix], db).files[0]
    assert (f.loaded, f.replaced) == (2, 1)
    rows = query(db, "SELECT admission_id, age, primary_diagnosis FROM admissions ORDER BY admission_id")
    assert rows.to_dict("records") == [
        {"admission_id": "A1", "age": 83, "primary_diagnosis": "DN390"},
        {"admission_id": "A2", "age": 70, "primary_diagnosis": "DI259"},
        {"admission_id": "A3", "age": 66, "primary_diagnosis": "DE86"},
    ]
    deliveries = query(db, "SELECT file_name, n_replaced FROM deliveries ORDER BY delivery_id")
    assert deliveries.to_dict("records") == [{"file_name": "good_admissions_utf8.csv", "n_replaced": 0},
                                             {"file_name": "correction.csv", "n_replaced": 1}]


# --- diagnosis codes and mapping -----------------------------------------------------------------------
def test_diagnosis_codes_are_normalised_to_one_form(db, tmp_path):
    src = tmp_path / "codes.csv"
    codes = ["DJ189", "DJ18.9", "J18.9", "dj18.9 ", "D50.1", "DD501"]
    src.write_text("admission_id,person_id,municipality_code,sex,age,admitted_at,admission_type,primary_diagnosis\n"
                   + "".join(f"A{i},P{i},751,F,80,2019-01-05,acute,{c}\n" for i, c in enumerate(codes)))
    assert load([src], db).files[0].loaded == 6
    got = query(db, "SELECT primary_diagnosis FROM admissions ORDER BY admission_id")["primary_diagnosis"].tolist()
    assert got == ["DJ189"] * 4 + ["DD501"] * 2


def test_user_mapping_file_renames_columns_and_codes(db, tmp_path):
    src = tmp_path / "own_names.csv"
    src.write_text("id;pers;kom;gender;years;start;kind;dx\nX1;Q1;751;woman;80;2019-01-05;emergency;J18.9\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\nid = "admission_id"\npers = "person_id"\nkom = "municipality_code"\n'
                       'gender = "sex"\nyears = "age"\nstart = "admitted_at"\nkind = "admission_type"\n'
                       'dx = "primary_diagnosis"\n[values.sex]\nwoman = "F"\n[values.admission_type]\n'
                       'emergency = "acute"\n')
    f = load([src], db, mapping=mapping).files[0]
    assert (f.kind, f.loaded) == ("admissions", 1)
    assert query(db, "SELECT sex, admission_type FROM admissions").to_dict("records") == [
        {"sex": "F", "admission_type": "acute"}]


def test_a_broken_mapping_file_stops_the_load_with_a_clear_error(db, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\nfoo = "not_a_column"\n')
    with pytest.raises(IngestError, match="not_a_column.*not a canonical column"):
        load(["good_admissions_utf8.csv"], db, mapping=bad)
    assert not db.exists()


# --- the accounting invariant (property test) ----------------------------------------------------------
CORRUPTIONS = {
    None: None,
    "age": ("age", "abc"),
    "old": ("age", "150"),
    "muni": ("municipality_code", "411"),
    "date": ("admitted_at", "31-02-2019"),
    "dx": ("primary_diagnosis", "??"),
    "sex": ("sex", "Q"),
    "empty": ("person_id", ""),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(list(CORRUPTIONS)), st.integers(0, 5)), min_size=1, max_size=40))
def test_every_row_read_is_loaded_or_quarantined(rows, tmp_path_factory):
    d = tmp_path_factory.mktemp("prop")
    lines = []
    for i, (corruption, dup) in enumerate(rows):
        rec = {"admission_id": f"A{i if dup else 0}", "person_id": f"P{i}", "municipality_code": "751", "sex": "F",
               "age": "80", "admitted_at": "2019-01-05 10:00", "admission_type": "acute", "primary_diagnosis": "DJ189"}
        if CORRUPTIONS[corruption]:
            col, val = CORRUPTIONS[corruption]
            rec[col] = val
        lines.append(",".join(rec.values()))
    src = d / "adm.csv"
    src.write_text(",".join(["admission_id", "person_id", "municipality_code", "sex", "age", "admitted_at",
                             "admission_type", "primary_diagnosis"]) + "\n" + "\n".join(lines) + "\n")
    f = load_files([src], db_path=d / "db.duckdb", now=NOW).files[0]
    assert f.read == len(rows) == f.loaded + f.quarantined
    assert query(d / "db.duckdb", "SELECT count(*) AS n FROM admissions")["n"][0] == f.loaded
    assert query(d / "db.duckdb", "SELECT count(*) AS n FROM quarantine")["n"][0] == f.quarantined
    assert query(d / "db.duckdb", "SELECT sum(n_read) = sum(n_loaded) + sum(n_quarantined) AS ok FROM deliveries")["ok"][0]


# --- atomicity and readers -----------------------------------------------------------------------------
def _big_admissions(path: Path, n: int) -> None:
    ids = [f"A{i:08d}" for i in range(n)]
    pd.DataFrame({
        "admission_id": ids, "person_id": [f"P{i % 50000:06d}" for i in range(n)], "municipality_code": 751,
        "sex": "F", "age": 80, "admitted_at": pd.Timestamp("2019-01-05 10:00"), "admission_type": "acute",
        "primary_diagnosis": "DJ189",
    }).to_parquet(path, index=False)


def test_killing_the_loader_halfway_leaves_the_database_unchanged(db, tmp_path):
    load(["good_admissions_utf8.csv"], db)
    before = sha(db)
    big = tmp_path / "big.parquet"
    _big_admissions(big, 1_500_000)
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "ingest", "--quiet", "--db", str(db), str(big)],
                            cwd=Path(__file__).parent.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(db.parent.glob(db.name + ".tmp-*")) and time.monotonic() < deadline:  # the working copy exists
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL  # it was really killed mid-load (not finished)
    assert sha(db) == before
    assert query(db, "SELECT count(*) AS n FROM admissions")["n"][0] == 2
    # The next load cleans up the killed load's working copy and works normally.
    assert load(["good_discharges.csv"], db).files[0].loaded == 2
    assert not list(db.parent.glob(db.name + ".tmp-*"))


def test_a_reader_keeps_working_during_a_load_and_sees_new_data_afterwards(db):
    load(["good_admissions_utf8.csv"], db)
    reader = store.connect_readonly(db)
    assert store.cursor(reader).execute("SELECT count(*) FROM admissions").fetchone()[0] == 2
    proc = subprocess.run([sys.executable, "-m", "analysis", "ingest", "--quiet", "--db", str(db),
                           str(FX / "bad_duplicate_row.csv")], cwd=Path(__file__).parent.parent,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    # the open reader still answers (from the file it opened) ...
    assert store.cursor(reader).execute("SELECT count(*) FROM admissions").fetchone()[0] == 2
    reader.close()
    # ... and a new connection sees the delivery: A1 and A2 replaced by identical rows, no new ids.
    assert query(db, "SELECT count(*) AS n FROM deliveries")["n"][0] == 2


# --- command line ----------------------------------------------------------------------------------------
def test_cli_prints_a_summary_and_exit_code_zero(db, capsys):
    assert cli(["ingest", "--quiet", "--db", str(db), str(FX / "good_admissions_utf8.csv"),
                str(FX / "bad_age_out_of_range.csv")]) == 0
    out = capsys.readouterr().out
    assert "quarantined" in out and "age_out_of_range 1" in out


def test_cli_loads_a_folder_of_mixed_files(db, tmp_path, capsys):
    folder = tmp_path / "delivery"
    folder.mkdir()
    for name in ["good_admissions_utf8.csv", "good_discharges.csv", "refused_cpr_dash.csv"]:
        (folder / name).write_bytes((FX / name).read_bytes())
    assert cli(["ingest", "--quiet", "--db", str(db), str(folder)]) == 2
    out = capsys.readouterr()
    assert "refused" in out.out and "010203-1234" not in out.out + out.err


def test_progress_bar_for_large_files(db, tmp_path, capsys):
    big = tmp_path / "big.parquet"
    _big_admissions(big, 120_000)
    load([big], db, progress=True)
    assert "rows" in capsys.readouterr().err

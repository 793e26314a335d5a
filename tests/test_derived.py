"""Derived tables: episode stitching, admissions, readmissions, code lists, acute-bed links, cubes.

Every expected value below is worked out by hand in the test (comments show the arithmetic), never
taken from the code's own output. Each test builds a small in-memory DuckDB from ``schema.DDL``.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import constants, schema
from analysis.derived import DERIVED_TABLES, DerivedTablesError, rebuild_derived

T0 = datetime(2020, 3, 2, 8, 0)  # a Monday morning, far from month ends unless a test wants one
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
DAY = timedelta(days=1)


def _code_rows(list_id: str, group: str, *prefixes: str, version: str = "test-1") -> list[dict]:
    return [
        dict(list=list_id, group=group, prefix=p, label_da=group, label_en=group, source="test",
             verified=False, version=version)
        for p in prefixes
    ]


CODE_LISTS = pd.DataFrame(
    _code_rows("dk_preventable_65", "lower_respiratory", "DJ1", "DJ20", "DJ21", "DJ22")
    + _code_rows("dk_preventable_65", "pneumonia_specific", "DJ18")  # longer prefix inside DJ1
    + _code_rows("dk_preventable_65", "uti", "DN390")
    + _code_rows("dk_preventable_65", "fracture", "DS720", "DS721", "DS722")
    + _code_rows("dk_preventable_65_copd", "lower_respiratory", "DJ44")
    + _code_rows("readmission_exclusion", "cancer", "DC")
    + _code_rows("readmission_exclusion", "injury", "DS", "DT")
    + _code_rows("chronic_copd", "copd", "DJ44")
    + _code_rows("chronic_diabetes2", "diabetes2", "DE11")
    + _code_rows("oecd_pqi", "copd", "DJ44")
    + _code_rows("oecd_pqi", "diabetes", "DE1")
    + _code_rows("acsc_purdy2009", "pneumonia", "DJ18")
    + _code_rows("acsc_purdy2009", "influenza_pneumonia", "DJ1")
)

OTHER_DX = "DR69"  # in no list


class Db:
    """A small canonical database built row by row."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.con.execute(schema.DDL)
        self._n = 0

    def contact(self, person: str, admitted: datetime, discharged: datetime | None, *,
                acute: bool = True, dx: str = OTHER_DX, age: int = 70, sex: str = "F", mun: int = 751,
                dest: str = "home", ready: datetime | None = None, cid: str | None = None) -> str:
        self._n += 1
        cid = cid or f"c{self._n:04d}"
        self.con.execute(
            "INSERT INTO admissions VALUES ($id, $p, $m, $s, $age, $at, $type, $dx, NULL, NULL, NULL, 1)",
            {"id": cid, "p": person, "m": mun, "s": sex, "age": age, "at": admitted,
             "type": "acute" if acute else "planned", "dx": dx},
        )
        if discharged is not None:
            self.con.execute(
                "INSERT INTO discharges VALUES ($id, $at, $ready, $dest, 1)",
                {"id": cid, "at": discharged, "ready": ready, "dest": dest},
            )
        return cid

    def stay(self, sid: str, person: str, started: datetime, ended: datetime | None, *, setting: str = "bed",
             age: int | None = 80, sex: str | None = "F", mun: int = 751, gp: int = 1,
             outcome: str | None = "home") -> None:
        self.con.execute(
            "INSERT INTO acute_bed_stays VALUES ($id, $p, $m, $s, $e, $set, 'gp', $gp, $o, $age, $sex, 1)",
            {"id": sid, "p": person, "m": mun, "s": started, "e": ended, "set": setting, "gp": gp,
             "o": None if ended is None else outcome, "age": age, "sex": sex},
        )

    def population(self, year: int, mun: int, sex: str, age_from: int, age_to: int, n: float) -> None:
        self.con.execute(
            "INSERT INTO population VALUES ($y, $m, $s, $a, $b, $n, 1)",
            {"y": year, "m": mun, "s": sex, "a": age_from, "b": age_to, "n": n},
        )

    def build(self, data_end: datetime | None = None, code_lists: pd.DataFrame = CODE_LISTS) -> dict[str, int]:
        return rebuild_derived(self.con, code_lists=code_lists, data_end=data_end)

    def rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        return self.con.execute(sql, params or {}).fetchall()

    def episodes(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM episodes ORDER BY admitted_at").df()

    def episode(self, episode_id: str) -> dict:
        df = self.con.execute("SELECT * FROM episodes WHERE episode_id = $e", {"e": episode_id}).df()
        assert len(df) == 1, f"no single episode {episode_id}"
        return df.iloc[0].to_dict()


@pytest.fixture
def db() -> Db:
    return Db()


# --- Stitching --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("gap", "n_episodes"),
    [
        (timedelta(hours=4), 1),  # exactly 4 h after the discharge: a transfer, one stay
        (timedelta(hours=4, minutes=1), 2),  # 4 h 1 min: two stays
        (timedelta(0), 1),  # back to back
    ],
)
def test_gap_of_four_hours_joins(db: Db, gap: timedelta, n_episodes: int) -> None:
    db.contact("p", T0, T0 + 10 * H, cid="a")
    db.contact("p", T0 + 10 * H + gap, T0 + 30 * H, cid="b")
    db.build()
    assert db.rows("SELECT count(*) FROM episodes")[0][0] == n_episodes


def test_overlapping_contacts_join_and_gap_counts_from_latest_discharge(db: Db) -> None:
    # a: 0-100 h; b nested inside a: 10-20 h; c starts 103 h: 3 h after a's discharge (the latest so far),
    # although 83 h after b's. All three are one stay of 0-130 h.
    db.contact("p", T0, T0 + 100 * H, cid="a", dest="other_hospital")
    db.contact("p", T0 + 10 * H, T0 + 20 * H, cid="b", dest="death")
    db.contact("p", T0 + 103 * H, T0 + 130 * H, cid="c", dest="home_care")
    db.build()
    e = db.episode("a")
    assert db.rows("SELECT count(*) FROM episodes")[0][0] == 1
    assert e["n_contacts"] == 3
    assert e["discharged_at"] == T0 + 130 * H
    assert e["los_hours"] == pytest.approx(130.0)
    assert e["los_days"] == pytest.approx(130 / 24)
    assert e["discharge_destination"] == "home_care"  # c is discharged last
    assert not e["died"]  # b's 'death' is not the stay's end


def test_nested_contact_does_not_decide_destination(db: Db) -> None:
    # a: 0-50 h home; b nested 5-10 h with destination 'other': the stay ends with a (discharged last)
    db.contact("p", T0, T0 + 50 * H, cid="a", dest="home", ready=T0 + 26 * H)
    db.contact("p", T0 + 5 * H, T0 + 10 * H, cid="b", dest="other")
    db.build()
    e = db.episode("a")
    assert e["discharge_destination"] == "home"
    assert e["ready_for_discharge_at"] == T0 + 26 * H
    assert e["faerdig_days"] == pytest.approx(1.0)  # 50 h - 26 h = 24 h = 1 day


def test_three_leg_transfer_chain(db: Db) -> None:
    # a 0-5 h, b 6-20 h (1 h gap), c 24-50 h (exactly 4 h gap): one stay 0-50 h of 3 contacts
    db.contact("p", T0, T0 + 5 * H, cid="a", dest="other_hospital")
    db.contact("p", T0 + 6 * H, T0 + 20 * H, cid="b", dest="other_hospital")
    db.contact("p", T0 + 24 * H, T0 + 50 * H, cid="c", dest="nursing_home", ready=T0 + 2 * H)
    db.build()
    assert db.rows("SELECT count(*) FROM episodes")[0][0] == 1
    e = db.episode("a")
    assert e["n_contacts"] == 3
    assert e["admitted_at"] == T0
    assert e["discharged_at"] == T0 + 50 * H
    assert e["los_hours"] == pytest.approx(50.0)
    assert e["discharge_destination"] == "nursing_home"
    assert e["faerdig_days"] == pytest.approx(48 / 24)  # ready at 2 h, discharged at 50 h


def test_first_contact_decides_acute_diagnosis_age_and_municipality(db: Db) -> None:
    # planned first leg (age 64, Aarhus, DI21), acute second leg (age 65, Randers, pneumonia)
    db.contact("p", T0, T0 + 3 * H, cid="a", acute=False, dx="DI21", age=64, mun=751)
    db.contact("p", T0 + 4 * H, T0 + 40 * H, cid="b", acute=True, dx="DJ189", age=65, mun=730)
    db.build()
    e = db.episode("a")
    assert (e["is_acute"], e["primary_diagnosis"], e["age"], e["municipality_code"]) == (False, "DI21", 64, 751)
    assert e["age_band"] == "60-64"
    assert pd.isna(e["avoidable_group"])


def test_contacts_of_different_people_never_join(db: Db) -> None:
    db.contact("p", T0, T0 + 10 * H)
    db.contact("q", T0 + 1 * H, T0 + 10 * H)
    db.build()
    assert db.rows("SELECT count(*) FROM episodes")[0][0] == 2


def test_same_start_time_is_ordered_by_admission_id(db: Db) -> None:
    db.contact("p", T0, T0 + 20 * H, cid="z", acute=False)
    db.contact("p", T0, T0 + 30 * H, cid="m", acute=True, dx="DJ189")
    db.build()
    e = db.episode("m")  # 'm' < 'z': the first contact and the episode id
    assert (e["n_contacts"], e["is_acute"], e["los_hours"]) == (2, True, pytest.approx(30.0))


# --- Admission (>= 12 h), ongoing stays ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("los", "is_admission"),
    [(timedelta(hours=12), True), (timedelta(hours=11, minutes=59), False), (timedelta(hours=30), True)],
)
def test_twelve_hours_is_an_admission(db: Db, los: timedelta, is_admission: bool) -> None:
    db.contact("p", T0, T0 + los, cid="a")
    db.build()
    e = db.episode("a")
    assert e["is_admission"] == is_admission
    assert e["los_hours"] == pytest.approx(los.total_seconds() / 3600)


def test_ongoing_episode(db: Db) -> None:
    # a discharged at 10 h; b starts 12 h (2 h gap) and has no discharge yet; c starts 10 days later:
    # an ongoing contact reaches to the end of data, so c joins the same (ongoing) stay.
    db.contact("p", T0, T0 + 10 * H, cid="a", dest="other_hospital")
    db.contact("p", T0 + 12 * H, None, cid="b")
    db.contact("p", T0 + 10 * DAY, T0 + 11 * DAY, cid="c")
    db.build()
    eps = db.episodes()
    assert len(eps) == 1
    e = eps.iloc[0]
    assert e["n_contacts"] == 3
    assert pd.isna(e["discharged_at"]) and pd.isna(e["los_hours"]) and pd.isna(e["los_days"])
    assert bool(e["is_admission"])  # ongoing counts as an admission
    assert not bool(e["is_readmission_index"])  # not discharged: no index
    assert pd.isna(e["discharge_destination"]) and not bool(e["died"])
    assert e["faerdig_days"] == 0.0


def test_data_quality_flags_open_stays_that_are_probably_missing_a_discharge(db: Db) -> None:
    end = T0 + 200 * DAY
    # p: no discharge 150 days before the data end (suspect), then two later stays merged into it
    db.contact("p", T0 + 50 * DAY, None, cid="p1")
    db.contact("p", T0 + 80 * DAY, T0 + 81 * DAY, cid="p2")
    db.contact("p", T0 + 120 * DAY, T0 + 122 * DAY, cid="p3")
    # q: still admitted at the end, 10 days in (normal); r: exactly 90 days before the end (not beyond it)
    db.contact("q", end - 10 * DAY, None, cid="q1")
    db.contact("r", end - 90 * DAY, None, cid="r1")
    db.contact("s", T0, T0 + DAY, cid="s1")  # discharged: not open
    # p1's discharge row was quarantined (the likely cause); s1's quarantined row was corrected and loaded;
    # a quarantined discharge for an admission that does not exist says nothing about open stays
    db.con.execute("INSERT INTO deliveries (delivery_id, batch_id, path, file_name, kind, sha256, loaded_at, n_read, "
                   "n_loaded, n_quarantined, n_replaced, refused, message) VALUES (7, 1, '/in/d.csv', 'd.csv', "
                   "'discharges', 'x', TIMESTAMP '2020-01-01', 3, 0, 3, 0, false, '')")
    for record in ("p1", "s1", "ghost"):
        db.con.execute("INSERT INTO quarantine VALUES (7, 'd.csv', 2, $r, 'discharged_at', 'end_before_start', "
                       "'x')", {"r": record})
    db.build(data_end=end)
    checks = dict(db.rows("SELECT check_id, n FROM data_quality"))
    assert checks == {"open_stays": 3, "open_stays_suspect": 1, "contacts_merged_into_suspect": 2,
                      "admissions_discharge_quarantined": 1}


def test_ongoing_short_contact_alone(db: Db) -> None:
    db.contact("p", T0, None, cid="a")
    db.build()
    e = db.episode("a")
    assert bool(e["is_admission"]) and pd.isna(e["discharged_at"])
    assert db.rows("SELECT count(*) FROM agg_los_hist_month")[0][0] == 0  # no known LOS


def test_faerdig_days_never_negative(db: Db) -> None:
    db.contact("p", T0, T0 + 48 * H, cid="a", ready=T0 + 50 * H)  # ready after discharge: 0
    db.contact("q", T0, T0 + 48 * H, cid="b", ready=T0 + 12 * H)  # 36 h = 1.5 days
    db.contact("r", T0, T0 + 48 * H, cid="c")  # none: 0
    db.build()
    assert db.episode("a")["faerdig_days"] == 0.0
    assert db.episode("b")["faerdig_days"] == pytest.approx(1.5)
    assert db.episode("c")["faerdig_days"] == 0.0


# --- Readmissions -------------------------------------------------------------------------------------

DATA_END = datetime(2021, 1, 1)  # far after T0: nothing near T0 is censored


def _index_and_next(db: Db, gap: timedelta) -> None:
    """An index stay of 48 h, then an acute 24 h stay starting `gap` after its discharge."""
    db.contact("p", T0, T0 + 48 * H, cid="idx")
    start = T0 + 48 * H + gap
    db.contact("p", start, start + 24 * H, cid="re")


@pytest.mark.parametrize(
    ("gap", "readmitted", "days"),
    [
        (timedelta(days=30), True, 30.0),  # exactly 30 x 24 h after discharge counts
        (timedelta(days=30, minutes=1), False, None),
        (timedelta(hours=6), True, 0.25),  # same day: 6 h after discharge (beyond the 4 h transfer gap)
        (timedelta(days=10), True, 10.0),
    ],
)
def test_readmission_window(db: Db, gap: timedelta, readmitted: bool, days: float | None) -> None:
    _index_and_next(db, gap)
    db.build(data_end=DATA_END)
    idx = db.episode("idx")
    assert bool(idx["is_readmission_index"]) and not bool(idx["readmission_censored"])
    assert bool(idx["readmitted_30d"]) == readmitted
    if days is None:
        assert pd.isna(idx["days_to_readmission"])
    else:
        assert idx["days_to_readmission"] == pytest.approx(days)
    assert bool(db.episode("re")["is_readmission"]) == readmitted


def test_death_is_no_index(db: Db) -> None:
    db.contact("p", T0, T0 + 48 * H, cid="idx", dest="death")
    db.contact("p", T0 + 5 * DAY, T0 + 6 * DAY, cid="re")  # (impossible in life, but shows the rule)
    db.build(data_end=DATA_END)
    idx = db.episode("idx")
    assert bool(idx["died"]) and not bool(idx["is_readmission_index"])
    assert pd.isna(idx["readmitted_30d"])
    assert not bool(db.episode("re")["is_readmission"])


def test_excluded_diagnosis_on_index_side(db: Db) -> None:
    db.contact("p", T0, T0 + 48 * H, cid="idx", dx="DC509")  # cancer index: not an index
    db.contact("p", T0 + 5 * DAY, T0 + 6 * DAY, cid="re")
    db.build(data_end=DATA_END)
    idx = db.episode("idx")
    assert bool(idx["readmission_excluded"]) and not bool(idx["is_readmission_index"])
    assert not bool(db.episode("re")["is_readmission"])


def test_excluded_diagnosis_on_readmission_side_and_first_qualifying_counts(db: Db) -> None:
    # index 0-48 h; cancer readmission on day 5 (not counted); planned admission on day 10 (not counted);
    # short acute contact on day 12 (6 h: not an admission); acute admission on day 20 counts:
    # its start is 20 days - 48 h = 18 days after the index discharge.
    db.contact("p", T0, T0 + 48 * H, cid="idx")
    db.contact("p", T0 + 5 * DAY, T0 + 6 * DAY, cid="cancer", dx="DC509")
    db.contact("p", T0 + 10 * DAY, T0 + 11 * DAY, cid="planned", acute=False)
    db.contact("p", T0 + 12 * DAY, T0 + 12 * DAY + 6 * H, cid="short")
    db.contact("p", T0 + 20 * DAY, T0 + 21 * DAY, cid="acute")
    db.build(data_end=DATA_END)
    idx = db.episode("idx")
    assert bool(idx["readmitted_30d"])
    assert idx["days_to_readmission"] == pytest.approx(18.0)
    # 'planned' is not acute, so no readmission, but it is an index itself (24 h, alive, not excluded):
    # 'acute' starts 9 days after its discharge (day 20 - day 11) and is a readmission of it.
    flags = {r[0]: r[1] for r in db.rows("SELECT episode_id, is_readmission FROM episodes")}
    assert flags == {"idx": False, "cancer": False, "planned": False, "short": False, "acute": True}
    planned = db.episode("planned")
    assert bool(planned["readmitted_30d"]) and planned["days_to_readmission"] == pytest.approx(9.0)
    assert not bool(db.episode("short")["is_readmission_index"])  # 6 h: no admission


def test_readmission_chain_episode_is_both_index_and_readmission(db: Db) -> None:
    # a 0-2 days; b day 10-12 (8 days after a); c day 20-21 (8 days after b)
    db.contact("p", T0, T0 + 2 * DAY, cid="a")
    db.contact("p", T0 + 10 * DAY, T0 + 12 * DAY, cid="b")
    db.contact("p", T0 + 20 * DAY, T0 + 21 * DAY, cid="c")
    db.build(data_end=DATA_END)
    b = db.episode("b")
    assert bool(b["is_readmission"]) and bool(b["is_readmission_index"]) and bool(b["readmitted_30d"])
    assert db.episode("a")["days_to_readmission"] == pytest.approx(8.0)
    assert db.episode("b")["days_to_readmission"] == pytest.approx(8.0)
    assert not bool(db.episode("c")["readmitted_30d"])  # nothing after c


@pytest.mark.parametrize(
    ("discharge_offset", "censored"),
    [
        (timedelta(0), False),  # discharged exactly at data_end - 30 days: the window is complete
        (MIN, True),  # one minute later: censored
    ],
)
def test_censoring_at_data_end(db: Db, discharge_offset: timedelta, censored: bool) -> None:
    data_end = datetime(2020, 6, 30, 12, 0)
    discharged = data_end - timedelta(days=30) + discharge_offset
    db.contact("p", discharged - 48 * H, discharged, cid="idx")
    db.build(data_end=data_end)
    idx = db.episode("idx")
    assert bool(idx["is_readmission_index"])
    assert bool(idx["readmission_censored"]) == censored
    if censored:
        assert pd.isna(idx["readmitted_30d"])
    else:
        assert idx["readmitted_30d"] == False  # noqa: E712 (a known "no", not NULL)
    agg = db.rows("SELECT sum(readmission_index) FROM agg_episodes_month")[0][0]
    assert agg == (0 if censored else 1)


def test_data_end_defaults_to_latest_admission(db: Db) -> None:
    # index discharged 2020-05-01; latest admission 2020-05-20 -> data_end - 30 d = 2020-04-20 < discharge:
    # censored. The later contact is another person's.
    db.contact("p", datetime(2020, 4, 29), datetime(2020, 5, 1), cid="idx")
    db.contact("q", datetime(2020, 5, 20), datetime(2020, 5, 21), cid="late")
    db.build()
    assert bool(db.episode("idx")["readmission_censored"])
    assert db.rows("SELECT DISTINCT data_end FROM derived_meta")[0][0] == datetime(2020, 5, 20)


def test_short_index_is_no_index(db: Db) -> None:
    db.contact("p", T0, T0 + 11 * H, cid="idx")
    db.contact("p", T0 + 2 * DAY, T0 + 3 * DAY, cid="re")
    db.build(data_end=DATA_END)
    assert not bool(db.episode("idx")["is_readmission_index"])
    assert not bool(db.episode("re")["is_readmission"])


# --- Code lists -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("age", "acute", "dx", "group"),
    [
        (65, True, "DN390", "uti"),
        (64, True, "DN390", None),  # under 65
        (65, False, "DN390", None),  # planned
        (90, True, "DS721", "fracture"),
        (80, True, OTHER_DX, None),
    ],
)
def test_avoidable_only_for_acute_65_plus(db: Db, age: int, acute: bool, dx: str, group: str | None) -> None:
    db.contact("p", T0, T0 + 2 * H, cid="a", age=age, acute=acute, dx=dx)  # a 2 h stay still counts
    db.build()
    got = db.episode("a")["avoidable_group"]
    assert (None if pd.isna(got) else got) == group


@pytest.mark.parametrize(
    ("dx", "preventable", "acsc"),
    [
        ("DJ189", "pneumonia_specific", "pneumonia"),  # DJ18 is longer than DJ1 in both lists
        ("DJ159", "lower_respiratory", "influenza_pneumonia"),  # only DJ1 matches
        ("DJ209", "lower_respiratory", None),
        ("DJ449", None, None),  # COPD: not in the default list
    ],
)
def test_longest_prefix_wins(db: Db, dx: str, preventable: str | None, acsc: str | None) -> None:
    db.contact("p", T0, T0 + 20 * H, cid="a", dx=dx, age=75)
    db.build()
    e = db.episode("a")
    assert (None if pd.isna(e["avoidable_group"]) else e["avoidable_group"]) == preventable
    assert (None if pd.isna(e["acsc_group"]) else e["acsc_group"]) == acsc


def test_copd_addon_chronic_oecd_groups(db: Db) -> None:
    db.contact("p", T0, T0 + 20 * H, cid="a", dx="DJ441", age=75)
    db.contact("q", T0, T0 + 20 * H, cid="b", dx="DE119", age=50)
    db.build()
    a, b = db.episode("a"), db.episode("b")
    assert (a["copd_addon_group"], a["chronic_group"], a["oecd_group"]) == ("lower_respiratory", "copd", "copd")
    assert pd.isna(a["avoidable_group"])
    assert (b["chronic_group"], b["oecd_group"]) == ("diabetes2", "diabetes")
    assert pd.isna(b["copd_addon_group"])
    assert a["code_list_version"] == "test-1"


def test_code_lists_are_stored_normalised(db: Db) -> None:
    cl = pd.DataFrame(_code_rows("dk_preventable_65", "uti", "dn39.0"))
    db.contact("p", T0, T0 + 20 * H, cid="a", dx="DN390")
    db.build(code_lists=cl)
    assert db.rows("SELECT prefix FROM code_lists") == [("DN390",)]
    assert db.episode("a")["avoidable_group"] == "uti"


def test_missing_code_list_column_is_refused(db: Db) -> None:
    with pytest.raises(DerivedTablesError, match="version"):
        db.build(code_lists=CODE_LISTS.drop(columns=["version"]))


def test_shipped_code_lists_smoke() -> None:
    path = constants.REFERENCE_DIR / "diagnosis_codes.csv"
    if not path.exists():
        pytest.skip("no shipped diagnosis_codes.csv")
    cl = pd.read_csv(path, dtype=str, keep_default_na=False)
    db = Db()
    db.contact("p", T0, T0 + 30 * H, cid="a", dx="DJ189", age=80)  # pneumonia: lower respiratory
    db.contact("q", T0, T0 + 30 * H, cid="b", dx="DN390", age=80)  # urinary tract infection
    db.contact("r", T0, T0 + 30 * H, cid="c", dx="DC509", age=80)  # breast cancer
    counts = db.build(code_lists=cl)
    assert counts["code_lists"] == len(cl)
    assert not pd.isna(db.episode("a")["avoidable_group"])
    assert not pd.isna(db.episode("b")["avoidable_group"])
    assert bool(db.episode("c")["readmission_excluded"])


# --- Age bands, population ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("age", "band"), [(0, "0-4"), (64, "60-64"), (65, "65-69"), (89, "85-89"), (90, "90+"), (120, "90+")]
)
def test_age_band_labels(db: Db, age: int, band: str) -> None:
    db.contact("p", T0, T0 + 20 * H, cid="a", age=age)
    db.build()
    assert db.episode("a")["age_band"] == band


def test_population_into_esp_bands(db: Db) -> None:
    for age, n in zip(range(65, 70), (100, 110, 120, 130, 140)):  # single years 65..69: 600 in all
        db.population(2020, 751, "F", age, age, n)
    db.population(2020, 751, "F", 70, 74, 500)  # a 5-year band as delivered
    db.population(2020, 751, "F", 90, 120, 40)  # 90+
    db.population(2020, 751, "M", 60, 69, 999)  # straddles 60-64 and 65-69: kept, band unknown
    db.population(2021, 751, "F", 65, 65, 7)
    db.build()
    got = {(r[0], r[1], r[2], r[3]): r[4] for r in db.rows("SELECT * FROM agg_population_year")}
    assert got == {
        (2020, 751, "F", "65-69"): 600.0,
        (2020, 751, "F", "70-74"): 500.0,
        (2020, 751, "F", "90+"): 40.0,
        (2020, 751, "M", None): 999.0,
        (2021, 751, "F", "65-69"): 7.0,
    }


# --- Acute-bed stays --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("after_end", "acute", "within_7", "within_30"),
    [
        (timedelta(0), True, True, True),  # admitted the moment the stay ends
        (timedelta(days=7), True, True, True),  # exactly 7 days
        (timedelta(days=7, minutes=1), True, False, True),
        (timedelta(days=30), True, False, True),  # exactly 30 days
        (timedelta(days=30, minutes=1), True, False, False),
        (timedelta(days=2), False, False, False),  # planned contacts do not count
        (-timedelta(days=1), True, False, False),  # before the end: not "after the stay"
    ],
)
def test_acute_bed_links(db: Db, after_end: timedelta, acute: bool, within_7: bool, within_30: bool) -> None:
    end = datetime(2020, 5, 10, 9, 0)
    db.stay("s", "p", end - 4 * DAY, end, outcome="hospital")
    db.contact("p", end + after_end, end + after_end + 30 * H, acute=acute)
    db.build()
    row = db.rows("SELECT admitted_within_7d, admitted_within_30d, stay_days, age_band FROM acute_bed_stay_links")[0]
    assert row == (within_7, within_30, pytest.approx(4.0), "80-84")


def test_acute_bed_ongoing_and_unknown_age(db: Db) -> None:
    db.stay("s", "p", datetime(2020, 5, 1), None, age=None, sex=None)
    db.contact("p", datetime(2020, 5, 3), datetime(2020, 5, 4))
    db.build()
    row = db.rows("SELECT admitted_within_7d, admitted_within_30d, stay_days, age_band FROM acute_bed_stay_links")[0]
    assert row == (None, None, None, None)
    assert db.rows("SELECT stays, ongoing, admitted_within_7d FROM agg_acute_bed_month") == [(1, 1, 0)]


def test_acute_bed_month_cube(db: Db) -> None:
    db.stay("s1", "p", datetime(2020, 5, 1), datetime(2020, 5, 3), gp=2)  # 2 days
    db.stay("s2", "q", datetime(2020, 5, 20), datetime(2020, 5, 21, 12), gp=3)  # 1.5 days
    db.contact("q", datetime(2020, 5, 25), datetime(2020, 5, 26))  # 3.5 days after s2: both windows
    db.build()
    rows = db.rows(
        "SELECT month, stays, stay_days, gp_advice_contacts, admitted_within_7d, admitted_within_30d, ongoing"
        " FROM agg_acute_bed_month"
    )
    assert rows == [(datetime(2020, 5, 1).date(), 2, pytest.approx(3.5), 5, 1, 1, 0)]


def test_occupancy_split_across_months(db: Db) -> None:
    # s1: 31 Jan 12:00 - 2 Feb 00:00 -> January 0.5 days, February 1.0 day
    db.stay("s1", "p", datetime(2020, 1, 31, 12), datetime(2020, 2, 2))
    # s2 ongoing from 30 Mar 00:00; data_end 2 Apr 12:00 -> March 2 days, April 1.5 days
    db.stay("s2", "q", datetime(2020, 3, 30), None)
    # s3: 28 Feb 00:00 - 2 Mar 00:00 (2020 is a leap year) -> February 2 days, March 1 day; at home
    db.stay("s3", "r", datetime(2020, 2, 28), datetime(2020, 3, 2), setting="home")
    db.build(data_end=datetime(2020, 4, 2, 12))
    got = {(r[0].month, r[1]): (r[2], r[3]) for r in db.rows(
        "SELECT month, setting, bed_days, stays FROM agg_acute_bed_occupancy_month")}
    assert got == {
        (1, "bed"): (pytest.approx(0.5), 1),
        (2, "bed"): (pytest.approx(1.0), 1),
        (3, "bed"): (pytest.approx(2.0), 1),
        (4, "bed"): (pytest.approx(1.5), 1),
        (2, "home"): (pytest.approx(2.0), 1),
        (3, "home"): (pytest.approx(1.0), 1),
    }


# --- Cubes ------------------------------------------------------------------------------------------------

def test_episode_cube_by_hand(db: Db) -> None:
    # Two acute pneumonia stays of women aged 80 in Aarhus, March 2020: 24 h and 36 h; the first is an
    # index readmitted after 5 days (the second); one planned 6 h stay of a man aged 40.
    db.contact("p", T0, T0 + 24 * H, dx="DJ189", age=80)
    db.contact("p", T0 + 24 * H + 5 * DAY, T0 + 24 * H + 5 * DAY + 36 * H, dx="DJ189", age=80)
    db.contact("q", T0, T0 + 6 * H, acute=False, age=40, sex="M")
    db.build(data_end=DATA_END)
    rows = db.rows(
        "SELECT sex, age_band, is_acute, is_admission, avoidable_group, episodes, bed_days, los_hours_sum,"
        " readmission_index, readmitted, readmissions FROM agg_episodes_month ORDER BY sex"
    )
    assert rows == [
        ("F", "80-84", True, True, "pneumonia_specific", 2, pytest.approx(2.5), pytest.approx(60.0), 2, 1, 1),
        ("M", "40-44", False, False, None, 1, pytest.approx(0.25), pytest.approx(6.0), 0, 0, 0),
    ]
    hist = db.rows("SELECT age_group, los_day, episodes FROM agg_los_hist_month ORDER BY los_day")
    assert hist == [("80+", 1, 2)]  # 1.0 and 1.5 days -> both in day 1; the 6 h stay is no admission
    disch = db.rows("SELECT age_group, discharge_destination, episodes FROM agg_discharge_month ORDER BY age_group")
    assert disch == [("0-64", "home", 1), ("80+", "home", 2)]


def test_los_histogram_caps_at_60(db: Db) -> None:
    db.contact("p", T0, T0 + 75 * DAY, cid="a")
    db.contact("q", T0, T0 + 59 * DAY + 23 * H, cid="b")
    db.build()
    assert db.rows("SELECT los_day, episodes FROM agg_los_hist_month ORDER BY los_day") == [(59, 1), (60, 1)]


def test_counts_and_meta(db: Db) -> None:
    db.contact("p", T0, T0 + 20 * H)
    counts = db.build()
    assert set(counts) == set(DERIVED_TABLES)
    assert counts["episodes"] == 1 and counts["age_bands"] == len(constants.AGE_BANDS)
    meta = dict(db.rows("SELECT table_name, n_rows FROM derived_meta"))
    assert meta == counts


def test_error_propagates_and_setting_is_restored(db: Db) -> None:
    db.con.execute("DROP TABLE discharges")
    with pytest.raises(duckdb.CatalogException):
        db.build()
    assert db.rows("SELECT current_setting('preserve_insertion_order')")[0][0] is True


def test_setting_restored_after_success(db: Db) -> None:
    db.build()
    assert db.rows("SELECT current_setting('preserve_insertion_order')")[0][0] is True


def test_timezone_aware_data_end_is_refused(db: Db) -> None:
    from datetime import timezone

    with pytest.raises(DerivedTablesError, match="time zone"):
        db.build(data_end=datetime(2020, 1, 1, tzinfo=timezone.utc))


def test_empty_database_builds(db: Db) -> None:
    counts = db.build()
    assert counts["episodes"] == 0 and counts["agg_episodes_month"] == 0


def test_rebuild_is_idempotent(db: Db) -> None:
    db.contact("p", T0, T0 + 20 * H, dx="DJ189")
    first = db.build(data_end=DATA_END)
    second = db.build(data_end=DATA_END)
    assert first == second


# --- Property: cubes add up to the episodes; stitching matches a plain-Python oracle ---------------------

def _oracle_episode_sizes(contacts: list[tuple[str, str, datetime, datetime | None]]) -> list[int]:
    """Plain-Python stitching: sorted contacts, running latest discharge, gap <= 4 h joins."""
    sizes: list[int] = []
    by_person: dict[str, list] = {}
    for cid, person, start, end in contacts:
        by_person.setdefault(person, []).append((start, cid, end))
    for items in by_person.values():
        items.sort()
        latest = None
        for start, _cid, end in items:
            end_key = end if end is not None else datetime(9000, 1, 1)
            if latest is None or start > latest + timedelta(hours=constants.TRANSFER_GAP_HOURS):
                sizes.append(1)
                latest = end_key
            else:
                sizes[-1] += 1
                latest = max(latest, end_key)
    return sorted(sizes)


contact_strategy = st.tuples(
    st.sampled_from(["p1", "p2", "p3"]),
    st.integers(min_value=0, max_value=24 * 80),  # start hour within ~80 days
    st.one_of(st.none(), st.integers(min_value=0, max_value=24 * 20)),  # length in hours, None = ongoing
    st.booleans(),  # acute
    st.sampled_from(["DJ189", "DN390", "DC509", OTHER_DX, "DE119"]),
    st.sampled_from([30, 66, 85]),
    st.sampled_from(["home", "death", "home_care"]),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(contact_strategy, min_size=0, max_size=12))
def test_cubes_sum_to_episode_totals(rows: list[tuple]) -> None:
    db = Db()
    base = datetime(2020, 1, 20)
    oracle_input = []
    for i, (person, start_h, len_h, acute, dx, age, dest) in enumerate(rows):
        start = base + timedelta(hours=start_h)
        end = None if len_h is None else start + timedelta(hours=len_h)
        cid = db.contact(person, start, end, acute=acute, dx=dx, age=age, dest=dest, cid=f"c{i:03d}")
        oracle_input.append((cid, person, start, end))
    db.build()
    n_episodes, n_known = db.rows(
        "SELECT count(*), count(*) FILTER (WHERE is_admission AND los_days IS NOT NULL) FROM episodes")[0]
    sizes = [r[0] for r in db.rows("SELECT n_contacts FROM episodes ORDER BY n_contacts")]
    assert sizes == _oracle_episode_sizes(oracle_input)
    assert sum(sizes) == len(rows)
    assert (db.rows("SELECT coalesce(sum(episodes), 0) FROM agg_episodes_month")[0][0]) == n_episodes
    assert (db.rows("SELECT coalesce(sum(episodes), 0) FROM agg_discharge_month")[0][0]) == n_episodes
    assert (db.rows("SELECT coalesce(sum(episodes), 0) FROM agg_los_hist_month")[0][0]) == n_known
    bed_days = db.rows("SELECT coalesce(sum(los_days), 0) FROM episodes")[0][0]
    assert db.rows("SELECT coalesce(sum(bed_days), 0) FROM agg_episodes_month")[0][0] == pytest.approx(bed_days)
    idx = db.rows("SELECT count(*) FILTER (WHERE is_readmission_index AND NOT readmission_censored),"
                  " count(*) FILTER (WHERE readmitted_30d) FROM episodes")[0]
    assert db.rows("SELECT coalesce(sum(readmission_index), 0), coalesce(sum(readmitted), 0)"
                   " FROM agg_episodes_month")[0] == idx
    # episodes of a person never overlap and are more than 4 h apart
    gaps = db.rows("""
        SELECT min(admitted_at - prev_end) FROM (
            SELECT admitted_at, lag(discharged_at) OVER (PARTITION BY person_id ORDER BY admitted_at) AS prev_end
            FROM episodes) WHERE prev_end IS NOT NULL""")[0][0]
    assert gaps is None or gaps > timedelta(hours=constants.TRANSFER_GAP_HOURS)

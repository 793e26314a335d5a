"""Query functions over the aggregate tables, on a small hand-made database with hand-calculated answers.

The database is loaded through the normal ingest (``analysis.ingest.load_files``) from CSV files written
here. Every expected number is worked out in the comments beside it.

Population 2019 (aged 65-69 only, plus 40-44 for the all-ages checks):
  Aarhus (751): F 65-69 30,000, M 65-69 30,000 (65+: 60,000), F 40-44 100,000, M 40-44 100,000
  Randers (730): F 65-69 5,000, M 65-69 5,000 (65+: 10,000)
Hospital stays (all 2019):
  Aarhus: 12 women aged 67, acute, DJ189 (lower respiratory: avoidable), two a month Jan-Jun, 48 h each;
          the first 5 ready for discharge 12 h before discharge (0.5 færdigbehandlingsdag each);
          2 of them readmitted acutely (DR69, not avoidable) 10 days after discharge, 48 h each;
          1 planned stay of a woman aged 40 on 20 Dec (the data end: later indexes are censored).
  Randers: 3 men aged 67, acute, DN390 (urinary tract infection: avoidable), 10 March, 48 h.
Acute-function stays (Aarhus, March 2019): 10 women aged 67, acute beds, 5 days each, 6 referred by the GP,
  4 by the hospital, 1 GP advisory contact each, all home afterwards.
"""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis import disclosure, indicators, queries, reference, store
from analysis.filters import Filters
from analysis.ingest import load_files

Z = 1.959963984540054  # 97.5 % point of the standard normal
NOW = datetime(2026, 1, 1)
YEAR_2019 = dict(start="2019-01", end="2019-12")
AARHUS = Filters(area="muni:751", **YEAR_2019)
RANDERS = Filters(area="muni:730", **YEAR_2019)
REGION = Filters(area="region:1082", **YEAR_2019)


def _byar(o: float) -> tuple[float, float]:
    """Byar's limits for an observed count (Breslow & Day 1987, p. 69), written out independently."""
    lo = o * (1 - 1 / (9 * o) - Z / (3 * math.sqrt(o))) ** 3
    hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + Z / (3 * math.sqrt(o + 1))) ** 3
    return lo, hi


def _wilson(x: float, n: float) -> tuple[float, float]:
    """Wilson score interval (Newcombe 1998, method 3), as fractions."""
    centre = 2 * x + Z**2
    root = Z * math.sqrt(Z**2 + 4 * x * (1 - x / n))
    return (centre - root) / (2 * (n + Z**2)), (centre + root) / (2 * (n + Z**2))


def _write_files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    pop = pd.DataFrame(
        [(2019, 751, "F", "65-69", 30000), (2019, 751, "M", "65-69", 30000),
         (2019, 751, "F", "40-44", 100000), (2019, 751, "M", "40-44", 100000),
         (2019, 730, "F", "65-69", 5000), (2019, 730, "M", "65-69", 5000)],
        columns=["year", "municipality_code", "sex", "age", "population"])
    adm, dis = [], []

    def stay(aid, person, mun, sex, age, at, hours, kind, dx, ready=None):
        adm.append(dict(admission_id=aid, person_id=person, municipality_code=mun, sex=sex, age=age,
                        admitted_at=at.strftime("%Y-%m-%d %H:%M"), admission_type=kind, primary_diagnosis=dx))
        end = at + timedelta(hours=hours)
        dis.append(dict(admission_id=aid, discharged_at=end.strftime("%Y-%m-%d %H:%M"),
                        ready_for_discharge_at=(end - timedelta(hours=ready)).strftime("%Y-%m-%d %H:%M") if ready else "",
                        discharge_destination="home"))
        return end

    for i in range(12):
        month, day = 1 + i // 2, 5 if i % 2 == 0 else 15
        end = stay(f"A{i:03d}", f"P{i:03d}", 751, "F", 67, datetime(2019, month, day, 8), 48, "acute", "DJ189",
                   ready=12 if i < 5 else None)
        if i < 2:  # readmitted 10 days after discharge
            stay(f"R{i:03d}", f"P{i:03d}", 751, "F", 67, end + timedelta(days=10), 48, "acute", "DR69")
    stay("Z001", "P900", 751, "F", 40, datetime(2019, 12, 20, 8), 24, "planned", "DZ000")
    for i in range(3):
        stay(f"B{i:03d}", f"Q{i:03d}", 730, "M", 67, datetime(2019, 3, 10, 8), 48, "acute", "DN390")
    stays = pd.DataFrame([
        dict(stay_id=f"S{i:03d}", person_id=f"T{i:03d}", municipality_code=751,
             started_at=f"2019-03-{i + 1:02d} 10:00", ended_at=f"2019-03-{i + 6:02d} 10:00", setting="bed",
             referral_source="gp" if i < 6 else "hospital", gp_advice_contacts=1, outcome="home", age=67, sex="F")
        for i in range(10)])
    paths = [folder / "population.csv", folder / "admissions.csv", folder / "discharges.csv", folder / "stays.csv"]
    for frame, path in zip((pop, pd.DataFrame(adm), pd.DataFrame(dis), stays), paths):
        frame.to_csv(path, index=False)
    return paths


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("queries")
    report = load_files(_write_files(folder / "files"), db_path=folder / "db.duckdb", now=NOW)
    assert report.exit_code == 0, [f.message for f in report.files]
    assert all(f.quarantined == 0 for f in report.files), [f.message for f in report.files]
    connection = store.connect_readonly(folder / "db.duckdb")
    yield connection
    connection.close()


def _one(df: pd.DataFrame) -> dict:
    assert len(df) == 1
    return df.iloc[0].to_dict()


# --- availability --------------------------------------------------------------------------------------------
def test_data_range_and_has_data(con):
    assert queries.has_data(con)
    assert queries.data_range(con) == ("2019-01", "2019-12")


def test_empty_database_gives_empty_frames(tmp_path):
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    empty = store.connect_readonly(tmp_path / "empty.duckdb")
    assert not queries.has_data(empty) and queries.data_range(empty) is None
    for frame in (queries.indicator_value(empty, Filters(), "avoidable_65_per_1000"),
                  queries.indicator_trend(empty, Filters(), "acute_per_1000"),
                  queries.indicator_by_municipality(empty, Filters(), "avoidable_65_per_1000"),
                  queries.key_figures(empty, Filters()), queries.los_trend(empty, Filters()),
                  queries.coverage(empty), queries.acute_bed_gp_advice(empty, Filters())):
        assert frame.empty


# --- the avoidable-admissions indicator -------------------------------------------------------------------------
def test_avoidable_rate_aarhus_by_hand(con):
    row = _one(queries.indicator_value(con, AARHUS, "avoidable_65_per_1000"))
    # 12 stays / (60,000 citizens 65+ x 12/12 years) x 1,000 = 0.2 per 1,000 per year
    assert row["count"] == 12 and row["denominator"] == pytest.approx(60000)
    assert row["value"] == pytest.approx(0.2)
    lo, hi = _byar(12)
    assert (row["lower"], row["upper"]) == pytest.approx((lo / 60, hi / 60))  # per 1,000 of 60,000
    assert row["method"] == "Byar" and not row["suppressed"] and row["standardised"] is False


def test_avoidable_rate_half_year_uses_person_years(con):
    f = Filters(area="muni:751", start="2019-01", end="2019-06")
    # the same 12 stays over 60,000 x 6/12 = 30,000 person-years: 0.4 per 1,000 per year
    assert _one(queries.indicator_value(con, f, "avoidable_65_per_1000"))["value"] == pytest.approx(0.4)


def test_small_count_is_suppressed(con):
    row = _one(queries.indicator_value(con, RANDERS, "avoidable_65_per_1000"))
    # 3 stays in Randers: count, rate and interval hidden
    assert row["suppressed"] and pd.isna(row["count"]) and np.isnan(row["value"])
    assert np.isnan(row["lower"]) and np.isnan(row["upper"])


def test_standardised_rate_by_hand(con):
    f = Filters(area="muni:751", standardised=True, **YEAR_2019)
    row = _one(queries.indicator_value(con, f, "avoidable_65_per_1000"))
    # strata 65-69 F (12 / 30,000) and 65-69 M (0 / 30,000), equal ESP weights (5,500 each):
    # DSR = (0.0004 + 0) / 2 x 1,000 = 0.2; Dobson limits
    # every woman had one avoidable stay in 2019, so the repeat-events variance is the Poisson one
    assert row["standardised"] and row["method"] == "Dobson (non-independent events)"
    assert "repeat admissions" in row["note"]
    assert row["value"] == pytest.approx(0.2)
    var = 0.25 * 12 / 30000**2
    lo, hi = _byar(12)
    scale = math.sqrt(var / 12)
    assert row["lower"] == pytest.approx((0.0002 + scale * (lo - 12)) * 1000)
    assert row["upper"] == pytest.approx((0.0002 + scale * (hi - 12)) * 1000)


def test_standardised_rate_with_repeat_admissions_by_hand(con):
    # Acute stays 65+ in Aarhus 2019: 12 women with one stay each, two of whom were readmitted (P000 and
    # P001: two stays each) -> 14 events; people with k events: 10 x 1 and 2 x 2, so sum k^2 P = 10 + 8 = 18.
    # PHE "DSRs for non-independent events": Var = sum_i (w_i / n_i)^2 sum_k k^2 P_ik
    #   = 0.5^2 x 18 / 30,000^2 (strata F and M 65-69, equal ESP weights; no men with events).
    f = Filters(area="muni:751", standardised=True, **YEAR_2019)
    row = _one(queries.indicator_value(con, f, "acute_per_1000"))
    assert row["method"] == "Dobson (non-independent events)"
    dsr = 0.5 * 14 / 30000
    assert row["value"] == pytest.approx(dsr * 1000)
    lo, hi = _byar(14)
    scale = math.sqrt(0.25 * 18 / 30000**2 / 14)
    assert row["lower"] == pytest.approx((dsr + scale * (lo - 14)) * 1000)
    assert row["upper"] == pytest.approx((dsr + scale * (hi - 14)) * 1000)
    # wider than the plain Dobson interval (variance 0.25 x 14 / 30,000^2)
    plain = math.sqrt(0.25 * 14 / 30000**2 / 14)
    assert row["upper"] - row["lower"] == pytest.approx((hi - lo) * scale * 1000)
    assert scale > plain


def test_standardised_to_the_regions_own_population_by_hand(con):
    # All ages, Aarhus 2019: 14 acute stays of women 65-69 (30,000); strata F/M 40-44 and F/M 65-69.
    # ESP 2013 weights 7,000 / 7,000 / 5,500 / 5,500 -> women 65-69 weigh 5,500 / 25,000 = 0.22.
    # Region Midtjylland 2019 (Aarhus + Randers): 100,000 / 100,000 / 35,000 / 35,000 -> 35 / 270.
    esp = Filters(area="muni:751", age_group="all", standardised=True, **YEAR_2019)
    row = _one(queries.indicator_value(con, esp, "acute_per_1000"))
    assert row["value"] == pytest.approx(0.22 * 14 / 30000 * 1000)
    own = replace(esp, standard_year=2019)
    row = _one(queries.indicator_value(con, own, "acute_per_1000"))
    w = 35 / 270
    assert row["value"] == pytest.approx(w * 14 / 30000 * 1000)
    lo, hi = _byar(14)
    scale = math.sqrt(w**2 * 18 / 30000**2 / 14)
    assert row["lower"] == pytest.approx((w * 14 / 30000 + scale * (lo - 14)) * 1000)
    # a year without population falls back to ESP 2013 and says so
    row = _one(queries.indicator_value(con, replace(esp, standard_year=2016), "acute_per_1000"))
    assert row["value"] == pytest.approx(0.22 * 14 / 30000 * 1000)
    assert "no population for Region Midtjylland 2016" in row["note"]


def test_definition_and_groups_narrow_the_count(con):
    uti = Filters(area="region:1082", diagnosis_groups=("urinary_tract_infection",), **YEAR_2019)
    row = _one(queries.indicator_value(con, uti, "avoidable_65_per_1000"))
    assert row["suppressed"]  # only Randers' 3 urinary infections
    resp = Filters(area="region:1082", diagnosis_groups=("lower_respiratory",), **YEAR_2019)
    # Aarhus' 12 over the region's 65+ population with data (60,000 + 10,000 = 70,000)
    assert _one(queries.indicator_value(con, resp, "avoidable_65_per_1000"))["value"] == pytest.approx(12 / 70)


def test_age_group_outside_the_indicator(con):
    f = Filters(area="muni:751", age_group="0-64", **YEAR_2019)
    row = _one(queries.indicator_value(con, f, "avoidable_65_per_1000"))
    assert np.isnan(row["value"]) and "65+" in row["note"]


# --- other indicators ---------------------------------------------------------------------------------------------
def test_acute_rate_65_and_all_ages(con):
    # 12 avoidable + 2 readmissions = 14 acute stays 65+; the planned stay does not count
    assert _one(queries.indicator_value(con, AARHUS, "acute_per_1000"))["value"] == pytest.approx(14 / 60)
    all_ages = Filters(area="muni:751", age_group="all", **YEAR_2019)
    # 14 / 260,000 x 1,000
    assert _one(queries.indicator_value(con, all_ages, "acute_per_1000"))["value"] == pytest.approx(14 / 260)


def test_readmission_share_is_suppressed_on_small_numerator(con):
    row = _one(queries.indicator_value(con, AARHUS, "readmission_30d_pct"))
    # 14 uncensored index admissions, 2 readmitted: 2 is below 5, so the share is hidden
    assert row["suppressed"] and pd.isna(row["count"]) and np.isnan(row["value"])
    assert row["denominator"] == 14


def test_length_of_stay(con):
    mean = _one(queries.indicator_value(con, AARHUS, "los_mean_days"))
    assert mean["value"] == pytest.approx(2.0) and mean["denominator"] == 14  # 14 stays of 48 h
    median = _one(queries.indicator_value(con, AARHUS, "los_median_days"))
    # all 14 in the 1-day bin [2, 3): grouped-data interpolation at position 14/2 = 7 gives 2 + 7/14 = 2.5
    assert median["value"] == pytest.approx(2.5) and median["n"] == 14


def test_bed_days_and_faerdig(con):
    row = _one(queries.indicator_value(con, AARHUS, "bed_days_per_1000"))
    assert row["count"] == pytest.approx(28) and row["value"] == pytest.approx(28 / 60)  # 14 x 2 days
    row = _one(queries.indicator_value(con, AARHUS, "faerdig_days_per_1000"))
    assert row["count"] == pytest.approx(2.5) and row["n"] == 5  # 5 stays x 0.5 day
    assert row["value"] == pytest.approx(2.5 / 60)
    cost = _one(queries.indicator_value(con, AARHUS, "faerdig_cost_dkk"))
    assert cost["value"] == pytest.approx(2.5 * 2000)  # 2019 price 2,000 DKK/day (reference file)
    by_year = queries.faerdig_cost_by_year(con, AARHUS)
    assert by_year[["year", "faerdig_days", "stays", "cost_dkk"]].to_dict("records") == [
        {"year": 2019, "faerdig_days": pytest.approx(2.5), "stays": 5, "cost_dkk": pytest.approx(5000)}]


def test_acute_bed_indicators(con):
    assert _one(queries.indicator_value(con, AARHUS, "acute_bed_stays_per_1000_65"))["value"] == pytest.approx(10 / 60)
    share = _one(queries.indicator_value(con, AARHUS, "acute_bed_gp_share_pct"))
    lo, hi = _wilson(6, 10)
    assert share["value"] == pytest.approx(60) and (share["lower"], share["upper"]) == pytest.approx((lo * 100, hi * 100))
    seven = _one(queries.indicator_value(con, AARHUS, "acute_bed_admitted_7d_pct"))
    assert seven["count"] == 0 and seven["value"] == 0  # zero is shown
    occ = _one(queries.indicator_value(con, AARHUS, "acute_bed_occupancy_pct"))
    # 10 stays x 5 days = 50 bed-days against 19 beds (Aarhus, reference) x 31 days of March
    # (the only month of acute-bed data)
    assert occ["count"] == pytest.approx(50) and occ["value"] == pytest.approx(50 / (19 * 31) * 100)


@pytest.mark.parametrize("indicator_id", indicators.ids())
@pytest.mark.parametrize("area", ["muni:751", "region:1082", "national"])
def test_every_indicator_computes(con, indicator_id, area):
    f = Filters(area=area, **YEAR_2019)
    row = _one(queries.indicator_value(con, f, indicator_id))
    assert row["suppressed"] or np.isfinite(row["value"]), row
    events = indicator_id in ("avoidable_65_per_1000", "acute_per_1000", "acute_bed_stays_per_1000_65") or (
        indicators.get(indicator_id).statistic == "proportion" and indicator_id != "acute_bed_occupancy_pct")
    # "count" is a count of stays for these; for the others it is days (or DKK), and "n" holds the stays
    disclosure.assert_no_disclosive_counts(pd.DataFrame([row]), count_cols=["n", "count"] if events else ["n"])
    trend = queries.indicator_trend(con, f, indicator_id, period="quarter")
    assert len(trend) and set(trend.columns) >= {"period", "value", "lower", "upper", "suppressed"}
    by_muni = queries.indicator_by_municipality(con, f, indicator_id)
    assert len(by_muni) == (98 if area == "national" else 19)


# --- trends, municipalities, breakdowns -------------------------------------------------------------------------
def test_monthly_trend_hides_small_months(con):
    t = queries.indicator_trend(con, AARHUS, "avoidable_65_per_1000")
    assert list(t["period"].dt.month) == list(range(1, 13))
    first_half, second_half = t.iloc[:6], t.iloc[6:]
    assert first_half["suppressed"].all() and first_half["value"].isna().all()  # 2 stays a month
    assert (second_half["count"] == 0).all() and (second_half["value"] == 0).all()  # zeros shown
    q = queries.indicator_trend(con, AARHUS, "avoidable_65_per_1000", period="quarter")
    # Q1: 6 stays over 60,000 x 3/12 = 15,000 person-years = 0.4 per 1,000 per year
    assert q["value"].tolist() == pytest.approx([0.4, 0.4, 0.0, 0.0])


def test_by_municipality(con):
    df = queries.indicator_by_municipality(con, REGION, "avoidable_65_per_1000")
    aarhus = df.set_index("municipality_code").loc[751]
    randers = df.set_index("municipality_code").loc[730]
    assert randers["suppressed"] and pd.isna(randers["count"])
    # Randers (3) is the only hidden cell of the region; Aarhus (12) is the smallest other non-zero
    # cell, so it is hidden too, or 15 - 0 - ... would give Randers back
    assert aarhus["suppressed"] and pd.isna(aarhus["count"])
    # expected for Aarhus from the region's stratum rates: 65-69 F 12/35,000, 65-69 M 3/35,000
    assert aarhus["expected"] == pytest.approx(30000 * 12 / 35000 + 30000 * 3 / 35000)
    assert aarhus["benchmark_name"] == "Region Midtjylland"
    assert aarhus["benchmark_value"] == pytest.approx(15 / 70)  # 15 stays / 70,000 person-years
    assert aarhus["comparison"] == "not_compared"  # suppressed values are not compared
    horsens = df.set_index("municipality_code").loc[615]
    assert not horsens["suppressed"] and np.isnan(horsens["value"])  # no population rows: no rate
    assert df["in_selection"].all()


def test_breakdowns(con):
    by_sex = queries.breakdown(con, AARHUS, "avoidable_65_per_1000", by="sex").set_index("category")
    assert by_sex.loc["F", "value"] == pytest.approx(12 / 30)  # 12 / 30,000 women x 1,000
    assert by_sex.loc["M", "count"] == 0
    groups = queries.breakdown(con, REGION, "avoidable_65_per_1000", by="diagnosis_group")
    assert set(groups["category"]) == {"lower_respiratory", "urinary_tract_infection"}
    assert groups["suppressed"].all()  # 3 hidden, and 12 hidden to protect it
    with pytest.raises(queries.QueryError):
        queries.breakdown(con, AARHUS, "acute_bed_occupancy_pct", by="sex")


def test_key_figures(con):
    kf = queries.key_figures(con, AARHUS).set_index("indicator_id")
    assert list(kf.index) == list(queries.HEADLINE_INDICATORS)
    assert kf.loc["avoidable_65_per_1000", "value"] == pytest.approx(0.2)
    assert kf.loc["avoidable_65_per_1000", "region_value"] == pytest.approx(15 / 70)  # 15 / 70,000 x 1,000
    assert kf.loc["avoidable_65_per_1000", "spark_years"] == [2019]
    assert kf.loc["avoidable_65_per_1000", "direction"] is None  # one full year only
    assert kf.loc["avoidable_65_per_1000", "trend"] is None  # fewer than 5 points


# --- LOS, discharge, readmissions, acute functions, coverage ------------------------------------------------------
def test_los_trend(con):
    t = queries.los_trend(con, Filters(area="muni:751", start="2019-01", end="2019-03"), period="quarter")
    # Q1: 6 avoidable stays + 2 readmissions = 8 acute admissions of 2 days
    row = _one(t)
    assert row["episodes"] == 8 and row["mean_days"] == pytest.approx(2.0)
    assert row["median_days"] == pytest.approx(2.5) and row["p90_days"] == pytest.approx(2 + 7.2 / 8)


def test_discharge_destinations(con):
    d = queries.discharge_destinations(con, AARHUS, period="year")
    assert d[["destination", "episodes", "share_pct"]].to_dict("records") == [
        {"destination": "home", "episodes": 14, "share_pct": pytest.approx(100.0)}]


def test_readmission_causes(con):
    r = queries.readmission_causes(con, AARHUS)
    # the 2 readmissions are DR69 (no group): "other", hidden as a count of 2
    assert r["group"].tolist() == ["other"] and r["suppressed"].all() and r["basis"].iloc[0] == "readmission"


def test_acute_functions(con):
    march = Filters(area="muni:751", start="2019-03", end="2019-03")
    ref = queries.acute_bed_referrals(con, march).set_index("referral_source")
    # hospital 4 is hidden, and GP 6 with it (else 10 - 6 gives it back)
    assert ref["suppressed"].all() and ref["stays"].isna().all()
    year = queries.acute_bed_referrals(con, AARHUS, period="year").set_index("referral_source")
    assert year["suppressed"].all()
    out = queries.acute_bed_outcomes(con, march)
    assert out["outcome"].tolist() == ["home"] and out["stays"].tolist() == [10]
    trend = queries.acute_bed_trend(con, march).set_index("setting")
    assert trend.loc["bed", "stays"] == 10 and trend.loc["bed", "value"] == pytest.approx(10 / 5)  # 5,000 p-y
    occ = _one(queries.acute_bed_occupancy(con, march))
    assert occ["beds"] == pytest.approx(19) and occ["occupancy_pct"] == pytest.approx(50 / 589 * 100)
    advice = _one(queries.acute_bed_gp_advice(con, march))
    assert advice["gp_advice_contacts"] == 10 and not advice["in_agreement"] and advice["cost_dkk"] == 0


def test_coverage(con):
    cov = queries.coverage(con)
    aarhus_jan = cov[(cov["municipality_code"] == 751) & (cov["month"] == "2019-01-01")].iloc[0]
    assert pd.isna(aarhus_jan["episodes"])  # 2 avoidable + 2 readmissions in January: 4 < 5, hidden
    disclosure.assert_no_disclosive_counts(cov, count_cols=["episodes", "acute_bed_stays"])


# --- smoke test on the synthetic demo (built once for the module) --------------------------------------------
@pytest.fixture(scope="module")
def demo_con(demo_db):
    connection = store.connect_readonly(demo_db)  # the session's scale-0.02 national demo (tests/conftest.py)
    yield connection
    connection.close()


_MUNICIPALITIES = [int(c) for c in reference.municipalities()["municipality_code"]]
_PAGE_QUERIES = ("los_trend", "bed_days_trend", "discharge_destinations", "faerdig_cost_by_year", "readmission_causes",
                 "acute_bed_trend", "acute_bed_occupancy", "acute_bed_referrals", "acute_bed_outcomes",
                 "acute_bed_gp_advice")
_PEOPLE_COUNTS = ("episodes", "stays", "index_episodes", "readmitted")  # counts of stays in the page frames


@pytest.mark.slow
def test_every_single_municipality_on_every_page_query(demo_con):
    """Each of the 98 municipalities alone, through every query a page makes (the page AppTests take a sample of
    10; this covers all): no error, and no count from 1 to 4 visible in any frame a page shows. The parts that
    do not depend on the municipality (region and country figures, the region's comparison) are computed once,
    as the pages' caches do."""
    failures = []
    compared = {}
    for code in _MUNICIPALITIES:
        f = Filters(area=f"muni:{code}")
        frames = [(i, queries.key_figure(demo_con, f, i)) for i in queries.HEADLINE_INDICATORS]
        frames += [(i, queries.indicator_trend(demo_con, f, i, period="month"))
                   for i in ("avoidable_65_per_1000", "readmission_30d_pct", "faerdig_days_per_1000",
                             "acute_bed_admitted_7d_pct")]
        frames += [("avoidable_65_per_1000", queries.breakdown(demo_con, f, "avoidable_65_per_1000", by=by))
                   for by in queries.BREAKDOWNS]
        view = f.comparison_view()
        if view not in compared:
            compared[view] = queries.indicator_by_municipality(demo_con, view, "avoidable_65_per_1000")
        frames += [(None, getattr(queries, name)(demo_con, f)) for name in _PAGE_QUERIES]
        for indicator_id, frame in frames:
            cols = [c for c in _PEOPLE_COUNTS if c in frame.columns]
            if indicator_id is not None and "suppressed" in frame.columns and "key" not in frame.columns:
                cols += [c for c in queries._count_cols(indicator_id)[0] if c in frame.columns]
            try:
                disclosure.assert_no_disclosive_counts(frame, count_cols=cols)
            except disclosure.DisclosureError as exc:
                failures.append(f"{code} {indicator_id}: {exc}")
    for view, frame in compared.items():
        disclosure.assert_no_disclosive_counts(frame, count_cols=["count"])
    assert not failures, failures[:5]


def test_demo_smoke(demo_con):
    first, last = queries.data_range(demo_con)
    assert (first, last) == ("2016-01", "2022-12")
    f = Filters(start=first, end=last)
    for indicator_id in indicators.ids():
        row = _one(queries.indicator_value(demo_con, f, indicator_id))
        assert np.isfinite(row["value"]), (indicator_id, row)
    avoidable = _one(queries.indicator_value(demo_con, f, "avoidable_65_per_1000"))["value"]
    assert 30 < avoidable < 80  # DOMAIN.md: Midtjylland about 48-55 per 1,000 aged 65+ (demo ~10 % below national)
    kf = queries.key_figures(demo_con, f)
    assert len(kf) == len(queries.HEADLINE_INDICATORS)
    kf = kf.set_index("indicator_id")
    assert kf.loc["avoidable_65_per_1000", "spark_years"] == list(range(2016, 2023))
    assert kf.loc["acute_bed_occupancy_pct", "spark_years"][0] == 2017  # capacity is recorded from 2017
    assert kf.loc["avoidable_65_per_1000", "direction"] in ("up", "down", "unchanged")
    by_muni = queries.indicator_by_municipality(demo_con, replace(f, standardised=True), "avoidable_65_per_1000")
    assert len(by_muni) == 19 and set(by_muni["funnel_flag"]) <= {
        "within", "above_95", "above_99_8", "below_95", "below_99_8", "not_assessed"}
    for frame in (queries.los_trend(demo_con, f), queries.discharge_destinations(demo_con, f),
                  queries.acute_bed_occupancy(demo_con, f), queries.acute_bed_referrals(demo_con, f),
                  queries.readmission_causes(demo_con, f), queries.coverage(demo_con)):
        assert len(frame)


# --- cache sharing: canonical filters give the same answer ------------------------------------------------------
_VARIANTS = [dict(sex="M"), dict(sex="F", age_group="80+"), dict(age_group="all"), dict(standardised=True),
             dict(definition="oecd_pqi"), dict(diagnosis_groups=("dehydration",)), dict(standard_year=2019),
             dict(standardised=True, standard_year=2019, sex="F")]


@pytest.mark.parametrize("indicator_id", indicators.ids())
def test_canonical_filters_change_nothing_but_the_cache_key(con, indicator_id):
    """Pages cache on canonical filters (values the indicator ignores set to one representative): the result
    must be identical, notes included, for every indicator and a spread of filter variants."""
    for variant in _VARIANTS:
        f = replace(REGION, **variant)
        fc = queries.canonical_filters(indicator_id, f)
        for fn in (queries.indicator_value, queries.indicator_trend):
            a, b = fn(con, f, indicator_id), fn(con, fc, indicator_id)
            if "area" in a.columns:  # the filters echoed back
                a, b = a.drop(columns=["area", "area_name"]), b.drop(columns=["area", "area_name"])
            pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=f"{fn.__name__} {indicator_id} {variant}")
    # and it does merge what the indicator ignores
    if indicator_id == "acute_bed_occupancy_pct":
        assert queries.canonical_filters(indicator_id, replace(REGION, sex="M")) == \
            queries.canonical_filters(indicator_id, replace(REGION, sex="F"))


def test_key_figure_region_value_by_hand(con):
    row = _one(queries.key_figure(con, AARHUS, "avoidable_65_per_1000"))
    # Region Midtjylland in the test data: Aarhus' 12 + Randers' 3 avoidable stays over 70,000 aged 65+
    assert row["region_value"] == pytest.approx(15 / 70)
    assert row["national_value"] == pytest.approx(15 / 70)  # nobody else in the country


def _number(v) -> float:
    return float(v) if pd.notna(v) else math.nan


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12)


def _assert_key_figure_agrees(connection, f: Filters, indicator_id: str) -> None:
    """The Overblik's key figure (computed from monthly cubes in numpy) against the SQL path the other pages use
    (indicator_value for the selection, the region and the country; indicator_trend by year for the sparkline):
    the same values, intervals, suppression, notes and years."""
    kf = _one(queries.key_figure(connection, f, indicator_id))
    value = _one(queries.indicator_value(connection, f, indicator_id))
    trend = queries.indicator_trend(connection, f, indicator_id, period="year")
    what = f"{indicator_id} {f}"
    for col in ("value", "lower", "upper"):
        assert _same(kf[col], _number(value[col])), (what, col, kf[col], value[col])
    assert kf["suppressed"] == bool(value["suppressed"]), what
    assert kf["note"] == value["note"] and kf["standardised"] == bool(value["standardised"]), what
    for area, col in (("region:1082", "region_value"), ("national", "national_value")):
        other = _one(queries.indicator_value(connection, replace(f, area=area), indicator_id))
        assert _same(kf[col], _number(other["value"])), (what, col, kf[col], other["value"])
    assert kf["spark_years"] == [p.year for p in trend["period"]], what
    assert all(_same(a, _number(b)) for a, b in zip(kf["spark_values"], trend["value"], strict=True)), what


_KF_VARIANTS = [dict(), dict(sex="M", age_group="80+"), dict(age_group="0-64"), dict(age_group="all", sex="F"),
                dict(standardised=True), dict(standardised=True, standard_year=2019, sex="F"),
                dict(definition="oecd_pqi", diagnosis_groups=("copd",)), dict(start="2019-03", end="2021-07"),
                dict(start="2020-05", end="2020-05", standardised=True)]


@pytest.mark.parametrize("variant", _KF_VARIANTS, ids=lambda v: ",".join(f"{k}={v[k]}" for k in v) or "default")
def test_key_figures_agree_with_the_sql_path(demo_con, variant):
    for area in ("muni:825", "muni:101,461", "region:1084", "national"):  # Læsø: small counts hidden
        f = replace(Filters(), area=area, **variant)
        for indicator_id in queries.HEADLINE_INDICATORS:
            _assert_key_figure_agrees(demo_con, f, indicator_id)


def test_key_figures_agree_with_the_sql_path_on_hand_data(con):
    for f in (AARHUS, RANDERS, REGION, replace(AARHUS, start="2019-03", end="2019-03", sex="F")):
        for indicator_id in queries.HEADLINE_INDICATORS:
            _assert_key_figure_agrees(con, f, indicator_id)
    with pytest.raises(queries.QueryError):
        queries.key_figure(con, AARHUS, "faerdig_cost_dkk")  # a total is not a key figure

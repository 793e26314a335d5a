"""Tests of analysis.agreement: the agreement's effect recovered from demo data with a planted truth.

One demo database is built per module (``run_demo`` at ``SCALE``) and every estimate is checked against
the generator's ``truth.json`` (expected counts with and without the planted effect, Sep 2019 - Dec 2020).
The panel is 98 municipalities x 84 months at every scale, so model fits take as long as at scale 1; the
scale only sets the noise. At 0.2 the planted ~9 % pooled reduction is detected with DiD intervals about
+-6 %, and the build takes about 40 s of CPU.
"""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis import agreement as A
from analysis import constants, store
from analysis.synthetic import run_demo

SCALE = 0.2  # detectable effect (pooled DiD interval about +-6 %) with a quick build
TREATED = [615, 657, 661, 665, 671, 706, 707, 710, 727, 730, 740, 741, 746, 751, 756, 760, 766, 779, 791]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("agreement")
    run_demo(db_path=folder / "demo.duckdb", out_dir=folder / "files", scale=SCALE, progress=False)
    con = store.connect_readonly(folder / "demo.duckdb")
    truth = json.loads((folder / "files" / "truth.json").read_text(encoding="utf-8"))["truth"]
    yield {"con": con, "truth": truth, "folder": folder}
    con.close()


@pytest.fixture(scope="module")
def panel(demo):
    return A.monthly_panel(demo["con"], outcome="avoidable_65")


@pytest.fixture(scope="module")
def did_by_municipality(panel):
    return A.municipality_estimates(panel, method="did")


def _truth_pooled(demo) -> float:
    return demo["truth"]["agreement_period_pooled"]["avoidable_65plus"]["rate_ratio"]


def _truth_municipality(demo) -> dict[int, float]:
    return {int(k): v["rate_ratio"] for k, v in demo["truth"]["agreement_period_avoidable_65plus_by_municipality"].items()}


# --- the panel -------------------------------------------------------------------------------------------------
def test_panel_has_98_municipalities_by_84_months_with_breaks(panel):
    assert len(panel) == 98 * 84
    assert panel["municipality_code"].nunique() == 98 and panel["month"].nunique() == 84
    assert sorted(panel.loc[panel["treated"], "municipality_code"].unique()) == TREATED
    assert panel.groupby("municipality_code")["treated"].first().sum() == 19
    months = panel.drop_duplicates("month").set_index("month")
    wave1 = months.index[months["covid_wave1"] == 1].strftime("%Y-%m").tolist()
    wave2 = months.index[months["covid_wave2"] == 1].strftime("%Y-%m").tolist()
    assert wave1 == ["2020-03", "2020-04", "2020-05", "2020-06"]
    assert wave2 == ["2020-12", "2021-01", "2021-02"]
    first_lpr3 = panel[panel["lpr3"] == 1].groupby("region_code")["month"].min().dt.strftime("%Y-%m")
    assert first_lpr3.to_dict() == {1081: "2019-03", 1082: "2019-02", 1083: "2019-03", 1084: "2019-02",
                                    1085: "2019-02"}
    during = panel.loc[panel["period"] == "during", "month"]
    assert during.min() == pd.Timestamp(constants.AGREEMENT_START) and during.max() == pd.Timestamp("2020-12-01")


def test_panel_population_and_counts_match_the_aggregates(demo, panel):
    cur = store.cursor(demo["con"])
    pop = cur.execute("SELECT sum(population) FROM agg_population_year WHERE list_contains($b, age_band)",
                      {"b": A.BANDS_65}).fetchone()[0]
    assert panel["population"].sum() == pytest.approx(pop, rel=1e-9)  # 12 months x (year's value / 12)
    count = cur.execute("SELECT sum(episodes) FROM agg_episodes_month WHERE is_acute AND avoidable_group IS NOT NULL"
                        " AND list_contains($b, age_band)", {"b": A.BANDS_65}).fetchone()[0]
    assert panel["count"].sum() == count
    assert np.allclose(panel["rate_per_1000"], 1000 * panel["count"] / panel["population"])


@pytest.mark.parametrize("outcome", list(A.OUTCOMES))
def test_every_outcome_gives_a_full_panel(demo, outcome):
    p = A.monthly_panel(demo["con"], outcome=outcome)
    assert len(p) == 98 * 84 and p.attrs["outcome"] == outcome
    assert (p["count"] >= 0).all() and p["count"].sum() > 0


def test_unknown_outcome_and_method_are_refused(demo, panel):
    with pytest.raises(A.AgreementError, match="Unknown outcome"):
        A.monthly_panel(demo["con"], outcome="nope")
    with pytest.raises(A.AgreementError, match="Unknown method"):
        A.sensitivity(panel, method="nope")


# --- recovery of the planted truth --------------------------------------------------------------------------------
def test_pooled_did_interval_contains_the_planted_rate_ratio(demo, panel):
    est = A.controlled_did(panel)
    truth = _truth_pooled(demo)
    assert est.lower <= truth <= est.upper, (est.rate_ratio, est.lower, est.upper, truth)
    assert est.upper < 1  # the planted ~9 % reduction is detected
    assert est.method == "did" and "clustered" in est.description
    assert est.events_avoided > 0 and est.events_avoided_lower <= est.events_avoided <= est.events_avoided_upper


def test_region_its_interval_contains_the_planted_rate_ratio(demo, panel):
    est = A.region_its(panel)
    truth = _truth_pooled(demo)
    assert est.lower <= truth <= est.upper, (est.rate_ratio, est.lower, est.upper, truth)
    assert est.detail.after_rate_ratio is not None  # three-period design
    assert {"covid_wave1", "covid_wave2", "lpr3"} <= set(est.detail.coefficients["term"])


def test_random_effects_pool_of_municipality_did_contains_the_truth(demo, did_by_municipality):
    pr = A.pooled(did_by_municipality)
    assert pr["k"] == 19 and pr["lower"] <= _truth_pooled(demo) <= pr["upper"]
    assert 0 <= pr["i2"] <= 100 and pr["tau2"] >= 0


def test_most_municipality_did_intervals_cover_their_planted_rate_ratio(demo, did_by_municipality):
    truth = _truth_municipality(demo)
    covered = [e.lower <= truth[c] <= e.upper for c, e in did_by_municipality.items()]
    assert len(covered) == 19
    assert np.mean(covered) >= 0.6, covered


def test_forest_table_has_19_rows_and_the_pooled_row(did_by_municipality):
    table = A.forest_table(did_by_municipality)
    assert list(table["row_type"]) == ["municipality"] * 19 + ["pooled"]
    assert {"label", "estimate", "lower", "upper", "std_error", "weight"} <= set(table.columns)
    rows = table[table["row_type"] == "municipality"]
    assert (rows["lower"] <= rows["estimate"]).all() and (rows["estimate"] <= rows["upper"]).all()
    assert rows["weight"].sum() == pytest.approx(100)
    assert np.allclose(np.log(rows["estimate"]), rows["log_estimate"])


def test_synthetic_control_recovers_most_municipalities_with_the_donor_warning(demo, panel):
    placebos = A.sc_placebos(panel)
    assert len(placebos.table) == 79
    estimates = A.municipality_estimates(panel, method="sc", placebos=placebos)
    truth = _truth_municipality(demo)
    assert np.mean([e.lower <= truth[c] <= e.upper for c, e in estimates.items()]) >= 0.6
    one = estimates[751]
    assert "rough" in one.warning
    assert one.detail.weights.sum() == pytest.approx(1) and (one.detail.weights >= 0).all()
    assert len(one.detail.placebos) == 80 and 1 / 80 <= one.detail.p_value <= 1
    region = A.region_synthetic_control(panel, placebos=placebos)
    assert region.lower <= _truth_pooled(demo) <= region.upper


# --- sensitivity ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["did", "its"])
def test_placebo_start_dates_cover_no_effect(panel, method):
    table = A.sensitivity(panel, method=method)
    assert list(table["scenario"]) == ["main", "no_covid_months", "start_minus_3", "start_plus_3",
                                       "placebo_2017_09", "placebo_2018_03"]
    placebo = table[table["is_placebo"]]
    assert placebo["covers_no_effect"].all(), placebo
    assert (placebo["lower"] <= 1).all() and (placebo["upper"] >= 1).all()
    assert (table.loc[table["scenario"] == "no_covid_months", "n_months"] == 84 - 7).all()
    assert table.loc[table["scenario"] == "placebo_2018_03", "end"].iloc[0] == pd.Timestamp("2019-06-30")


def test_sensitivity_for_one_municipality(panel):
    table = A.sensitivity(panel, method="its", municipality=751)
    assert len(table) == 6 and table["estimate"].notna().all()


# --- plain-language summary ----------------------------------------------------------------------------------------
def _hand_made(**changes) -> A.AgreementEstimate:
    base = A.AgreementEstimate(
        unit=1082, label="Region Midtjylland", method="did", outcome="avoidable_65", start="2019-09-01",
        end="2020-12-31", rate_ratio=0.9, lower=0.85, upper=0.95, p_value=0.001, log_rate_ratio=np.log(0.9),
        std_error=0.03, observed=9000.0, expected=10000.0, events_avoided=1000.0, events_avoided_lower=800.0,
        events_avoided_upper=1200.0, conf_level=0.95, description="hand-made")
    return replace(base, **changes)


def test_plain_summary_danish_and_english():
    est = _hand_made()
    assert A.plain_summary(est, lang="da", spend_dkk=3_000_000) == (
        "Region Midtjylland: estimeret ændring −10,0 % (95 %-KI −15,0 % til −5,0 %); omkring 1.000 "
        "forebyggelige indlæggelser undgået (95 %-KI 800 til 1.200); pris pr. undgået indlæggelse 3.000 kr. "
        "(2.500 til 3.750 kr.).")
    assert A.plain_summary(est, lang="en", spend_dkk=3_000_000, with_label=False) == (
        "Estimated change −10.0 % (95 % CI −15.0 % to −5.0 %); about 1,000 avoidable admissions avoided "
        "(95 % CI 800 to 1,200); cost per avoided admission DKK 3,000 (DKK 2,500 to 3,750).")


def test_plain_summary_is_honest_when_the_interval_covers_no_effect():
    est = _hand_made(rate_ratio=0.97, lower=0.90, upper=1.05, events_avoided=300.0, events_avoided_lower=-400.0,
                     events_avoided_upper=1000.0)
    da = A.plain_summary(est, lang="da", spend_dkk=3_000_000)
    assert "data kan ikke afgøre" in da and "kr." not in da
    assert "the data cannot tell" in A.plain_summary(est, lang="en", spend_dkk=3_000_000)
    up = _hand_made(rate_ratio=1.1, lower=1.05, upper=1.15, events_avoided=-800.0, events_avoided_lower=-1200.0,
                    events_avoided_upper=-400.0)
    assert "flere forebyggelige indlæggelser end forventet" in A.plain_summary(up, lang="da", spend_dkk=1.0)


# --- budget burn-down ------------------------------------------------------------------------------------------------
def test_budget_burn_down_matches_contacts_times_fee_by_hand(demo):
    cur = store.cursor(demo["con"])
    # By hand, from the canonical stays (not the aggregate the function reads).
    contacts = cur.execute(
        "SELECT CAST(sum(gp_advice_contacts) AS DOUBLE) FROM acute_bed_stays WHERE list_contains($c, municipality_code)"
        " AND started_at >= TIMESTAMP '2019-09-01' AND started_at < TIMESTAMP '2021-01-01'", {"c": TREATED}).fetchone()[0]
    burn = A.budget_burn_down(demo["con"])
    assert burn.fee_dkk == 300 and burn.budget_dkk == 3_000_000 and burn.fee_is_assumption
    assert burn.total_contacts == contacts
    assert burn.spent_dkk == pytest.approx(contacts * 300)
    observed = burn.table[burn.table["kind"] == "observed"]
    assert len(observed) == 16 and observed["spend_dkk"].sum() == pytest.approx(contacts * 300)
    assert np.allclose(burn.table["cumulative_dkk"], burn.table["spend_dkk"].cumsum())
    assert burn.spend_by_municipality["spend_dkk"].sum() == pytest.approx(contacts * 300)
    # Linear projection by hand: mean monthly spend, first month whose cumulative reaches the budget.
    avg = contacts * 300 / 16
    months_needed = int(np.ceil(3_000_000 / avg))
    assert burn.exhaustion_month == pd.Timestamp("2019-09-01") + pd.DateOffset(months=months_needed - 1)
    assert burn.exhausted_before_end == (months_needed <= 15)


def test_budget_burn_down_projection_and_suspension_rule(demo):
    burn = A.budget_burn_down(demo["con"], fee_per_contact_dkk=3000.0, as_of="2020-03-15")
    observed = burn.table[burn.table["kind"] == "observed"]
    assert observed["month"].max() == pd.Timestamp("2020-03-01") and len(observed) == 7
    avg = observed["spend_dkk"].mean()
    assert burn.average_monthly_spend_dkk == pytest.approx(avg)
    assert burn.exhausted_before_end
    cum = burn.table.set_index("month")["cumulative_dkk"]
    assert cum[burn.exhaustion_month] >= 3_000_000 > cum[burn.exhaustion_month - pd.DateOffset(months=1)]
    assert "1 måneds varsel" in burn.rule_da and "1 month's notice" in burn.rule_en
    assert burn.table["month"].max() >= pd.Timestamp("2020-12-01")


def test_budget_burn_down_projects_past_the_end_to_the_run_out_month(demo):
    # A fee so low that the budget runs out after the end: observed to Mar 2020 (7 months), then the mean.
    burn = A.budget_burn_down(demo["con"], fee_per_contact_dkk=1000.0, as_of="2020-03-01")
    observed = burn.table[burn.table["kind"] == "observed"]
    avg = observed["spend_dkk"].mean()
    # by hand: the first k with spent + k * avg >= budget, counted from March 2020
    k = int(np.ceil((3_000_000 - observed["spend_dkk"].sum()) / avg))
    assert 9 < k < 120, "the case must run out after Dec 2020, within the horizon"
    assert burn.exhaustion_month == pd.Timestamp("2020-03-01") + pd.DateOffset(months=k)
    assert not burn.exhausted_before_end
    assert burn.table["month"].max() == burn.exhaustion_month  # the table stops at the run-out month
    assert "rækker budgettet" in burn.rule_da and "3 måneders varsel" in burn.rule_da


def test_budget_burn_down_with_a_trickle_of_spend_stops_at_the_horizon(demo):
    # 1 øre per contact: at this pace the 3 mio. would last for millions of months (it once ran past 2262)
    burn = A.budget_burn_down(demo["con"], fee_per_contact_dkk=0.01)
    assert burn.exhaustion_month is None and not burn.exhausted_before_end
    assert burn.average_monthly_spend_dkk > 0
    assert burn.table["month"].max() == pd.Timestamp("2020-12-01")  # projected to the end, no further
    assert "mere end 10 år" in burn.rule_da and "more than 10 years" in burn.rule_en
    assert "endnu ikke registreret" not in burn.rule_da


# --- everything in one call ------------------------------------------------------------------------------------------
def test_analyse_returns_everything_for_the_page(demo):
    result = A.analyse(demo["con"], method="its")
    assert result.region.label == constants.MIDTJYLLAND and len(result.municipalities) == 19
    assert len(result.forest) == 20 and result.pooled["k"] == 19
    assert len(result.sensitivity) == 6
    assert result.summary_da.startswith("Region Midtjylland: estimeret ændring")
    assert result.spend_dkk == result.burn_down.spent_dkk
    assert {"time", "observed", "counterfactual"} <= set(result.region.get_plot_data().columns)
    assert result.timings["total"] > 0

"""Tests for analysis.rates against published reference values and exact hand calculations.

Provenance is written next to every expected number. Tolerances: published tables are rounded to the
digits shown, so the tolerance is half a unit of the last digit shown; Byar examples published with
z = 1.96 (we use the exact normal quantile 1.959964) get a relative tolerance of 1e-5. The PHE funnel
test table found its Poisson limits numerically (they agree with the closed-form chi-squared limits to
about 5 significant digits: e.g. 0.025317898 vs 0.0253178080 for O = 1), so comparisons with that table
use a relative tolerance of 1e-4.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis import rates
from analysis.rates import RateInputError

PHE_TABLE_RTOL = 1e-4  # see the module docstring: the PHE funnel table's limits are numerical roots

# --- exact Poisson limits ------------------------------------------------------------------------
# PHEindicatormethods, tests/testthat/testdata_funnel_ratio_outputs.csv (UKHSA/PHE): for an observed
# count O, the expected counts at which O sits on the funnel limit are exactly the exact Poisson
# confidence limits of O: columns upper_2s_exp_events (= lower limit) / lower_2s_exp_events (= upper
# limit) at 95 %, and the *_3s_* columns at 99.8 %.
PHE_EXACT_95 = [  # (O, lower, upper)
    (1, 0.025317898, 5.571644585),
    (2, 0.242209467, 7.224687515),
    (3, 0.618671905, 8.767273828),
    (4, 1.089865762, 10.24158653),
    (5, 1.623486324, 11.6683331),
    (9, 4.11537405, 17.08479966),
]
PHE_EXACT_998 = [
    (1, 0.001000547, 9.233410143),
    (5, 0.739371928, 16.45474478),
    (9, 2.452425215, 22.65737951),
]


@pytest.mark.parametrize(("count", "lower", "upper"), PHE_EXACT_95)
def test_exact_poisson_limits_match_phe_table_95(count, lower, upper):
    out = rates.crude_rate([count], [1], multiplier=1)
    assert out.loc[0, "method"] == "Exact"
    assert out.loc[0, "lower"] == pytest.approx(lower, rel=PHE_TABLE_RTOL)
    assert out.loc[0, "upper"] == pytest.approx(upper, rel=PHE_TABLE_RTOL)


@pytest.mark.parametrize(("count", "lower", "upper"), PHE_EXACT_998)
def test_exact_poisson_limits_match_phe_table_998(count, lower, upper):
    out = rates.crude_rate([count], [1], multiplier=1, conf_level=0.998)
    assert out.loc[0, "lower"] == pytest.approx(lower, rel=PHE_TABLE_RTOL)
    assert out.loc[0, "upper"] == pytest.approx(upper, rel=PHE_TABLE_RTOL)


def test_exact_limits_for_zero_events():
    # epitools pois.exact documentation: for x = 0 the exact upper 95 % limit is 3.689
    # (= chi2_{0.975}(2) / 2 = -ln(0.025)); the lower limit is 0.
    out = rates.crude_rate([0], [1], multiplier=1)
    assert out.loc[0, "lower"] == 0.0
    assert out.loc[0, "upper"] == pytest.approx(3.689, abs=5e-4)
    assert out.loc[0, "upper"] == pytest.approx(-math.log(0.025), rel=1e-12)


def test_exact_limits_equal_chi_squared_formula():
    # Armitage & Berry (2002): O_L = chi2_{a/2}(2O)/2, O_U = chi2_{1-a/2}(2O+2)/2 (hand formula).
    counts = np.arange(0, 10)
    out = rates.poisson_count_limits(counts)
    lower = [0.0] + [stats.chi2.ppf(0.025, 2 * o) / 2 for o in counts[1:]]
    upper = [stats.chi2.ppf(0.975, 2 * o + 2) / 2 for o in counts]
    np.testing.assert_allclose(out["lower"], lower, rtol=1e-12)
    np.testing.assert_allclose(out["upper"], upper, rtol=1e-12)
    assert set(out["method"]) == {"Exact"}


# --- Byar ---------------------------------------------------------------------------------------------


def test_byar_limits_match_published_example():
    # "byar" Ruby gem documentation (Byar's approximation, z = 1.96): observed 100 ->
    # upper_bound 121.628347271806; with expected 90 the lower SMR-like bound is 0.9040199067337297,
    # i.e. a lower count limit of 0.9040199067337297 * 90 = 81.36179160603567.
    out = rates.crude_rate([100], [1], multiplier=1)
    assert out.loc[0, "method"] == "Byar"
    assert out.loc[0, "upper"] == pytest.approx(121.628347271806, rel=1e-5)
    assert out.loc[0, "lower"] == pytest.approx(0.9040199067337297 * 90, rel=1e-5)


@pytest.mark.parametrize(("count", "exact_lower", "exact_upper"), [
    # PHEindicatormethods testdata_funnel_ratio_outputs.csv, exact 95 % limits for O >= 10
    (10, 4.795387629, 18.39035799),
    (20, 12.21651877, 30.88838097),
    (55, 41.4335243, 71.59006222),
    (100, 81.36400699, 121.6268111),
    (716, 664.5083011, 770.4222128),
])
def test_byar_within_phe_stated_accuracy_of_exact(count, exact_lower, exact_upper):
    # PHE Technical Guide "Confidence intervals" (2018): for 95 % intervals Byar's method is within
    # 0.2 % of the exact value for numerators of 10 or more.
    out = rates.crude_rate([count], [1], multiplier=1)
    assert out.loc[0, "method"] == "Byar"
    assert out.loc[0, "lower"] == pytest.approx(exact_lower, rel=0.002)
    assert out.loc[0, "upper"] == pytest.approx(exact_upper, rel=0.002)


def test_crude_rate_scales_and_switches_method_at_ten():
    out = rates.crude_rate([9, 10, 65], [1300, 1300, 1300], multiplier=1000)
    assert list(out["method"]) == ["Exact", "Byar", "Byar"]
    assert out.loc[2, "value"] == pytest.approx(65 / 1300 * 1000)
    assert list(out.columns) == ["count", "population", "value", "lower", "upper", "conf_level", "method"]


def test_crude_rate_keeps_series_index_and_broadcasts_scalar_population():
    counts = pd.Series([12, 30], index=["751", "741"])
    out = rates.crude_rate(counts, 10_000)
    assert list(out.index) == ["751", "741"]
    assert out["population"].tolist() == [10_000, 10_000]


def test_missing_count_gives_missing_rate_and_says_so():
    out = rates.crude_rate([np.nan, 12], [100, 100])
    assert np.isnan(out.loc[0, "value"]) and np.isnan(out.loc[0, "upper"])
    assert out.loc[0, "method"].startswith("not calculated")


# --- Wilson ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("x", "n", "lower", "upper"), [
    # Newcombe RG. Stat Med 1998;17:857-72, Table II, method 3 (Wilson score without continuity correction)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe_1998(x, n, lower, upper):
    out = rates.proportion([x], [n])
    assert out.loc[0, "method"] == "Wilson"
    assert out.loc[0, "lower"] == pytest.approx(lower, abs=5e-5)
    assert out.loc[0, "upper"] == pytest.approx(upper, abs=5e-5)


def test_proportion_multiplier_gives_percentages():
    out = rates.proportion([81], [263], multiplier=100)
    assert out.loc[0, "value"] == pytest.approx(100 * 81 / 263)
    assert out.loc[0, "lower"] == pytest.approx(25.53, abs=5e-3)


# --- Dobson DSR ------------------------------------------------------------------------------------------


def test_dsr_matches_hand_calculation():
    # Exact hand calculation of Dobson et al. (1991) as written in the PHE Fingertips guidance:
    #   w_i = s_i / sum(s);  DSR = sum(w_i O_i / n_i);  Var = sum(w_i^2 O_i / n_i^2)
    #   O = sum(O_i); Byar: O_L = O(1 - 1/(9O) - z/(3 sqrt O))^3, O_U = (O+1)(1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3
    #   DSR_L,U = DSR + sqrt(Var / O) (O_L,U - O)
    # Strata: ESP 2013 65-69, 70-74, 75-79 (weights 5500, 5000, 4000; total 14500).
    count = [20, 30, 50]
    pop = [10_000, 5_000, 2_000]
    w = [5500 / 14500, 5000 / 14500, 4000 / 14500]
    rate = w[0] * 20 / 10_000 + w[1] * 30 / 5_000 + w[2] * 50 / 2_000
    var = w[0] ** 2 * 20 / 10_000**2 + w[1] ** 2 * 30 / 5_000**2 + w[2] ** 2 * 50 / 2_000**2
    o, z = 100, 1.959963984540054  # z = Phi^-1(0.975)
    o_l = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    o_u = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    expected = (rate * 1e5, (rate + math.sqrt(var / o) * (o_l - o)) * 1e5,
                (rate + math.sqrt(var / o) * (o_u - o)) * 1e5)
    # Written out: 0.0007586207 + 0.0020689655 + 0.0068965517 = 0.0097241379, i.e. 972.41 per 100,000.
    assert expected[0] == pytest.approx(972.4138, abs=1e-4)
    result = rates.dsr(count, pop, [5500, 5000, 4000])
    assert (result.value, result.lower, result.upper) == pytest.approx(expected, rel=1e-12)
    assert result.method == "Dobson" and result.count == 100 and result.note == ""


def test_dsr_defaults_to_esp2013_tail_bands():
    count, pop = [5, 20, 30, 40, 30, 10], [3000, 2500, 2000, 1200, 500, 100]
    explicit = rates.dsr(count, pop, [5500, 5000, 4000, 2500, 1500, 1000])
    assert rates.dsr(count, pop) == explicit


def test_dsr_with_own_population_as_standard_equals_crude_rate():
    # Standardising to the population's own structure reproduces the crude rate (a property of
    # direct standardisation: sum(n_i / N * O_i / n_i) = O / N).
    count, pop = [12, 30, 41], [4000, 3000, 1500]
    result = rates.dsr(count, pop, pop, multiplier=1000)
    assert result.value == pytest.approx(sum(count) / sum(pop) * 1000, rel=1e-12)


def test_dsr_not_calculated_below_ten_events():
    # PHE / Morris et al. (2018): no DSR when the total count is below 10.
    result = rates.dsr([3, 4, 2], [1000, 1000, 1000], [1, 1, 1])
    assert math.isnan(result.value) and math.isnan(result.lower) and math.isnan(result.upper)
    assert result.count == 9 and "below 10" in result.note and result.method == "Dobson"


def test_dsr_non_independent_events_matches_hand_calculation():
    # PHE Fingertips guidance "DSRs for non-independent events" (PHEindicatormethods calculate_dsr with
    # independent_events = FALSE): the variance uses people by number of events,
    #   Var = sum_i (w_i / n_i)^2 * sum_k k^2 P_ik
    # Stratum 1: 20 people with 1 event, 5 with 2 events (30 events); stratum 2: 30 and 10 (50 events).
    people = {1: [20, 30], 2: [5, 10]}
    pop, std = [2000, 1000], [3, 1]
    w = [0.75, 0.25]
    rate = w[0] * 30 / 2000 + w[1] * 50 / 1000
    var = (w[0] / 2000) ** 2 * (1 * 20 + 4 * 5) + (w[1] / 1000) ** 2 * (1 * 30 + 4 * 10)
    o, z = 80, 1.959963984540054
    o_l = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    o_u = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    result = rates.dsr([30, 50], pop, std, events_per_person=people)
    assert result.method == "Dobson (non-independent events)"
    assert result.value == pytest.approx(rate * 1e5, rel=1e-12)
    assert result.lower == pytest.approx((rate + math.sqrt(var / o) * (o_l - o)) * 1e5, rel=1e-12)
    assert result.upper == pytest.approx((rate + math.sqrt(var / o) * (o_u - o)) * 1e5, rel=1e-12)
    independent = rates.dsr([30, 50], pop, std)
    assert independent.value == pytest.approx(result.value)
    assert result.upper - result.lower > independent.upper - independent.lower  # wider, as PHE says


def test_dsr_variance_factor_equals_the_events_per_person_form():
    # The same hand calculation as above, written as a factor per stratum: sum k^2 P / sum k P
    # = (20 + 4*5)/30 and (30 + 4*10)/50; multiplying each stratum's Poisson variance by it is exactly
    # Var = sum_i (w_i / n_i)^2 * sum_k k^2 P_ik.
    people = {1: [20, 30], 2: [5, 10]}
    by_people = rates.dsr([30, 50], [2000, 1000], [3, 1], events_per_person=people)
    by_factor = rates.dsr([30, 50], [2000, 1000], [3, 1], variance_factor=[40 / 30, 70 / 50])
    assert by_factor.method == "Dobson (non-independent events)"
    assert (by_factor.value, by_factor.lower, by_factor.upper) == pytest.approx(
        (by_people.value, by_people.lower, by_people.upper), rel=1e-12)
    assert rates.dsr([30, 50], [2000, 1000], [3, 1], variance_factor=[1, 1]).upper == pytest.approx(
        rates.dsr([30, 50], [2000, 1000], [3, 1]).upper, rel=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    ({"variance_factor": [0.5, 1]}, "at least 1"),
    ({"variance_factor": [1]}, "same length"),
    ({"variance_factor": [1, 1], "events_per_person": {1: [30, 50]}}, "not both"),
])
def test_dsr_variance_factor_is_checked(kwargs, message):
    with pytest.raises(rates.RateInputError, match=message):
        rates.dsr([30, 50], [2000, 1000], [3, 1], **kwargs)


def test_dsr_non_independent_with_single_events_equals_independent():
    count, pop, std = [12, 25], [1000, 800], [1, 2]
    assert rates.dsr(count, pop, std, events_per_person={1: count}).upper == pytest.approx(
        rates.dsr(count, pop, std).upper, rel=1e-12)


def test_dsr_table_groups_and_frequency_layout():
    df = pd.DataFrame({
        "area": ["a"] * 3 + ["b"] * 3,
        "band": ["65-69", "70-74", "75-79"] * 2,
        "count": [20, 30, 50, 1, 2, 3],
        "population": [10_000, 5_000, 2_000] * 2,
    })
    df["standard"] = df["band"].map(rates.esp2013_weights(65))
    out = rates.dsr_table(df, by="area")
    assert list(out["area"]) == ["a", "b"]
    assert out.loc[0, "value"] == pytest.approx(rates.dsr([20, 30, 50], [10_000, 5_000, 2_000],
                                                          [5500, 5000, 4000]).value)
    assert math.isnan(out.loc[1, "value"]) and out.loc[1, "count"] == 6

    long = pd.DataFrame({
        "area": ["a"] * 4, "band": ["x", "x", "y", "y"], "freq": [1, 2, 1, 2],
        "people": [20, 5, 30, 10], "population": [2000, 2000, 1000, 1000], "standard": [3, 3, 1, 1],
    })
    freq = rates.dsr_table(long, by="area", count="people", event_frequency="freq", stratum="band")
    expected = rates.dsr([30, 50], [2000, 1000], [3, 1], events_per_person={1: [20, 30], 2: [5, 10]})
    assert freq.loc[0, "count"] == 80
    assert freq.loc[0, "upper"] == pytest.approx(expected.upper)
    assert freq.loc[0, "method"] == "Dobson (non-independent events)"


# --- indirect standardisation -----------------------------------------------------------------------


def test_standardised_ratio_byar_matches_published_example():
    # "byar" Ruby gem documentation: observed 100, expected 90 -> SMR-like bounds 0.9040199067337297
    # and 1.3514260807978444 (z = 1.96). Expected 90 = 1000 x 30/1000 + 2000 x 30/1000.
    result = rates.standardised_ratio([40, 60], [1000, 2000], [30, 30], [1000, 1000])
    assert result.value == pytest.approx(100 / 90, rel=1e-12)
    assert result.lower == pytest.approx(0.9040199067337297, rel=1e-5)
    assert result.upper == pytest.approx(1.3514260807978444, rel=1e-5)
    assert result.method == "Byar" and result.count == 100 and "90" in result.note


def test_standardised_ratio_exact_for_small_counts():
    # Liddell FDK (1984) J Epidemiol Community Health 38:85-88, example 1: O = 8, E = 3.59.
    # Exact limits (hand chi-squared formula): O_L = chi2_{0.025}(16)/2, O_U = chi2_{0.975}(18)/2, over E.
    result = rates.standardised_ratio(8, [3.59], [1], [1], multiplier=100)
    assert result.method == "Exact"
    assert result.value == pytest.approx(800 / 3.59)
    assert result.lower == pytest.approx(stats.chi2.ppf(0.025, 16) / 2 / 3.59 * 100, rel=1e-12)
    assert result.upper == pytest.approx(stats.chi2.ppf(0.975, 18) / 2 / 3.59 * 100, rel=1e-12)


# --- means and medians ---------------------------------------------------------------------------


def test_mean_with_ci_matches_t_formula():
    # Hand formula (Altman et al., Statistics with confidence, ch. 4): mean +- t_{0.975, n-1} s / sqrt(n).
    # values 1, 2, 3, 4, 10: mean 4, s = sqrt(50 / 4) = 3.5355339, t_{0.975, 4} = 2.7764451.
    result = rates.mean_with_ci([1, 2, 3, 4, 10, np.nan])
    half = 2.7764451051977987 * math.sqrt(50 / 4) / math.sqrt(5)
    assert (result.value, result.lower, result.upper) == pytest.approx((4, 4 - half, 4 + half), rel=1e-10)
    assert result.method == "Student t" and result.count == 5


def test_median_with_ci_order_statistics():
    # Conover (1999) section 3.2: [X_(r), X_(n-r+1)] covers the median with probability
    # 1 - 2 P(Bin(n, 1/2) <= r - 1). For n = 10: P(B <= 1) = 11/1024 = 0.0107 <= 0.025 but
    # P(B <= 2) = 56/1024 = 0.0547 > 0.025, so r = 2: the 2nd and 9th smallest values.
    result = rates.median_with_ci([7, 1, 9, 3, 5, 10, 2, 8, 4, 6])
    assert (result.value, result.lower, result.upper) == (5.5, 2.0, 9.0)
    assert result.method == "Order statistics (binomial)"
    too_few = rates.median_with_ci([1, 2, 3])  # P(B <= 0) = 1/8 > 0.025: no 95 % interval exists
    assert math.isnan(too_few.lower) and "Too few" in too_few.note


# --- funnel plots --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("expected", "lower_95", "upper_95"), [
    # PHEindicatormethods testdata_funnel_ratio_outputs.csv: at the expected count in column
    # lower_2s_exp_events the lower 95 % limit is O / E, published as lower_2s_isr (x100).
    (5.571644585, 0.1794802207, None),
    (18.39035799, 0.543763205, None),
    (770.4222128, 0.9293605352, None),
    # ... and at upper_2s_exp_events the upper limit is O / E, published as upper_2s_isr (x100).
    (0.025317898, None, 39.49774946),
    (4.795387629, None, 2.085337156),
    (664.5083011, None, 1.077488421),
])
def test_ratio_funnel_limits_match_phe_table(expected, lower_95, upper_95):
    out = rates.funnel_limits([expected], statistic="ratio", target=1)
    if lower_95 is not None:
        assert out.loc[0, "lower_95"] == pytest.approx(lower_95, rel=PHE_TABLE_RTOL)
    if upper_95 is not None:
        assert out.loc[0, "upper_95"] == pytest.approx(upper_95, rel=PHE_TABLE_RTOL)
    assert out.loc[0, "method"] == "Exact Poisson"


def test_ratio_funnel_998_matches_phe_table():
    # same file: O = 10 at lower_3s_exp_events 24.13397235 gives lower_3s_isr 41.43536693 (x100);
    # O = 10 at upper_3s_exp_events 2.960519925 gives upper_3s_isr 337.778507 (x100).
    out = rates.funnel_limits([24.13397235, 2.960519925], statistic="ratio", target=100, multiplier=100)
    assert out.loc[0, "lower_99_8"] == pytest.approx(41.43536693, rel=PHE_TABLE_RTOL)
    assert out.loc[1, "upper_99_8"] == pytest.approx(337.778507, rel=PHE_TABLE_RTOL)


@pytest.mark.parametrize(("n", "lo95", "hi95", "lo998", "hi998"), [
    # PHEindicatormethods tests/testthat/testdata_funnel_prop_outputs.csv, baseline 80.642448 %
    (3, 35.933491, 100, 10.150815, 100),
    (41, 68.548635, 92.73626, 61.574398, 99.710497),
    (1008, 78.203374, 83.081521, 76.796814, 84.488082),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
])
def test_proportion_funnel_limits_match_phe_table(n, lo95, hi95, lo998, hi998):
    out = rates.funnel_limits([n], statistic="proportion", target=80.642448, multiplier=100)
    assert out.loc[0, "lower_95"] == pytest.approx(lo95, abs=5e-6)
    assert out.loc[0, "upper_95"] == pytest.approx(hi95, abs=5e-6)
    assert out.loc[0, "lower_99_8"] == pytest.approx(lo998, abs=5e-6)
    assert out.loc[0, "upper_99_8"] == pytest.approx(hi998, abs=5e-6)


def test_rate_funnel_is_the_ratio_funnel_rescaled():
    # A rate T per m at population n expects T n / m events: rate limits = ratio limits x T.
    pops, target = np.array([500.0, 5_000.0, 80_000.0]), 50.0
    rate = rates.funnel_limits(pops, statistic="rate", target=target, multiplier=1000)
    ratio = rates.funnel_limits(pops * target / 1000, statistic="ratio", target=1)
    for col in ("lower_95", "upper_95", "lower_99_8", "upper_99_8"):
        np.testing.assert_allclose(rate[col], ratio[col] * target, rtol=1e-10)


def test_funnel_flag_levels():
    values = [0.5, 0.7, 1.0, 1.4, 2.0, np.nan]
    flags = rates.funnel_flag(values, [50] * 6, statistic="ratio", target=1)
    limits = rates.funnel_limits([50], statistic="ratio", target=1).iloc[0]
    assert limits["lower_99_8"] < 0.7 < limits["lower_95"]  # the test values straddle the limits
    assert list(flags) == ["below_99_8", "below_95", "within", "above_95", "above_99_8", "not_assessed"]


# --- benchmarking and trend -----------------------------------------------------------------------------


@pytest.mark.parametrize(("interval", "polarity", "expected"), [
    ((40, 35, 45), "low_is_good", ("lower", "better")),
    ((40, 35, 45), "high_is_good", ("lower", "worse")),
    ((60, 55, 65), "low_is_good", ("higher", "worse")),
    ((60, 55, 65), "high_is_good", ("higher", "better")),
    ((52, 44, 58), "low_is_good", ("similar", "similar")),
    ((40, 35, 45), "no_judgement", ("lower", "not applicable")),
    ((np.nan, np.nan, np.nan), "low_is_good", ("not_compared", "not applicable")),
])
def test_compare_to_benchmark(interval, polarity, expected):
    assert tuple(rates.compare_to_benchmark(*interval, 50, polarity=polarity)) == expected


def test_compare_to_benchmark_vectorised():
    out = rates.compare_to_benchmark([40, 60], [35, 55], [45, 65], 50, polarity="low_is_good")
    assert list(out["comparison"]) == ["lower", "higher"]
    assert list(out["judgement"]) == ["better", "worse"]


def test_trend_needs_five_points():
    assert rates.trend_marker([1, 2, 3, 4]) is None
    assert rates.trend_marker([1, 2, np.nan, 3, 4]) is None


def test_linear_trend_marker():
    up = rates.trend_marker([10.0, 11.1, 11.9, 13.2, 14.0, 15.1])
    assert up.direction == "increasing" and up.n_points == 6 and "Linear" in up.method
    flat = rates.trend_marker([10, 12, 9, 11, 10])
    assert flat.direction == "no_significant_change"


def test_poisson_trend_matches_statsmodels_glm():
    # Independent implementation: statsmodels GLM Poisson with log(population) offset.
    import statsmodels.api as sm

    counts = np.array([120, 131, 118, 140, 152, 149, 171])
    pops = np.array([10_000, 10_100, 10_150, 10_300, 10_400, 10_450, 10_600])
    t = np.arange(len(counts), dtype=float)
    fit = sm.GLM(counts, sm.add_constant(t), family=sm.families.Poisson(), offset=np.log(pops)).fit()
    result = rates.trend_marker(counts / pops * 1000, counts=counts, populations=pops)
    assert result.slope == pytest.approx(math.expm1(fit.params[1]), rel=1e-8)
    assert result.p_value == pytest.approx(fit.pvalues[1], rel=1e-4)  # statsmodels stops IRLS at 1e-8 deviance
    assert result.direction == "increasing"


# --- ESP 2013 -------------------------------------------------------------------------------------------


def test_esp2013_weights_published_values():
    # Eurostat (2013) / DOMAIN.md: 19 bands summing to 100,000; 65+ = 5500, 5000, 4000, 2500, 1500, 1000.
    weights = rates.esp2013_weights()
    assert len(weights) == 19 and weights.sum() == 100_000
    assert rates.esp2013_weights(65).tolist() == [5500, 5000, 4000, 2500, 1500, 1000]
    assert rates.esp2013_weights(65).index.tolist() == ["65-69", "70-74", "75-79", "80-84", "85-89", "90+"]


def test_esp2013_weights_fall_back_without_reference_file(tmp_path, monkeypatch):
    monkeypatch.setattr(rates, "REFERENCE_DIR", tmp_path)
    assert rates.esp2013_weights().tolist() == list(rates.ESP2013_WEIGHTS)


# --- input errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "message"), [
    (lambda: rates.crude_rate([-1], [10]), "must not be negative"),
    (lambda: rates.crude_rate([1], [0]), "greater than 0"),
    (lambda: rates.crude_rate([1, 2], [10, 20, 30]), "same length"),
    (lambda: rates.crude_rate([1], [10], conf_level=95), "between 0 and 1"),
    (lambda: rates.crude_rate([1], [10], conf_level=1.0), "between 0 and 1"),
    (lambda: rates.proportion([5], [4]), "greater than denominator"),
    (lambda: rates.proportion([1], [0]), "greater than 0"),
    (lambda: rates.dsr([10, 20], [100, 0], [1, 1]), "greater than 0"),
    (lambda: rates.dsr([10, 20], [100, 100], [1, 1, 1]), "same length"),
    (lambda: rates.dsr([10, 20], [100, 100], [1, 1], events_per_person={1: [10, 19]}), "add up to count"),
    (lambda: rates.standardised_ratio(10, [100], [1], [0]), "greater than 0"),
    (lambda: rates.standardised_ratio(10, [100], [0], [10]), "expected count is 0"),
    (lambda: rates.funnel_limits([10], statistic="mean", target=1), "statistic must be one of"),
    (lambda: rates.compare_to_benchmark(1, 0, 2, 1, polarity="up"), "polarity must be one of"),
    (lambda: rates.esp2013_weights(66), "start of a 5-year band"),
])
def test_input_errors_are_one_clear_sentence(call, message):
    with pytest.raises(RateInputError, match=message) as info:
        call()
    text = str(info.value)
    assert text.endswith(".") and text.count(". ") == 0  # one sentence


# --- properties (hypothesis) ----------------------------------------------------------------------------

counts_st = st.integers(min_value=0, max_value=50_000)
pops_st = st.floats(min_value=1, max_value=1e7, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(count=counts_st, population=pops_st, level=st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998]))
def test_crude_rate_interval_contains_value(count, population, level):
    row = rates.crude_rate([count], [population], conf_level=level).iloc[0]
    assert row["lower"] <= row["value"] * (1 + 1e-12) and row["value"] <= row["upper"] * (1 + 1e-12)
    assert row["lower"] >= 0


@settings(max_examples=60, deadline=None)
@given(count=st.integers(0, 5_000), population=st.floats(1e3, 1e6), factor=st.integers(2, 50))
def test_crude_rate_interval_narrows_as_population_grows(count, population, factor):
    small = rates.crude_rate([count], [population]).iloc[0]
    large = rates.crude_rate([count * factor], [population * factor]).iloc[0]
    assert large["upper"] - large["lower"] < small["upper"] - small["lower"]


@settings(max_examples=60, deadline=None)
@given(count=counts_st, population=pops_st)
def test_crude_rate_998_contains_95(count, population):
    r95 = rates.crude_rate([count], [population], conf_level=0.95).iloc[0]
    r998 = rates.crude_rate([count], [population], conf_level=0.998).iloc[0]
    assert r998["lower"] <= r95["lower"] and r95["upper"] <= r998["upper"]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_proportion_properties(data):
    n = data.draw(st.integers(1, 100_000))
    x = data.draw(st.integers(0, n))
    r95 = rates.proportion([x], [n]).iloc[0]
    r998 = rates.proportion([x], [n], conf_level=0.998).iloc[0]
    assert 0 <= r95["lower"] <= r95["value"] + 1e-12 and r95["value"] <= r95["upper"] + 1e-12 <= 1 + 1e-12
    assert r998["lower"] <= r95["lower"] + 1e-12 and r95["upper"] <= r998["upper"] + 1e-12
    big = rates.proportion([x * 10], [n * 10]).iloc[0]
    assert big["upper"] - big["lower"] < r95["upper"] - r95["lower"]


strata_st = st.lists(st.tuples(st.integers(0, 2_000), st.integers(100, 100_000), st.integers(1, 7_000)),
                     min_size=1, max_size=19)


@settings(max_examples=60, deadline=None)
@given(strata=strata_st, factor=st.integers(2, 20))
def test_dsr_properties(strata, factor):
    count, pop, std = (list(x) for x in zip(*strata))
    r95 = rates.dsr(count, pop, std)
    if sum(count) < 10:
        assert math.isnan(r95.value)
        return
    r998 = rates.dsr(count, pop, std, conf_level=0.998)
    assert r95.lower <= r95.value <= r95.upper
    assert r998.lower <= r95.lower and r95.upper <= r998.upper
    bigger = rates.dsr([c * factor for c in count], [p * factor for p in pop], std)
    assert bigger.value == pytest.approx(r95.value, rel=1e-9)
    assert bigger.upper - bigger.lower < r95.upper - r95.lower


@settings(max_examples=60, deadline=None)
@given(observed=st.integers(0, 3_000), expected=st.floats(0.5, 5_000))
def test_standardised_ratio_properties(observed, expected):
    r95 = rates.standardised_ratio(observed, [expected], [1], [1])
    r998 = rates.standardised_ratio(observed, [expected], [1], [1], conf_level=0.998)
    assert r95.lower <= r95.value * (1 + 1e-12) and r95.value <= r95.upper * (1 + 1e-12)
    assert r998.lower <= r95.lower and r95.upper <= r998.upper


@settings(max_examples=60, deadline=None)
@given(target=st.floats(0.01, 0.99), n=st.integers(1, 1_000_000), statistic=st.sampled_from(["proportion", "rate", "ratio"]))
def test_funnel_998_contains_95(target, n, statistic):
    out = rates.funnel_limits([n], statistic=statistic, target=target).iloc[0]
    assert out["lower_99_8"] <= out["lower_95"] + 1e-12 <= target + 1e-9
    assert target <= out["upper_95"] + 1e-9 <= out["upper_99_8"] + 1e-9

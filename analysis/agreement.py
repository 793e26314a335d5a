"""The advisory agreement applied: did paying GPs to advise the municipal acute functions reduce admissions?

The agreement (``constants.AGREEMENT_ID``: 1 Sep 2019 - 31 Dec 2020, Region Midtjylland's 19
municipalities, 3 mio. DKK) is evaluated on a monthly municipality panel built from the aggregate tables,
with the four estimators of :mod:`analysis.effect`:

``monthly_panel``
    month x municipality (all 98) counts of the chosen outcome, the 65+ population, the COVID-19 and
    LPR3 indicators and the agreement period (parameterised SQL over ``agg_*`` tables only).
``municipality_its`` / ``region_its``
    three-period interrupted time series (before / during / after) per municipality and for the 19
    summed, with population offset, seasonality and COVID-19/LPR3 terms.
``controlled_did``
    Poisson difference-in-differences with municipality and month effects against the 79
    municipalities of the other four regions (pooled, or one treated municipality at a time).
``municipality_synthetic_control`` / ``region_synthetic_control``
    synthetic control on rates per 1,000 from the 79 comparison municipalities, with placebo
    inference (the 79 placebo fits are shared between all treated units: :func:`sc_placebos`).
``forest_table`` / ``pooled``
    random-effects pooling of the 19 municipality estimates and the forest-plot table.
``sensitivity``
    leave out the COVID-19 months, shift the start by +-3 months, placebo start dates in the pre-period.
``plain_summary``
    the estimate in one Danish or English paragraph, with an honest verdict when the data cannot tell.
``budget_burn_down``
    GP advisory contacts x fee against the budget, the projected month the budget runs out and the
    one-month-notice suspension rule.
``analyse``
    everything above for one outcome and method, in one call the page can cache.

Every estimate comes back as an :class:`AgreementEstimate` (rate ratio, interval, log rate ratio and
standard error for pooling, events avoided, the underlying :mod:`analysis.effect` result and a
``description`` of the method). Nothing here imports Streamlit; nothing is cached here.

Counts in the panel and in the estimates' series are *not* disclosure-controlled (small municipalities
have months with 1-4 events): a page must pass anything it shows through :mod:`analysis.disclosure`.
"""
from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats

from analysis import constants, effect, reference, store

__all__ = [
    "AgreementError",
    "Outcome",
    "treated_municipalities",
    "OUTCOMES",
    "DEFAULT_OUTCOME",
    "METHODS",
    "METHOD_NAMES",
    "ITS_COVARIATES",
    "PLACEBO_STARTS",
    "AgreementEstimate",
    "ScPlacebos",
    "BudgetBurnDown",
    "AgreementAnalysis",
    "monthly_panel",
    "municipality_its",
    "region_its",
    "controlled_did",
    "control_dispersion",
    "sc_placebos",
    "municipality_synthetic_control",
    "region_synthetic_control",
    "municipality_estimates",
    "region_estimate",
    "forest_table",
    "pooled",
    "sensitivity",
    "plain_summary",
    "budget_burn_down",
    "analyse",
]

# --- Design constants (each with its reason) ---------------------------------------------------------------
BANDS_65 = [label for label, lo, _ in constants.AGE_BANDS if lo >= constants.AVOIDABLE_MIN_AGE]  # 65-69 ... 90+
ITS_COVARIATES = ("covid_wave1", "covid_wave2", "lpr3")  # the breaks every analysis must respect (DOMAIN.md)
COVID_COLUMNS = {"covid_wave1": "covid_wave1", "covid_wave2": "covid_wave2"}  # panel column -> breaks.csv id
# Used only if breaks.csv lacks a row: first lockdown and the winter 2020/21 wave (DOMAIN.md).
COVID_FALLBACK = {"covid_wave1": ("2020-03-11", "2020-06-30"), "covid_wave2": ("2020-12-01", "2021-02-28")}
PLACEBO_STARTS = ("2017-09-01", "2018-03-01")  # pre-period dates with a full 16-month window before Sep 2019
PLACEBO_LENGTH_MONTHS = 16  # as long as the real agreement (Sep 2019 - Dec 2020)
BURN_DOWN_HORIZON_MONTHS = 120  # the budget projection stops 10 years after the agreement's end
START_SHIFT_MONTHS = 3  # the issue's +-3 month sensitivity of the start date
REGION_UNIT = 1082  # unit id of "Midtjylland summed" in synthetic-control panels (Midtjylland's region code)
CONF_LEVEL = 0.95
DEFAULT_OUTCOME = "avoidable_65"
METHODS = ("did", "its", "sc")
METHOD_NAMES = {
    "its": ("Afbrudt tidsserie", "Interrupted time series"),
    "did": ("Forskel-i-forskelle mod de øvrige regioner", "Difference-in-differences against the other regions"),
    "sc": ("Syntetisk kontrol", "Synthetic control"),
}


class AgreementError(ValueError):
    """An option or input the agreement analysis cannot use; the message says what to change."""


@dataclass(frozen=True)
class Outcome:
    """One outcome of the agreement analysis.

    Attributes
    ----------
    key : str
        Identifier (``OUTCOMES`` key).
    name_da, name_en : str
        Display names.
    noun_da, noun_en, singular_da, singular_en : str
        What one event is called in the plain-language summary (plural and singular).
    source : str
        Aggregate table the count comes from.
    where : str
        SQL condition on that table (fixed text from this module, never user input).
    measure : str
        SQL aggregate giving the monthly count.
    offset_da, offset_en : str
        The population the rate is per (the offset of the count models).
    rounded : bool
        True when the measure is not a whole number (bed-days) and is rounded for the count models.
    note : str
        Definition in one sentence.
    """

    key: str
    name_da: str
    name_en: str
    noun_da: str
    noun_en: str
    singular_da: str
    singular_en: str
    source: str
    where: str
    measure: str
    offset_da: str = "borgere 65+ (personår)"
    offset_en: str = "citizens aged 65+ (person-years)"
    rounded: bool = False
    note: str = ""

    def name(self, lang: str = "da") -> str:
        """The display name in ``lang`` ("da" or "en")."""
        return self.name_en if lang == "en" else self.name_da


OUTCOMES: dict[str, Outcome] = {
    "avoidable_65": Outcome(
        "avoidable_65", "Forebyggelige akutte indlæggelser 65+", "Avoidable acute admissions 65+",
        "forebyggelige indlæggelser", "avoidable admissions", "indlæggelse", "admission",
        "agg_episodes_month", "is_acute AND avoidable_group IS NOT NULL", "sum(episodes)",
        note="Acute stays of citizens 65+ with a principal diagnosis in the national preventable list "
             "(dk_preventable_65), short stays included, as eSundhed counts them."),
    "acute_65": Outcome(
        "acute_65", "Akutte indlæggelser 65+", "Acute admissions 65+",
        "akutte indlæggelser", "acute admissions", "akut indlæggelse", "acute admission",
        "agg_episodes_month", "is_acute", "sum(episodes)",
        note="All acute stays of citizens 65+ (short stays included)."),
    "readmissions_65": Outcome(
        "readmissions_65", "Genindlæggelser inden 30 dage 65+", "30-day readmissions 65+",
        "genindlæggelser", "readmissions", "genindlæggelse", "readmission",
        "agg_episodes_month", "true", "sum(readmitted)",
        note="Index admissions of citizens 65+ followed by an acute readmission within 30 days, in the "
             "index admission's month (the 65+ population as offset, not the index admissions)."),
    "bed_days_65": Outcome(
        "bed_days_65", "Sengedage ved akutte indlæggelser 65+", "Bed-days of acute stays 65+",
        "sengedage", "bed-days", "sengedag", "bed-day",
        "agg_episodes_month", "is_acute", "sum(bed_days)", rounded=True,
        note="Bed-days of acute stays of citizens 65+ in the month of admission, rounded to whole days "
             "for the count models (their over-dispersion is absorbed by quasi-Poisson / clustered errors)."),
    "acute_bed_admitted_7d": Outcome(
        "acute_bed_admitted_7d", "Akutpladsophold fulgt af indlæggelse inden 7 dage",
        "Acute-bed stays followed by admission within 7 days",
        "akutpladsophold fulgt af indlæggelse", "acute-bed stays followed by admission",
        "akutpladsophold fulgt af indlæggelse", "acute-bed stay followed by admission",
        "agg_acute_bed_month", "true", "sum(admitted_within_7d)",
        note="Municipal acute-function stays of citizens 65+ followed by an acute hospital stay within 7 days "
             "of their end, in the month the stay started."),
}
_SOURCES = ("agg_episodes_month", "agg_acute_bed_month")  # allow-list of tables an outcome may read


# --------------------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementEstimate:
    """One estimate of the agreement's effect for one unit (a municipality or the region).

    Attributes
    ----------
    unit : int
        Municipality code, or ``REGION_UNIT`` = 1082 (the region code) for Region Midtjylland as a whole.
    label : str
        Display name (municipality name or "Region Midtjylland").
    method : str
        ``"its"``, ``"did"`` or ``"sc"``.
    outcome : str
        Key of :data:`OUTCOMES`.
    start, end : str
        The intervention period evaluated (ISO dates, ``end`` inclusive).
    rate_ratio, lower, upper : float
        Rate ratio during the period (observed / expected without the agreement) and its interval;
        NaN when the model could not be estimated (``notes`` says why).
    p_value : float
        Two-sided p-value of "no effect" consistent with the interval.
    log_rate_ratio, std_error : float
        ``log(rate_ratio)`` and its standard error (the input to pooling).
    observed : float
        Events in the unit during the period.
    expected : float
        Events expected without the agreement (counterfactual).
    events_avoided, events_avoided_lower, events_avoided_upper : float
        ``expected - observed`` with its interval (positive = fewer events than expected).
    conf_level : float
    description : str
        The method in one paragraph (model, comparison, covariates, interval method).
    notes : tuple of str
    warning : str or None
        Caveats the page must show (small donor pool, poor pre-period fit, one treated cluster).
    detail : object
        The underlying :class:`effect.ItsResult`, :class:`effect.DidResult` or :class:`effect.ScResult`.
    series : pandas.DataFrame
        ``time, period, observed, counterfactual, counterfactual_lower, counterfactual_upper`` in events
        per month (band NaN where the method gives none) - the observed/counterfactual chart.
    """

    unit: int
    label: str
    method: str
    outcome: str
    start: str
    end: str
    rate_ratio: float
    lower: float
    upper: float
    p_value: float
    log_rate_ratio: float
    std_error: float
    observed: float
    expected: float
    events_avoided: float
    events_avoided_lower: float
    events_avoided_upper: float
    conf_level: float
    description: str
    notes: tuple[str, ...] = ()
    warning: str | None = None
    detail: object = None
    series: pd.DataFrame | None = None

    @property
    def percent_change(self) -> float:
        """``100 * (rate_ratio - 1)``."""
        return 100.0 * (self.rate_ratio - 1.0)

    @property
    def covers_no_effect(self) -> bool:
        """True when the interval contains a rate ratio of 1 (or is missing)."""
        return not (self.upper < 1.0 or self.lower > 1.0)

    @property
    def ok(self) -> bool:
        """True when the estimate and its standard error are finite."""
        return bool(np.isfinite(self.log_rate_ratio) and np.isfinite(self.std_error) and self.std_error > 0)

    def get_plot_data(self) -> pd.DataFrame:
        """The table behind the observed-versus-counterfactual chart (a copy of ``series``)."""
        return pd.DataFrame() if self.series is None else self.series.copy()


@dataclass(frozen=True)
class ScPlacebos:
    """Placebo-in-space fits shared by every treated unit of a synthetic-control analysis.

    Every comparison municipality is refitted as if treated, with the other comparison municipalities as
    donors - the same fits for each of the 19 treated municipalities, so they are done once.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per comparison municipality: ``unit, pre_rmspe, post_rmspe, rmspe_ratio, average_effect,
        observed_post, synthetic_post, log_ratio``.
    gaps : pandas.DataFrame
        Gaps (rate per 1,000) over time, one column per placebo unit.
    sigma2 : float
        Between-unit variance of the placebo log ratios beyond Poisson noise:
        ``max(0, mean(log_ratio^2 - 1/observed_post))``.
    start, end : str
    """

    table: pd.DataFrame
    gaps: pd.DataFrame
    sigma2: float
    start: str
    end: str


@dataclass(frozen=True)
class BudgetBurnDown:
    """Spend of the agreement from GP advisory contacts x fee, against the budget.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per month from the agreement's start: ``month, kind ("observed"/"projected"),
        contacts (NaN when projected), fee_dkk, spend_dkk, cumulative_dkk, budget_dkk, remaining_dkk,
        share_of_budget, in_agreement``. Observed rows run to ``as_of``; projected rows continue at the
        average monthly spend until the budget is spent or the agreement has ended, whichever is later,
        but at most ``BURN_DOWN_HORIZON_MONTHS`` (10 years) past the end.
    budget_dkk, fee_dkk : float
    fee_is_assumption : bool
        The fee per contact is not public (DOMAIN.md): an editable assumption in interventions.csv.
    total_contacts, spent_dkk : float
        Observed contacts and spend up to ``as_of``.
    average_monthly_spend_dkk : float
        Mean observed spend per agreement month up to ``as_of``.
    as_of : pandas.Timestamp
        Last month counted as observed.
    exhaustion_month : pandas.Timestamp or None
        The month in which the (observed, then projected) cumulative spend reaches the budget; ``None``
        when nothing has been spent, or when at the average spend the budget would last more than
        ``BURN_DOWN_HORIZON_MONTHS`` past the agreement's end (the rule text says so).
    exhausted_before_end : bool
        The budget is (projected to be) spent before the agreement's end (31 Dec 2020).
    spend_by_municipality : pandas.DataFrame
        ``municipality_code, contacts, spend_dkk`` over the observed agreement months.
    rule_da, rule_en : str
        The suspension rule applied to the projection, in plain language.
    method : str
    """

    table: pd.DataFrame
    budget_dkk: float
    fee_dkk: float
    fee_is_assumption: bool
    total_contacts: float
    spent_dkk: float
    average_monthly_spend_dkk: float
    as_of: pd.Timestamp | None
    exhaustion_month: pd.Timestamp | None
    exhausted_before_end: bool
    spend_by_municipality: pd.DataFrame
    rule_da: str
    rule_en: str
    method: str

    def get_plot_data(self) -> pd.DataFrame:
        """The table behind the burn-down chart (a copy of ``table``)."""
        return self.table.copy()


@dataclass(frozen=True)
class AgreementAnalysis:
    """Everything the page "Aftalens effekt" shows for one outcome and method (:func:`analyse`).

    Attributes
    ----------
    outcome, method, start, end : str
    panel : pandas.DataFrame
        :func:`monthly_panel` (not disclosure-controlled).
    region : AgreementEstimate
        Region Midtjylland as a whole: ITS on the 19 summed, the pooled DiD (19 treated, clustered
        errors) or the synthetic control of the 19 summed.
    municipalities : dict of int to AgreementEstimate
        One estimate per treated municipality.
    forest : pandas.DataFrame
        :func:`forest_table` (the 19 plus a pooled row).
    pooled : dict
        :func:`pooled` (random-effects pooling of the 19).
    sensitivity : pandas.DataFrame or None
        :func:`sensitivity` for the region.
    burn_down : BudgetBurnDown
    spend_dkk : float
        Spend used for the cost per avoided event (observed spend of the burn-down).
    summary_da, summary_en : str
        :func:`plain_summary` of ``region``.
    description : str
    timings : dict of str to float
        Seconds per step.
    """

    outcome: str
    method: str
    start: str
    end: str
    panel: pd.DataFrame
    region: AgreementEstimate
    municipalities: dict
    forest: pd.DataFrame
    pooled: dict
    sensitivity: pd.DataFrame | None
    burn_down: BudgetBurnDown
    spend_dkk: float
    summary_da: str
    summary_en: str
    description: str
    timings: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------


def _outcome(outcome: str) -> Outcome:
    if outcome not in OUTCOMES:
        raise AgreementError(f"Unknown outcome {outcome!r}; choose one of {', '.join(OUTCOMES)}.")
    return OUTCOMES[outcome]


def _method(method: str) -> str:
    if method not in METHODS:
        raise AgreementError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    return method


def _agreement() -> pd.Series:
    iv = reference.interventions().set_index("intervention_id")
    if constants.AGREEMENT_ID not in iv.index:
        raise AgreementError(f"interventions.csv has no row {constants.AGREEMENT_ID!r}; restore it from git.")
    return iv.loc[constants.AGREEMENT_ID]


def _intervention(intervention_id: str) -> pd.Series:
    iv = reference.interventions().set_index("intervention_id")
    if intervention_id not in iv.index:
        raise AgreementError(
            f"Intervention {intervention_id!r} is not in interventions.csv; known: {', '.join(iv.index)}.")
    return iv.loc[intervention_id]


def required_extracts(outcome: str) -> frozenset[str]:
    """The kinds of extract (``store.CANONICAL_TABLES`` names) the analysis of ``outcome`` cannot do without:
    the counts and the population of the offset, and the acute-function stays for an outcome read from them."""
    kinds = {"admissions", "population"}
    if _outcome(outcome).source == "agg_acute_bed_month":
        kinds.add("acute_bed_stays")
    return frozenset(kinds)


def treated_municipalities() -> list[int]:
    """The agreement's municipalities (Region Midtjylland's 19), from interventions.csv."""
    return sorted(int(c) for c in _agreement()["municipalities"])


def _month(value) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise AgreementError(f"{value!r} is not a date such as '2019-09-01'.") from None
    if pd.isna(ts):
        raise AgreementError(f"{value!r} is not a date such as '2019-09-01'.")
    return ts


def _iso(value) -> str:
    return _month(value).strftime("%Y-%m-%d")


def _add_months(value, months: int) -> pd.Timestamp:
    return _month(value) + pd.DateOffset(months=months)


def _z(conf_level: float) -> float:
    return float(stats.norm.ppf(0.5 + conf_level / 2))


def _nan_estimate(*, unit, label, method, outcome, start, end, conf_level, reason, observed=np.nan) -> AgreementEstimate:
    nan = float("nan")
    return AgreementEstimate(
        unit=unit, label=label, method=method, outcome=outcome, start=_iso(start), end=_iso(end),
        rate_ratio=nan, lower=nan, upper=nan, p_value=nan, log_rate_ratio=nan, std_error=nan,
        observed=float(observed), expected=nan, events_avoided=nan, events_avoided_lower=nan,
        events_avoided_upper=nan, conf_level=conf_level, description="Not estimated.", notes=(reason,))


def _from_log(*, log_rr: float, se: float, conf_level: float) -> tuple[float, float, float, float]:
    z = _z(conf_level)
    p = float(2 * stats.norm.sf(abs(log_rr / se))) if se > 0 else float("nan")
    return float(np.exp(log_rr)), float(np.exp(log_rr - z * se)), float(np.exp(log_rr + z * se)), p


def _avoided_from_ratio(observed: float, rr: float, lo: float, hi: float) -> tuple[float, float, float, float]:
    """Counterfactual = observed / RR; events avoided = expected - observed, interval from the RR limits."""
    expected = observed / rr
    return expected, expected - observed, observed / hi - observed, observed / lo - observed


def _names() -> dict[int, str]:
    m = reference.municipalities()
    return dict(zip(m["municipality_code"].astype(int), m["name"]))


def _label(panel: pd.DataFrame, unit: int) -> str:
    if unit == REGION_UNIT:
        return constants.MIDTJYLLAND
    rows = panel.loc[panel["municipality_code"] == unit, "municipality_name"]
    return str(rows.iloc[0]) if len(rows) else str(unit)



def _check_panel(panel: pd.DataFrame) -> None:
    needed = ["month", "municipality_code", "count", "population", "treated", *ITS_COVARIATES]
    if not isinstance(panel, pd.DataFrame) or any(c not in panel.columns for c in needed):
        raise AgreementError("Pass the DataFrame returned by monthly_panel() (it lacks expected columns).")
    if panel.empty:
        raise AgreementError("The panel is empty: load data (or the demo) first.")


def _outcome_of(panel: pd.DataFrame) -> str:
    return str(panel.attrs.get("outcome", DEFAULT_OUTCOME))


def _period_mask(times: pd.Series, start, end) -> np.ndarray:
    t = pd.to_datetime(times)
    return ((t >= _month(start)) & (t <= _month(end))).to_numpy()


# --------------------------------------------------------------------------------------------------------
# The panel
# --------------------------------------------------------------------------------------------------------


def _covid_windows() -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    b = reference.breaks().set_index("id")
    out = {}
    for column, break_id in COVID_COLUMNS.items():
        if break_id in b.index and pd.notna(b.at[break_id, "end"]):
            out[column] = (pd.Timestamp(b.at[break_id, "start"]), pd.Timestamp(b.at[break_id, "end"]))
        else:
            lo, hi = COVID_FALLBACK[column]
            out[column] = (pd.Timestamp(lo), pd.Timestamp(hi))
    return out


def monthly_panel(con, *, outcome: str = DEFAULT_OUTCOME) -> pd.DataFrame:
    """Month x municipality panel of one outcome for all 98 municipalities, with population and breaks.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        From :func:`analysis.store.connect_readonly` (queried through :func:`analysis.store.cursor`).
    outcome : str, default "avoidable_65"
        A key of :data:`OUTCOMES`.

    Returns
    -------
    pandas.DataFrame
        One row per month (first day, ``datetime64``) and municipality, sorted by municipality and month:
        ``month, year, municipality_code, municipality_name, region_code, region_name, treated`` (bool:
        one of the agreement's 19), ``count`` (int; events of the outcome, 0 where the aggregate has no
        row), ``population`` (65+ person-years in the month = that year's 65+ population / 12, summed
        over the ESP bands 65-69 ... 90+ of ``agg_population_year``), ``population_year`` (the year's 65+
        population), ``rate_per_1000`` (per 1,000 per year = 1000 x count / population),
        ``covid_wave1`` and ``covid_wave2`` (0/1: the month overlaps the first lockdown / the second wave
        of ``reference.breaks()``, i.e. 2020-03..2020-06 and 2020-12..2021-02), ``lpr3`` (0/1: from the
        month of the region's own LPR3 go-live, ``reference.regions()``), ``period`` ("before",
        "during", "after" the agreement). ``attrs`` holds ``outcome``, ``method`` (how the panel was
        built) and ``notes``. Empty (with these columns) when the aggregates are missing.

    Notes
    -----
    The months run from the first to the last month of the outcome's aggregate table; months in a year
    without population rows are left out (reported in ``attrs["notes"]``). Population rows whose band
    straddles 65 (``age_band`` NULL) are not counted.
    """
    oc = _outcome(outcome)
    if oc.source not in _SOURCES:  # pragma: no cover - the allow-list is fixed above
        raise AgreementError(f"Outcome {outcome!r} reads an unknown table.")
    columns = ["month", "year", "municipality_code", "municipality_name", "region_code", "region_name",
               "treated", "count", "population", "population_year", "rate_per_1000", "covid_wave1",
               "covid_wave2", "lpr3", "period"]
    cur = store.cursor(con)
    present = {r[0] for r in cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()").fetchall()}
    if oc.source not in present or "agg_population_year" not in present:
        empty = pd.DataFrame(columns=columns)
        empty.attrs.update(outcome=outcome, method="", notes=("The aggregate tables are missing.",))
        return empty
    munis = reference.municipalities()
    codes = [int(c) for c in munis["municipality_code"]]
    # Identifiers below come from the fixed OUTCOMES allow-list; every value is a $parameter.
    sql = (
        f"WITH span AS (SELECT min(month) AS first, max(month) AS last FROM {oc.source}), "
        "months AS (SELECT CAST(range AS DATE) AS month FROM span, "
        "range(CAST(span.first AS TIMESTAMP), CAST(span.last AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 MONTH)), "
        "units AS (SELECT unnest($codes) AS municipality_code), "
        f"counts AS (SELECT month, municipality_code, {oc.measure} AS count FROM {oc.source} "
        f"WHERE ({oc.where}) AND list_contains($bands, age_band) GROUP BY ALL), "
        "pop AS (SELECT year, municipality_code, sum(population) AS population_year FROM agg_population_year "
        "WHERE list_contains($bands, age_band) GROUP BY ALL) "
        "SELECT m.month, u.municipality_code, coalesce(c.count, 0) AS count, p.population_year "
        "FROM months m CROSS JOIN units u "
        "LEFT JOIN counts c ON c.month = m.month AND c.municipality_code = u.municipality_code "
        "LEFT JOIN pop p ON p.year = year(m.month) AND p.municipality_code = u.municipality_code "
        "ORDER BY u.municipality_code, m.month"
    )
    df = cur.execute(sql, {"codes": codes, "bands": BANDS_65}).df()
    notes: list[str] = []
    if df.empty:
        empty = pd.DataFrame(columns=columns)
        empty.attrs.update(outcome=outcome, method="", notes=("The aggregate table has no rows.",))
        return empty
    df["month"] = pd.to_datetime(df["month"])
    df["municipality_code"] = df["municipality_code"].astype(int)
    df["population_year"] = pd.to_numeric(df["population_year"], errors="coerce")
    missing_pop = df["population_year"].isna() | (df["population_year"] <= 0)
    if missing_pop.any():
        years = sorted(df.loc[missing_pop, "month"].dt.year.unique().tolist())
        bad_months = df.loc[missing_pop, "month"].unique()
        notes.append(f"Months of {years} without a 65+ population for some municipality were left out.")
        df = df[~df["month"].isin(bad_months)]
    raw = pd.to_numeric(df["count"], errors="coerce").fillna(0.0)
    if oc.rounded:
        notes.append(f"{oc.name_en} rounded to whole numbers for the count models.")
    df["count"] = np.round(raw).astype("int64")
    df["population"] = df["population_year"] / 12.0
    df["year"] = df["month"].dt.year.astype(int)
    info = munis.set_index("municipality_code")
    df["municipality_name"] = df["municipality_code"].map(info["name"])
    df["region_code"] = df["municipality_code"].map(info["region_code"]).astype(int)
    df["region_name"] = df["municipality_code"].map(info["region_name"])
    df["treated"] = df["municipality_code"].isin(treated_municipalities())
    df["rate_per_1000"] = 1000.0 * df["count"] / df["population"]
    month_end = df["month"] + pd.offsets.MonthEnd(0)
    for column, (lo, hi) in _covid_windows().items():
        df[column] = ((df["month"] <= hi) & (month_end >= lo)).astype("int64")
    go_live = reference.regions().set_index("region_code")["lpr3_go_live"]
    go_month = df["region_code"].map(go_live).dt.to_period("M").dt.to_timestamp()
    df["lpr3"] = (df["month"] >= go_month).astype("int64")
    start, end = _month(constants.AGREEMENT_START), _month(constants.AGREEMENT_END)
    df["period"] = np.where(df["month"] < start, "before", np.where(df["month"] <= end, "during", "after"))
    df = df[columns].sort_values(["municipality_code", "month"]).reset_index(drop=True)
    windows = _covid_windows()
    df.attrs.update(
        outcome=outcome,
        method=(f"{oc.name_en}: {oc.measure} from {oc.source} where {oc.where}, age bands 65+; 65+ population "
                "from agg_population_year (year's value / 12 per month); COVID-19 months "
                + ", ".join(f"{c} {lo.date()}..{hi.date()}" for c, (lo, hi) in windows.items())
                + "; LPR3 from each region's go-live month (regions.csv)."),
        notes=tuple(notes),
    )
    return df


# --------------------------------------------------------------------------------------------------------
# Interrupted time series
# --------------------------------------------------------------------------------------------------------


def _comparison_log_rate(panel: pd.DataFrame) -> pd.Series | None:
    """log(rate) of the comparison municipalities summed, by month; None when a month has no events."""
    ctrl = panel[~panel["treated"]].groupby("month")[["count", "population"]].sum()
    if len(ctrl) == 0 or (ctrl["count"] <= 0).any():
        return None
    return np.log(ctrl["count"] / ctrl["population"]).rename("comparison_log_rate")


def _its_estimate(series: pd.DataFrame, *, unit: int, label: str, outcome: str, family: str, harmonics: int,
                  start, end, conf_level: float, comparison: pd.Series | None = None) -> AgreementEstimate:
    data = series.sort_values("month")
    covariates = [c for c in ITS_COVARIATES if c in data.columns]
    if comparison is not None:
        data = data.merge(comparison.reset_index(), on="month", how="left")
        covariates.append("comparison_log_rate")
    try:
        res = effect.interrupted_time_series(
            data, time="month", count="count", offset="population", start=_iso(start), end=_iso(end),
            harmonics=harmonics, family=family, covariates=covariates, conf_level=conf_level)
    except effect.EffectError as exc:
        return _nan_estimate(unit=unit, label=label, method="its", outcome=outcome, start=start, end=end,
                             conf_level=conf_level, reason=str(exc))
    row = res.coefficients.set_index("term").loc["level_during"]
    during = res.series["period"] == "during"
    observed = float(res.series.loc[during, "observed"].sum())
    expected = float(res.series.loc[during, "counterfactual"].sum())
    series_out = res.series[["time", "period", "observed", "counterfactual", "counterfactual_lower",
                             "counterfactual_upper"]].copy()
    description = (f"Interrupted time series for {label}: " + res.method
                   + " The rate ratio is the level change during the agreement relative to the extrapolated "
                     "pre-agreement trend; a separate level for the months after it keeps the after-period "
                     "from biasing the trend."
                   + (" Controlled ITS: the log rate of the comparison regions' municipalities is a covariate, "
                      "absorbing shocks common to all regions (COVID-19, influenza seasons, LPR3)."
                      if comparison is not None else ""))
    return AgreementEstimate(
        unit=unit, label=label, method="its", outcome=outcome, start=_iso(start), end=_iso(end),
        rate_ratio=res.rate_ratio, lower=res.lower, upper=res.upper, p_value=res.p_value,
        log_rate_ratio=float(row["estimate"]), std_error=float(row["std_error"]),
        observed=observed, expected=expected, events_avoided=res.events_avoided,
        events_avoided_lower=res.events_avoided_lower, events_avoided_upper=res.events_avoided_upper,
        conf_level=conf_level, description=description, notes=res.notes, detail=res, series=series_out)


def municipality_its(
    panel: pd.DataFrame,
    *,
    municipality: int,
    family: str = "quasipoisson",
    harmonics: int = 2,
    start=constants.AGREEMENT_START,
    end=constants.AGREEMENT_END,
    comparison: bool = False,
    conf_level: float = CONF_LEVEL,
) -> AgreementEstimate:
    """Three-period interrupted time series for one municipality.

    Segmented GLM of the monthly counts with ``log(population)`` offset, a linear trend, ``harmonics``
    Fourier pairs, a level for the agreement months and a separate level for the months after it, and
    the covariates ``covid_wave1``, ``covid_wave2`` and ``lpr3`` (kept in the counterfactual), via
    :func:`analysis.effect.interrupted_time_series`.

    Parameters
    ----------
    panel : pandas.DataFrame
        From :func:`monthly_panel`.
    municipality : int
        Municipality code (any of the 98; usually one of the 19 treated).
    family : {"quasipoisson", "poisson", "negative_binomial"}, default "quasipoisson"
    harmonics : int, default 2
    start, end : date-like
        The intervention period (default the agreement, ``end`` inclusive).
    comparison : bool, default False
        Controlled ITS: add the log rate of the 79 comparison municipalities (summed) as a covariate.
        On the demo data this removes most of the over-dispersion (about 4 to 1 for the region) and the
        downward bias that unmodelled influenza seasons and the COVID-19 recovery give the plain ITS.
    conf_level : float, default 0.95

    Returns
    -------
    AgreementEstimate
        NaN estimate with the reason in ``notes`` when the model cannot be estimated.

    References
    ----------
    .. [1] Lopez Bernal J, Cummins S, Gasparrini A. Interrupted time series regression for the evaluation of
       public health interventions: a tutorial. Int J Epidemiol 2017;46(1):348-355.
    """
    _check_panel(panel)
    series = panel[panel["municipality_code"] == municipality]
    if series.empty:
        raise AgreementError(f"Municipality {municipality} is not in the panel.")
    return _its_estimate(series, unit=int(municipality), label=_label(panel, municipality),
                         outcome=_outcome_of(panel), family=family, harmonics=harmonics, start=start, end=end,
                         conf_level=conf_level, comparison=_comparison_log_rate(panel) if comparison else None)


def _region_series(panel: pd.DataFrame) -> pd.DataFrame:
    part = panel[panel["treated"]]
    agg = {"count": "sum", "population": "sum", **{c: "max" for c in ITS_COVARIATES}}
    return part.groupby("month", as_index=False).agg(agg)


def region_its(
    panel: pd.DataFrame,
    *,
    family: str = "quasipoisson",
    harmonics: int = 2,
    start=constants.AGREEMENT_START,
    end=constants.AGREEMENT_END,
    comparison: bool = False,
    conf_level: float = CONF_LEVEL,
) -> AgreementEstimate:
    """Three-period interrupted time series of the 19 treated municipalities summed (Region Midtjylland).

    Same model (and ``comparison`` option) as :func:`municipality_its` on the summed counts and
    populations (the COVID-19 and LPR3 indicators are common to the region).

    Returns
    -------
    AgreementEstimate
        ``unit`` = 1082 (the region code), ``label`` "Region Midtjylland".

    References
    ----------
    .. [1] Lopez Bernal J, Cummins S, Gasparrini A. Int J Epidemiol 2017;46(1):348-355.
    """
    _check_panel(panel)
    return _its_estimate(_region_series(panel), unit=REGION_UNIT, label=constants.MIDTJYLLAND,
                         outcome=_outcome_of(panel), family=family, harmonics=harmonics, start=start, end=end,
                         conf_level=conf_level, comparison=_comparison_log_rate(panel) if comparison else None)


# --------------------------------------------------------------------------------------------------------
# Difference in differences
# --------------------------------------------------------------------------------------------------------


def control_dispersion(panel: pd.DataFrame, *, end=None) -> float:
    """Pearson dispersion of a two-way (municipality x month) Poisson model of the comparison units.

    The model ``E[y_it] = population_it * a_i * b_t`` is fitted by iterative proportional fitting (the
    Poisson maximum-likelihood solution for two sets of fixed effects); the result is
    ``sum((y - mu)^2 / mu) / (N - I - T + 1)``. It scales the model-based standard errors of the
    one-treated-municipality difference-in-differences (quasi-Poisson), where clustering by unit is not
    valid with a single treated cluster.

    Parameters
    ----------
    panel : pandas.DataFrame
        From :func:`monthly_panel`.
    end : date-like, optional
        Use months up to this date only.

    Returns
    -------
    float
        The dispersion (1 = Poisson), NaN when it cannot be computed.
    """
    part = panel[~panel["treated"]]
    if end is not None:
        part = part[part["month"] <= _month(end)]
    y = part.pivot(index="month", columns="municipality_code", values="count").to_numpy(dtype=float)
    pop = part.pivot(index="month", columns="municipality_code", values="population").to_numpy(dtype=float)
    keep = y.sum(0) > 0
    y, pop = y[:, keep], pop[:, keep]
    rows = y.sum(1) > 0
    y, pop = y[rows], pop[rows]
    if y.size == 0 or min(y.shape) < 2:
        return float("nan")
    a = np.ones(y.shape[1])
    b = y.sum(1) / pop.sum(1)
    for _ in range(500):
        a_new = y.sum(0) / (pop * b[:, None]).sum(0)
        b_new = y.sum(1) / (pop * a_new[None, :]).sum(1)
        done = np.allclose(a_new, a, rtol=1e-10) and np.allclose(b_new, b, rtol=1e-10)
        a, b = a_new, b_new
        if done:
            break
    mu = pop * b[:, None] * a[None, :]
    df = y.size - y.shape[0] - y.shape[1] + 1
    return float(np.sum((y - mu) ** 2 / mu) / df) if df > 0 else float("nan")


def _did_counterfactual(panel: pd.DataFrame, units: Sequence[int], *, start, end,
                        controls: Sequence[int]) -> pd.DataFrame:
    """Chart series: treated counts and the comparison-based counterfactual (scaled on the before months)."""
    treated = panel[panel["municipality_code"].isin(units)].groupby("month")[["count", "population"]].sum()
    ctrl = panel[panel["municipality_code"].isin(controls)].groupby("month")[["count", "population"]].sum()
    ctrl_rate = ctrl["count"] / ctrl["population"]
    base = treated["population"] * ctrl_rate
    before = treated.index < _month(start)
    scale = treated.loc[before, "count"].sum() / base[before].sum() if base[before].sum() > 0 else np.nan
    t = treated.index.to_series()
    period = np.where(t < _month(start), "before", np.where(t <= _month(end), "during", "after"))
    return pd.DataFrame({"time": treated.index, "period": period, "observed": treated["count"].to_numpy(float),
                         "counterfactual": (base * scale).to_numpy(), "counterfactual_lower": np.nan,
                         "counterfactual_upper": np.nan}).reset_index(drop=True)


def controlled_did(
    panel: pd.DataFrame,
    *,
    start=constants.AGREEMENT_START,
    end=constants.AGREEMENT_END,
    municipality: int | None = None,
    dispersion: float | None = None,
    conf_level: float = CONF_LEVEL,
) -> AgreementEstimate:
    """Difference-in-differences against the 79 municipalities of the other four regions.

    Poisson two-way fixed effects (municipality and month effects, ``log(population)`` offset) via
    :func:`analysis.effect.difference_in_differences`, with the region-specific LPR3 indicator as a
    covariate (the month effects absorb COVID-19 and seasonality common to all regions), a treatment
    indicator for the agreement months and a separate one for the months after.

    Parameters
    ----------
    panel : pandas.DataFrame
        From :func:`monthly_panel`.
    start, end : date-like
        The intervention period (default the agreement).
    municipality : int, optional
        Without it: Midtjylland's 19 treated together, standard errors clustered by municipality (98
        clusters). With it: that municipality alone against the 79 comparison municipalities (the other
        18 treated are left out); clustering with one treated cluster is not valid (Conley & Taber 2011),
        so model-based Poisson errors are scaled by the comparison units' Pearson dispersion
        (:func:`control_dispersion`, at least 1).
    dispersion : float, optional
        Precomputed :func:`control_dispersion` (saves time when looping over municipalities).
    conf_level : float, default 0.95

    Returns
    -------
    AgreementEstimate

    References
    ----------
    .. [1] Wooldridge JM. Simple approaches to nonlinear difference-in-differences with panel data.
       Econom J 2023;26(3):C31-C66.
    .. [2] Bertrand M, Duflo E, Mullainathan S. How much should we trust differences-in-differences
       estimates? Q J Econ 2004;119(1):249-275.
    .. [3] Conley TG, Taber CR. Inference with "difference in differences" with a small number of policy
       changes. Rev Econ Stat 2011;93(1):113-125.
    """
    _check_panel(panel)
    outcome = _outcome_of(panel)
    controls = sorted(panel.loc[~panel["treated"], "municipality_code"].unique().tolist())
    if municipality is None:
        units = sorted(panel.loc[panel["treated"], "municipality_code"].unique().tolist())
        data, unit_id, label, cluster = panel, REGION_UNIT, constants.MIDTJYLLAND, "unit"
    else:
        if municipality not in set(panel["municipality_code"]):
            raise AgreementError(f"Municipality {municipality} is not in the panel.")
        units = [int(municipality)]
        data = panel[panel["municipality_code"].isin(units + controls)]
        unit_id, label, cluster = int(municipality), _label(panel, municipality), None
    in_period = _period_mask(data["month"], start, end) & data["municipality_code"].isin(units).to_numpy()
    observed = float(data.loc[in_period, "count"].sum())
    try:
        res = effect.difference_in_differences(
            data, unit="municipality_code", time="month", outcome="count", treated=units, start=_iso(start),
            end=_iso(end), offset="population", covariates=("lpr3",), cluster=cluster, conf_level=conf_level)
    except effect.EffectError as exc:
        return _nan_estimate(unit=unit_id, label=label, method="did", outcome=outcome, start=start, end=end,
                             conf_level=conf_level, reason=str(exc), observed=observed)
    b, se = float(res.coefficient), float(res.std_error)
    notes = list(res.notes)
    warning = None
    description = f"Difference-in-differences for {label}: " + res.method
    if municipality is not None:
        phi = control_dispersion(panel) if dispersion is None else float(dispersion)
        factor = math.sqrt(max(1.0, phi)) if np.isfinite(phi) else 1.0
        se *= factor
        description += (f" One treated municipality against {len(controls)} comparison municipalities; the "
                        f"model-based standard error is multiplied by sqrt(dispersion) = {factor:.3f} "
                        f"(Pearson dispersion {phi:.2f} of the comparison units' two-way model, quasi-Poisson).")
    rr, lo, hi, p = _from_log(log_rr=b, se=se, conf_level=conf_level)
    expected, avoided, av_lo, av_hi = _avoided_from_ratio(observed, rr, lo, hi)
    series = _did_counterfactual(panel, units, start=start, end=end, controls=controls)
    description += (" Events avoided = observed x (1/RR - 1) over the treated municipalities' agreement months, "
                    "interval from the RR limits. The chart's counterfactual is the comparison regions' rate "
                    "scaled to the treated units' level before the start.")
    return AgreementEstimate(
        unit=unit_id, label=label, method="did", outcome=outcome, start=_iso(start), end=_iso(end),
        rate_ratio=rr, lower=lo, upper=hi, p_value=p, log_rate_ratio=b, std_error=se, observed=observed,
        expected=expected, events_avoided=avoided, events_avoided_lower=av_lo, events_avoided_upper=av_hi,
        conf_level=conf_level, description=description, notes=tuple(notes), warning=warning, detail=res,
        series=series)


# --------------------------------------------------------------------------------------------------------
# Synthetic control
# --------------------------------------------------------------------------------------------------------


def _sc_frame(panel: pd.DataFrame, *, end) -> pd.DataFrame:
    """Comparison municipalities plus every treated one, up to ``end``, with rates per 1,000."""
    part = panel[panel["month"] <= _month(end)]
    return part[["month", "municipality_code", "count", "population", "rate_per_1000", "treated"]]


def _sc_counts(series: pd.DataFrame, population: np.ndarray, post: np.ndarray) -> tuple[float, float]:
    """(observed, synthetic) events after the start: rate per 1,000 per year x person-years / 1000."""
    obs = float(np.sum(series["treated"].to_numpy()[post] * population[post]) / 1000.0)
    syn = float(np.sum(series["synthetic"].to_numpy()[post] * population[post]) / 1000.0)
    return obs, syn


def sc_placebos(panel: pd.DataFrame, *, start=constants.AGREEMENT_START, end=constants.AGREEMENT_END) -> ScPlacebos:
    """Placebo-in-space fits of every comparison municipality (the other 78 as donors), shared by all treated.

    Parameters
    ----------
    panel : pandas.DataFrame
        From :func:`monthly_panel`.
    start, end : date-like
        The intervention period; months after ``end`` are not used.

    Returns
    -------
    ScPlacebos

    References
    ----------
    .. [1] Abadie A, Diamond A, Hainmueller J. Synthetic control methods for comparative case studies.
       J Am Stat Assoc 2010;105(490):493-505.
    """
    _check_panel(panel)
    frame = _sc_frame(panel, end=end)
    controls = sorted(frame.loc[~frame["treated"], "municipality_code"].unique().tolist())
    wide_pop = frame.pivot(index="month", columns="municipality_code", values="population").sort_index()
    post = (wide_pop.index >= _month(start))
    rows, gaps = [], {}
    sub = frame[frame["municipality_code"].isin(controls)]
    for unit in controls:
        try:
            res = effect.synthetic_control(sub, unit="municipality_code", time="month", outcome="rate_per_1000",
                                           treated=unit, start=_iso(start), placebos=False,
                                           donors=[c for c in controls if c != unit])
        except effect.EffectError:
            continue
        obs, syn = _sc_counts(res.series, wide_pop[unit].to_numpy(), post)
        rows.append({"unit": unit, "pre_rmspe": res.pre_rmspe, "post_rmspe": res.post_rmspe,
                     "rmspe_ratio": res.rmspe_ratio, "average_effect": res.average_effect,
                     "observed_post": obs, "synthetic_post": syn,
                     "log_ratio": float(np.log(obs / syn)) if obs > 0 and syn > 0 else float("nan")})
        gaps[unit] = res.series["gap"].to_numpy()
    table = pd.DataFrame(rows)
    usable = table[np.isfinite(table["log_ratio"])] if len(table) else table
    sigma2 = float(max(0.0, np.mean(usable["log_ratio"] ** 2 - 1.0 / usable["observed_post"]))) if len(usable) else float("nan")
    gap_frame = pd.DataFrame(gaps, index=wide_pop.index)
    gap_frame.index.name = "time"
    return ScPlacebos(table=table, gaps=gap_frame, sigma2=sigma2, start=_iso(start), end=_iso(end))


def _sc_estimate(frame: pd.DataFrame, *, unit: int, label: str, outcome: str, start, end,
                 placebos: ScPlacebos, conf_level: float) -> AgreementEstimate:
    controls = placebos.table["unit"].tolist() if len(placebos.table) else []
    data = frame[frame["municipality_code"].isin([unit, *controls])]
    try:
        res = effect.synthetic_control(data, unit="municipality_code", time="month", outcome="rate_per_1000",
                                       treated=unit, start=_iso(start), placebos=False, donors=controls)
    except effect.EffectError as exc:
        return _nan_estimate(unit=unit, label=label, method="sc", outcome=outcome, start=start, end=end,
                             conf_level=conf_level, reason=str(exc))
    pop = data[data["municipality_code"] == unit].sort_values("month")["population"].to_numpy()
    post = res.series["period"].to_numpy() == "after"
    obs, syn = _sc_counts(res.series, pop, post)
    observed = float(data.loc[(data["municipality_code"] == unit) & _period_mask(data["month"], start, end),
                              "count"].sum())
    # Placebo-in-space table with the treated unit in front, as effect.synthetic_control builds it.
    table = pd.concat([pd.DataFrame([{"unit": unit, "is_treated": True, "pre_rmspe": res.pre_rmspe,
                                      "post_rmspe": res.post_rmspe, "rmspe_ratio": res.rmspe_ratio,
                                      "average_effect": res.average_effect}]),
                       placebos.table.assign(is_treated=False)[["unit", "is_treated", "pre_rmspe", "post_rmspe",
                                                                  "rmspe_ratio", "average_effect"]]],
                      ignore_index=True)
    ratios = table["rmspe_ratio"].to_numpy(dtype=float)
    perm_p = float(np.mean(ratios >= res.rmspe_ratio * (1 - 1e-9)))
    gaps = placebos.gaps.copy()
    gaps.insert(0, unit, res.series["gap"].to_numpy())
    detail = replace(res, placebos=table, placebo_gaps=gaps, p_value=perm_p)
    if not (obs > 0 and syn > 0):
        return _nan_estimate(unit=unit, label=label, method="sc", outcome=outcome, start=start, end=end,
                             conf_level=conf_level, reason="No events in the treated unit or its synthetic control.",
                             observed=observed)
    log_rr = float(np.log(obs / syn))
    se = float(np.sqrt(placebos.sigma2 + 1.0 / obs))
    rr, lo, hi, p = _from_log(log_rr=log_rr, se=se, conf_level=conf_level)
    expected, avoided, av_lo, av_hi = _avoided_from_ratio(observed, rr, lo, hi)
    n = len(controls)
    warnings_ = [res.warning] if res.warning else []
    warnings_.append(
        f"Placebo p-values from {n} comparison municipalities are rough (smallest possible 1/{n + 1}); the "
        "interval is an approximation from the spread of the placebo estimates.")
    months = res.series["time"]
    series = pd.DataFrame({"time": months, "period": np.where(post, "during", "before"),
                           "observed": res.series["treated"].to_numpy() * pop / 1000.0,
                           "counterfactual": res.series["synthetic"].to_numpy() * pop / 1000.0,
                           "counterfactual_lower": np.nan, "counterfactual_upper": np.nan})
    description = (
        f"Synthetic control for {label}: " + res.method
        + f" Outcome: rate per 1,000 65+ per year; donors: the {n} municipalities of the other four regions; "
        f"data up to {_iso(end)}. Rate ratio = observed / synthetic events over the agreement months "
        "(rates x person-years). Interval: log rate ratio +- z x sqrt(sigma^2 + 1/observed), where sigma^2 = "
        f"{placebos.sigma2:.4f} is the variance of the placebo units' log ratios beyond their Poisson noise "
        f"(an approximation); the permutation p-value from the post/pre RMSPE ranks is {perm_p:.3f} "
        "(in detail.p_value).")
    return AgreementEstimate(
        unit=unit, label=label, method="sc", outcome=outcome, start=_iso(start), end=_iso(end),
        rate_ratio=rr, lower=lo, upper=hi, p_value=p, log_rate_ratio=log_rr, std_error=se, observed=observed,
        expected=expected, events_avoided=avoided, events_avoided_lower=av_lo, events_avoided_upper=av_hi,
        conf_level=conf_level, description=description, notes=res.notes, warning=" ".join(warnings_),
        detail=detail, series=series)


def municipality_synthetic_control(
    panel: pd.DataFrame,
    *,
    municipality: int,
    start=constants.AGREEMENT_START,
    end=constants.AGREEMENT_END,
    placebos: ScPlacebos | None = None,
    conf_level: float = CONF_LEVEL,
) -> AgreementEstimate:
    """Synthetic control of one municipality's rate per 1,000 from the 79 comparison municipalities.

    Donor weights on the simplex fitted to the pre-agreement monthly rates
    (:func:`analysis.effect.synthetic_control`), evaluated over ``start``..``end``. Placebo-in-space
    inference uses :func:`sc_placebos` (computed here when not given; pass it to reuse it for all 19).
    ``detail`` is the :class:`effect.ScResult` with the placebo table, placebo gaps and permutation
    p-value filled in; ``warning`` always carries the small-donor-pool caveat.

    Returns
    -------
    AgreementEstimate

    References
    ----------
    .. [1] Abadie A, Diamond A, Hainmueller J. J Am Stat Assoc 2010;105(490):493-505.
    .. [2] Abadie A. Using synthetic controls. J Econ Lit 2021;59(2):391-425.
    """
    _check_panel(panel)
    if municipality not in set(panel["municipality_code"]):
        raise AgreementError(f"Municipality {municipality} is not in the panel.")
    placebos = sc_placebos(panel, start=start, end=end) if placebos is None else placebos
    frame = _sc_frame(panel, end=end)
    return _sc_estimate(frame, unit=int(municipality), label=_label(panel, municipality),
                        outcome=_outcome_of(panel), start=start, end=end, placebos=placebos, conf_level=conf_level)


def region_synthetic_control(
    panel: pd.DataFrame,
    *,
    start=constants.AGREEMENT_START,
    end=constants.AGREEMENT_END,
    placebos: ScPlacebos | None = None,
    conf_level: float = CONF_LEVEL,
) -> AgreementEstimate:
    """Synthetic control of the 19 treated municipalities summed (Region Midtjylland) from the 79 others.

    Returns
    -------
    AgreementEstimate
        ``unit`` = 1082.

    References
    ----------
    .. [1] Abadie A, Diamond A, Hainmueller J. J Am Stat Assoc 2010;105(490):493-505.
    """
    _check_panel(panel)
    placebos = sc_placebos(panel, start=start, end=end) if placebos is None else placebos
    frame = _sc_frame(panel, end=end)
    region = frame[frame["treated"]].groupby("month", as_index=False)[["count", "population"]].sum()
    region["municipality_code"] = REGION_UNIT
    region["rate_per_1000"] = 1000.0 * region["count"] / region["population"]
    region["treated"] = True
    frame = pd.concat([frame[~frame["treated"]], region[frame.columns]], ignore_index=True)
    return _sc_estimate(frame, unit=REGION_UNIT, label=constants.MIDTJYLLAND, outcome=_outcome_of(panel),
                        start=start, end=end, placebos=placebos, conf_level=conf_level)


# --------------------------------------------------------------------------------------------------------
# All municipalities, the region, pooling
# --------------------------------------------------------------------------------------------------------


def municipality_estimates(
    panel: pd.DataFrame,
    *,
    method: str = "did",
    start=constants.AGREEMENT_START,
    end=constants.AGREEMENT_END,
    family: str = "quasipoisson",
    harmonics: int = 2,
    comparison: bool = False,
    placebos: ScPlacebos | None = None,
    conf_level: float = CONF_LEVEL,
) -> dict[int, AgreementEstimate]:
    """One estimate per treated municipality with the chosen method (shared work done once).

    Returns
    -------
    dict of int to AgreementEstimate
        Keyed by municipality code, in code order.
    """
    _check_panel(panel)
    _method(method)
    units = sorted(panel.loc[panel["treated"], "municipality_code"].unique().tolist())
    out: dict[int, AgreementEstimate] = {}
    if method == "its":
        for u in units:
            out[u] = municipality_its(panel, municipality=u, family=family, harmonics=harmonics, start=start,
                                      end=end, comparison=comparison, conf_level=conf_level)
    elif method == "did":
        phi = control_dispersion(panel)
        for u in units:
            out[u] = controlled_did(panel, municipality=u, start=start, end=end, dispersion=phi,
                                    conf_level=conf_level)
    else:
        placebos = sc_placebos(panel, start=start, end=end) if placebos is None else placebos
        for u in units:
            out[u] = municipality_synthetic_control(panel, municipality=u, start=start, end=end,
                                                    placebos=placebos, conf_level=conf_level)
    return out


def region_estimate(
    panel: pd.DataFrame,
    *,
    method: str = "did",
    start=constants.AGREEMENT_START,
    end=constants.AGREEMENT_END,
    family: str = "quasipoisson",
    harmonics: int = 2,
    comparison: bool = False,
    placebos: ScPlacebos | None = None,
    conf_level: float = CONF_LEVEL,
) -> AgreementEstimate:
    """The region's estimate: :func:`region_its`, the pooled :func:`controlled_did` or
    :func:`region_synthetic_control`."""
    _method(method)
    if method == "its":
        return region_its(panel, family=family, harmonics=harmonics, start=start, end=end, comparison=comparison,
                          conf_level=conf_level)
    if method == "did":
        return controlled_did(panel, start=start, end=end, conf_level=conf_level)
    return region_synthetic_control(panel, start=start, end=end, placebos=placebos, conf_level=conf_level)


def _as_list(estimates) -> list[AgreementEstimate]:
    if isinstance(estimates, Mapping):
        estimates = list(estimates.values())
    estimates = list(estimates)
    if not all(isinstance(e, AgreementEstimate) for e in estimates):
        raise AgreementError("Pass AgreementEstimate objects (from municipality_estimates()).")
    return estimates


def pooled(estimates: Mapping[int, AgreementEstimate] | Iterable[AgreementEstimate], *,
           conf_level: float = CONF_LEVEL) -> dict:
    """Random-effects (DerSimonian-Laird) pooling of per-municipality log rate ratios.

    Parameters
    ----------
    estimates : mapping or iterable of AgreementEstimate
        Usually :func:`municipality_estimates`. Estimates without a finite standard error are left out
        (listed under ``left_out``).
    conf_level : float, default 0.95

    Returns
    -------
    dict
        ``estimate, lower, upper`` (pooled rate ratio and interval), ``log_estimate, std_error, p_value``,
        ``tau2, tau, i2`` (percent), ``q, q_df, q_p_value``, ``prediction_lower, prediction_upper`` (rate
        ratios, None when k < 3), ``fixed_estimate`` (common-effect rate ratio), ``k``, ``left_out`` (labels),
        ``method_key`` (its/did/sc), ``method`` (text) and ``result`` (the :class:`effect.PooledResult`).
        With fewer than two usable estimates every number is NaN and ``method`` says why.

    References
    ----------
    .. [1] DerSimonian R, Laird N. Control Clin Trials 1986;7(3):177-188.
    .. [2] Higgins JPT, Thompson SG. Stat Med 2002;21(11):1539-1558.
    """
    items = _as_list(estimates)
    good = [e for e in items if e.ok]
    left_out = [e.label for e in items if not e.ok]
    method_key = items[0].method if items else ""
    if len(good) < 2:
        nan = float("nan")
        return {"estimate": nan, "lower": nan, "upper": nan, "log_estimate": nan, "std_error": nan,
                "p_value": nan, "tau2": nan, "tau": nan, "i2": nan, "q": nan, "q_df": 0, "q_p_value": nan,
                "prediction_lower": None, "prediction_upper": None, "fixed_estimate": nan, "k": len(good),
                "left_out": left_out, "method_key": method_key,
                "method": "Not pooled: fewer than two municipalities have a usable estimate.", "result": None}
    est = pd.Series([e.log_rate_ratio for e in good], index=[e.label for e in good])
    res = effect.pooled_effect(est, [e.std_error for e in good], conf_level=conf_level)
    exp = lambda v: None if v is None else float(np.exp(v))  # noqa: E731
    return {
        "estimate": float(np.exp(res.estimate)), "lower": float(np.exp(res.lower)), "upper": float(np.exp(res.upper)),
        "log_estimate": res.estimate, "std_error": res.std_error, "p_value": res.p_value,
        "tau2": res.tau2, "tau": res.tau, "i2": res.i2, "q": res.q, "q_df": res.q_df, "q_p_value": res.q_p_value,
        "prediction_lower": exp(res.prediction_lower), "prediction_upper": exp(res.prediction_upper),
        "fixed_estimate": float(np.exp(res.fixed_estimate)), "k": res.k, "left_out": left_out,
        "method_key": method_key,
        "method": f"Log rate ratios of the {res.k} municipalities ({METHOD_NAMES.get(method_key, ('', method_key))[1]})"
                  f" pooled: {res.method}",
        "result": res,
    }


def forest_table(estimates: Mapping[int, AgreementEstimate] | Iterable[AgreementEstimate], *,
                 conf_level: float = CONF_LEVEL, pooled_result: dict | None = None) -> pd.DataFrame:
    """The forest-plot table: one row per municipality plus the pooled (random-effects) row.

    Parameters
    ----------
    estimates : mapping or iterable of AgreementEstimate
    conf_level : float, default 0.95
    pooled_result : dict, optional
        A :func:`pooled` result for the same estimates (computed when omitted).

    Returns
    -------
    pandas.DataFrame
        ``row_type`` ("municipality"/"pooled"), ``unit`` (code; 1082 for the pooled row), ``label``,
        ``estimate, lower, upper`` (rate ratios), ``percent_change``, ``log_estimate, std_error``,
        ``weight`` (random-effects weight in percent; NaN for estimates left out), ``p_value``,
        ``events_avoided, events_avoided_lower, events_avoided_upper``, ``method`` (its/did/sc),
        ``note``. The pooled row's ``note`` gives tau^2 and I^2; its events avoided are the sum over the
        municipalities (interval NaN).
    """
    items = _as_list(estimates)
    pr = pooled(items, conf_level=conf_level) if pooled_result is None else pooled_result
    weights = {}
    if pr["result"] is not None:
        weights = dict(zip(pr["result"].studies["label"], pr["result"].studies["weight"]))
    rows = []
    for e in items:
        rows.append({"row_type": "municipality", "unit": e.unit, "label": e.label, "estimate": e.rate_ratio,
                     "lower": e.lower, "upper": e.upper, "percent_change": e.percent_change,
                     "log_estimate": e.log_rate_ratio, "std_error": e.std_error,
                     "weight": weights.get(e.label, np.nan) if e.ok else np.nan, "p_value": e.p_value,
                     "events_avoided": e.events_avoided, "events_avoided_lower": e.events_avoided_lower,
                     "events_avoided_upper": e.events_avoided_upper, "method": e.method,
                     "note": "; ".join(e.notes) if not e.ok else ""})
    rows.append({"row_type": "pooled", "unit": REGION_UNIT, "label": "Samlet (random effects)",
                 "estimate": pr["estimate"], "lower": pr["lower"], "upper": pr["upper"],
                 "percent_change": 100 * (pr["estimate"] - 1), "log_estimate": pr["log_estimate"],
                 "std_error": pr["std_error"], "weight": 100.0 if pr["result"] is not None else np.nan,
                 "p_value": pr["p_value"],
                 "events_avoided": float(np.nansum([e.events_avoided for e in items])),
                 "events_avoided_lower": np.nan, "events_avoided_upper": np.nan,
                 "method": pr["method_key"],
                 "note": (f"tau^2 = {pr['tau2']:.4f}, I^2 = {pr['i2']:.0f} %, k = {pr['k']}"
                          if pr["result"] is not None else pr["method"])})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------------
# Sensitivity
# --------------------------------------------------------------------------------------------------------


def _scenarios(start, end) -> list[dict]:
    s, e = _month(start), _month(end)
    out = [
        {"scenario": "main", "label_da": "Hovedanalyse", "label_en": "Main analysis", "start": s, "end": e,
         "drop_covid": False, "cutoff": None, "is_placebo": False},
        {"scenario": "no_covid_months", "label_da": "Uden COVID-19-måneder", "label_en": "COVID-19 months left out",
         "start": s, "end": e, "drop_covid": True, "cutoff": None, "is_placebo": False},
        {"scenario": "start_minus_3", "label_da": f"Start {START_SHIFT_MONTHS} mdr. tidligere",
         "label_en": f"Start {START_SHIFT_MONTHS} months earlier", "start": _add_months(s, -START_SHIFT_MONTHS),
         "end": e, "drop_covid": False, "cutoff": None, "is_placebo": False},
        {"scenario": "start_plus_3", "label_da": f"Start {START_SHIFT_MONTHS} mdr. senere",
         "label_en": f"Start {START_SHIFT_MONTHS} months later", "start": _add_months(s, START_SHIFT_MONTHS),
         "end": e, "drop_covid": False, "cutoff": None, "is_placebo": False},
    ]
    for p in PLACEBO_STARTS:
        ps = _month(p)
        pe = _add_months(ps, PLACEBO_LENGTH_MONTHS) - pd.Timedelta(days=1)
        out.append({"scenario": f"placebo_{ps:%Y_%m}", "label_da": f"Placebo-start {ps:%m.%Y}",
                    "label_en": f"Placebo start {ps:%b %Y}", "start": ps, "end": pe, "drop_covid": False,
                    "cutoff": s, "is_placebo": True})
    return out


def sensitivity(
    panel: pd.DataFrame,
    *,
    method: str = "did",
    municipality: int | None = None,
    start=constants.AGREEMENT_START,
    end=constants.AGREEMENT_END,
    family: str = "quasipoisson",
    harmonics: int = 2,
    comparison: bool = False,
    main: AgreementEstimate | None = None,
    conf_level: float = CONF_LEVEL,
) -> pd.DataFrame:
    """The estimate under alternative assumptions, and placebo start dates that should show nothing.

    Scenarios: ``main``; ``no_covid_months`` (months flagged ``covid_wave1``/``covid_wave2`` removed from
    the data); ``start_minus_3`` / ``start_plus_3`` (start moved 3 months, same end);
    ``placebo_2017_09`` and ``placebo_2018_03`` (a 16-month "agreement" from that date, on the data
    before the real start only, so the real effect cannot leak in: their intervals should cover 1).

    Parameters
    ----------
    panel : pandas.DataFrame
        From :func:`monthly_panel`.
    method : {"did", "its", "sc"}
    municipality : int, optional
        One treated municipality; the region (19 summed / pooled DiD) when omitted.
    start, end, family, harmonics, comparison, conf_level
        As for the estimators.
    main : AgreementEstimate, optional
        The main estimate when already computed with the same options (it is then not refitted).

    Returns
    -------
    pandas.DataFrame
        ``scenario, label_da, label_en, start, end, is_placebo, estimate, lower, upper, p`` (rate ratio,
        interval, p-value), ``covers_no_effect``, ``n_months``, ``method`` (its/did/sc), ``note``.
    """
    _check_panel(panel)
    _method(method)
    rows = []
    for sc in _scenarios(start, end):
        data = panel
        if sc["drop_covid"]:
            data = data[(data["covid_wave1"] == 0) & (data["covid_wave2"] == 0)]
        if sc["cutoff"] is not None:
            data = data[data["month"] < sc["cutoff"]]
        data = data.copy()
        data.attrs = dict(panel.attrs)
        kw = dict(start=sc["start"], end=sc["end"], conf_level=conf_level)
        if method == "its":
            kw.update(family=family, harmonics=harmonics, comparison=comparison)
        if sc["scenario"] == "main" and main is not None:
            est = main
        elif municipality is None:
            est = region_estimate(data, method=method, **kw)
        elif method == "its":
            est = municipality_its(data, municipality=municipality, **kw)
        elif method == "did":
            est = controlled_did(data, municipality=municipality, **kw)
        else:
            est = municipality_synthetic_control(data, municipality=municipality, **kw)
        rows.append({"scenario": sc["scenario"], "label_da": sc["label_da"], "label_en": sc["label_en"],
                     "start": sc["start"], "end": sc["end"], "is_placebo": sc["is_placebo"],
                     "estimate": est.rate_ratio, "lower": est.lower, "upper": est.upper, "p": est.p_value,
                     "covers_no_effect": est.covers_no_effect, "n_months": int(data["month"].nunique()),
                     "method": method, "note": "; ".join(est.notes)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------------
# Plain-language summary
# --------------------------------------------------------------------------------------------------------


def _fmt_number(value: float, lang: str, decimals: int = 0) -> str:
    text = f"{abs(value):,.{decimals}f}"
    if lang == "da":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return ("\u2212" if value < 0 and round(abs(value), decimals) != 0 else "") + text


def _fmt_pct(value: float, lang: str) -> str:
    sign = "+" if value > 0 and round(value, 1) != 0 else ""
    return sign + _fmt_number(value, lang, 1) + " %"


def _nice(value: float) -> float:
    """Round a count or price to 2-3 significant figures for prose ("about 1,530")."""
    if not np.isfinite(value) or value == 0:
        return value
    digits = int(math.floor(math.log10(abs(value))))
    step = 10 ** max(0, digits - 2)
    return round(value / step) * step


def plain_summary(result: AgreementEstimate, *, lang: str = "da", spend_dkk: float | None = None,
                  with_label: bool = True) -> str:
    """The estimate in plain language, with an honest verdict when the interval covers no effect.

    Parameters
    ----------
    result : AgreementEstimate
        A municipality or region estimate.
    lang : {"da", "en"}
    spend_dkk : float, optional
        Money spent in the unit over the period (e.g. :attr:`BudgetBurnDown.spent_dkk`); gives the cost
        per avoided event when the avoided events are clearly above 0.
    with_label : bool, default True
        Start with the unit's name ("Region Midtjylland: estimeret ændring ..."); without it the text
        starts "Estimeret ændring ...".

    Returns
    -------
    str
        E.g. "Estimeret ændring −9,4 % (95 %-KI −13,0 % til −5,6 %); omkring 1.530 forebyggelige
        indlæggelser undgået (95 %-KI 1.000 til 2.050); pris pr. undgået indlæggelse 1.960 kr.
        (1.460 til 3.000 kr.)." When the interval contains a rate ratio of 1 the text says the data cannot
        tell ("data kan ikke afgøre ...") and gives no cost.
    """
    if lang not in ("da", "en"):
        raise AgreementError(f"lang must be 'da' or 'en', got {lang!r}.")
    oc = OUTCOMES.get(result.outcome, OUTCOMES[DEFAULT_OUTCOME])
    da = lang == "da"
    level = _fmt_number(100 * result.conf_level, lang) + (" %-KI" if da else " % CI")
    who = result.label
    if not np.isfinite(result.rate_ratio):
        reason = result.notes[0] if result.notes else ""
        return (f"{who}: effekten kunne ikke estimeres. {reason}" if da
                else f"{who}: the effect could not be estimated. {reason}").strip()
    pct, lo, hi = (100 * (result.rate_ratio - 1), 100 * (result.lower - 1), 100 * (result.upper - 1))
    to = " til " if da else " to "
    head = "estimeret ændring " if da else "estimated change "
    head = f"{who}: {head}" if with_label else head[0].upper() + head[1:]
    parts = [head + f"{_fmt_pct(pct, lang)} ({level} {_fmt_pct(lo, lang)}{to}{_fmt_pct(hi, lang)})"]
    av, av_lo, av_hi = result.events_avoided, result.events_avoided_lower, result.events_avoided_upper
    noun = oc.noun_da if da else oc.noun_en
    interval = f"({level} {_fmt_number(_nice(av_lo), lang)}{to}{_fmt_number(_nice(av_hi), lang)})"
    if result.covers_no_effect:
        parts.append(
            (f"det svarer til omkring {_fmt_number(_nice(av), lang)} {noun} undgået {interval}" if da
             else f"that is about {_fmt_number(_nice(av), lang)} {noun} avoided {interval}"))
        verdict = (f"Intervallet rummer både et fald, ingen ændring og en stigning, så data kan ikke afgøre, om "
                   f"aftalen har ændret antallet af {noun}; en pris pr. undgået kan derfor ikke opgøres." if da
                   else f"The interval includes a decrease, no change and an increase, so the data cannot tell "
                   f"whether the agreement changed the number of {noun}; a cost per avoided event cannot be given.")
        return "; ".join(parts) + ". " + verdict
    if result.upper < 1:
        parts.append((f"omkring {_fmt_number(_nice(av), lang)} {noun} undgået {interval}" if da
                      else f"about {_fmt_number(_nice(av), lang)} {noun} avoided {interval}"))
        if spend_dkk is not None and spend_dkk > 0 and av_lo > 0:
            single = oc.singular_da if da else oc.singular_en
            cost, cost_lo, cost_hi = spend_dkk / av, spend_dkk / av_hi, spend_dkk / av_lo
            if da:
                parts.append(f"pris pr. undgået {single} {_fmt_number(_nice(cost), lang)} kr. "
                             f"({_fmt_number(_nice(cost_lo), lang)} til {_fmt_number(_nice(cost_hi), lang)} kr.)")
            else:
                parts.append(f"cost per avoided {single} DKK {_fmt_number(_nice(cost), lang)} "
                             f"(DKK {_fmt_number(_nice(cost_lo), lang)} to {_fmt_number(_nice(cost_hi), lang)})")
        return "; ".join(parts) + "."
    # Interval entirely above 1: more events than expected.
    more = -av
    parts.append((f"omkring {_fmt_number(_nice(more), lang)} flere {noun} end forventet uden aftalen "
                  f"({level} {_fmt_number(_nice(-av_hi), lang)}{to}{_fmt_number(_nice(-av_lo), lang)})" if da
                  else f"about {_fmt_number(_nice(more), lang)} more {noun} than expected without the agreement "
                  f"({level} {_fmt_number(_nice(-av_hi), lang)}{to}{_fmt_number(_nice(-av_lo), lang)})"))
    tail = ("Der er ingen undgåede hændelser at prissætte." if da else "There are no avoided events to price.")
    return "; ".join(parts) + ". " + tail


# --------------------------------------------------------------------------------------------------------
# Budget burn-down
# --------------------------------------------------------------------------------------------------------


def _month_name(ts: pd.Timestamp, lang: str) -> str:
    da = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december"]
    return f"{da[ts.month - 1]} {ts.year}" if lang == "da" else ts.strftime("%B %Y")


def budget_burn_down(
    con,
    *,
    intervention_id: str = constants.AGREEMENT_ID,
    fee_per_contact_dkk: float | None = None,
    budget_dkk: float | None = None,
    as_of=None,
) -> BudgetBurnDown:
    """Monthly spend from GP advisory contacts x fee against the budget, with the projected run-out month.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    intervention_id : str, default ``constants.AGREEMENT_ID``
    fee_per_contact_dkk : float, optional
        Overrides the fee of ``reference.interventions()`` (an assumption: the fee is not public).
    budget_dkk : float, optional
        Overrides the budget (3 mio. DKK).
    as_of : date-like, optional
        Count months up to this one as observed (default: the last agreement month with data); later
        months are projected at the average observed monthly spend.

    Returns
    -------
    BudgetBurnDown

    Notes
    -----
    Contacts are ``sum(agg_acute_bed_month.gp_advice_contacts)`` over the intervention's municipalities,
    by the month the acute-function stay started, in the agreement months only. Projection: linear at
    the mean observed monthly spend; the run-out month is the first month whose cumulative spend reaches
    the budget, also when that is after the end (up to 10 years after it). The rule (DOMAIN.md, the
    region's announcement of 20 June 2019): if the budget is spent before 31 Dec 2020 the agreement can be
    suspended with 1 month's notice (otherwise it can be ended with 3 months' notice).
    """
    iv = _intervention(intervention_id)
    fee = float(iv["fee_per_contact_dkk"]) if fee_per_contact_dkk is None else float(fee_per_contact_dkk)
    budget = float(iv["budget_dkk"]) if budget_dkk is None else float(budget_dkk)
    if not fee >= 0 or not budget > 0:
        raise AgreementError("The fee must be >= 0 and the budget > 0 (DKK).")
    start = _month(iv["start"]).to_period("M").to_timestamp()
    end = _month(iv["end"]) if pd.notna(iv["end"]) else _month(constants.AGREEMENT_END)
    end_month = end.to_period("M").to_timestamp()
    codes = [int(c) for c in iv["municipalities"]]
    cur = store.cursor(con)
    present = {r[0] for r in cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()").fetchall()}
    by_month = pd.DataFrame(columns=["month", "contacts"])
    by_muni = pd.DataFrame(columns=["municipality_code", "contacts"])
    data_last = None
    if "agg_acute_bed_month" in present:
        params = {"codes": codes, "first": start.date(), "last": end_month.date()}
        by_month = cur.execute(
            "SELECT month, CAST(sum(gp_advice_contacts) AS DOUBLE) AS contacts FROM agg_acute_bed_month "
            "WHERE list_contains($codes, municipality_code) AND month BETWEEN $first AND $last "
            "GROUP BY month ORDER BY month", params).df()
        data_last = cur.execute("SELECT max(month) FROM agg_acute_bed_month").fetchone()[0]
    months = pd.date_range(start, end_month, freq="MS")
    contacts = (pd.Series(by_month["contacts"].to_numpy(float), index=pd.to_datetime(by_month["month"]))
                .reindex(months, fill_value=0.0))
    if as_of is None:
        last = min(end_month, pd.Timestamp(data_last)) if data_last is not None else start - pd.DateOffset(months=1)
    else:
        last = min(end_month, _month(as_of).to_period("M").to_timestamp())
    observed = contacts[contacts.index <= last]
    if "agg_acute_bed_month" in present and len(observed):
        by_muni = cur.execute(
            "SELECT municipality_code, CAST(sum(gp_advice_contacts) AS DOUBLE) AS contacts FROM agg_acute_bed_month "
            "WHERE list_contains($codes, municipality_code) AND month BETWEEN $first AND $last "
            "GROUP BY ALL ORDER BY municipality_code",
            {"codes": codes, "first": start.date(), "last": last.date()}).df()
    by_muni["municipality_code"] = by_muni["municipality_code"].astype(int)
    by_muni["spend_dkk"] = by_muni["contacts"].astype(float) * fee
    spend = observed * fee
    spent = float(spend.sum())
    avg = float(spend.mean()) if len(spend) else 0.0
    rows = [{"month": m, "kind": "observed", "contacts": float(c), "spend_dkk": float(c) * fee}
            for m, c in observed.items()]
    # Projected months at the average spend: to the end of the agreement, and on to the run-out month when that
    # comes later, but no further than BURN_DOWN_HORIZON_MONTHS past the end (a trickle would last centuries).
    to_end = max((end_month.year - last.year) * 12 + end_month.month - last.month, 0)
    n_projected = to_end
    if avg > 0:
        needed = math.ceil((budget - spent) / avg)  # months after ``last``; the running total decides below
        n_projected = max(to_end, min(needed + 1, to_end + BURN_DOWN_HORIZON_MONTHS))
    rows += [{"month": last + pd.DateOffset(months=k), "kind": "projected", "contacts": np.nan, "spend_dkk": avg}
             for k in range(1, n_projected + 1)]
    reached = np.flatnonzero(np.cumsum([r["spend_dkk"] for r in rows]) >= budget)
    exhaustion = rows[int(reached[0])]["month"] if len(reached) else None
    # keep the months through the agreement's end, and through the run-out month
    rows = rows[:max(len(observed) + to_end, int(reached[0]) + 1 if len(reached) else 0)]
    table = pd.DataFrame(rows, columns=["month", "kind", "contacts", "spend_dkk"])
    table["month"] = pd.to_datetime(table["month"])
    table["fee_dkk"] = fee
    table["cumulative_dkk"] = table["spend_dkk"].cumsum()
    table["budget_dkk"] = budget
    table["remaining_dkk"] = budget - table["cumulative_dkk"]
    table["share_of_budget"] = table["cumulative_dkk"] / budget
    table["in_agreement"] = table["month"] <= end_month
    table = table[["month", "kind", "contacts", "fee_dkk", "spend_dkk", "cumulative_dkk", "budget_dkk",
                   "remaining_dkk", "share_of_budget", "in_agreement"]]
    before_end = exhaustion is not None and exhaustion < end_month
    end_da, end_en = f"{end.day}. {_month_name(end, 'da')}", end.strftime("%d %B %Y").lstrip("0")
    kr = lambda v, lang: _fmt_number(_nice(v), lang)  # noqa: E731
    if exhaustion is None and avg > 0:
        years = BURN_DOWN_HORIZON_MONTHS // 12
        rule_da = (f"Med et gennemsnitligt forbrug på {kr(avg, 'da')} kr. om måneden rækker budgettet på "
                   f"{kr(budget, 'da')} kr. langt ud over aftalens udløb {end_da} (mere end {years} år efter). "
                   "Reglen om suspension med 1 måneds varsel, hvis budgettet bruges før udløbet, bliver derfor ikke "
                   "aktuel; aftalen kan fortsat opsiges med 3 måneders varsel.")
        rule_en = (f"At an average spend of DKK {kr(avg, 'en')} a month the budget of DKK {kr(budget, 'en')} lasts "
                   f"far beyond the agreement's end on {end_en} (more than {years} years after it). The rule that the "
                   "agreement can be suspended with 1 month's notice if the budget is spent before the end therefore "
                   "does not apply; it can still be ended with 3 months' notice.")
    elif exhaustion is None:
        rule_da = ("Der er endnu ikke registreret rådgivningskontakter, så budgettets udløb kan ikke fremskrives. "
                   f"Reglen: bruges budgettet før {end_da}, kan aftalen suspenderes med 1 måneds varsel.")
        rule_en = ("No advisory contacts are recorded yet, so the budget cannot be projected. The rule: if the "
                   f"budget is spent before {end_en}, the agreement can be suspended with 1 month's notice.")
    elif before_end:
        notice = exhaustion + pd.DateOffset(months=1)
        rule_da = (f"Med et gennemsnitligt forbrug på {kr(avg, 'da')} kr. om måneden er budgettet på "
                   f"{kr(budget, 'da')} kr. brugt i {_month_name(exhaustion, 'da')} - før aftalens udløb {end_da}. "
                   "Aftalen kan da suspenderes med 1 måneds varsel, dvs. tidligst med virkning fra "
                   f"{_month_name(notice, 'da')}, hvis parterne ønsker det.")
        rule_en = (f"At an average spend of DKK {kr(avg, 'en')} a month the budget of DKK {kr(budget, 'en')} is "
                   f"spent in {_month_name(exhaustion, 'en')}, before the agreement ends on {end_en}. The agreement "
                   "can then be suspended with 1 month's notice, i.e. from "
                   f"{_month_name(notice, 'en')} at the earliest, if the parties wish.")
    else:
        rule_da = (f"Med et gennemsnitligt forbrug på {kr(avg, 'da')} kr. om måneden rækker budgettet på "
                   f"{kr(budget, 'da')} kr. til aftalens udløb {end_da} (det ville først være brugt i "
                   f"{_month_name(exhaustion, 'da')}). Reglen om suspension med 1 måneds varsel, hvis budgettet "
                   "bruges før udløbet, bliver derfor ikke aktuel; aftalen kan fortsat opsiges med 3 måneders varsel.")
        rule_en = (f"At an average spend of DKK {kr(avg, 'en')} a month the budget of DKK {kr(budget, 'en')} lasts "
                   f"until the agreement ends on {end_en} (it would only run out in {_month_name(exhaustion, 'en')}). "
                   "The rule that the agreement can be suspended with 1 month's notice if the budget is spent "
                   "before the end therefore does not apply; it can still be ended with 3 months' notice.")
    method = (f"Spend = GP advisory contacts (agg_acute_bed_month.gp_advice_contacts, the intervention's "
              f"{len(codes)} municipalities, by month of the stay's start, {start:%Y-%m}..{end_month:%Y-%m}) x "
              f"fee {fee:g} DKK per contact ("
              + ("an editable assumption in interventions.csv" if bool(iv["fee_is_assumption"]) else "interventions.csv")
              + f"); budget {budget:g} DKK; observed to {last:%Y-%m}; later months projected linearly at the mean "
              "observed monthly spend.")
    return BudgetBurnDown(
        table=table, budget_dkk=budget, fee_dkk=fee, fee_is_assumption=bool(iv["fee_is_assumption"]),
        total_contacts=float(observed.sum()), spent_dkk=spent, average_monthly_spend_dkk=avg,
        as_of=last if len(observed) else None, exhaustion_month=exhaustion, exhausted_before_end=bool(before_end),
        spend_by_municipality=by_muni[["municipality_code", "contacts", "spend_dkk"]].reset_index(drop=True),
        rule_da=rule_da, rule_en=rule_en, method=method)


# --------------------------------------------------------------------------------------------------------
# Everything in one call
# --------------------------------------------------------------------------------------------------------


def analyse(
    con,
    *,
    outcome: str = DEFAULT_OUTCOME,
    method: str = "did",
    start=constants.AGREEMENT_START,
    end=constants.AGREEMENT_END,
    family: str = "quasipoisson",
    harmonics: int = 2,
    comparison: bool = False,
    include_sensitivity: bool = True,
    fee_per_contact_dkk: float | None = None,
    conf_level: float = CONF_LEVEL,
) -> AgreementAnalysis:
    """Everything the page shows for one outcome and method: cache this call on its arguments.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    outcome : str, default "avoidable_65"
        A key of :data:`OUTCOMES`.
    method : {"did", "its", "sc"}, default "did"
    start, end : date-like
        The period evaluated (default the agreement).
    family, harmonics, comparison
        ITS options (ignored by the other methods; ``comparison`` = controlled ITS).
    include_sensitivity : bool, default True
        Also run :func:`sensitivity` for the region (the slowest part with ``method="sc"``).
    fee_per_contact_dkk : float, optional
        Overrides the assumed fee in the burn-down and the cost per avoided event.
    conf_level : float, default 0.95

    Returns
    -------
    AgreementAnalysis

    Notes
    -----
    The synthetic-control placebo fits (79 comparison municipalities) are done once and shared by the 19
    municipalities and the region; the DiD dispersion is computed once. The cost per avoided event in the
    summaries uses the observed spend of :func:`budget_burn_down`.
    """
    _outcome(outcome)
    _method(method)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    panel = monthly_panel(con, outcome=outcome)
    timings["panel"] = time.perf_counter() - t0
    if panel.empty:
        raise AgreementError("There are no aggregate data to analyse; load extracts or the demo first.")
    t = time.perf_counter()
    placebos = sc_placebos(panel, start=start, end=end) if method == "sc" else None
    timings["placebos"] = time.perf_counter() - t
    t = time.perf_counter()
    per_muni = municipality_estimates(panel, method=method, start=start, end=end, family=family,
                                      harmonics=harmonics, comparison=comparison, placebos=placebos,
                                      conf_level=conf_level)
    timings["municipalities"] = time.perf_counter() - t
    t = time.perf_counter()
    region = region_estimate(panel, method=method, start=start, end=end, family=family, harmonics=harmonics,
                             comparison=comparison, placebos=placebos, conf_level=conf_level)
    timings["region"] = time.perf_counter() - t
    t = time.perf_counter()
    pooled_result = pooled(per_muni, conf_level=conf_level)
    forest = forest_table(per_muni, conf_level=conf_level, pooled_result=pooled_result)
    timings["pooling"] = time.perf_counter() - t
    t = time.perf_counter()
    sens = (sensitivity(panel, method=method, start=start, end=end, family=family, harmonics=harmonics,
                        comparison=comparison, main=region, conf_level=conf_level) if include_sensitivity else None)
    timings["sensitivity"] = time.perf_counter() - t
    t = time.perf_counter()
    burn = budget_burn_down(con, fee_per_contact_dkk=fee_per_contact_dkk)
    timings["burn_down"] = time.perf_counter() - t
    spend = burn.spent_dkk
    timings["total"] = time.perf_counter() - t0
    oc = OUTCOMES[outcome]
    description = (
        f"{oc.name_en}, {METHOD_NAMES[method][1].lower()}, {_iso(start)} to {_iso(end)}. Region: {region.description} "
        f"Municipalities: the same method per municipality, pooled by {pooled_result['method']} "
        f"Panel: {panel.attrs.get('method', '')}")
    return AgreementAnalysis(
        outcome=outcome, method=method, start=_iso(start), end=_iso(end), panel=panel, region=region,
        municipalities=per_muni, forest=forest, pooled=pooled_result, sensitivity=sens, burn_down=burn,
        spend_dkk=spend, summary_da=plain_summary(region, lang="da", spend_dkk=spend),
        summary_en=plain_summary(region, lang="en", spend_dkk=spend), description=description, timings=timings)

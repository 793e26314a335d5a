"""Every data function the pages use: parameterised SQL over the monthly aggregate tables, statistics
from :mod:`analysis.rates`, and disclosure control from :mod:`analysis.disclosure`.

Rules this module keeps
-----------------------
- It reads only the aggregate tables of :mod:`analysis.derived` (``agg_episodes_month``,
  ``agg_diagnosis_lists_month``, ``agg_discharge_month``, ``agg_los_hist_month``, ``agg_acute_bed_month``,
  ``agg_acute_bed_occupancy_month``, ``agg_population_year``, ``derived_meta``), never ``episodes`` or the
  canonical person-level tables. Every value travels as a ``$parameter``; the only identifiers put into SQL
  come from the fixed allow-lists below.
- Every function takes ``(con, filters, *, ...)`` — ``con`` from :func:`analysis.store.connect_readonly`,
  queried through :func:`analysis.store.cursor` — and returns a tidy ``pandas.DataFrame`` with the columns
  documented on the function. Counts from 1 to 4 and everything built on them are hidden
  (:func:`analysis.disclosure.safe_table`; rows carry ``suppressed`` and ``suppression_note``), with
  secondary suppression where the rows add up to a total shown elsewhere (the months of a trend, the
  municipalities of a region, the categories of a breakdown).
- Nothing is cached here (the pages cache on the plain filter values). An empty database (no aggregate
  tables yet) gives empty frames with the documented columns, never an error.

Definitions
-----------
*Rates per 1,000 per year.* The denominator is person-years: a month contributes its year's population
(``agg_population_year``, the 1 January / first-quarter count) divided by 12, summed over the months of the
period, for the selected area, sex and age bands. A rate for a single month is therefore per 1,000 per
year, comparable with yearly rates. Months in a year without population rows are left out of numerator
and denominator alike.

*Age groups.* ``filters.age_group`` selects ESP 2013 bands; an indicator with its own age limit (avoidable
admissions and acute-bed stays: 65+) uses the overlap (``'all'`` becomes 65+; ``'0-64'`` leaves nothing).
Tables that carry only the coarse groups (0-64, 65-79, 80+: discharges, LOS histogram) use the same
groups, which nest exactly.

*Filters a table cannot apply* (the discharge and LOS tables have no sex; the occupancy table has neither
age nor sex) are ignored for numerator and denominator alike, and the ``note`` column says so.

*Standardised rates* (``filters.standardised``, for the indicators whose registry entry has
``standardisation == 'crude_and_dsr'``): directly standardised to the European Standard Population 2013
over the selected age bands x sex (the band's weight for each sex), Dobson limits (:func:`rates.dsr`), no
value below 10 events. The aggregates hold no events per person, so the Dobson interval assumes
independent events (``method`` says "Dobson"). Other indicators stay crude and say so in ``note``.

*Diagnosis groups* (``filters.diagnosis_groups``) narrow the avoidable-admissions indicator (of the
chosen ``filters.definition``) and the diagnosis-group breakdowns; the other indicators cover all
diagnoses, as the registry defines them.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from analysis import constants, disclosure, indicators, rates, reference, store
from analysis.filters import STANDARD_REGION_CODE, Filters

__all__ = [
    "HEADLINE_INDICATORS",
    "PERIODS",
    "BREAKDOWNS",
    "QueryError",
    "has_data",
    "data_range",
    "coverage",
    "indicator_value",
    "indicator_trend",
    "indicator_by_municipality",
    "funnel_curve",
    "key_figures",
    "key_figure",
    "canonical_filters",
    "breakdown",
    "breakdown_available",
    "los_trend",
    "bed_days_trend",
    "discharge_destinations",
    "faerdig_cost_by_year",
    "readmission_causes",
    "acute_bed_trend",
    "acute_bed_occupancy",
    "acute_bed_referrals",
    "acute_bed_outcomes",
    "acute_bed_gp_advice",
]

HEADLINE_INDICATORS = (
    "avoidable_65_per_1000",
    "acute_per_1000",
    "readmission_30d_pct",
    "los_median_days",
    "faerdig_days_per_1000",
    "acute_bed_occupancy_pct",
)
PERIODS = ("month", "quarter", "year")
BREAKDOWNS = ("diagnosis_group", "age_band", "sex")
CONF_LEVEL = 0.95
NATIONAL_NAME = "Hele landet"

# --- allow-lists: the only identifiers that reach SQL ----------------------------------------------------
_PERIOD_SQL = {
    "month": "month",
    "quarter": "CAST(date_trunc('quarter', month) AS DATE)",
    "year": "CAST(date_trunc('year', month) AS DATE)",
}
_GROUP_COL = {"dk_preventable_65": "avoidable_group", "oecd_pqi": "oecd_group", "acsc_purdy2009": "acsc_group"}
# source -> (table, has_sex, age column: 'band' | 'coarse' | None)
_SOURCES = {
    "episodes": ("agg_episodes_month", True, "band"),
    "lists": ("agg_diagnosis_lists_month", True, "band"),
    "discharge": ("agg_discharge_month", False, "coarse"),
    "los_hist": ("agg_los_hist_month", False, "coarse"),
    "acute_bed": ("agg_acute_bed_month", True, "band"),
    "occupancy": ("agg_acute_bed_occupancy_month", False, None),
}
_AGG_TABLES = tuple(t for t, _, _ in _SOURCES.values()) + ("agg_population_year",)

_BANDS = [label for label, _, _ in constants.AGE_BANDS]
_BAND_FROM = {label: lo for label, lo, _ in constants.AGE_BANDS}
_COARSE = (("0-64", 0, 64), ("65-79", 65, 79), ("80+", 80, constants.MAX_AGE))  # = derived.AGE_GROUPS_COARSE
_BAND_TO_COARSE = {label: next(g for g, lo, hi in _COARSE if lo <= a <= hi) for label, a, _ in constants.AGE_BANDS}
_AGE_FILTER_BANDS = {
    "all": None,
    "0-64": [b for b in _BANDS if _BAND_FROM[b] < 65],
    "65+": [b for b in _BANDS if _BAND_FROM[b] >= 65],
    "65-79": [b for b in _BANDS if 65 <= _BAND_FROM[b] < 80],
    "80+": [b for b in _BANDS if _BAND_FROM[b] >= 80],
}
_NON_POP_KEYS = ("group", "setting", "referral_source", "outcome", "los_day", "discharge_destination")
_ALL_MUNIS = frozenset(int(c) for c in reference.municipalities()["municipality_code"])
_REGION_OF = {int(c): int(r) for c, r in zip(reference.municipalities()["municipality_code"],
                                             reference.municipalities()["region_code"])}
_OUT_VALUE = ["count", "denominator", "n", "value", "lower", "upper", "method"]


class QueryError(ValueError):
    """A query asked for something that does not exist (unknown indicator, period or breakdown)."""


# =========================================================================================================
# small helpers
# =========================================================================================================
def _month_date(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _after(month: str) -> date:
    y, m = int(month[:4]), int(month[5:7])
    return date(y + (m == 12), m % 12 + 1, 1)


def _tables(cur) -> frozenset[str]:
    return store.table_names(cur)


def _ready(cur, *tables: str) -> bool:
    return set(tables) <= _tables(cur)


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    out["suppressed"] = pd.Series(dtype=bool)
    out["suppression_note"] = pd.Series(dtype=object)
    return out


def _indicator(indicator_id: str) -> indicators.Indicator:
    try:
        return indicators.get(indicator_id)
    except indicators.UnknownIndicatorError as exc:
        raise QueryError(str(exc)) from None


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise QueryError(f"period must be one of {', '.join(PERIODS)}, got {period!r}.")


def _bands(f: Filters, min_age: int) -> list[str] | None:
    """The ESP bands of the filter's age group and the indicator's own limit; None = no restriction."""
    chosen = _AGE_FILTER_BANDS[f.age_group]
    if min_age <= 0:
        return chosen
    own = [b for b in _BANDS if _BAND_FROM[b] >= min_age]
    return own if chosen is None else [b for b in chosen if b in own]


def _municipalities() -> pd.DataFrame:
    return reference.municipalities()[["municipality_code", "name", "region_code", "region_name"]]


def _region_name(code: int) -> str:
    r = reference.regions()
    return str(r.loc[r["region_code"] == code, "region_name"].iloc[0])


def _area_name(f: Filters) -> str:
    if f.area_kind == "national":
        return NATIONAL_NAME
    if f.area_kind == "region":
        return _region_name(int(f.region_code))
    m = _municipalities().set_index("municipality_code")["name"]
    return ", ".join(str(m[c]) for c in f.municipality_codes)


# =========================================================================================================
# measures: one SQL per indicator over its aggregate table
# =========================================================================================================
class _Measure:
    """How an indicator's sums come out of its aggregate table (all pieces from allow-lists)."""

    def __init__(self, source: str, where: str, num: str, den: str | None, n: str, *, group_col: str | None = None,
                 rate: bool = False, min_age: int = 0):
        self.source, self.where, self.num, self.den, self.n = source, where, num, den, n
        self.group_col, self.rate, self.min_age = group_col, rate, min_age

    @property
    def table(self) -> str:
        return _SOURCES[self.source][0]

    @property
    def has_sex(self) -> bool:
        return _SOURCES[self.source][1]

    @property
    def age_kind(self) -> str | None:
        return _SOURCES[self.source][2]


def _measure(indicator_id: str, f: Filters, *, by_group: bool = False) -> _Measure:
    """The measure of an indicator for these filters (``by_group``: the diagnosis-group breakdown)."""
    ind = _indicator(indicator_id)
    groups_sql = " AND ($all_groups OR list_contains($groups, {g}))"
    if indicator_id == "avoidable_65_per_1000":
        if f.definition == "dk_preventable_65":
            g = "avoidable_group"
            return _Measure("episodes", f"is_acute AND {g} IS NOT NULL" + groups_sql.format(g=g), "sum(episodes)",
                            None, "sum(episodes)", group_col=g, rate=True, min_age=ind.min_age)
        g = _GROUP_COL[f.definition]
        return _Measure("lists", f"{g} IS NOT NULL" + groups_sql.format(g=g), "sum(episodes)", None,
                        "sum(episodes)", group_col=g, rate=True, min_age=ind.min_age)
    if indicator_id == "acute_per_1000":
        return _Measure("episodes", "is_acute", "sum(episodes)", None, "sum(episodes)", rate=True)
    if indicator_id == "readmission_30d_pct":
        if by_group and f.definition != "dk_preventable_65":
            g = _GROUP_COL[f.definition]
            return _Measure("lists", f"{g} IS NOT NULL" + groups_sql.format(g=g), "sum(readmitted)",
                            "sum(readmission_index)", "sum(readmission_index)", group_col=g)
        where = "true"
        if by_group:
            where = "avoidable_group IS NOT NULL" + groups_sql.format(g="avoidable_group")
        return _Measure("episodes", where, "sum(readmitted)", "sum(readmission_index)", "sum(readmission_index)",
                        group_col="avoidable_group")
    if indicator_id == "los_mean_days":
        where = "is_acute AND is_admission"
        if by_group:
            where += " AND avoidable_group IS NOT NULL" + groups_sql.format(g="avoidable_group")
        return _Measure("episodes", where, "sum(los_hours_sum) / 24.0", "sum(los_known)", "sum(los_known)",
                        group_col="avoidable_group")
    if indicator_id == "los_median_days":
        where = "is_acute"
        if by_group:
            where += " AND avoidable_group IS NOT NULL" + groups_sql.format(g="avoidable_group")
        return _Measure("los_hist", where, "sum(episodes)", "sum(episodes)", "sum(episodes)",
                        group_col="avoidable_group")
    if indicator_id == "bed_days_per_1000":
        if by_group and f.definition != "dk_preventable_65":
            g = _GROUP_COL[f.definition]
            return _Measure("lists", f"{g} IS NOT NULL" + groups_sql.format(g=g), "sum(bed_days)", None,
                            "sum(episodes)", group_col=g, rate=True)
        where = "is_acute"
        if by_group:
            where += " AND avoidable_group IS NOT NULL" + groups_sql.format(g="avoidable_group")
        return _Measure("episodes", where, "sum(bed_days)", None, "sum(episodes)", group_col="avoidable_group",
                        rate=True)
    if indicator_id in ("faerdig_days_per_1000", "faerdig_cost_dkk"):
        return _Measure("discharge", "true", "sum(faerdig_days)", None, "sum(faerdig_episodes)",
                        rate=indicator_id == "faerdig_days_per_1000")
    if indicator_id == "acute_bed_stays_per_1000_65":
        return _Measure("acute_bed", "true", "sum(stays)", None, "sum(stays)", rate=True, min_age=ind.min_age)
    if indicator_id == "acute_bed_occupancy_pct":
        return _Measure("occupancy", "setting = 'bed'", "sum(bed_days)", None, "sum(stays)")
    if indicator_id == "acute_bed_gp_share_pct":
        return _Measure("acute_bed", "true", "sum(stays) FILTER (WHERE referral_source = 'gp')", "sum(stays)",
                        "sum(stays)")
    if indicator_id == "acute_bed_admitted_7d_pct":
        return _Measure("acute_bed", "month < $link_cutoff", "sum(admitted_within_7d)", "sum(stays - ongoing)",
                        "sum(stays - ongoing)")
    raise QueryError(f"No query is defined for indicator {indicator_id!r}.")  # pragma: no cover


def _notes(m: _Measure, f: Filters) -> list[str]:
    notes = []
    if not m.has_sex and f.sex != "all":
        notes.append("sex filter not applied (the aggregate has no sex)")
    if m.age_kind is None and f.age_group != "all":
        notes.append("age filter not applied (the aggregate has no age)")
    return notes


def _key_sql(m: _Measure, key: str, period: str) -> str:
    if key == "period":
        return _PERIOD_SQL[period]
    if key == "age_band":
        if m.age_kind is None:
            raise QueryError("This indicator's aggregate has no age.")
        return "age_band" if m.age_kind == "band" else "age_group"
    if key == "sex":
        if not m.has_sex:
            raise QueryError("This indicator's aggregate has no sex.")
        return "sex"
    if key == "group":
        if m.group_col is None:
            raise QueryError("This indicator has no diagnosis groups.")
        return m.group_col
    if key == "year":
        return "year(month)"
    if key in ("municipality_code", "month", "los_day", "setting", "referral_source", "outcome",
               "discharge_destination"):
        return key
    raise QueryError(f"Unknown key {key!r}.")  # pragma: no cover


def _muni_clause(column: str, munis: Sequence[int], params: dict) -> str | None:
    """A municipality filter (None when every municipality is wanted); the range lets zone maps skip."""
    codes = sorted({int(c) for c in munis})
    if set(codes) >= _ALL_MUNIS:
        return None
    params.update(munis=codes, mun_lo=codes[0] if codes else 0, mun_hi=codes[-1] if codes else 0)
    return f"{column} BETWEEN $mun_lo AND $mun_hi AND {column} IN (SELECT unnest($munis))"


def _area_age_sex(f: Filters, munis: Sequence[int], bands: list[str] | None, params: dict, *, prefix: str = "",
                  use_sex: bool = True) -> list[str]:
    """WHERE clauses for the municipalities, ESP age bands and sex of a table with those columns (``prefix``
    names its alias); the values go into ``params``."""
    clauses = []
    muni = _muni_clause(f"{prefix}municipality_code", munis, params)
    if muni:
        clauses.append(muni)
    if bands is not None:
        clauses.append(f"list_contains($bands, {prefix}age_band)")
        params["bands"] = bands
    if use_sex and f.sex != "all":
        clauses.append(f"{prefix}sex = $sex")
        params["sex"] = f.sex
    return clauses


def _filter_sql(cur, m: _Measure, f: Filters, bands: list[str] | None, munis: Sequence[int]) -> tuple[str, dict]:
    start, end_excl = _month_date(f.start), _after(f.end)
    if m.rate:  # only months whose year has population rows (numerator and denominator alike)
        years = _population_years(cur)
        if years:
            start = max(start, date(years[0], 1, 1))
            end_excl = min(end_excl, date(years[1] + 1, 1, 1))
    params: dict[str, object] = {"start": start, "end_excl": end_excl}
    clauses = ["month >= $start", "month < $end_excl", f"({m.where})"]
    muni = _muni_clause("municipality_code", munis, params)
    if muni:
        clauses.append(muni)
    if m.age_kind == "band" and bands is not None:
        clauses.append("list_contains($bands, age_band)")
        params["bands"] = bands
    elif m.age_kind == "coarse" and bands is not None:
        clauses.append("list_contains($age_groups, age_group)")
        params["age_groups"] = sorted({_BAND_TO_COARSE[b] for b in bands})
    if m.has_sex and f.sex != "all":
        clauses.append("sex = $sex")
        params["sex"] = f.sex
    if "$groups" in m.where:
        params["groups"] = list(f.diagnosis_groups)
        params["all_groups"] = not f.diagnosis_groups
    if "$link_cutoff" in m.where:
        params["link_cutoff"] = _link_cutoff(cur)
    return " AND ".join(clauses), params


def _population_years(cur) -> tuple[int, int] | None:
    def compute():
        lo, hi = cur.execute("SELECT min(year), max(year) FROM agg_population_year").fetchone()
        return None if lo is None else (int(lo), int(hi))
    return store.memo(cur, ("population_years",), compute)


def _link_cutoff(cur) -> date:
    """First start month whose stays are not all followed up for 7 days: the month of ``data_end - 7 days``.

    The acute-bed aggregate is keyed on the start month, not the end, so stays that started in that
    month or later are left out of the 7-day share (an approximation: a long stay started earlier can
    still end in the last 7 days).
    """
    end = None
    if "derived_meta" in _tables(cur):
        end = cur.execute("SELECT max(data_end) FROM derived_meta").fetchone()[0]
    if end is None:
        end = cur.execute("SELECT max(month) + INTERVAL 1 MONTH FROM agg_acute_bed_month").fetchone()[0]
    if end is None:
        return date(9999, 1, 1)
    end = pd.Timestamp(end) - pd.Timedelta(days=constants.ACUTE_BED_LINK_DAYS[0])
    return date(end.year, end.month, 1)


def _sums(cur, m: _Measure, f: Filters, keys: Sequence[str], *, period: str = "month", bands=None,
          munis: Sequence[int] | None = None) -> pd.DataFrame:
    """``keys`` + ``num``, ``den``, ``n`` summed over the measure's table for the filters."""
    munis = f.municipality_codes if munis is None else munis
    where, params = _filter_sql(cur, m, f, bands, munis)
    select = [f"{_key_sql(m, k, period)} AS {k}" for k in keys]
    den = m.den or "NULL"
    sql = (f"SELECT {', '.join(select + [f'{m.num} AS num', f'{den} AS den', f'{m.n} AS n'])} "
           f"FROM {m.table} WHERE {where}" + (" GROUP BY ALL" if keys else ""))
    out = cur.execute(sql, params).df()
    for col in ("num", "den", "n"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    if not keys:
        out = out.fillna({"num": 0.0, "n": 0.0})
        if m.den:
            out = out.fillna({"den": 0.0})
    return out


def _population(cur, f: Filters, keys: Sequence[str], *, period: str = "month", bands=None,
                use_sex: bool = True, munis: Sequence[int] | None = None) -> pd.DataFrame:
    """Person-years (population / 12 per month) by ``keys`` (period, year, municipality_code, age_band, sex)."""
    munis = f.municipality_codes if munis is None else munis
    key_sql = {"period": _PERIOD_SQL[period].replace("month", "m.month"), "year": "p.year",
               "municipality_code": "p.municipality_code", "age_band": "p.age_band", "sex": "p.sex",
               "month": "m.month"}
    select = [f"{key_sql[k]} AS {k}" for k in keys]
    params: dict[str, object] = {"start": _month_date(f.start), "end_excl": _after(f.end)}
    clauses = ["true", *_area_age_sex(f, munis, bands, params, prefix="p.", use_sex=use_sex)]
    sql = (
        "WITH months AS (SELECT CAST(range AS DATE) AS month FROM range(CAST($start AS TIMESTAMP), "
        "CAST($end_excl AS TIMESTAMP), INTERVAL 1 MONTH)) "
        f"SELECT {', '.join(select + ['sum(p.population) / 12.0 AS person_years'])} "
        "FROM months m JOIN agg_population_year p ON p.year = year(m.month) "
        f"WHERE {' AND '.join(clauses)}" + (" GROUP BY ALL" if keys else "")
    )
    out = cur.execute(sql, params).df()
    out["person_years"] = pd.to_numeric(out["person_years"], errors="coerce").fillna(0.0).astype(float)
    return out


# =========================================================================================================
# statistics on the sums
# =========================================================================================================
def _crude(num: pd.Series, den: pd.Series, ind: indicators.Indicator) -> pd.DataFrame:
    """value/lower/upper/method per row; NaN where the denominator is 0."""
    return pd.DataFrame(_crude_arrays(num, den, ind))


def _crude_arrays(num, den, ind: indicators.Indicator) -> dict[str, np.ndarray]:
    """:func:`_crude` as arrays (this runs for every figure of every page, so it avoids per-column pandas work)."""
    num = np.nan_to_num(np.asarray(num, dtype=float), nan=0.0)
    den = np.nan_to_num(np.asarray(den, dtype=float), nan=0.0)
    n = len(num)
    value, lower, upper = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    method = np.full(n, "not calculated (no denominator)", dtype=object)
    ok = den > 0
    if ind.statistic == "proportion":
        ok &= num <= den
    if ok.any():
        if ind.statistic == "rate":
            r = rates.crude_rate(num[ok], den[ok], multiplier=ind.multiplier, conf_level=CONF_LEVEL)
        else:
            r = rates.proportion(num[ok], den[ok], multiplier=ind.multiplier, conf_level=CONF_LEVEL)
        value[ok], lower[ok], upper[ok] = (r[c].to_numpy(dtype=float) for c in ("value", "lower", "upper"))
        method[ok] = r["method"].to_numpy(dtype=object)
    return {"value": value, "lower": lower, "upper": upper, "method": method}


def _standard_weights(cur, f: Filters, strata: list[str]) -> tuple[pd.DataFrame, str | None]:
    """The standard population over ``strata`` (age_band [, sex]) as a frame with column ``standard``.

    ESP 2013 gives each band its weight for both sexes; ``f.standard_year`` gives Region Midtjylland's
    population of that year per band (x sex). Returns (weights, note) — the note says when the chosen year
    has no population and ESP 2013 was used instead.
    """
    esp = rates.esp2013_weights().rename("standard").rename_axis("age_band").reset_index()
    if f.standard_year is None:
        return esp, None
    region = [c for c in _ALL_MUNIS if _REGION_OF.get(c) == STANDARD_REGION_CODE]
    keys = ["age_band"] + (["sex"] if "sex" in strata else [])
    sql = (f"SELECT {', '.join(keys)}, CAST(sum(population) AS DOUBLE) AS standard FROM agg_population_year "
           "WHERE year = $year AND list_contains($munis, municipality_code) AND age_band IS NOT NULL GROUP BY ALL")
    out = cur.execute(sql, {"year": f.standard_year, "munis": region}).df()
    if out.empty or out["standard"].sum() <= 0:
        return esp, f"no population for {f.standard_label}; standardised to ESP 2013 instead"
    return out, None


def _event_sums(cur, f: Filters, indicator_id: str, keys: Sequence[str], *, bands, munis) -> pd.DataFrame | None:
    """Events per person for the Dobson interval of non-independent events: ``keys`` (from ``year``,
    ``municipality_code``, ``age_band``, ``sex``) + ``ev1`` (sum k P) and ``ev2`` (sum k^2 P) from
    ``agg_events_per_person_year`` over the calendar years the period touches. None when the table is
    missing (a database built before it existed) or the indicator has no events per person."""
    if indicator_id == "avoidable_65_per_1000":
        measure = f.definition
    elif indicator_id == "acute_per_1000":
        measure = "acute"
    else:
        return None
    if "agg_events_per_person_year" not in _tables(cur):
        return None
    params: dict[str, object] = {"measure": measure, "y0": int(f.start[:4]), "y1": int(f.end[:4])}
    clauses = ["measure = $measure", "year BETWEEN $y0 AND $y1"]
    if measure != "acute" and f.diagnosis_groups:
        clauses.append("list_contains($groups, grp)")
        params["groups"] = list(f.diagnosis_groups)
    else:
        clauses.append("grp IS NULL")
    clauses += _area_age_sex(f, munis, bands, params)
    select = list(keys) + ["CAST(sum(events_per_person * people) AS DOUBLE) AS ev1",
                           "CAST(sum(events_per_person * events_per_person * people) AS DOUBLE) AS ev2"]
    sql = (f"SELECT {', '.join(select)} FROM agg_events_per_person_year WHERE {' AND '.join(clauses)}"
           + (" GROUP BY ALL" if keys else ""))
    return cur.execute(sql, params).df()


def _dsr_groups(frame: pd.DataFrame, keys: list[str], strata: list[str], weights: pd.DataFrame,
                ind: indicators.Indicator) -> pd.DataFrame:
    """Directly standardised rates over the ``strata`` (age band [x sex]) per group of ``keys``.

    Rows of a group are first summed per stratum (a total over several periods is one DSR over the
    pooled counts and person-years, not an average of the periods' DSRs). With ``ev1``/``ev2`` columns
    (events per person) the interval is Dobson for non-independent events, the variance of each stratum
    multiplied by ``ev2 / ev1``.
    """
    cols = ["num", "person_years"] + [c for c in ("ev1", "ev2") if c in frame.columns]
    pooled = _group_sum(frame, list(dict.fromkeys(keys + strata)), cols)
    pooled = pooled.merge(weights, on=[c for c in weights.columns if c != "standard"], how="left")
    pooled = pooled[pooled["standard"].notna() & (pooled["person_years"] > 0)]
    # the groups are contiguous (the sums come sorted by keys + strata): slice arrays instead of a pandas
    # group-by, which cost more than the DSRs themselves on a monthly trend
    rows = []
    if len(pooled):
        starts = np.flatnonzero(~pooled.duplicated(keys).to_numpy()) if keys else np.array([0])
        ends = np.append(starts[1:], len(pooled))
        key_rows = pooled.iloc[starts][keys].to_dict("records") if keys else [{}]
        num, py, std = (pooled[c].to_numpy(dtype=float) for c in ("num", "person_years", "standard"))
        factor_all = None
        if "ev1" in pooled.columns:
            ev1, ev2 = pooled["ev1"].to_numpy(float), pooled["ev2"].to_numpy(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor_all = np.where(ev1 > 0, np.maximum(ev2 / ev1, 1.0), 1.0)
        for key, lo, hi in zip(key_rows, starts, ends):
            r = rates.dsr(num[lo:hi], py[lo:hi], std[lo:hi], multiplier=ind.multiplier, conf_level=CONF_LEVEL,
                          variance_factor=None if factor_all is None else factor_all[lo:hi])
            rows.append({**key, "value": r.value, "lower": r.lower, "upper": r.upper,
                         "method": r.method + (f" ({r.note})" if r.note else "")})
    return pd.DataFrame(rows, columns=[*keys, "value", "lower", "upper", "method"])


def _hist_quantile(days: np.ndarray, counts: np.ndarray, position: float) -> float:
    """LOS at a position (0..n) of the 1-day histogram, interpolating inside the day; 60+ stays 60."""
    cum = np.cumsum(counts)
    k = int(np.searchsorted(cum, position, side="left"))
    k = min(k, len(days) - 1)
    before = cum[k] - counts[k]
    day = float(days[k])
    if day >= LOS_CAP:
        return float(LOS_CAP)
    return day + (position - before) / counts[k] if counts[k] > 0 else day


LOS_CAP = 60  # = derived.LOS_HIST_CAP_DAYS: the last histogram bin holds stays of 60 days or more


def _hist_stats(hist: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group: episodes, median with order-statistic limits, p90, and the histogram's variance."""
    cols = [*keys, "episodes", "median", "median_lower", "median_upper", "p90", "hist_var"]
    h = _group_sum(hist, [*keys, "los_day"], ["num"]) if len(hist) else hist
    if not len(h):
        if keys:
            return pd.DataFrame(columns=cols)
        h = pd.DataFrame({"los_day": [0.0], "num": [0.0]})
    h = h.sort_values([*keys, "los_day"], kind="stable").reset_index(drop=True)
    if keys:
        starts = np.flatnonzero(~h.duplicated(keys).to_numpy())
    else:
        starts = np.array([0])
    ends = np.append(starts[1:], len(h))
    all_days = h["los_day"].to_numpy(dtype=float)
    all_counts = h["num"].to_numpy(dtype=float)
    key_rows = h.loc[starts, keys].to_dict("records") if keys else [{}]
    rows = [{**key, **_median_stats(all_days[lo:hi], all_counts[lo:hi])}
            for key, lo, hi in zip(key_rows, starts, ends)]
    return pd.DataFrame(rows, columns=cols)


def _median_stats(days: np.ndarray, counts: np.ndarray) -> dict[str, float]:
    """One LOS histogram (days ascending, stays per day): episodes, median with order-statistic limits, p90 and
    the histogram's variance (midpoints of the days, 60+ at 60.5)."""
    from scipy import stats as sps

    n = float(counts.sum())
    row = {"episodes": n, "median": np.nan, "median_lower": np.nan, "median_upper": np.nan, "p90": np.nan,
           "hist_var": np.nan}
    if n > 0:
        alpha = (1 - CONF_LEVEL) / 2
        row["median"] = _hist_quantile(days, counts, n / 2)
        row["p90"] = _hist_quantile(days, counts, 0.9 * n)
        j = int(sps.binom.ppf(alpha, int(n), 0.5))
        if sps.binom.cdf(j, int(n), 0.5) > alpha:
            j -= 1
        if j >= 1:  # ranks j and n - j + 1 (1-based) as positions j - 0.5 and n - j + 0.5
            row["median_lower"] = _hist_quantile(days, counts, j - 0.5)
            row["median_upper"] = _hist_quantile(days, counts, n - j + 0.5)
        mid = np.minimum(days, LOS_CAP) + 0.5
        mean = float(np.sum(mid * counts) / n)
        row["hist_var"] = float(np.sum(counts * (mid - mean) ** 2) / (n - 1)) if n > 1 else np.nan
    return row


def _capacity_frame(cur, f: Filters, period: str, munis: Sequence[int],
                    units: dict[str, Sequence[int]] | None) -> pd.DataFrame:
    """Available acute-bed days (beds x days) per [unit,] municipality_code, month and period.

    Every month of the period that lies within the acute-bed data (first to last month of
    ``agg_acute_bed_occupancy_month``) counts, whether or not a stay was present; the beds of a year
    are those of the latest ``year_from`` at or before it (:func:`reference.acute_bed_capacity`).
    """
    lo, hi = cur.execute("SELECT min(month), max(month) FROM agg_acute_bed_occupancy_month").fetchone()
    cols = ["unit", "municipality_code", "month", "period", "den"]
    if lo is None:
        return pd.DataFrame(columns=cols)
    first = max(pd.Timestamp(_month_date(f.start)), pd.Timestamp(lo))
    last = min(pd.Timestamp(_month_date(f.end)), pd.Timestamp(hi))
    months = pd.date_range(first, last, freq="MS")
    pairs = [(u, int(c)) for u, codes in units.items() for c in codes] if units is not None else \
        [(None, int(c)) for c in munis]
    if not len(months) or not pairs:
        return pd.DataFrame(columns=cols)
    grid = pd.DataFrame(pairs, columns=["unit", "municipality_code"]).merge(pd.DataFrame({"month": months}),
                                                                           how="cross")
    grid["den"] = _capacity_days(grid)
    grid["period"] = grid["month"].dt.to_period({"month": "M", "quarter": "Q", "year": "Y"}[period]).dt.start_time
    return grid


def _capacity_days(frame: pd.DataFrame) -> pd.Series:
    """Available acute-bed days for rows with ``municipality_code`` and ``month`` (capacity x days)."""
    if frame.empty:
        return pd.Series(0.0, index=frame.index, dtype=float)
    cap = reference.acute_bed_capacity()[["municipality_code", "year_from", "beds"]]
    cap = cap.assign(municipality_code=cap["municipality_code"].astype("int64"),
                     year_from=cap["year_from"].astype("int64")).sort_values("year_from")
    months = pd.to_datetime(frame["month"])
    left = pd.DataFrame({"row": np.arange(len(frame)), "municipality_code": frame["municipality_code"].astype("int64").to_numpy(),
                         "year": months.dt.year.astype("int64").to_numpy(),
                         "days": months.dt.days_in_month.to_numpy()}).sort_values("year")
    merged = pd.merge_asof(left, cap, left_on="year", right_on="year_from", by="municipality_code")
    merged = merged.sort_values("row")
    return pd.Series((merged["beds"].fillna(0.0) * merged["days"]).to_numpy(dtype=float), index=frame.index)


def _group_sum(df: pd.DataFrame, by: list[str], cols: list[str]) -> pd.DataFrame:
    """Sum ``cols`` by ``by`` (one row of totals when ``by`` is empty)."""
    if by:
        return df.groupby(by, as_index=False, dropna=False, sort=True)[cols].sum()
    return df[cols].sum().to_frame().T.astype(float)


def _to_units(df: pd.DataFrame, units: dict[str, Sequence[int]] | None, by: list[str], cols: list[str]) -> pd.DataFrame:
    """Municipality rows summed into units (a municipality may belong to several); without units, as is."""
    if units is None:
        return df
    mapping = pd.DataFrame([(u, int(c)) for u, codes in units.items() for c in codes],
                           columns=["unit", "municipality_code"])
    d = df.assign(municipality_code=df["municipality_code"].astype("int64")).merge(mapping, on="municipality_code")
    return _group_sum(d, ["unit", *[k for k in by if k != "municipality_code"]], cols)


class _Result:
    """What :func:`_compute` returns: the statistics, notes, whether standardised, and the strata sums."""

    def __init__(self, frame: pd.DataFrame, notes: list[str], standardised: bool, strata: pd.DataFrame | None):
        self.frame, self.notes, self.standardised, self.strata = frame, notes, standardised, strata
        self.total: pd.DataFrame | None = None  # with also_total: the same without the period key


def _compute(cur, indicator_id: str, f: Filters, keys: Sequence[str], *, period: str = "month",
             units: dict[str, Sequence[int]] | None = None, by_group: bool = False,
             standardised: bool | None = None, want_strata: bool = False, also_total: bool = False) -> _Result:
    """The indicator per group of ``keys`` (and per unit): count, denominator, n, value, lower, upper, method.

    ``units`` maps a unit name to municipality codes: the SQL then groups by municipality once and the
    units (a municipality, a region, the country) are summed in pandas, so one scan serves them all; the
    frame gets a ``unit`` column. ``want_strata`` also returns the age band x sex sums per unit
    (``num`` and ``base``: person-years for rates, the denominator count for proportions) for indirect
    standardisation. Nothing is suppressed here.
    """
    ind = _indicator(indicator_id)
    m = _measure(indicator_id, f, by_group=by_group)
    notes = _notes(m, f)
    keys = list(keys)
    uk = ["unit"] if units is not None else []
    G = uk + keys
    bands = _bands(f, m.min_age)
    if bands is not None and not bands:
        notes.append(f"the indicator covers ages {m.min_age}+ only; the chosen age group is outside it")
        return _Result(pd.DataFrame(columns=[*G, *_OUT_VALUE]), notes, False, None)
    std = f.standardised if standardised is None else standardised
    use_dsr = bool(std) and ind.statistic == "rate" and ind.standardisation == "crude_and_dsr"
    if std and not use_dsr:
        notes.append("shown crude: the indicator is not standardised")
    if use_dsr and "age_band" in keys:
        use_dsr = False
        notes.append("shown crude within age bands")
    munis = sorted({int(c) for codes in units.values() for c in codes}) if units is not None else f.municipality_codes
    # units are summed from municipality rows in pandas (cheaper than joining the unit map in SQL, measured)
    mk = ["municipality_code"] if units is not None else []
    strata_keys = ["age_band"] + (["sex"] if m.has_sex else []) if m.age_kind is not None else []
    strata = strata_keys if (use_dsr or want_strata) else []
    strata_frame = None

    def fetch(measure: _Measure, extra: Sequence[str] = ()) -> pd.DataFrame:
        grain = list(dict.fromkeys(keys + mk + list(extra)))
        return _sums(cur, measure, f, grain, period=period, bands=bands, munis=munis)

    if ind.statistic == "rate":
        grain = list(dict.fromkeys(keys + mk + strata))
        sums = fetch(m, strata)
        pop_keys = [k for k in grain if k not in _NON_POP_KEYS]
        # the same population serves several indicators of a page (avoidable, acute, bed-days ...): remembered
        # per connection, and copied because the frame is changed below
        pop_key = ("population", f.start, f.end, f.sex if m.has_sex else "all", tuple(pop_keys), period,
                   None if bands is None else tuple(bands), tuple(munis), m.has_sex)
        pop = store.memo(cur, pop_key, lambda: _population(cur, f, pop_keys, period=period, bands=bands,
                                                           use_sex=m.has_sex, munis=munis), max_entries=64).copy()
        if m.age_kind == "coarse" and "age_band" in pop_keys:
            pop["age_band"] = pop["age_band"].map(_BAND_TO_COARSE)
            pop = _group_sum(pop, pop_keys, ["person_years"])
        if not pop_keys:  # one population for every row (the whole selection)
            frame = sums.assign(person_years=float(pop["person_years"].sum()))
        elif len(pop_keys) < len(grain):  # rows split by something the population has not
            frame = sums.merge(pop, on=pop_keys, how="left")
        else:  # every population cell, with zero events where there were none
            frame = pop.merge(sums, on=pop_keys, how="outer")
        frame[["num", "n", "person_years"]] = frame[["num", "n", "person_years"]].fillna(0.0)
        sum_cols = ["num", "n", "person_years"]
        weights = None
        if use_dsr:
            weights, note = _standard_weights(cur, f, strata)
            if note:
                notes.append(note)
            ev_keys = [k for k in ("municipality_code", "age_band", "sex") if k in grain]
            if "period" in keys:
                ev_keys = ["year"] + ev_keys
            ev = _event_sums(cur, f, indicator_id, ev_keys, bands=bands, munis=munis)
            if ev is not None:
                if "period" in keys:
                    frame["year"] = pd.to_datetime(frame["period"]).dt.year.astype("int64")
                    ev["year"] = ev["year"].astype("int64")
                if "municipality_code" in ev_keys:
                    ev["municipality_code"] = ev["municipality_code"].astype(frame["municipality_code"].dtype)
                if ev_keys:
                    frame = frame.merge(ev, on=ev_keys, how="left")
                else:
                    frame = frame.assign(ev1=float(ev["ev1"].sum()), ev2=float(ev["ev2"].sum()))
                frame[["ev1", "ev2"]] = frame[["ev1", "ev2"]].fillna(0.0)
                frame = frame.drop(columns=[c for c in ("year",) if c in frame.columns and c not in grain])
                sum_cols += ["ev1", "ev2"]
                notes.append("interval for repeat admissions of the same person (events per person counted "
                             "within calendar years)")
        frame = _to_units(frame, units, grain, sum_cols)
        if want_strata and strata:
            strata_frame = _group_sum(frame, uk + strata, ["num", "person_years"]).rename(
                columns={"person_years": "base"})

        def finish(by: list[str]) -> pd.DataFrame:
            crude = _group_sum(frame, by, ["num", "n", "person_years"])
            if use_dsr:
                d = _dsr_groups(frame, by, strata, weights, ind)
                out = crude.merge(d, on=by, how="left") if by else pd.concat([crude, d], axis=1)
                out["method"] = out["method"].fillna("not calculated (no population)")
            else:
                out = pd.concat([crude.reset_index(drop=True), _crude(crude["num"], crude["person_years"], ind)],
                                axis=1)
            return out.rename(columns={"num": "count", "person_years": "denominator"})
    elif ind.statistic == "proportion" and indicator_id != "acute_bed_occupancy_pct":
        sums = _to_units(fetch(m, strata), units, keys + mk + strata, ["num", "den", "n"])
        if want_strata and strata:
            strata_frame = _group_sum(sums, uk + strata, ["num", "den"]).rename(columns={"den": "base"})

        def finish(by: list[str]) -> pd.DataFrame:
            t = _group_sum(sums, by, ["num", "den", "n"])
            out = pd.concat([t.reset_index(drop=True), _crude(t["num"], t["den"], ind)], axis=1)
            return out.rename(columns={"num": "count", "den": "denominator"})
    elif indicator_id == "acute_bed_occupancy_pct":
        raw = fetch(m, ["municipality_code", "month"]).drop(columns="den")
        cap = _capacity_frame(cur, f, period, munis, units)
        if units is None:
            cap = cap.drop(columns="unit")
        join = [c for c in dict.fromkeys(["municipality_code", "month"] + keys) if c in cap.columns]
        for frame_ in (raw, cap):
            frame_["month"] = pd.to_datetime(frame_["month"]).astype("datetime64[ns]")
            if "period" in frame_:
                frame_["period"] = pd.to_datetime(frame_["period"]).astype("datetime64[ns]")
            frame_["municipality_code"] = frame_["municipality_code"].astype("int64")
        sums = cap.merge(raw, on=join, how="left")
        sums[["num", "n"]] = sums[["num", "n"]].fillna(0.0)
        dropped = raw["num"].sum() - sums.loc[sums["den"] > 0, "num"].sum()
        sums = sums[sums["den"] > 0]
        if dropped > 1e-9:
            notes.append("months without recorded acute-bed capacity are left out")

        def finish(by: list[str]) -> pd.DataFrame:
            out = _group_sum(sums, by, ["num", "den", "n"]).rename(columns={"num": "count", "den": "denominator"})
            with np.errstate(divide="ignore", invalid="ignore"):
                out["value"] = np.where(out["denominator"] > 0, out["count"] / out["denominator"] * ind.multiplier,
                                        np.nan)
            out["lower"] = np.nan
            out["upper"] = np.nan
            out["method"] = "census count (no interval)"
            return out
    elif ind.statistic in ("mean", "median"):
        hm = _measure("los_median_days", f, by_group=by_group)
        hist = _to_units(fetch(hm, ["los_day"]), units, keys + mk + ["los_day"], ["num"])
        if ind.statistic == "mean":
            sums = _to_units(fetch(m), units, keys + mk, ["num", "den", "n"])

        def finish(by: list[str]) -> pd.DataFrame:
            hs = _hist_stats(hist, by)
            if ind.statistic == "median":
                out = hs.rename(columns={"median": "value", "median_lower": "lower", "median_upper": "upper"})
                out["count"] = out["episodes"]
                out["denominator"] = out["episodes"]
                out["n"] = out["episodes"]
                out["method"] = "Order statistics (binomial), 1-day LOS histogram"
                return out
            from scipy import stats as sps

            t = _group_sum(sums, by, ["num", "den", "n"])
            hv = hs[[*by, "hist_var"]]
            if hv.empty:  # no histogram rows: give the empty keys the sums' types, so the merge can run
                hv = hv.astype({c: t[c].dtype for c in by})
            out = t.merge(hv, on=by, how="left") if by else pd.concat([t, hv], axis=1)
            out = out.rename(columns={"num": "count", "den": "denominator"})
            n = out["denominator"].astype(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                out["value"] = np.where(n > 0, out["count"] / n, np.nan)
                half = sps.t.ppf(1 - (1 - CONF_LEVEL) / 2, np.maximum(n - 1, 1)) * np.sqrt(out["hist_var"] / n)
            out["lower"] = out["value"] - half
            out["upper"] = out["value"] + half
            out["method"] = "Student t (SD from the 1-day LOS histogram)"
            return out
    else:  # total: færdigbehandlingsdage x the year's price
        sums = fetch(m, ["year"])
        prices = reference.faerdigbehandling_prices().set_index("year")["price_dkk_per_day"]
        sums["cost"] = sums["num"] * sums["year"].map(prices).astype(float)
        if sums["cost"].isna().any() and (sums["num"] > 0).any():
            notes.append("no price for some years")
        sums = _to_units(sums, units, list(dict.fromkeys(keys + mk + ["year"])), ["num", "n", "cost"])

        def finish(by: list[str]) -> pd.DataFrame:
            out = _group_sum(sums, by, ["num", "n", "cost"]).rename(columns={"num": "count", "cost": "value"})
            out["denominator"] = np.nan
            out["lower"] = np.nan
            out["upper"] = np.nan
            out["method"] = "administrative total (no interval)"
            return out

    def tidy(out: pd.DataFrame, by: list[str]) -> pd.DataFrame:
        for col in ("count", "denominator", "n", "value", "lower", "upper"):
            if out[col].dtype != np.float64:
                out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
        return out[[*by, *_OUT_VALUE]].reset_index(drop=True)

    result = _Result(tidy(finish(G), G), notes, use_dsr, strata_frame)
    if also_total:
        g_total = uk + [k for k in keys if k != "period"]
        result.total = tidy(finish(g_total), g_total)
    return result



def _count_cols(indicator_id: str) -> tuple[list[str], list[str]]:
    """(count columns that disclosure control checks, columns hidden with them) of an indicator's output."""
    ind = _indicator(indicator_id)
    if ind.statistic == "proportion" and indicator_id != "acute_bed_occupancy_pct":
        return ["count", "denominator"], ["n"]  # numerator and denominator are both counts of stays
    if indicator_id in ("avoidable_65_per_1000", "acute_per_1000", "acute_bed_stays_per_1000_65"):
        return ["count"], ["n"]  # events
    return ["n"], ["count", "denominator"] if ind.statistic in ("mean", "median") else ["count"]


def _protect(df: pd.DataFrame, indicator_id: str, *, group_cols=None, extra: Sequence[str] = ()) -> pd.DataFrame:
    counts, deps = _count_cols(indicator_id)
    dependents = [c for c in ["value", "lower", "upper", *deps, *extra] if c in df.columns and c not in counts]
    return disclosure.safe_table(df, count_cols=counts, dependent_cols=dependents, group_cols=group_cols)


# =========================================================================================================
# key figures (Overblik): monthly cubes
# =========================================================================================================
# The Overblik shows six indicators for the selection, Region Midtjylland and the country after every filter
# change. Instead of aggregate SQL per indicator, area and change, an indicator's sums for one set of
# municipalities are fetched once as a dense cube (month x age x sex, with the LOS day or the municipality as a
# fourth axis where the statistic needs it), remembered per connection, and the period, age group, sex and
# standard population are applied to the cube in numpy. The region's and the country's cubes are fetched once
# per connection (and definition); a new selection fetches one small cube per indicator. The statistics are the
# SQL path's own functions, and tests/test_queries.py checks both paths give the same figures.
_OTHER = "\x00other"  # the axis slot of a missing or unlisted age band / sex (kept for "all", never selected)
_CUBE_STATISTICS = ("rate", "proportion", "median")


class _Cube:
    """Dense sums of one indicator for one set of municipalities over ``months`` x ``ages`` x ``sexes`` x
    ``extras``: ``num``, ``den``, ``n`` and ``rows`` (aggregate rows behind a cell: a year with none has no
    value, as in the SQL path). ``cap`` (occupancy only): available bed-days per month x municipality."""

    def __init__(self, months: np.ndarray, ages: list, sexes: list, extras: list, arrays: dict[str, np.ndarray],
                 cap: np.ndarray | None = None):
        self.months, self.ages, self.sexes, self.extras = months, ages, sexes, extras
        self.num, self.den, self.n, self.rows = (arrays[c] for c in ("num", "den", "n", "rows"))
        self.years = months.astype("datetime64[Y]").astype(int) + 1970
        self.cap = cap


def _slots(values: pd.Series, labels: list) -> np.ndarray:
    """Positions of ``values`` on an axis of ``labels`` (unlisted or missing values go to the last slot)."""
    pos = {label: i for i, label in enumerate(labels)}
    other = len(labels) - 1
    return np.fromiter((pos.get(v, other) for v in values.tolist()), dtype=np.int64, count=len(values))


def _dense(frame: pd.DataFrame, axes: list[tuple[str, list]], cols: Sequence[str]) -> dict[str, np.ndarray]:
    """Long ``frame`` -> one dense array per column of ``cols`` over ``axes`` ((column, labels) pairs)."""
    shape = tuple(len(labels) for _, labels in axes)
    flat = np.ravel_multi_index(tuple(_slots(frame[c], labels) for c, labels in axes), shape) if len(frame) else \
        np.zeros(0, dtype=np.int64)
    size = int(np.prod(shape))
    return {c: np.bincount(flat, weights=pd.to_numeric(frame[c], errors="coerce").fillna(0.0).to_numpy(float),
                           minlength=size).reshape(shape) for c in cols}


def _age_axis(m: _Measure) -> list:
    return {"band": [*_BANDS, _OTHER], "coarse": [*(g for g, _, _ in _COARSE), _OTHER], None: [_OTHER]}[m.age_kind]


def _sex_axis(has_sex: bool) -> list:
    return ["F", "M", _OTHER] if has_sex else [_OTHER]


def _cube(cur, indicator_id: str, f: Filters, munis: Sequence[int]) -> _Cube:
    """The indicator's cube for these municipalities (the definition and diagnosis groups of ``f`` choose the
    measure; period, age and sex do not matter here), remembered per connection."""
    ind, m = _indicator(indicator_id), _measure(indicator_id, f)
    groups = tuple(f.diagnosis_groups) if "$groups" in m.where else ()
    munis = tuple(sorted({int(c) for c in munis}))
    return store.memo(cur, ("cube", indicator_id, m.table, m.where, groups, munis),
                      lambda: _fetch_cube(cur, ind, m, groups, munis), max_entries=96)


def _fetch_cube(cur, ind: indicators.Indicator, m: _Measure, groups: tuple[str, ...], munis: tuple[int, ...]) -> _Cube:
    params: dict[str, object] = {}
    clauses = [f"({m.where})"]
    muni = _muni_clause("municipality_code", munis, params)
    if muni:
        clauses.append(muni)
    if "$groups" in m.where:
        params.update(groups=list(groups), all_groups=not groups)
    if "$link_cutoff" in m.where:
        params["link_cutoff"] = _link_cutoff(cur)
    occupancy = ind.id == "acute_bed_occupancy_pct"
    age = {"band": "age_band", "coarse": "age_group", None: "NULL"}[m.age_kind]
    extra = "los_day" if ind.statistic == "median" else "municipality_code" if occupancy else "NULL"
    sql = (f"SELECT month, {age} AS age, {'sex' if m.has_sex else 'NULL'} AS sex, {extra} AS extra, "
           f"{m.num} AS num, {m.den or 'NULL'} AS den, {m.n} AS n, count(*) AS rows "
           f"FROM {m.table} WHERE {' AND '.join(clauses)} GROUP BY ALL")
    frame = cur.execute(sql, params).df()
    if occupancy:  # every month of the occupancy data counts (capacity), whether or not a stay was present
        lo, hi = cur.execute("SELECT min(month), max(month) FROM agg_acute_bed_occupancy_month").fetchone()
        months = pd.date_range(lo, hi, freq="MS") if lo is not None else pd.DatetimeIndex([])
        extras = [*munis, _OTHER]
    else:
        months = pd.DatetimeIndex(sorted(pd.to_datetime(frame["month"]).unique()))
        extras = sorted(int(d) for d in frame["extra"].unique()) + [_OTHER] if extra == "los_day" else [_OTHER]
    frame["month"] = pd.to_datetime(frame["month"])
    axes = [("month", list(months)), ("age", _age_axis(m)), ("sex", _sex_axis(m.has_sex)), ("extra", extras)]
    if not len(months):
        axes[0] = ("month", [_OTHER])
    arrays = _dense(frame, axes, ["num", "den", "n", "rows"])
    if not len(months):
        arrays = {c: a[:0] for c, a in arrays.items()}
    cap = None
    if occupancy:
        grid = pd.DataFrame([(c, mo) for mo in months for c in munis], columns=["municipality_code", "month"])
        cap = np.zeros((len(months), len(extras)))
        if len(grid):
            cap[:, :-1] = _capacity_days(grid).to_numpy(float).reshape(len(months), len(munis))
    return _Cube(np.asarray(months, dtype="datetime64[M]"), axes[1][1], axes[2][1], extras, arrays, cap)


def _by_year_band_sex(frame: pd.DataFrame, cols: Sequence[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(years, one dense array per column over year x ESP band x sex) of a long frame with those keys."""
    years = sorted(int(y) for y in frame["year"].unique())
    if not years:
        return np.zeros(0, dtype=int), {c: np.zeros((0, len(_BANDS) + 1, 3)) for c in cols}
    frame = frame.assign(year=frame["year"].astype(int))
    axes = [("year", years), ("age_band", [*_BANDS, _OTHER]), ("sex", _sex_axis(True))]
    return np.asarray(years, dtype=int), _dense(frame, axes, cols)


def _population_cube(cur, munis: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """(years, population per year x ESP band x sex) of the municipalities, remembered per connection."""
    munis = tuple(sorted({int(c) for c in munis}))

    def fetch():
        params: dict[str, object] = {}
        muni = _muni_clause("municipality_code", munis, params)
        frame = cur.execute("SELECT year, age_band, sex, sum(population) AS population FROM agg_population_year"
                            + (f" WHERE {muni}" if muni else "") + " GROUP BY ALL", params).df()
        years, d = _by_year_band_sex(frame, ["population"])
        return years, d["population"]
    return store.memo(cur, ("population_cube", munis), fetch, max_entries=96)


def _events_cube(cur, indicator_id: str, f: Filters, munis: Sequence[int]) -> tuple[np.ndarray, np.ndarray] | None:
    """(years, [sum k P, sum k^2 P] per year x ESP band x sex) of events per person, as :func:`_event_sums`
    (None without the table or for indicators without events per person), remembered per connection."""
    munis = tuple(sorted({int(c) for c in munis}))
    groups = tuple(f.diagnosis_groups) if indicator_id == "avoidable_65_per_1000" else ()
    key = ("events_cube", indicator_id, f.definition if indicator_id == "avoidable_65_per_1000" else "", groups, munis)

    def fetch():
        everything = replace(f, start="1900-01", end="2999-12", sex="all", age_group="all")
        frame = _event_sums(cur, everything, indicator_id, ["year", "age_band", "sex"], bands=None, munis=munis)
        if frame is None:
            return None
        years, d = _by_year_band_sex(frame, ["ev1", "ev2"])
        return years, np.stack([d["ev1"], d["ev2"]])
    return store.memo(cur, key, fetch, max_entries=96)


def _cube_figures(cur, indicator_id: str, f: Filters, munis: Sequence[int], *, per_year: bool
                  ) -> tuple[pd.DataFrame | None, list[str], bool]:
    """(figures, notes, standardised) of an indicator for the municipalities, from the cubes, unprotected.

    ``figures`` has ``part``, ``period`` and :data:`_OUT_VALUE`: the period's total (``part`` "total") and,
    with ``per_year``, one row per calendar year with data (``part`` "year", ``period`` its 1 January); None
    when the age group is outside the indicator. Agrees with :func:`_compute` (``keys=[]`` and ``["period"]``
    by year; tests/test_queries.py compares them).
    """
    ind, m = _indicator(indicator_id), _measure(indicator_id, f)
    notes = _notes(m, f)
    bands = _bands(f, m.min_age)
    if bands is not None and not bands:
        notes.append(f"the indicator covers ages {m.min_age}+ only; the chosen age group is outside it")
        return None, notes, False
    use_dsr = bool(f.standardised) and ind.statistic == "rate" and ind.standardisation == "crude_and_dsr"
    if f.standardised and not use_dsr:
        notes.append("shown crude: the indicator is not standardised")
    cube = _cube(cur, indicator_id, f, munis)
    msel = (cube.months >= np.datetime64(f.start, "M")) & (cube.months <= np.datetime64(f.end, "M"))
    pop_years = _population_years(cur) if m.rate else None
    if pop_years:  # as the SQL path: rates count only months whose year has population rows
        msel &= (cube.years >= pop_years[0]) & (cube.years <= pop_years[1])
    chosen = None if bands is None or m.age_kind is None else \
        set(bands if m.age_kind == "band" else (_BAND_TO_COARSE[b] for b in bands))
    amask = np.array([chosen is None or a in chosen for a in cube.ages])
    smask = np.array([not m.has_sex or f.sex == "all" or s == f.sex for s in cube.sexes])
    keep = amask[None, :, None, None] & smask[None, None, :, None]
    years = cube.years[msel]
    num, den, n, rows = (a[msel] * keep for a in (cube.num, cube.den, cube.n, cube.rows))
    year_list = sorted({int(y) for y, r in zip(years, rows.sum(axis=(1, 2, 3))) if r > 0})
    if ind.statistic == "rate":
        return _cube_rates(cur, ind, f, m, munis, bands, use_dsr, num.sum(axis=3), n.sum(axis=(1, 2, 3)), years,
                           year_list, notes, per_year), notes, use_dsr
    if indicator_id == "acute_bed_occupancy_pct":
        cap = cube.cap[msel]
        valid = cap > 0
        flat_num = num.sum(axis=(1, 2))
        if flat_num.sum() - flat_num[valid].sum() > 1e-9:
            notes.append("months without recorded acute-bed capacity are left out")
        year_list = sorted({int(y) for y, v in zip(years, valid.any(axis=1)) if v})
        parts = _parts(years, year_list, per_year)
        c, d, nn = (np.array([(a * valid)[p].sum() for p in parts["months"]]) for a in (flat_num, cap,
                                                                                      n.sum(axis=(1, 2))))
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(d > 0, c / d * ind.multiplier, np.nan)
        return _parts_frame(parts, count=c, denominator=d, n=nn, value=value, lower=np.nan, upper=np.nan,
                            method="census count (no interval)"), notes, False
    parts = _parts(years, year_list, per_year)
    if ind.statistic == "proportion":
        c, d, nn = (np.array([a[p].sum() for p in parts["months"]]) for a in (num, den, n))
        return _parts_frame(parts, count=c, denominator=d, n=nn, **_crude_arrays(c, d, ind)), notes, False
    days = np.asarray(cube.extras[:-1], dtype=float)  # the median of the 1-day LOS histogram
    stats = []
    for p in parts["months"]:
        counts = num[p].sum(axis=(0, 1, 2))[:-1]
        stats.append(_median_stats(days[counts > 0], counts[counts > 0]))
    episodes = np.array([s["episodes"] for s in stats])
    return _parts_frame(parts, count=episodes, denominator=episodes, n=episodes,
                        value=[s["median"] for s in stats], lower=[s["median_lower"] for s in stats],
                        upper=[s["median_upper"] for s in stats],
                        method="Order statistics (binomial), 1-day LOS histogram"), notes, False


def _parts(years: np.ndarray, year_list: list[int], per_year: bool) -> dict[str, list]:
    """The rows of :func:`_cube_figures`: the total over every selected month, then (``per_year``) each year
    with data; ``months`` holds each row's mask over the selected months, ``years`` its years."""
    rows = [("total", pd.NaT, np.ones(len(years), dtype=bool), year_list)]
    if per_year:
        rows += [("year", pd.Timestamp(year=y, month=1, day=1), years == y, [y]) for y in year_list]
    return {"part": [r[0] for r in rows], "period": [r[1] for r in rows], "months": [r[2] for r in rows],
            "years": [r[3] for r in rows]}


def _parts_frame(parts: dict[str, list], **columns) -> pd.DataFrame:
    data = {"part": parts["part"], "period": pd.to_datetime(pd.Series(parts["period"], dtype="datetime64[ns]"))}
    k = len(parts["part"])
    for col in _OUT_VALUE:
        v = columns[col]
        data[col] = np.full(k, v, dtype=object if col == "method" else float) if np.isscalar(v) else \
            np.asarray(v, dtype=object if col == "method" else float)
    return pd.DataFrame(data)


def _cube_rates(cur, ind, f, m, munis, bands, use_dsr, strata_num, month_n, years, year_list, notes, per_year):
    """The rates of :func:`_cube_figures`: person-years from the population cube (a month counts its year's
    population / 12), crude rates or DSRs over ESP band x sex strata with the events-per-person interval.
    ``strata_num``: selected months x ages x sexes."""
    pyears, pop = _population_cube(cur, munis)
    months = np.arange(np.datetime64(f.start, "M"), np.datetime64(f.end, "M") + 1)
    month_years = months.astype("datetime64[Y]").astype(int) + 1970
    months_in = np.array([(month_years == y).sum() for y in pyears], dtype=float)  # the period's months per year
    band_mask = np.array([bands is None or b in bands for b in [*_BANDS, _OTHER]])
    sex_mask = np.array([not m.has_sex or f.sex == "all" or s == f.sex for s in _sex_axis(True)])
    py = pop * (months_in / 12.0)[:, None, None] * band_mask[None, :, None] * sex_mask[None, None, :]
    with_pop = {int(y) for y, k, p in zip(pyears, months_in, py.sum(axis=(1, 2))) if k > 0 and p > 0}
    parts = _parts(years, sorted(set(year_list) | with_pop), per_year)
    c = np.array([strata_num[p].sum() for p in parts["months"]])
    nn = np.array([month_n[p].sum() for p in parts["months"]])
    d = np.array([py[np.isin(pyears, ys)].sum() for ys in parts["years"]])
    if not use_dsr:
        return _parts_frame(parts, count=c, denominator=d, n=nn, **_crude_arrays(c, d, ind))
    weights, note = _cube_weights(cur, f)
    if note:
        notes.append(note)
    ev = _events_cube(cur, ind.id, f, munis)
    if ev is not None:
        notes.append("interval for repeat admissions of the same person (events per person counted "
                     "within calendar years)")
    value, lower, upper, method = [], [], [], []
    for p, ys in zip(parts["months"], parts["years"]):
        s_num, s_py = strata_num[p].sum(axis=0), py[np.isin(pyears, ys)].sum(axis=0)
        ok = ~np.isnan(weights) & (s_py > 0)
        if not ok.any():
            value.append(np.nan), lower.append(np.nan), upper.append(np.nan)
            method.append("not calculated (no population)")
            continue
        factor = None
        if ev is not None:
            e = ev[1][:, np.isin(ev[0], ys)].sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(e[0] > 0, np.maximum(e[1] / e[0], 1.0), 1.0)[ok]
        r = rates.dsr(s_num[ok], s_py[ok], weights[ok], multiplier=ind.multiplier, conf_level=CONF_LEVEL,
                      variance_factor=factor)
        value.append(r.value), lower.append(r.lower), upper.append(r.upper)
        method.append(r.method + (f" ({r.note})" if r.note else ""))
    return _parts_frame(parts, count=c, denominator=d, n=nn, value=value, lower=lower, upper=upper, method=method)


def _cube_weights(cur, f: Filters) -> tuple[np.ndarray, str | None]:
    """:func:`_standard_weights` per ESP band x sex (NaN: not a stratum), and its note; remembered per connection."""
    def compute():
        weights, note = _standard_weights(cur, f, ["age_band", "sex"])
        w = np.full((len(_BANDS) + 1, 3), np.nan)
        sexes = _sex_axis(True)
        for row in weights.to_dict("records"):
            if row["age_band"] not in _BAND_FROM:
                continue
            b = _BANDS.index(row["age_band"])
            if "sex" in row:
                w[b, sexes.index(row["sex"]) if row["sex"] in ("F", "M") else 2] = row["standard"]
            else:  # ESP 2013: the band's weight for each sex
                w[b, :] = row["standard"]
        return w, note
    return store.memo(cur, ("cube_weights", f.standard_year), compute)


# =========================================================================================================
# public: data availability
# =========================================================================================================
def has_data(con) -> bool:
    """True when the aggregate tables exist and hold at least one hospital stay or acute-bed stay."""
    cur = store.cursor(con)
    if not _ready(cur, "agg_episodes_month", "agg_acute_bed_month"):
        return False
    n = cur.execute("SELECT (SELECT count(*) FROM agg_episodes_month) + (SELECT count(*) FROM agg_acute_bed_month)"
                    ).fetchone()[0]
    return bool(n)


def data_range(con) -> tuple[str, str] | None:
    """First and last month with hospital stays (else acute-bed stays) as ``('YYYY-MM', 'YYYY-MM')``; None if empty."""
    cur = store.cursor(con)
    for table in ("agg_episodes_month", "agg_acute_bed_month"):  # allow-list
        if not _ready(cur, table):
            continue
        lo, hi = cur.execute(f"SELECT min(month), max(month) FROM {table}").fetchone()
        if lo is not None:
            return (f"{lo.year:04d}-{lo.month:02d}", f"{hi.year:04d}-{hi.month:02d}")
    return None


def coverage(con) -> pd.DataFrame:
    """Hospital stays and acute-bed stays per municipality x month, for the Data page heatmap.

    Returns
    -------
    pandas.DataFrame
        ``municipality_code, name, region_code, region_name, month`` (Timestamp, first day), ``episodes``
        (all hospital stays — the aggregates count stitched stays, not raw contacts), ``acute_bed_stays``,
        ``suppressed``, ``suppression_note``; counts 1-4 hidden (no totals are shown beside the heatmap,
        so no secondary suppression). Only municipality-months with any data appear.
    """
    cols = ["municipality_code", "name", "region_code", "region_name", "month", "episodes", "acute_bed_stays"]
    cur = store.cursor(con)
    if not _ready(cur, "agg_episodes_month", "agg_acute_bed_month"):
        return _empty(cols)
    df = cur.execute(
        "WITH e AS (SELECT municipality_code, month, sum(episodes) AS episodes FROM agg_episodes_month GROUP BY ALL), "
        "s AS (SELECT municipality_code, month, sum(stays) AS acute_bed_stays FROM agg_acute_bed_month GROUP BY ALL) "
        "SELECT municipality_code, month, coalesce(e.episodes, 0) AS episodes, "
        "coalesce(s.acute_bed_stays, 0) AS acute_bed_stays "
        "FROM e FULL JOIN s USING (municipality_code, month) ORDER BY municipality_code, month"
    ).df()
    df = df.merge(_municipalities(), on="municipality_code", how="left")[cols]
    return disclosure.safe_table(df, count_cols=["episodes", "acute_bed_stays"], dependent_cols=[])


# =========================================================================================================
# public: indicators
# =========================================================================================================
_VALUE_COLS = ["indicator_id", "area", "area_name", "start", "end", *_OUT_VALUE, "conf_level", "statistic",
               "multiplier", "unit", "standardised", "note"]


def indicator_value(con, filters: Filters, indicator_id: str) -> pd.DataFrame:
    """One indicator for the whole selection (period, area, age group, sex, groups, definition).

    Works for every indicator of :mod:`analysis.indicators` (issue 4, "SQL for each indicator").

    Returns
    -------
    pandas.DataFrame
        One row: ``indicator_id, area, area_name, start, end``; ``count`` (the numerator: events, or days
        for day-based indicators, total LOS days for the mean), ``denominator`` (person-years for rates,
        the denominator count for proportions, stays for means and medians, available bed-days for
        occupancy, NaN for the cost total), ``n`` (stays behind the figure — the count disclosure control
        uses for day sums, LOS and cost; for occupancy the stays present, summed over months), ``value`` (per 1,000 per year
        for rates, per cent for proportions, days for LOS, DKK for the cost), ``lower``, ``upper``
        (95 %), ``method``, ``conf_level``, ``statistic``, ``multiplier``, ``unit`` (English; the registry
        has the Danish), ``standardised`` (True when ``value`` is an ESP 2013 DSR), ``note`` (filters not
        applied, why no value), ``suppressed``, ``suppression_note``.
    """
    ind = _indicator(indicator_id)
    cur = store.cursor(con)
    if not _ready(cur, _measure(indicator_id, filters).table, "agg_population_year"):
        return _empty(_VALUE_COLS)
    r = _compute(cur, indicator_id, filters, [])
    out, notes, std = r.frame, r.notes, r.standardised
    if out.empty:
        out = pd.DataFrame([{c: np.nan for c in _OUT_VALUE}])
        out["method"] = "not calculated"
    out = out.assign(indicator_id=indicator_id, area=filters.area, area_name=_area_name(filters),
                     start=filters.start, end=filters.end, conf_level=CONF_LEVEL, statistic=ind.statistic,
                     multiplier=ind.multiplier, unit=ind.unit_en, standardised=std, note="; ".join(notes))
    return _protect(out[_VALUE_COLS], indicator_id)


_TREND_COLS = ["period", *_OUT_VALUE, "standardised", "note"]


def indicator_trend(con, filters: Filters, indicator_id: str, *, period: str = "month") -> pd.DataFrame:
    """An indicator per month, quarter or year of the selection.

    Returns
    -------
    pandas.DataFrame
        One row per period with data, oldest first: ``period`` (Timestamp of the period's first day),
        ``count, denominator, n, value, lower, upper, method`` as :func:`indicator_value` (rates per
        1,000 per year in every period), ``standardised``, ``note``, ``suppressed``,
        ``suppression_note``. Periods add up to the selection's total, so secondary suppression runs
        over the rows. A quarter or year cut by the period counts only its selected months.
    """
    _check_period(period)
    cur = store.cursor(con)
    if not _ready(cur, _measure(indicator_id, filters).table, "agg_population_year"):
        return _empty(_TREND_COLS)
    r = _compute(cur, indicator_id, filters, ["period"], period=period)
    out, notes, std = r.frame, r.notes, r.standardised
    out = out.dropna(subset=["period"]).sort_values("period").reset_index(drop=True)
    out["period"] = pd.to_datetime(out["period"])
    out = out.assign(standardised=std, note="; ".join(notes))
    return _protect(out[_TREND_COLS], indicator_id, group_cols=[])


_MUNI_COLS = ["municipality_code", "name", "region_code", "region_name", "in_selection", *_OUT_VALUE,
              "expected", "ratio", "ratio_lower", "ratio_upper", "benchmark_name", "benchmark_value",
              "comparison", "judgement", "funnel_statistic", "funnel_x", "funnel_y", "funnel_target",
              "funnel_lower_95", "funnel_upper_95", "funnel_lower_99_8", "funnel_upper_99_8", "funnel_flag",
              "standardised", "note"]


def indicator_by_municipality(con, filters: Filters, indicator_id: str, *, benchmark: str = "auto") -> pd.DataFrame:
    """The indicator for each municipality to compare: the selected region's, all 98 for ``national``, the
    regions of the chosen municipalities for ``muni:``.

    Parameters
    ----------
    benchmark : {"auto", "region", "national"}
        What each municipality is compared with: its own region, or the whole country. ``"auto"`` is
        ``"national"`` for a national selection, else ``"region"``.

    Returns
    -------
    pandas.DataFrame
        One row per municipality (sorted by code): ``municipality_code, name, region_code, region_name,
        in_selection`` (in the filter's area); ``count, denominator, n, value, lower, upper, method`` as
        :func:`indicator_value` (DSR when standardised); ``expected`` (indirect standardisation over age
        band x sex against the benchmark's stratum rates — events for rates, numerator cases for
        proportions; NaN for LOS, cost and occupancy), ``ratio`` = observed / expected with
        ``ratio_lower``/``ratio_upper`` (Byar, exact below 10); ``benchmark_name``, ``benchmark_value``
        (the region's or country's value for the same filters); ``comparison`` ("lower", "similar",
        "higher", "not_compared": the value's interval against the benchmark value) and ``judgement``
        ("better", "worse", "similar", "not applicable") from the indicator's polarity; the funnel plot:
        ``funnel_statistic`` ("ratio" for rates: y = ratio against x = expected, target 1; "proportion":
        y = value against x = denominator, target the benchmark; None otherwise), ``funnel_x, funnel_y,
        funnel_target``, limits ``funnel_lower_95 ... funnel_upper_99_8`` at each row's x, and
        ``funnel_flag`` ("within", "above_95", "below_99_8", ..., "not_assessed"); ``standardised``,
        ``note``, ``suppressed``, ``suppression_note``. Secondary suppression runs within each region.
    """
    if benchmark not in ("auto", "region", "national"):
        raise QueryError(f"benchmark must be 'auto', 'region' or 'national', got {benchmark!r}.")
    if benchmark == "auto":
        benchmark = "national" if filters.area_kind == "national" else "region"
    ind = _indicator(indicator_id)
    cur = store.cursor(con)
    if not _ready(cur, _measure(indicator_id, filters).table, "agg_population_year"):
        return _empty(_MUNI_COLS)
    munis_ref = _municipalities()
    regions = filters.comparison_region_codes
    compare = munis_ref[munis_ref["region_code"].isin(regions)]
    codes = [int(c) for c in compare["municipality_code"]]
    units: dict[str, Sequence[int]] = {str(c): (c,) for c in codes}
    if benchmark == "national":
        units["national"] = tuple(sorted(_ALL_MUNIS))
        bench_of = {c: "national" for c in codes}
    else:
        for code in regions:
            units[f"region:{code}"] = tuple(int(c) for c in compare.loc[compare["region_code"] == code,
                                                                          "municipality_code"])
        bench_of = {int(c): f"region:{int(r)}" for c, r in zip(compare["municipality_code"], compare["region_code"])}
    with_expected = ind.statistic in ("rate", "proportion") and indicator_id != "acute_bed_occupancy_pct"
    r = _compute(cur, indicator_id, filters, [], units=units, want_strata=with_expected)
    notes, std = r.notes, r.standardised
    frame = r.frame.set_index("unit") if len(r.frame) else pd.DataFrame(columns=_OUT_VALUE)
    rows = frame.reindex([str(c) for c in codes])
    out = compare.reset_index(drop=True).copy()
    for col in _OUT_VALUE:
        out[col] = rows[col].to_numpy() if col in rows else np.nan
    out["in_selection"] = out["municipality_code"].isin(filters.municipality_codes)
    bench_units = sorted(u for u in set(bench_of.values()) if u in frame.index)
    bench = _protect(frame.loc[bench_units].reset_index(), indicator_id).set_index("unit") if bench_units else frame
    bench_value = {u: float(bench.loc[u, "value"]) if u in bench_units and pd.notna(bench.loc[u, "value"]) else np.nan
                   for u in set(bench_of.values())}
    out["benchmark_name"] = [NATIONAL_NAME if bench_of[c] == "national" else _region_name(int(bench_of[c][7:]))
                             for c in out["municipality_code"]]
    out["benchmark_value"] = [bench_value[bench_of[c]] for c in out["municipality_code"]]

    # indirect standardisation (age band x sex) against the benchmark's stratum rates
    out["expected"] = np.nan
    st = r.strata
    if with_expected and st is not None and len(st):
        strata = [c for c in st.columns if c not in ("unit", "num", "base")]
        ref = st[st["unit"].isin(set(bench_of.values()))].copy()
        ref["ref_rate"] = np.where(ref["base"] > 0, ref["num"] / ref["base"].where(ref["base"] > 0), 0.0)
        own = st[st["unit"].isin([str(c) for c in codes])].copy()
        own["ref"] = own["unit"].astype(int).map(bench_of)
        own = own.merge(ref.rename(columns={"unit": "ref"})[["ref", *strata, "ref_rate"]], on=["ref", *strata],
                        how="left")
        own["exp"] = own["base"] * own["ref_rate"].fillna(0.0)
        expected = own.groupby(own["unit"].astype(int))["exp"].sum()
        out["expected"] = out["municipality_code"].map(expected).astype(float)
    obs = out["count"].astype(float)
    ok = (out["expected"] > 0) & obs.notna()
    out["ratio"] = np.nan
    out["ratio_lower"] = np.nan
    out["ratio_upper"] = np.nan
    if ok.any():
        lim = rates.poisson_count_limits(obs[ok].to_numpy(), conf_level=CONF_LEVEL)
        e = out.loc[ok, "expected"].to_numpy()
        out.loc[ok, "ratio"] = obs[ok].to_numpy() / e
        out.loc[ok, "ratio_lower"] = lim["lower"].to_numpy() / e
        out.loc[ok, "ratio_upper"] = lim["upper"].to_numpy() / e
    out["standardised"] = std
    out["note"] = "; ".join(notes)
    out = _protect(out, indicator_id, group_cols=["region_code"], extra=["ratio", "ratio_lower", "ratio_upper"])

    # comparisons and funnels from the published (suppressed) values
    cmp_ = rates.compare_to_benchmark(out["value"].astype(float).to_numpy(), out["lower"].astype(float).to_numpy(),
                                      out["upper"].astype(float).to_numpy(),
                                      out["benchmark_value"].astype(float).to_numpy(), polarity=ind.polarity)
    out["comparison"] = cmp_["comparison"].to_numpy()
    out["judgement"] = cmp_["judgement"].to_numpy()
    for col in ("funnel_x", "funnel_y", "funnel_target", "funnel_lower_95", "funnel_upper_95",
                "funnel_lower_99_8", "funnel_upper_99_8"):
        out[col] = np.nan
    out["funnel_statistic"] = None
    out["funnel_flag"] = "not_assessed"
    if ind.statistic == "rate" and out["expected"].notna().any():
        out["funnel_statistic"] = "ratio"
        out["funnel_x"] = out["expected"]
        out["funnel_y"] = out["ratio"].astype(float)
        out["funnel_target"] = 1.0
        mult = 1
    elif ind.statistic == "proportion" and indicator_id != "acute_bed_occupancy_pct":
        out["funnel_statistic"] = "proportion"
        out["funnel_x"] = pd.to_numeric(out["denominator"], errors="coerce").astype(float)
        out["funnel_y"] = out["value"].astype(float)
        out["funnel_target"] = out["benchmark_value"]
        mult = ind.multiplier
    if out["funnel_statistic"].notna().any():
        stat = out["funnel_statistic"].iloc[0]
        for target, idx in out.groupby("funnel_target", dropna=True).groups.items():
            x = out.loc[idx, "funnel_x"].astype(float)
            use = x[x > 0].index
            if not len(use) or not np.isfinite(target):
                continue
            lim = rates.funnel_limits(x[use].to_numpy(), statistic=stat, target=float(target), multiplier=mult)
            for col in ("lower_95", "upper_95", "lower_99_8", "upper_99_8"):
                out.loc[use, f"funnel_{col}"] = lim[col].to_numpy()
            out.loc[use, "funnel_flag"] = rates.funnel_flag(
                out.loc[use, "funnel_y"].astype(float).to_numpy(), x[use].to_numpy(), statistic=stat,
                target=float(target), multiplier=mult).to_numpy()
    out.attrs["funnel"] = {"statistic": out["funnel_statistic"].iloc[0] if len(out) else None}
    return out[[*_MUNI_COLS, "suppressed", "suppression_note"]].sort_values("municipality_code").reset_index(drop=True)


def funnel_curve(by_municipality: pd.DataFrame, *, points: int = 100) -> pd.DataFrame:
    """Funnel-plot limit lines for a :func:`indicator_by_municipality` table (one target per benchmark).

    Returns
    -------
    pandas.DataFrame
        ``benchmark_name, x, target, lower_95, upper_95, lower_99_8, upper_99_8`` over ``points`` x values
        spread (log-spaced) across the municipalities' ``funnel_x``; empty when the indicator has no funnel.
    """
    cols = ["benchmark_name", "x", "target", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]
    df = by_municipality.dropna(subset=["funnel_x", "funnel_target"])
    df = df[df["funnel_x"] > 0]
    if df.empty or df["funnel_statistic"].isna().all():
        return pd.DataFrame(columns=cols)
    stat = df["funnel_statistic"].dropna().iloc[0]
    mult = 1 if stat == "ratio" else 100
    frames = []
    for (name, target), g in df.groupby(["benchmark_name", "funnel_target"]):
        lo, hi = float(g["funnel_x"].min()), float(g["funnel_x"].max())
        xs = np.geomspace(max(lo * 0.8, 1e-6), hi * 1.2, points)
        lim = rates.funnel_limits(xs, statistic=stat, target=float(target), multiplier=mult)
        lim = lim.rename(columns={"denominator": "x"})
        lim.insert(0, "benchmark_name", name)
        frames.append(lim[cols])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


_KEY_COLS = ["indicator_id", "value", "lower", "upper", "suppressed", "region_value", "national_value", "unit",
             "statistic", "polarity", "standardised", "spark_years", "spark_values", "last_year", "last_value",
             "previous_value", "change", "direction", "trend", "trend_method", "note"]


def key_figures(con, filters: Filters) -> pd.DataFrame:
    """The Overblik page: each headline indicator for the selection, Region Midtjylland and the country.

    Returns
    -------
    pandas.DataFrame
        One row per indicator of :data:`HEADLINE_INDICATORS`: ``indicator_id, value, lower, upper,
        suppressed`` (the selection), ``region_value`` (Region Midtjylland), ``national_value``,
        ``unit, statistic, polarity, standardised``; the sparkline ``spark_years`` (list of int) and
        ``spark_values`` (list of float, NaN where suppressed) per calendar year of the period;
        ``last_year`` (last full calendar year in the period), ``last_value``, ``previous_value``,
        ``change`` (last minus previous), ``direction`` ("up", "down", "unchanged" or None without two
        full years), ``trend`` (:func:`rates.trend_marker` over the yearly values when at least 5 exist:
        "increasing", "decreasing", "no_significant_change", else None), ``trend_method``, ``note``.
    """
    frames = [key_figure(con, filters, ind_id) for ind_id in HEADLINE_INDICATORS]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=_KEY_COLS)


def canonical_filters(indicator_id: str, filters: Filters) -> Filters:
    """The same filters with every value the indicator ignores set to one representative, so results cached
    on the filters are shared (the output is identical, notes included).

    Sex and age on aggregates without them (only "not applied" notes depend on them), the definition and
    diagnosis groups for every indicator but avoidable admissions, the standard population for indicators
    that are not standardised.
    """
    ind = _indicator(indicator_id)
    m = _measure(indicator_id, filters)
    changes: dict[str, object] = {}
    if not m.has_sex and filters.sex != "all":
        changes["sex"] = "F"
    if m.age_kind is None and filters.age_group != "all":
        changes["age_group"] = "65+"
    if indicator_id != "avoidable_65_per_1000":
        changes.update(definition=Filters().definition, diagnosis_groups=())
    if not (ind.statistic == "rate" and ind.standardisation == "crude_and_dsr"):
        changes["standard_year"] = None
    return replace(filters, **changes) if changes else filters


def key_figure(con, filters: Filters, indicator_id: str) -> pd.DataFrame:
    """One row of :func:`key_figures` for an indicator with a rate, proportion or median statistic (pages cache
    the six figures one by one).

    Computed from the monthly cubes (see "key figures" below): the region's and country's values are
    remembered per connection for the filters, so a new municipality costs one small cube per indicator and
    a new period, age group, sex or standard population no SQL at all.
    """
    cur = store.cursor(con)
    if not _ready(cur, *_AGG_TABLES):
        return pd.DataFrame(columns=_KEY_COLS)
    ind = _indicator(indicator_id)
    if ind.statistic not in _CUBE_STATISTICS:
        raise QueryError(f"{indicator_id} is not a key figure (its statistic is {ind.statistic}).")
    region_value, national_value = _benchmarks(cur, filters, indicator_id)
    full_years = [y for y in range(int(filters.start[:4]), int(filters.end[:4]) + 1)
                  if filters.start <= f"{y}-01" and f"{y}-12" <= filters.end]
    figures, notes, standardised = _cube_figures(cur, indicator_id, filters, filters.municipality_codes,
                                                 per_year=True)
    # the total alone (nothing adds up to it here) and the years, which add up to it: secondary suppression
    # works within each part
    figures = _protect(figures, indicator_id, group_cols=["part"]) if figures is not None else None
    part = figures["part"].to_numpy(dtype=object) if figures is not None else np.array([], dtype=object)
    col = {c: figures[c].to_numpy(dtype=float, na_value=np.nan) if figures is not None else np.zeros(0)
           for c in ("value", "lower", "upper", "count", "denominator")}
    is_year = part == "year"
    years = [int(p.year) for p in figures["period"][is_year]] if figures is not None else []
    values = [float(v) for v in col["value"][is_year]]
    by_year = dict(zip(years, values))
    last = full_years[-1] if full_years else None
    last_value = by_year.get(last, np.nan) if last else np.nan
    prev_value = by_year.get(last - 1, np.nan) if last and (last - 1) in full_years else np.nan
    change = last_value - prev_value if np.isfinite(last_value) and np.isfinite(prev_value) else np.nan
    direction = None if not np.isfinite(change) else ("up" if change > 0 else "down" if change < 0 else "unchanged")
    full = np.isin(years, full_years) if years else np.zeros(0, dtype=bool)
    full_values = col["value"][is_year][full]
    marker = None
    if np.count_nonzero(~np.isnan(full_values)) >= rates.MIN_POINTS_FOR_TREND:
        try:
            if ind.statistic == "rate" and not standardised and indicator_id in ("avoidable_65_per_1000",
                                                                                  "acute_per_1000"):
                marker = rates.trend_marker(full_values, counts=col["count"][is_year][full],
                                            populations=col["denominator"][is_year][full])
            else:
                marker = rates.trend_marker(full_values)
        except rates.RateInputError:
            marker = None

    total = part == "total"

    def first(name: str) -> float:
        return float(col[name][total][0]) if total.any() else np.nan

    row = {
        "indicator_id": indicator_id, "value": first("value"), "lower": first("lower"), "upper": first("upper"),
        "suppressed": bool(figures["suppressed"].to_numpy()[total][0]) if total.any() else False,
        "region_value": region_value, "national_value": national_value,
        "unit": ind.unit_en, "statistic": ind.statistic, "polarity": ind.polarity,
        "standardised": standardised, "spark_years": years, "spark_values": values,
        "last_year": last, "last_value": last_value, "previous_value": prev_value, "change": change,
        "direction": direction, "trend": marker.direction if marker else None,
        "trend_method": marker.method if marker else None, "note": "; ".join(notes),
    }
    return pd.DataFrame([row], columns=_KEY_COLS)


def _benchmarks(cur, filters: Filters, indicator_id: str) -> tuple[float, float]:
    """(Region Midtjylland's value, the country's value) of an indicator for the filters (area ignored),
    protected like any published value (NaN when suppressed or not available); remembered per connection."""
    f = replace(canonical_filters(indicator_id, filters), area=_home_region_area())

    def compute() -> tuple[float, float]:
        totals = [_cube_figures(cur, indicator_id, f, munis, per_year=False)[0]
                  for munis in (f.municipality_codes, sorted(_ALL_MUNIS))]
        if totals[0] is None:
            return (np.nan, np.nan)
        values = _protect(pd.concat(totals, ignore_index=True), indicator_id)["value"]  # each row on its own
        return tuple(float(v) if pd.notna(v) else np.nan for v in values)
    return store.memo(cur, ("benchmarks", indicator_id, f), compute, max_entries=128)


@functools.lru_cache(maxsize=1)
def _home_region_area() -> str:
    """The URL area of the product's home region (Region Midtjylland)."""
    r = reference.regions()
    code = int(r.loc[r["region_name"] == constants.MIDTJYLLAND, "region_code"].iloc[0])
    return f"region:{code}"


# =========================================================================================================
# public: breakdowns
# =========================================================================================================
def breakdown_available(indicator_id: str, by: str, *, definition: str = "dk_preventable_65") -> bool:
    """Whether :func:`breakdown` can split this indicator by ``by`` (the aggregates decide)."""
    if by not in BREAKDOWNS:
        return False
    f = replace(Filters(), definition=definition)
    try:
        m = _measure(indicator_id, f, by_group=by == "diagnosis_group")
    except QueryError:
        return False
    if by == "diagnosis_group":
        return m.group_col is not None and (
            indicator_id in ("avoidable_65_per_1000", "readmission_30d_pct", "bed_days_per_1000")
            or definition == "dk_preventable_65" and indicator_id in ("los_mean_days", "los_median_days"))
    if by == "sex":
        return m.has_sex and indicator_id not in ("los_mean_days",)
    return m.age_kind is not None and indicator_id not in ("faerdig_cost_dkk", "los_mean_days")


_BREAKDOWN_COLS = ["category", "label_da", "label_en", "sort_order", *_OUT_VALUE, "share_pct", "note"]


def breakdown(con, filters: Filters, indicator_id: str, *, by: str) -> pd.DataFrame:
    """The indicator split by diagnosis group, age band or sex, for the whole selection.

    Parameters
    ----------
    by : {"diagnosis_group", "age_band", "sex"}
        Diagnosis groups are those of ``filters.definition`` (only the selected ones when
        ``filters.diagnosis_groups`` is set); age bands are the ESP 5-year bands (coarse 0-64 / 65-79 /
        80+ for indicators whose aggregate has only those); rates within a band are crude.

    Returns
    -------
    pandas.DataFrame
        One row per category: ``category`` (group id, band label or 'F'/'M'), ``label_da``, ``label_en``,
        ``sort_order``, ``count, denominator, n, value, lower, upper, method`` as :func:`indicator_value`
        (for diagnosis groups of a rate, the denominator is the whole selected population),
        ``share_pct`` (the category's share of the count, per cent), ``note``, ``suppressed``,
        ``suppression_note``. Categories add up to the total: secondary suppression over the rows.

    Raises
    ------
    QueryError
        When the aggregates cannot split the indicator this way (see :func:`breakdown_available`).
    """
    if by not in BREAKDOWNS:
        raise QueryError(f"by must be one of {', '.join(BREAKDOWNS)}, got {by!r}.")
    if not breakdown_available(indicator_id, by, definition=filters.definition):
        raise QueryError(f"{indicator_id} cannot be broken down by {by} from the aggregate tables.")
    cur = store.cursor(con)
    m = _measure(indicator_id, filters, by_group=by == "diagnosis_group")
    if not _ready(cur, m.table, "agg_population_year"):
        return _empty(_BREAKDOWN_COLS)
    key = {"diagnosis_group": "group", "age_band": "age_band", "sex": "sex"}[by]
    r = _compute(cur, indicator_id, filters, [key], by_group=by == "diagnosis_group", standardised=False)
    out, notes = r.frame, r.notes
    out = out.rename(columns={key: "category"}).dropna(subset=["category"])
    if by == "diagnosis_group":
        lists = reference.code_lists(list_id=filters.definition).drop_duplicates("group").set_index("group")
        out["label_da"] = out["category"].map(lists["label_da"]).fillna(out["category"])
        out["label_en"] = out["category"].map(lists["label_en"]).fillna(out["category"])
        out["sort_order"] = out["count"].rank(ascending=False, method="first")
    elif by == "age_band":
        order = {b: i for i, b in enumerate(_BANDS)} | {g: i * 100 for i, (g, _, _) in enumerate(_COARSE)}
        out["label_da"] = out["category"].str.replace("+", " år+", regex=False)
        out["label_en"] = out["category"]
        out["sort_order"] = out["category"].map(order)
    else:
        out["label_da"] = out["category"].map({"F": "Kvinder", "M": "Mænd"})
        out["label_en"] = out["category"].map({"F": "Women", "M": "Men"})
        out["sort_order"] = out["category"].map({"F": 0, "M": 1})
    total_count = out["count"].sum()
    out["share_pct"] = out["count"] / total_count * 100 if total_count > 0 else np.nan
    out["note"] = "; ".join(notes)
    out = out.sort_values("sort_order").reset_index(drop=True)
    return _protect(out[_BREAKDOWN_COLS], indicator_id, group_cols=[], extra=["share_pct"])


# =========================================================================================================
# public: length of stay and discharge
# =========================================================================================================
_LOS_COLS = ["period", "episodes", "mean_days", "median_days", "median_lower", "median_upper", "p90_days", "note"]


def los_trend(con, filters: Filters, *, period: str = "month", scope: str = "acute") -> pd.DataFrame:
    """Length of stay of acute admissions (>= 12 h, completed) per period.

    Parameters
    ----------
    scope : {"acute", "avoidable"}
        All acute admissions, or the avoidable ones (Danish list, the selected groups; the LOS histogram
        carries only that list's groups).

    Returns
    -------
    pandas.DataFrame
        ``period`` (Timestamp), ``episodes``, ``mean_days`` (exact, from the LOS sums of
        ``agg_episodes_month``), ``median_days`` with ``median_lower``/``median_upper`` (order statistics)
        and ``p90_days`` (from the cumulative 1-day histogram ``agg_los_hist_month``, interpolated within
        the day; the 60+ bin reads as 60), ``note`` (sex is not applied: the histogram has none),
        ``suppressed``, ``suppression_note`` (all hidden below 5 stays).
    """
    _check_period(period)
    if scope not in ("acute", "avoidable"):
        raise QueryError(f"scope must be 'acute' or 'avoidable', got {scope!r}.")
    cur = store.cursor(con)
    if not _ready(cur, "agg_los_hist_month", "agg_episodes_month"):
        return _empty(_LOS_COLS)
    f = filters if filters.definition == "dk_preventable_65" else replace(filters, definition="dk_preventable_65",
                                                                         diagnosis_groups=())
    by_group = scope == "avoidable"
    hm = _measure("los_median_days", f, by_group=by_group)
    mm = _measure("los_mean_days", f, by_group=by_group)
    bands = _bands(f, 0)
    hist = _sums(cur, hm, f, ["period", "los_day"], period=period, bands=bands)
    hs = _hist_stats(hist, ["period"])
    # the mean over both sexes, like the histogram, so the three statistics describe the same stays
    fm = replace(f, sex="all")
    means = _sums(cur, mm, fm, ["period"], period=period, bands=bands)
    means["mean_days"] = np.where(means["den"] > 0, means["num"] / means["den"], np.nan)
    hs = hs.assign(period=pd.to_datetime(hs["period"]))  # an empty frame has object dtype: align for the merge
    means = means.assign(period=pd.to_datetime(means["period"]))
    out = hs.merge(means[["period", "mean_days"]], on="period", how="left")
    out = out.rename(columns={"median": "median_days", "p90": "p90_days"})
    out["period"] = pd.to_datetime(out["period"])
    notes = _notes(hm, filters)
    if filters.definition != "dk_preventable_65" and scope == "avoidable":
        notes.append("avoidable groups of the Danish list (the LOS histogram has no other lists)")
    out["note"] = "; ".join(notes)
    out = out.sort_values("period").reset_index(drop=True)
    return disclosure.safe_table(out[_LOS_COLS], count_cols=["episodes"],
                                 dependent_cols=["mean_days", "median_days", "median_lower", "median_upper",
                                                 "p90_days"], group_cols=[])


def bed_days_trend(con, filters: Filters, *, period: str = "month") -> pd.DataFrame:
    """Bed-days of acute stays per 1,000 citizens per year, per period.

    Returns
    -------
    pandas.DataFrame
        ``period``, ``bed_days``, ``episodes``, ``person_years``, ``value`` (bed-days per 1,000 per year),
        ``lower``, ``upper`` (Byar/exact on the bed-day count), ``method``, ``note``, ``suppressed``,
        ``suppression_note`` (hidden below 5 stays).
    """
    t = indicator_trend(con, filters, "bed_days_per_1000", period=period)
    t = t.rename(columns={"count": "bed_days", "n": "episodes", "denominator": "person_years"})
    return t[["period", "bed_days", "episodes", "person_years", "value", "lower", "upper", "method", "note",
              "suppressed", "suppression_note"]]


_DEST_COLS = ["period", "destination", "episodes", "share_pct", "note"]


def discharge_destinations(con, filters: Filters, *, period: str = "month", acute_only: bool = True) -> pd.DataFrame:
    """How admissions (>= 12 h) end, per period: counts and shares by discharge destination.

    Returns
    -------
    pandas.DataFrame
        ``period`` (Timestamp), ``destination`` (``home``, ``home_care``, ``acute_bed``, ``nursing_home``,
        ``other_hospital``, ``death``, ``other``; ongoing stays left out), ``episodes``, ``share_pct`` (of
        the period's discharges), ``note``, ``suppressed``, ``suppression_note``. Secondary suppression within each
        period. Sex is not applied (the discharge aggregate has none); age uses the coarse groups.
    """
    _check_period(period)
    cur = store.cursor(con)
    if not _ready(cur, "agg_discharge_month"):
        return _empty(_DEST_COLS)
    m = _Measure("discharge", "is_admission AND discharge_destination IS NOT NULL"
                 + (" AND is_acute" if acute_only else ""), "sum(episodes)", None, "sum(episodes)")
    bands = _bands(filters, 0)
    s = _sums(cur, m, filters, ["period", "discharge_destination"], period=period, bands=bands)
    s = s.rename(columns={"discharge_destination": "destination", "num": "episodes"})
    s["share_pct"] = s["episodes"] / s.groupby("period")["episodes"].transform("sum") * 100
    s["period"] = pd.to_datetime(s["period"])
    s = s.sort_values(["period", "destination"]).reset_index(drop=True)
    s["note"] = "; ".join(_notes(m, filters))
    return disclosure.safe_table(s[_DEST_COLS], count_cols=["episodes"], dependent_cols=["share_pct"],
                                 group_cols=["period"])


_COST_COLS = ["year", "faerdig_days", "stays", "price_dkk_per_day", "price_verified", "cost_dkk", "months", "note"]


def faerdig_cost_by_year(con, filters: Filters) -> pd.DataFrame:
    """Færdigbehandlingsdage (days waiting after ready for discharge) and their cost per calendar year.

    Returns
    -------
    pandas.DataFrame
        ``year`` (int), ``faerdig_days``, ``stays`` (stays with such days), ``price_dkk_per_day`` and
        ``price_verified`` (:func:`reference.faerdigbehandling_prices`), ``cost_dkk`` = days x price,
        ``months`` (selected months of that year), ``note``, ``suppressed``, ``suppression_note``
        (hidden below 5 stays, with secondary suppression over the years). All admissions, by admission
        month; sex is not applied.
    """
    cur = store.cursor(con)
    if not _ready(cur, "agg_discharge_month"):
        return _empty(_COST_COLS)
    m = _measure("faerdig_cost_dkk", filters)
    s = _sums(cur, m, filters, ["year"], bands=_bands(filters, 0))
    s = s.rename(columns={"num": "faerdig_days", "n": "stays"})
    prices = reference.faerdigbehandling_prices().set_index("year")
    s["year"] = s["year"].astype(int)
    s["price_dkk_per_day"] = s["year"].map(prices["price_dkk_per_day"]).astype(float)
    s["price_verified"] = s["year"].map(prices["verified"])
    s["cost_dkk"] = s["faerdig_days"] * s["price_dkk_per_day"]
    first, last = int(filters.start[:4]), int(filters.end[:4])
    s["months"] = s["year"].map(lambda y: (12 if last > y else int(filters.end[5:])) -
                                (0 if first < y else int(filters.start[5:]) - 1))
    s["note"] = "; ".join(_notes(m, filters))
    s = s.sort_values("year").reset_index(drop=True)
    return disclosure.safe_table(s[_COST_COLS], count_cols=["stays"], dependent_cols=["faerdig_days", "cost_dkk"],
                                 group_cols=[])


_CAUSE_COLS = ["group", "label_da", "label_en", "readmissions", "share_pct", "basis", "note"]


def readmission_causes(con, filters: Filters) -> pd.DataFrame:
    """What acute readmissions are for: counts by diagnosis group.

    With the Danish list (``dk_preventable_65``) the aggregates count readmissions by the group of the
    **readmission itself** (``agg_episodes_month.readmissions`` keyed by that stay's ``avoidable_group``;
    the group is only set for citizens 65+, so younger readmissions fall under ``other``). The comparison
    lists' aggregate (``agg_diagnosis_lists_month``) holds readmissions only by the **index** admission's
    group, so for ``oecd_pqi`` / ``acsc_purdy2009`` the rows are readmitted index admissions by the index's
    group (``basis`` says which).

    Returns
    -------
    pandas.DataFrame
        ``group`` (``other`` = in no group of the list), ``label_da``, ``label_en``, ``readmissions``,
        ``share_pct`` (of all readmissions in the selection), ``basis`` ("readmission" or "index"),
        ``note``, ``suppressed``, ``suppression_note`` (secondary suppression over the groups), largest
        first with ``other`` last.
    """
    cur = store.cursor(con)
    if not _ready(cur, "agg_episodes_month", "agg_diagnosis_lists_month"):
        return _empty(_CAUSE_COLS)
    bands = _bands(filters, 0)
    if filters.definition == "dk_preventable_65":
        m = _Measure("episodes", "readmissions > 0", "sum(readmissions)", None, "sum(readmissions)",
                     group_col="avoidable_group")
        s = _sums(cur, m, filters, ["group"], bands=bands)
        basis = "readmission"
    else:
        g = _GROUP_COL[filters.definition]
        m = _Measure("lists", f"{g} IS NOT NULL", "sum(readmitted)", None, "sum(readmitted)", group_col=g)
        s = _sums(cur, m, filters, ["group"], bands=bands)
        total = _sums(cur, _Measure("episodes", "true", "sum(readmitted)", None, "sum(readmitted)"), filters, [],
                      bands=bands)
        other = float(total["num"].iloc[0]) - float(s["num"].sum())
        s = pd.concat([s, pd.DataFrame([{"group": None, "num": max(other, 0.0), "n": max(other, 0.0)}])],
                      ignore_index=True)
        basis = "index"
    s = s.groupby(s["group"].fillna("other"), as_index=False)["num"].sum().rename(columns={"num": "readmissions"})
    lists = reference.code_lists(list_id=filters.definition).drop_duplicates("group").set_index("group")
    s["label_da"] = s["group"].map(lists["label_da"]).fillna("Øvrige")
    s["label_en"] = s["group"].map(lists["label_en"]).fillna("Other")
    total = s["readmissions"].sum()
    s["share_pct"] = s["readmissions"] / total * 100 if total > 0 else np.nan
    s["basis"] = basis
    s["note"] = ""
    s = s.assign(_o=(s["group"] == "other").astype(int)).sort_values(["_o", "readmissions"], ascending=[True, False])
    s = s.drop(columns="_o").reset_index(drop=True)
    return disclosure.safe_table(s[_CAUSE_COLS], count_cols=["readmissions"], dependent_cols=["share_pct"],
                                 group_cols=[])


# =========================================================================================================
# public: municipal acute functions
# =========================================================================================================
_ACUTE_TREND_COLS = ["period", "setting", "stays", "person_years", "value", "lower", "upper", "method", "note"]


def acute_bed_trend(con, filters: Filters, *, period: str = "month") -> pd.DataFrame:
    """Acute-function stays started per 1,000 citizens 65+ per year, by setting and in total.

    Returns
    -------
    pandas.DataFrame
        ``period`` (Timestamp), ``setting`` (``bed``, ``home``, ``all``), ``stays``, ``person_years``
        (65+ population in the selection's age/sex), ``value`` (per 1,000 per year), ``lower``, ``upper``
        (Byar/exact), ``method``, ``note``, ``suppressed``, ``suppression_note`` (secondary suppression
        over the settings of a period). Stays without a recorded age are not counted.
    """
    _check_period(period)
    cur = store.cursor(con)
    if not _ready(cur, "agg_acute_bed_month", "agg_population_year"):
        return _empty(_ACUTE_TREND_COLS)
    ind_id = "acute_bed_stays_per_1000_65"
    r = _compute(cur, ind_id, filters, ["period", "setting"], period=period, standardised=False)
    by_setting, notes = r.frame, r.notes
    total = _compute(cur, ind_id, filters, ["period"], period=period, standardised=False).frame
    if by_setting.empty and total.empty:
        out = _empty(_ACUTE_TREND_COLS)
        return out
    total["setting"] = "all"
    by_setting = by_setting.dropna(subset=["setting"])
    # settings without population rows come from the outer join of the rate: drop them
    out = pd.concat([by_setting, total], ignore_index=True).dropna(subset=["period"])
    out["period"] = pd.to_datetime(out["period"])
    out = out.rename(columns={"count": "stays", "denominator": "person_years"})
    out["note"] = "; ".join(notes)
    out = out.sort_values(["period", "setting"]).reset_index(drop=True)
    return disclosure.safe_table(out[_ACUTE_TREND_COLS], count_cols=["stays"],
                                 dependent_cols=["value", "lower", "upper"], group_cols=["period"],
                                 total_row={"setting": "all"})


def _days_in_period(p: pd.Timestamp, period: str, f: Filters) -> int:
    """Days of the period starting at ``p`` that lie inside the filter's months."""
    end = p + {"month": pd.DateOffset(months=1), "quarter": pd.DateOffset(months=3), "year": pd.DateOffset(years=1)}[period]
    lo = max(p, pd.Timestamp(_month_date(f.start)))
    hi = min(end, pd.Timestamp(_after(f.end)))
    return max((hi - lo).days, 0)


_OCC_COLS = ["period", "occupied_bed_days", "available_bed_days", "beds", "occupancy_pct", "stays", "note"]


def acute_bed_occupancy(con, filters: Filters, *, period: str = "month") -> pd.DataFrame:
    """Occupancy of municipal acute beds: occupied bed-days against capacity x days, per period.

    Returns
    -------
    pandas.DataFrame
        ``period``, ``occupied_bed_days`` (exact overlap of stays with the period), ``available_bed_days``
        (beds of :func:`reference.acute_bed_capacity` for the year x days), ``beds`` (mean beds available in
        the period), ``occupancy_pct``, ``stays`` (stays present), ``note`` (age and sex are not applied:
        the occupancy aggregate has neither), ``suppressed``, ``suppression_note`` (below 5 stays).
    """
    _check_period(period)
    cur = store.cursor(con)
    if not _ready(cur, "agg_acute_bed_occupancy_month"):
        return _empty(_OCC_COLS)
    r = _compute(cur, "acute_bed_occupancy_pct", filters, ["period"], period=period)
    out = r.frame.rename(columns={"count": "occupied_bed_days", "denominator": "available_bed_days", "n": "stays",
                                  "value": "occupancy_pct"})
    out["period"] = pd.to_datetime(out["period"])
    days = pd.Series([_days_in_period(p, period, filters) for p in out["period"]], index=out.index, dtype=float)
    out["beds"] = out["available_bed_days"] / days
    out["period"] = pd.to_datetime(out["period"])
    out["note"] = "; ".join(r.notes)
    out = out.sort_values("period").reset_index(drop=True)
    return disclosure.safe_table(out[_OCC_COLS], count_cols=["stays"],
                                 dependent_cols=["occupied_bed_days", "occupancy_pct"])


def _acute_bed_split(con, filters: Filters, column: str, period: str, cols: list[str]) -> pd.DataFrame:
    _check_period(period)
    cur = store.cursor(con)
    if not _ready(cur, "agg_acute_bed_month"):
        return _empty(cols)
    m = _Measure("acute_bed", "true", "sum(stays)", None, "sum(stays)")
    s = _sums(cur, m, filters, ["period", column], period=period, bands=_bands(filters, 0))
    s[column] = s[column].fillna("ongoing")
    s = s.rename(columns={"num": "stays"})
    tot = s.groupby("period")["stays"].transform("sum")
    p = rates.proportion(s["stays"].to_numpy(), tot.to_numpy(), multiplier=100) if len(s) else None
    s["share_pct"] = p["value"].to_numpy() if p is not None else np.nan
    s["share_lower"] = p["lower"].to_numpy() if p is not None else np.nan
    s["share_upper"] = p["upper"].to_numpy() if p is not None else np.nan
    s["period"] = pd.to_datetime(s["period"])
    s["note"] = "; ".join(_notes(m, filters))
    s = s.sort_values(["period", column]).reset_index(drop=True)
    return disclosure.safe_table(s[cols], count_cols=["stays"], dependent_cols=["share_pct", "share_lower",
                                                                                 "share_upper"],
                                 group_cols=["period"])


def acute_bed_referrals(con, filters: Filters, *, period: str = "month") -> pd.DataFrame:
    """Who refers to the acute function, per period (the GP share is the ``referral_source == 'gp'`` row).

    Returns
    -------
    pandas.DataFrame
        ``period``, ``referral_source`` (``gp``, ``out_of_hours``, ``hospital``, ``home_care``, ``other``),
        ``stays``, ``share_pct`` with Wilson ``share_lower``/``share_upper`` (of the period's stays),
        ``note``, ``suppressed``, ``suppression_note`` (secondary suppression within each period). The
        filter's age group and sex apply to stays with a recorded age and sex.
    """
    return _acute_bed_split(con, filters, "referral_source", period,
                            ["period", "referral_source", "stays", "share_pct", "share_lower", "share_upper", "note"])


def acute_bed_outcomes(con, filters: Filters, *, period: str = "month") -> pd.DataFrame:
    """How acute-function stays end, per period of their start.

    Returns
    -------
    pandas.DataFrame
        ``period``, ``outcome`` (``home``, ``hospital``, ``death``, ``other``, ``ongoing``), ``stays``,
        ``share_pct``, ``share_lower``, ``share_upper`` (Wilson), ``note``, ``suppressed``,
        ``suppression_note``. Hospital admissions within 7 days after a stay:
        ``indicator_trend(con, filters, 'acute_bed_admitted_7d_pct')``.
    """
    return _acute_bed_split(con, filters, "outcome", period,
                            ["period", "outcome", "stays", "share_pct", "share_lower", "share_upper", "note"])


_ADVICE_COLS = ["period", "gp_advice_contacts", "stays", "contacts_per_stay", "in_agreement", "fee_dkk",
                "cost_dkk", "note"]


def acute_bed_gp_advice(con, filters: Filters, *, period: str = "month") -> pd.DataFrame:
    """GP advisory contacts to the acute function per period, with the agreement period marked.

    Returns
    -------
    pandas.DataFrame
        ``period``, ``gp_advice_contacts`` (sum over stays started in the period), ``stays``,
        ``contacts_per_stay``, ``in_agreement`` (the period overlaps the advisory agreement,
        ``constants.AGREEMENT_START``-``AGREEMENT_END``), ``fee_dkk`` (the fee per contact of
        :func:`reference.interventions`, an assumption), ``cost_dkk`` = contacts x fee inside the agreement
        (0 outside), ``note``, ``suppressed``, ``suppression_note`` (below 5 stays
        or 5 contacts). ``attrs`` holds ``agreement_start``, ``agreement_end``, ``budget_dkk``.
    """
    _check_period(period)
    cur = store.cursor(con)
    if not _ready(cur, "agg_acute_bed_month"):
        return _empty(_ADVICE_COLS)
    m = _Measure("acute_bed", "true", "sum(gp_advice_contacts)", "sum(stays)", "sum(stays)")
    s = _sums(cur, m, filters, ["period"], period=period, bands=_bands(filters, 0))
    s = s.rename(columns={"num": "gp_advice_contacts", "den": "stays"}).drop(columns="n")
    s["period"] = pd.to_datetime(s["period"])
    s = s.sort_values("period").reset_index(drop=True)
    s["contacts_per_stay"] = np.where(s["stays"] > 0, s["gp_advice_contacts"] / s["stays"].where(s["stays"] > 0), np.nan)
    iv = reference.interventions().set_index("intervention_id").loc[constants.AGREEMENT_ID]
    start, end = pd.Timestamp(constants.AGREEMENT_START), pd.Timestamp(constants.AGREEMENT_END)
    step = {"month": pd.DateOffset(months=1), "quarter": pd.DateOffset(months=3), "year": pd.DateOffset(years=1)}[period]
    s["in_agreement"] = (s["period"] <= end) & (s["period"] + step > start)
    s["fee_dkk"] = float(iv["fee_per_contact_dkk"])
    s["cost_dkk"] = np.where(s["in_agreement"], s["gp_advice_contacts"] * s["fee_dkk"], 0.0)
    s["note"] = "; ".join(_notes(m, filters))
    out = disclosure.safe_table(s[_ADVICE_COLS], count_cols=["stays", "gp_advice_contacts"],
                                dependent_cols=["contacts_per_stay", "cost_dkk"], group_cols=[])
    out.attrs.update(agreement_start=constants.AGREEMENT_START, agreement_end=constants.AGREEMENT_END,
                     budget_dkk=float(iv["budget_dkk"]))
    return out

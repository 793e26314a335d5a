"""Indicator statistics: crude rates, standardised rates and ratios, proportions, funnel limits.

Every function is pure (numpy/pandas in, DataFrame or :class:`RateResult` out), validates its input
with one :class:`RateInputError` sentence, and writes the confidence-interval method into its output
(``method``: "Byar", "Exact", "Dobson", "Dobson (non-independent events)", "Wilson", ...).

Conventions (Fingertips / PHE indicator methods, see ``DOMAIN.md`` "Standardisation and intervals"):

- counts: Byar's approximation for counts >= 10, the exact Poisson (chi-squared) limits below;
- directly standardised rates: Dobson's method around Byar limits of the total count, and no rate at
  all when the total count is below 10;
- proportions: Wilson's score interval;
- funnel plots: limits at 95 % and 99.8 % around a target, exact Poisson for rates and ratios and
  the inverted Wilson interval for proportions;
- benchmarking: a unit is "lower"/"higher" than the benchmark when its interval excludes it, and the
  indicator's polarity turns that into "better"/"worse".

References
----------
.. [1] Breslow NE, Day NE. Statistical methods in cancer research, volume II: the design and analysis
   of cohort studies. Lyon: IARC; 1987 (Byar's approximation, p. 69).
.. [2] Armitage P, Berry G, Matthews JNS. Statistical methods in medical research. 4th ed. Oxford:
   Blackwell; 2002 (exact Poisson limits via the chi-squared distribution).
.. [3] Dobson AJ, Kuulasmaa K, Eberle E, Scherer J. Confidence intervals for weighted sums of Poisson
   parameters. Stat Med 1991;10:457-62.
.. [4] Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat
   Assoc 1927;22:209-12; Newcombe RG. Two-sided confidence intervals for the single proportion:
   comparison of seven methods. Stat Med 1998;17:857-72.
.. [5] Public Health England. Technical guide: confidence intervals (2018); Technical guide: funnel
   plots (2017); Fingertips public health technical guidance, "Directly standardised rates"
   (including DSRs for non-independent events).
.. [6] Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
   2005;24:1185-202.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special, stats

from analysis.constants import AGE_BANDS, REFERENCE_DIR

__all__ = [
    "RateInputError",
    "RateResult",
    "BenchmarkComparison",
    "TrendResult",
    "MIN_COUNT_FOR_BYAR",
    "MIN_COUNT_FOR_DSR",
    "MIN_POINTS_FOR_TREND",
    "FUNNEL_CONF_LEVELS",
    "ESP2013_WEIGHTS",
    "esp2013_weights",
    "poisson_count_limits",
    "crude_rate",
    "dsr",
    "dsr_table",
    "standardised_ratio",
    "proportion",
    "mean_with_ci",
    "median_with_ci",
    "funnel_limits",
    "funnel_flag",
    "compare_to_benchmark",
    "trend_marker",
]

MIN_COUNT_FOR_BYAR = 10  # PHE: Byar is within 0.2 % of the exact limits from 10 events; exact below
MIN_COUNT_FOR_DSR = 10  # PHE / Morris et al. 2018: a DSR on fewer than 10 events is not published
MIN_POINTS_FOR_TREND = 5  # Fingertips: a recent-trend marker needs at least 5 data points
FUNNEL_CONF_LEVELS = (0.95, 0.998)  # the usual "2 and 3 standard deviation" funnel limits

# European Standard Population 2013 (Eurostat 2013), 19 bands 0-4 ... 85-89, 90+; sums to 100,000.
ESP2013_WEIGHTS: tuple[int, ...] = (
    5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
    7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
)

POLARITIES = ("low_is_good", "high_is_good", "no_judgement")
FUNNEL_STATISTICS = ("proportion", "rate", "ratio")


class RateInputError(ValueError):
    """Input to a statistic that cannot give a meaningful result (one sentence saying what to fix)."""


@dataclass(frozen=True)
class RateResult:
    """One statistic with its confidence interval and the method that produced it.

    Attributes
    ----------
    value, lower, upper : float
        The statistic and its confidence limits, on the output scale (after ``multiplier``);
        NaN when the statistic is not calculated (the reason is in ``note``).
    count : float
        The total observed count the statistic rests on (events, or the observed total of a ratio).
    method : str
        The confidence-interval method, e.g. "Dobson", "Byar", "Exact".
    note : str
        Why a value is missing, or extra context (e.g. the expected count of a ratio).
    conf_level : float
        The confidence level of ``lower``/``upper``.
    """

    value: float
    lower: float
    upper: float
    count: float
    method: str
    note: str = ""
    conf_level: float = 0.95


class BenchmarkComparison(NamedTuple):
    """A unit against a benchmark: ``comparison`` (lower/similar/higher) and ``judgement``."""

    comparison: str
    judgement: str


class TrendResult(NamedTuple):
    """A recent-trend marker: direction, estimated slope, two-sided p-value and the method used."""

    direction: str  # "increasing", "decreasing" or "no_significant_change"
    slope: float  # per time step: relative change (Poisson) or absolute change (linear)
    p_value: float
    n_points: int
    method: str


# --- validation helpers -------------------------------------------------------------------------


def _check_conf_level(conf_level: float) -> float:
    level = float(conf_level)
    if not 0.0 < level < 1.0:
        raise RateInputError(f"conf_level must be a fraction between 0 and 1 (for example 0.95), got {conf_level!r}.")
    return level


def _z(conf_level: float) -> float:
    return float(special.ndtri(1.0 - (1.0 - conf_level) / 2.0))


def _array(values: ArrayLike, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise RateInputError(f"{name} must be numeric, got {values!r}.") from exc
    return arr


def _check_counts(arr: np.ndarray, name: str) -> None:
    if np.any(arr < 0):
        raise RateInputError(f"{name} must not be negative (found {arr[arr < 0].min():g}).")


def _check_positive(arr: np.ndarray, name: str) -> None:
    if np.any(np.isnan(arr)):
        raise RateInputError(f"{name} must not be missing (found NaN).")
    if np.any(arr <= 0):
        raise RateInputError(f"{name} must be greater than 0 (found {arr[arr <= 0].min():g}).")


def _same_length(**arrays: np.ndarray) -> None:
    sizes = {name: a.shape for name, a in arrays.items() if a.ndim > 0}
    if len(set(sizes.values())) > 1:
        detail = ", ".join(f"{name} {shape[0] if len(shape) == 1 else shape}" for name, shape in sizes.items())
        raise RateInputError(f"Inputs must have the same length, got {detail}.")


def _index_of(*values: ArrayLike) -> pd.Index | None:
    for v in values:
        if isinstance(v, (pd.Series, pd.Index)):
            return v.index if isinstance(v, pd.Series) else None
    return None


# --- counts ----------------------------------------------------------------------------------------


def _exact_limits(count: np.ndarray, conf_level: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1.0 - conf_level
    with np.errstate(invalid="ignore"):
        lower = np.where(count > 0, stats.chi2.ppf(alpha / 2, 2 * np.maximum(count, 1e-300)) / 2, 0.0)
        upper = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return np.where(np.isnan(count), np.nan, lower), upper


def _byar_limits(count: np.ndarray, conf_level: float) -> tuple[np.ndarray, np.ndarray]:
    z = _z(conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        safe = np.where(count > 0, count, np.nan)
        lower = safe * (1 - 1 / (9 * safe) - z / (3 * np.sqrt(safe))) ** 3
        upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * np.sqrt(count + 1))) ** 3
    return lower, upper


def poisson_count_limits(count: ArrayLike, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Confidence limits for observed Poisson counts: Byar for counts >= 10, exact below.

    Parameters
    ----------
    count : array_like
        Observed numbers of events (>= 0; need not be whole numbers for Byar's formula).
    conf_level : float, default 0.95
        Two-sided confidence level, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        Columns ``count``, ``lower``, ``upper``, ``method`` ("Byar" or "Exact").

    Notes
    -----
    Byar: :math:`O_L = O(1 - 1/(9O) - z/(3\\sqrt{O}))^3`,
    :math:`O_U = (O+1)(1 - 1/(9(O+1)) + z/(3\\sqrt{O+1}))^3`.
    Exact: :math:`O_L = \\chi^2_{\\alpha/2}(2O)/2`, :math:`O_U = \\chi^2_{1-\\alpha/2}(2O+2)/2`.

    References
    ----------
    .. [1] Breslow NE, Day NE. Statistical methods in cancer research, vol. II. IARC; 1987.
    .. [2] Armitage P, Berry G. Statistical methods in medical research. 4th ed. 2002.
    .. [3] Public Health England. Technical guide: confidence intervals. 2018.
    """
    level = _check_conf_level(conf_level)
    obs = np.atleast_1d(_array(count, "count"))
    _check_counts(obs, "count")
    lower, upper, method = _count_limits(obs, level)
    return pd.DataFrame({"count": obs, "lower": lower, "upper": upper, "method": method},
                        index=_index_of(count))


def _count_limits(obs: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    byar_lo, byar_hi = _byar_limits(obs, level)
    exact_lo, exact_hi = _exact_limits(obs, level)
    use_byar = obs >= MIN_COUNT_FOR_BYAR
    lower = np.where(use_byar, byar_lo, exact_lo)
    upper = np.where(use_byar, byar_hi, exact_hi)
    method = np.where(np.isnan(obs), "not calculated (missing count)", np.where(use_byar, "Byar", "Exact"))
    return lower, upper, method.astype(object)


def crude_rate(
    count: ArrayLike,
    population: ArrayLike,
    *,
    multiplier: float = 1000,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Crude rates per ``multiplier`` population with Byar (count >= 10) or exact Poisson limits.

    Parameters
    ----------
    count : array_like
        Observed events per unit (>= 0). A missing count (NaN) gives a missing rate.
    population : array_like
        Population (or person-years) at risk per unit, > 0; a scalar is used for every count.
    multiplier : float, default 1000
        Rates are expressed per this many of the population (1000 = per 1,000 citizens).
    conf_level : float, default 0.95
        Two-sided confidence level, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``count``, ``population``, ``value``, ``lower``, ``upper``,
        ``conf_level``, ``method`` ("Byar" when count >= 10, "Exact" below). The index of a
        ``pandas.Series`` input is kept.

    Raises
    ------
    RateInputError
        Negative counts, population <= 0, different lengths, or conf_level outside (0, 1).

    References
    ----------
    .. [1] Breslow NE, Day NE. Statistical methods in cancer research, vol. II. IARC; 1987.
    .. [2] Public Health England. Fingertips technical guidance: "Rates" (crude rates and their
       confidence intervals).

    Examples
    --------
    >>> crude_rate([65, 4], [1300, 1300])[["value", "method"]].round(2)
       value method
    0  50.00   Byar
    1   3.08  Exact
    """
    level = _check_conf_level(conf_level)
    obs = _array(count, "count")
    pop = _array(population, "population")
    _same_length(count=obs, population=pop)
    obs, pop = np.broadcast_arrays(np.atleast_1d(obs), np.atleast_1d(pop))
    _check_counts(obs, "count")
    _check_positive(pop, "population")
    lower, upper, method = _count_limits(obs, level)
    return pd.DataFrame(
        {
            "count": obs,
            "population": pop,
            "value": obs / pop * multiplier,
            "lower": lower / pop * multiplier,
            "upper": upper / pop * multiplier,
            "conf_level": level,
            "method": method,
        },
        index=_index_of(count, population),
    )


# --- standard populations ---------------------------------------------------------------------


def esp2013_weights(min_age: int = 0) -> pd.Series:
    """European Standard Population 2013 weights from ``min_age`` up, indexed by age band.

    Reads ``data/reference/esp2013.csv`` (columns ``age_band, age_from, age_to, weight``) when it is
    present and complete, otherwise uses the published constants in :data:`ESP2013_WEIGHTS`.

    Parameters
    ----------
    min_age : int, default 0
        First age of the indicator's population; must start a 5-year band (0, 5, ..., 90).
        ``min_age=65`` gives the six bands 65-69 ... 90+ used for 65+ indicators.

    Returns
    -------
    pandas.Series
        Weights (name ``weight``) indexed by band label ("0-4", ..., "90+").

    References
    ----------
    .. [1] Eurostat. Revision of the European Standard Population: report of Eurostat's task force.
       Luxembourg: Publications Office of the European Union; 2013.
    """
    starts = [b[1] for b in AGE_BANDS]
    if min_age not in starts:
        raise RateInputError(f"min_age must be the start of a 5-year band (0, 5, ..., 90), got {min_age!r}.")
    labels = [b[0] for b in AGE_BANDS]
    weights = pd.Series(ESP2013_WEIGHTS, index=pd.Index(labels, name="age_band"), name="weight", dtype=float)
    path = REFERENCE_DIR / "esp2013.csv"
    if path.exists():
        try:
            table = pd.read_csv(path, dtype={"age_band": str})
            from_file = table.set_index("age_band")["weight"].astype(float).reindex(labels)
            if from_file.notna().all() and from_file.sum() > 0:
                weights = from_file.rename("weight")
                weights.index.name = "age_band"
        except (KeyError, ValueError, OSError, pd.errors.ParserError):
            pass  # a damaged reference file falls back to the published constants above
    return weights[[label for label, start in zip(labels, starts) if start >= min_age]]


# --- directly standardised rates ------------------------------------------------------------------


def dsr(
    count: ArrayLike,
    population: ArrayLike,
    standard: ArrayLike | None = None,
    *,
    multiplier: float = 100_000,
    conf_level: float = 0.95,
    events_per_person: Mapping[int, ArrayLike] | None = None,
    variance_factor: ArrayLike | None = None,
) -> RateResult:
    """One directly standardised rate with Dobson confidence limits.

    Parameters
    ----------
    count : array_like
        Observed events per stratum (one entry per age band, or age band x sex), >= 0.
    population : array_like
        Population per stratum, > 0, in the same order.
    standard : array_like, optional
        Standard population per stratum, in the same order: ESP 2013 weights
        (:func:`esp2013_weights`) or a chosen population's own counts (e.g. the region's population
        of one year). When omitted, the ESP 2013 weights of the *last* ``len(count)`` age bands are
        used (19 strata = all ages, 6 strata = 65+); pass weights explicitly for age x sex strata.
    multiplier : float, default 100000
        The rate is expressed per this many of the standard population.
    conf_level : float, default 0.95
        Two-sided confidence level, strictly between 0 and 1.
    events_per_person : mapping of int to array_like, optional
        For events that are not independent (people admitted more than once): for each number of
        events ``k`` a person had, the number of people per stratum with exactly ``k`` events.
        ``sum(k * people_k)`` must equal ``count`` in every stratum. The variance then comes from
        this distribution, which widens the interval; ``method`` says
        "Dobson (non-independent events)".
    variance_factor : array_like, optional
        The same adjustment when the distribution of events per person is known from another period
        than the counts (e.g. from calendar years while the rate covers a month): per stratum, the ratio
        :math:`\\sum_k k^2 P_k / \\sum_k k P_k` (>= 1; 1 means nobody had more than one event). The
        stratum's Poisson variance is multiplied by it. Not together with ``events_per_person``.

    Returns
    -------
    RateResult
        ``value``, ``lower``, ``upper`` per ``multiplier``; all NaN with a ``note`` when the total
        count is below 10.

    Notes
    -----
    With weights :math:`w_i = s_i / \\sum s`, rate :math:`DSR = \\sum w_i O_i / n_i` and
    :math:`Var = \\sum w_i^2 O_i / n_i^2` (independent events) or
    :math:`Var = \\sum_i (w_i / n_i)^2 \\sum_k k^2 P_{ik}` (non-independent events, :math:`P_{ik}`
    people with :math:`k` events). With :math:`O = \\sum O_i` and Byar limits :math:`O_L, O_U`:
    :math:`DSR_{L,U} = DSR + \\sqrt{Var / O}\\,(O_{L,U} - O)`.

    References
    ----------
    .. [1] Dobson AJ, Kuulasmaa K, Eberle E, Scherer J. Confidence intervals for weighted sums of
       Poisson parameters. Stat Med 1991;10:457-62.
    .. [2] Breslow NE, Day NE. Statistical methods in cancer research, vol. II. IARC; 1987.
    .. [3] Public Health England. Fingertips technical guidance, "Directly standardised rates"
       (DSRs for non-independent events); PHEindicatormethods ``calculate_dsr(independent_events
       = FALSE)``.
    .. [4] Morris JK, Tan J, Fryers P, Bestwick J. Evaluation of stability of directly standardized
       rates for sparse data using simulation methods. Popul Health Metr 2018;16:19.
    """
    level = _check_conf_level(conf_level)
    obs = np.atleast_1d(_array(count, "count"))
    pop = np.atleast_1d(_array(population, "population"))
    if standard is None:
        if len(obs) > len(ESP2013_WEIGHTS):
            raise RateInputError(
                f"Give standard weights explicitly for {len(obs)} strata (ESP 2013 has 19 age bands)."
            )
        std = np.asarray(ESP2013_WEIGHTS[len(ESP2013_WEIGHTS) - len(obs):], dtype=float)
    else:
        std = np.atleast_1d(_array(standard, "standard"))
    _same_length(count=obs, population=pop, standard=std)
    if obs.ndim != 1:
        raise RateInputError("count, population and standard must be one-dimensional, one entry per stratum.")
    if np.any(np.isnan(obs)):
        raise RateInputError("count must not be missing in any stratum (use 0 for no events).")
    _check_counts(obs, "count")
    _check_positive(pop, "population")
    if np.any(np.isnan(std)) or np.any(std < 0) or std.sum() <= 0:
        raise RateInputError("standard must be non-negative weights with a positive total.")

    if events_per_person is not None and variance_factor is not None:
        raise RateInputError("Give events_per_person or variance_factor, not both.")
    weights = std / std.sum()
    total = float(obs.sum())
    value = float(np.sum(weights * obs / pop))
    method = "Dobson"
    if variance_factor is not None:
        factor = np.atleast_1d(_array(variance_factor, "variance_factor"))
        _same_length(count=obs, variance_factor=factor)
        if np.any(np.isnan(factor)) or np.any(factor < 1 - 1e-12):
            raise RateInputError("variance_factor must be at least 1 in every stratum (sum k^2 P / sum k P).")
        method = "Dobson (non-independent events)"
        variance = float(np.sum(weights**2 * obs * factor / pop**2))
    elif events_per_person is None:
        variance = float(np.sum(weights**2 * obs / pop**2))
    else:
        method = "Dobson (non-independent events)"
        second_moment = _events_second_moment(events_per_person, obs)
        variance = float(np.sum((weights / pop) ** 2 * second_moment))

    if total < MIN_COUNT_FOR_DSR:
        return RateResult(np.nan, np.nan, np.nan, total, method,
                          f"Not calculated: total count {total:g} is below {MIN_COUNT_FOR_DSR}.", level)
    (lo,), (hi,) = _byar_limits(np.array([total]), level)
    scale = np.sqrt(variance / total)
    lower = float(value + scale * (lo - total))
    upper = float(value + scale * (hi - total))
    return RateResult(value * multiplier, lower * multiplier, upper * multiplier, total, method, "", level)


def _events_second_moment(events_per_person: Mapping[int, ArrayLike], obs: np.ndarray) -> np.ndarray:
    """Per stratum: sum over k of k^2 x (people with k events); checks sum k x people == count."""
    if not events_per_person:
        raise RateInputError("events_per_person must map each number of events (1, 2, ...) to people per stratum.")
    events = np.zeros_like(obs)
    second = np.zeros_like(obs)
    for k, people in events_per_person.items():
        if not float(k) > 0:
            raise RateInputError(f"events_per_person keys must be numbers of events >= 1, got {k!r}.")
        arr = np.atleast_1d(_array(people, f"events_per_person[{k}]"))
        _same_length(count=obs, **{f"events_per_person[{k}]": arr})
        _check_counts(arr, f"events_per_person[{k}]")
        events = events + k * arr
        second = second + k**2 * arr
    if not np.allclose(events, obs):
        raise RateInputError("events_per_person must add up to count in every stratum (sum of k x people = events).")
    return second


def dsr_table(
    df: pd.DataFrame,
    *,
    by: str | Sequence[str],
    count: str = "count",
    population: str = "population",
    standard: str = "standard",
    multiplier: float = 100_000,
    conf_level: float = 0.95,
    event_frequency: str | None = None,
    stratum: str | None = None,
) -> pd.DataFrame:
    """Directly standardised rates (Dobson) for every group of a long table.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per group x stratum (e.g. municipality x year x age band), with count, population
        and standard columns. Attach ESP 2013 weights with ``df["age_band"].map(esp2013_weights())``.
    by : str or sequence of str
        Columns identifying one rate (e.g. ``["municipality_code", "year"]``).
    count, population, standard : str
        Column names.
    multiplier : float, default 100000
        Rates per this many of the standard population.
    conf_level : float, default 0.95
        Two-sided confidence level.
    event_frequency : str, optional
        For non-independent events: a column with the number of events per person (1, 2, ...); the
        ``count`` column then holds the number of *people* with that many events, and ``stratum``
        names the age-band column. Population and standard must be the same on every row of a stratum.
    stratum : str, optional
        The stratum column; required with ``event_frequency``.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``count`` (events), ``population``, ``value``,
        ``lower``, ``upper``, ``conf_level``, ``method``, ``note``.

    References
    ----------
    .. [1] Dobson AJ et al. Stat Med 1991;10:457-62.
    .. [2] Public Health England. PHEindicatormethods ``calculate_dsr``.
    """
    by_cols = [by] if isinstance(by, str) else list(by)
    needed = [*by_cols, count, population, standard]
    if event_frequency is not None:
        if stratum is None:
            raise RateInputError("Give stratum (the age-band column) together with event_frequency.")
        needed += [event_frequency, stratum]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise RateInputError(f"df is missing the column(s) {', '.join(missing)}.")
    rows = []
    for key, group in df.groupby(by_cols, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        if event_frequency is None:
            result = dsr(group[count].to_numpy(), group[population].to_numpy(), group[standard].to_numpy(),
                         multiplier=multiplier, conf_level=conf_level)
            pop_total = float(group[population].sum())
        else:
            strata = group.groupby(stratum, sort=True)
            per_stratum = strata[[population, standard]].nunique()
            if (per_stratum > 1).any(axis=None):
                raise RateInputError("population and standard must be the same on every row of a stratum.")
            pops = strata[population].first()
            stds = strata[standard].first()
            people = group.pivot_table(index=stratum, columns=event_frequency, values=count,
                                       aggfunc="sum", fill_value=0).reindex(pops.index, fill_value=0)
            by_k = {k: people[k].to_numpy(dtype=float) for k in people.columns}
            events = sum(k * v for k, v in by_k.items())
            result = dsr(events, pops.to_numpy(), stds.to_numpy(), multiplier=multiplier,
                         conf_level=conf_level, events_per_person=by_k)
            pop_total = float(pops.sum())
        rows.append({**dict(zip(by_cols, key)), "count": result.count, "population": pop_total,
                     "value": result.value, "lower": result.lower, "upper": result.upper,
                     "conf_level": result.conf_level, "method": result.method, "note": result.note})
    columns = [*by_cols, "count", "population", "value", "lower", "upper", "conf_level", "method", "note"]
    return pd.DataFrame(rows, columns=columns)


# --- indirect standardisation -----------------------------------------------------------------------


def standardised_ratio(
    observed: ArrayLike,
    population: ArrayLike,
    reference_count: ArrayLike,
    reference_population: ArrayLike,
    *,
    multiplier: float = 1,
    conf_level: float = 0.95,
) -> RateResult:
    """Indirectly standardised ratio (observed / expected, e.g. an SMR) with Byar or exact limits.

    Parameters
    ----------
    observed : float or array_like
        The unit's observed total, or its observed count per stratum (summed).
    population : array_like
        The unit's population per stratum (>= 0; an empty stratum simply expects nothing).
    reference_count, reference_population : array_like
        Events and population per stratum in the reference (e.g. the region or the country);
        reference populations must be > 0.
    multiplier : float, default 1
        1 gives a ratio (1 = as expected), 100 the conventional SMR scale.
    conf_level : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    RateResult
        ``value = O / E * multiplier``; limits are the Poisson limits of ``O`` divided by ``E``:
        method "Byar" when O >= 10, "Exact" below. ``note`` gives the expected count.

    References
    ----------
    .. [1] Breslow NE, Day NE. Statistical methods in cancer research, vol. II. IARC; 1987.
    .. [2] Public Health England. Fingertips technical guidance, "Indirectly standardised ratios";
       PHEindicatormethods ``calculate_ISRatio``.
    """
    level = _check_conf_level(conf_level)
    obs = np.atleast_1d(_array(observed, "observed"))
    pop = np.atleast_1d(_array(population, "population"))
    ref_x = np.atleast_1d(_array(reference_count, "reference_count"))
    ref_n = np.atleast_1d(_array(reference_population, "reference_population"))
    _same_length(population=pop, reference_count=ref_x, reference_population=ref_n)
    if obs.size > 1:
        _same_length(observed=obs, population=pop)
    for arr, name in ((obs, "observed"), (pop, "population"), (ref_x, "reference_count")):
        if np.any(np.isnan(arr)):
            raise RateInputError(f"{name} must not be missing (found NaN).")
        _check_counts(arr, name)
    _check_positive(ref_n, "reference_population")
    expected = float(np.sum(pop * ref_x / ref_n))
    if expected <= 0:
        raise RateInputError("The expected count is 0, so no ratio can be formed (check the reference rates).")
    total = float(obs.sum())
    lower, upper, method = _count_limits(np.array([total]), level)
    return RateResult(total / expected * multiplier, float(lower[0]) / expected * multiplier,
                      float(upper[0]) / expected * multiplier, total, str(method[0]),
                      f"expected {expected:.4g}", level)


# --- proportions -----------------------------------------------------------------------------------


def proportion(
    numerator: ArrayLike,
    denominator: ArrayLike,
    *,
    multiplier: float = 1,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Proportions with Wilson score confidence limits.

    Parameters
    ----------
    numerator : array_like
        Cases with the characteristic (0 <= numerator <= denominator).
    denominator : array_like
        Units in each group (> 0); a scalar is used for every numerator.
    multiplier : float, default 1
        1 gives a fraction, 100 a percentage.
    conf_level : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        ``numerator``, ``denominator``, ``value``, ``lower``, ``upper``, ``conf_level``,
        ``method`` ("Wilson").

    Notes
    -----
    :math:`(2O + z^2 \\pm z\\sqrt{z^2 + 4O(1 - O/n)}) / (2(n + z^2))`.

    References
    ----------
    .. [1] Wilson EB. J Am Stat Assoc 1927;22:209-12.
    .. [2] Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of
       seven methods. Stat Med 1998;17:857-72 (method 3).
    """
    level = _check_conf_level(conf_level)
    num = _array(numerator, "numerator")
    den = _array(denominator, "denominator")
    _same_length(numerator=num, denominator=den)
    num, den = np.broadcast_arrays(np.atleast_1d(num), np.atleast_1d(den))
    _check_counts(num, "numerator")
    _check_positive(den, "denominator")
    if np.any(num > den):
        raise RateInputError("numerator must not be greater than denominator for a proportion.")
    z = _z(level)
    root = z * np.sqrt(z**2 + 4 * num * (1 - num / den))
    lower = np.clip((2 * num + z**2 - root) / (2 * (den + z**2)), 0.0, 1.0)
    upper = np.clip((2 * num + z**2 + root) / (2 * (den + z**2)), 0.0, 1.0)
    value = num / den
    method = np.where(np.isnan(num), "not calculated (missing numerator)", "Wilson").astype(object)
    return pd.DataFrame(
        {"numerator": num, "denominator": den, "value": value * multiplier, "lower": lower * multiplier,
         "upper": upper * multiplier, "conf_level": level, "method": method},
        index=_index_of(numerator, denominator),
    )


# --- means and medians (length of stay) -------------------------------------------------------------


def _finite_values(values: ArrayLike) -> np.ndarray:
    arr = np.atleast_1d(_array(values, "values")).ravel()
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        raise RateInputError("values must contain at least one non-missing number.")
    return arr


def mean_with_ci(values: ArrayLike, *, conf_level: float = 0.95) -> RateResult:
    """Mean with a t-distribution confidence interval (e.g. mean length of stay).

    Parameters
    ----------
    values : array_like
        One value per unit (e.g. length of stay in days per admission); NaN is ignored.
    conf_level : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    RateResult
        ``value`` the mean, limits :math:`\\bar x \\pm t_{n-1} s / \\sqrt n` (NaN for one value),
        ``count`` the number of values, method "Student t".

    References
    ----------
    .. [1] Altman DG, Machin D, Bryant TN, Gardner MJ. Statistics with confidence. 2nd ed. BMJ
       Books; 2000, ch. 4.
    """
    level = _check_conf_level(conf_level)
    arr = _finite_values(values)
    n = arr.size
    centre = float(arr.mean())
    if n < 2:
        return RateResult(centre, np.nan, np.nan, float(n), "Student t", "No interval from a single value.", level)
    half = float(stats.t.ppf(1 - (1 - level) / 2, n - 1) * arr.std(ddof=1) / np.sqrt(n))
    return RateResult(centre, centre - half, centre + half, float(n), "Student t", "", level)


def median_with_ci(values: ArrayLike, *, conf_level: float = 0.95) -> RateResult:
    """Median with a distribution-free confidence interval from order statistics.

    Parameters
    ----------
    values : array_like
        One value per unit (e.g. length of stay in days); NaN is ignored.
    conf_level : float, default 0.95
        Two-sided (at least) confidence level.

    Returns
    -------
    RateResult
        ``value`` the median; limits the ``j``-th and ``(n - j + 1)``-th smallest values, with
        ``j`` the largest rank such that :math:`P(B \\le j - 1) \\le \\alpha/2` for
        :math:`B \\sim Bin(n, 1/2)` (NaN when ``n`` is too small for the level); method
        "Order statistics (binomial)".

    References
    ----------
    .. [1] Conover WJ. Practical nonparametric statistics. 3rd ed. Wiley; 1999, section 3.2.
    .. [2] Altman DG et al. Statistics with confidence. 2nd ed. BMJ Books; 2000, ch. 5.
    """
    level = _check_conf_level(conf_level)
    arr = np.sort(_finite_values(values))
    n = arr.size
    method = "Order statistics (binomial)"
    j = int(stats.binom.ppf((1 - level) / 2, n, 0.5))  # P(B <= j) >= alpha/2 -> rank j is the last safe one
    if stats.binom.cdf(j, n, 0.5) > (1 - level) / 2:
        j -= 1
    if j < 0:
        return RateResult(float(np.median(arr)), np.nan, np.nan, float(n), method,
                          f"Too few values ({n}) for a {level:.0%} interval.", level)
    return RateResult(float(np.median(arr)), float(arr[j]), float(arr[n - j - 1]), float(n), method, "", level)


# --- funnel plots ------------------------------------------------------------------------------------


def _level_label(level: float) -> str:
    return f"{level * 100:g}".replace(".", "_")


def funnel_limits(
    denominators: ArrayLike,
    *,
    statistic: str,
    target: float,
    conf_levels: Sequence[float] = FUNNEL_CONF_LEVELS,
    multiplier: float = 1,
) -> pd.DataFrame:
    """Funnel-plot control limits around a target for a range of denominators.

    Parameters
    ----------
    denominators : array_like
        x-axis values, > 0: the denominator of a proportion, the population of a rate, or the
        expected count of a ratio (O/E).
    statistic : {"proportion", "rate", "ratio"}
        What the y-axis shows.
    target : float
        The benchmark on the output scale (e.g. the regional value: 0.15 or 15 with
        ``multiplier=100``; a rate per ``multiplier``; a ratio of 1).
    conf_levels : sequence of float, default (0.95, 0.998)
        The limits to draw; each gives ``lower_<level>`` and ``upper_<level>`` columns, e.g.
        ``lower_95``, ``upper_99_8``.
    multiplier : float, default 1
        Scale of ``target`` and of the limits (100 for percentages, 1000 for rates per 1,000).

    Returns
    -------
    pandas.DataFrame
        ``denominator``, ``target``, the limit columns and ``method``.

    Notes
    -----
    Proportions (PHE): the limits are the proportions whose Wilson interval at this denominator
    just reaches the target (the Wilson interval inverted), clipped to [0, 1].
    Rates and ratios: with expected count :math:`\\lambda` (target x denominator), the limits are
    the (continuous) counts whose exact Poisson interval just reaches :math:`\\lambda`: the upper
    limit :math:`O` solves :math:`P(\\Gamma(O) \\le \\lambda) = \\alpha/2`, the lower solves
    :math:`P(\\Gamma(O+1) \\le \\lambda) = 1-\\alpha/2`, divided by the denominator.

    References
    ----------
    .. [1] Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
       2005;24:1185-202.
    .. [2] Public Health England. Technical guide: funnel plots (2017); PHEindicatormethods
       ``phe_funnels`` / ``calculate_funnel_limits``.
    """
    if statistic not in FUNNEL_STATISTICS:
        raise RateInputError(f"statistic must be one of {', '.join(FUNNEL_STATISTICS)}, got {statistic!r}.")
    levels = [_check_conf_level(c) for c in conf_levels]
    den = np.atleast_1d(_array(denominators, "denominators"))
    _check_positive(den, "denominators")
    theta = float(target) / multiplier
    if np.isnan(theta) or theta < 0 or (statistic == "proportion" and theta > 1):
        raise RateInputError(f"target must be a valid {statistic} on the multiplier's scale, got {target!r}.")
    out = pd.DataFrame({"denominator": den, "target": float(target)})
    for level in levels:
        alpha = 1 - level
        if statistic == "proportion":
            lower, upper = _wilson_funnel(den, theta, _z(level))
            method = "Wilson (inverted)"
        else:
            lam = theta * den
            with np.errstate(invalid="ignore"):
                upper_count = np.where(lam > 0, special.gdtrib(1.0, alpha / 2, np.maximum(lam, 1e-300)), 0.0)
                lower_count = np.where(lam > 0, special.gdtrib(1.0, 1 - alpha / 2, np.maximum(lam, 1e-300)) - 1, 0.0)
            lower = np.maximum(lower_count, 0.0) / den
            upper = upper_count / den
            method = "Exact Poisson"
        label = _level_label(level)
        out[f"lower_{label}"] = lower * multiplier
        out[f"upper_{label}"] = upper * multiplier
    out["method"] = method
    return out


def _wilson_funnel(n: np.ndarray, target: float, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Proportions r whose Wilson limit at n equals the target: a quadratic in r."""
    z2 = z**2
    a_coef = 1 + z2 / n
    shift = target * (1 + z2 / n) - z2 / (2 * n)
    # (shift - r)^2 = z^2 r (1 - r) / n + z^4 / (4 n^2)
    quad_a = a_coef
    quad_b = -(2 * shift + z2 / n)
    quad_c = shift**2 - z2**2 / (4 * n**2)
    disc = np.sqrt(np.maximum(quad_b**2 - 4 * quad_a * quad_c, 0.0))
    lower = (-quad_b - disc) / (2 * quad_a)
    upper = (-quad_b + disc) / (2 * quad_a)
    return np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)


def funnel_flag(
    values: ArrayLike,
    denominators: ArrayLike,
    *,
    statistic: str,
    target: float,
    multiplier: float = 1,
    conf_levels: Sequence[float] = FUNNEL_CONF_LEVELS,
) -> pd.Series:
    """Where each unit lies on the funnel plot: inside, or outside the 95 % / 99.8 % limits.

    Parameters
    ----------
    values : array_like
        Each unit's statistic on the output scale (same scale as ``target``).
    denominators : array_like
        Each unit's denominator, population or expected count (see :func:`funnel_limits`).
    statistic, target, multiplier, conf_levels
        As for :func:`funnel_limits`; the flag uses the narrowest and widest level.

    Returns
    -------
    pandas.Series
        One of "above_99_8", "above_95", "within", "below_95", "below_99_8" (labels follow
        ``conf_levels``), or "not_assessed" where the value is missing.

    References
    ----------
    .. [1] Spiegelhalter DJ. Stat Med 2005;24:1185-202.
    .. [2] Public Health England. PHEindicatormethods ``phe_funnel_significance``.
    """
    vals = np.atleast_1d(_array(values, "values"))
    den = np.atleast_1d(_array(denominators, "denominators"))
    _same_length(values=vals, denominators=den)
    levels = sorted(_check_conf_level(c) for c in conf_levels)
    limits = funnel_limits(den, statistic=statistic, target=target, conf_levels=levels, multiplier=multiplier)
    flags = np.full(vals.shape, "within", dtype=object)
    for level in levels:  # widest level last, so it overrides the narrower one
        label = _level_label(level)
        flags = np.where(vals < limits[f"lower_{label}"].to_numpy(), f"below_{label}", flags)
        flags = np.where(vals > limits[f"upper_{label}"].to_numpy(), f"above_{label}", flags)
    flags = np.where(np.isnan(vals), "not_assessed", flags)
    return pd.Series(flags, index=_index_of(values, denominators), name="funnel_flag", dtype=object)


# --- benchmarking and trends -----------------------------------------------------------------------


def _judge(comparison: str, polarity: str) -> str:
    if comparison == "not_compared" or polarity == "no_judgement":
        return "not applicable"
    if comparison == "similar":
        return "similar"
    good = "lower" if polarity == "low_is_good" else "higher"
    return "better" if comparison == good else "worse"


def compare_to_benchmark(
    value: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    benchmark: ArrayLike,
    *,
    polarity: str,
) -> BenchmarkComparison | pd.DataFrame:
    """Compare a unit's interval with a benchmark (e.g. the region or the country).

    A unit is "lower" when its whole interval lies below the benchmark, "higher" when it lies
    above, otherwise "similar" (the Fingertips rule for comparing with a benchmark value). The
    indicator's polarity turns that into "better", "worse" or "similar"; with
    ``polarity="no_judgement"`` (or a missing value) the judgement is "not applicable".

    Parameters
    ----------
    value, lower, upper : float or array_like
        The unit's statistic and confidence limits (NaN when suppressed or not calculated:
        comparison "not_compared").
    benchmark : float or array_like
        The benchmark value on the same scale.
    polarity : {"low_is_good", "high_is_good", "no_judgement"}
        Which direction is desirable for the indicator.

    Returns
    -------
    BenchmarkComparison or pandas.DataFrame
        For scalar input a ``BenchmarkComparison(comparison, judgement)``; for arrays a DataFrame
        with columns ``comparison`` and ``judgement``.

    References
    ----------
    .. [1] Public Health England. Technical guide: RAG rating indicator values (2017);
       Comparators briefing (Fingertips).
    """
    if polarity not in POLARITIES:
        raise RateInputError(f"polarity must be one of {', '.join(POLARITIES)}, got {polarity!r}.")
    scalar = all(np.ndim(x) == 0 for x in (value, lower, upper, benchmark))
    raw = [_array(x, name) for x, name in
           ((value, "value"), (lower, "lower"), (upper, "upper"), (benchmark, "benchmark"))]
    _same_length(value=raw[0], lower=raw[1], upper=raw[2], benchmark=raw[3])
    val, lo, hi, bench = np.broadcast_arrays(*(np.atleast_1d(a) for a in raw))
    missing = np.isnan(val) | np.isnan(lo) | np.isnan(hi) | np.isnan(bench)
    comparison = np.where(missing, "not_compared",
                          np.where(hi < bench, "lower", np.where(lo > bench, "higher", "similar")))
    judgement = [_judge(c, polarity) for c in comparison]
    if scalar:
        return BenchmarkComparison(str(comparison[0]), judgement[0])
    return pd.DataFrame({"comparison": comparison.astype(object), "judgement": judgement},
                        index=_index_of(value, lower, upper))


def trend_marker(
    values: ArrayLike,
    *,
    counts: ArrayLike | None = None,
    populations: ArrayLike | None = None,
    conf_level: float = 0.95,
) -> TrendResult | None:
    """A recent-trend marker for an equally spaced series, or None with fewer than 5 points.

    Parameters
    ----------
    values : array_like
        The statistic per period, oldest first (missing periods as NaN are dropped).
    counts, populations : array_like, optional
        When both are given (a rate), the trend is tested with a Poisson log-linear regression of
        counts on time with log(population) as offset (slope = relative change per period, Wald
        test). Otherwise an ordinary least-squares line through ``values`` is tested (t test of
        the slope).
    conf_level : float, default 0.95
        The trend is called "increasing"/"decreasing" when the two-sided p-value is below
        ``1 - conf_level``, otherwise "no_significant_change".

    Returns
    -------
    TrendResult or None
        None when fewer than 5 non-missing points exist (Fingertips shows no trend then).

    Notes
    -----
    The Poisson choice follows the Fingertips "recent trend" method for counts and rates (a
    chi-squared test for trend); it assumes independent Poisson counts, so clustered events
    (repeat admissions) make it somewhat too eager — treat the marker as a flag, not a test result.

    References
    ----------
    .. [1] Public Health England. Fingertips technical guidance: "Recent trends" (2018).
    .. [2] McCullagh P, Nelder JA. Generalized linear models. 2nd ed. Chapman & Hall; 1989.
    """
    level = _check_conf_level(conf_level)
    vals = np.atleast_1d(_array(values, "values"))
    keep = ~np.isnan(vals)
    if counts is not None and populations is not None:
        cnt = np.atleast_1d(_array(counts, "counts"))
        pop = np.atleast_1d(_array(populations, "populations"))
        _same_length(values=vals, counts=cnt, populations=pop)
        keep &= ~np.isnan(cnt) & ~np.isnan(pop)
        if keep.sum() < MIN_POINTS_FOR_TREND:
            return None
        cnt, pop = cnt[keep], pop[keep]
        _check_counts(cnt, "counts")
        _check_positive(pop, "populations")
        if cnt.sum() == 0:
            return TrendResult("no_significant_change", 0.0, 1.0, int(keep.sum()), "Poisson regression")
        t = np.flatnonzero(keep).astype(float)
        slope, se = _poisson_trend(cnt, pop, t)
        if not np.isfinite(se) or se == 0:
            return TrendResult("no_significant_change", float(slope), 1.0, int(keep.sum()), "Poisson regression")
        p_value = float(2 * stats.norm.sf(abs(slope / se)))
        change = float(np.expm1(slope))
        method = "Poisson regression (log-linear, population offset)"
    else:
        if keep.sum() < MIN_POINTS_FOR_TREND:
            return None
        t = np.flatnonzero(keep).astype(float)
        fit = stats.linregress(t, vals[keep])
        change = float(fit.slope)
        p_value = float(fit.pvalue) if np.isfinite(fit.pvalue) else 1.0
        method = "Linear regression (least squares)"
    if p_value < 1 - level:
        direction = "increasing" if change > 0 else "decreasing"
    else:
        direction = "no_significant_change"
    return TrendResult(direction, change, p_value, int(keep.sum()), method)


def _poisson_trend(counts: np.ndarray, population: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood slope and its standard error for log E[count] = log pop + a + b t (IRLS)."""
    x = np.column_stack([np.ones_like(t), t - t.mean()])
    offset = np.log(population)
    rate = max(counts.sum(), 0.5) / population.sum()
    beta = np.array([np.log(rate), 0.0])
    for _ in range(100):
        mu = np.exp(offset + x @ beta)
        info = x.T @ (mu[:, None] * x)
        step = np.linalg.solve(info, x.T @ (counts - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    mu = np.exp(offset + x @ beta)
    cov = np.linalg.inv(x.T @ (mu[:, None] * x))
    return float(beta[1]), float(np.sqrt(cov[1, 1]))

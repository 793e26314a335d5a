"""Effect of an intervention on a count series: four methods and their documented results.

The advisory agreement (``constants.AGREEMENT_START`` to ``constants.AGREEMENT_END``) is evaluated
with four complementary designs, one public function each:

``interrupted_time_series``
    segmented Poisson / quasi-Poisson / negative-binomial regression of one unit's monthly counts,
    with the population as offset, Fourier seasonality and covariates such as COVID-19 and LPR3
    indicators; result :class:`ItsResult`.
``difference_in_differences``
    two-way fixed effects (unit and time) regression on a panel of treated and comparison units,
    Poisson with an offset for counts, linear otherwise, standard errors clustered by unit;
    result :class:`DidResult`.
``synthetic_control``
    a convex combination of comparison units that reproduces the treated unit before the start,
    with placebo-in-space inference; result :class:`ScResult`.
``pooled_effect``
    DerSimonian-Laird random-effects pooling of per-municipality estimates; result
    :class:`PooledResult`.

All functions are pure (no Streamlit, no database), validate their input and raise
:class:`EffectError` with a one-sentence message, and write the method they used into the result's
``method`` string. Time points belong to the intervention period when ``start <= time <= end``
(``end`` inclusive; no ``end`` means the intervention lasts to the end of the data).
"""
from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, sparse, stats

__all__ = [
    "EffectError",
    "ItsResult",
    "DidResult",
    "ScResult",
    "PooledResult",
    "interrupted_time_series",
    "difference_in_differences",
    "synthetic_control",
    "pooled_effect",
]

ITS_FAMILIES = ("poisson", "quasipoisson", "negative_binomial")
MAX_HARMONICS = 5  # for monthly data the 6th sine, sin(pi * month), is identically zero
SMALL_DONOR_POOL = 20  # below this many donors placebo p-values are coarse (smallest is 1/(n+1))
_INTERVENTION_TERMS = ("level_during", "slope_during", "level_after", "slope_after")


class EffectError(ValueError):
    """Input that an effect estimator cannot use, or a model that cannot be estimated."""


# --------------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItsResult:
    """Result of :func:`interrupted_time_series`.

    Attributes
    ----------
    rate_ratio, lower, upper, p_value : float
        Level change at the start of the intervention ("during" period) as a rate ratio
        ``exp(beta_level_during)``, its Wald confidence interval and two-sided p-value. With
        ``slope_change=True`` this is the change in the first intervention month.
    after_rate_ratio, after_lower, after_upper, after_p_value : float or None
        The same for the period after ``end`` (three-period design), else ``None``.
    period_rate_ratio, period_lower, period_upper : float
        Fitted over counterfactual events summed over the "during" period, with a delta-method
        interval on the log scale: the average relative change over the whole intervention period
        (equal to ``rate_ratio`` without slope change; use it for "x % fewer" with slope change).
    events_avoided, events_avoided_lower, events_avoided_upper : float
        Sum over the "during" period of counterfactual minus fitted events, with a delta-method
        interval. Positive means fewer events than expected without the intervention.
    events_avoided_after, events_avoided_after_lower, events_avoided_after_upper : float or None
        The same for the "after" period, when there is one.
    coefficients : pandas.DataFrame
        One row per model term: ``term, estimate, std_error, statistic, p_value, lower, upper,
        exp_estimate, exp_lower, exp_upper`` (log scale and rate-ratio scale).
    series : pandas.DataFrame
        One row per month: ``time, period ("before"/"during"/"after"), observed, offset, fitted,
        counterfactual, counterfactual_lower, counterfactual_upper``. The counterfactual keeps the
        trend, season and covariates and removes the intervention terms; its band is the confidence
        interval of the expected count.
    family : str
        ``"poisson"``, ``"quasipoisson"`` or ``"negative_binomial"``.
    dispersion : float
        Pearson chi-square / residual df of the fitted model (1 is no over-dispersion).
    nb_alpha : float or None
        Negative-binomial ancillary parameter (variance = mu + alpha * mu^2) when that family is used.
    n_obs : int
        Number of months used.
    conf_level : float
        Confidence level of all intervals.
    method : str
        One-paragraph description of the model and the interval methods.
    notes : tuple of str
        Things the caller should know (dropped constant covariates, gaps in the series).
    """

    rate_ratio: float
    lower: float
    upper: float
    p_value: float
    after_rate_ratio: float | None
    after_lower: float | None
    after_upper: float | None
    after_p_value: float | None
    period_rate_ratio: float
    period_lower: float
    period_upper: float
    events_avoided: float
    events_avoided_lower: float
    events_avoided_upper: float
    events_avoided_after: float | None
    events_avoided_after_lower: float | None
    events_avoided_after_upper: float | None
    coefficients: pd.DataFrame
    series: pd.DataFrame
    family: str
    dispersion: float
    nb_alpha: float | None
    n_obs: int
    conf_level: float
    method: str
    notes: tuple[str, ...] = ()

    @property
    def percent_change(self) -> float:
        """Level change in percent, ``100 * (rate_ratio - 1)``."""
        return 100.0 * (self.rate_ratio - 1.0)

    def get_plot_data(self) -> pd.DataFrame:
        """The table behind the observed/fitted/counterfactual chart (a copy of ``series``)."""
        return self.series.copy()


@dataclass(frozen=True)
class DidResult:
    """Result of :func:`difference_in_differences`.

    Attributes
    ----------
    estimate, lower, upper, p_value : float
        Effect in the intervention ("during") period: a rate ratio ``exp(beta)`` for the Poisson
        model, a difference in outcome units for the linear model; interval and p-value from the
        cluster-robust (or model-based) covariance.
    scale : str
        ``"rate_ratio"`` or ``"difference"``.
    coefficient, std_error : float
        The treatment coefficient and its standard error on the model scale (log for Poisson).
    after_estimate, after_lower, after_upper, after_p_value : float or None
        The same for treated units after ``end``, when there are such observations.
    event_study : pandas.DataFrame or None
        With ``event_study=True``: one row per time point, ``time, period, estimate, lower, upper,
        p_value`` (treated-minus-control difference relative to the last pre-period time, which is
        the reference and has estimate 1 or 0 and no interval).
    n_obs, n_units, n_treated_units, n_clusters : int
        Observations and units used; ``n_clusters`` is 0 when standard errors are not clustered.
    model : str
        ``"poisson"`` or ``"linear"``.
    conf_level : float
    method : str
    notes : tuple of str
    """

    estimate: float
    lower: float
    upper: float
    p_value: float
    scale: str
    coefficient: float
    std_error: float
    after_estimate: float | None
    after_lower: float | None
    after_upper: float | None
    after_p_value: float | None
    event_study: pd.DataFrame | None
    n_obs: int
    n_units: int
    n_treated_units: int
    n_clusters: int
    model: str
    conf_level: float
    method: str
    notes: tuple[str, ...] = ()

    def get_plot_data(self) -> pd.DataFrame | None:
        """The table behind the event-study chart (``None`` without ``event_study=True``)."""
        return None if self.event_study is None else self.event_study.copy()


@dataclass(frozen=True)
class ScResult:
    """Result of :func:`synthetic_control`.

    Attributes
    ----------
    treated : object
        The treated unit.
    weights : pandas.Series
        Donor weights indexed by donor unit (name ``"weight"``), each >= 0, summing to 1.
    series : pandas.DataFrame
        One row per time point: ``time, period ("before"/"after"), treated, synthetic, gap``
        (gap = treated - synthetic).
    average_effect : float
        Mean gap over the time points at or after ``start``.
    relative_effect : float
        ``average_effect`` divided by the mean synthetic value after the start (a proportion).
    pre_rmspe, post_rmspe, rmspe_ratio : float
        Root mean squared prediction error before and after the start, and their ratio.
    placebos : pandas.DataFrame or None
        One row per unit (the treated unit and every donor refitted as if treated, with the other
        donors as its pool): ``unit, is_treated, pre_rmspe, post_rmspe, rmspe_ratio,
        average_effect``; ``None`` when ``placebos=False``.
    placebo_gaps : pandas.DataFrame or None
        Gaps over time (index time, one column per unit) for the placebo ("spaghetti") chart.
    p_value : float or None
        Permutation p-value: the share of units (treated included) whose post/pre RMSPE ratio is at
        least the treated unit's; the smallest attainable value is ``1 / (n_donors + 1)``.
    n_donors : int
    warning : str or None
        Set when the donor pool is small (< 20) or the pre-period fit is poor.
    method : str
    notes : tuple of str
    """

    treated: object
    weights: pd.Series
    series: pd.DataFrame
    average_effect: float
    relative_effect: float
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    placebos: pd.DataFrame | None
    placebo_gaps: pd.DataFrame | None
    p_value: float | None
    n_donors: int
    warning: str | None
    method: str
    notes: tuple[str, ...] = ()

    def get_plot_data(self) -> pd.DataFrame:
        """The table behind the treated-versus-synthetic chart (a copy of ``series``)."""
        return self.series.copy()


@dataclass(frozen=True)
class PooledResult:
    """Result of :func:`pooled_effect` (all estimates on the scale given, usually log rate ratios).

    Attributes
    ----------
    estimate, std_error, lower, upper, z, p_value : float
        Random-effects (DerSimonian-Laird) pooled estimate, standard error, Wald interval,
        z statistic and two-sided p-value.
    fixed_estimate, fixed_std_error : float
        Inverse-variance (common-effect) pooled estimate and standard error.
    tau2, tau : float
        Between-unit variance (DerSimonian-Laird moment estimate, truncated at 0) and its root.
    q, q_df, q_p_value : float
        Cochran's Q heterogeneity statistic, its degrees of freedom (k - 1) and chi-square p-value.
    i2 : float
        I^2 in percent, ``max(0, (Q - df) / Q) * 100``.
    h2 : float
        H^2 = Q / df.
    prediction_lower, prediction_upper : float or None
        Approximate prediction interval for the effect in a new unit (Higgins, Thompson &
        Spiegelhalter 2009: t with k - 2 df), ``None`` when k < 3.
    k : int
        Number of estimates pooled.
    studies : pandas.DataFrame
        The forest-plot table: ``label, estimate, std_error, lower, upper, weight, weight_fixed``
        (weights in percent).
    conf_level : float
    method : str
    """

    estimate: float
    std_error: float
    lower: float
    upper: float
    z: float
    p_value: float
    fixed_estimate: float
    fixed_std_error: float
    tau2: float
    tau: float
    q: float
    q_df: int
    q_p_value: float
    i2: float
    h2: float
    prediction_lower: float | None
    prediction_upper: float | None
    k: int
    studies: pd.DataFrame
    conf_level: float
    method: str

    def get_plot_data(self) -> pd.DataFrame:
        """The table behind the forest plot: the studies plus a final ``pooled`` row."""
        pooled = pd.DataFrame(
            [{"label": "pooled", "estimate": self.estimate, "std_error": self.std_error,
              "lower": self.lower, "upper": self.upper, "weight": 100.0, "weight_fixed": 100.0}]
        )
        return pd.concat([self.studies, pooled], ignore_index=True)


# --------------------------------------------------------------------------------------------------
# Shared validation helpers
# --------------------------------------------------------------------------------------------------


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise EffectError(f"The {what} must be a pandas DataFrame, not {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise EffectError(
            f"The {what} has no column {', '.join(repr(c) for c in missing)}; "
            f"available columns are {', '.join(map(repr, frame.columns))}."
        )
    if len(frame) == 0:
        raise EffectError(f"The {what} is empty; there is nothing to estimate.")


def _check_conf_level(conf_level: float) -> float:
    try:
        level = float(conf_level)
    except (TypeError, ValueError):
        raise EffectError(f"conf_level must be a number between 0 and 1, got {conf_level!r}.") from None
    if not 0.0 < level < 1.0:
        raise EffectError(f"conf_level must be between 0 and 1, such as 0.95; got {conf_level!r}.")
    return level


def _numeric(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        raise EffectError(
            f"Column {column!r} ({what}) has {int(bad.sum())} missing or non-numeric value(s); "
            "fill or remove those rows first."
        )
    return values


def _counts(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = _numeric(frame, column, "counts")
    if (values < 0).any():
        raise EffectError(f"Column {column!r} has negative counts; counts must be whole numbers >= 0.")
    if np.any(np.abs(values - np.round(values)) > 1e-8):
        raise EffectError(
            f"Column {column!r} has non-integer values; counts must be whole numbers >= 0 "
            "(pass rates through count and offset instead)."
        )
    return np.round(values)


def _positive(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = _numeric(frame, column, "offset")
    if (values <= 0).any():
        raise EffectError(f"Offset column {column!r} must be positive (a population); found values <= 0.")
    return values


def _as_time_values(series: pd.Series, column: str) -> pd.Series:
    """Datetime-like or numeric time values, kept as they are when numeric."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        if series.isna().any():
            raise EffectError(f"Time column {column!r} has missing values.")
        return series
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            parsed = pd.to_datetime(series)
    except (ValueError, TypeError):
        raise EffectError(f"Time column {column!r} must hold dates (or numbers); it could not be read as dates.") from None
    if parsed.isna().any():
        raise EffectError(f"Time column {column!r} has missing dates.")
    return parsed


def _as_boundary(value, times: pd.Series, name: str):
    """Convert ``start``/``end`` to the type of the time column."""
    if pd.api.types.is_datetime64_any_dtype(times):
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError):
            raise EffectError(f"{name} must be a date such as '2019-09-01', got {value!r}.") from None
        if pd.isna(stamp):
            raise EffectError(f"{name} must be a date such as '2019-09-01', got {value!r}.")
        tz = getattr(times.dt, "tz", None)
        if tz is not None and stamp.tzinfo is None:
            stamp = stamp.tz_localize(tz)
        return stamp
    try:
        return float(value)
    except (TypeError, ValueError):
        raise EffectError(f"{name} must be a number like the time column, got {value!r}.") from None


def _periods(times: pd.Series, start, end) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boolean masks before / during / after (``end`` inclusive)."""
    t = times.to_numpy()
    before = t < start
    if end is None:
        during = ~before
        after = np.zeros_like(before)
    else:
        during = (~before) & (t <= end)
        after = t > end
    return before, during, after


def _z(conf_level: float) -> float:
    return float(stats.norm.ppf(0.5 + conf_level / 2.0))


def _fmt_level(conf_level: float) -> str:
    return f"{100 * conf_level:g} %"


# --------------------------------------------------------------------------------------------------
# Interrupted time series
# --------------------------------------------------------------------------------------------------


def interrupted_time_series(
    data: pd.DataFrame,
    *,
    time: str,
    count: str,
    offset: str | None = None,
    start,
    end=None,
    harmonics: int = 0,
    family: str = "poisson",
    covariates: Sequence[str] = (),
    slope_change: bool = False,
    hac_lags: int | None = None,
    conf_level: float = 0.95,
) -> ItsResult:
    """Segmented regression of a monthly count series around an intervention.

    The model for the expected count in month *t* is

    ``log E[y_t] = log(offset_t) + b0 + b1 * trend_t + b2 * during_t [+ b3 * months_since_start_t * during_t]
    [+ b4 * after_t (+ b5 * months_since_end_t * after_t)] + Fourier(month_t) + covariates_t``

    where ``trend`` counts months from the first observation, ``during`` is 1 from ``start`` to
    ``end`` (inclusive) and ``after`` is 1 after ``end``. Each intervention segment thus has its own
    level (and, with ``slope_change``, its own slope change) relative to the pre-intervention trend
    extrapolated; ``rate_ratio = exp(b2)``. The counterfactual sets all intervention terms to zero and
    keeps trend, season and covariates.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per month.
    time : str
        Column with dates (any day in the month); at most one row per calendar month. Gaps are
        allowed (e.g. excluded COVID-19 months).
    count : str
        Column with the event counts (whole numbers >= 0).
    offset : str, optional
        Column with the population at risk; enters as ``log(offset)``. Without it the model is for
        counts.
    start : date-like
        First day of the intervention.
    end : date-like, optional
        Last day of the intervention; months after it form the "after" period with its own level
        term (a three-period design).
    harmonics : int, default 0
        Number of Fourier sine/cosine pairs on the calendar month (period 12), 0 to 5, as
        ``tsModel::harmonic(month, harmonics, 12)``.
    family : {"poisson", "quasipoisson", "negative_binomial"}
        ``"quasipoisson"`` scales the Poisson covariance by the Pearson chi-square / df
        (``scale="X2"``). ``"negative_binomial"`` (NB2) first estimates alpha by maximum likelihood
        with ``statsmodels.discrete.NegativeBinomial`` (falling back to a method-of-moments estimate
        from the Poisson fit if that fails), then fits a GLM with that fixed alpha; the uncertainty in
        alpha is not propagated.
    covariates : sequence of str
        Numeric columns added to the model and kept in the counterfactual (e.g. COVID-19 period and
        LPR3 indicators). Columns that are constant over the data are dropped and reported in
        ``notes``.
    slope_change : bool, default False
        Add a change in slope for each intervention segment.
    hac_lags : int, optional
        Use heteroscedasticity- and autocorrelation-consistent (Newey-West) standard errors with this
        many lags instead of the model-based ones.
    conf_level : float, default 0.95
        Confidence level for Wald intervals (normal quantiles, as R's ``Epi::ci.lin``).

    Returns
    -------
    ItsResult
        See the class for the fields. ``events_avoided`` and its interval come from the delta method
        applied to the sum of (counterfactual - fitted) over the "during" months.

    Raises
    ------
    EffectError
        Missing columns, unreadable dates, duplicate months, counts that are not whole numbers >= 0,
        non-positive offsets, no months before ``start`` or none from it, or a model that cannot be
        estimated.

    References
    ----------
    .. [1] Lopez Bernal J, Cummins S, Gasparrini A. Interrupted time series regression for the
       evaluation of public health interventions: a tutorial. Int J Epidemiol 2017;46(1):348-355.
    .. [2] Wagner AK, Soumerai SB, Zhang F, Ross-Degnan D. Segmented regression analysis of
       interrupted time series studies in medication use research. J Clin Pharm Ther 2002;27:299-309.
    .. [3] Newey WK, West KD. A simple, positive semi-definite, heteroskedasticity and
       autocorrelation consistent covariance matrix. Econometrica 1987;55(3):703-708.
    .. [4] Bhaskaran K, Gasparrini A, Hajat S, Smeeth L, Armstrong B. Time series regression studies
       in environmental epidemiology. Int J Epidemiol 2013;42(4):1187-1195.
    """
    covariates = tuple(covariates) if not isinstance(covariates, str) else (covariates,)
    needed = [time, count, *([offset] if offset is not None else []), *covariates]
    _require_columns(data, needed, "data")
    conf_level = _check_conf_level(conf_level)
    if family not in ITS_FAMILIES:
        raise EffectError(f"family must be one of {', '.join(ITS_FAMILIES)}, got {family!r}.")
    if not isinstance(harmonics, (int, np.integer)) or isinstance(harmonics, bool) or not 0 <= harmonics <= MAX_HARMONICS:
        raise EffectError(f"harmonics must be a whole number from 0 to {MAX_HARMONICS}, got {harmonics!r}.")
    if hac_lags is not None and (
        not isinstance(hac_lags, (int, np.integer)) or isinstance(hac_lags, bool) or hac_lags < 0
    ):
        raise EffectError(f"hac_lags must be a whole number >= 0 or None, got {hac_lags!r}.")

    frame = data.loc[:, list(dict.fromkeys(needed))].copy()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not infer format": we report our own error
            frame["_t"] = pd.to_datetime(frame[time])
    except (ValueError, TypeError):
        raise EffectError(f"Time column {time!r} must hold dates; it could not be read as dates.") from None
    if frame["_t"].isna().any():
        raise EffectError(f"Time column {time!r} has missing dates.")
    frame = frame.sort_values("_t", kind="stable").reset_index(drop=True)
    times = frame["_t"]
    month_index = (times.dt.year * 12 + times.dt.month - 1).to_numpy()
    if len(np.unique(month_index)) != len(month_index):
        raise EffectError(f"Time column {time!r} has more than one row in some month; give one row per month.")

    y = _counts(frame, count)
    pop = _positive(frame, offset) if offset is not None else None
    log_offset = np.log(pop) if pop is not None else np.zeros(len(frame))

    start_ts = _as_boundary(start, times, "start")
    end_ts = _as_boundary(end, times, "end") if end is not None else None
    if end_ts is not None and end_ts < start_ts:
        raise EffectError(f"end ({end}) is before start ({start}).")
    before, during, after = _periods(times, start_ts, end_ts)
    first, last = times.iloc[0].date(), times.iloc[-1].date()
    if not before.any():
        raise EffectError(
            f"start {start_ts.date()} is not after the first month in the data ({first}); "
            "there is no pre-intervention period to estimate the trend from."
        )
    if not during.any():
        raise EffectError(
            f"start {start_ts.date()} is after the last month in the data ({last}); "
            "there is no intervention period to estimate."
        )

    notes: list[str] = []
    trend = (month_index - month_index[0]).astype(float)
    columns: dict[str, np.ndarray] = {"intercept": np.ones(len(frame)), "trend": trend}
    columns["level_during"] = during.astype(float)
    if slope_change:
        columns["slope_during"] = np.where(during, month_index - month_index[during].min(), 0).astype(float)
    if after.any():
        columns["level_after"] = after.astype(float)
        if slope_change:
            columns["slope_after"] = np.where(after, month_index - month_index[after].min(), 0).astype(float)
    calendar_month = times.dt.month.to_numpy().astype(float)
    for k in range(1, harmonics + 1):
        columns[f"sin{k}"] = np.sin(2 * np.pi * k * calendar_month / 12)
    for k in range(1, harmonics + 1):
        columns[f"cos{k}"] = np.cos(2 * np.pi * k * calendar_month / 12)
    # Months whose covariate (>= 0) marks only months without events: its coefficient runs to -infinity
    # (separation) and those months' likelihood to 1 whatever the other terms, so the maximum-likelihood limit
    # is the fit without them. They are left out of the fit; their fitted and counterfactual values are NaN.
    covariate_values = {name: _numeric(frame, name, "covariate") for name in covariates}
    keep = np.ones(len(frame), dtype=bool)
    separated = set()
    for name, values in covariate_values.items():
        marked = values != 0
        if np.ptp(values) > 0 and values.min() >= 0 and y[marked].sum() == 0:
            keep &= ~marked
            separated.add(name)
            notes.append(f"Covariate {name!r} marks {int(marked.sum())} month(s) without events; its effect "
                         "cannot be estimated (separation), so those months were left out of the fit and have no "
                         "fitted or counterfactual value.")
    for name, values in covariate_values.items():
        if np.ptp(values[keep]) == 0:
            if name not in separated:
                notes.append(f"Covariate {name!r} is constant over the months in the fit and was left out of "
                             "the model.")
            continue
        columns[name] = values
    names = list(columns)
    X = np.column_stack([columns[n] for n in names])
    if not (before & keep).any() or not (during & keep).any():
        raise EffectError("After leaving out the months without events that a covariate marks, no months are "
                          "left before or during the intervention; the model cannot be estimated.")
    if int(keep.sum()) <= X.shape[1]:
        raise EffectError(
            f"The model has {X.shape[1]} terms but only {int(keep.sum())} months; use a longer series or fewer "
            "terms."
        )
    if np.linalg.matrix_rank(X[keep]) < X.shape[1]:
        raise EffectError(
            "The model terms are collinear (too few months before, during or after the intervention "
            "for the chosen seasonality, slope changes and covariates); simplify the model."
        )
    if len(month_index) > 1 and np.any(np.diff(month_index) != 1) and hac_lags is not None:
        notes.append("The series has gaps; HAC lags count rows, not calendar months.")

    fit, nb_fit = _fit_count_glm(y[keep], X[keep], log_offset[keep], family=family, hac_lags=hac_lags)
    params = np.asarray(fit.params, dtype=float)
    cov = np.asarray(fit.cov_params(), dtype=float)
    se = np.sqrt(np.diag(cov))
    z = _z(conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = params / se
    pvals = 2 * stats.norm.sf(np.abs(stat))
    coefficients = pd.DataFrame(
        {
            "term": names,
            "estimate": params,
            "std_error": se,
            "statistic": stat,
            "p_value": pvals,
            "lower": params - z * se,
            "upper": params + z * se,
        }
    )
    coefficients["exp_estimate"] = np.exp(coefficients["estimate"])
    coefficients["exp_lower"] = np.exp(coefficients["lower"])
    coefficients["exp_upper"] = np.exp(coefficients["upper"])
    row = coefficients.set_index("term")

    intervention = np.array([n in _INTERVENTION_TERMS for n in names])
    X_cf = X.copy()
    X_cf[:, intervention] = 0.0
    eta = np.where(keep, X @ params + log_offset, np.nan)
    eta_cf = np.where(keep, X_cf @ params + log_offset, np.nan)
    mu, mu_cf = np.exp(eta), np.exp(eta_cf)
    se_eta_cf = np.sqrt(np.einsum("ij,jk,ik->i", X_cf, cov, X_cf))
    fitted_during, fitted_after = during & keep, after & keep  # the sums below run over the fitted months

    def avoided(mask: np.ndarray) -> tuple[float, float, float]:
        value = float(np.sum(mu_cf[mask] - mu[mask]))
        grad = (mu_cf[mask, None] * X_cf[mask]).sum(0) - (mu[mask, None] * X[mask]).sum(0)
        sd = float(np.sqrt(grad @ cov @ grad))
        return value, value - z * sd, value + z * sd

    ev, ev_lo, ev_hi = avoided(fitted_during)
    ev_after = avoided(fitted_after) if fitted_after.any() else (None, None, None)
    # Average relative change over the during period: log(sum mu) - log(sum mu_cf), delta method.
    g_fit = (mu[fitted_during, None] * X[fitted_during]).sum(0) / mu[fitted_during].sum()
    g_cf = (mu_cf[fitted_during, None] * X_cf[fitted_during]).sum(0) / mu_cf[fitted_during].sum()
    log_ratio = float(np.log(mu[fitted_during].sum()) - np.log(mu_cf[fitted_during].sum()))
    grad = g_fit - g_cf
    sd_ratio = float(np.sqrt(grad @ cov @ grad))

    period = np.where(before, "before", np.where(during, "during", "after"))
    series = pd.DataFrame(
        {
            "time": times.to_numpy(),
            "period": period,
            "observed": y,
            "offset": pop if pop is not None else np.full(len(y), np.nan),
            "fitted": mu,
            "counterfactual": mu_cf,
            "counterfactual_lower": np.exp(eta_cf - z * se_eta_cf),
            "counterfactual_upper": np.exp(eta_cf + z * se_eta_cf),
        }
    )

    dispersion = float(np.sum(fit.resid_pearson**2) / fit.df_resid)
    method = _its_method(
        family=family, offset=offset, start=start_ts, end=end_ts, has_after=bool(after.any()),
        slope_change=slope_change, harmonics=harmonics,
        covariates=[c for c in covariates if c in columns], hac_lags=hac_lags,
        conf_level=conf_level, nb_alpha=nb_fit, dispersion=dispersion,
    )
    has_after = "level_after" in row.index
    return ItsResult(
        rate_ratio=float(row.at["level_during", "exp_estimate"]),
        lower=float(row.at["level_during", "exp_lower"]),
        upper=float(row.at["level_during", "exp_upper"]),
        p_value=float(row.at["level_during", "p_value"]),
        after_rate_ratio=float(row.at["level_after", "exp_estimate"]) if has_after else None,
        after_lower=float(row.at["level_after", "exp_lower"]) if has_after else None,
        after_upper=float(row.at["level_after", "exp_upper"]) if has_after else None,
        after_p_value=float(row.at["level_after", "p_value"]) if has_after else None,
        period_rate_ratio=float(np.exp(log_ratio)),
        period_lower=float(np.exp(log_ratio - z * sd_ratio)),
        period_upper=float(np.exp(log_ratio + z * sd_ratio)),
        events_avoided=ev,
        events_avoided_lower=ev_lo,
        events_avoided_upper=ev_hi,
        events_avoided_after=ev_after[0],
        events_avoided_after_lower=ev_after[1],
        events_avoided_after_upper=ev_after[2],
        coefficients=coefficients,
        series=series,
        family=family,
        dispersion=dispersion,
        nb_alpha=nb_fit[0] if nb_fit else None,
        n_obs=int(keep.sum()),
        conf_level=conf_level,
        method=method,
        notes=tuple(notes),
    )


def _fit_count_glm(y, X, log_offset, *, family: str, hac_lags: int | None):
    """Fit the count GLM; returns (results, nb_alpha)."""
    fit_kwargs: dict = {}
    if hac_lags is not None:
        fit_kwargs.update(cov_type="HAC", cov_kwds={"maxlags": int(hac_lags)})
    nb_alpha = None
    try:
        if family == "negative_binomial":
            nb_alpha = _nb_alpha(y, X, log_offset)
            glm_family = sm.families.NegativeBinomial(alpha=nb_alpha[0])
        else:
            glm_family = sm.families.Poisson()
            if family == "quasipoisson":
                fit_kwargs["scale"] = "X2"
        fit = sm.GLM(y, X, family=glm_family, offset=log_offset).fit(**fit_kwargs)
    except (np.linalg.LinAlgError, ValueError, OverflowError) as exc:  # pragma: no cover - defensive
        raise EffectError(f"The regression model could not be estimated ({exc}).") from None
    if not getattr(fit, "converged", True) or not np.all(np.isfinite(fit.params)):
        raise EffectError("The regression model did not converge; check the series for long runs of zeros.")
    return fit, nb_alpha


def _nb_alpha(y: np.ndarray, X: np.ndarray, log_offset: np.ndarray) -> tuple[float, str]:
    """NB2 dispersion: maximum likelihood, else method of moments from the Poisson fit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            nb = sm.NegativeBinomial(y, X, offset=log_offset, loglike_method="nb2").fit(
                disp=0, maxiter=200, method="bfgs"
            )
            alpha = float(nb.params[-1])
            if np.isfinite(alpha) and alpha > 0 and nb.mle_retvals.get("converged", True):
                return max(alpha, 1e-8), "maximum likelihood"
        except Exception:  # noqa: BLE001 - any failure falls back to the moment estimate
            pass
    pois = sm.GLM(y, X, family=sm.families.Poisson(), offset=log_offset).fit()
    mu = pois.fittedvalues
    alpha = float(np.sum(((y - mu) ** 2 - y) / mu**2) / pois.df_resid)
    return max(alpha, 1e-8), "method of moments"


def _its_method(*, family, offset, start, end, has_after, slope_change, harmonics, covariates,
                hac_lags, conf_level, nb_alpha, dispersion) -> str:
    if family == "poisson":
        family_text = "Poisson"
    elif family == "quasipoisson":
        family_text = f"quasi-Poisson (dispersion {dispersion:.2f}, Pearson chi-square / df)"
    else:
        family_text = f"negative-binomial NB2 (alpha {nb_alpha[0]:.4g}, {nb_alpha[1]})"
    parts = [f"Segmented {family_text} regression (GLM, log link) of monthly counts"]
    parts.append(f"with log({offset}) as offset" if offset else "without offset")
    design = f"linear trend; level change from {start.date()}"
    if end is not None:
        design += f" to {end.date()}"
        if has_after:
            design += " and a separate level for the months after"
    if slope_change:
        design += "; slope change in each intervention segment"
    parts.append(design)
    parts.append(f"{harmonics} Fourier pair(s) on calendar month (period 12)" if harmonics else "no seasonal terms")
    if covariates:
        parts.append("covariates: " + ", ".join(covariates))
    parts.append(
        f"Newey-West (HAC) standard errors with {hac_lags} lag(s)" if hac_lags is not None
        else "model-based standard errors"
    )
    parts.append(
        f"{_fmt_level(conf_level)} Wald intervals; events avoided = sum of counterfactual minus fitted "
        "over the intervention months, delta-method interval (Lopez Bernal et al. 2017)"
    )
    return "; ".join(parts) + "."


# --------------------------------------------------------------------------------------------------
# Difference in differences
# --------------------------------------------------------------------------------------------------


def difference_in_differences(
    panel: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated: Sequence,
    start,
    end=None,
    offset: str | None = None,
    covariates: Sequence[str] = (),
    cluster: str | None = "unit",
    conf_level: float = 0.95,
    event_study: bool = False,
) -> DidResult:
    """Two-way fixed-effects difference-in-differences on a unit x time panel.

    The model is ``g(E[y_it]) = a_i + g_t + beta * D_it [+ beta_after * A_it] + covariates_it``
    with unit effects ``a_i``, time effects ``g_t`` and ``D_it = 1`` for treated units from
    ``start`` to ``end`` (``A_it = 1`` for treated units after ``end``). With ``offset`` the model is
    a Poisson GLM with ``log(offset)`` and the estimate is the rate ratio ``exp(beta)``; otherwise it
    is ordinary least squares and the estimate is the difference ``beta``. Time effects absorb
    shocks common to all units (COVID-19, season); covariates can carry unit-specific shocks such as
    region-specific LPR3 dates.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per unit and time point.
    unit, time, outcome : str
        Column names. ``time`` may hold dates or numbers.
    treated : sequence
        The treated units (values of ``unit``); all other units are comparisons.
    start, end : optional
        Intervention period (``end`` inclusive, optional), in the type of the time column.
    offset : str, optional
        Population column; makes the model Poisson with ``log(offset)`` (outcome must be counts).
    covariates : sequence of str
        Numeric time-varying columns.
    cluster : str or None, default "unit"
        ``"unit"`` clusters standard errors by unit (recommended, Bertrand, Duflo & Mullainathan
        2004); another column name clusters by that column; ``None`` uses model-based errors.
    conf_level : float, default 0.95
    event_study : bool, default False
        Also fit a dynamic model with one treated-by-time coefficient per time point (reference: the
        last time point before ``start``), for a pre-trend check and the effect over time.

    Returns
    -------
    DidResult

    Notes
    -----
    Cluster-robust covariance uses statsmodels' default small-sample correction
    ``G/(G-1) * (N-1)/(N-K)`` for both models, with t(G-1) intervals for the linear model and normal
    intervals for the Poisson model; unclustered linear models use t(N-K). In the Poisson model, units (or time points) whose outcome is
    zero throughout carry no information on beta and are dropped (reported in ``notes``).

    References
    ----------
    .. [1] Angrist JD, Pischke J-S. Mostly Harmless Econometrics. Princeton University Press, 2009,
       ch. 5.
    .. [2] Card D, Krueger AB. Minimum wages and employment: a case study of the fast-food industry
       in New Jersey and Pennsylvania. Am Econ Rev 1994;84(4):772-793.
    .. [3] Bertrand M, Duflo E, Mullainathan S. How much should we trust differences-in-differences
       estimates? Q J Econ 2004;119(1):249-275.
    .. [4] Wooldridge JM. Simple approaches to nonlinear difference-in-differences with panel data.
       Econom J 2023;26(3):C31-C66.
    """
    covariates = tuple(covariates) if not isinstance(covariates, str) else (covariates,)
    cluster_column = unit if cluster == "unit" else cluster
    needed = [unit, time, outcome, *([offset] if offset else []), *covariates,
              *([cluster_column] if cluster_column is not None else [])]
    _require_columns(panel, needed, "panel")
    conf_level = _check_conf_level(conf_level)
    if isinstance(treated, (str, bytes)) or not isinstance(treated, Iterable):
        treated = [treated]
    treated = list(dict.fromkeys(treated))
    if not treated:
        raise EffectError("treated must list at least one treated unit.")
    frame = panel.loc[:, list(dict.fromkeys(needed))].copy()
    if frame[unit].isna().any():
        raise EffectError(f"Unit column {unit!r} has missing values.")
    units_present = set(frame[unit].unique())
    missing_units = [u for u in treated if u not in units_present]
    if missing_units:
        raise EffectError(f"Treated unit(s) {missing_units} are not in column {unit!r} of the panel.")
    frame["_time"] = _as_time_values(frame[time], time)
    if frame.duplicated([unit, "_time"]).any():
        raise EffectError(f"The panel has more than one row for some {unit!r} and {time!r}; give one row per unit and time.")
    is_treated = frame[unit].isin(treated).to_numpy()
    if is_treated.all():
        raise EffectError("Every unit is treated; difference-in-differences needs comparison units.")
    start_v = _as_boundary(start, frame["_time"], "start")
    end_v = _as_boundary(end, frame["_time"], "end") if end is not None else None
    if end_v is not None and end_v < start_v:
        raise EffectError(f"end ({end}) is before start ({start}).")
    before, during, after = _periods(frame["_time"], start_v, end_v)
    if not (before & is_treated).any() or not (before & ~is_treated).any():
        raise EffectError(f"There is no time point before start ({start}) for both treated and comparison units.")
    if not (during & is_treated).any():
        raise EffectError(f"start ({start}) is after the last time point of the treated units; nothing to estimate.")

    poisson = offset is not None
    notes: list[str] = []
    if poisson:
        frame["_y"] = _counts(frame, outcome)
        frame["_off"] = np.log(_positive(frame, offset))
        # Units or times with only zeros have MLE effects of -infinity and carry no information.
        for column, label in ((unit, "unit"), ("_time", "time point")):
            totals = frame.groupby(column, sort=False)["_y"].transform("sum")
            zero = totals.to_numpy() == 0
            if zero.any():
                dropped = frame.loc[zero, column].unique()
                notes.append(f"{len(dropped)} {label}(s) with zero events throughout were left out.")
                frame = frame.loc[~zero]
        if not frame[unit].isin(treated).any() or frame[unit].isin(treated).all():
            raise EffectError("After leaving out all-zero units, treated or comparison units are missing.")
    else:
        frame["_y"] = _numeric(frame, outcome, "outcome")
        frame["_off"] = 0.0
    frame = frame.reset_index(drop=True)
    is_treated = frame[unit].isin(treated).to_numpy()
    before, during, after = _periods(frame["_time"], start_v, end_v)

    cov_values = {name: _numeric(frame, name, "covariate") for name in covariates}
    base = _twfe_design(frame, unit)
    terms = {"treated_during": (is_treated & during).astype(float)}
    if (is_treated & after).any():
        terms["treated_after"] = (is_treated & after).astype(float)
    for name, values in cov_values.items():
        terms[name] = values
    X, names = _stack(base, terms)

    groups = None
    if cluster_column is not None:
        if frame[cluster_column].isna().any():
            raise EffectError(f"Cluster column {cluster_column!r} has missing values.")
        groups = pd.factorize(frame[cluster_column])[0]
        if len(np.unique(groups)) < 2:
            raise EffectError(f"Clustering by {cluster_column!r} needs at least two clusters.")
    fit = _fit_did(frame["_y"].to_numpy(), X, frame["_off"].to_numpy(), poisson=poisson, groups=groups)
    params, cov = fit.params, fit.cov
    dist = _did_distribution(poisson, groups, df_resid=fit.df_resid)
    crit = float(dist.ppf(0.5 + conf_level / 2))

    def summary(name: str) -> tuple[float, float, float, float, float, float]:
        i = names.index(name)
        b, s = float(params[i]), float(np.sqrt(cov[i, i]))
        p = float(2 * dist.sf(abs(b / s))) if s > 0 else float("nan")
        lo, hi = b - crit * s, b + crit * s
        if poisson:
            return float(np.exp(b)), float(np.exp(lo)), float(np.exp(hi)), p, b, s
        return b, lo, hi, p, b, s

    est, lo, hi, p, b, s = summary("treated_during")
    after_vals = summary("treated_after") if "treated_after" in names else (None,) * 6

    es_table = None
    if event_study:
        es_table = _event_study(frame, unit, base, is_treated, before, cov_values, poisson, groups,
                                dist, crit, during, after)

    n_units = int(frame[unit].nunique())
    method = (
        ("Poisson" if poisson else "Linear (OLS)")
        + " two-way fixed-effects difference-in-differences with "
        + f"{n_units} unit and {frame['_time'].nunique()} time effects"
        + (f", log({offset}) offset" if poisson else "")
        + (f", covariates: {', '.join(covariates)}" if covariates else "")
        + "; treatment indicator for treated units"
        + (f" from {start} to {end}" if end is not None else f" from {start}")
        + ("; a separate indicator after the end" if "treated_after" in names else "")
        + "; "
        + (f"standard errors clustered by {cluster_column} ({len(np.unique(groups))} clusters)"
           if groups is not None else "model-based standard errors")
        + f"; {_fmt_level(conf_level)} "
        + ("Wald intervals (normal)" if dist is stats.norm else f"t({dist.args[0]:g}) intervals")
        + ("; estimate is a rate ratio." if poisson else "; estimate is a difference in outcome units.")
    )
    return DidResult(
        estimate=est, lower=lo, upper=hi, p_value=p,
        scale="rate_ratio" if poisson else "difference",
        coefficient=b, std_error=s,
        after_estimate=after_vals[0], after_lower=after_vals[1], after_upper=after_vals[2],
        after_p_value=after_vals[3],
        event_study=es_table,
        n_obs=int(len(frame)), n_units=n_units,
        n_treated_units=int(frame.loc[is_treated, unit].nunique()),
        n_clusters=int(len(np.unique(groups))) if groups is not None else 0,
        model="poisson" if poisson else "linear",
        conf_level=conf_level, method=method, notes=tuple(notes),
    )


def _twfe_design(frame: pd.DataFrame, unit: str) -> tuple[sparse.csr_matrix, list[str]]:
    """Sparse intercept plus unit and time dummies (first level of each dropped)."""
    unit_codes, unit_levels = pd.factorize(frame[unit], sort=True)
    time_codes, time_levels = pd.factorize(frame["_time"], sort=True)
    n = len(frame)
    n_u, n_t = len(unit_levels) - 1, len(time_levels) - 1
    rows = [np.arange(n)]
    cols = [np.zeros(n, dtype=int)]
    keep = unit_codes > 0
    rows.append(np.nonzero(keep)[0])
    cols.append(unit_codes[keep])
    keep = time_codes > 0
    rows.append(np.nonzero(keep)[0])
    cols.append(n_u + time_codes[keep])
    r, c = np.concatenate(rows), np.concatenate(cols)
    X = sparse.csr_matrix((np.ones(r.size), (r, c)), shape=(n, 1 + n_u + n_t))
    names = ["intercept"] + [f"unit[{u}]" for u in unit_levels[1:]] + [f"time[{t}]" for t in time_levels[1:]]
    return X, names


def _stack(base: tuple[sparse.csr_matrix, list[str]], terms: dict[str, np.ndarray]) -> tuple[sparse.csr_matrix, list[str]]:
    X0, names0 = base
    names = names0 + list(terms)
    if terms:
        X = sparse.hstack([X0, sparse.csr_matrix(np.column_stack([terms[k] for k in terms]))], format="csr")
    else:
        X = X0
    gram = (X.T @ X).toarray()
    if np.linalg.matrix_rank(gram) < X.shape[1]:
        raise EffectError(
            "The difference-in-differences terms are collinear with the unit and time effects "
            "(e.g. a covariate that only varies by unit or by time); remove that covariate."
        )
    return X, names


@dataclass(frozen=True)
class _Fit:
    params: np.ndarray
    cov: np.ndarray
    df_resid: float


def _fit_did(y, X, log_offset, *, poisson: bool, groups) -> _Fit:
    """Poisson (IRLS) or least-squares fit on a sparse design, with cluster-robust covariance.

    The same estimator as ``statsmodels`` GLM/OLS with ``cov_type="cluster"`` (small-sample factor
    ``G/(G-1) * (N-1)/(N-K)``), computed with sparse normal equations so that a 98 x 84 panel with
    its ~180 dummies fits in well under a second.
    """
    n, k = X.shape
    Xt = X.T.tocsr()
    if poisson:
        mu = (y + y.mean()) / 2.0
        eta = np.log(mu)
        deviance = np.inf
        for _ in range(100):
            z = eta - log_offset + (y - mu) / mu
            gram = (Xt @ sparse.diags(mu) @ X).toarray()
            params = np.linalg.solve(gram, Xt @ (mu * z))
            eta = X @ params + log_offset
            mu = np.exp(eta)
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)
            new_deviance = 2 * float(np.sum(terms))
            if abs(new_deviance - deviance) <= 1e-10 * (abs(new_deviance) + 0.1):
                break
            deviance = new_deviance
        else:
            raise EffectError("The Poisson difference-in-differences model did not converge.")
        weights = mu
        resid = y - mu
        gram = (Xt @ sparse.diags(weights) @ X).toarray()
        bread = np.linalg.inv(gram)
        scale = 1.0
    else:
        gram = (Xt @ X).toarray()
        params = np.linalg.solve(gram, Xt @ y)
        resid = y - X @ params
        bread = np.linalg.inv(gram)
        scale = float(resid @ resid) / (n - k) if n > k else float("nan")
    if not np.all(np.isfinite(params)):
        raise EffectError("The difference-in-differences model could not be estimated.")
    if groups is None:
        cov = bread * scale
    else:
        n_groups = int(groups.max()) + 1
        G = sparse.csr_matrix((np.ones(n), (groups, np.arange(n))), shape=(n_groups, n))
        scores = (G @ sparse.diags(resid) @ X).toarray()
        meat = scores.T @ scores
        factor = n_groups / (n_groups - 1) * (n - 1) / (n - k)
        cov = factor * bread @ meat @ bread
    return _Fit(params=params, cov=cov, df_resid=float(n - k))


def _did_distribution(poisson: bool, groups, *, df_resid: float):
    """Reference distribution: normal for Poisson, t(G-1) for clustered OLS, t(n-K) for plain OLS."""
    if poisson:
        return stats.norm
    if groups is not None:
        return stats.t(len(np.unique(groups)) - 1)
    if df_resid <= 0:
        raise EffectError("The linear model has no residual degrees of freedom; add units or time points.")
    return stats.t(df_resid)


def _event_study(frame, unit, base, is_treated, before, cov_values, poisson, groups, dist, crit,
                 during, after) -> pd.DataFrame:
    """Dynamic model: one treated-by-time coefficient per time point, the last pre-period time as reference."""
    times = np.sort(frame["_time"].unique())
    reference = frame.loc[before, "_time"].max()
    terms: dict[str, np.ndarray] = {}
    for t in times:
        if t == reference:
            continue
        column = (is_treated & (frame["_time"].to_numpy() == t)).astype(float)
        if column.any():
            terms[f"treated_at[{t}]"] = column
    terms.update(cov_values)
    X, names = _stack(base, terms)
    fit = _fit_did(frame["_y"].to_numpy(), X, frame["_off"].to_numpy(), poisson=poisson, groups=groups)
    params, cov = fit.params, fit.cov
    rows = []
    period_of = dict(zip(frame["_time"], np.where(before, "before", np.where(during, "during", "after"))))
    for t in times:
        if t == reference:
            rows.append({"time": t, "period": "before", "estimate": 1.0 if poisson else 0.0,
                         "lower": np.nan, "upper": np.nan, "p_value": np.nan, "reference": True})
            continue
        if f"treated_at[{t}]" not in names:
            continue
        i = names.index(f"treated_at[{t}]")
        b, s = params[i], np.sqrt(cov[i, i])
        lo, hi = b - crit * s, b + crit * s
        tr = np.exp if poisson else (lambda v: v)
        rows.append({"time": t, "period": period_of[t], "estimate": float(tr(b)), "lower": float(tr(lo)),
                     "upper": float(tr(hi)), "p_value": float(2 * dist.sf(abs(b / s))), "reference": False})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# Synthetic control
# --------------------------------------------------------------------------------------------------


def synthetic_control(
    panel: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated,
    start,
    predictors: Sequence[str] | None = None,
    placebos: bool = True,
    donors: Sequence | None = None,
) -> ScResult:
    """Synthetic control: a weighted average of donor units that tracks the treated unit before start.

    Weights ``w`` minimise ``||V^(1/2) (x_1 - X_0 w)||^2`` subject to ``w >= 0`` and
    ``sum(w) = 1``, where ``x_1`` stacks the treated unit's outcome at every pre-period time point
    (and, with ``predictors``, the pre-period means of those columns) and ``X_0`` the same for the
    donors. Without predictors ``V`` is the identity on the raw outcome path. With predictors every
    row (each pre-period outcome and each predictor mean) is divided by its standard deviation
    across units and weighted equally — a fixed, documented choice of ``V`` instead of Abadie,
    Diamond & Hainmueller's nested optimisation. The problem is solved by non-negative least
    squares with a heavily weighted sum-to-one row, then refined to the exact optimum by a primal
    active-set method (equality-constrained least squares on the support, KKT check).

    Inference is by placebos in space: every donor is refitted as if it were treated (with the other
    donors as its pool) and the ratio of post- to pre-period RMSPE is compared; the p-value is the
    share of units whose ratio is at least the treated unit's.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per unit and time point.
    unit, time, outcome : str
        Column names; ``time`` may hold dates or numbers.
    treated : object
        The treated unit (a value of ``unit``).
    start : date-like or number
        First time point of the intervention; time points before it form the fitting period.
    predictors : sequence of str, optional
        Columns whose pre-period means are matched as well.
    placebos : bool, default True
        Run the placebo-in-space analysis (one fit per donor).
    donors : sequence, optional
        The donor pool; default every unit except the treated one. Exclude other treated units here.
        Donors with missing outcome values are left out (reported in ``notes``).

    Returns
    -------
    ScResult

    References
    ----------
    .. [1] Abadie A, Gardeazabal J. The economic costs of conflict: a case study of the Basque
       Country. Am Econ Rev 2003;93(1):113-132.
    .. [2] Abadie A, Diamond A, Hainmueller J. Synthetic control methods for comparative case
       studies: estimating the effect of California's tobacco control program. J Am Stat Assoc
       2010;105(490):493-505.
    .. [3] Abadie A. Using synthetic controls: feasibility, data requirements, and methodological
       aspects. J Econ Lit 2021;59(2):391-425.
    """
    predictors = tuple(predictors or ())
    _require_columns(panel, [unit, time, outcome, *predictors], "panel")
    frame = panel.loc[:, list(dict.fromkeys([unit, time, outcome, *predictors]))].copy()
    frame["_time"] = _as_time_values(frame[time], time)
    if frame.duplicated([unit, "_time"]).any():
        raise EffectError(f"The panel has more than one row for some {unit!r} and {time!r}; give one row per unit and time.")
    frame["_y"] = pd.to_numeric(frame[outcome], errors="coerce")
    wide = frame.pivot(index="_time", columns=unit, values="_y").sort_index()
    if treated not in wide.columns:
        raise EffectError(f"Treated unit {treated!r} is not in column {unit!r} of the panel.")
    if wide[treated].isna().any():
        raise EffectError(f"Treated unit {treated!r} has missing outcome values; the synthetic control needs a complete series.")
    notes: list[str] = []
    pool = [u for u in wide.columns if u != treated] if donors is None else list(dict.fromkeys(donors))
    unknown = [u for u in pool if u not in wide.columns]
    if unknown:
        raise EffectError(f"Donor unit(s) {unknown} are not in column {unit!r} of the panel.")
    pool = [u for u in pool if u != treated]
    incomplete = [u for u in pool if wide[u].isna().any()]
    if incomplete:
        notes.append(f"{len(incomplete)} donor(s) with missing outcome values were left out: {incomplete}.")
        pool = [u for u in pool if u not in incomplete]
    if len(pool) < 2:
        raise EffectError("A synthetic control needs at least two donor units with complete data.")

    start_v = _as_boundary(start, wide.index.to_series(), "start")
    pre = wide.index.to_numpy() < start_v
    if not pre.any():
        raise EffectError(f"There is no time point before start ({start}); the weights cannot be fitted.")
    if pre.all():
        raise EffectError(f"start ({start}) is after the last time point; there is no period to evaluate.")

    extra = None
    if predictors:
        pre_times = wide.index[pre]
        sub = frame[frame["_time"].isin(pre_times)]
        means = {}
        for name in predictors:
            sub_values = pd.to_numeric(sub[name], errors="coerce")
            means[name] = sub_values.groupby(sub[unit]).mean()
        extra = pd.DataFrame(means).T  # rows predictors, columns units
        if extra[[treated, *pool]].isna().any().any():
            raise EffectError("Some predictor has no non-missing pre-period value for the treated unit or a donor.")

    def fit_unit(target, donor_pool):
        A, b = _sc_matrix(wide, extra, pre, target, donor_pool)
        w = _simplex_weights(A, b)
        synthetic = wide[donor_pool].to_numpy() @ w
        gap = wide[target].to_numpy() - synthetic
        pre_r = float(np.sqrt(np.mean(gap[pre] ** 2)))
        post_r = float(np.sqrt(np.mean(gap[~pre] ** 2)))
        return w, synthetic, gap, pre_r, post_r

    w, synthetic, gap, pre_rmspe, post_rmspe = fit_unit(treated, pool)
    ratio = _ratio(post_rmspe, pre_rmspe)
    weights = pd.Series(w, index=pd.Index(pool, name=unit), name="weight")
    series = pd.DataFrame(
        {"time": wide.index.to_numpy(), "period": np.where(pre, "before", "after"),
         "treated": wide[treated].to_numpy(), "synthetic": synthetic, "gap": gap}
    )
    average_effect = float(gap[~pre].mean())
    relative_effect = float(average_effect / synthetic[~pre].mean()) if synthetic[~pre].mean() != 0 else float("nan")

    placebo_table = placebo_gaps = p_value = None
    if placebos:
        rows = [{"unit": treated, "is_treated": True, "pre_rmspe": pre_rmspe, "post_rmspe": post_rmspe,
                 "rmspe_ratio": ratio, "average_effect": average_effect}]
        gaps = {treated: gap}
        for donor in pool:
            others = [u for u in pool if u != donor]
            if len(others) < 1:
                continue
            _, _, g, pr, po = fit_unit(donor, others)
            gaps[donor] = g
            rows.append({"unit": donor, "is_treated": False, "pre_rmspe": pr, "post_rmspe": po,
                         "rmspe_ratio": _ratio(po, pr), "average_effect": float(g[~pre].mean())})
        placebo_table = pd.DataFrame(rows)
        placebo_gaps = pd.DataFrame(gaps, index=wide.index)
        placebo_gaps.index.name = "time"
        r = placebo_table["rmspe_ratio"].to_numpy()
        p_value = float(np.mean(r >= ratio * (1 - 1e-9)))

    warnings_: list[str] = []
    if len(pool) < SMALL_DONOR_POOL:
        warnings_.append(
            f"Only {len(pool)} donor units: the smallest possible placebo p-value is 1/{len(pool) + 1} = "
            f"{1 / (len(pool) + 1):.3f}, so treat the p-value as rough."
        )
    scale = float(np.sqrt(np.mean(wide.loc[pre, treated].to_numpy() ** 2)))
    if scale > 0 and pre_rmspe > 0.1 * scale:
        warnings_.append(
            f"The synthetic control fits the treated unit poorly before the start (pre-period RMSPE "
            f"{pre_rmspe:.3g} is over 10 % of its level); the estimate is not reliable."
        )
    method = (
        f"Synthetic control (Abadie, Diamond & Hainmueller 2010): donor weights >= 0 summing to 1 fitted to "
        f"the {int(pre.sum())} pre-period values of {outcome!r}"
        + (f" and the pre-period means of {', '.join(predictors)} (rows standardised, equal V weights)"
           if predictors else " (V = identity)")
        + f"; {len(pool)} donors; average effect = mean gap (treated - synthetic) from {start}"
        + ("; placebo-in-space p-value from the post/pre RMSPE ratio rank." if placebos else "; no placebo inference.")
    )
    return ScResult(
        treated=treated, weights=weights, series=series, average_effect=average_effect,
        relative_effect=relative_effect, pre_rmspe=pre_rmspe, post_rmspe=post_rmspe, rmspe_ratio=ratio,
        placebos=placebo_table, placebo_gaps=placebo_gaps, p_value=p_value, n_donors=len(pool),
        warning=" ".join(warnings_) or None, method=method, notes=tuple(notes),
    )


def _ratio(post: float, pre: float) -> float:
    if pre > 0:
        return post / pre
    return float("inf") if post > 0 else float("nan")


def _sc_matrix(wide, extra, pre, target, donor_pool) -> tuple[np.ndarray, np.ndarray]:
    A = wide.loc[pre, donor_pool].to_numpy(dtype=float)
    b = wide.loc[pre, target].to_numpy(dtype=float)
    if extra is None:
        return A, b
    units = [target, *donor_pool]
    rows = np.vstack([wide.loc[pre, units].to_numpy(dtype=float), extra[units].to_numpy(dtype=float)])
    sd = rows.std(axis=1)
    keep = sd > 0
    rows = rows[keep] / sd[keep, None]
    return rows[:, 1:], rows[:, 0]


def _simplex_weights(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """argmin ||A w - b||^2 subject to w >= 0, sum(w) = 1."""
    n = A.shape[1]
    scale = max(float(np.abs(A).max()), float(np.abs(b).max()), 1.0)
    penalty = 1e3 * scale * np.sqrt(max(A.shape[0], 1))
    A_aug = np.vstack([A, penalty * np.ones((1, n))])
    b_aug = np.concatenate([b, [penalty]])
    try:
        w0, _ = optimize.nnls(A_aug, b_aug, maxiter=50 * n)
    except RuntimeError:  # pragma: no cover - nnls iteration limit
        w0 = np.full(n, 1.0 / n)
    w0 = w0 / w0.sum() if w0.sum() > 0 else np.full(n, 1.0 / n)

    # Primal active-set refinement (Nocedal & Wright 2006, algorithm 16.3) from the nnls point: solve
    # the equality-constrained problem on the current support, step back when a weight would turn
    # negative, and add the donor with the most negative reduced gradient until KKT conditions hold.
    H = 2 * A.T @ A
    c = 2 * A.T @ b
    tol = 1e-14 * (1.0 + float(np.abs(H).max()))
    w = w0.copy()
    support = [int(k) for k in np.nonzero(w > 0)[0]]
    for _ in range(20 * n + 100):
        m = len(support)
        kkt = np.zeros((m + 1, m + 1))
        kkt[:m, :m] = H[np.ix_(support, support)]
        kkt[:m, m] = 1.0
        kkt[m, :m] = 1.0
        solution = np.linalg.lstsq(kkt, np.concatenate([c[support], [1.0]]), rcond=None)[0]
        target, nu = solution[:m], solution[m]
        if np.all(target >= 0):
            w = np.zeros(n)
            w[support] = target
            reduced = H @ w - c + nu
            outside = np.setdiff1d(np.arange(n), support)
            if outside.size == 0 or reduced[outside].min() >= -tol:
                break
            support.append(int(outside[np.argmin(reduced[outside])]))
        else:
            current = w[support]
            step = target - current
            shrinking = step < 0
            alpha = min(1.0, float(np.min(current[shrinking] / -step[shrinking])))
            w[support] = np.clip(current + alpha * step, 0.0, None)
            support = [k for k in support if w[k] > 1e-15]
            if not support:  # pragma: no cover - cannot happen with sum(w) = 1
                w = w0
                break
    w = np.clip(w, 0.0, None)
    if not np.isfinite(w).all() or w.sum() <= 0:  # pragma: no cover - defensive
        w = w0
    r0, r1 = A @ w0 - b, A @ (w / w.sum()) - b
    best = w / w.sum() if r1 @ r1 <= r0 @ r0 else w0
    best = np.where(best < 1e-12, 0.0, best)
    return best / best.sum()


# --------------------------------------------------------------------------------------------------
# Random-effects pooling
# --------------------------------------------------------------------------------------------------


def pooled_effect(
    estimates,
    standard_errors,
    *,
    conf_level: float = 0.95,
) -> PooledResult:
    """Random-effects meta-analysis of unit-level estimates (DerSimonian-Laird).

    Parameters
    ----------
    estimates : array-like or pandas.Series
        Unit estimates on an additive scale, e.g. log rate ratios. A Series' index labels the rows of
        ``studies``.
    standard_errors : array-like
        Their standard errors (> 0), in the same order.
    conf_level : float, default 0.95

    Returns
    -------
    PooledResult
        Pooled estimate with Wald interval (normal), tau^2, I^2, H^2, Cochran's Q, and an approximate
        prediction interval (t with k - 2 df). Exponentiate estimates and limits for rate ratios.

    Notes
    -----
    With ``w_i = 1/se_i^2``: ``Q = sum w_i (y_i - y_FE)^2``,
    ``tau^2 = max(0, (Q - (k-1)) / (sum w_i - sum w_i^2 / sum w_i))``, random-effects weights
    ``1/(se_i^2 + tau^2)``. Matches ``metafor::rma(yi, vi, method="DL")``.

    References
    ----------
    .. [1] DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials
       1986;7(3):177-188.
    .. [2] Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med
       2002;21(11):1539-1558.
    .. [3] Higgins JPT, Thompson SG, Spiegelhalter DJ. A re-evaluation of random-effects
       meta-analysis. J R Stat Soc A 2009;172(1):137-159.
    .. [4] Viechtbauer W. Conducting meta-analyses in R with the metafor package. J Stat Softw
       2010;36(3):1-48.
    """
    conf_level = _check_conf_level(conf_level)
    labels = list(estimates.index) if isinstance(estimates, pd.Series) else None
    try:
        y = np.asarray(estimates, dtype=float).ravel()
        se = np.asarray(standard_errors, dtype=float).ravel()
    except (TypeError, ValueError):
        raise EffectError("estimates and standard_errors must be numbers.") from None
    if y.shape != se.shape:
        raise EffectError(f"Got {y.size} estimates but {se.size} standard errors; give one per estimate.")
    k = y.size
    if k < 2:
        raise EffectError("Pooling needs at least two estimates.")
    if not np.all(np.isfinite(y)) or not np.all(np.isfinite(se)):
        raise EffectError("Some estimates or standard errors are missing or infinite; leave those units out first.")
    if np.any(se <= 0):
        raise EffectError("Standard errors must be positive.")
    if labels is None:
        labels = list(range(1, k + 1))

    v = se**2
    w = 1 / v
    fixed = float(np.sum(w * y) / np.sum(w))
    fixed_se = float(np.sqrt(1 / np.sum(w)))
    q = float(np.sum(w * (y - fixed) ** 2))
    df = k - 1
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    tau2 = max(0.0, (q - df) / c) if c > 0 else 0.0
    w_re = 1 / (v + tau2)
    mu = float(np.sum(w_re * y) / np.sum(w_re))
    mu_se = float(np.sqrt(1 / np.sum(w_re)))
    zc = _z(conf_level)
    zstat = mu / mu_se
    i2 = max(0.0, (q - df) / q) * 100 if q > 0 else 0.0
    pred_lo = pred_hi = None
    if k >= 3:
        t = float(stats.t.ppf(0.5 + conf_level / 2, k - 2))
        half = t * np.sqrt(tau2 + mu_se**2)
        pred_lo, pred_hi = mu - half, mu + half
    studies = pd.DataFrame(
        {"label": labels, "estimate": y, "std_error": se, "lower": y - zc * se, "upper": y + zc * se,
         "weight": 100 * w_re / w_re.sum(), "weight_fixed": 100 * w / w.sum()}
    )
    method = (
        f"Random-effects meta-analysis of {k} estimates, DerSimonian-Laird tau^2, inverse-variance "
        f"weights 1/(se^2 + tau^2), {_fmt_level(conf_level)} Wald interval; heterogeneity by Cochran's Q "
        "and I^2 (Higgins & Thompson 2002); prediction interval with t(k-2) (Higgins et al. 2009)."
    )
    return PooledResult(
        estimate=mu, std_error=mu_se, lower=mu - zc * mu_se, upper=mu + zc * mu_se, z=float(zstat),
        p_value=float(2 * stats.norm.sf(abs(zstat))), fixed_estimate=fixed, fixed_std_error=fixed_se,
        tau2=float(tau2), tau=float(np.sqrt(tau2)), q=q, q_df=df, q_p_value=float(stats.chi2.sf(q, df)),
        i2=float(i2), h2=float(q / df), prediction_lower=pred_lo, prediction_upper=pred_hi, k=k,
        studies=studies, conf_level=conf_level, method=method,
    )

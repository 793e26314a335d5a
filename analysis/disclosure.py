"""Disclosure control in one place: small counts never leave the product.

Every table, chart table and export goes through :func:`safe_table` (or, for finer control,
:func:`suppress_counts` followed by :func:`secondary_suppression`).

Rules
-----
- **Primary suppression.** A count from 1 to ``threshold - 1`` (1-4 with the default threshold of 5,
  Danish publication practice; :data:`analysis.constants.SUPPRESSION_THRESHOLD`) is replaced by a
  missing value, and so is every statistic built on it on the same row (rate, interval,
  percentage: the ``dependent_cols``), because ``rate x population`` would give the count back.
- **Zero is shown.** A count of 0 is not disclosive about any person (nobody is described), and
  hiding zeros would hide real "no events" results; zeros therefore stay visible.
- **Secondary suppression.** When a group of cells adds up to a published total (the 19
  municipalities of the region, the age bands of a municipality), a single hidden cell could be
  recovered as total minus the others. In every group with exactly one hidden cell, the next
  smallest visible cell is hidden too (a non-zero cell first; a zero cell only when no non-zero one
  is left; the group's total row when nothing else is left).
- **Flag and note.** Rows touched get ``suppressed = True`` and a note saying why; the table's
  ``attrs["disclosure"]`` records the threshold and the rule, so exports can print it.

References
----------
.. [1] Danmarks Statistik / Sundhedsdatastyrelsen: counts below 5 are not published
   ("diskretionering").
.. [2] ScotPHO / Public Health Scotland. Statistical disclosure control protocol (2019): primary
   suppression of small cells and secondary suppression so that they cannot be derived by
   subtraction.
.. [3] Hundepool A et al. Statistical disclosure control. Wiley; 2012, ch. 4 (cell suppression).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.constants import SUPPRESSION_THRESHOLD

__all__ = [
    "DisclosureError",
    "FLAG_COL",
    "NOTE_COL",
    "DEFAULT_DEPENDENT_COLS",
    "is_disclosive",
    "suppress_counts",
    "secondary_suppression",
    "safe_table",
    "assert_no_disclosive_counts",
]

FLAG_COL = "suppressed"  # row flag: something on this row was hidden for disclosure control
NOTE_COL = "suppression_note"  # why (primary: small count; secondary: protects another cell)
# Statistic columns the rate/proportion functions produce; hidden with their count by default.
DEFAULT_DEPENDENT_COLS = ("value", "lower", "upper")


class DisclosureError(ValueError):
    """A table would disclose a small count, or disclosure control was asked for something impossible."""


def _check_threshold(threshold: float) -> float:
    if not threshold >= 1:
        raise DisclosureError(f"threshold must be at least 1 (counts below it are hidden), got {threshold!r}.")
    return float(threshold)


def is_disclosive(values: pd.Series | np.ndarray, *, threshold: float = SUPPRESSION_THRESHOLD) -> np.ndarray:
    """True where a count is disclosive: greater than 0 and below ``threshold``.

    Parameters
    ----------
    values : pandas.Series or numpy.ndarray
        Counts; missing values are not disclosive.
    threshold : float, default ``SUPPRESSION_THRESHOLD`` (5)
        Smallest count that may be shown.

    Returns
    -------
    numpy.ndarray of bool

    References
    ----------
    .. [1] Danish publication practice: counts 1-4 are never published.
    """
    limit = _check_threshold(threshold)
    if isinstance(values, pd.Series) and pd.api.types.is_numeric_dtype(values.dtype):
        arr = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        arr = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return (arr > 0) & (arr < limit)


def _as_list(cols: str | Sequence[str] | None) -> list[str]:
    if cols is None:
        return []
    return [cols] if isinstance(cols, str) else list(cols)


def _check_columns(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DisclosureError(f"The table has no {what} column(s) {', '.join(map(str, missing))}.")


def _nullable(series: pd.Series) -> pd.Series:
    """A column that can hold a missing value; whole-number counts stay whole numbers (Int64)."""
    if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("Int64")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series
    return series.astype(object)


def _hide(df: pd.DataFrame, rows: np.ndarray, cols: Sequence[str]) -> None:
    """Blank ``cols`` on ``rows`` (a positional mask): NA in whole-number columns, NaN elsewhere."""
    rows = np.asarray(rows, dtype=bool)
    for col in cols:
        df[col] = _nullable(df[col]).mask(rows)  # one vectorised replacement per column


def _add_note(df: pd.DataFrame, rows: np.ndarray, text: str) -> None:
    current = df[NOTE_COL].to_numpy(dtype=object, copy=True)
    for i in np.flatnonzero(rows):
        current[i] = text if not current[i] else f"{current[i]}; {text}" if text not in current[i] else current[i]
    df[NOTE_COL] = current


def _prepare(df: pd.DataFrame, flag_col: str) -> pd.DataFrame:
    flag = (df[flag_col].fillna(False).to_numpy(dtype=bool) if flag_col in df.columns
            else np.zeros(len(df), dtype=bool))
    note = (df[NOTE_COL].fillna("").to_numpy(dtype=object) if NOTE_COL in df.columns
            else np.full(len(df), "", dtype=object))
    return df.assign(**{flag_col: flag, NOTE_COL: note})  # one copy with both columns


def suppress_counts(
    df: pd.DataFrame,
    *,
    count_cols: str | Sequence[str],
    dependent_cols: Sequence[str] = (),
    threshold: float = SUPPRESSION_THRESHOLD,
    flag_col: str = FLAG_COL,
) -> pd.DataFrame:
    """Primary suppression: hide counts from 1 to ``threshold - 1`` and what is built on them.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to publish; it is not modified.
    count_cols : str or sequence of str
        Columns holding counts of people or events (numerators and small denominators).
    dependent_cols : sequence of str, default ()
        Columns computed from those counts on the same row (rates, limits, percentages); they are
        hidden on every row where a count is hidden.
    threshold : float, default ``SUPPRESSION_THRESHOLD`` (5)
        Smallest count that may be shown. Zero counts are always shown.
    flag_col : str, default "suppressed"
        Boolean row flag added (or updated) to say the row has hidden cells.

    Returns
    -------
    pandas.DataFrame
        A copy with hidden cells as missing values (integer counts become nullable ``Int64``),
        ``flag_col`` and ``suppression_note`` columns, and ``attrs["disclosure"]``.

    References
    ----------
    .. [1] ScotPHO / Public Health Scotland. Statistical disclosure control protocol; Danish
       publication practice (counts 1-4 not published).
    """
    limit = _check_threshold(threshold)
    counts = _as_list(count_cols)
    dependents = [c for c in _as_list(dependent_cols) if c not in counts]
    _check_columns(df, counts, "count")
    _check_columns(df, dependents, "dependent")
    out = _prepare(df, flag_col)
    any_hidden = np.zeros(len(out), dtype=bool)
    for col in counts:
        hidden = is_disclosive(out[col], threshold=limit)
        if hidden.any():
            _hide(out, hidden, [col])
            _add_note(out, hidden, f"{col}: count below {limit:g} hidden")
        any_hidden |= hidden
    if any_hidden.any():
        _hide(out, any_hidden, dependents)
        out[flag_col] = out[flag_col].to_numpy() | any_hidden
    out.attrs["disclosure"] = {
        "threshold": limit,
        "rule": f"Counts from 1 to {limit - 1:g} are hidden, with the rates and percentages built on "
                "them; zero counts are shown.",
    }
    return out


def _total_mask(df: pd.DataFrame, total_row: Mapping[str, object] | None) -> np.ndarray:
    if not total_row:
        return np.zeros(len(df), dtype=bool)
    _check_columns(df, list(total_row), "total_row")
    mask = np.ones(len(df), dtype=bool)
    for col, label in total_row.items():
        mask &= (df[col] == label).to_numpy(dtype=bool, na_value=False)
    return mask


def secondary_suppression(
    df: pd.DataFrame,
    *,
    count_col: str,
    group_cols: Sequence[str] | Sequence[Sequence[str]],
    total_row: Mapping[str, object] | None = None,
    dependent_cols: Sequence[str] = (),
    threshold: float = SUPPRESSION_THRESHOLD,
    flag_col: str = FLAG_COL,
) -> pd.DataFrame:
    """Hide further cells so that no hidden count can be recovered as total minus the others.

    Primary suppression of ``count_col`` is applied first if it has not been (the function is
    idempotent). Then, within each group of cells that add up to a published total, a group with
    exactly one hidden cell gets its smallest other visible cell hidden as well: a non-zero cell if
    there is one, else a zero cell, else the group's total row. With several margins
    (``group_cols=[["year", "municipality_code"], ["year", "age_band"]]``) the rule is applied to
    each margin in turn until nothing changes.

    Parameters
    ----------
    df : pandas.DataFrame
        The table (raw or already through :func:`suppress_counts`); not modified.
    count_col : str
        The count column whose cells add up to the totals.
    group_cols : sequence of str, or sequence of sequences of str
        The columns that are constant within one additive group (e.g. ``["year", "sex"]`` when the
        municipalities of a year and sex add up to the region). A list of lists gives several margins.
    total_row : mapping of column to label, optional
        How to recognise a group's total row inside ``df`` (e.g. ``{"municipality_code": "region"}``);
        total rows are not counted as cells but are hidden as a last resort. Without it the total is
        assumed to be published elsewhere.
    dependent_cols : sequence of str, default ()
        Statistics on the same row, hidden together with the count.
    threshold : float, default ``SUPPRESSION_THRESHOLD`` (5)
        As for :func:`suppress_counts`.
    flag_col : str, default "suppressed"
        The row flag column.

    Returns
    -------
    pandas.DataFrame
        A copy with the extra hidden cells flagged and noted ("hidden to protect another cell").

    Notes
    -----
    Groups are protected one margin at a time; this prevents recovery by one subtraction, which is
    the attack the Danish and ScotPHO rules address. It is not an optimal (minimum-loss) cell
    suppression for linked multi-way tables.

    References
    ----------
    .. [1] ScotPHO / Public Health Scotland. Statistical disclosure control protocol (secondary
       suppression).
    .. [2] Hundepool A et al. Statistical disclosure control. Wiley; 2012, section 4.2.
    """
    margins: list[list[str]]
    if group_cols and not isinstance(group_cols[0], str):
        margins = [_as_list(g) for g in group_cols]  # type: ignore[arg-type]
    else:
        margins = [_as_list(group_cols)]  # type: ignore[arg-type]
    for margin in margins:
        _check_columns(df, margin, "group")
    dependents = [c for c in _as_list(dependent_cols) if c != count_col]
    out = suppress_counts(df, count_cols=[count_col], dependent_cols=dependents, threshold=threshold,
                          flag_col=flag_col)
    _secondary_in_place(out, count_col, margins, total_row, dependents, flag_col)
    return out


def _secondary_in_place(out: pd.DataFrame, count_col: str, margins: list[list[str]],
                        total_row: Mapping[str, object] | None, dependents: list[str], flag_col: str) -> None:
    """The body of :func:`secondary_suppression` on a table already through primary suppression."""
    is_total = _total_mask(out, total_row)
    changed = True
    while changed:
        changed = False
        for margin in margins:
            changed |= _protect_margin(out, count_col, margin, is_total, dependents, flag_col)


def _protect_margin(out: pd.DataFrame, count_col: str, margin: list[str], is_total: np.ndarray,
                    dependents: list[str], flag_col: str) -> bool:
    hidden = (out[count_col].isna().to_numpy() & out[flag_col].to_numpy(dtype=bool))
    if not hidden.any():  # nothing hidden: nothing to protect (the common case, so it skips the grouping)
        return False
    values = pd.to_numeric(out[count_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    positions = np.arange(len(out))
    groups = (pd.Series(positions).groupby([out[c].to_numpy() for c in margin], dropna=False).indices
              if margin else {(): positions})
    to_hide: list[int] = []
    for idx in groups.values():
        idx = np.asarray(idx)
        cells = idx[~is_total[idx]]
        if hidden[cells].sum() != 1:
            continue
        visible = cells[~hidden[cells] & ~np.isnan(values[cells])]
        nonzero = visible[values[visible] > 0]
        pool = nonzero if len(nonzero) else visible
        if len(pool):
            to_hide.append(int(pool[np.argmin(values[pool])]))
        else:
            totals = idx[is_total[idx] & ~hidden[idx]]
            to_hide.extend(int(t) for t in totals)
    if not to_hide:
        return False
    rows = np.zeros(len(out), dtype=bool)
    rows[to_hide] = True
    _hide(out, rows, [count_col, *dependents])
    out[flag_col] = out[flag_col].to_numpy() | rows
    _add_note(out, rows, f"{count_col}: hidden to protect another cell")
    return True


def assert_no_disclosive_counts(
    df: pd.DataFrame,
    *,
    count_cols: str | Sequence[str],
    threshold: float = SUPPRESSION_THRESHOLD,
) -> None:
    """Raise :class:`DisclosureError` if any count from 1 to ``threshold - 1`` is visible.

    Parameters
    ----------
    df : pandas.DataFrame
        A table about to be shown or exported.
    count_cols : str or sequence of str
        The count columns to check.
    threshold : float, default ``SUPPRESSION_THRESHOLD`` (5)
        Smallest count that may be shown.

    References
    ----------
    .. [1] Danish publication practice: counts 1-4 are never published.
    """
    cols = _as_list(count_cols)
    _check_columns(df, cols, "count")
    for col in cols:
        bad = is_disclosive(df[col], threshold=threshold)
        if bad.any():
            raise DisclosureError(
                f"Column {col} would show {int(bad.sum())} count(s) below {threshold:g}; pass the table "
                "through disclosure.safe_table first."
            )


def safe_table(
    df: pd.DataFrame,
    *,
    count_cols: str | Sequence[str],
    dependent_cols: Sequence[str] | None = None,
    group_cols: Sequence[str] | Sequence[Sequence[str]] | None = None,
    total_row: Mapping[str, object] | None = None,
    threshold: float = SUPPRESSION_THRESHOLD,
) -> pd.DataFrame:
    """The one entry point for every table and export: primary and secondary suppression, checked.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to show or export; not modified.
    count_cols : str or sequence of str
        Count columns (numerators, and denominators that are counts of people).
    dependent_cols : sequence of str, optional
        Statistics built on the counts (hidden with them). Default: whichever of
        ``value``, ``lower``, ``upper`` exist (the columns :mod:`analysis.rates` produces).
    group_cols : sequence of str, or sequence of sequences, optional
        Additive groups for secondary suppression (see :func:`secondary_suppression`); without
        them only primary suppression is applied (right for tables whose totals are not shown).
    total_row : mapping, optional
        How to recognise total rows inside ``df`` (see :func:`secondary_suppression`).
    threshold : float, default ``SUPPRESSION_THRESHOLD`` (5)
        Smallest count that may be shown.

    Returns
    -------
    pandas.DataFrame
        The protected copy, with ``suppressed`` / ``suppression_note`` columns and
        ``attrs["disclosure"]``.

    Raises
    ------
    DisclosureError
        When a column is missing, or (as a last check) when a small count would still be visible.

    References
    ----------
    .. [1] ScotPHO / Public Health Scotland. Statistical disclosure control protocol.
    """
    counts = _as_list(count_cols)
    if dependent_cols is None:
        dependents = [c for c in DEFAULT_DEPENDENT_COLS if c in df.columns and c not in counts]
    else:
        dependents = [c for c in _as_list(dependent_cols) if c not in counts]
    out = suppress_counts(df, count_cols=counts, dependent_cols=dependents, threshold=threshold)
    if group_cols is not None:
        margins = ([_as_list(g) for g in group_cols] if group_cols and not isinstance(group_cols[0], str)
                   else [_as_list(group_cols)])
        for margin in margins:
            _check_columns(out, margin, "group")
        for col in counts:  # primary suppression is done: the secondary rule works on that copy
            _secondary_in_place(out, col, margins, total_row, [c for c in dependents if c != col], FLAG_COL)
    assert_no_disclosive_counts(out, count_cols=counts, threshold=threshold)
    return out

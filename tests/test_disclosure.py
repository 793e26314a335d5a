"""Tests for analysis.disclosure: no count from 1 to threshold - 1 ever leaves the product."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import disclosure, rates
from analysis.constants import SUPPRESSION_THRESHOLD
from analysis.disclosure import DisclosureError


def _table() -> pd.DataFrame:
    df = pd.DataFrame({
        "year": [2019] * 4 + [2020] * 4,
        "municipality_code": ["741", "751", "730", "727"] * 2,
        "count": [3, 40, 12, 0, 20, 30, 1, 2],
        "population": [1300, 60_000, 18_000, 4_500] * 2,
    })
    return pd.concat([df, rates.crude_rate(df["count"], df["population"])[["value", "lower", "upper"]]], axis=1)


def test_primary_suppression_hides_small_counts_and_their_rates():
    out = disclosure.suppress_counts(_table(), count_cols="count", dependent_cols=["value", "lower", "upper"])
    hidden = out["count"].isna()
    assert hidden.tolist() == [True, False, False, False, False, False, True, True]
    assert out.loc[hidden, ["value", "lower", "upper"]].isna().all(axis=None)
    assert out.loc[~hidden, ["value", "lower", "upper"]].notna().all(axis=None)
    assert out["suppressed"].tolist() == hidden.tolist()
    assert out.loc[0, "suppression_note"] == "count: count below 5 hidden"
    assert "zero counts are shown" in out.attrs["disclosure"]["rule"]


def test_zero_counts_are_shown():
    out = disclosure.suppress_counts(_table(), count_cols="count", dependent_cols=["value"])
    assert out.loc[3, "count"] == 0 and out.loc[3, "value"] == 0 and not out.loc[3, "suppressed"]


def test_integer_counts_stay_whole_numbers():
    out = disclosure.suppress_counts(_table(), count_cols="count")
    assert str(out["count"].dtype) == "Int64"
    assert out["count"].dropna().tolist() == [40, 12, 0, 20, 30]


def test_input_is_not_modified():
    df = _table()
    before = df.copy()
    disclosure.safe_table(df, count_cols="count", group_cols=["year"])
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_threshold_is_configurable(threshold):
    out = disclosure.suppress_counts(pd.DataFrame({"n": list(range(0, 12))}), count_cols="n", threshold=threshold)
    visible = out["n"].dropna().tolist()
    assert visible == [0, *range(threshold, 12)]


def test_default_threshold_is_the_product_constant():
    assert SUPPRESSION_THRESHOLD == 5
    out = disclosure.safe_table(pd.DataFrame({"n": [4, 5]}), count_cols="n")
    assert out["n"].isna().tolist() == [True, False]


def test_secondary_suppression_protects_a_single_hidden_cell():
    out = disclosure.safe_table(_table(), count_cols="count", group_cols=["year"])
    # 2019: 741 (3) is the only hidden cell; the next smallest non-zero cell (730: 12) is hidden too,
    # not the zero of 727 (a zero cell does not protect when zeros are known to be zeros).
    y2019 = out[out["year"] == 2019].set_index("municipality_code")
    assert y2019["count"].isna().to_dict() == {"741": True, "751": False, "730": True, "727": False}
    assert y2019.loc["730", "suppression_note"] == "count: hidden to protect another cell"
    assert np.isnan(y2019.loc["730", "value"])
    # 2020: two cells are already hidden (1 and 2), so nothing more is needed.
    y2020 = out[out["year"] == 2020]
    assert y2020["count"].isna().sum() == 2


def test_secondary_suppression_uses_the_total_row_as_last_resort():
    df = pd.DataFrame({"area": ["a", "a", "a"], "sex": ["F", "M", "total"], "count": [3, 0, 3]})
    out = disclosure.secondary_suppression(df, count_col="count", group_cols=["area"], total_row={"sex": "total"})
    # F (3) hidden; the only other cell is a zero, which is hidden as the best remaining choice.
    assert out["count"].isna().tolist() == [True, True, True]  # the total (3) is itself small


def test_secondary_suppression_over_several_margins():
    df = pd.DataFrame({
        "mun": ["a", "a", "b", "b"], "age": ["65-79", "80+", "65-79", "80+"], "count": [2, 50, 60, 70],
    })
    out = disclosure.secondary_suppression(df, count_col="count", group_cols=[["mun"], ["age"]])
    # hiding (a, 65-79) forces (a, 80+) within municipality a and (b, 65-79) within age 65-79, which
    # in turn forces (b, 80+): every margin then has 0 or 2 hidden cells.
    assert out["count"].isna().all()


def test_safe_table_default_dependents_and_last_check():
    out = disclosure.safe_table(_table(), count_cols="count")
    assert out.loc[0, ["value", "lower", "upper"]].isna().all()
    with pytest.raises(DisclosureError, match="below 5"):
        disclosure.assert_no_disclosive_counts(_table(), count_cols="count")


@pytest.mark.parametrize(("call", "message"), [
    (lambda: disclosure.suppress_counts(_table(), count_cols="cases"), "no count column"),
    (lambda: disclosure.suppress_counts(_table(), count_cols="count", threshold=0), "at least 1"),
    (lambda: disclosure.secondary_suppression(_table(), count_col="count", group_cols=["region"]), "no group column"),
])
def test_errors(call, message):
    with pytest.raises(DisclosureError, match=message):
        call()


# --- properties -----------------------------------------------------------------------------------------

cell_counts = st.lists(st.integers(0, 40), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None)
@given(groups=st.lists(cell_counts, min_size=1, max_size=6), threshold=st.integers(2, 11))
def test_no_small_count_ever_leaves_and_no_hidden_cell_is_recoverable(groups, threshold):
    rows = [{"group": g, "cell": c, "count": n, "population": 1000}
            for g, cells in enumerate(groups) for c, n in enumerate(cells)]
    df = pd.DataFrame(rows)
    df["value"] = df["count"] / df["population"] * 1000
    out = disclosure.safe_table(df, count_cols="count", group_cols=["group"], threshold=threshold)

    shown = out["count"].dropna().astype(float)
    assert not ((shown > 0) & (shown < threshold)).any()  # primary: never a count 1..threshold-1
    assert out.loc[out["count"].isna(), "value"].isna().all()  # the rate goes with its count
    for _, group in out.groupby("group"):
        hidden = group["count"].isna()
        # total minus the visible cells equals the sum of the hidden cells: that recovers a hidden
        # cell exactly only when exactly one cell is hidden.
        original_total = df.loc[group.index, "count"].sum()
        # a group of one hidden cell is safe only because its total is itself small (and so hidden
        # wherever it is published)
        assert hidden.sum() != 1 or 0 < original_total < threshold
        original = df.loc[group.index, "count"]
        if hidden.sum() >= 2:
            assert original[hidden].sum() == original.sum() - group.loc[~hidden, "count"].sum()


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.one_of(st.integers(0, 100), st.floats(0, 100, allow_nan=False), st.none()),
                       min_size=1, max_size=30))
def test_primary_suppression_property(counts):
    df = pd.DataFrame({"n": pd.array(counts, dtype="Float64")})
    out = disclosure.suppress_counts(df, count_cols="n")
    values = out["n"].to_numpy(dtype=float, na_value=np.nan)
    assert not np.any((values > 0) & (values < SUPPRESSION_THRESHOLD))
    kept = ~np.isnan(values)
    np.testing.assert_array_equal(values[kept], df["n"].to_numpy(dtype=float, na_value=np.nan)[kept])

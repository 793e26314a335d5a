"""The page "Aftalens effekt" renders (Streamlit AppTest): every method, one municipality, English, no data,
and an analysis error shown as a plain sentence.

Runtime (2-core machine, demo scale 0.02, OPENBLAS_NUM_THREADS=1): about a minute, most of it the synthetic
control (its placebo fits and sensitivity analyses, about 35 s); the fits are cached per process, so the
municipality and English runs reuse them.
"""
from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import SIDEBAR_KEYS, select

from analysis import agreement
from analysis.i18n import t

APP = str(Path(__file__).parent.parent / "app.py")
PAGE = "pages/effect.py"
SMALLEST = 741  # Samsø: the smallest of the 19, with months of 1-4 events


pytestmark = pytest.mark.usefixtures("app_environment")  # tests/conftest.py: full tracebacks, navigation only


def open_page(monkeypatch, db: Path, **state) -> AppTest:
    monkeypatch.setenv("AKUTINDBLIK_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=180)  # the synthetic control takes about 35 s uncached
    at.run()
    for key, value in state.items():
        if key in SIDEBAR_KEYS:
            select(at, **{key: value})
        else:
            at.session_state[key] = value
    return at.switch_page(PAGE).run()


def assert_ok(at: AppTest) -> None:
    assert not at.exception, "\n\n".join(e.message + "\n" + "\n".join(e.stack_trace) for e in at.exception)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def values(data) -> np.ndarray:
    """A trace's values, whether a list or plotly's typed array ({"dtype": ..., "bdata": base64})."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).astype(float)
    return np.array([np.nan if v is None else v for v in data], dtype=float)


@pytest.mark.parametrize("method", agreement.METHODS)
def test_page_renders_every_method(monkeypatch, demo_db, method):
    at = open_page(monkeypatch, demo_db, effekt_method=method)
    assert_ok(at)
    assert at.title[0].value == t("ef_title", "da")
    boxes = [b.value for b in (*at.success, *at.warning)]
    assert any("Region Midtjylland" in b for b in boxes), "no plain-language summary"
    titles = [c["layout"]["title"]["text"] for c in charts(at)]
    assert len(titles) == 3, titles  # counterfactual, forest, burn-down
    assert all(titles), "every chart has a title"
    sens = next(d.value for d in at.dataframe if t("ef_col_verdict", "da") in d.value.columns)
    assert len(sens) == 6
    verdicts = list(sens[t("ef_col_verdict", "da")])
    assert sum(v.startswith("Placebo") for v in verdicts) == 2
    if method == "sc":
        assert t("ef_warn_sc", "da") in [w.value for w in at.warning]


def test_page_for_one_small_municipality_hides_small_counts(monkeypatch, demo_db):
    at = open_page(monkeypatch, demo_db, effekt_unit=SMALLEST)
    assert_ok(at)
    boxes = " ".join(b.value for b in (*at.success, *at.warning))
    assert "Samsø" in boxes
    cf = charts(at)[0]
    observed = next(tr for tr in cf["data"] if tr.get("mode") == "markers")
    shown = values(observed["y"])
    assert np.isfinite(shown).any() and not ((shown >= 1) & (shown < 5)).any(), "a count from 1 to 4 reached the chart"
    at.session_state["effect_counterfactual_table"] = True  # open the expander with the table behind the chart
    at.run()
    table = at.dataframe[0].value
    assert not table["observed"].dropna().between(1, 4).any()
    hidden = int(table["suppressed"].sum())
    assert hidden > 0  # Samsø at demo scale 0.02 has months of 1-4 events: the page says so
    assert t("ef_hidden_months", "da", n=hidden, total=len(table), unit="Samsø") in [i.value for i in at.info]


def test_page_in_english(monkeypatch, demo_db):
    at = open_page(monkeypatch, demo_db, lang="en")
    assert_ok(at)
    assert at.title[0].value == t("ef_title", "en")
    assert any("estimated change" in b.value for b in (*at.success, *at.warning))


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_page_without_data_says_so(monkeypatch, tmp_path, kind):
    db = tmp_path / "db.duckdb"
    if kind == "empty":
        duckdb.connect(str(db)).close()  # a database file with no tables
    at = open_page(monkeypatch, db)
    assert_ok(at)
    assert t("no_db_title", "da") in " ".join(i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_an_analysis_error_is_a_plain_warning(monkeypatch, demo_db, tmp_path):
    db = tmp_path / "copy.duckdb"  # a new path: a new cache key, so the patched analysis is called
    shutil.copy(demo_db, db)

    def fail(*args, **kwargs):
        raise agreement.AgreementError("There are no aggregate data to analyse; load extracts or the demo first.")

    monkeypatch.setattr(agreement, "analyse", fail)
    at = open_page(monkeypatch, db)
    assert_ok(at)
    assert any("no aggregate data" in w.value for w in at.warning)
    assert not at.get("plotly_chart")

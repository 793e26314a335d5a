"""The dashboard pages render (Streamlit AppTest) on an empty and on a loaded database."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.ingest import load_files
from tests.conftest import INGEST_FIXTURES as FX

APP = str(Path(__file__).parent.parent / "app.py")


def run_app(monkeypatch, db: Path, **query) -> AppTest:
    monkeypatch.setenv("AKUTINDBLIK_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    return at.switch_page("pages/data.py").run()


def test_data_page_without_a_database_says_how_to_load_data(monkeypatch, tmp_path):
    at = run_app(monkeypatch, tmp_path / "missing.duckdb")
    assert not at.exception
    text = " ".join(i.value for i in at.info)
    assert "python -m analysis ingest" in text and "Der er ingen data endnu" in text


def test_data_page_shows_deliveries_counts_and_quarantine(monkeypatch, tmp_path):
    db = tmp_path / "db.duckdb"
    load_files([FX / "good_admissions_utf8.csv", FX / "bad_age_out_of_range.csv"], db_path=db)
    at = run_app(monkeypatch, db)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Kontakter (indlæggelser)"] == "2"  # A1, A2; the third row (age 130) is quarantined
    frames = [d.value for d in at.dataframe]
    deliveries = frames[0]
    assert set(deliveries["file_name"]) == {"good_admissions_utf8.csv", "bad_age_out_of_range.csv"}
    assert (deliveries["n_read"] == deliveries["n_loaded"] + deliveries["n_quarantined"]).all()
    assert "age_out_of_range" in set(frames[1]["reason_code"])


@pytest.mark.parametrize("lang,heading", [("da", "Data: leverancer og kvalitet"), ("en", "Data: deliveries and quality")])
def test_language_switch(monkeypatch, tmp_path, lang, heading):
    db = tmp_path / "db.duckdb"
    load_files([FX / "good_admissions_utf8.csv"], db_path=db)
    at = run_app(monkeypatch, db, lang=lang)
    assert not at.exception
    assert at.title[0].value == heading

"""Shared test fixtures."""
from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
INGEST_FIXTURES = FIXTURES / "ingest"
NOW = "2026-01-01 00:00:00"  # a fixed load time so that "future date" tests do not age


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Path of a fresh (not yet existing) database file."""
    return tmp_path / "test.duckdb"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small national demo database (scale 0.02, about 10 s to build), built once per test session."""
    from analysis.synthetic import run_demo

    root = tmp_path_factory.mktemp("demo")
    db_path = root / "demo.duckdb"
    run_demo(db_path=db_path, out_dir=root / "files", scale=0.02, progress=False)
    return db_path


SIDEBAR_KEYS = {"f_period", "f_area", "f_munis", "f_age", "f_sex", "f_definition", "f_groups", "f_std", "f_stdpop",
                "lang"}


def select(at, **values):
    """Change the shared sidebar selection of an AppTest session, as a user's clicks would (the widgets are
    drawn from ``st.session_state['_selection']``, see pages/_shared.py)."""
    selection = dict(at.session_state["_selection"])
    selection.update(values)
    at.session_state["_selection"] = selection
    return at

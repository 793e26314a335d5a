"""Shared test fixtures."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1.util import patch_config_options

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


@pytest.fixture
def app_environment():
    """Full tracebacks, and st.navigation as the only page registry, for AppTests of the whole app.

    With a ``pages/`` folder next to app.py, Streamlit starts every process in its legacy "pages
    directory" mode until the first ``st.navigation`` call; AppTest resets that flag before each run,
    so ``switch_page("pages/data.py")`` (url_path ``data`` equals the file name) would run the page on
    its own, without app.py and its sidebar. The app always calls ``st.navigation``, so we set the
    flag the way ``st.navigation`` does.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    try:
        with patch_config_options({"client.showErrorDetails": "full"}):
            yield
    finally:
        PagesManager.__init__ = original

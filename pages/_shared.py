"""Helpers shared by the page files: the cached read-only database connection."""
from __future__ import annotations

import duckdb
import streamlit as st

from analysis import store


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(db: str, signature: tuple[int, int]) -> duckdb.DuckDBPyConnection:
    return store.connect_readonly(db)


def connection(db: str) -> duckdb.DuckDBPyConnection | None:
    """One read-only connection per process and database version; None when there is no database.

    Keyed on the file's signature, so after a load swaps in a new file the next rerun opens it, while
    sessions already running keep the connection they have (the old file stays readable until closed).
    """
    signature = store.db_signature(db)
    if signature is None:
        return None
    return _connection(db, signature)

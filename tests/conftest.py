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

"""Constants that carry meaning, in one place, each with the reason it has the value it has.

Everything here is referenced by ingest, derived tables, statistics and pages; change a value here and
the whole product follows. Dates are ISO strings so that they can be passed to SQL as parameters.
"""
from __future__ import annotations

from pathlib import Path

# --- Locations -------------------------------------------------------------------------------------
PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"  # shipped reference data (versioned CSV)
DEFAULT_MAPPING_FILE = PROJECT_ROOT / "data" / "mapping" / "default.toml"  # common Danish column names
GENERATED_DIR = PROJECT_ROOT / "data" / "generated"  # ignored by git: demo extracts, local databases
DEFAULT_DB_PATH = GENERATED_DIR / "akutindblik.duckdb"  # what `make run` and the CLI use by default

# --- Episode construction (Sundhedsdatastyrelsen's consistent LPR2/LPR3 admission definition) --------
TRANSFER_GAP_HOURS = 4  # contacts at most 4 h apart (or overlapping) form one stay: transfers count once
MIN_ADMISSION_HOURS = 12  # a stay of at least 12 h is an "admission"; shorter stays are short contacts
OPEN_STAY_SUSPECT_DAYS = 90  # a somatic stay still open this long before the data end: probably a missing discharge

# --- Indicators -------------------------------------------------------------------------------------
AVOIDABLE_MIN_AGE = 65  # the national preventable-admissions indicator covers citizens aged 65+
READMISSION_WINDOW_DAYS = 30  # acute readmission: start 0-30 days after the index discharge
ACUTE_BED_LINK_DAYS = (7, 30)  # hospital admissions within 7 and 30 days after a municipal acute-bed stay
SUPPRESSION_THRESHOLD = 5  # counts 1-4 are never shown or exported (Danish publication practice)

# --- The advisory agreement (Region Midtjylland's announcement, 20 June 2019) ------------------------
AGREEMENT_ID = "gp_advice_2019"
AGREEMENT_START = "2019-09-01"
AGREEMENT_END = "2020-12-31"
MIDTJYLLAND = "Region Midtjylland"

# --- Ingest ---------------------------------------------------------------------------------------------
MIN_AGE, MAX_AGE = 0, 120  # plausible age in whole years; outside → quarantine
PROGRESS_MIN_ROWS = 100_000  # show a progress bar for files above about this many rows
CPR_REPORT_MAX_ROWS = 10  # how many row numbers a CPR refusal lists (never the values)

# European Standard Population 2013 age bands: (label, first age, last age); 90+ runs to MAX_AGE.
AGE_BANDS = [(f"{a}-{a + 4}", a, a + 4) for a in range(0, 90, 5)] + [("90+", 90, MAX_AGE)]
AGE_BAND_STARTS = [b[1] for b in AGE_BANDS]


def db_path_from_env() -> Path:
    """The database the app reads: ``$AKUTINDBLIK_DB`` if set, else the default generated database."""
    import os

    return Path(os.environ.get("AKUTINDBLIK_DB", DEFAULT_DB_PATH))

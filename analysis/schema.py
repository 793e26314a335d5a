"""The data contract: canonical columns of each extract and the DuckDB tables they land in.

See ``PRODUCT.md`` ("Canonical columns"). A mapping file (``data/mapping/default.toml`` plus an optional
user file) renames a source's own column names and codes onto these before validation.

Kinds of extract
----------------
``admissions``  one row per hospital contact (admission or transfer leg)
``discharges``  the end of each contact, joined on ``admission_id``
``acute_bed_stays``  municipal acute-function stays (bed or home)
``population``  population by year x municipality x sex x age (whole years or 5-year bands)
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, parsed type and whether a file must have it."""

    name: str
    type: str  # one of: text, code (municipality), sex, int, timestamp, diagnosis, enum, number
    required: bool = True
    values: tuple[str, ...] = ()  # allowed values for enum columns (after mapping)
    nullable: bool = False  # may a present column be empty in a row?


@dataclass(frozen=True)
class Kind:
    """One kind of extract: its columns, its key and the table it lands in."""

    name: str
    table: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    # columns whose presence identifies this kind when recognising a file
    signature: tuple[str, ...] = field(default=())

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


DISCHARGE_DESTINATIONS = ("home", "home_care", "acute_bed", "nursing_home", "other_hospital", "death", "other")
STAY_REFERRAL_SOURCES = ("gp", "out_of_hours", "hospital", "home_care", "other")
STAY_OUTCOMES = ("home", "hospital", "death", "other")

ADMISSIONS = Kind(
    name="admissions",
    table="admissions",
    key=("admission_id",),
    signature=("admission_id", "admitted_at", "primary_diagnosis"),
    columns=(
        Column("admission_id", "text"),
        Column("person_id", "text"),
        Column("municipality_code", "code"),
        Column("sex", "sex"),
        Column("age", "int"),
        Column("admitted_at", "timestamp"),
        Column("admission_type", "enum", values=("acute", "planned")),
        Column("primary_diagnosis", "diagnosis"),
        Column("hospital_code", "text", required=False, nullable=True),
        Column("secondary_diagnoses", "text", required=False, nullable=True),
        Column("referral_source", "text", required=False, nullable=True),
    ),
)

DISCHARGES = Kind(
    name="discharges",
    table="discharges",
    key=("admission_id",),
    signature=("admission_id", "discharged_at"),
    columns=(
        Column("admission_id", "text"),
        Column("discharged_at", "timestamp"),
        Column("ready_for_discharge_at", "timestamp", required=False, nullable=True),
        Column("discharge_destination", "enum", values=DISCHARGE_DESTINATIONS),
    ),
)

ACUTE_BED_STAYS = Kind(
    name="acute_bed_stays",
    table="acute_bed_stays",
    key=("stay_id",),
    signature=("stay_id", "started_at"),
    columns=(
        Column("stay_id", "text"),
        Column("person_id", "text"),
        Column("municipality_code", "code"),
        Column("started_at", "timestamp"),
        Column("ended_at", "timestamp", nullable=True),  # empty while the stay is ongoing
        Column("setting", "enum", values=("bed", "home")),
        Column("referral_source", "enum", values=STAY_REFERRAL_SOURCES),
        Column("gp_advice_contacts", "int"),
        Column("outcome", "enum", values=STAY_OUTCOMES, nullable=True),  # empty while ongoing
        # Optional extension of the contract: lets "stays per 1,000 aged 65+" be computed by age.
        Column("age", "int", required=False, nullable=True),
        Column("sex", "sex", required=False, nullable=True),
    ),
)

POPULATION = Kind(
    name="population",
    table="population",
    key=("year", "municipality_code", "sex", "age_from"),
    signature=("year", "population"),
    columns=(
        Column("year", "int"),
        Column("municipality_code", "code"),
        Column("sex", "sex"),
        Column("age", "age_band"),  # whole years ("67") or a 5-year band ("65-69", "90+")
        Column("population", "number"),
    ),
)

KINDS: dict[str, Kind] = {k.name: k for k in (ADMISSIONS, DISCHARGES, ACUTE_BED_STAYS, POPULATION)}
# Load order inside one delivery: discharges are checked against admissions of the same delivery.
LOAD_ORDER = ("population", "admissions", "discharges", "acute_bed_stays")

# Row-level problems: a row with any of these lands in the quarantine table, never silently dropped.
QUARANTINE_REASONS = {
    "missing_value": "a required value is empty",
    "unparseable_date": "a date or time that cannot be read",
    "unparseable_number": "a number that cannot be read (or is not a whole number where one is needed)",
    "invalid_value": "a code outside the allowed values (after mapping)",
    "invalid_sex": "sex is not F/M (K accepted)",
    "unknown_municipality": "not one of the 98 municipality codes",
    "age_out_of_range": "age outside 0-120",
    "invalid_diagnosis": "not an ICD-10/SKS diagnosis code",
    "future_date": "a date after the time of loading",
    "end_before_start": "discharge (or stay end) before admission (or stay start)",
    "ready_outside_stay": "ready-for-discharge time outside the admission",
    "discharge_without_admission": "no admission with this admission_id is loaded or in the delivery",
    "conflicting_duplicate": "the same id more than once in the delivery with different content",
    "duplicate_row": "an exact repeat of an earlier row of the delivery (kept once)",
    "invalid_age_band": "population age is neither a whole year nor a 5-year band",
    "total_row": "a total row of a Statistics Denmark export (Hele landet, I alt, a region), skipped so nothing counts twice",
    "malformed_line": "a CSV line with the wrong number of fields or broken quoting",
}

# DuckDB tables holding the loaded (valid) rows. Every row remembers the delivery that last wrote it.
DDL = """
CREATE TABLE IF NOT EXISTS deliveries (
    delivery_id   INTEGER PRIMARY KEY,
    batch_id      INTEGER NOT NULL,       -- one CLI call / load_files() call
    path          VARCHAR NOT NULL,
    file_name     VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    kind          VARCHAR,
    loaded_at     TIMESTAMP NOT NULL,
    n_read        BIGINT NOT NULL,
    n_loaded      BIGINT NOT NULL,
    n_quarantined BIGINT NOT NULL,
    n_replaced    BIGINT NOT NULL,        -- rows that corrected rows of an earlier delivery
    refused       BOOLEAN NOT NULL,
    message       VARCHAR
);
CREATE TABLE IF NOT EXISTS quarantine (
    delivery_id INTEGER NOT NULL,
    file_name   VARCHAR NOT NULL,
    line        BIGINT,                   -- line in the file (header = line 1) or sheet row
    record_id   VARCHAR,                  -- the row's id (admission_id, stay_id, ...) when readable
    "column"    VARCHAR,
    reason_code VARCHAR NOT NULL,         -- stable code, see QUARANTINE_REASONS
    reason      VARCHAR NOT NULL          -- one sentence a data manager can act on
);
CREATE TABLE IF NOT EXISTS admissions (
    admission_id        VARCHAR NOT NULL,     -- unique: enforced by the loader (no index: faster loads)
    person_id           VARCHAR NOT NULL,
    municipality_code   SMALLINT NOT NULL,
    sex                 VARCHAR NOT NULL,     -- 'F' / 'M'
    age                 SMALLINT NOT NULL,
    admitted_at         TIMESTAMP NOT NULL,
    admission_type      VARCHAR NOT NULL,     -- 'acute' / 'planned'
    primary_diagnosis   VARCHAR NOT NULL,     -- normalised SKS form, e.g. 'DJ189'
    hospital_code       VARCHAR,
    secondary_diagnoses VARCHAR,
    referral_source     VARCHAR,
    delivery_id         INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS discharges (
    admission_id           VARCHAR NOT NULL,  -- unique, enforced by the loader
    discharged_at          TIMESTAMP NOT NULL,
    ready_for_discharge_at TIMESTAMP,
    discharge_destination  VARCHAR NOT NULL,
    delivery_id            INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS acute_bed_stays (
    stay_id            VARCHAR NOT NULL,      -- unique, enforced by the loader
    person_id          VARCHAR NOT NULL,
    municipality_code  SMALLINT NOT NULL,
    started_at         TIMESTAMP NOT NULL,
    ended_at           TIMESTAMP,
    setting            VARCHAR NOT NULL,
    referral_source    VARCHAR NOT NULL,
    gp_advice_contacts INTEGER NOT NULL,
    outcome            VARCHAR,
    age                SMALLINT,
    sex                VARCHAR,
    delivery_id        INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS population (
    year              SMALLINT NOT NULL,
    municipality_code SMALLINT NOT NULL,
    sex               VARCHAR NOT NULL,
    age_from          SMALLINT NOT NULL,
    age_to            SMALLINT NOT NULL,      -- inclusive; 90+ is stored as 90-120
    population        DOUBLE NOT NULL,
    delivery_id       INTEGER NOT NULL,
    PRIMARY KEY (year, municipality_code, sex, age_from)
);
"""

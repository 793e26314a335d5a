"""Every text the interface shows, in Danish (default) and English, and number formatting per language.

Pages never hard-code a visible string: they call :func:`t`. A test checks that every key has both
languages.
"""
from __future__ import annotations

from babel.numbers import format_decimal

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
_LOCALE = {"da": "da_DK", "en": "en_GB"}

TEXTS: dict[str, dict[str, str]] = {
    "app_title": {"da": "Akutindblik", "en": "Akutindblik"},
    "app_subtitle": {
        "da": "Forebyggelige akutte indlæggelser i Region Midtjylland og effekten af rådgivningsaftalen",
        "en": "Avoidable acute admissions in Region Midtjylland and the effect of the advisory agreement",
    },
    "language": {"da": "Sprog", "en": "Language"},
    "page_data": {"da": "Data", "en": "Data"},
    "data_title": {"da": "Data: leverancer og kvalitet", "en": "Data: deliveries and quality"},
    "data_intro": {
        "da": "Hvad er indlæst, hvor mange rækker, og hvilke rækker er sat i karantæne og hvorfor. "
              "Hver læst række er enten indlæst eller i karantæne: læst = indlæst + karantæne.",
        "en": "What is loaded, how many rows, and which rows were quarantined and why. "
              "Every row read is either loaded or quarantined: read = loaded + quarantined.",
    },
    "no_db_title": {"da": "Der er ingen data endnu", "en": "There is no data yet"},
    "no_db_body": {
        "da": "Databasen `{db}` findes ikke eller er tom. Indlæs udtræk med\n\n"
              "`python -m analysis ingest --db {db} MAPPE_ELLER_FILER`\n\n"
              "eller byg demodata med `python -m analysis demo --db {db}` (det gør `make run` automatisk).",
        "en": "The database `{db}` does not exist or is empty. Load extracts with\n\n"
              "`python -m analysis ingest --db {db} FOLDER_OR_FILES`\n\n"
              "or build the demo data with `python -m analysis demo --db {db}` (`make run` does this for you).",
    },
    "rows_per_table": {"da": "Rækker pr. tabel", "en": "Rows per table"},
    "table_admissions": {"da": "Kontakter (indlæggelser)", "en": "Contacts (admissions)"},
    "table_discharges": {"da": "Udskrivninger", "en": "Discharges"},
    "table_acute_bed_stays": {"da": "Ophold i akutfunktion", "en": "Acute-bed stays"},
    "table_population": {"da": "Befolkningsrækker", "en": "Population rows"},
    "deliveries": {"da": "Leverancer", "en": "Deliveries"},
    "deliveries_caption": {
        "da": "Én række pr. indlæst fil, nyeste først. Samme fil to gange ændrer intet; "
              "rettede rækker tæller som 'rettet'.",
        "en": "One row per loaded file, newest first. The same file twice changes nothing; "
              "corrected rows count as 'replaced'.",
    },
    "quarantine": {"da": "Karantæne", "en": "Quarantine"},
    "quarantine_caption": {
        "da": "Rækker der ikke er indlæst, med fil, linje, kolonne og årsag. Ret kilden og lever igen.",
        "en": "Rows not loaded, with file, line, column and reason. Fix the source and deliver again.",
    },
    "quarantine_none": {"da": "Ingen rækker i karantæne.", "en": "No quarantined rows."},
    "quarantine_by_reason": {"da": "Karantæne pr. fil og årsag", "en": "Quarantine by file and reason"},
    "quarantine_rows": {"da": "De første rækker i karantæne", "en": "First quarantined rows"},
    "col_file": {"da": "Fil", "en": "File"},
    "col_kind": {"da": "Type", "en": "Kind"},
    "col_loaded_at": {"da": "Indlæst", "en": "Loaded at"},
    "col_read": {"da": "Læst", "en": "Read"},
    "col_loaded": {"da": "Indlæst", "en": "Loaded"},
    "col_quarantined": {"da": "Karantæne", "en": "Quarantined"},
    "col_replaced": {"da": "Rettet", "en": "Replaced"},
    "col_message": {"da": "Besked", "en": "Message"},
    "col_reason": {"da": "Årsag", "en": "Reason"},
    "col_reason_code": {"da": "Årsagskode", "en": "Reason code"},
    "col_column": {"da": "Kolonne", "en": "Column"},
    "col_line": {"da": "Linje", "en": "Line"},
    "col_record": {"da": "Id", "en": "Id"},
    "col_rows": {"da": "Rækker", "en": "Rows"},
    "col_table": {"da": "Tabel", "en": "Table"},
    "col_batch": {"da": "Kørsel", "en": "Batch"},
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fmt: object) -> str:
    """The text for ``key`` in ``lang`` (falls back to Danish), with ``{name}`` fields filled from ``fmt``."""
    entry = TEXTS[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**fmt) if fmt else text


def fmt_number(value: float | int, lang: str = DEFAULT_LANGUAGE, *, decimals: int = 0) -> str:
    """Danish: 1.234,5 — English: 1,234.5."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_LOCALE.get(lang, "da_DK"))

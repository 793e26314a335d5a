"""Texts of the data page (Danish and English); the page's older texts live in common.py."""

TEXTS: dict[str, dict[str, str]] = {
    "data_coverage": {"da": "Dækning: kommune × måned", "en": "Coverage: municipality × month"},
    "data_coverage_measure": {"da": "Vis", "en": "Show"},
    "data_measure_episodes": {"da": "Sygehusophold", "en": "Hospital stays"},
    "data_measure_acute_bed_stays": {"da": "Ophold i akutfunktion", "en": "Acute-function stays"},
    "data_coverage_title": {"da": "{measure} pr. kommune og måned", "en": "{measure} by municipality and month"},
    "data_axis_month": {"da": "Måned", "en": "Month"},
    "data_axis_municipality": {"da": "Kommune", "en": "Municipality"},
    "data_colour_count": {"da": "Antal", "en": "Count"},
    "data_hidden": {"da": "1–{small} (skjult)", "en": "1–{small} (hidden)"},
    "data_coverage_caption": {
        "da": "Hver celle er antallet af ophold i en kommune i en måned, for det valgte område og den valgte "
              "periode. Hvide huller betyder ingen data (manglende leverance?), grå celler 1–{small} ophold, "
              "som ikke vises.",
        "en": "Each cell is the number of stays in one municipality in one month, for the selected area and "
              "period. White gaps mean no data (a missing delivery?), grey cells 1–{small} stays, not shown.",
    },
    "data_coverage_none": {"da": "Der er ingen ophold for det valgte område og den valgte periode.",
                           "en": "There are no stays for the selected area and period."},
    "data_col_month": {"da": "Måned", "en": "Month"},
    "data_col_municipality": {"da": "Kommune", "en": "Municipality"},
    "data_col_code": {"da": "Kommunekode", "en": "Municipality code"},
    "data_col_note": {"da": "Note", "en": "Note"},
    "data_breaks": {"da": "Kendte brud i serierne", "en": "Known breaks in the series"},
    "data_breaks_caption": {
        "da": "Hændelser, der ændrer registreringen eller niveauet; se Metode for detaljer.",
        "en": "Events that change recording or the level; see Method for details.",
    },
}

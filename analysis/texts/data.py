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
    "data_open": {"da": "Ophold uden udskrivning", "en": "Stays without a discharge"},
    "data_open_stays": {"da": "Ophold uden udskrivning", "en": "Stays without a discharge"},
    "data_open_stays_suspect": {"da": "… åbne i over {days} dage", "en": "… open for over {days} days"},
    "data_contacts_merged_into_suspect": {"da": "Senere kontakter lagt ind i dem",
                                          "en": "Later contacts merged into them"},
    "data_admissions_discharge_quarantined": {"da": "Indlæggelser med udskrivning i karantæne",
                                              "en": "Admissions whose discharge is quarantined"},
    "data_open_caption": {
        "da": "Et ophold uden udskrivning regnes som igangværende til dataslut, så personens senere kontakter "
              "bliver en del af det, og indlæggelserne tælles for lavt. Det er normalt for patienter, der stadig "
              "er indlagt ved dataslut; ophold, der begyndte over {days} dage før, mangler næsten altid en "
              "udskrivning.",
        "en": "A stay without a discharge counts as ongoing to the data end, so the person's later contacts "
              "become part of it and admissions are undercounted. That is normal for patients still in hospital "
              "at the data end; stays that began more than {days} days before it are almost always missing a "
              "discharge.",
    },
    "data_open_warning": {
        "da": "{suspect} ophold har været åbne i over {days} dage og har slugt {merged} senere kontakter.",
        "en": "{suspect} stays have been open for more than {days} days and have swallowed {merged} later "
              "contacts.",
    },
    "data_open_quarantined": {
        "da": "Karantænen ovenfor rummer udskrivningen for {quarantined} indlæggelser, der nu står uden: ret de "
              "rækker i kildefilen og indlæs den igen, og bed leverandøren om de øvrige manglende udskrivninger.",
        "en": "The quarantine above holds the discharge of {quarantined} admissions that now have none: correct "
              "those rows in the source file and load it again, and ask the supplier for any other missing "
              "discharges.",
    },
    "data_open_ask": {
        "da": "Ingen af deres udskrivninger ligger i karantænen: bed leverandøren om de manglende udskrivninger.",
        "en": "None of their discharges is in the quarantine: ask the supplier for the missing discharges.",
    },
    "data_open_ok": {"da": "Ingen ophold har været åbne i over {days} dage.",
                     "en": "No stay has been open for more than {days} days."},
    "data_breaks": {"da": "Kendte brud i serierne", "en": "Known breaks in the series"},
    "data_breaks_caption": {
        "da": "Hændelser, der ændrer registreringen eller niveauet; se Metode for detaljer.",
        "en": "Events that change recording or the level; see Method for details.",
    },
}

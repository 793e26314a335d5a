"""Texts of the readmissions page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
    "re_title": {"da": "Genindlæggelser", "en": "Readmissions"},
    "re_intro": {
        "da": "Hvor mange indlæggelser der følges af en ny akut indlæggelse inden for 30 dage efter "
              "udskrivningen, hvordan det udvikler sig, hvordan kommunerne ligger, og hvad genindlæggelserne "
              "skyldes.",
        "en": "How many admissions are followed by a new acute admission within 30 days of discharge, how "
              "this develops, how the municipalities compare, and what the readmissions are for.",
    },
    "re_axis_pct": {"da": "Genindlagt inden for 30 dage (%)", "en": "Readmitted within 30 days (%)"},
    # trend
    "re_trend_title": {"da": "Akutte genindlæggelser inden for 30 dage",
                       "en": "Acute readmissions within 30 days"},
    "re_trend_caption": {
        "da": "Andelen af indlæggelser, hvor patienten igen blev indlagt akut inden for 30 dage efter "
              "udskrivningen, med 95 %-konfidensbånd; de sidste 30 dage af data tæller ikke med, fordi "
              "opfølgningen ikke er slut.",
        "en": "The share of admissions after which the patient was admitted acutely again within 30 days of "
              "discharge, with the 95% confidence band; the last 30 days of data are left out because their "
              "follow-up is not complete.",
    },
    # by municipality
    "re_benchmark": {"da": "Sammenlign med", "en": "Compare with"},
    "re_muni_title": {"da": "Genindlæggelser pr. kommune", "en": "Readmissions by municipality"},
    "re_muni_caption": {
        "da": "Andelen af indlæggelser i hver kommune, der blev fulgt af en akut genindlæggelse inden for 30 "
              "dage, med 95 %-konfidensinterval; den stiplede linje er {benchmark}, og de valgte kommuner er "
              "fremhævet.",
        "en": "The share of admissions in each municipality that were followed by an acute readmission within "
              "30 days, with the 95% confidence interval; the dashed line is {benchmark}, and the chosen "
              "municipalities are highlighted.",
    },
    "re_funnel_title": {"da": "Afviger kommunerne mere end tilfældigt?",
                        "en": "Do municipalities differ more than chance?"},
    "re_funnel_x": {"da": "Indlæggelser (antal)", "en": "Admissions (number)"},
    "re_funnel_caption": {
        "da": "Hver prik er en kommune: prikker uden for tragten ligger længere fra {benchmark}, end "
              "tilfældigheder kan forklare, og tragten er bredest for de små kommuner, hvis tal svinger mest.",
        "en": "Each dot is a municipality: dots outside the funnel lie further from {benchmark} than chance can "
              "explain, and the funnel is widest for small municipalities, whose figures vary most.",
    },
    # causes
    "re_causes_title": {"da": "Hvad genindlæggelserne skyldes", "en": "What the readmissions are for"},
    "re_causes_x": {"da": "Diagnosegruppe", "en": "Diagnosis group"},
    "re_causes_axis": {"da": "Andel af genindlæggelserne (%)", "en": "Share of readmissions (%)"},
    "re_causes_caption_readmission": {
        "da": "Hvilken forebyggelig diagnosegruppe genindlæggelsen selv havde; 'Øvrige' er genindlæggelser "
              "uden for listens grupper, herunder alle hos borgere under 65 år.",
        "en": "Which avoidable diagnosis group the readmission itself had; 'Other' are readmissions outside "
              "the list's groups, including all readmissions of citizens under 65.",
    },
    "re_causes_caption_index": {
        "da": "Hvilken diagnosegruppe den første indlæggelse havde, når den blev fulgt af en genindlæggelse "
              "(for denne definition findes kun den oplysning); 'Øvrige' er indlæggelser uden for listens "
              "grupper.",
        "en": "Which diagnosis group the first admission had when it was followed by a readmission (this "
              "definition only has that information); 'Other' are admissions outside the list's groups.",
    },
}

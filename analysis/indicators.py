"""The indicator registry: what every number in the product means, in Danish and English.

Each :class:`Indicator` is a frozen dataclass carrying its definition (numerator, denominator, age
group, multiplier, unit), how it is judged (polarity), how its uncertainty is shown (``ci_method``),
how small numbers are protected (suppression rule) and the eSundhed-style description sections
(Formål; Indhold og afgrænsning; Indikator; Forbehold ved fortolkning; Datakilde) in Danish, with a
shorter English version. Pages show these sections on the indicator card; exports print them.

``get(id)`` returns one indicator, ``all_indicators()`` all of them in display order.

References
----------
.. [1] eSundhed (Sundhedsdatastyrelsen): indicator descriptions for "Forebyggelige akutte
   sygehusophold blandt ældre", "Akutte genindlæggelser" and "Færdigbehandlingsdage".
.. [2] Sundhedsstyrelsen. Kvalitetsstandarder for kommunale akutfunktioner i hjemmesygeplejen (2017,
   revideret 2023).
.. [3] Public Health England. Fingertips indicator metadata (definition, rationale, caveats, source).
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from analysis.constants import (
    ACUTE_BED_LINK_DAYS,
    AVOIDABLE_MIN_AGE,
    MIN_ADMISSION_HOURS,
    READMISSION_WINDOW_DAYS,
    SUPPRESSION_THRESHOLD,
    TRANSFER_GAP_HOURS,
)

__all__ = [
    "Indicator",
    "UnknownIndicatorError",
    "SECTIONS",
    "POLARITIES",
    "CI_METHODS",
    "STATISTICS",
    "get",
    "all_indicators",
    "ids",
]

POLARITIES = ("low_is_good", "high_is_good", "no_judgement")
STATISTICS = ("rate", "proportion", "mean", "median", "total")
# How each statistic's uncertainty is shown (see analysis.rates):
CI_METHODS = {
    "byar_exact": "Byar (count >= 10) / exact Poisson (< 10); DSR: Dobson",
    "wilson": "Wilson score interval",
    "student_t": "t-distribution interval for a mean",
    "median_order_statistic": "distribution-free interval from order statistics (binomial)",
    "none": "no interval: an administrative total, not an estimate",
}
STANDARDISATIONS = ("crude_and_dsr", "crude", "none")
# eSundhed's section headings, (Danish, English), in display order.
SECTIONS = {
    "formaal": ("Formål", "Purpose"),
    "indhold_og_afgraensning": ("Indhold og afgrænsning", "Content and scope"),
    "indikator": ("Indikator", "Indicator"),
    "forbehold": ("Forbehold ved fortolkning", "Caveats"),
    "datakilde": ("Datakilde", "Data source"),
}

_LINK_DAYS = ACUTE_BED_LINK_DAYS[0]
_SMALL = SUPPRESSION_THRESHOLD - 1

# Shared text (the same rule or source stated once).
_SUPPRESS_RATE_DA = (f"Tællere på 1-{_SMALL} vises ikke; raten og dens konfidensinterval skjules også. "
                     "Nul vises.")
_SUPPRESS_RATE_EN = f"Numerators of 1-{_SMALL} are hidden, with the rate and its interval; zero is shown."
_SUPPRESS_PROP_DA = (f"Tæller eller nævner på 1-{_SMALL} vises ikke; andelen og dens konfidensinterval "
                     "skjules også, og en celle mere skjules, hvis den skjulte ellers kan regnes ud.")
_SUPPRESS_PROP_EN = (f"Numerators or denominators of 1-{_SMALL} are hidden with the share and its interval; "
                     "one more cell is hidden where the hidden one could be recovered.")
_SUPPRESS_MEAN_DA = (f"Vises ikke, når der er færre end {SUPPRESSION_THRESHOLD} indlæggelser bag tallet.")
_SUPPRESS_MEAN_EN = f"Not shown when fewer than {SUPPRESSION_THRESHOLD} admissions lie behind it."

_LPR_DA = ("Landspatientregisteret (LPR2/LPR3) via regionens pseudonymiserede udtræk af indlæggelser og "
           "udskrivninger; befolkningstal fra Danmarks Statistik (FOLK1A, 1. kvartal).")
_LPR_EN = ("The National Patient Register (LPR2/LPR3) via the region's pseudonymised admissions and "
           "discharges extracts; population from Statistics Denmark (FOLK1A, first quarter).")
_STAY_DA = (f"Kontakter for samme person med højst {TRANSFER_GAP_HOURS} timers mellemrum (eller overlap) "
            "regnes som ét sygehusophold, så overflytninger kun tælles én gang.")
_STAY_EN = (f"Contacts of one person at most {TRANSFER_GAP_HOURS} hours apart (or overlapping) form one "
            "hospital stay, so transfers count once.")
_LPR3_DA = ("Overgangen fra LPR2 til LPR3 i februar 2019 (Region Midtjylland) ændrer registreringen; "
            "COVID-19 (fra marts 2020) sænkede antallet af akutte indlæggelser markant.")
_LPR3_EN = ("The move from LPR2 to LPR3 in February 2019 (Region Midtjylland) changes recording; "
            "COVID-19 (from March 2020) lowered acute admissions markedly.")
_ACUTE_DA = ("Kommunernes registrering af ophold i akutfunktionen (akutpladser og akutteam) i de "
             "pseudonymiserede udtræk; kapacitet fra kommunernes oplysninger om akutpladser.")
_ACUTE_EN = ("The municipalities' records of acute-function stays (acute beds and acute teams) in the "
             "pseudonymised extracts; capacity from the municipalities' acute-bed figures.")


@dataclass(frozen=True)
class Indicator:
    """One indicator: definition, judgement, uncertainty, disclosure rule and description.

    Every text field exists in Danish (``_da``) and English (``_en``); use :meth:`text` to pick
    one by language and :meth:`sections` for the eSundhed-style description.
    """

    id: str
    name_da: str
    name_en: str
    numerator_da: str
    numerator_en: str
    denominator_da: str
    denominator_en: str
    age_group_da: str
    age_group_en: str
    min_age: int  # youngest age included (0 = all ages)
    statistic: str  # one of STATISTICS
    multiplier: int  # 1000 = per 1,000; 100 = per cent; 1 = as is
    unit_da: str
    unit_en: str
    polarity: str  # one of POLARITIES
    ci_method: str  # one of CI_METHODS
    standardisation: str  # one of STANDARDISATIONS
    suppression_da: str
    suppression_en: str
    suppress_on: tuple[str, ...]  # which counts trigger suppression: "numerator", "denominator"
    formaal_da: str
    formaal_en: str
    indhold_og_afgraensning_da: str
    indhold_og_afgraensning_en: str
    indikator_da: str
    indikator_en: str
    forbehold_da: str
    forbehold_en: str
    datakilde_da: str
    datakilde_en: str

    def text(self, field: str, lang: str = "da") -> str:
        """The Danish (``lang="da"``) or English (``"en"``) text of a bilingual field, e.g. ``"name"``."""
        if lang not in ("da", "en"):
            raise ValueError(f"lang must be 'da' or 'en', got {lang!r}.")
        return getattr(self, f"{field}_{lang}")

    def sections(self, lang: str = "da") -> list[tuple[str, str]]:
        """The eSundhed-style description as (heading, text) pairs in display order."""
        position = 0 if lang == "da" else 1
        return [(titles[position], self.text(key, lang)) for key, titles in SECTIONS.items()]

    @classmethod
    def bilingual_fields(cls) -> list[str]:
        """Names of the fields that exist in both languages (without the ``_da``/``_en`` suffix)."""
        return [f.name[:-3] for f in fields(cls) if f.name.endswith("_da")]


class UnknownIndicatorError(LookupError):
    """An indicator id that is not in the registry."""


_REGISTRY: tuple[Indicator, ...] = (
    Indicator(
        id="avoidable_65_per_1000",
        name_da="Forebyggelige akutte sygehusophold blandt ældre",
        name_en="Avoidable acute hospital stays among older people",
        numerator_da=(f"Akutte sygehusophold for borgere på {AVOIDABLE_MIN_AGE} år og derover med en "
                      "aktionsdiagnose i en af de 9 grupper af forebyggelige diagnoser."),
        numerator_en=(f"Acute hospital stays of citizens aged {AVOIDABLE_MIN_AGE}+ with a principal diagnosis "
                      "in one of the 9 groups of preventable conditions."),
        denominator_da=f"Antal borgere på {AVOIDABLE_MIN_AGE} år og derover i bopælskommunen (1. januar).",
        denominator_en=f"Citizens aged {AVOIDABLE_MIN_AGE}+ in the municipality of residence (1 January).",
        age_group_da=f"{AVOIDABLE_MIN_AGE} år og derover",
        age_group_en=f"{AVOIDABLE_MIN_AGE} years and over",
        min_age=AVOIDABLE_MIN_AGE,
        statistic="rate",
        multiplier=1000,
        unit_da=f"pr. 1.000 borgere på {AVOIDABLE_MIN_AGE}+ år",
        unit_en=f"per 1,000 citizens aged {AVOIDABLE_MIN_AGE}+",
        polarity="low_is_good",
        ci_method="byar_exact",
        standardisation="crude_and_dsr",
        suppression_da=_SUPPRESS_RATE_DA,
        suppression_en=_SUPPRESS_RATE_EN,
        suppress_on=("numerator",),
        formaal_da=("At følge, hvor mange ældre der indlægges akut med tilstande, som ofte kan forebygges "
                    "eller behandles i eget hjem, i praksis eller i en kommunal akutfunktion. Indikatoren "
                    "er en del af de nationale mål for sundhedsvæsenet og bruges til at følge effekten af "
                    "rådgivningsaftalen med de praktiserende læger."),
        formaal_en=("Tracks how many older people are admitted acutely with conditions that can often be "
                    "prevented or treated at home, by the GP or in a municipal acute function; a national "
                    "goal indicator and the main outcome of the GP advisory agreement."),
        indhold_og_afgraensning_da=("Aktionsdiagnoser i 9 grupper: dehydrering, forstoppelse, nedre "
                                    "luftvejssygdom, blærebetændelse, gastroenteritis, brud, ernæringsbetinget "
                                    "anæmi, sociale og plejemæssige forhold samt tryksår. Kodelisten ligger i "
                                    "referencedata og kan redigeres (længste præfiks vinder). "
                                    + _STAY_DA + " Som standard tælles alle akutte ophold; "
                                    f"'kun indlæggelser på mindst {MIN_ADMISSION_HOURS} timer' kan vælges."),
        indhold_og_afgraensning_en=("Principal diagnoses in 9 groups (dehydration, constipation, lower "
                                    "respiratory disease, cystitis, gastroenteritis, fractures, nutritional "
                                    "anaemia, social and care-related reasons, pressure ulcers); editable "
                                    "code list. " + _STAY_EN + " All acute stays count by default; "
                                    f"'admissions of at least {MIN_ADMISSION_HOURS} hours only' is a switch."),
        indikator_da=("Antal forebyggelige akutte sygehusophold pr. 1.000 borgere på 65 år og derover, "
                      "opgjort efter bopælskommune. Vises som rå rate (Byar/eksakt Poisson-interval) og "
                      "aldersstandardiseret til den europæiske standardbefolkning 2013 (Dobson-interval, "
                      "justeret for at samme borger kan indlægges flere gange)."),
        indikator_en=("Avoidable acute stays per 1,000 citizens aged 65+, by municipality of residence; crude "
                      "(Byar/exact Poisson interval) and standardised to the European Standard Population "
                      "2013 (Dobson interval adjusted for repeat admissions of the same person)."),
        forbehold_da=("Raten stiger stærkt med alderen, så kommuner med mange meget gamle borgere har højere "
                      "rå rater; sammenlign derfor standardiserede rater. Kodepraksis kan variere mellem "
                      "sygehuse. " + _LPR3_DA),
        forbehold_en=("Rates rise steeply with age, so compare standardised rates between municipalities; "
                      "coding practice varies between hospitals. " + _LPR3_EN),
        datakilde_da=_LPR_DA,
        datakilde_en=_LPR_EN,
    ),
    Indicator(
        id="acute_per_1000",
        name_da="Akutte indlæggelser",
        name_en="Acute admissions",
        numerator_da="Akutte sygehusophold for borgere i kommunen (alle diagnoser).",
        numerator_en="Acute hospital stays of the municipality's citizens (all diagnoses).",
        denominator_da="Antal borgere i bopælskommunen (1. januar) i den valgte aldersgruppe.",
        denominator_en="Citizens of the municipality of residence (1 January) in the chosen age group.",
        age_group_da="Alle aldre (kan afgrænses)",
        age_group_en="All ages (can be narrowed)",
        min_age=0,
        statistic="rate",
        multiplier=1000,
        unit_da="pr. 1.000 borgere",
        unit_en="per 1,000 citizens",
        polarity="low_is_good",
        ci_method="byar_exact",
        standardisation="crude_and_dsr",
        suppression_da=_SUPPRESS_RATE_DA,
        suppression_en=_SUPPRESS_RATE_EN,
        suppress_on=("numerator",),
        formaal_da=("At følge det samlede træk på sygehusenes akutte senge fra kommunens borgere, som "
                    "ramme for de forebyggelige indlæggelser."),
        formaal_en="Shows the total demand on acute hospital beds from the municipality's citizens.",
        indhold_og_afgraensning_da=("Alle akutte sygehusophold uanset diagnose. Planlagte ophold indgår "
                                    "ikke. " + _STAY_DA),
        indhold_og_afgraensning_en="All acute hospital stays whatever the diagnosis; planned stays excluded. "
                                   + _STAY_EN,
        indikator_da=("Antal akutte sygehusophold pr. 1.000 borgere, rå og aldersstandardiseret "
                      "(europæisk standardbefolkning 2013)."),
        indikator_en="Acute hospital stays per 1,000 citizens, crude and age-standardised (ESP 2013).",
        forbehold_da=("Afhænger af befolkningens alder og sygelighed og af sygehusenes visitationspraksis. "
                      + _LPR3_DA),
        forbehold_en="Depends on age, morbidity and the hospitals' admission practice. " + _LPR3_EN,
        datakilde_da=_LPR_DA,
        datakilde_en=_LPR_EN,
    ),
    Indicator(
        id="readmission_30d_pct",
        name_da=f"Akutte genindlæggelser inden for {READMISSION_WINDOW_DAYS} dage",
        name_en=f"Acute readmissions within {READMISSION_WINDOW_DAYS} days",
        numerator_da=(f"Indlæggelser, der efterfølges af en akut indlæggelse 0-{READMISSION_WINDOW_DAYS} "
                      "dage efter udskrivningen."),
        numerator_en=(f"Index admissions followed by an acute admission 0-{READMISSION_WINDOW_DAYS} days "
                      "after discharge."),
        denominator_da=("Indlæggelser med udskrivning i live (indeksindlæggelser), undtagen de sidste "
                        f"{READMISSION_WINDOW_DAYS} dage af dataperioden."),
        denominator_en=(f"Admissions discharged alive (index admissions), except those in the last "
                        f"{READMISSION_WINDOW_DAYS} days of data."),
        age_group_da="Alle aldre (typisk vist for 65+)",
        age_group_en="All ages (usually shown for 65+)",
        min_age=0,
        statistic="proportion",
        multiplier=100,
        unit_da="procent af indlæggelserne",
        unit_en="per cent of admissions",
        polarity="low_is_good",
        ci_method="wilson",
        standardisation="crude",
        suppression_da=_SUPPRESS_PROP_DA,
        suppression_en=_SUPPRESS_PROP_EN,
        suppress_on=("numerator", "denominator"),
        formaal_da=("At belyse kvaliteten af udskrivningsforløbet og samarbejdet mellem sygehus, kommune "
                    "og praktiserende læge efter udskrivning."),
        formaal_en="Reflects the quality of discharge and of the follow-up by municipality and GP.",
        indhold_og_afgraensning_da=("Genindlæggelser efter kræftrelaterede indlæggelser, hospiceophold, "
                                    "fødsler, ulykker, vold og selvmordsforsøg tælles ikke. En genindlæggelse "
                                    "kan selv være indeksindlæggelse. " + _STAY_DA),
        indhold_og_afgraensning_en=("Admissions for cancer, hospice, childbirth, accidents, violence and "
                                    "suicide attempts are not counted; a readmission can itself be an index "
                                    "admission. " + _STAY_EN),
        indikator_da=(f"Andel af indeksindlæggelser med akut genindlæggelse inden for {READMISSION_WINDOW_DAYS} "
                      "dage, i procent, med Wilson-konfidensinterval."),
        indikator_en=(f"Share of index admissions with an acute readmission within {READMISSION_WINDOW_DAYS} "
                      "days, per cent, with a Wilson interval."),
        forbehold_da=("Ikke alle genindlæggelser kan undgås; niveauet afhænger af patienternes alder og "
                      "sygdomme (typisk omkring 15 % for 65+). " + _LPR3_DA),
        forbehold_en=("Not every readmission is avoidable; the level depends on age and case mix (around "
                      "15 % for 65+). " + _LPR3_EN),
        datakilde_da=_LPR_DA,
        datakilde_en=_LPR_EN,
    ),
    Indicator(
        id="los_mean_days",
        name_da="Gennemsnitlig indlæggelsestid",
        name_en="Mean length of stay",
        numerator_da="Summen af liggetider (udskrivning minus indlæggelse, i dage) for afsluttede akutte ophold.",
        numerator_en="Sum of lengths of stay (discharge minus admission, in days) of completed acute stays.",
        denominator_da="Antal afsluttede akutte sygehusophold.",
        denominator_en="Number of completed acute hospital stays.",
        age_group_da="Alle aldre (kan afgrænses)",
        age_group_en="All ages (can be narrowed)",
        min_age=0,
        statistic="mean",
        multiplier=1,
        unit_da="dage",
        unit_en="days",
        polarity="no_judgement",
        ci_method="student_t",
        standardisation="none",
        suppression_da=_SUPPRESS_MEAN_DA,
        suppression_en=_SUPPRESS_MEAN_EN,
        suppress_on=("denominator",),
        formaal_da="At følge, hvor længe akut indlagte borgere bliver på sygehuset.",
        formaal_en="Tracks how long acutely admitted citizens stay in hospital.",
        indhold_og_afgraensning_da="Afsluttede akutte sygehusophold; igangværende ophold indgår ikke. " + _STAY_DA,
        indhold_og_afgraensning_en="Completed acute stays; ongoing stays are excluded. " + _STAY_EN,
        indikator_da="Gennemsnitlig liggetid i dage med t-fordelingsbaseret konfidensinterval.",
        indikator_en="Mean length of stay in days with a t-distribution interval.",
        forbehold_da=("Gennemsnittet trækkes op af få meget lange ophold; se også medianen. Kortere "
                      "liggetid er ikke i sig selv bedre, hvis det giver flere genindlæggelser. " + _LPR3_DA),
        forbehold_en=("A few very long stays pull the mean up (see the median); shorter is not better in "
                      "itself if it brings more readmissions. " + _LPR3_EN),
        datakilde_da=_LPR_DA,
        datakilde_en=_LPR_EN,
    ),
    Indicator(
        id="los_median_days",
        name_da="Median indlæggelsestid",
        name_en="Median length of stay",
        numerator_da="Liggetiden (i dage) for hvert afsluttet akut sygehusophold.",
        numerator_en="Length of stay (days) of each completed acute hospital stay.",
        denominator_da="Antal afsluttede akutte sygehusophold.",
        denominator_en="Number of completed acute hospital stays.",
        age_group_da="Alle aldre (kan afgrænses)",
        age_group_en="All ages (can be narrowed)",
        min_age=0,
        statistic="median",
        multiplier=1,
        unit_da="dage",
        unit_en="days",
        polarity="no_judgement",
        ci_method="median_order_statistic",
        standardisation="none",
        suppression_da=_SUPPRESS_MEAN_DA,
        suppression_en=_SUPPRESS_MEAN_EN,
        suppress_on=("denominator",),
        formaal_da="At vise den typiske indlæggelsestid, upåvirket af få meget lange ophold.",
        formaal_en="Shows the typical length of stay, unaffected by a few very long stays.",
        indhold_og_afgraensning_da="Afsluttede akutte sygehusophold; igangværende ophold indgår ikke. " + _STAY_DA,
        indhold_og_afgraensning_en="Completed acute stays; ongoing stays are excluded. " + _STAY_EN,
        indikator_da="Median liggetid i dage med fordelingsfrit konfidensinterval (ordensstatistikker).",
        indikator_en="Median length of stay in days with a distribution-free (order-statistic) interval.",
        forbehold_da=("Medianen ændrer sig i spring, fordi liggetider klumper sig om hele døgn. " + _LPR3_DA),
        forbehold_en="The median moves in steps because stays cluster around whole days. " + _LPR3_EN,
        datakilde_da=_LPR_DA,
        datakilde_en=_LPR_EN,
    ),
    Indicator(
        id="bed_days_per_1000",
        name_da="Sengedage ved akutte indlæggelser",
        name_en="Bed-days in acute admissions",
        numerator_da="Summen af sengedage for akutte sygehusophold, der slutter i perioden.",
        numerator_en="Sum of bed-days of acute hospital stays ending in the period.",
        denominator_da="Antal borgere i bopælskommunen (1. januar) i den valgte aldersgruppe.",
        denominator_en="Citizens of the municipality of residence (1 January) in the chosen age group.",
        age_group_da="Alle aldre (kan afgrænses)",
        age_group_en="All ages (can be narrowed)",
        min_age=0,
        statistic="rate",
        multiplier=1000,
        unit_da="sengedage pr. 1.000 borgere",
        unit_en="bed-days per 1,000 citizens",
        polarity="low_is_good",
        ci_method="byar_exact",
        standardisation="crude",
        suppression_da=(f"Vises ikke, når færre end {SUPPRESSION_THRESHOLD} ophold ligger bag; ellers som "
                        "rater."),
        suppression_en=f"Hidden when fewer than {SUPPRESSION_THRESHOLD} stays lie behind it; otherwise as rates.",
        suppress_on=("numerator",),
        formaal_da="At vise det samlede sengeforbrug ved akutte indlæggelser i forhold til befolkningen.",
        formaal_en="Shows the total use of hospital beds in acute admissions relative to the population.",
        indhold_og_afgraensning_da=("En sengedag er et påbegyndt døgn; ophold kortere end et døgn tæller "
                                    "som brøkdele. " + _STAY_DA),
        indhold_og_afgraensning_en="Bed-days are counted as elapsed days (fractions for short stays). " + _STAY_EN,
        indikator_da="Sengedage pr. 1.000 borgere med Byar/eksakt Poisson-interval på antallet af sengedage.",
        indikator_en="Bed-days per 1,000 citizens with a Byar/exact Poisson interval on the bed-day count.",
        forbehold_da=("Sengedage fra samme ophold er ikke uafhængige, så intervallet er for smalt; brug det "
                      "som en nedre grænse for usikkerheden. " + _LPR3_DA),
        forbehold_en=("Bed-days of one stay are not independent, so the interval is too narrow; read it as "
                      "a lower bound on the uncertainty. " + _LPR3_EN),
        datakilde_da=_LPR_DA,
        datakilde_en=_LPR_EN,
    ),
    Indicator(
        id="faerdig_days_per_1000",
        name_da="Færdigbehandlingsdage",
        name_en="Days in hospital after being ready for discharge",
        numerator_da=("Antal dage fra en patient er registreret færdigbehandlet til udskrivning "
                      "(færdigbehandlingsdage)."),
        numerator_en="Days from a patient is recorded as ready for discharge until discharge.",
        denominator_da="Antal borgere i bopælskommunen (1. januar) i den valgte aldersgruppe.",
        denominator_en="Citizens of the municipality of residence (1 January) in the chosen age group.",
        age_group_da="Alle aldre (typisk vist for 65+)",
        age_group_en="All ages (usually shown for 65+)",
        min_age=0,
        statistic="rate",
        multiplier=1000,
        unit_da="dage pr. 1.000 borgere",
        unit_en="days per 1,000 citizens",
        polarity="low_is_good",
        ci_method="byar_exact",
        standardisation="crude",
        suppression_da=(f"Vises ikke, når færre end {SUPPRESSION_THRESHOLD} ophold med færdigbehandlingsdage "
                        "ligger bag tallet."),
        suppression_en=f"Hidden when fewer than {SUPPRESSION_THRESHOLD} stays with such days lie behind it.",
        suppress_on=("numerator",),
        formaal_da=("At følge, hvor hurtigt kommunen kan tage imod borgere, der er klar til udskrivning; "
                    "et nationalt mål for sammenhæng mellem sygehus og kommune."),
        formaal_en="Tracks how quickly the municipality can receive citizens who are ready for discharge.",
        indhold_og_afgraensning_da=("Kun ophold med registreret færdigbehandlingstidspunkt. Dage tælles fra "
                                    "færdigbehandling til udskrivning. " + _STAY_DA),
        indhold_og_afgraensning_en="Stays with a recorded ready-for-discharge time only. " + _STAY_EN,
        indikator_da="Færdigbehandlingsdage pr. 1.000 borgere med Byar/eksakt Poisson-interval.",
        indikator_en="Days after ready-for-discharge per 1,000 citizens with a Byar/exact Poisson interval.",
        forbehold_da=("Registreringen af færdigbehandling varierer mellem afdelinger; dagene klumper sig hos "
                      "få borgere, så intervallet er for smalt. " + _LPR3_DA),
        forbehold_en=("Recording of readiness varies between departments; days cluster in few patients, so "
                      "the interval is too narrow. " + _LPR3_EN),
        datakilde_da=_LPR_DA + " Udskrivningsudtrækket (færdigbehandlet-tidspunkt).",
        datakilde_en=_LPR_EN + " The discharges extract (ready-for-discharge time).",
    ),
    Indicator(
        id="faerdig_cost_dkk",
        name_da="Betaling for færdigbehandlingsdage",
        name_en="Payment for days after being ready for discharge",
        numerator_da="Færdigbehandlingsdage ganget med årets takst pr. dag (kr.).",
        numerator_en="Days after ready-for-discharge times the year's price per day (DKK).",
        denominator_da="Ingen (et samlet beløb for kommunen i perioden).",
        denominator_en="None (a total amount for the municipality in the period).",
        age_group_da="Alle aldre",
        age_group_en="All ages",
        min_age=0,
        statistic="total",
        multiplier=1,
        unit_da="kr.",
        unit_en="DKK",
        polarity="low_is_good",
        ci_method="none",
        standardisation="none",
        suppression_da=(f"Vises ikke, når færre end {SUPPRESSION_THRESHOLD} ophold ligger bag beløbet, da "
                        "antallet af dage ellers kan regnes ud."),
        suppression_en=(f"Hidden when fewer than {SUPPRESSION_THRESHOLD} stays lie behind it, since the "
                        "days could otherwise be recovered."),
        suppress_on=("numerator",),
        formaal_da=("At vise kommunens betaling til regionen for borgere, der venter på udskrivning "
                    "(sundhedsloven §§ 238 og 251)."),
        formaal_en="Shows what the municipality pays the region for citizens waiting to be discharged.",
        indhold_og_afgraensning_da=("Dage fra færdigbehandling til udskrivning; taksten pr. dag fastsættes "
                                    "årligt og ligger i referencedata (prisfilen kan redigeres)."),
        indhold_og_afgraensning_en="Days from readiness to discharge times the yearly price (editable table).",
        indikator_da="Samlet beløb i kr. for perioden (ingen konfidensinterval: et administrativt beløb).",
        indikator_en="Total amount in DKK for the period (no interval: an administrative total).",
        forbehold_da=("Taksten efter 2008 er en antagelse, indtil prisfilen er opdateret med de officielle "
                      "takster; faktureringen kan afvige fra registreringen."),
        forbehold_en="Prices after 2008 are assumptions until the price table is updated; invoices may differ.",
        datakilde_da=_LPR_DA + " Takster fra referencedata (færdigbehandlingstakst pr. år).",
        datakilde_en=_LPR_EN + " Prices from the reference data (price per day by year).",
    ),
    Indicator(
        id="acute_bed_stays_per_1000_65",
        name_da="Ophold i kommunal akutfunktion blandt ældre",
        name_en="Municipal acute-function stays among older people",
        numerator_da=f"Påbegyndte ophold i kommunens akutfunktion for borgere på {AVOIDABLE_MIN_AGE}+ år.",
        numerator_en=f"Stays started in the municipal acute function by citizens aged {AVOIDABLE_MIN_AGE}+.",
        denominator_da=f"Antal borgere på {AVOIDABLE_MIN_AGE} år og derover i kommunen (1. januar).",
        denominator_en=f"Citizens aged {AVOIDABLE_MIN_AGE}+ in the municipality (1 January).",
        age_group_da=f"{AVOIDABLE_MIN_AGE} år og derover",
        age_group_en=f"{AVOIDABLE_MIN_AGE} years and over",
        min_age=AVOIDABLE_MIN_AGE,
        statistic="rate",
        multiplier=1000,
        unit_da=f"pr. 1.000 borgere på {AVOIDABLE_MIN_AGE}+ år",
        unit_en=f"per 1,000 citizens aged {AVOIDABLE_MIN_AGE}+",
        polarity="no_judgement",
        ci_method="byar_exact",
        standardisation="crude",
        suppression_da=_SUPPRESS_RATE_DA,
        suppression_en=_SUPPRESS_RATE_EN,
        suppress_on=("numerator",),
        formaal_da=("At følge brugen af de kommunale akutfunktioner, som skal behandle akut syge borgere "
                    "tæt på hjemmet i stedet for på sygehuset."),
        formaal_en="Tracks the use of municipal acute functions that treat acutely ill citizens near home.",
        indhold_og_afgraensning_da=("Ophold på akutplads og forløb i akutteam (kan vælges hver for sig); "
                                    "opgjort efter startdato. Alder kræver den valgfrie alderskolonne i "
                                    "udtrækket."),
        indhold_og_afgraensning_en=("Acute-bed stays and acute-team episodes (selectable), by start date; age "
                                    "needs the optional age column of the extract."),
        indikator_da="Antal påbegyndte ophold pr. 1.000 borgere på 65+ år med Byar/eksakt Poisson-interval.",
        indikator_en="Stays started per 1,000 citizens aged 65+ with a Byar/exact Poisson interval.",
        forbehold_da=("Flere ophold er hverken godt eller skidt i sig selv: de kan erstatte indlæggelser "
                      "eller afspejle et større udbud. Kommunerne registrerer forskelligt."),
        forbehold_en=("More stays are neither good nor bad in themselves: they may replace admissions or "
                      "reflect more capacity; recording differs between municipalities."),
        datakilde_da=_ACUTE_DA + " Befolkningstal fra Danmarks Statistik (FOLK1A).",
        datakilde_en=_ACUTE_EN + " Population from Statistics Denmark (FOLK1A).",
    ),
    Indicator(
        id="acute_bed_occupancy_pct",
        name_da="Belægning på kommunale akutpladser",
        name_en="Occupancy of municipal acute beds",
        numerator_da="Antal belagte sengedage på akutpladser i perioden.",
        numerator_en="Occupied bed-days in acute beds in the period.",
        denominator_da="Antal disponible sengedage (akutpladser gange dage i perioden).",
        denominator_en="Available bed-days (acute beds times days in the period).",
        age_group_da="Alle aldre",
        age_group_en="All ages",
        min_age=0,
        statistic="proportion",
        multiplier=100,
        unit_da="procent",
        unit_en="per cent",
        polarity="no_judgement",
        ci_method="none",
        standardisation="none",
        suppression_da=(f"Vises ikke, når færre end {SUPPRESSION_THRESHOLD} ophold ligger bag de belagte "
                        "sengedage."),
        suppression_en=f"Hidden when fewer than {SUPPRESSION_THRESHOLD} stays lie behind the occupied bed-days.",
        suppress_on=("numerator",),
        formaal_da="At vise, hvor godt kapaciteten i akutfunktionen udnyttes.",
        formaal_en="Shows how well the acute-function capacity is used.",
        indhold_og_afgraensning_da=("Kun ophold på akutpladser (ikke akutteam i hjemmet). Kapaciteten er "
                                    "kommunens oplyste antal pladser pr. periode."),
        indhold_og_afgraensning_en="Acute-bed stays only (not home acute teams); capacity as reported.",
        indikator_da="Belagte sengedage i procent af disponible sengedage (ingen konfidensinterval: en optælling).",
        indikator_en="Occupied as a percentage of available bed-days (no interval: a census count).",
        forbehold_da=("Høj belægning kan betyde afvisninger, lav belægning ledig kapacitet; fortolk med "
                      "kapacitetsoplysningerne, som kan være ufuldstændige."),
        forbehold_en="High occupancy may mean refusals, low occupancy spare capacity; capacity data may be incomplete.",
        datakilde_da=_ACUTE_DA,
        datakilde_en=_ACUTE_EN,
    ),
    Indicator(
        id="acute_bed_gp_share_pct",
        name_da="Andel ophold i akutfunktion henvist af egen læge",
        name_en="Share of acute-function stays referred by the GP",
        numerator_da="Ophold i akutfunktionen, hvor henvisningskilden er borgerens egen praktiserende læge.",
        numerator_en="Acute-function stays referred by the citizen's own general practitioner.",
        denominator_da="Alle påbegyndte ophold i akutfunktionen med kendt henvisningskilde.",
        denominator_en="All acute-function stays started with a known referral source.",
        age_group_da="Alle aldre",
        age_group_en="All ages",
        min_age=0,
        statistic="proportion",
        multiplier=100,
        unit_da="procent af opholdene",
        unit_en="per cent of stays",
        polarity="no_judgement",
        ci_method="wilson",
        standardisation="crude",
        suppression_da=_SUPPRESS_PROP_DA,
        suppression_en=_SUPPRESS_PROP_EN,
        suppress_on=("numerator", "denominator"),
        formaal_da=("At følge de praktiserende lægers rolle i akutfunktionen, som rådgivningsaftalen skulle "
                    "styrke."),
        formaal_en="Tracks the GPs' role in the acute function, which the advisory agreement aimed to strengthen.",
        indhold_og_afgraensning_da=("Henvisningskilder: egen læge, vagtlæge, sygehus, hjemmepleje, andet. "
                                    "Vagtlægehenvisninger tælles ikke som egen læge."),
        indhold_og_afgraensning_en="Sources: own GP, out-of-hours doctor, hospital, home care, other.",
        indikator_da="Andel af opholdene henvist af egen læge, i procent, med Wilson-konfidensinterval.",
        indikator_en="Share of stays referred by the own GP, per cent, with a Wilson interval.",
        forbehold_da=("En højere andel er ikke i sig selv bedre; den afhænger af, hvor mange ophold der "
                      "kommer fra sygehusudskrivning. Registreringen af henvisningskilde varierer."),
        forbehold_en=("A higher share is not better in itself; it depends on how many stays follow hospital "
                      "discharge, and recording varies."),
        datakilde_da=_ACUTE_DA,
        datakilde_en=_ACUTE_EN,
    ),
    Indicator(
        id="acute_bed_admitted_7d_pct",
        name_da=f"Andel ophold i akutfunktion efterfulgt af indlæggelse inden for {_LINK_DAYS} dage",
        name_en=f"Share of acute-function stays followed by hospital admission within {_LINK_DAYS} days",
        numerator_da=(f"Afsluttede ophold i akutfunktionen, hvor borgeren indlægges akut på sygehus under "
                      f"opholdet eller inden for {_LINK_DAYS} dage efter."),
        numerator_en=(f"Completed acute-function stays where the citizen is admitted acutely to hospital "
                      f"during the stay or within {_LINK_DAYS} days after."),
        denominator_da=f"Afsluttede ophold i akutfunktionen (undtagen de sidste {_LINK_DAYS} dage af data).",
        denominator_en=f"Completed acute-function stays (except those in the last {_LINK_DAYS} days of data).",
        age_group_da="Alle aldre",
        age_group_en="All ages",
        min_age=0,
        statistic="proportion",
        multiplier=100,
        unit_da="procent af opholdene",
        unit_en="per cent of stays",
        polarity="low_is_good",
        ci_method="wilson",
        standardisation="crude",
        suppression_da=_SUPPRESS_PROP_DA,
        suppression_en=_SUPPRESS_PROP_EN,
        suppress_on=("numerator", "denominator"),
        formaal_da="At vise, hvor ofte et forløb i akutfunktionen alligevel ender med en sygehusindlæggelse.",
        formaal_en="Shows how often an acute-function stay still ends in a hospital admission.",
        indhold_og_afgraensning_da=("Ophold og indlæggelser kobles på den pseudonymiserede personnøgle; "
                                    "akutte sygehusophold efter samme definition som øvrige indikatorer."),
        indhold_og_afgraensning_en="Stays and admissions are linked on the pseudonymised person key.",
        indikator_da=(f"Andel af opholdene med akut indlæggelse inden for {_LINK_DAYS} dage, i procent, med "
                      "Wilson-konfidensinterval."),
        indikator_en=f"Share of stays with an acute admission within {_LINK_DAYS} days, per cent, Wilson interval.",
        forbehold_da=("Nogle indlæggelser er den rigtige behandling; en meget lav andel kan også betyde, at "
                      "akutfunktionen tager imod lettere syge borgere. " + _LPR3_DA),
        forbehold_en=("Some admissions are the right care; a very low share may also mean the function takes "
                      "less ill citizens. " + _LPR3_EN),
        datakilde_da=_ACUTE_DA + " " + _LPR_DA,
        datakilde_en=_ACUTE_EN + " " + _LPR_EN,
    ),
)

_BY_ID = {indicator.id: indicator for indicator in _REGISTRY}


def get(indicator_id: str) -> Indicator:
    """The indicator with this id.

    Raises
    ------
    UnknownIndicatorError
        When the id is not in the registry (the message lists the known ids).
    """
    try:
        return _BY_ID[indicator_id]
    except KeyError:
        raise UnknownIndicatorError(
            f"Unknown indicator {indicator_id!r}; known ids: {', '.join(_BY_ID)}."
        ) from None


def all_indicators() -> tuple[Indicator, ...]:
    """Every indicator in display order."""
    return _REGISTRY


def ids() -> tuple[str, ...]:
    """Every indicator id in display order."""
    return tuple(_BY_ID)

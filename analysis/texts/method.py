"""Texts of the method page (Danish and English).

Fields in braces ({threshold}, {gap} ...) are filled by the page from ``analysis.constants``, so the
texts follow the constants when they change.
"""

TEXTS: dict[str, dict[str, str]] = {
    "me_title": {"da": "Metode: hvad tallene betyder", "en": "Method: what the numbers mean"},
    "me_intro": {
        "da": "Definitioner, kodelister, diskretionering, kendte brud og de statistiske metoder bag hver figur. "
              "Siden kræver ingen data.",
        "en": "Definitions, code lists, disclosure control, known breaks and the statistical methods behind "
              "every chart. This page needs no data.",
    },
    # --- tabs ---------------------------------------------------------------------------------------
    "me_tab_indicators": {"da": "Indikatorer", "en": "Indicators"},
    "me_tab_codes": {"da": "Kodelister", "en": "Code lists"},
    "me_tab_definitions": {"da": "Definitioner og diskretionering", "en": "Definitions and disclosure"},
    "me_tab_context": {"da": "Brud og aftalen", "en": "Breaks and the agreement"},
    "me_tab_statistics": {"da": "Statistiske metoder", "en": "Statistical methods"},
    # --- indicator cards ----------------------------------------------------------------------------
    "me_cards_intro": {
        "da": "Ét kort pr. indikator, opbygget som eSundhed's indikatorbeskrivelser.",
        "en": "One card per indicator, laid out like eSundhed's indicator descriptions.",
    },
    "me_numerator": {"da": "Tæller", "en": "Numerator"},
    "me_denominator": {"da": "Nævner", "en": "Denominator"},
    "me_age_group": {"da": "Aldersgruppe", "en": "Age group"},
    "me_unit": {"da": "Enhed", "en": "Unit"},
    "me_ci_method": {"da": "Usikkerhed (konfidensinterval)", "en": "Uncertainty (confidence interval)"},
    "me_polarity": {"da": "Retning", "en": "Polarity"},
    "me_standardisation": {"da": "Standardisering", "en": "Standardisation"},
    "me_suppression": {"da": "Diskretionering", "en": "Disclosure control"},
    "me_indicator_id": {"da": "Id", "en": "Id"},
    "me_polarity_low_is_good": {"da": "Lavt er godt", "en": "Low is good"},
    "me_polarity_high_is_good": {"da": "Højt er godt", "en": "High is good"},
    "me_polarity_no_judgement": {"da": "Ingen vurdering (beskrivende tal)", "en": "No judgement (descriptive)"},
    "me_ci_byar_exact": {
        "da": "Byar (tæller ≥ 10) / eksakt Poisson (< 10); standardiseret rate: Dobson",
        "en": "Byar (count ≥ 10) / exact Poisson (< 10); standardised rate: Dobson",
    },
    "me_ci_wilson": {"da": "Wilsons score-interval", "en": "Wilson score interval"},
    "me_ci_student_t": {"da": "t-fordelingens interval for et gennemsnit", "en": "t-distribution interval for a mean"},
    "me_ci_median_order_statistic": {
        "da": "Fordelingsfrit interval fra ordensstørrelser (binomial)",
        "en": "Distribution-free interval from order statistics (binomial)",
    },
    "me_ci_none": {"da": "Intet interval: en administrativ sum, ikke et estimat",
                   "en": "No interval: an administrative total, not an estimate"},
    "me_std_crude_and_dsr": {
        "da": "Rå og direkte standardiseret (Europæisk Standardbefolkning 2013 eller Region Midtjylland i et valgt år)",
        "en": "Crude and directly standardised (European Standard Population 2013 or Region Midtjylland in a "
              "chosen year)",
    },
    "me_std_crude": {"da": "Kun rå", "en": "Crude only"},
    "me_std_none": {"da": "Ingen", "en": "None"},
    # --- code lists ---------------------------------------------------------------------------------
    "me_codes_intro": {
        "da": "En diagnose hører til den gruppe, hvis præfiks er det **længste**, koden begynder med "
              "(længste præfiks vinder; `DJ189` matcher `DJ18` før `DJ1`). Koder markeret som *ikke verificeret* "
              "er antagelser, som skal tjekkes mod den officielle liste, før tallene bruges eksternt. "
              "Listerne ligger i `data/reference/diagnosis_codes.csv` og kan redigeres.",
        "en": "A diagnosis belongs to the group whose prefix is the **longest** one the code starts with "
              "(longest prefix wins; `DJ189` matches `DJ18` before `DJ1`). Codes marked *not verified* are "
              "assumptions to be checked against the official list before the numbers are used outside. "
              "The lists live in `data/reference/diagnosis_codes.csv` and can be edited.",
    },
    "me_code_list": {"da": "Kodeliste", "en": "Code list"},
    "me_codes_verified": {"da": "{verified} af {total} præfikser er verificeret; version {version}.",
                          "en": "{verified} of {total} prefixes are verified; version {version}."},
    "me_list_dk_preventable_65": {"da": "Forebyggelige indlæggelser, 65+ (dansk liste)",
                                  "en": "Preventable admissions, 65+ (Danish list)"},
    "me_list_dk_preventable_65_copd": {"da": "KOL-tilføjelse til den danske liste",
                                       "en": "COPD addition to the Danish list"},
    "me_list_oecd_pqi": {"da": "OECD: kroniske sygdomme (PQI)", "en": "OECD: chronic conditions (PQI)"},
    "me_list_acsc_purdy2009": {"da": "ACSC (Purdy 2009)", "en": "ACSC (Purdy 2009)"},
    "me_list_chronic_copd": {"da": "Kronisk sygdom: KOL", "en": "Chronic condition: COPD"},
    "me_list_chronic_diabetes2": {"da": "Kronisk sygdom: type 2-diabetes", "en": "Chronic condition: type 2 diabetes"},
    "me_list_readmission_exclusion": {"da": "Undtaget fra genindlæggelser", "en": "Excluded from readmissions"},
    "me_col_group": {"da": "Gruppe", "en": "Group"},
    "me_col_prefix": {"da": "Præfiks", "en": "Prefix"},
    "me_col_label": {"da": "Betegnelse", "en": "Label"},
    "me_col_verified": {"da": "Verificeret", "en": "Verified"},
    "me_col_version": {"da": "Version", "en": "Version"},
    "me_col_source": {"da": "Kilde", "en": "Source"},
    # --- definitions and disclosure -----------------------------------------------------------------
    "me_h_suppression": {"da": "Diskretionering af små tal", "en": "Disclosure control of small numbers"},
    "me_suppression_body": {
        "da": "- Antal på **1–{small}** vises aldrig, hverken i figurer, tabeller eller eksport.\n"
              "- Rater, andele og intervaller bygget på et skjult antal skjules også (ellers kunne antallet "
              "regnes tilbage).\n"
              "- **Sekundær diskretionering:** hvor celler summerer til en vist total (fx regionens 19 kommuner), "
              "skjules en celle mere, når kun én er skjult, så den ikke kan findes ved subtraktion.\n"
              "- Nul vises: det beskriver ingen person.\n"
              "- Skjulte værdier vises som tomme felter og markeres med en note.",
        "en": "- Counts of **1–{small}** are never shown, in charts, tables or exports.\n"
              "- Rates, shares and intervals built on a hidden count are hidden too (the count could "
              "otherwise be recovered).\n"
              "- **Secondary suppression:** where cells add up to a shown total (e.g. the region's 19 "
              "municipalities), one more cell is hidden when only one is, so it cannot be found by subtraction.\n"
              "- Zero is shown: it describes nobody.\n"
              "- Hidden values appear as empty cells, flagged with a note.",
    },
    "me_h_episode": {"da": "Sygehusophold (episode)", "en": "Hospital stay (episode)"},
    "me_episode_body": {
        "da": "En persons kontakter, der starter højst **{gap} timer** efter den foregående sluttede (eller "
              "overlapper den), er ét sygehusophold, så en overflytning tæller én gang (Sundhedsdatastyrelsens "
              "LPR2/LPR3-konsistente opgørelse). Diagnose, alder og bopæl tages fra den første kontakt; "
              "udskrivningsstedet fra den sidste. En kontakt uden udskrivning regnes som igangværende til "
              "dataslut, så personens senere kontakter hører til samme ophold; siden Data viser, hvor mange "
              "ophold der har været åbne så længe (over {days} dage), at udskrivningen nok mangler.",
        "en": "A person's contacts that start at most **{gap} hours** after the previous one ended (or overlap "
              "it) form one hospital stay, so a transfer counts once (the Danish Health Data Authority's "
              "LPR2/LPR3-consistent definition). Diagnosis, age and residence come from the first contact; "
              "the discharge destination from the last. A contact without a discharge counts as ongoing to the "
              "end of the data, so the person's later contacts belong to the same stay; the Data page shows how "
              "many stays have been open so long (over {days} days) that the discharge is probably missing.",
    },
    "me_h_admission": {"da": "Indlæggelse", "en": "Admission"},
    "me_admission_body": {
        "da": "Et ophold på mindst **{hours} timer** er en indlæggelse; kortere ophold er korte kontakter. "
              "De forebyggelige indlæggelser tæller som eSundhed alle akutte ophold; liggetid og genindlæggelser "
              "bygger på indlæggelser.",
        "en": "A stay of at least **{hours} hours** is an admission; shorter stays are short contacts. "
              "Avoidable admissions count every acute stay, as eSundhed does; length of stay and readmissions "
              "use admissions.",
    },
    "me_h_readmission": {"da": "Genindlæggelse", "en": "Readmission"},
    "me_readmission_body": {
        "da": "En **indeksindlæggelse** er en indlæggelse, der er afsluttet med udskrivning i live, og hvis "
              "aktionsdiagnose ikke er på undtagelseslisten (kræft, hospice, fødsel, ulykker, vold, "
              "selvmordsforsøg). Den tæller som genindlagt, hvis samme person indlægges akut (ikke undtaget) "
              "**0–{days} dage** efter udskrivningen. Indeksindlæggelser udskrevet inden for de sidste {days} "
              "dage af data er **censurerede**: deres vindue er ikke set færdigt, så de indgår hverken i tæller "
              "eller nævner. En genindlæggelse kan selv være indeksindlæggelse.",
        "en": "An **index admission** is an admission ended by discharge alive whose principal diagnosis is "
              "not on the exclusion list (cancer, hospice, childbirth, accidents, violence, suicide attempts). "
              "It counts as readmitted when the same person has an acute (not excluded) admission **0–{days} "
              "days** after discharge. Index admissions discharged in the last {days} days of data are "
              "**censored**: their window is not fully observed, so they are in neither numerator nor "
              "denominator. A readmission can itself be an index admission.",
    },
    "me_h_faerdig": {"da": "Færdigbehandlingsdage og takst", "en": "Days after ready for discharge, and the rate"},
    "me_faerdig_body": {
        "da": "Dage fra sygehuset melder en patient færdigbehandlet, til patienten udskrives. Kommunen betaler "
              "en takst pr. dag; ikke-verificerede takster er fremskrevne antagelser.",
        "en": "Days from the hospital reporting a patient ready for discharge until discharge. The municipality "
              "pays a rate per day; unverified rates are indexed assumptions.",
    },
    "me_col_year": {"da": "År", "en": "Year"},
    "me_col_price": {"da": "Takst pr. dag (kr.)", "en": "Rate per day (DKK)"},
    # --- breaks and the agreement ----------------------------------------------------------------------
    "me_h_breaks": {"da": "Kendte brud i serierne", "en": "Known breaks in the series"},
    "me_breaks_body": {
        "da": "Hændelser, der ændrer registreringen eller niveauet, og som skal huskes, når en kurve knækker. "
              "LPR3 og COVID-19 markeres på tidsakserne.",
        "en": "Events that change recording or the level, to keep in mind when a curve bends. LPR3 and "
              "COVID-19 are marked on the time axes.",
    },
    "me_col_event": {"da": "Hændelse", "en": "Event"},
    "me_col_kind": {"da": "Type", "en": "Kind"},
    "me_col_area": {"da": "Område", "en": "Area"},
    "me_col_start": {"da": "Fra", "en": "From"},
    "me_col_end": {"da": "Til", "en": "To"},
    "me_kind_lpr3": {"da": "Registrering (LPR3)", "en": "Recording (LPR3)"},
    "me_kind_covid": {"da": "COVID-19", "en": "COVID-19"},
    "me_kind_strike": {"da": "Strejke", "en": "Strike"},
    "me_kind_policy": {"da": "Politik", "en": "Policy"},
    "me_h_agreement": {"da": "Rådgivningsaftalen", "en": "The advisory agreement"},
    "me_agreement_body": {
        "da": "**{name}** gælder fra {start} til {end} for {n} kommuner: {munis}. Budget {budget} kr., "
              "fordelt {split}.",
        "en": "**{name}** runs from {start} to {end} in {n} municipalities: {munis}. Budget DKK {budget}, "
              "split {split}.",
    },
    "me_agreement_fee": {
        "da": "Honoraret pr. rådgivningskontakt er sat til {fee} kr. Det er en **antagelse** (ikke offentliggjort), "
              "som kun bruges til at omregne budgettet til et forventet antal kontakter; ret det i "
              "`data/reference/interventions.csv`.",
        "en": "The fee per advisory contact is set to DKK {fee}. It is an **assumption** (not published), used "
              "only to turn the budget into an expected number of contacts; change it in "
              "`data/reference/interventions.csv`.",
    },
    "me_agreement_fee_known": {"da": "Honoraret pr. rådgivningskontakt er {fee} kr.",
                               "en": "The fee per advisory contact is DKK {fee}."},
    "me_split_region": {"da": "regionen", "en": "region"},
    "me_split_municipalities": {"da": "kommunerne", "en": "municipalities"},
    "me_amount": {"da": "{amount} kr.", "en": "DKK {amount}"},
    "me_source": {"da": "Kilde: {source}", "en": "Source: {source}"},
    # --- statistical methods -------------------------------------------------------------------------
    "me_effect_title": {"da": "Aftalens effekt: metoder", "en": "Effect of the agreement: methods"},
    "me_effect_body": {
        "da": "- **Afbrudt tidsserie (ITS):** segmenteret Poisson-/kvasi-Poisson-/negativ binomial-regression på "
              "månedlige antal med befolkningen 65+ som offset, sæsonled (Fourier), tre perioder (før / under / "
              "efter aftalen) og led for COVID-19-bølgerne og regionens LPR3-skift. Kontrafaktisk forløb = modellen "
              "uden aftalens led. Har en lille kommune ingen "
              "hændelser i de måneder, et COVID-19-led dækker, kan leddet ikke estimeres; de måneder udelades af "
              "tilpasningen (modellens grænse) og står uden kontrafaktisk værdi.\n"
              "- **Kontrolleret sammenligning (difference-in-differences):** kommune- og månedseffekter, Poisson med "
              "offset; de 79 kommuner i de fire andre regioner er kontrol og optager COVID-19 og sæson, som rammer "
              "alle; standardfejl klynget på kommune.\n"
              "- **Syntetisk kontrol:** hver kommune sammenlignes med en vægtet kombination af kontrolkommuner "
              "tilpasset før aftalen; placebo-test i rummet. Med få donorer er p-værdier og intervaller grove.\n"
              "- **Samlet estimat:** random-effects metaanalyse (DerSimonian–Laird) af de 19 kommuners "
              "rate ratioer med τ² og I².\n"
              "- **Følsomhed:** uden COVID-19-månederne, start ±3 måneder og placebo-startdatoer før aftalen "
              "(de skal ikke vise noget).\n"
              "- **Økonomi:** rådgivningskontakter × honorar (en redigerbar antagelse) mod budgettet på 3 mio. kr.; "
              "forbruget fremskrives lineært med det gennemsnitlige månedsforbrug, højst 10 år efter aftalens udløb.\n\n"
              "Kilder: Lopez Bernal, Cummins & Gasparrini (2017) *Int J Epidemiol* 46:348–355; Abadie, Diamond & "
              "Hainmueller (2010) *JASA* 105:493–505; DerSimonian & Laird (1986) *Control Clin Trials* 7:177–188.",
        "en": "- **Interrupted time series (ITS):** segmented Poisson / quasi-Poisson / negative binomial regression "
              "on monthly counts with the 65+ population as offset, Fourier seasonality, three periods (before / "
              "during / after the agreement) and terms for the COVID-19 waves and the region's LPR3 change. The "
              "counterfactual is the model without the agreement's terms. When a small municipality has no events in the "
              "months a COVID-19 term covers, the term cannot be estimated; those months are left out of the fit (the "
              "model's limit) and have no counterfactual value.\n"
              "- **Controlled comparison (difference-in-differences):** municipality and month effects, Poisson with "
              "offset; the 79 municipalities of the other four regions are the control and absorb COVID-19 and "
              "seasonality common to all; standard errors clustered by municipality.\n"
              "- **Synthetic control:** each municipality against a weighted combination of control municipalities "
              "fitted before the agreement; placebo-in-space inference. With small donor pools p-values and "
              "intervals are rough.\n"
              "- **Pooled estimate:** random-effects meta-analysis (DerSimonian–Laird) of the 19 municipalities' rate "
              "ratios with τ² and I².\n"
              "- **Sensitivity:** without the COVID-19 months, start ±3 months, and placebo start dates before the "
              "agreement (they should show nothing).\n"
              "- **Economy:** GP advisory contacts × fee (an editable assumption) against the 3 mio. DKK budget; spend "
              "is projected linearly at the mean monthly spend, at most 10 years past the agreement's end.\n\n"
              "Sources: Lopez Bernal, Cummins & Gasparrini (2017) *Int J Epidemiol* 46:348–355; Abadie, Diamond & "
              "Hainmueller (2010) *JASA* 105:493–505; DerSimonian & Laird (1986) *Control Clin Trials* 7:177–188.",
    },
    "me_statistics_body": {
        "da": "- **Rater (rå):** konfidensinterval efter Byars approksimation, når tælleren er mindst 10, ellers "
              "det eksakte Poisson-interval (Garwood).\n"
              "- **Standardiserede rater:** direkte standardisering efter alder (5-årsgrupper, 90+ samlet) og køn "
              "til Europæisk Standardbefolkning 2013 eller — valgfrit i sidepanelet — Region Midtjyllands egen "
              "befolkning i et valgt år. Interval efter Dobson m.fl. (1991), justeret for at samme borger kan "
              "indlægges flere gange: fordelingen af borgere med 1, 2, 3 … ophold i kalenderåret (pr. kommune, "
              "køn og aldersgruppe) øger variansen i hvert stratum med faktoren Σk²P / ΣkP (PHE's metode for "
              "ikke-uafhængige hændelser). Tabellen bag figuren siger, hvilken metode der er brugt.\n"
              "- **Andele** (genindlæggelser, andele i akutfunktionen): Wilsons score-interval.\n"
              "- **Gennemsnit og median** (liggetid): t-interval for gennemsnittet; fordelingsfrit interval fra "
              "ordensstørrelser for medianen.\n"
              "- **Tragtdiagram:** kontrolgrænser på 95 % og 99,8 % omkring referenceværdien (regionen eller "
              "landet) som funktion af befolkningens størrelse (Spiegelhalter 2005). En kommune uden for "
              "99,8 %-grænsen afviger mere, end tilfældig variation let kan forklare.\n"
              "- Alle intervaller er 95 %, medmindre andet står; metoden står i tabellen bag hver figur.",
        "en": "- **Rates (crude):** Byar's approximation when the count is at least 10, otherwise the exact "
              "Poisson interval (Garwood).\n"
              "- **Standardised rates:** direct standardisation by age (5-year bands, 90+ pooled) and sex to the "
              "European Standard Population 2013 or — a sidebar choice — Region Midtjylland's own population in a "
              "chosen year. Interval by Dobson et al. (1991), adjusted for repeat admissions of the same person: "
              "the distribution of people with 1, 2, 3 … stays in the calendar year (per municipality, sex and "
              "age band) inflates each stratum's variance by Σk²P / ΣkP (PHE's method for non-independent "
              "events). The table behind each chart names the method used.\n"
              "- **Shares** (readmissions, acute-function shares): Wilson score interval.\n"
              "- **Mean and median** (length of stay): t interval for the mean; distribution-free order-statistic "
              "interval for the median.\n"
              "- **Funnel plot:** 95 % and 99.8 % control limits around the reference value (the region or the "
              "country) as a function of population size (Spiegelhalter 2005). A municipality outside the "
              "99.8 % limit differs more than chance easily explains.\n"
              "- Every interval is 95 % unless stated; the method is written in the table behind each chart.",
    },
    "me_references": {
        "da": "**Litteratur:** Breslow & Day (1987) om Byars metode; Dobson AJ m.fl., Stat Med 1991;10:457-62; "
              "Wilson EB, JASA 1927;22:209-12; Spiegelhalter DJ, Stat Med 2005;24:1185-202; Eurostat, Revision "
              "of the European Standard Population (2013); Public Health England, PHEindicatormethods.",
        "en": "**References:** Breslow & Day (1987) for Byar's method; Dobson AJ et al., Stat Med 1991;10:457-62; "
              "Wilson EB, JASA 1927;22:209-12; Spiegelhalter DJ, Stat Med 2005;24:1185-202; Eurostat, Revision "
              "of the European Standard Population (2013); Public Health England, PHEindicatormethods.",
    },
    "me_yes": {"da": "Ja", "en": "Yes"},
    "me_no": {"da": "Nej", "en": "No"},
    "me_national": {"da": "Hele landet", "en": "Whole country"},
}

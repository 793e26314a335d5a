"""Texts shared by the shell and the Data page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
    "app_title": {"da": "Akutindblik", "en": "Akutindblik"},
    "app_subtitle": {
        "da": "Forebyggelige akutte indlæggelser i Region Midtjylland og effekten af rådgivningsaftalen",
        "en": "Avoidable acute admissions in Region Midtjylland and the effect of the advisory agreement",
    },
    "language": {"da": "Sprog", "en": "Language"},
    "page_data": {"da": "Data", "en": "Data"},
    # --- navigation -------------------------------------------------------------------------------
    "page_overview": {"da": "Overblik", "en": "Overview"},
    "page_avoidable": {"da": "Forebyggelige indlæggelser", "en": "Avoidable admissions"},
    "page_los": {"da": "Liggetid og udskrivelse", "en": "Length of stay and discharge"},
    "page_readmissions": {"da": "Genindlæggelser", "en": "Readmissions"},
    "page_acute_beds": {"da": "Akutfunktioner", "en": "Municipal acute functions"},
    "page_method": {"da": "Metode", "en": "Method"},
    # --- shared filters ---------------------------------------------------------------------------
    "filters": {"da": "Udvalg", "en": "Selection"},
    "f_period": {"da": "Periode (måneder)", "en": "Period (months)"},
    "f_area": {"da": "Område", "en": "Area"},
    "f_munis": {"da": "Eller vælg kommuner", "en": "Or choose municipalities"},
    "f_munis_help": {"da": "Vælg én eller flere kommuner; tom = området ovenfor.",
                     "en": "Choose one or more municipalities; empty = the area above."},
    "f_munis_placeholder": {"da": "Ingen valgt", "en": "None chosen"},
    "f_age": {"da": "Aldersgruppe", "en": "Age group"},
    "f_sex": {"da": "Køn", "en": "Sex"},
    "f_definition": {"da": "Definition af forebyggelig", "en": "Definition of avoidable"},
    "f_groups": {"da": "Diagnosegrupper", "en": "Diagnosis groups"},
    "f_groups_help": {"da": "Tom = alle grupper i definitionen.", "en": "Empty = every group of the definition."},
    "f_groups_placeholder": {"da": "Alle grupper", "en": "All groups"},
    "f_std": {"da": "Alders- og kønsstandardiseret", "en": "Age-sex standardised"},
    "f_std_help": {"da": "Direkte standardiseret efter alder og køn (standardbefolkning vælges nedenfor).",
                   "en": "Directly standardised for age and sex (choose the standard population below)."},
    "f_stdpop": {"da": "Standardbefolkning", "en": "Standard population"},
    "f_stdpop_help": {
        "da": "Europæisk Standardbefolkning 2013 (sammenlignelig med andre opgørelser) eller Region Midtjyllands "
              "egen befolkning i et valgt år (raterne ligner så regionens egne tal).",
        "en": "The European Standard Population 2013 (comparable with other publications) or Region "
              "Midtjylland's own population in a chosen year (rates then look like the region's own figures)."},
    "stdpop_esp": {"da": "Europæisk Standardbefolkning 2013", "en": "European Standard Population 2013"},
    "stdpop_region": {"da": "Region Midtjylland {year}", "en": "Region Midtjylland {year}"},
    # --- page-level choices -----------------------------------------------------------------------
    "res": {"da": "Tidsopløsning", "en": "Time resolution"},
    "period_month": {"da": "Måned", "en": "Month"},
    "period_quarter": {"da": "Kvartal", "en": "Quarter"},
    "period_year": {"da": "År", "en": "Year"},
    "coarser_quarter": {
        "da": "Vist pr. kvartal, fordi for mange af månedstallene er under 5 og derfor skjult.",
        "en": "Shown by quarter because too many of the monthly figures are below 5 and therefore hidden.",
    },
    "coarser_year": {
        "da": "Vist pr. år, fordi for mange af tallene pr. måned eller kvartal er under 5 og derfor skjult.",
        "en": "Shown by year because too many of the monthly or quarterly figures are below 5 and therefore "
              "hidden.",
    },
    "area_national": {"da": "Hele landet", "en": "Denmark (all regions)"},
    "age_all": {"da": "Alle aldre", "en": "All ages"},
    "sex_all": {"da": "Begge køn", "en": "Both sexes"},
    "sex_F": {"da": "Kvinder", "en": "Women"},
    "sex_M": {"da": "Mænd", "en": "Men"},
    "def_dk_preventable_65": {"da": "Dansk liste (forebyggelige, 65+)", "en": "Danish list (preventable, 65+)"},
    "def_oecd_pqi": {"da": "OECD (kroniske sygdomme)", "en": "OECD (chronic conditions)"},
    "def_acsc_purdy2009": {"da": "ACSC (Purdy 2009)", "en": "ACSC (Purdy 2009)"},
    "notice_reset": {"da": "Nogle værdier i linket kunne ikke bruges og er sat til standard: {keys}.",
                     "en": "Some values in the link could not be used and were reset to defaults: {keys}."},
    "table_behind": {"da": "Tabel bag figuren", "en": "Table behind the chart"},
    "download_csv": {"da": "Hent som CSV", "en": "Download CSV"},
    "no_rows": {"da": "Der er ingen data for dette udvalg. Prøv en længere periode eller et større område.",
                "en": "There is no data for this selection. Try a longer period or a larger area."},
    "share_link": {"da": "Linket i adresselinjen gengiver præcis denne visning.",
                   "en": "The link in the address bar reproduces exactly this view."},

    "data_title": {"da": "Data: leverancer og kvalitet", "en": "Data: deliveries and quality"},
    "data_intro": {
        "da": "Hvad er indlæst, hvor mange rækker, og hvilke rækker er sat i karantæne og hvorfor. "
              "Hver læst række er enten indlæst eller i karantæne: læst = indlæst + karantæne.",
        "en": "What is loaded, how many rows, and which rows were quarantined and why. "
              "Every row read is either loaded or quarantined: read = loaded + quarantined.",
    },
    "data_missing_title": {"da": "Der mangler data", "en": "Some data are missing"},
    "data_missing_admissions": {
        "da": "**Indlæggelser** er ikke indlæst: der er ingen sygehusophold, så indlæggelser, liggetid og "
              "genindlæggelser er tomme.",
        "en": "**Admissions** are not loaded: there are no hospital stays, so admissions, length of stay and "
              "readmissions are empty."},
    "data_missing_discharges": {
        "da": "**Udskrivninger** er ikke indlæst: alle ophold står som igangværende og en persons senere kontakter "
              "lægges ind i det første, så liggetid, genindlæggelser, udskrivningssteder og færdigbehandlingsdage "
              "er tomme og indlæggelserne tælles for lavt.",
        "en": "**Discharges** are not loaded: every stay counts as ongoing and a person's later contacts are "
              "merged into the first, so length of stay, readmissions, discharge destinations and days waiting "
              "after treatment are empty and admissions are undercounted."},
    "data_missing_population": {
        "da": "**Befolkningstal** er ikke indlæst: rater pr. 1.000 borgere, standardisering og effektanalysen "
              "kan ikke beregnes.",
        "en": "**Population** is not loaded: rates per 1,000 citizens, standardisation and the effect analysis "
              "cannot be computed."},
    "data_missing_acute_bed_stays": {
        "da": "**Ophold i akutfunktion** er ikke indlæst: akutfunktionernes brug, belægning og henvisninger er "
              "tomme.",
        "en": "**Acute-function stays** are not loaded: the acute functions' use, occupancy and referrals are "
              "empty."},
    "data_missing_howto": {
        "da": "Indlæs de manglende udtræk med `python -m analysis ingest --db {db} FILER`; siden Data viser, hvad "
              "der er indlæst.",
        "en": "Load the missing extracts with `python -m analysis ingest --db {db} FILES`; the Data page shows "
              "what is loaded."},
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

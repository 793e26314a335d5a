"""Texts of the los page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
    "los_title": {"da": "Liggetid og udskrivelse", "en": "Length of stay and discharge"},
    "los_intro": {
        "da": "Hvor længe de akutte indlæggelser varer, hvor mange sengedage de bruger, hvor patienterne "
              "udskrives til, og hvor mange dage de venter på kommunen, når de er færdigbehandlede.",
        "en": "How long acute admissions last, how many bed-days they use, where patients are discharged to, "
              "and how many days they wait for the municipality once they are ready to leave.",
    },
    # controls
    "los_scope": {"da": "Indlæggelser", "en": "Admissions"},
    "los_scope_acute": {"da": "Alle akutte", "en": "All acute"},
    "los_scope_avoidable": {"da": "Forebyggelige", "en": "Avoidable"},
    # length of stay
    "los_trend_title": {"da": "Liggetid ved akutte indlæggelser", "en": "Length of stay in acute admissions"},
    "los_trend_title_avoidable": {"da": "Liggetid ved forebyggelige indlæggelser",
                                  "en": "Length of stay in avoidable admissions"},
    "los_axis_days": {"da": "Liggetid (dage)", "en": "Length of stay (days)"},
    "los_stat_mean": {"da": "Gennemsnit", "en": "Mean"},
    "los_stat_median": {"da": "Median", "en": "Median"},
    "los_stat_p90": {"da": "90 %-fraktil", "en": "90th percentile"},
    "los_trend_caption": {
        "da": "Hvor mange dage en indlæggelse på mindst 12 timer varer: medianen er det typiske ophold (med "
              "95 %-konfidensbånd), gennemsnittet trækkes op af de lange forløb, og 90 %-fraktilen viser, "
              "hvor lange de længste 10 % af opholdene mindst er.",
        "en": "How many days an admission of at least 12 hours lasts: the median is the typical stay (with its "
              "95% confidence band), the mean is pulled up by long stays, and the 90th percentile shows the "
              "length that the longest 10% of stays reach.",
    },
    # bed-days
    "los_beddays_title": {"da": "Sengedage ved akutte indlæggelser", "en": "Bed-days in acute admissions"},
    "los_beddays_axis": {"da": "Sengedage pr. 1.000 borgere pr. år", "en": "Bed-days per 1,000 citizens per year"},
    "los_beddays_caption": {
        "da": "Hvor mange sengedage de akutte indlæggelser bruger i forhold til antallet af borgere i den "
              "valgte aldersgruppe, med 95 %-konfidensinterval.",
        "en": "How many bed-days acute admissions use relative to the number of citizens in the chosen age "
              "group, with the 95% confidence interval.",
    },
    # discharge destinations
    "los_dest_title": {"da": "Hvor patienterne udskrives til", "en": "Where patients are discharged to"},
    "los_dest_axis": {"da": "Andel af udskrivningerne (%)", "en": "Share of discharges (%)"},
    "los_dest_caption": {
        "da": "Hvor stor en del af de akutte indlæggelser der slutter i hvert udskrivningssted; skjulte små "
              "tal tæller som nul i stablen.",
        "en": "What share of acute admissions ends at each discharge destination; hidden small counts count "
              "as zero in the stack.",
    },
    "los_dest_home": {"da": "Eget hjem", "en": "Own home"},
    "los_dest_home_care": {"da": "Hjem med hjemmepleje", "en": "Home with home care"},
    "los_dest_acute_bed": {"da": "Kommunal akutfunktion", "en": "Municipal acute function"},
    "los_dest_nursing_home": {"da": "Plejebolig", "en": "Nursing home"},
    "los_dest_other_hospital": {"da": "Andet sygehus", "en": "Other hospital"},
    "los_dest_death": {"da": "Død", "en": "Died"},
    "los_dest_other": {"da": "Andet", "en": "Other"},
    # færdigbehandlingsdage
    "los_faerdig_title": {"da": "Færdigbehandlingsdage", "en": "Days waiting after ready for discharge"},
    "los_faerdig_axis": {"da": "Dage pr. 1.000 borgere pr. år", "en": "Days per 1,000 citizens per year"},
    "los_faerdig_caption": {
        "da": "Dage hvor borgere bliver på sygehuset, efter at de er færdigbehandlede og venter på et tilbud "
              "fra kommunen, i forhold til antallet af borgere, med 95 %-konfidensinterval.",
        "en": "Days citizens stay in hospital after they are ready for discharge while waiting for the "
              "municipality, relative to the number of citizens, with the 95% confidence interval.",
    },
    "los_cost_title": {"da": "Hvad færdigbehandlingsdagene koster kommunen",
                       "en": "What the waiting days cost the municipality"},
    "los_cost_axis": {"da": "Betaling til regionen (kr.)", "en": "Payment to the region (DKK)"},
    "los_cost_x": {"da": "År", "en": "Year"},
    "los_cost_caption": {
        "da": "Kommunens betaling til regionen for færdigbehandlingsdage pr. år, beregnet som dage gange "
              "taksten pr. dag.",
        "en": "The municipality's payment to the region for days waiting after ready for discharge, per year: "
              "days times the price per day.",
    },
    # the Danish list ends in "kr.", which closes the sentence
    "los_cost_prices": {"da": "Takst pr. dag{status}: {prices}", "en": "Price per day{status}: {prices}."},
    "los_price": {"da": "{year}: {price} kr.", "en": "{year}: DKK {price}"},
    "los_price_verified": {"da": "bekræftet", "en": "verified"},
    "los_price_assumed": {"da": "antaget", "en": "assumed"},
    "los_price_assumed_note": {
        "da": "En antaget takst er fremskrevet og ikke kontrolleret mod den gældende bekendtgørelse.",
        "en": "An assumed price is indexed forward and not checked against the statutory order in force.",
    },
    "los_year_partial": {"da": "{year} ({months} mdr.)", "en": "{year} ({months} mo.)"},
}

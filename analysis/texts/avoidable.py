"""Texts of the Avoidable admissions page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
    "av_title": {"da": "Forebyggelige indlæggelser", "en": "Avoidable admissions"},
    "av_intro": {
        "da": "Akutte indlæggelser af borgere på 65+ med en diagnose, der ofte kan forebygges i nære "
              "tilbud. Definition, koder og forbehold står på siden Metode.",
        "en": "Acute admissions of citizens aged 65+ with a diagnosis that can often be prevented by care "
              "close to home. Definition, codes and caveats are on the Method page.",
    },
    "av_indicator": {"da": "Indikator", "en": "Indicator"},
    "av_trend_title": {"da": "{name}: udvikling", "en": "{name}: trend"},
    "av_std_suffix": {"da": " (standardiseret, {std})", "en": " (standardised, {std})"},
    "av_trend_caption": {
        "da": "{name} i {area}, {unit}, med 95 %-sikkerhedsinterval. Aftaleperioden er skraveret; stiplede "
              "linjer viser LPR3-omlægningen og COVID-19-nedlukningen, som begge flytter tallene.",
        "en": "{name} in {area}, {unit}, with 95 % confidence interval. The agreement period is shaded; dashed "
              "lines mark the LPR3 change and the COVID-19 lockdown, both of which shift the numbers.",
    },
    "av_compare": {"da": "Kommunerne sammenlignet", "en": "The municipalities compared"},
    "av_ranked_title": {"da": "{name} pr. kommune", "en": "{name} by municipality"},
    "av_ranked_caption": {
        "da": "Hver kommunes værdi med 95 %-sikkerhedsinterval; den lodrette linje er {bench}. Interval helt "
              "over eller under linjen betyder, at forskellen næppe er tilfældig.",
        "en": "Each municipality's value with 95 % confidence interval; the vertical line is {bench}. An "
              "interval wholly above or below the line means the difference is unlikely to be chance.",
    },
    "av_funnel_title": {"da": "Tragtdiagram: observeret i forhold til forventet",
                        "en": "Funnel plot: observed relative to expected"},
    "av_funnel_x": {"da": "Forventet antal (efter alder og køn)", "en": "Expected number (given age and sex)"},
    "av_funnel_y": {"da": "Observeret / forventet", "en": "Observed / expected"},
    "av_funnel_caption": {
        "da": "Kommuner uden for de stiplede 95 %- og 99,8 %-grænser afviger mere, end tilfældighed kan "
              "forklare, når der tages højde for alder, køn og størrelse.",
        "en": "Municipalities outside the dashed 95 % and 99.8 % limits differ more than chance can explain, "
              "given their age, sex and size.",
    },
    "av_map_title": {"da": "Kort: {name}", "en": "Map: {name}"},
    "av_map_caption": {
        "da": "Hver firkant er en kommune, placeret groft efter geografi; farven viser værdien. Grå = skjult "
              "(for få tilfælde).",
        "en": "Each square is a municipality, placed roughly by geography; the colour shows the value. Grey = "
              "suppressed (too few cases).",
    },
    "av_breakdown": {"da": "Fordelt på diagnosegruppe, alder og køn", "en": "By diagnosis group, age and sex"},
    "av_by_diagnosis_group": {"da": "Diagnosegruppe", "en": "Diagnosis group"},
    "av_by_age_band": {"da": "Aldersgruppe", "en": "Age band"},
    "av_by_sex": {"da": "Køn", "en": "Sex"},
    "av_breakdown_title": {"da": "{name} fordelt på {by}", "en": "{name} by {by}"},
    "av_breakdown_caption": {
        "da": "Raten pr. 1.000 borgere i hver gruppe i perioden, med 95 %-sikkerhedsinterval.",
        "en": "The rate per 1,000 citizens of each group over the period, with 95 % confidence interval.",
    },
    "av_benchmark": {"da": "gennemsnittet for {name}", "en": "the average of {name}"},
    "av_no_funnel": {"da": "Tragtdiagrammet kræver mindst to kommuner med data.",
                     "en": "The funnel plot needs at least two municipalities with data."},
    "av_summary": {
        "da": "**{n_high}** kommune(r) ligger sikkert over og **{n_low}** sikkert under {bench}.",
        "en": "**{n_high}** municipality(ies) lie clearly above and **{n_low}** clearly below {bench}.",
    },
}

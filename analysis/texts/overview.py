"""Texts of the Overview page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
    "ov_title": {"da": "Overblik", "en": "Overview"},
    "ov_intro": {
        "da": "Nøgletal for udvalget i sidebjælken, sammenlignet med Region Midtjylland og hele landet. "
              "Pilen viser ændringen fra året før til det seneste hele år.",
        "en": "Key figures for the selection in the sidebar, compared with Region Midtjylland and the whole "
              "country. The arrow shows the change from the year before to the latest full year.",
    },
    "ov_agreement": {
        "da": "Rådgivningsaftalen (praktiserende lægers rådgivning af de kommunale akutfunktioner) gjaldt "
              "1. september 2019 – 31. december 2020; den er markeret på alle tidsakser.",
        "en": "The advisory agreement (GPs advising the municipal acute functions) ran from 1 September 2019 "
              "to 31 December 2020; it is marked on every time axis.",
    },
    "ov_region_country": {"da": "Regionen: {region} · Landet: {country}", "en": "Region: {region} · Country: {country}"},
    "ov_suppressed": {"da": "skjult (for få tilfælde)", "en": "suppressed (too few cases)"},
    "ov_trend_stat": {"da": "Udvikling: {trend}", "en": "Trend: {trend}"},
    "ov_trend_increasing": {"da": "stigende", "en": "increasing"},
    "ov_trend_decreasing": {"da": "faldende", "en": "decreasing"},
    "ov_trend_no_significant_change": {"da": "ingen sikker ændring", "en": "no clear change"},
    "ov_main_title": {"da": "Forebyggelige akutte indlæggelser, 65+, pr. måned",
                      "en": "Avoidable acute admissions, 65+, by month"},
    "ov_main_y": {"da": "Pr. 1.000 borgere 65+ pr. år", "en": "Per 1,000 citizens 65+ per year"},
    "ov_main_caption": {
        "da": "Antal forebyggelige akutte indlæggelser blandt borgere på 65 år og derover pr. 1.000 pr. år i "
              "udvalget, måned for måned, med 95 %-sikkerhedsinterval; aftaleperioden er skraveret.",
        "en": "Avoidable acute admissions among citizens aged 65 and over per 1,000 per year in the selection, "
              "month by month, with 95 % confidence interval; the agreement period is shaded.",
    },
    "axis_month": {"da": "Måned", "en": "Month"},
}

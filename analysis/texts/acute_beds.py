"""Texts of the acute_beds page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
    "ab_title": {"da": "Akutfunktioner", "en": "Municipal acute functions"},
    "ab_intro": {
        "da": "Kommunernes akutpladser og akutteams for borgere på 65 år og derover: hvor meget de bruges, "
              "hvem der henviser, hvordan opholdene ender, og hvor meget de praktiserende læger rådgav under "
              "aftalen.",
        "en": "The municipalities' acute beds and acute teams for citizens aged 65 and over: how much they are "
              "used, who refers, how the stays end, and how much the GPs advised during the agreement.",
    },
    # stays
    "ab_trend_title": {"da": "Ophold i akutfunktionen", "en": "Stays in the acute function"},
    "ab_trend_axis": {"da": "Ophold pr. 1.000 borgere 65+ pr. år", "en": "Stays per 1,000 citizens 65+ per year"},
    "ab_trend_caption": {
        "da": "Hvor mange ophold i akutfunktionen der begynder i forhold til antallet af borgere på 65 år og "
              "derover, på akutpladser, hjemme hos borgeren og i alt, med 95 %-konfidensbånd.",
        "en": "How many acute-function stays begin relative to the number of citizens aged 65 and over, in "
              "acute beds, at the citizen's home and in total, with 95% confidence bands.",
    },
    "ab_setting_bed": {"da": "Akutplads (døgnophold)", "en": "Acute bed (overnight)"},
    "ab_setting_home": {"da": "Akutteam i eget hjem", "en": "Acute team at home"},
    "ab_setting_all": {"da": "I alt", "en": "Total"},
    # occupancy
    "ab_occ_title": {"da": "Belægning på akutpladserne", "en": "Occupancy of the acute beds"},
    "ab_occ_axis": {"da": "Belægning (% af kapaciteten)", "en": "Occupancy (% of capacity)"},
    "ab_occ_full": {"da": "Fuld kapacitet", "en": "Full capacity"},
    "ab_occ_caption": {
        "da": "Hvor stor en del af de normerede akutpladser der var optaget (belagte sengedage delt med "
              "pladser gange dage, alle aldre og begge køn); over 100 % betyder flere borgere end pladser.",
        "en": "What share of the planned acute beds was occupied (occupied bed-days divided by beds times days, "
              "all ages and both sexes); above 100% means more citizens than beds.",
    },
    "ab_occ_beds": {"da": "Kapacitet i den seneste periode: {beds} pladser.",
                    "en": "Capacity in the latest period: {beds} beds."},
    # referrals
    "ab_ref_title": {"da": "Hvem henviser til akutfunktionen", "en": "Who refers to the acute function"},
    "ab_ref_axis": {"da": "Andel af opholdene (%)", "en": "Share of stays (%)"},
    "ab_ref_caption": {
        "da": "Fordelingen af opholdene efter hvem der henviste; den praktiserende læge ligger nederst, så "
              "lægens andel kan aflæses direkte, og skjulte små tal tæller som nul i stablen.",
        "en": "The stays by who referred them; the GP is at the bottom so the GP share can be read directly, "
              "and hidden small counts count as zero in the stack.",
    },
    "ab_gp_title": {"da": "Andel henvist af den praktiserende læge", "en": "Share referred by the GP"},
    "ab_gp_caption": {
        "da": "Tillidsspørgsmålet: når en større andel af opholdene henvises af de praktiserende læger selv, "
              "er det et tegn på, at lægerne stoler på akutfunktionen som alternativ til indlæggelse "
              "(95 %-konfidensbånd).",
        "en": "The trust question: when a larger share of stays is referred by the GPs themselves, it is a "
              "sign that the GPs trust the acute function as an alternative to admission (95% confidence "
              "band).",
    },
    "ab_ref_gp": {"da": "Praktiserende læge", "en": "GP"},
    "ab_ref_out_of_hours": {"da": "Lægevagten", "en": "Out-of-hours doctor"},
    "ab_ref_hospital": {"da": "Sygehus", "en": "Hospital"},
    "ab_ref_home_care": {"da": "Hjemmepleje", "en": "Home care"},
    "ab_ref_other": {"da": "Andre", "en": "Other"},
    # outcomes
    "ab_out_title": {"da": "Hvordan opholdene ender", "en": "How the stays end"},
    "ab_out_caption": {
        "da": "Hvor stor en del af opholdene der sluttede med, at borgeren kom hjem, blev indlagt på sygehus, "
              "døde eller andet, efter hvornår opholdet begyndte; de seneste ophold kan stadig være i gang.",
        "en": "What share of stays ended with the citizen going home, being admitted to hospital, dying or "
              "otherwise, by when the stay started; the latest stays may still be ongoing.",
    },
    "ab_out_home": {"da": "Hjem", "en": "Home"},
    "ab_out_hospital": {"da": "Indlagt på sygehus", "en": "Admitted to hospital"},
    "ab_out_death": {"da": "Død", "en": "Died"},
    "ab_out_other": {"da": "Andet", "en": "Other"},
    "ab_out_ongoing": {"da": "Stadig i gang", "en": "Still ongoing"},
    # admitted within 7 days
    "ab_7d_title": {"da": "Indlagt inden for 7 dage efter et ophold", "en": "Admitted within 7 days after a stay"},
    "ab_7d_axis": {"da": "Indlagt inden for 7 dage (% af opholdene)", "en": "Admitted within 7 days (% of stays)"},
    "ab_7d_caption": {
        "da": "Hvor ofte et afsluttet ophold i akutfunktionen alligevel ender med en akut sygehusindlæggelse "
              "under opholdet eller inden for 7 dage efter, med 95 %-konfidensbånd.",
        "en": "How often a completed acute-function stay still ends in an acute hospital admission during the "
              "stay or within 7 days after it, with the 95% confidence band.",
    },
    # GP advice
    "ab_advice_title": {"da": "Rådgivning fra praktiserende læger", "en": "Advice from GPs"},
    "ab_advice_axis": {"da": "Rådgivningskontakter (antal)", "en": "Advisory contacts (number)"},
    "ab_advice_series": {"da": "Rådgivningskontakter", "en": "Advisory contacts"},
    "ab_advice_caption": {
        "da": "Hvor mange gange akutfunktionen fik rådgivning af en praktiserende læge; aftalen (den stiplede "
              "ramme) betalte et antaget honorar på {fee} kr. pr. kontakt inden for et budget på {budget} kr.",
        "en": "How many times the acute function was advised by a GP; the agreement (the dotted frame) paid an "
              "assumed fee of DKK {fee} per contact within a budget of DKK {budget}.",
    },
}

"""Texts of the effect page "Aftalens effekt" (Danish and English).

Fields in braces are filled by the page ({unit}, {name}, {tau2} ...).
"""

TEXTS: dict[str, dict[str, str]] = {
    "page_effect": {"da": "Aftalens effekt", "en": "Effect of the agreement"},
    "ef_title": {"da": "Aftalens effekt", "en": "Effect of the agreement"},
    "ef_intro": {
        "da": "Har aftalen om lægelig rådgivning til de kommunale akutfunktioner (1. september 2019 - 31. december "
              "2020, alle 19 kommuner i Region Midtjylland, 3 mio. kr.) mindsket indlæggelserne? Her sammenlignes "
              "det observerede med det forventede uden aftalen - hvor, hvor meget, hvor sikkert og til hvilken pris.",
        "en": "Did the agreement on GP advice to the municipal acute functions (1 September 2019 - 31 December 2020, "
              "all 19 municipalities of Region Midtjylland, DKK 3 million) reduce admissions? The page compares what "
              "was observed with what was expected without the agreement - where, by how much, how sure we are and "
              "at what cost.",
    },
    "ef_sidebar_note": {
        "da": "Siden har sine egne valg herunder; filtrene i sidepanelet gælder ikke her.",
        "en": "This page has its own choices below; the sidebar filters do not apply here.",
    },
    # --- controls ------------------------------------------------------------------------------------------
    "ef_outcome": {"da": "Udfald", "en": "Outcome"},
    "ef_method": {"da": "Metode", "en": "Method"},
    "ef_unit": {"da": "Område", "en": "Area"},
    "ef_region_all": {"da": "Region Midtjylland (alle 19)", "en": "Region Midtjylland (all 19)"},
    "ef_spinner": {
        "da": "Beregner aftalens effekt for alle 19 kommuner - det kan tage op til et minut første gang.",
        "en": "Estimating the agreement's effect for all 19 municipalities - this can take up to a minute the "
              "first time.",
    },
    "ef_error": {
        "da": "Effekten kan ikke beregnes på disse data: {reason}",
        "en": "The effect cannot be estimated on these data: {reason}",
    },
    "ef_no_series": {
        "da": "Der er ingen tidsserie at vise for {unit} med denne metode.",
        "en": "There is no time series to show for {unit} with this method.",
    },
    # --- summary -------------------------------------------------------------------------------------------
    "ef_summary_head": {"da": "Kort fortalt", "en": "In short"},
    # --- counterfactual chart ------------------------------------------------------------------------------
    "ef_cf_heading": {"da": "Observeret og forventet uden aftalen",
                      "en": "Observed and expected without the agreement"},
    "ef_cf_title": {"da": "{name}: {unit}, observeret og uden aftalen",
                    "en": "{name}: {unit}, observed and without the agreement"},
    "ef_cf_x": {"da": "Måned", "en": "Month"},
    "ef_cf_y": {"da": "Antal {noun} pr. måned", "en": "Number of {noun} per month"},
    "ef_cf_caption": {
        "da": "Punkterne er de observerede tal pr. måned, den fuldt optrukne linje modellens tilpasning før "
              "aftalen, og den stiplede linje (med sit usikkerhedsbånd, hvor metoden giver et) det forventede "
              "uden aftalen; aftaleperioden er skraveret, COVID-19 og LPR3 er markeret, og tal under 5 er skjult.",
        "en": "Points are the observed monthly counts, the solid line the model's fit before the agreement and the "
              "dashed line (with its uncertainty band where the method gives one) what was expected without the "
              "agreement; the agreement period is shaded, COVID-19 and LPR3 are marked, and counts below 5 are hidden.",
    },
    "ef_hidden_months": {
        "da": "{n} af {total} måneder i {unit} havde 1-4 hændelser og er skjult af hensyn til diskretionen. "
              "Punkterne, der er tilbage, er derfor de større måneder og ligger højere end gennemsnittet - "
              "læs effekten af skønnet ovenfor, ikke af punkterne.",
        "en": "{n} of {total} months in {unit} had 1-4 events and are hidden for disclosure control. The points "
              "left are therefore the larger months and lie above the average - read the effect from the "
              "estimate above, not from the points.",
    },
    # --- forest --------------------------------------------------------------------------------------------
    "ef_forest_heading": {"da": "De 19 kommuner og det samlede skøn",
                          "en": "The 19 municipalities and the pooled estimate"},
    "ef_forest_title": {"da": "{name}: ændring pr. kommune (rate ratio)",
                        "en": "{name}: change by municipality (rate ratio)"},
    "ef_forest_x": {"da": "Rate ratio (observeret / forventet uden aftalen, log-skala)",
                    "en": "Rate ratio (observed / expected without the agreement, log scale)"},
    "ef_pooled": {"da": "Samlet (random effects)", "en": "Pooled (random effects)"},
    "ef_forest_caption": {
        "da": "Hver linje er én kommunes skøn med 95 %-konfidensinterval; værdier under 1 betyder færre end "
              "forventet, og romben er det samlede skøn (random effects, τ² = {tau2}, I² = {i2} %, k = {k}).",
        "en": "Each line is one municipality's estimate with its 95 % confidence interval; values below 1 mean fewer "
              "than expected, and the diamond is the pooled estimate (random effects, τ² = {tau2}, I² = {i2} %, "
              "k = {k}).",
    },
    # --- sensitivity ---------------------------------------------------------------------------------------
    "ef_sens_heading": {"da": "Følsomhed og placebo-test", "en": "Sensitivity and placebo tests"},
    "ef_sens_caption": {
        "da": "Skønnet for Region Midtjylland under andre antagelser. Placebo-startdatoerne lægger en opdigtet "
              "aftale før den rigtige og bør ikke vise nogen effekt (intervallet bør rumme 0 %).",
        "en": "The estimate for Region Midtjylland under other assumptions. The placebo start dates put a made-up "
              "agreement before the real one and should show nothing (the interval should contain 0 %).",
    },
    "ef_col_scenario": {"da": "Analyse", "en": "Analysis"},
    "ef_col_period": {"da": "Periode", "en": "Period"},
    "ef_col_change": {"da": "Ændring (95 %-KI)", "en": "Change (95 % CI)"},
    "ef_col_rr": {"da": "Rate ratio (95 %-KI)", "en": "Rate ratio (95 % CI)"},
    "ef_col_p": {"da": "p-værdi", "en": "p-value"},
    "ef_col_months": {"da": "Måneder i data", "en": "Months of data"},
    "ef_col_verdict": {"da": "Vurdering", "en": "Verdict"},
    "ef_to": {"da": "til", "en": "to"},
    "ef_placebo_ok": {"da": "Placebo: intet, som forventet", "en": "Placebo: nothing, as expected"},
    "ef_placebo_bad": {"da": "Placebo: viser noget - vær varsom", "en": "Placebo: shows something - be careful"},
    "ef_sens_effect": {"da": "Ændring påvist", "en": "Change shown"},
    "ef_sens_none": {"da": "Kan ikke afgøres", "en": "Cannot tell"},
    # --- burn-down -----------------------------------------------------------------------------------------
    "ef_budget_heading": {"da": "Aftalens økonomi", "en": "The agreement's economy"},
    "ef_budget_title": {"da": "Forbrug af budgettet på 3 mio. kr.", "en": "Spend against the DKK 3 million budget"},
    "ef_budget_x": {"da": "Måned", "en": "Month"},
    "ef_budget_y": {"da": "Samlet forbrug (kr.)", "en": "Cumulative spend (DKK)"},
    "ef_budget_caption": {
        "da": "Det samlede forbrug (lægernes rådgivningskontakter × honorar pr. kontakt) måned for måned mod "
              "budgettet, fremskrevet med det gennemsnitlige månedsforbrug efter sidste måned med data.",
        "en": "The cumulative spend (GP advisory contacts × fee per contact) month by month against the budget, "
              "projected at the average monthly spend after the last month with data.",
    },
    "ef_fee_assumption": {
        "da": "Honoraret pr. kontakt ({fee} kr.) er ikke offentligt: det er en antagelse, som kan rettes i "
              "data/reference/interventions.csv.",
        "en": "The fee per contact (DKK {fee}) is not public: it is an assumption that can be edited in "
              "data/reference/interventions.csv.",
    },
    "ef_fee_known": {"da": "Honoraret pr. kontakt er {fee} kr.", "en": "The fee per contact is DKK {fee}."},
    # --- method notes --------------------------------------------------------------------------------------
    "ef_notes_heading": {"da": "Om metoden", "en": "About the method"},
    "ef_note_did": {
        "da": "Forskel-i-forskelle sammenligner udviklingen i de 19 kommuner med de 79 kommuner i de fire øvrige "
              "regioner, med faste effekter for kommune og måned. Det fjerner det, der ramte alle regioner på én "
              "gang - COVID-19 og sæsonen - og tager højde for, at LPR3 kom på forskellige datoer i regionerne. "
              "Antagelsen er, at de 19 kommuner ville have fulgt de øvrige regioner uden aftalen.",
        "en": "Difference-in-differences compares the 19 municipalities with the 79 municipalities of the other "
              "four regions, with municipality and month effects. This removes what hit all regions at once - "
              "COVID-19 and the season - and allows for LPR3 arriving on different dates in the regions. The "
              "assumption is that the 19 would have followed the other regions without the agreement.",
    },
    "ef_note_its": {
        "da": "Den afbrudte tidsserie ser kun på kommunens egen udvikling (før, under og efter aftalen) med "
              "befolkningen som grundlag, sæsonled og led for COVID-19 og LPR3. Der er ingen sammenligning med "
              "andre regioner, så alt andet, der skete samtidig, kan blive tilskrevet aftalen.",
        "en": "The interrupted time series looks only at the municipality's own course (before, during and after "
              "the agreement) with the population as offset, seasonal terms and terms for COVID-19 and LPR3. "
              "There is no comparison with other regions, so anything else that happened at the same time can "
              "be attributed to the agreement.",
    },
    "ef_note_sc": {
        "da": "Syntetisk kontrol bygger en 'tvilling' af hver kommune som et vægtet gennemsnit af kommuner i de "
              "øvrige regioner, der fulgte den før aftalen. Usikkerheden vurderes ved at gøre det samme for hver "
              "af de 79 sammenligningskommuner (placebo).",
        "en": "Synthetic control builds a 'twin' of each municipality as a weighted average of municipalities in "
              "the other regions that tracked it before the agreement. The uncertainty is judged by doing the same "
              "for each of the 79 comparison municipalities (placebos).",
    },
    "ef_warn_sc": {
        "da": "Syntetisk kontrol: med kun 79 donorkommuner er placebo-p-værdierne grove (den mindst mulige er "
              "1/80), og konfidensintervallet er en tilnærmelse ud fra spredningen i placebo-skønnene. Passer "
              "tvillingen dårligt før aftalen, er skønnet ikke til at stole på.",
        "en": "Synthetic control: with only 79 donor municipalities the placebo p-values are rough (the smallest "
              "possible is 1/80), and the confidence interval is an approximation from the spread of the placebo "
              "estimates. If the twin fits poorly before the agreement, the estimate cannot be trusted.",
    },
    "ef_warn_its": {
        "da": "Afbrudt tidsserie: overgangen til LPR3 i begyndelsen af 2019 ligger kun få måneder før aftalens "
              "start, så modellen har svært ved at skille registreringsændringen fra aftalens effekt. Læs skønnet "
              "sammen med forskel-i-forskelle-analysen.",
        "en": "Interrupted time series: the switch to LPR3 in early 2019 came only a few months before the "
              "agreement started, so the model struggles to separate the registration change from the "
              "agreement's effect. Read the estimate together with the difference-in-differences analysis.",
    },
    "ef_technical": {"da": "Teknisk beskrivelse (på engelsk)", "en": "Technical description"},
    "ef_method_link": {"da": "Læs mere om metoderne på siden Metode",
                       "en": "Read more about the methods on the Method page"},
}

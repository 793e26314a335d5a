"""Aftalens effekt: did the GP advisory agreement reduce admissions - where, by how much, how sure, at what cost."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analysis import agreement, disclosure, figures, store
from analysis.constants import db_path_from_env
from analysis.i18n import fmt_number, t
from pages import _shared as ui
from pages import _sidebar as sb

REGION = agreement.REGION_UNIT  # the "unit" of Region Midtjylland as a whole in the municipality choice
HORIZON_MONTHS = 12  # the burn-down chart stops a year after the agreement (the text gives a later run-out)


@st.cache_data(max_entries=16, show_spinner=False)
def _analysis(db: str, signature: tuple[int, int] | None, outcome: str, method: str) -> agreement.AgreementAnalysis:
    """The whole analysis for one outcome and method, once per database version (the heavy fits)."""
    return agreement.analyse(ui.connection(db), outcome=outcome, method=method)


def _num(value: float, lg: str, decimals: int = 0) -> str:
    return "–" if not np.isfinite(value) else fmt_number(value, lg, decimals=decimals).replace("-", "−")


def _pct(rr: float, lg: str) -> str:
    return "–" if not np.isfinite(rr) else ("+" if rr > 1 else "") + _num(100 * (rr - 1), lg, 1) + " %"


def _p(p: float, lg: str) -> str:
    return "–" if not np.isfinite(p) else ("< " + _num(0.001, lg, 3) if p < 0.001 else _num(p, lg, 3))


def _plain(text: str) -> str:
    return text.replace("\\", "\\\\").replace("_", "\\_").replace("$", "\\$").replace("*", "\\*")


def _sensitivity_view(sens: pd.DataFrame, lg: str) -> pd.DataFrame:
    """The sensitivity table as the reader sees it: formatted intervals and a verdict, placebo rows marked."""
    to = f" {t('ef_to', lg)} "

    def verdict(r) -> str:
        if r["is_placebo"]:
            return t("ef_placebo_ok" if r["covers_no_effect"] else "ef_placebo_bad", lg)
        return t("ef_sens_none" if r["covers_no_effect"] else "ef_sens_effect", lg)

    return pd.DataFrame({
        t("ef_col_scenario", lg): sens["label_da" if lg == "da" else "label_en"],
        t("ef_col_verdict", lg): [verdict(r) for _, r in sens.iterrows()],
        t("ef_col_period", lg): [f"{pd.Timestamp(s):%Y-%m} – {pd.Timestamp(e):%Y-%m}"
                                 for s, e in zip(sens["start"], sens["end"])],
        t("ef_col_change", lg): [f"{_pct(v, lg)} ({_pct(a, lg)}{to}{_pct(b, lg)})"
                                 for v, a, b in zip(sens["estimate"], sens["lower"], sens["upper"])],
        t("ef_col_rr", lg): [f"{_num(v, lg, 2)} ({_num(a, lg, 2)}–{_num(b, lg, 2)})"
                             for v, a, b in zip(sens["estimate"], sens["lower"], sens["upper"])],
        t("ef_col_p", lg): [_p(p, lg) for p in sens["p"]],
        t("ef_col_months", lg): sens["n_months"],
    })


lg = sb.lang()
st.title(t("ef_title", lg))
st.caption(t("ef_intro", lg))
sb.show_notices(lg)
missing = ui.require_data(lg)
st.caption(t("ef_sidebar_note", lg))

# --- choices (on the page: the sidebar filters do not apply to the agreement analysis) ----------------------
left, right = st.columns(2)
outcome = sb.choice("outcome", agreement.OUTCOMES, label=t("ef_outcome", lg), lg=lg, kind="selectbox",
                    container=left, format_func=lambda k: agreement.OUTCOMES[k].name(lg))
codes = sorted(agreement.treated_municipalities(), key=ui.municipality_name)
unit = sb.choice("unit", [REGION, *codes], label=t("ef_unit", lg), lg=lg, kind="selectbox", container=right,
                 format_func=lambda c: t("ef_region_all", lg) if c == REGION else ui.municipality_name(c))
method = sb.choice("method", agreement.METHODS, label=t("ef_method", lg), lg=lg, kind="segmented", default="did",
                   format_func=lambda m: agreement.METHOD_NAMES[m][lg == "en"])

if agreement.required_extracts(outcome) & set(missing):  # the warning above says what is missing
    st.stop()
db = str(db_path_from_env())
try:
    with st.spinner(t("ef_spinner", lg)):
        a = _analysis(db, store.db_signature(db), outcome, method)
except agreement.AgreementError as exc:
    st.warning(t("ef_error", lg, reason=str(exc)))
    st.stop()

oc = agreement.OUTCOMES[outcome]
name, noun = oc.name(lg), (oc.noun_da if lg == "da" else oc.noun_en)
est = a.region if unit == REGION else a.municipalities.get(unit)
label = t("ef_region_all", lg) if unit == REGION else ui.municipality_name(unit)
if est is None:
    st.warning(t("ef_no_series", lg, unit=label))
    st.stop()

# --- plain-language summary ---------------------------------------------------------------------------------
if unit == REGION:
    summary = a.summary_da if lg == "da" else a.summary_en
else:
    spend = a.burn_down.spend_by_municipality.set_index("municipality_code")["spend_dkk"].get(unit)
    summary = agreement.plain_summary(est, lang=lg, spend_dkk=None if spend is None else float(spend))
box = st.success if est.upper < 1 else st.warning
box(f"**{t('ef_summary_head', lg)} · {agreement.METHOD_NAMES[method][lg == 'en']}**\n\n{summary}")

# --- observed and counterfactual ----------------------------------------------------------------------------
st.subheader(t("ef_cf_heading", lg))
series = est.get_plot_data()
if series.empty:
    st.info(t("ef_no_series", lg, unit=label))
else:
    before = series["period"].eq("before")
    last_before = before & ~before.shift(-1, fill_value=False)  # joins the dashed line to the solid one
    series["fitted"] = series["counterfactual"].where(before)
    for col in ("counterfactual", "counterfactual_lower", "counterfactual_upper"):  # no band before, none where
        # the model left a month out (a covariate marking only months without events)
        series[col] = series[col].where((~before | last_before) & np.isfinite(series[col]))
    shown = disclosure.suppress_counts(series, count_cols="observed")  # small municipalities: months with 1-4
    fig = figures.counterfactual(shown, x="time", observed="observed", fitted="fitted",
                                 counterfactual="counterfactual", cf_lower="counterfactual_lower",
                                 cf_upper="counterfactual_upper", lang=lg, region_code=REGION,
                                 title=t("ef_cf_title", lg, name=name, unit=label),
                                 x_title=t("ef_cf_x", lg), y_title=t("ef_cf_y", lg, noun=noun),
                                 ci_level=est.conf_level)
    ui.show_chart(fig, shown, key="effect_counterfactual", lg=lg, caption=t("ef_cf_caption", lg))
    if (hidden := int(shown["suppressed"].sum())) > 0:  # the points left are the larger months: say so
        st.info(t("ef_hidden_months", lg, n=hidden, total=len(shown), unit=label))

# --- forest plot of the 19 ----------------------------------------------------------------------------------
st.subheader(t("ef_forest_heading", lg))
munis = a.forest[a.forest["row_type"] == "municipality"]
pool = a.pooled
fig = figures.forest(munis, label="label", estimate="estimate", lower="lower", upper="upper",
                     pooled={"estimate": pool["estimate"], "lower": pool["lower"], "upper": pool["upper"],
                             "label": t("ef_pooled", lg)},
                     lang=lg, title=t("ef_forest_title", lg, name=name), x_title=t("ef_forest_x", lg))
ui.show_chart(fig, a.forest, key="effect_forest", lg=lg,
              caption=t("ef_forest_caption", lg, tau2=_num(pool["tau2"], lg, 4), i2=_num(pool["i2"], lg),
                        k=pool["k"]))

# --- sensitivity --------------------------------------------------------------------------------------------
if a.sensitivity is not None and not a.sensitivity.empty:
    st.subheader(t("ef_sens_heading", lg))
    st.dataframe(_sensitivity_view(a.sensitivity, lg), hide_index=True, width="stretch")
    st.caption(t("ef_sens_caption", lg))

# --- the agreement's economy --------------------------------------------------------------------------------
st.subheader(t("ef_budget_heading", lg))
bd = a.burn_down
horizon = pd.Timestamp(a.end) + pd.DateOffset(months=HORIZON_MONTHS)  # a slow spend projects for decades
spend_table = disclosure.suppress_counts(bd.get_plot_data(), count_cols="contacts").query("month <= @horizon")
runs_out = bd.exhaustion_month if bd.exhaustion_month is not None and bd.exhaustion_month <= horizon else None
fig = figures.burn_down(spend_table, x="month", cumulative_spend="cumulative_dkk", budget=bd.budget_dkk, lang=lg,
                        title=t("ef_budget_title", lg), x_title=t("ef_budget_x", lg), y_title=t("ef_budget_y", lg),
                        projected_exhaustion=runs_out)
ui.show_chart(fig, spend_table, key="effect_burn_down", lg=lg, caption=t("ef_budget_caption", lg))
fee = _num(bd.fee_dkk, lg)
st.markdown((bd.rule_da if lg == "da" else bd.rule_en) + " "
            + t("ef_fee_assumption" if bd.fee_is_assumption else "ef_fee_known", lg, fee=fee))

# --- method notes -------------------------------------------------------------------------------------------
st.subheader(t("ef_notes_heading", lg))
st.markdown(t(f"ef_note_{method}", lg))
if method in ("sc", "its"):
    st.warning(t(f"ef_warn_{method}", lg))
with st.expander(t("ef_technical", lg)):  # plain text from the analysis: no markdown (column_names, $)
    st.markdown(_plain(est.description))
    for note in filter(None, [est.warning, *est.notes]):
        st.markdown(f"- {_plain(note)}")
    st.caption(_plain(a.description))
st.page_link("pages/method.py", label=t("ef_method_link", lg), icon=":material/menu_book:")

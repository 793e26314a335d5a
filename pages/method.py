"""Method page: indicator cards, code lists, disclosure rule, definitions, breaks, the agreement, statistics."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import constants, indicators, reference
from analysis.filters import DEFINITIONS
from analysis.i18n import TEXTS, fmt_number, t
from pages import _shared as ui
from pages import _sidebar as sb

lg = sb.lang()
st.title(t("me_title", lg))
st.caption(t("me_intro", lg))
sb.show_notices(lg)


def _date(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%d-%m-%Y" if lg == "da" else "%d %b %Y")


def _yes_no(flag: bool) -> str:
    return t("me_yes" if flag else "me_no", lg)


tab_ind, tab_codes, tab_def, tab_ctx, tab_stat = st.tabs(
    [t(k, lg) for k in ("me_tab_indicators", "me_tab_codes", "me_tab_definitions", "me_tab_context",
                        "me_tab_statistics")])

with tab_ind:
    st.caption(t("me_cards_intro", lg))
    for ind in indicators.all_indicators():
        with st.expander(ind.text("name", lg)):
            facts = [
                ("me_numerator", ind.text("numerator", lg)),
                ("me_denominator", ind.text("denominator", lg)),
                ("me_age_group", ind.text("age_group", lg)),
                ("me_unit", ind.text("unit", lg)),
                ("me_ci_method", t(f"me_ci_{ind.ci_method}", lg)),
                ("me_polarity", t(f"me_polarity_{ind.polarity}", lg)),
                ("me_standardisation", t(f"me_std_{ind.standardisation}", lg)),
                ("me_suppression", ind.text("suppression", lg)),
                ("me_indicator_id", f"`{ind.id}`"),
            ]
            st.markdown("\n".join(f"- **{t(key, lg)}:** {value}" for key, value in facts))
            for heading, body in ind.sections(lg):
                st.markdown(f"**{heading}**\n\n{body}")

with tab_codes:
    st.markdown(t("me_codes_intro", lg))
    lists = reference.code_lists()
    list_ids = sorted(set(lists["list"]), key=lambda x: (x not in DEFINITIONS, x))
    chosen = sb.choice("list", list_ids, label=t("me_code_list", lg), lg=lg, kind="selectbox",
                       format_func=lambda x: t(f"me_list_{x}", lg) if f"me_list_{x}" in TEXTS else x)
    codes = lists[lists["list"] == chosen]
    st.caption(t("me_codes_verified", lg, verified=int(codes["verified"].sum()), total=len(codes),
                 version=", ".join(sorted(set(codes["version"])))))
    st.dataframe(
        codes[["group", "prefix", f"label_{lg}", "verified", "version", "source"]], hide_index=True,
        column_config={
            "group": t("me_col_group", lg), "prefix": t("me_col_prefix", lg),
            f"label_{lg}": t("me_col_label", lg),
            "verified": st.column_config.CheckboxColumn(t("me_col_verified", lg)),
            "version": t("me_col_version", lg),
            "source": st.column_config.TextColumn(t("me_col_source", lg), width="large"),
        },
    )

with tab_def:
    st.subheader(t("me_h_suppression", lg))
    st.markdown(t("me_suppression_body", lg, small=constants.SUPPRESSION_THRESHOLD - 1))
    st.subheader(t("me_h_episode", lg))
    st.markdown(t("me_episode_body", lg, gap=constants.TRANSFER_GAP_HOURS, days=constants.OPEN_STAY_SUSPECT_DAYS))
    st.subheader(t("me_h_admission", lg))
    st.markdown(t("me_admission_body", lg, hours=constants.MIN_ADMISSION_HOURS))
    st.subheader(t("me_h_readmission", lg))
    st.markdown(t("me_readmission_body", lg, days=constants.READMISSION_WINDOW_DAYS))
    st.subheader(t("me_h_faerdig", lg))
    st.markdown(t("me_faerdig_body", lg))
    prices = reference.faerdigbehandling_prices()
    prices["verified"] = prices["verified"].map(_yes_no)
    st.dataframe(prices[["year", "price_dkk_per_day", "verified", "source"]], hide_index=True, column_config={
        "year": st.column_config.NumberColumn(t("me_col_year", lg), format="%d"),
        "price_dkk_per_day": st.column_config.NumberColumn(t("me_col_price", lg), format="localized"),
        "verified": t("me_col_verified", lg),
        "source": st.column_config.TextColumn(t("me_col_source", lg), width="large")})

with tab_ctx:
    st.subheader(t("me_h_breaks", lg))
    st.markdown(t("me_breaks_body", lg))
    breaks = reference.breaks()
    st.dataframe(pd.DataFrame({
        t("me_col_event", lg): breaks[f"label_{lg}"],
        t("me_col_kind", lg): breaks["kind"].map(lambda k: t(f"me_kind_{k}", lg)),
        t("me_col_area", lg): breaks["region_code"].map(
            lambda c: t("me_national", lg) if pd.isna(c) else ui.area_label(f"region:{int(c)}", lg)),
        t("me_col_start", lg): breaks["start"].map(_date),
        t("me_col_end", lg): breaks["end"].map(_date),
        t("me_col_source", lg): breaks["source"],
    }), hide_index=True)

    st.subheader(t("me_h_agreement", lg))
    for row in reference.interventions().itertuples():
        split = ", ".join(
            f"{t('me_split_' + part, lg) if 'me_split_' + part in TEXTS else part} "
            + t("me_amount", lg, amount=fmt_number(float(amount), lg)) for part, _, amount in
            (item.partition(":") for item in str(row.budget_split).split("|")))
        st.markdown(t("me_agreement_body", lg, name=getattr(row, f"name_{lg}"), start=_date(row.start),
                      end=_date(row.end), n=len(row.municipalities), budget=fmt_number(row.budget_dkk, lg),
                      split=split, munis=", ".join(ui.municipality_name(c) for c in row.municipalities)))
        fee = fmt_number(row.fee_per_contact_dkk, lg)
        if row.fee_is_assumption:
            st.warning(t("me_agreement_fee", lg, fee=fee), icon=":material/info:")
        else:
            st.markdown(t("me_agreement_fee_known", lg, fee=fee))
        st.caption(t("me_source", lg, source=row.source))

with tab_stat:
    st.markdown(t("me_statistics_body", lg))
    st.markdown(t("me_references", lg))
    st.subheader(t("me_effect_title", lg))
    st.markdown(t("me_effect_body", lg))

"""Akutfunktioner: municipal acute-function stays, occupancy, referrals (the GP share), outcomes, admissions
within 7 days after a stay, and GP advisory contacts during the agreement."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import figures
from analysis.i18n import fmt_number, t
from pages import _shared as ui

RESOLUTIONS = ("month", "quarter", "year")
SETTINGS = ("all", "bed", "home")
REFERRERS = ("gp", "out_of_hours", "hospital", "home_care", "other")
OUTCOMES = ("home", "hospital", "death", "other", "ongoing")

lg = ui.lang()
st.title(t("ab_title", lg))
st.caption(t("ab_intro", lg))
ui.show_notices(lg)
if not ui.has_data():
    ui.no_data(lg)
f = ui.filters()
regions = f.comparison_region_codes
region = f.region_code or (regions[0] if len(regions) == 1 else None)


def chart(df: pd.DataFrame | None, value: str, *, title: str, key: str, caption: str, build) -> None:
    """The chart and its table, or a plain sentence when the selection has nothing to show."""
    if df is None or df.empty or df[value].isna().all():
        st.info(f"**{title}**\n\n{t('no_rows', lg)}")
        return
    ui.show_chart(build(df), df, key=key, caption=caption, lg=lg)


def labelled(df: pd.DataFrame, column: str, prefix: str, keys: tuple[str, ...]) -> pd.DataFrame:
    """The frame with ``column`` in words (unknown codes stay as they are)."""
    return df.assign(**{column: df[column].map({k: t(f"{prefix}{k}", lg) for k in keys}).fillna(df[column])})


def line(d: pd.DataFrame, y: str, title: str, y_title: str, **kw):
    return figures.trend(d, x="period", y=y, lang=lg, title=t(title, lg), x_title=x_title,
                         y_title=t(y_title, lg), region_code=region, **kw)


def shares(d: pd.DataFrame, column: str, prefix: str, keys: tuple[str, ...], title: str, y_title: str):
    return figures.stacked_share(labelled(d, column, prefix, keys), x="period", category=column, value="stays",
                                 lang=lg, title=t(title, lg), x_title=x_title, y_title=t(y_title, lg),
                                 categories=[t(f"{prefix}{k}", lg) for k in keys])


res = st.radio(t("ab_res", lg), RESOLUTIONS, key="ab_res", horizontal=True,
               format_func=lambda r: t(f"ab_res_{r}", lg))
x_title = t(f"ab_res_{res}", lg)

# --- use and capacity ----------------------------------------------------------------------------------
stays = ui.query("acute_bed_trend", f, period=res)
occupancy = ui.query("acute_bed_occupancy", f, period=res)
left, right = st.columns(2)
with left:
    chart(stays, "value", title=t("ab_trend_title", lg), key="ab_stays", caption=t("ab_trend_caption", lg),
          build=lambda d: line(labelled(d, "setting", "ab_setting_", SETTINGS), "value", "ab_trend_title",
                               "ab_trend_axis", lower="lower", upper="upper", group="setting"))


def occupancy_figure(d: pd.DataFrame):
    fig = line(d, "occupancy_pct", "ab_occ_title", "ab_occ_axis")
    return fig.add_hline(y=100, line=dict(color=figures.NEUTRAL["text"], width=1.5, dash="dash"),
                         annotation_text=t("ab_occ_full", lg), annotation_position="top left")


with right:
    beds = occupancy["beds"].dropna() if occupancy is not None and len(occupancy) else pd.Series(dtype=float)
    beds_text = " " + t("ab_occ_beds", lg, beds=fmt_number(beds.iloc[-1], lg, decimals=0)) if len(beds) else ""
    chart(occupancy, "occupancy_pct", title=t("ab_occ_title", lg), key="ab_occupancy",
          caption=t("ab_occ_caption", lg) + beds_text, build=occupancy_figure)

# --- who refers: the trust question -----------------------------------------------------------------------
referrals = ui.query("acute_bed_referrals", f, period=res)
gp = referrals[referrals["referral_source"] == "gp"] if referrals is not None else None
left, right = st.columns(2)
with left:
    chart(gp, "share_pct", title=t("ab_gp_title", lg), key="ab_gp_share", caption=t("ab_gp_caption", lg),
          build=lambda d: line(d, "share_pct", "ab_gp_title", "ab_ref_axis", lower="share_lower",
                               upper="share_upper"))
with right:
    chart(referrals, "stays", title=t("ab_ref_title", lg), key="ab_referrals", caption=t("ab_ref_caption", lg),
          build=lambda d: shares(d, "referral_source", "ab_ref_", REFERRERS, "ab_ref_title", "ab_ref_axis"))

# --- how stays end --------------------------------------------------------------------------------------
outcomes = ui.query("acute_bed_outcomes", f, period=res)
admitted = ui.query("indicator_trend", f, "acute_bed_admitted_7d_pct", period=res)
left, right = st.columns(2)
with left:
    chart(outcomes, "stays", title=t("ab_out_title", lg), key="ab_outcomes", caption=t("ab_out_caption", lg),
          build=lambda d: shares(d, "outcome", "ab_out_", OUTCOMES, "ab_out_title", "ab_ref_axis"))
with right:
    chart(admitted, "value", title=t("ab_7d_title", lg), key="ab_admitted_7d", caption=t("ab_7d_caption", lg),
          build=lambda d: line(d, "value", "ab_7d_title", "ab_7d_axis", lower="lower", upper="upper"))

# --- GP advice during the agreement -------------------------------------------------------------------------
advice = ui.query("acute_bed_gp_advice", f, period=res)
attrs = advice.attrs if advice is not None else {}
fee = advice["fee_dkk"].dropna() if advice is not None and len(advice) else pd.Series(dtype=float)
advice_caption = t("ab_advice_caption", lg, fee=fmt_number(fee.iloc[0], lg) if len(fee) else "–",
                   budget=fmt_number(attrs.get("budget_dkk", 0), lg))
chart(advice, "gp_advice_contacts", title=t("ab_advice_title", lg), key="ab_gp_advice", caption=advice_caption,
      build=lambda d: figures.stacked_share(
          d.assign(series=t("ab_advice_series", lg)), x="period", category="series", value="gp_advice_contacts",
          lang=lg, title=t("ab_advice_title", lg), x_title=x_title, y_title=t("ab_advice_axis", lg),
          normalise=False, kind="bar", decimals=0))

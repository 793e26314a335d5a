"""Akutfunktioner: municipal acute-function stays, occupancy, referrals (the GP share), outcomes, admissions
within 7 days after a stay, and GP advisory contacts during the agreement."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import figures
from analysis.i18n import fmt_number, t
from pages import _shared as ui
from pages import _sidebar as sb

SETTINGS = ("all", "bed", "home")
REFERRERS = ("gp", "out_of_hours", "hospital", "home_care", "other")
OUTCOMES = ("home", "hospital", "death", "other", "ongoing")

lg = sb.lang()
st.title(t("ab_title", lg))
st.caption(t("ab_intro", lg))
sb.show_notices(lg)
ui.require_data(lg)
f = sb.filters()
regions = f.comparison_region_codes
region = f.region_code or (regions[0] if len(regions) == 1 else None)
res = sb.resolution(lg)


def timechart(query_args: tuple, **kwargs) -> None:
    ui.timechart(query_args, res=res, lg=lg, **kwargs)


def labelled(df: pd.DataFrame, column: str, prefix: str, keys: tuple[str, ...]) -> pd.DataFrame:
    """The frame with ``column`` in words (unknown codes stay as they are)."""
    return df.assign(**{column: df[column].map({k: t(f"{prefix}{k}", lg) for k in keys}).fillna(df[column])})


def line(d: pd.DataFrame, x_title: str, y: str, title: str, y_title: str, **kw):
    return figures.trend(d, x="period", y=y, lang=lg, title=t(title, lg), x_title=x_title,
                         y_title=t(y_title, lg), region_code=region, **kw)


def shares(d: pd.DataFrame, x_title: str, column: str, prefix: str, keys: tuple[str, ...], title: str):
    return figures.stacked_share(labelled(d, column, prefix, keys), x="period", category=column, value="stays",
                                 lang=lg, title=t(title, lg), x_title=x_title, y_title=t("ab_ref_axis", lg),
                                 categories=[t(f"{prefix}{k}", lg) for k in keys])


def occupancy_figure(d: pd.DataFrame, x_title: str):
    fig = line(d, x_title, "occupancy_pct", "ab_occ_title", "ab_occ_axis")
    return fig.add_hline(y=100, line=dict(color=figures.NEUTRAL["text"], width=1.5, dash="dash"),
                         annotation_text=t("ab_occ_full", lg), annotation_position="top left")


def occupancy_caption(d: pd.DataFrame | None) -> str:
    beds = d["beds"].dropna() if d is not None and len(d) else pd.Series(dtype=float)
    more = " " + t("ab_occ_beds", lg, beds=fmt_number(beds.iloc[-1], lg)) if len(beds) else ""
    return t("ab_occ_caption", lg) + more


def advice_caption(d: pd.DataFrame | None) -> str:
    fee = d["fee_dkk"].dropna() if d is not None and len(d) else pd.Series(dtype=float)
    budget = d.attrs.get("budget_dkk") if d is not None else None
    return t("ab_advice_caption", lg, fee=fmt_number(fee.iloc[0], lg) if len(fee) else "–",
             budget=fmt_number(budget, lg) if budget is not None else "–")


# --- use and capacity ----------------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    timechart(("acute_bed_trend", f), value="value", title=t("ab_trend_title", lg), key="ab_stays",
              caption=t("ab_trend_caption", lg),
              build=lambda d, x: line(labelled(d, "setting", "ab_setting_", SETTINGS), x, "value",
                                      "ab_trend_title", "ab_trend_axis", lower="lower", upper="upper",
                                      group="setting"))
with right:
    timechart(("acute_bed_occupancy", f), value="occupancy_pct", title=t("ab_occ_title", lg), key="ab_occupancy",
              caption=occupancy_caption, build=occupancy_figure)

# --- who refers: the trust question -----------------------------------------------------------------------
left, right = st.columns(2)
with left:
    timechart(("acute_bed_referrals", f), value="share_pct", title=t("ab_gp_title", lg), key="ab_gp_share",
              caption=t("ab_gp_caption", lg), rows=lambda d: d[d["referral_source"] == "gp"],
              build=lambda d, x: line(d, x, "share_pct", "ab_gp_title", "ab_ref_axis", lower="share_lower",
                                      upper="share_upper"))
with right:
    timechart(("acute_bed_referrals", f), value="stays", title=t("ab_ref_title", lg), key="ab_referrals",
              caption=t("ab_ref_caption", lg),
              build=lambda d, x: shares(d, x, "referral_source", "ab_ref_", REFERRERS, "ab_ref_title"))

# --- how stays end --------------------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    timechart(("acute_bed_outcomes", f), value="stays", title=t("ab_out_title", lg), key="ab_outcomes",
              caption=t("ab_out_caption", lg),
              build=lambda d, x: shares(d, x, "outcome", "ab_out_", OUTCOMES, "ab_out_title"))
with right:
    timechart(("indicator_trend", f, "acute_bed_admitted_7d_pct"), value="value", title=t("ab_7d_title", lg),
              key="ab_admitted_7d", caption=t("ab_7d_caption", lg),
              build=lambda d, x: line(d, x, "value", "ab_7d_title", "ab_7d_axis", lower="lower", upper="upper"))

# --- GP advice during the agreement -------------------------------------------------------------------------
timechart(("acute_bed_gp_advice", f), value="gp_advice_contacts", title=t("ab_advice_title", lg),
          key="ab_gp_advice", caption=advice_caption,
          build=lambda d, x: figures.stacked_share(
              d.assign(series=t("ab_advice_series", lg)), x="period", category="series", value="gp_advice_contacts",
              lang=lg, title=t("ab_advice_title", lg), x_title=x, y_title=t("ab_advice_axis", lg),
              normalise=False, kind="bar", decimals=0))

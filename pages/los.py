"""Liggetid og udskrivelse: length of stay, bed-days, discharge destinations and færdigbehandlingsdage."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import figures
from analysis.i18n import fmt_number, t
from pages import _shared as ui
from pages import _sidebar as sb

DESTINATIONS = ("home", "home_care", "acute_bed", "nursing_home", "other_hospital", "death", "other")
STATISTICS = (("median_days", "los_stat_median"), ("mean_days", "los_stat_mean"), ("p90_days", "los_stat_p90"))

lg = sb.lang()
st.title(t("los_title", lg))
st.caption(t("los_intro", lg))
sb.show_notices(lg)
ui.require_data(lg)
f = sb.filters()
regions = f.comparison_region_codes
region = f.region_code or (regions[0] if len(regions) == 1 else None)


left, right = st.columns(2)
scope = sb.choice("scope", ("acute", "avoidable"), label=t("los_scope", lg), lg=lg, container=left,
                  format_func=lambda s: t(f"los_scope_{s}", lg))
res = sb.resolution(lg, container=right)


def timechart(*query_args, **kwargs) -> None:
    ui.timechart(query_args, res=res, lg=lg, **kwargs)


def chart(*args, **kwargs) -> None:
    ui.chart(*args, lg=lg, **kwargs)


def los_long(df: pd.DataFrame) -> pd.DataFrame:
    """One row per period and statistic (the median keeps its interval), for one line each."""
    parts = []
    for col, key in STATISTICS:
        part = df[["period", col]].rename(columns={col: "days"}).assign(statistic=t(key, lg))
        if col == "median_days":
            part = part.assign(lower=df["median_lower"], upper=df["median_upper"])
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


los_title = t("los_trend_title" if scope == "acute" else "los_trend_title_avoidable", lg)
left, right = st.columns(2)
with left:
    timechart("los_trend", f, scope=scope, value="median_days", title=los_title, key="los_trend",
              caption=t("los_trend_caption", lg),
              build=lambda d, x: figures.trend(los_long(d), x="period", y="days", lower="lower", upper="upper",
                                               group="statistic", lang=lg, title=los_title, x_title=x,
                                               y_title=t("los_axis_days", lg), region_code=region))
with right:
    timechart("bed_days_trend", f, value="value", title=t("los_beddays_title", lg), key="los_bed_days",
              caption=t("los_beddays_caption", lg),
              build=lambda d, x: figures.trend(d, x="period", y="value", lower="lower", upper="upper", lang=lg,
                                               title=t("los_beddays_title", lg), x_title=x,
                                               y_title=t("los_beddays_axis", lg), region_code=region, decimals=0))

labels = {d: t(f"los_dest_{d}", lg) for d in DESTINATIONS}
timechart("discharge_destinations", f, value="episodes", title=t("los_dest_title", lg), key="los_destinations",
          caption=t("los_dest_caption", lg),
          build=lambda d, x: figures.stacked_share(
              d.assign(destination=d["destination"].map(labels).fillna(d["destination"])), x="period",
              category="destination", value="episodes", lang=lg, title=t("los_dest_title", lg), x_title=x,
              y_title=t("los_dest_axis", lg), categories=list(labels.values())))


def cost_figure(df: pd.DataFrame):
    """Bars per calendar year in DKK; a year cut by the period says how many months it holds."""
    years = [t("los_year_partial", lg, year=y, months=m) if m < 12 else str(y)
             for y, m in zip(df["year"], df["months"])]
    fig = figures.bars_by_category(df.assign(label=years), category="label", value="cost_dkk", lang=lg,
                                   title=t("los_cost_title", lg), x_title=t("los_cost_x", lg),
                                   y_title=t("los_cost_axis", lg), decimals=0)
    return fig.update_yaxes(tickformat=",.0f")


def cost_caption(df: pd.DataFrame) -> str:
    """The caption with the price per day of each year and whether it is verified or assumed."""
    df = df.dropna(subset=["price_dkk_per_day"])
    status = [t("los_price_verified" if v else "los_price_assumed", lg) for v in df["price_verified"].fillna(False)]
    same = len(set(status)) == 1
    prices = "; ".join(t("los_price", lg, year=y, price=fmt_number(p, lg)) + ("" if same else f" ({s})")
                       for y, p, s in zip(df["year"], df["price_dkk_per_day"], status))
    text = t("los_cost_caption", lg)
    if prices:
        text += " " + t("los_cost_prices", lg, prices=prices, status=f" ({status[0]})" if same else "")
    if t("los_price_assumed", lg) in status:
        text += " " + t("los_price_assumed_note", lg)
    return text


cost = ui.query("faerdig_cost_by_year", f)
left, right = st.columns(2)
with left:
    timechart("indicator_trend", f, "faerdig_days_per_1000", value="value", title=t("los_faerdig_title", lg),
              key="los_faerdig", caption=t("los_faerdig_caption", lg),
              build=lambda d, x: figures.trend(d, x="period", y="value", lower="lower", upper="upper", lang=lg,
                                               title=t("los_faerdig_title", lg), x_title=x,
                                               y_title=t("los_faerdig_axis", lg), region_code=region))
with right:
    chart(cost, "cost_dkk", title=t("los_cost_title", lg), key="los_cost",
          caption=cost_caption(cost) if cost is not None and len(cost) else "", build=cost_figure)

"""Overblik: key figures for the selection against the region and the country, with sparklines."""
from __future__ import annotations

import math

import streamlit as st

from analysis import figures, indicators, queries
from analysis.i18n import fmt_number, t
from pages import _shared as ui
from pages import _sidebar as sb

lg = sb.lang()
st.title(t("ov_title", lg))
st.caption(t("ov_intro", lg))
sb.show_notices(lg)
ui.require_data(lg)
f = sb.filters()
st.markdown(f"**{ui.area_label(f.area, lg)}** · {f.start} – {f.end}")
st.caption(t("ov_agreement", lg))


def _fmt(value: float, decimals: int = 1) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else fmt_number(value, lg, decimals=decimals)


cols = st.columns(3)
for i, row in enumerate(next(ui.query("key_figure", f, ind_id).itertuples())
                         for ind_id in queries.HEADLINE_INDICATORS):
    ind = indicators.get(row.indicator_id)
    with cols[i % 3].container(border=True):
        name = ind.name_da if lg == "da" else ind.name_en
        unit = ind.unit_da if lg == "da" else ind.unit_en
        value = t("ov_suppressed", lg) if row.suppressed else f"{_fmt(row.value)}"
        delta = None
        if isinstance(row.change, float) and not math.isnan(row.change) and not row.suppressed:
            delta = f"{_fmt(row.change)} ({row.last_year - 1}→{row.last_year})"
        colour = {"low_is_good": "inverse", "high_is_good": "normal"}.get(row.polarity, "off")
        st.metric(name, value, delta=delta, delta_color=colour, help=unit)
        st.caption(unit + " · " + t("ov_region_country", lg, region=_fmt(row.region_value), country=_fmt(row.national_value)))
        if row.spark_values is not None and len(row.spark_values) > 1:
            st.plotly_chart(figures.sparkline(list(row.spark_values), lang=lg), key=f"spark_{row.indicator_id}",
                            width="stretch", config={"displayModeBar": False},
                            alt=f"{name}: {', '.join(str(y) for y in row.spark_years)}")
        if row.trend in ("increasing", "decreasing", "no_significant_change"):
            st.caption(t("ov_trend_stat", lg, trend=t(f"ov_trend_{row.trend}", lg)))

trend = ui.query("indicator_trend", f, "avoidable_65_per_1000", period="month")
if trend.empty:
    st.info(t("no_rows", lg))
else:
    fig = figures.trend(trend, x="period", y="value", lower="lower", upper="upper", lang=lg,
                        title=t("ov_main_title", lg), x_title=t("axis_month", lg), y_title=t("ov_main_y", lg),
                        region_code=f.region_code)
    ui.show_chart(fig, trend, key="overview_avoidable_trend", caption=t("ov_main_caption", lg), lg=lg)

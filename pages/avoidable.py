"""Forebyggelige indlæggelser: trend, the municipalities compared (ranking, funnel, map), breakdowns."""
from __future__ import annotations

import streamlit as st

from analysis import figures, indicators, queries
from analysis.i18n import t
from pages import _shared as ui
from pages import _sidebar as sb

IND = "avoidable_65_per_1000"
lg = sb.lang()
st.title(t("av_title", lg))
st.caption(t("av_intro", lg))
sb.show_notices(lg)
ui.require_data(lg)
f = sb.filters()
ind = indicators.get(IND)
name = ind.name_da if lg == "da" else ind.name_en
unit = ind.unit_da if lg == "da" else ind.unit_en
area = ui.area_label(f.area, lg)

period = sb.resolution(lg)
trend = ui.query("indicator_trend", f, IND, period=period)
title = t("av_trend_title", lg, name=name) + (t("av_std_suffix", lg, std=f.standard_label) if f.standardised else "")
if trend.empty:
    st.info(t("no_rows", lg))
else:
    fig = figures.trend(trend, x="period", y="value", lower="lower", upper="upper", lang=lg, title=title,
                        x_title=t(f"period_{period}", lg), y_title=unit, region_code=f.region_code)
    ui.show_chart(fig, trend, key="avoidable_trend", lg=lg,
                  caption=t("av_trend_caption", lg, name=name, area=area, unit=unit))

st.subheader(t("av_compare", lg))
munis = ui.municipalities_compared(f, IND)
shown = munis[munis["in_selection"]] if f.area_kind == "muni" else munis
if munis.empty or munis["value"].notna().sum() == 0:
    st.info(t("no_rows", lg))
else:
    bench_name = str(munis["benchmark_name"].dropna().iloc[0]) if munis["benchmark_name"].notna().any() else area
    bench = t("av_benchmark", lg, name=bench_name)
    n_high = int((munis["comparison"] == "higher").sum())
    n_low = int((munis["comparison"] == "lower").sum())
    st.markdown(t("av_summary", lg, n_high=n_high, n_low=n_low, bench=bench))
    benchmark_value = float(munis["benchmark_value"].dropna().iloc[0]) if munis["benchmark_value"].notna().any() else None

    def ranked() -> None:
        chosen = list(munis.loc[munis["in_selection"], "name"]) if f.area_kind == "muni" else None
        fig = figures.ranked_bars(munis, label="name", value="value", lower="lower", upper="upper", highlight=chosen,
                                  reference_value=benchmark_value, reference_label=bench_name, lang=lg,
                                  title=t("av_ranked_title", lg, name=name), x_title=unit, max_bars=ui.MAX_BARS)
        ui.show_chart(fig, munis, key="avoidable_ranked", lg=lg, caption=t("av_ranked_caption", lg, bench=bench))

    def funnel() -> None:
        limits = queries.funnel_curve(munis)  # pure function of the frame above: no database access
        if limits.empty or munis["funnel_x"].notna().sum() < 2:
            st.info(t("av_no_funnel", lg))
            return
        fig = figures.funnel(munis.dropna(subset=["funnel_x", "funnel_y"]), denominator="funnel_x", value="funnel_y",
                             label="name", limits=limits.rename(columns={"x": "denominator"}),
                             target=float(limits["target"].iloc[0]), lang=lg, title=t("av_funnel_title", lg),
                             x_title=t("av_funnel_x", lg), y_title=t("av_funnel_y", lg))
        ui.show_chart(fig, munis, key="avoidable_funnel", lg=lg, caption=t("av_funnel_caption", lg))

    def tile_map() -> None:
        fig = figures.tile_map(munis, code="municipality_code", value="value", lang=lg,
                               title=t("av_map_title", lg, name=name), colorbar_title=unit)
        ui.show_chart(fig, munis, key="avoidable_map", lg=lg, caption=t("av_map_caption", lg))

    ui.lazy_tabs([(t("av_ranked_title", lg, name=""), ranked), (t("av_funnel_title", lg), funnel),
                  (t("av_map_title", lg, name=""), tile_map)], key="av_compare_tab")


def breakdown(by: str) -> None:
    table = ui.query("breakdown", f, IND, by=by)
    if table.empty:
        st.info(t("no_rows", lg))
        return
    table = table.assign(label=table["label_da" if lg == "da" else "label_en"])
    fig = figures.bars_by_category(table, category="label", value="value", lower="lower", upper="upper", lang=lg,
                                   title=t("av_breakdown_title", lg, name=name, by=t(f"av_by_{by}", lg).lower()),
                                   x_title=t(f"av_by_{by}", lg), y_title=unit)
    ui.show_chart(fig, table, key=f"avoidable_by_{by}", lg=lg, caption=t("av_breakdown_caption", lg))


st.subheader(t("av_breakdown", lg))
ui.lazy_tabs([(t(f"av_by_{by}", lg), lambda by=by: breakdown(by)) for by in ("diagnosis_group", "age_band", "sex")],
             key="av_breakdown_tab")

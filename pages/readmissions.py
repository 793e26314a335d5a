"""Genindlæggelser: 30-day acute readmissions over time, by municipality (ranked bars and funnel) and causes."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import figures, queries
from analysis.i18n import t
from pages import _shared as ui
from pages import _sidebar as sb

INDICATOR = "readmission_30d_pct"
MUNI_COLUMNS = ["municipality_code", "name", "in_selection", "count", "denominator", "value", "lower", "upper",
                "method", "benchmark_name", "benchmark_value", "comparison", "suppressed", "suppression_note"]
FUNNEL_COLUMNS = ["municipality_code", "name", "funnel_x", "funnel_y", "funnel_target", "funnel_lower_95",
                  "funnel_upper_95", "funnel_lower_99_8", "funnel_upper_99_8", "funnel_flag", "suppressed"]

lg = sb.lang()
st.title(t("re_title", lg))
st.caption(t("re_intro", lg))
sb.show_notices(lg)
ui.require_data(lg)
f = sb.filters()
regions = f.comparison_region_codes
region = f.region_code or (regions[0] if len(regions) == 1 else None)


def timechart(*query_args, **kwargs) -> None:
    ui.timechart(query_args, res=res, lg=lg, **kwargs)


def chart(*args, **kwargs) -> None:
    ui.chart(*args, lg=lg, **kwargs)


def benchmark_label(name: str) -> str:
    return t("area_national", lg) if name == queries.NATIONAL_NAME else str(name)


# --- over time -----------------------------------------------------------------------------------------
res = sb.resolution(lg)
left, right = st.columns(2)
with left:
    timechart("indicator_trend", f, INDICATOR, value="value", title=t("re_trend_title", lg), key="re_trend",
              caption=t("re_trend_caption", lg),
              build=lambda d, x: figures.trend(d, x="period", y="value", lower="lower", upper="upper", lang=lg,
                                               title=t("re_trend_title", lg), x_title=x,
                                               y_title=t("re_axis_pct", lg), region_code=region))

# --- what the readmissions are for -----------------------------------------------------------------------
causes = ui.query("readmission_causes", f)
with right:
    basis = str(causes["basis"].iloc[0]) if causes is not None and len(causes) else "readmission"
    chart(causes, "share_pct", title=t("re_causes_title", lg), key="re_causes",
          caption=t(f"re_causes_caption_{basis}", lg),
          build=lambda d: figures.bars_by_category(
              d, category=f"label_{lg}", value="share_pct", lang=lg, title=t("re_causes_title", lg),
              x_title=t("re_causes_x", lg), y_title=t("re_causes_axis", lg), categories=list(d[f"label_{lg}"])))

# --- by municipality ---------------------------------------------------------------------------------------
by_muni = ui.municipalities_compared(f, INDICATOR)
benchmarks = list(pd.unique(by_muni["benchmark_name"].dropna())) if by_muni is not None else []
if len(benchmarks) > 1:
    chosen = sb.choice("bench", benchmarks, label=t("re_benchmark", lg), lg=lg, kind="selectbox",
                       format_func=benchmark_label)
else:
    chosen = benchmarks[0] if benchmarks else None
part = by_muni[by_muni["benchmark_name"] == chosen] if chosen is not None else by_muni
bench = benchmark_label(chosen) if chosen is not None else ""
highlight = list(part.loc[part["in_selection"], "name"]) if f.area_kind == "muni" else None
bench_value = part["benchmark_value"].dropna().iloc[0] if part["benchmark_value"].notna().any() else None

left, right = st.columns(2)
with left:
    chart(part[MUNI_COLUMNS], "value", title=t("re_muni_title", lg), key="re_by_municipality",
          caption=t("re_muni_caption", lg, benchmark=bench),
          build=lambda d: figures.ranked_bars(
              d, label="name", value="value", lower="lower", upper="upper", highlight=highlight,
              reference_value=bench_value, reference_label=bench, lang=lg, title=t("re_muni_title", lg),
              x_title=t("re_axis_pct", lg), max_bars=ui.MAX_BARS))


def funnel_figure(d: pd.DataFrame):
    limits = queries.funnel_curve(part).rename(columns={"x": "denominator"})
    target = float(d["funnel_target"].dropna().iloc[0])
    fig = figures.funnel(d, denominator="funnel_x", value="funnel_y", label="name", limits=limits, target=target,
                         target_label=bench, lang=lg, title=t("re_funnel_title", lg),
                         x_title=t("re_funnel_x", lg), y_title=t("re_axis_pct", lg))
    return fig.update_layout(margin=dict(t=150))  # room for the three-row legend under the title


with right:
    has_funnel = part["funnel_target"].notna().any() and part["funnel_x"].notna().any()
    chart(part[FUNNEL_COLUMNS] if has_funnel else None, "funnel_y", title=t("re_funnel_title", lg),
          key="re_funnel", caption=t("re_funnel_caption", lg, benchmark=bench), build=funnel_figure)

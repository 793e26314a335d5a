"""Data page: deliveries, row counts, quarantined rows with reasons, stays without a discharge, coverage heatmap
and known breaks."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis import figures, reference, store
from analysis.constants import OPEN_STAY_SUSPECT_DAYS, SUPPRESSION_THRESHOLD, db_path_from_env
from analysis.i18n import fmt_number, t
from pages import _shared as ui
from pages import _sidebar as sb
from pages._shared import connection

lang = sb.lang()
db = db_path_from_env()
st.title(t("data_title", lang))
st.caption(t("data_intro", lang))
sb.show_notices(lang)

con = connection(str(db))
counts = store.table_counts(con) if con is not None else None
if counts is None or counts["rows"].sum() == 0:
    st.info(f"**{t('no_db_title', lang)}**\n\n" + t("no_db_body", lang, db=db))
    st.stop()

st.subheader(t("rows_per_table", lang))
cols = st.columns(len(counts))
for col, row in zip(cols, counts.itertuples()):
    col.metric(t(f"table_{row.table}", lang), f"{row.rows:,}".replace(",", "." if lang == "da" else ","))

st.subheader(t("deliveries", lang))
st.caption(t("deliveries_caption", lang))
del_df = store.deliveries(con)
st.dataframe(
    del_df.drop(columns=["sha256"]),
    hide_index=True,
    column_config={
        "delivery_id": st.column_config.NumberColumn("#"),
        "batch_id": st.column_config.NumberColumn(t("col_batch", lang)),
        "file_name": t("col_file", lang),
        "kind": t("col_kind", lang),
        "loaded_at": st.column_config.DatetimeColumn(t("col_loaded_at", lang), format="YYYY-MM-DD HH:mm"),
        "n_read": st.column_config.NumberColumn(t("col_read", lang), format="localized"),
        "n_loaded": st.column_config.NumberColumn(t("col_loaded", lang), format="localized"),
        "n_quarantined": st.column_config.NumberColumn(t("col_quarantined", lang), format="localized"),
        "n_replaced": st.column_config.NumberColumn(t("col_replaced", lang), format="localized"),
        "message": st.column_config.TextColumn(t("col_message", lang), width="large"),
    },
)

st.subheader(t("quarantine", lang))
st.caption(t("quarantine_caption", lang))
summary = store.quarantine_summary(con)
if summary.empty:
    st.success(t("quarantine_none", lang))
else:
    left, right = st.columns([2, 3])
    left.markdown(f"**{t('quarantine_by_reason', lang)}**")
    left.dataframe(summary, hide_index=True, column_config={
        "file_name": t("col_file", lang), "reason_code": t("col_reason_code", lang),
        "column": t("col_column", lang),
        "rows": st.column_config.NumberColumn(t("col_rows", lang), format="localized")})
    right.markdown(f"**{t('quarantine_rows', lang)}**")
    right.dataframe(store.quarantine_rows(con, limit=1000), hide_index=True, column_config={
        "file_name": t("col_file", lang), "line": st.column_config.NumberColumn(t("col_line", lang)),
        "record_id": t("col_record", lang), "column": t("col_column", lang),
        "reason_code": t("col_reason_code", lang), "reason": st.column_config.TextColumn(t("col_reason", lang), width="large")})

quality = store.data_quality(con)
if quality is not None:
    st.subheader(t("data_open", lang))
    days = OPEN_STAY_SUSPECT_DAYS
    st.caption(t("data_open_caption", lang, days=days))
    cols = st.columns(len(quality))
    for col, (check, n) in zip(cols, quality.items()):
        col.metric(t(f"data_{check}", lang, days=days), fmt_number(n, lang))
    if quality["open_stays_suspect"]:
        quarantined = quality["admissions_discharge_quarantined"]
        st.warning(t("data_open_warning", lang, days=days, suspect=fmt_number(quality["open_stays_suspect"], lang),
                     merged=fmt_number(quality["contacts_merged_into_suspect"], lang)) + " "
                   + (t("data_open_quarantined", lang, quarantined=fmt_number(quarantined, lang)) if quarantined
                      else t("data_open_ask", lang)))
    else:
        st.success(t("data_open_ok", lang, days=days))

st.subheader(t("data_coverage", lang))
measure = sb.choice("measure", ["episodes", "acute_bed_stays"], label=t("data_coverage_measure", lang), lg=lang,
                    kind="segmented", format_func=lambda m: t(f"data_measure_{m}", lang))
f = sb.filters()
cov = ui.query("coverage")
if cov is not None and not cov.empty:
    cov = cov[cov["municipality_code"].isin(f.municipality_codes)
              & cov["month"].dt.strftime("%Y-%m").between(f.start, f.end)]
if cov is None or cov.empty:
    st.info(t("data_coverage_none", lang))
else:
    munis = reference.municipalities().set_index("municipality_code").loc[list(f.municipality_codes)]
    munis = munis.sort_values(["region_code", "name"])
    months = pd.period_range(f.start, f.end, freq="M").to_timestamp()
    grid = cov.pivot(index="municipality_code", columns="month", values=measure).reindex(index=munis.index,
                                                                                          columns=months)
    present = cov.assign(p=1.0).pivot(index="municipality_code", columns="month", values="p").reindex_like(grid)
    hidden = (present.notna() & grid.isna()).astype(float).where(lambda h: h > 0)
    small = SUPPRESSION_THRESHOLD - 1
    fig = go.Figure([
        go.Heatmap(z=grid.to_numpy(), x=months, y=list(munis["name"]), colorscale=figures.SEQUENTIAL_SCALE,
                   hoverongaps=False, colorbar=dict(title=dict(text=t("data_colour_count", lang))),
                   hovertemplate="%{y}<br>%{x|%Y-%m}: %{z:,.0f}<extra></extra>"),
        go.Heatmap(z=hidden.to_numpy(), x=months, y=list(munis["name"]), showscale=False, hoverongaps=False,
                   colorscale=[[0, figures.NEUTRAL["suppressed"]], [1, figures.NEUTRAL["suppressed"]]],
                   hovertemplate="%{y}<br>%{x|%Y-%m}: " + t("data_hidden", lang, small=small) + "<extra></extra>"),
    ])
    figures.apply_theme(fig, lang)
    fig.update_layout(
        title=t("data_coverage_title", lang, measure=t(f"data_measure_{measure}", lang)),
        height=max(320, 140 + 22 * len(munis)), meta={"akutindblik": {"lang": lang, "builder": "heatmap"}},
        xaxis=dict(title=t("data_axis_month", lang), showgrid=False),
        yaxis=dict(title=t("data_axis_municipality", lang), autorange="reversed", showgrid=False))
    table = cov.sort_values(["municipality_code", "month"]).assign(month=lambda d: d["month"].dt.strftime("%Y-%m"))
    table = table[["municipality_code", "name", "month", "episodes", "acute_bed_stays", "suppression_note"]].rename(
        columns={"municipality_code": t("data_col_code", lang), "name": t("data_col_municipality", lang),
                 "month": t("data_col_month", lang), "episodes": t("data_measure_episodes", lang),
                 "acute_bed_stays": t("data_measure_acute_bed_stays", lang), "suppression_note": t("data_col_note", lang)})
    ui.show_chart(fig, table, key="data_coverage", lg=lang,
                  caption=t("data_coverage_caption", lang, small=small))

st.subheader(t("data_breaks", lang))
st.caption(t("data_breaks_caption", lang))
breaks = reference.breaks()
st.dataframe(pd.DataFrame({
    t("me_col_event", lang): breaks[f"label_{lang}"],
    t("me_col_kind", lang): breaks["kind"].map(lambda k: t(f"me_kind_{k}", lang)),
    t("me_col_area", lang): breaks["region_code"].map(
        lambda c: t("me_national", lang) if pd.isna(c) else ui.area_label(f"region:{int(c)}", lang)),
    t("me_col_start", lang): breaks["start"].dt.date, t("me_col_end", lang): breaks["end"].dt.date,
    t("me_col_source", lang): breaks["source"],
}), hide_index=True)

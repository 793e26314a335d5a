"""Data page: deliveries, row counts and quarantined rows with reasons."""
from __future__ import annotations

import streamlit as st

from analysis import store
from analysis.constants import db_path_from_env
from analysis.i18n import DEFAULT_LANGUAGE, t
from pages._shared import connection

lang = st.session_state.get("lang") or DEFAULT_LANGUAGE
db = db_path_from_env()
st.title(t("data_title", lang))
st.caption(t("data_intro", lang))

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

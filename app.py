"""Akutindblik — entry point: page config, language, navigation and the shared sidebar."""
from __future__ import annotations

import streamlit as st

from analysis.i18n import DEFAULT_LANGUAGE, LANGUAGES, t

st.set_page_config(page_title="Akutindblik", page_icon=":material/local_hospital:", layout="wide")

with st.sidebar:
    # Bound to the URL: ?lang=English (a bound widget with format_func keeps the shown label in the URL).
    st.segmented_control(
        "Sprog / Language",
        options=list(LANGUAGES),
        format_func=lambda code: {"da": "Dansk", "en": "English"}[code],
        default=DEFAULT_LANGUAGE,
        key="lang",
        bind="query-params",
    )
lang = st.session_state.get("lang") or DEFAULT_LANGUAGE

pages = [
    st.Page("pages/data.py", title=t("page_data", lang), icon=":material/database:", url_path="data", default=True),
]
st.navigation(pages).run()

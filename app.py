"""Akutindblik — entry point: page config, language, shared sidebar filters (kept in the URL), navigation."""
from __future__ import annotations

import streamlit as st

from analysis.i18n import t
from pages import _shared as ui

st.set_page_config(page_title="Akutindblik", page_icon=":material/local_hospital:", layout="wide")

ui.init_state_from_url()  # first run of a session: URL -> widget state (bad values fall back, with a notice)
lang = ui.lang()
with st.sidebar:
    ui.language_switch()
    ui.filter_widgets(lang)
ui.sync_url()  # widget state -> URL, so a copied link reproduces the view

pages = [
    st.Page("pages/overview.py", title=t("page_overview", lang), icon=":material/dashboard:", url_path="overblik",
            default=True),
    st.Page("pages/avoidable.py", title=t("page_avoidable", lang), icon=":material/trending_down:",
            url_path="forebyggelige"),
    st.Page("pages/los.py", title=t("page_los", lang), icon=":material/bed:", url_path="liggetid"),
    st.Page("pages/readmissions.py", title=t("page_readmissions", lang), icon=":material/replay:",
            url_path="genindlaeggelser"),
    st.Page("pages/acute_beds.py", title=t("page_acute_beds", lang), icon=":material/home_health:",
            url_path="akutfunktioner"),
    st.Page("pages/effect.py", title=t("page_effect", lang), icon=":material/insights:", url_path="effekt"),
    st.Page("pages/data.py", title=t("page_data", lang), icon=":material/database:", url_path="datagrundlag"),
    st.Page("pages/method.py", title=t("page_method", lang), icon=":material/menu_book:", url_path="metode"),
]
st.navigation(pages).run()

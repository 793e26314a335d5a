"""Akutindblik — entry point: page config, language, shared sidebar filters (kept in the URL), navigation."""
from __future__ import annotations

import streamlit as st

from analysis.i18n import t
from pages import _sidebar as sb

st.set_page_config(page_title="Akutindblik", page_icon=":material/local_hospital:", layout="wide")

sb.init_state_from_url()  # first run of a session: URL -> selection (bad values fall back, with a notice)
lang = sb.lang()
with st.sidebar:
    sb.language_switch()
    sb.filter_widgets(lang)

PAGES = [  # (file, title key, icon, url path); the first is the default page
    ("overview", "page_overview", "dashboard", "overblik"),
    ("avoidable", "page_avoidable", "trending_down", "forebyggelige"),
    ("los", "page_los", "bed", "liggetid"),
    ("readmissions", "page_readmissions", "replay", "genindlaeggelser"),
    ("acute_beds", "page_acute_beds", "home_health", "akutfunktioner"),
    ("effect", "page_effect", "insights", "effekt"),
    ("data", "page_data", "database", "datagrundlag"),
    ("method", "page_method", "menu_book", "metode"),
]
pages = {path: st.Page(f"pages/{file}.py", title=t(title, lang), icon=f":material/{icon}:", url_path=path,
                       default=i == 0) for i, (file, title, icon, path) in enumerate(PAGES)}
page = st.navigation(list(pages.values()))
sb.set_page(next((path for path, p in pages.items() if p is page or p.url_path == page.url_path), PAGES[0][3]))
sb.sync_url()  # selection and this page's choices -> URL, so a copied link reproduces the view
page.run()

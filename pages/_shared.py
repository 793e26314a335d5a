"""What every page shares: the database connection, the filters (sidebar widgets <-> URL), cached queries,
and one way to show a chart with its caption, its table and a download. No SQL and no statistics here."""
from __future__ import annotations

import functools
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from analysis import figures, queries, reference, store
from analysis.constants import db_path_from_env
from analysis.filters import AGE_GROUPS, DEFINITIONS, SEXES, FilterError, Filters, diagnosis_groups_of
from analysis.i18n import DEFAULT_LANGUAGE, LANGUAGES, t

# --- database --------------------------------------------------------------------------------------------


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(db: str, signature: tuple[int, int]) -> duckdb.DuckDBPyConnection:
    return store.connect_readonly(db)


def connection(db: str | None = None) -> duckdb.DuckDBPyConnection | None:
    """One read-only connection per process and database version; None when there is no database.

    Keyed on the file's signature, so after a load swaps in a new file the next rerun opens it, while
    sessions already running keep the connection they have (the old file stays readable until closed).
    """
    db = db or str(db_path_from_env())
    signature = store.db_signature(db)
    if signature is None:
        return None
    return _connection(db, signature)


def _signature() -> tuple[str, tuple[int, int] | None]:
    db = str(db_path_from_env())
    return db, store.db_signature(db)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _cached(name: str, db: str, signature: tuple[int, int] | None, args: tuple, kwargs: tuple) -> Any:
    con = connection(db)
    if con is None:
        return None
    return getattr(queries, name)(con, *args, **dict(kwargs))


def query(name: str, *args: Any, **kwargs: Any) -> Any:
    """``analysis.queries.<name>(con, *args, **kwargs)``, cached per database version and arguments."""
    if name.startswith("_") or not hasattr(queries, name):
        raise ValueError(f"unknown query {name}")
    db, signature = _signature()
    return _cached(name, db, signature, args, tuple(sorted(kwargs.items())))


def has_data() -> bool:
    return bool(query("has_data"))


def data_range() -> tuple[str, str] | None:
    return query("data_range") if has_data() else None


# --- language and filters ------------------------------------------------------------------------------
_LANG_PARAM = {"da": "da", "en": "en"}


def lang() -> str:
    value = st.session_state.get("lang")
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def _months(rng: tuple[str, str] | None) -> list[str]:
    lo, hi = rng or (Filters().start, Filters().end)
    return [p.strftime("%Y-%m") for p in pd.period_range(lo, hi, freq="M")]


def _set_state(f: Filters) -> None:
    ss = st.session_state
    ss["f_period"] = (f.start, f.end)
    ss["f_area"] = f.area if f.area_kind != "muni" else ss.get("f_area", Filters().area)
    ss["f_munis"] = list(f.municipality_codes) if f.area_kind == "muni" else []
    ss["f_age"], ss["f_sex"], ss["f_definition"] = f.age_group, f.sex, f.definition
    ss["f_groups"], ss["f_std"] = list(f.diagnosis_groups), f.standardised


_WIDGET_KEYS = ("f_period", "f_area", "f_munis", "f_age", "f_sex", "f_definition", "f_groups", "f_std", "lang")


def _restore_widgets() -> None:
    """Streamlit forgets widget state when the user moves to another page; the selection lives on in
    ``_filters``/``_lang`` (plain session keys) and is put back into the widgets before they are drawn."""
    ss = st.session_state
    if any(key not in ss for key in _WIDGET_KEYS) and "_filters" in ss:
        _set_state(ss["_filters"])
        ss["lang"] = ss.get("_lang", DEFAULT_LANGUAGE)


def remember() -> None:
    """Keep the current selection and language beyond the widgets' own state (see _restore_widgets)."""
    st.session_state["_filters"] = filters()
    st.session_state["_lang"] = lang()


def init_state_from_url() -> None:
    """On the first run of a session, read the URL into the widgets; remember what had to be reset.
    On later runs, put back widget state that Streamlit dropped on a page switch."""
    if st.session_state.get("_initialised"):
        _restore_widgets()
        return
    params = {k: st.query_params.get(k) for k in st.query_params.keys()}
    f, dropped = Filters.from_params(params, data_range=data_range())
    lang_value = params.get("lang")
    if lang_value and lang_value not in _LANG_PARAM:
        dropped.append("lang")
    st.session_state["lang"] = lang_value if lang_value in _LANG_PARAM else DEFAULT_LANGUAGE
    _set_state(f)
    st.session_state["_notices"] = dropped
    st.session_state["_initialised"] = True


def filters() -> Filters:
    """The current filters from the widget state (defaults for anything inconsistent)."""
    ss = st.session_state
    period = ss.get("f_period")
    if not isinstance(period, (tuple, list)) or len(period) != 2:
        period = (data_range() or (Filters().start, Filters().end))
    start, end = period
    munis = ss.get("f_munis") or []
    area = "muni:" + ",".join(str(m) for m in munis) if munis else ss.get("f_area", Filters().area)
    definition = ss.get("f_definition", "dk_preventable_65")
    groups = tuple(g for g in ss.get("f_groups") or [] if g in diagnosis_groups_of(definition))
    try:
        return Filters(start=start, end=end, area=area, age_group=ss.get("f_age", "65+"),
                       sex=ss.get("f_sex") or "all", diagnosis_groups=groups, definition=definition,
                       standardised=bool(ss.get("f_std", False)))
    except FilterError:
        return Filters.default(data_range())


def sync_url() -> None:
    """Write the current view's filters (and language) into the URL; defaults are left out."""
    params = filters().to_params(data_range=data_range())
    if lang() != DEFAULT_LANGUAGE:
        params["lang"] = lang()
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def language_switch() -> None:
    st.segmented_control("Sprog / Language", options=list(LANGUAGES), key="lang",
                         format_func=lambda c: {"da": "Dansk", "en": "English"}[c])


def area_label(area: str, lg: str) -> str:
    if area == "national":
        return t("area_national", lg)
    kind, _, code = area.partition(":")
    if kind == "muni":
        return ", ".join(municipality_name(int(c)) for c in code.split(",") if c)
    if kind == "region":
        regions = reference.regions().set_index("region_code")["region_name"]
        return str(regions.get(int(code), area))
    return municipality_name(int(code))


@functools.lru_cache(maxsize=1)
def _municipality_names() -> dict[int, str]:
    return {int(c): str(n) for c, n in zip(reference.municipalities()["municipality_code"],
                                            reference.municipalities()["name"])}


def municipality_name(code: int) -> str:
    return _municipality_names().get(int(code), str(code))


@functools.lru_cache(maxsize=1)
def _group_labels() -> dict[tuple[str, str, str], str]:
    lists = reference.code_lists().drop_duplicates(["list", "group"])
    out = {}
    for row in lists.itertuples():
        out[(row.list, row.group, "da")] = str(row.label_da)
        out[(row.list, row.group, "en")] = str(row.label_en)
    return out


def group_label(definition: str, group: str, lg: str) -> str:
    return _group_labels().get((definition, group, lg), group)


def filter_widgets(lg: str) -> None:
    """The shared sidebar filters (state in st.session_state; the URL follows via sync_url)."""
    st.header(t("filters", lg))
    months = _months(data_range())
    period = st.session_state.get("f_period")
    if not isinstance(period, (tuple, list)) or len(period) != 2 or period[0] not in months or period[1] not in months:
        period = (months[0], months[-1])
    st.session_state["f_period"] = tuple(period)
    # value= makes it a range slider; its state is "f_period" (set from the URL on the first run).
    st.select_slider(t("f_period", lg), options=months, value=tuple(period), key="f_period")
    regions = reference.regions()
    areas = ["region:1082", "national"] + [f"region:{c}" for c in regions["region_code"] if c != 1082]
    if st.session_state.get("f_area") not in areas:
        st.session_state["f_area"] = areas[0]
    st.selectbox(t("f_area", lg), areas, key="f_area", format_func=lambda a: area_label(a, lg))
    munis = reference.municipalities().sort_values(["region_code", "name"])
    st.multiselect(t("f_munis", lg), list(munis["municipality_code"]), key="f_munis",
                   format_func=municipality_name, help=t("f_munis_help", lg), placeholder=t("f_munis_placeholder", lg))
    st.selectbox(t("f_age", lg), list(AGE_GROUPS), key="f_age",
                 format_func=lambda a: t("age_all", lg) if a == "all" else a)
    if st.session_state.get("f_sex") not in SEXES:  # before the widget: it may not be changed after it
        st.session_state["f_sex"] = "all"
    st.segmented_control(t("f_sex", lg), list(SEXES), key="f_sex", format_func=lambda s: t(f"sex_{s}", lg))
    st.selectbox(t("f_definition", lg), list(DEFINITIONS), key="f_definition",
                 format_func=lambda d: t(f"def_{d}", lg))
    definition = st.session_state["f_definition"]
    options = list(diagnosis_groups_of(definition))
    st.session_state["f_groups"] = [g for g in st.session_state.get("f_groups") or [] if g in options]
    st.multiselect(t("f_groups", lg), options, key="f_groups", help=t("f_groups_help", lg),
                   format_func=lambda g: group_label(definition, g, lg))
    st.toggle(t("f_std", lg), key="f_std", help=t("f_std_help", lg))


def show_notices(lg: str) -> None:
    """A small notice when values from the link had to be reset (shown once per session)."""
    dropped = st.session_state.pop("_notices", None)
    if dropped:
        st.info(t("notice_reset", lg, keys=", ".join(dropped)))


# --- showing results -------------------------------------------------------------------------------------


def no_data(lg: str) -> None:
    """The plain 'no data yet, here is how to load it' state; stops the page."""
    st.info(f"**{t('no_db_title', lg)}**\n\n" + t("no_db_body", lg, db=db_path_from_env()))
    st.stop()


def show_chart(fig, table: pd.DataFrame, *, key: str, caption: str, lg: str) -> None:
    """A chart, its one-sentence caption, and the table behind it with a CSV download."""
    st.plotly_chart(fig, key=key, width="stretch", alt=figures.alt_text(fig))
    st.caption(caption)
    with st.expander(t("table_behind", lg)):
        st.dataframe(table, hide_index=True, width="stretch")
        st.download_button(t("download_csv", lg), data=table.to_csv(index=False).encode("utf-8"),
                           file_name=f"{key}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore")

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
    value = st.session_state.get(_SEL, {}).get("lang")
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def _months(rng: tuple[str, str] | None) -> list[str]:
    lo, hi = rng or (Filters().start, Filters().end)
    return [p.strftime("%Y-%m") for p in pd.period_range(lo, hi, freq="M")]


# The selection lives in one plain session key, _SEL; the sidebar widgets are drawn from it on every run and
# write user changes back through on_change. Streamlit forgets the entry script's widget state on a page
# switch when the app has a pages/ folder (seen with 1.67), so the widgets' own state cannot be the store.
_SEL = "_selection"


def _selection_of(f: Filters, language: str, previous: dict | None = None) -> dict[str, Any]:
    return {
        "f_period": (f.start, f.end),
        "f_area": f.area if f.area_kind != "muni" else (previous or {}).get("f_area", Filters().area),
        "f_munis": list(f.municipality_codes) if f.area_kind == "muni" else [],
        "f_age": f.age_group, "f_sex": f.sex, "f_definition": f.definition,
        "f_groups": list(f.diagnosis_groups), "f_std": f.standardised, "lang": language,
    }


def init_state_from_url() -> None:
    """On the first run of a session, read the URL into the selection; remember what had to be reset."""
    if st.session_state.get("_initialised") and _SEL in st.session_state:
        return
    params = {k: st.query_params.get(k) for k in st.query_params.keys()}
    f, dropped = Filters.from_params(params, data_range=data_range())
    lang_value = params.get("lang")
    if lang_value and lang_value not in _LANG_PARAM:
        dropped.append("lang")
    language = lang_value if lang_value in _LANG_PARAM else DEFAULT_LANGUAGE
    st.session_state[_SEL] = _selection_of(f, language, st.session_state.get(_SEL))
    st.session_state["_notices"] = dropped
    st.session_state["_initialised"] = True


def _changed(key: str) -> None:
    """on_change of a sidebar widget: the user's choice goes into the selection."""
    st.session_state[_SEL][key] = st.session_state[key]


def _bind(key: str, value: Any) -> dict[str, Any]:
    """Put the selection's value into the widget before it is drawn; returns the widget's keyword args."""
    st.session_state[key] = value
    return {"key": key, "on_change": _changed, "args": (key,)}


def filters() -> Filters:
    """The current filters from the selection (defaults for anything inconsistent)."""
    sel = st.session_state.get(_SEL, {})
    period = sel.get("f_period")
    if not isinstance(period, (tuple, list)) or len(period) != 2:
        period = (data_range() or (Filters().start, Filters().end))
    start, end = period
    munis = sel.get("f_munis") or []
    area = "muni:" + ",".join(str(m) for m in munis) if munis else sel.get("f_area", Filters().area)
    definition = sel.get("f_definition", "dk_preventable_65")
    groups = tuple(g for g in sel.get("f_groups") or [] if g in diagnosis_groups_of(definition))
    try:
        return Filters(start=start, end=end, area=area, age_group=sel.get("f_age", "65+"),
                       sex=sel.get("f_sex") or "all", diagnosis_groups=groups, definition=definition,
                       standardised=bool(sel.get("f_std", False)))
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
    st.segmented_control("Sprog / Language", options=list(LANGUAGES),
                         format_func=lambda c: {"da": "Dansk", "en": "English"}[c], **_bind("lang", lang()))


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
    """The shared sidebar filters, drawn from the selection (the URL follows via sync_url)."""
    sel = st.session_state[_SEL]
    st.header(t("filters", lg))
    months = _months(data_range())
    period = sel.get("f_period")
    if not isinstance(period, (tuple, list)) or len(period) != 2 or period[0] not in months or period[1] not in months:
        sel["f_period"] = period = (months[0], months[-1])
    # value= makes it a range slider
    st.select_slider(t("f_period", lg), options=months, value=tuple(period), **_bind("f_period", tuple(period)))
    regions = reference.regions()
    areas = ["region:1082", "national"] + [f"region:{c}" for c in regions["region_code"] if c != 1082]
    if sel.get("f_area") not in areas:
        sel["f_area"] = areas[0]
    st.selectbox(t("f_area", lg), areas, format_func=lambda a: area_label(a, lg), **_bind("f_area", sel["f_area"]))
    munis = reference.municipalities().sort_values(["region_code", "name"])
    st.multiselect(t("f_munis", lg), list(munis["municipality_code"]), format_func=municipality_name,
                   help=t("f_munis_help", lg), placeholder=t("f_munis_placeholder", lg),
                   **_bind("f_munis", list(sel.get("f_munis") or [])))
    st.selectbox(t("f_age", lg), list(AGE_GROUPS), format_func=lambda a: t("age_all", lg) if a == "all" else a,
                 **_bind("f_age", sel.get("f_age", "65+")))
    if sel.get("f_sex") not in SEXES:
        sel["f_sex"] = "all"
    st.segmented_control(t("f_sex", lg), list(SEXES), format_func=lambda s: t(f"sex_{s}", lg),
                         **_bind("f_sex", sel["f_sex"]))
    st.selectbox(t("f_definition", lg), list(DEFINITIONS), format_func=lambda d: t(f"def_{d}", lg),
                 **_bind("f_definition", sel.get("f_definition", "dk_preventable_65")))
    definition = sel.get("f_definition", "dk_preventable_65")
    options = list(diagnosis_groups_of(definition))
    sel["f_groups"] = [g for g in sel.get("f_groups") or [] if g in options]
    st.multiselect(t("f_groups", lg), options, help=t("f_groups_help", lg),
                   format_func=lambda g: group_label(definition, g, lg), **_bind("f_groups", list(sel["f_groups"])))
    st.toggle(t("f_std", lg), help=t("f_std_help", lg), **_bind("f_std", bool(sel.get("f_std", False))))


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

"""The selection every page shares: sidebar widgets <-> one session key <-> the URL, the language switch,
and page-level choices (time resolution, scope ...) that also travel in the link. No SQL, no statistics."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from analysis import reference
from analysis.filters import (AGE_GROUPS, DEFINITIONS, PARAM_KEYS, SEXES, FilterError, Filters,
                              diagnosis_groups_of)
from analysis.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from pages._shared import RESOLUTIONS, area_label, data_range, group_label, municipality_name

# The selection lives in one plain session key, _SEL; the sidebar widgets are drawn from it on every run and
# write user changes back through on_change. Streamlit forgets the entry script's widget state on a page
# switch when the app has a pages/ folder (seen with 1.67), so the widgets' own state cannot be the store.
_SEL = "_selection"
_PAGE = "_page_path"  # url path of the page being shown (set by app.py before the page runs)
_LANDING = "_landing"  # (page path, URL parameters) of the link the session was opened with
_PAGE_PARAMS = "_page_params"  # page path -> {parameter: (value, default)} of its page-level choices


def lang() -> str:
    """The interface language of this session."""
    value = st.session_state.get(_SEL, {}).get("lang")
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def _selection_of(f: Filters, language: str, previous: dict | None = None) -> dict[str, Any]:
    return {
        "f_period": (f.start, f.end),
        "f_area": f.area if f.area_kind != "muni" else (previous or {}).get("f_area", Filters().area),
        "f_munis": list(f.municipality_codes) if f.area_kind == "muni" else [],
        "f_age": f.age_group, "f_sex": f.sex, "f_definition": f.definition,
        "f_groups": list(f.diagnosis_groups), "f_std": f.standardised, "f_stdpop": f.standard_year,
        "lang": language,
    }


def init_state_from_url() -> None:
    """On the first run of a session, read the URL into the selection; remember what had to be reset."""
    if st.session_state.get("_initialised") and _SEL in st.session_state:
        return
    params = {k: st.query_params.get(k) for k in st.query_params.keys()}
    f, dropped = Filters.from_params(params, data_range=data_range())
    lang_value = params.get("lang")
    if lang_value and lang_value not in LANGUAGES:
        dropped.append("lang")
    language = lang_value if lang_value in LANGUAGES else DEFAULT_LANGUAGE
    st.session_state[_SEL] = _selection_of(f, language, st.session_state.get(_SEL))
    st.session_state["_notices"] = dropped
    st.session_state[_LANDING] = (None, {k: v for k, v in params.items() if k not in PARAM_KEYS and k != "lang"})
    for page, choices in st.session_state.pop(_PAGE_PARAMS, {}).items():  # a link read again starts afresh
        for param in choices:
            st.session_state.pop(f"{page}_{param}", None)
    st.session_state["_initialised"] = True


def set_page(path: str) -> None:
    """Which page this run shows (the first one is the page the link pointed at)."""
    st.session_state[_PAGE] = path
    landing = st.session_state.get(_LANDING)
    if landing is not None and landing[0] is None:
        st.session_state[_LANDING] = (path, landing[1])


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
                       standardised=bool(sel.get("f_std", False)), standard_year=sel.get("f_stdpop"))
    except FilterError:
        return Filters.default(data_range())


def sync_url() -> None:
    """Write the view into the URL: the filters and language (defaults left out) and this page's choices."""
    params = filters().to_params(data_range=data_range())
    if lang() != DEFAULT_LANGUAGE:
        params["lang"] = lang()
    choices = st.session_state.get(_PAGE_PARAMS, {}).get(st.session_state.get(_PAGE), {})
    params.update({k: str(v) for k, (v, default) in choices.items() if v != default})
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def choice(param: str, options: Sequence[Any], *, label: str, lg: str, kind: str = "segmented",
           format_func: Callable[[Any], str] = str, container: Any = st, default: Any = None) -> Any:
    """A page-level choice kept in the URL as ``param`` (left out when it is the default).

    The widget (key ``<page>_<param>``) starts from the link the session was opened with when this is that
    page, else from ``default`` (the first option); a value in the link that is not an option falls back
    to the default with a small notice. ``kind`` is "segmented" (a few short options: the same control on
    every page) or "selectbox" (many or long options).
    """
    options = list(options)
    default = options[0] if default is None else default
    page = st.session_state.get(_PAGE, "")
    key = f"{page}_{param}"
    if key not in st.session_state:
        value = default
        landing_page, landing = st.session_state.get(_LANDING) or (None, {})
        raw = landing.get(param) if landing_page == page else None
        if raw is not None:
            match = [o for o in options if str(o) == str(raw)]
            value = match[0] if match else default
            if not match:
                container.caption(t("notice_reset", lg, keys=param))
        st.session_state[key] = value
    widget = container.segmented_control if kind == "segmented" else container.selectbox
    value = widget(label, options, key=key, format_func=format_func)
    value = default if value is None else value
    st.session_state.setdefault(_PAGE_PARAMS, {}).setdefault(page, {})[param] = (value, default)
    if value != default:
        st.query_params[param] = str(value)
    elif param in st.query_params:
        del st.query_params[param]
    return value


def resolution(lg: str, *, container: Any = st) -> str:
    """The time resolution of a page's charts (month, quarter, year), the same control on every page."""
    return choice("res", RESOLUTIONS, label=t("res", lg), lg=lg, container=container,
                  format_func=lambda r: t(f"period_{r}", lg))


def language_switch() -> None:
    st.segmented_control("Sprog / Language", options=list(LANGUAGES),
                         format_func=lambda c: {"da": "Dansk", "en": "English"}[c], **_bind("lang", lang()))


def filter_widgets(lg: str) -> None:
    """The shared sidebar filters, drawn from the selection (the URL follows via sync_url)."""
    sel = st.session_state[_SEL]
    st.header(t("filters", lg))
    lo, hi = data_range() or (Filters().start, Filters().end)
    months = [p.strftime("%Y-%m") for p in pd.period_range(lo, hi, freq="M")]
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
    st.multiselect(t("f_groups", lg), options, help=t("f_groups_help", lg), placeholder=t("f_groups_placeholder", lg),
                   format_func=lambda g: group_label(definition, g, lg), **_bind("f_groups", list(sel["f_groups"])))
    st.toggle(t("f_std", lg), help=t("f_std_help", lg), **_bind("f_std", bool(sel.get("f_std", False))))
    if sel.get("f_std"):
        years = [None] + list(range(int(months[0][:4]), int(months[-1][:4]) + 1))
        if sel.get("f_stdpop") not in years:
            sel["f_stdpop"] = None
        st.selectbox(t("f_stdpop", lg), years, help=t("f_stdpop_help", lg),
                     format_func=lambda y: t("stdpop_esp", lg) if y is None else t("stdpop_region", lg, year=y),
                     **_bind("f_stdpop", sel["f_stdpop"]))


def show_notices(lg: str) -> None:
    """A small notice when values from the link had to be reset (shown once per session)."""
    dropped = st.session_state.pop("_notices", None)
    if dropped:
        st.info(t("notice_reset", lg, keys=", ".join(dropped)))

"""What every page shares: the database connection, cached queries, names, and one way to show a chart with
its caption, its table and a download (at a coarser time resolution when small counts would hide most of
it). The selection (sidebar <-> URL) is in ``pages/_sidebar.py``. No SQL and no statistics here."""
from __future__ import annotations

import functools
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from analysis import figures, queries, reference, store
from analysis.constants import db_path_from_env
from analysis.i18n import t

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


_CANONICAL = {"indicator_value", "indicator_trend", "indicator_by_municipality", "key_figure"}


def query(name: str, *args: Any, **kwargs: Any) -> Any:
    """``analysis.queries.<name>(con, *args, **kwargs)``, cached per database version and arguments."""
    if name.startswith("_") or not hasattr(queries, name):
        raise ValueError(f"unknown query {name}")
    if name in _CANONICAL and len(args) >= 2:  # filters the indicator ignores do not split the cache
        args = (queries.canonical_filters(args[1], args[0]), *args[1:])
    db, signature = _signature()
    return _cached(name, db, signature, args, tuple(sorted(kwargs.items())))


def municipalities_compared(f, indicator_id: str) -> pd.DataFrame:
    """``indicator_by_municipality`` cached once per region: the comparison is the same for every selection of
    municipalities in one region, only ``in_selection`` (marked here) differs."""
    table = query("indicator_by_municipality", f.comparison_view(), indicator_id)  # query() makes it canonical
    return table.assign(in_selection=table["municipality_code"].isin(f.municipality_codes))


def has_data() -> bool:
    return bool(query("has_data"))


def data_range() -> tuple[str, str] | None:
    return query("data_range") if has_data() else None


# --- names ------------------------------------------------------------------------------------------
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


# --- showing results -------------------------------------------------------------------------------------


def no_data(lg: str) -> None:
    """The plain 'no data yet, here is how to load it' state; stops the page."""
    st.info(f"**{t('no_db_title', lg)}**\n\n" + t("no_db_body", lg, db=db_path_from_env()))
    st.stop()


@st.cache_data(max_entries=8, show_spinner=False)
def _missing_kinds(db: str, signature: tuple[int, int] | None) -> tuple[str, ...]:
    con = connection(db)
    return store.missing_extracts(con) if con is not None else ()


def require_data(lg: str) -> tuple[str, ...]:
    """Stops the page with the 'no data yet' state when nothing is loaded; when some kinds of extract are
    missing (e.g. population, so no rate can be computed), says which, what that empties and how to load
    them. Returns the missing kinds (``store.CANONICAL_TABLES`` names)."""
    missing, showable = _missing_kinds(*_signature()), has_data()
    if not showable and (not missing or len(missing) == len(store.CANONICAL_TABLES)):
        no_data(lg)
    if missing:
        lines = [f"- {t(f'data_missing_{kind}', lg)}" for kind in missing]
        st.warning(f"**{t('data_missing_title', lg)}**\n\n" + "\n".join(lines) + "\n\n"
                   + t("data_missing_howto", lg, db=db_path_from_env()))
    if not showable:  # something is loaded (e.g. only population), but nothing a page can show
        st.stop()
    return missing


def show_chart(fig, table: pd.DataFrame, *, key: str, caption: str, lg: str) -> None:
    """A chart, its one-sentence caption, and the table behind it with a CSV download."""
    st.plotly_chart(fig, key=key, width="stretch", alt=figures.alt_text(fig))
    st.caption(caption)
    # the table is sent to the browser only when its expander is open (opening it reruns from the cache),
    # and the CSV is built only when the button is clicked
    box = st.expander(t("table_behind", lg), key=f"{key}_table", on_change="rerun")
    if box.open is not False:
        with box:
            st.dataframe(table, hide_index=True, width="stretch")
            st.download_button(t("download_csv", lg), data=lambda: table.to_csv(index=False).encode("utf-8"),
                               file_name=f"{key}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore")


RESOLUTIONS = ("month", "quarter", "year")  # chosen with pages._sidebar.resolution
MAX_HIDDEN = 0.25  # above this share of hidden rows, a time chart moves to the next coarser resolution
MAX_BARS = 30  # a ranking of more municipalities (Hele landet: 98) shows the top and bottom 15 and the selection


def chart(df: pd.DataFrame | None, value: str, *, title: str, key: str, caption: str, build, lg: str) -> None:
    """``build(df)`` shown with its table, or a plain sentence when the selection has nothing to show."""
    if df is None or df.empty or df[value].isna().all():
        st.info(f"**{title}**\n\n{t('no_rows', lg)}")
        return
    show_chart(build(df), df, key=key, caption=caption, lg=lg)


def timechart(query_args: tuple, *, res: str, value: str, title: str, key: str, caption, build, lg: str,
              rows=None, **kwargs: Any) -> None:
    """A chart over time at resolution ``res``, or at the first coarser one where small counts hide at most a
    quarter of the rows (a small municipality month by month is mostly hidden); the caption says so.

    ``query_args`` is (query name, *args) for :func:`query` (``kwargs`` go with it, plus ``period``); ``rows``
    picks rows of its frame; ``caption`` may be a function of the frame; ``build(frame, x_title)``.
    """
    for r in RESOLUTIONS[RESOLUTIONS.index(res):]:
        df = query(*query_args, period=r, **kwargs)
        df = rows(df) if rows is not None and df is not None else df
        if df is None or df.empty or df["suppressed"].mean() <= MAX_HIDDEN:
            break
    text = caption(df) if callable(caption) else caption
    text += "" if r == res else " " + t(f"coarser_{r}", lg)
    chart(df, value, title=title, key=key, caption=text, build=lambda d: build(d, t(f"period_{r}", lg)), lg=lg)


def lazy_tabs(tabs: list[tuple[str, Any]], *, key: str) -> None:
    """Tabs that build only the open tab's content (``[(label, draw), ...]``); switching tabs reruns the page,
    and the queries come from the cache."""
    containers = st.tabs([label for label, _ in tabs], key=key, on_change="rerun")
    for container, (_, draw) in zip(containers, tabs):
        if container.open is not False:  # None: state not tracked (then every tab is drawn)
            with container:
                draw()

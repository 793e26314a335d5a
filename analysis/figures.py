"""Plotly figure builders: a tidy DataFrame in, a ``go.Figure`` out, all in one shared theme.

Every builder is *pure*: it reads the frame it is given, never queries or computes statistics, and
returns a new figure. The page shows (and exports) the same frame it passed in, so the table behind a
chart is exactly what the chart shows. Texts that the caller knows (title, axis titles with units,
the name of a reference line) are parameters, translated by the page; the few labels the figures add
themselves ("Aftaleperiode", "95 %-KI", "LPR3", "COVID-19", "(skjult)" ...) live in :data:`LABELS`,
keyed by language.

The theme (:data:`TEMPLATE`, applied by :func:`apply_theme`) is calm, high-contrast and colour-blind
safe: the Okabe-Ito palette, a system sans-serif font (nothing fetched from the internet), type sized
for a shared screen, a white background with a light grid and the legend horizontal on top. Every
figure carries the template *explicitly*: ``import streamlit`` replaces plotly's default template with
one whose colours are placeholders (``#000001`` ...) that only the browser fills in, so relying on the
default would export black charts.

Numbers follow the language: plotly's ``separators`` is ``",."`` in Danish (``1.234,5``) and ``".,"``
in English (``1,234.5``), which governs tick labels and every ``%{y:,.1f}`` in hover texts; texts
written on the chart itself are formatted with :func:`analysis.i18n.fmt_number`. Month ticks on time
axes are written out in the figure's language (``jan 2020`` / ``Jan 2020``).

References
----------
.. [1] Okabe M, Ito K. Color Universal Design (CUD): how to make figures and presentations that are
   friendly to colorblind people. 2002/2008. https://jfly.uni-koeln.de/color/
.. [2] Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
   2005;24:1185-202 (the funnel plot's 95 % and 99.8 % limits).
"""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from _plotly_utils.basevalidators import copy_to_readonly_numpy_array

from analysis import constants, reference
from analysis.i18n import fmt_number

__all__ = [
    "FigureInputError",
    "LANGUAGES",
    "PALETTE",
    "COLORWAY",
    "NEUTRAL",
    "SEQUENTIAL_SCALE",
    "DIVERGING_SCALE",
    "TEMPLATE",
    "LABELS",
    "MIDTJYLLAND_TILES",
    "DENMARK_TILES",
    "TILE_SHORT_NAMES",
    "theme_colours",
    "apply_theme",
    "alt_text",
    "trend",
    "ranked_bars",
    "funnel",
    "tile_map",
    "stacked_share",
    "sparkline",
    "bars_by_category",
    "forest",
    "counterfactual",
    "burn_down",
]

LANGUAGES = ("da", "en")


class FigureInputError(ValueError):
    """A figure builder got input it cannot draw; the message says which argument and why."""


# --- theme ----------------------------------------------------------------------------------------------
# Okabe & Ito's colour-blind-safe palette (pure black replaced by the near-black text colour).
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "bluish_green": "#009E73",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
}
# Neutrals: text 17:1 on white, muted text 7:1 (WCAG AAA), grid and suppressed tiles light.
NEUTRAL: dict[str, str] = {
    "text": "#1A1A1A",
    "muted": "#595959",
    "axis": "#8C8C8C",
    "suppressed": "#C8C8C8",
    "grid": "#E6E6E6",
    "background": "#FFFFFF",
}
# Series colours in order; yellow last (too light for thin lines on white), dark grey as the 8th.
COLORWAY: list[str] = [PALETTE[k] for k in
                       ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue")]
COLORWAY += [NEUTRAL["muted"], PALETTE["yellow"]]
# Single-hue blue ramp ending in Okabe-Ito blue (monotone lightness: readable in greyscale and by all).
SEQUENTIAL_SCALE: list[list[float | str]] = [
    [0.0, "#EEF5FB"], [0.25, "#BFDDF2"], [0.5, "#7FBFE6"], [0.75, "#3D8FC6"], [0.9, "#0072B2"], [1.0, "#00466E"],
]
# Blue - light grey - vermillion for ratios around a midpoint (e.g. observed/expected around 1).
DIVERGING_SCALE: list[list[float | str]] = [
    [0.0, "#0072B2"], [0.25, "#7FB8DA"], [0.5, "#F2F2F2"], [0.75, "#EFAF80"], [1.0, "#D55E00"],
]
_AGREEMENT_ALPHA = 0.16  # the agreement period: a light sky-blue wash that lines and points stay readable on
_RIBBON_ALPHA = 0.2  # confidence ribbons: the series colour, light
FONT_FAMILY = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
               "'Liberation Sans', sans-serif")  # installed system fonts only; no web fonts
FONT_SIZE = 16  # body text and legend: readable on a shared meeting screen
TITLE_SIZE = 21
TICK_SIZE = 14
SEPARATORS = {"da": ",.", "en": ".,"}  # plotly: decimal then thousands separator


def _axis_style() -> dict[str, Any]:
    return dict(
        showgrid=True, gridcolor=NEUTRAL["grid"], gridwidth=1, zeroline=False,
        showline=True, linecolor=NEUTRAL["axis"], linewidth=1, ticks="outside", tickcolor=NEUTRAL["axis"],
        ticklen=5, tickfont=dict(size=TICK_SIZE, color=NEUTRAL["text"]),
        title=dict(font=dict(size=FONT_SIZE, color=NEUTRAL["text"]), standoff=12), automargin=True,
    )


TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT_FAMILY, size=FONT_SIZE, color=NEUTRAL["text"]),
        title=dict(font=dict(size=TITLE_SIZE, color=NEUTRAL["text"]), x=0, xref="paper", xanchor="left",
                   y=0.98, yref="container", yanchor="top"),
        paper_bgcolor=NEUTRAL["background"],
        plot_bgcolor=NEUTRAL["background"],
        colorway=COLORWAY,
        colorscale=dict(sequential=SEQUENTIAL_SCALE, sequentialminus=SEQUENTIAL_SCALE, diverging=DIVERGING_SCALE),
        xaxis=_axis_style(),
        yaxis=_axis_style(),
        legend=dict(orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom", bgcolor=NEUTRAL["background"],
                    font=dict(size=FONT_SIZE - 1, color=NEUTRAL["text"]), title=dict(text="")),
        hoverlabel=dict(bgcolor=NEUTRAL["background"], bordercolor=NEUTRAL["axis"],
                        font=dict(family=FONT_FAMILY, size=TICK_SIZE, color=NEUTRAL["text"])),
        hovermode="closest",
        margin=dict(l=70, r=30, t=110, b=60),
        shapedefaults=dict(line=dict(color=NEUTRAL["muted"], width=1.5)),
        annotationdefaults=dict(font=dict(size=TICK_SIZE - 1, color=NEUTRAL["muted"]), showarrow=False),
        coloraxis=dict(colorscale=SEQUENTIAL_SCALE,
                       colorbar=dict(outlinewidth=0, tickfont=dict(size=TICK_SIZE, color=NEUTRAL["text"]))),
    ),
    data=dict(
        scatter=[go.Scatter(line=dict(width=2.5), marker=dict(size=8, line=dict(width=0)))],
        bar=[go.Bar(marker=dict(line=dict(width=0)))],
    ),
)

# --- labels the figures add themselves ----------------------------------------------------------------
LABELS: dict[str, dict[str, str]] = {
    "agreement": {"da": "Aftaleperiode", "en": "Agreement period"},
    "ci": {"da": "{level} %-KI", "en": "{level}% CI"},
    "lpr3": {"da": "LPR3", "en": "LPR3"},
    "covid": {"da": "COVID-19", "en": "COVID-19"},
    "suppressed": {"da": "(skjult)", "en": "(suppressed)"},
    "suppressed_tile": {"da": "skjult", "en": "suppressed"},
    "no_value": {"da": "ingen data", "en": "no data"},
    "no_data": {"da": "Ingen data for dette valg", "en": "No data for this selection"},
    "observed": {"da": "Observeret", "en": "Observed"},
    "fitted": {"da": "Model", "en": "Fitted"},
    "counterfactual": {"da": "Uden aftalen (kontrafaktisk)", "en": "Without the agreement (counterfactual)"},
    "spend": {"da": "Forbrug, akkumuleret", "en": "Cumulative spend"},
    "budget": {"da": "Budget", "en": "Budget"},
    "exhaustion": {"da": "Budget opbrugt (fremskrevet)", "en": "Budget exhausted (projected)"},
    "currency": {"da": "kr.", "en": "DKK"},
    "pooled": {"da": "Samlet", "en": "Pooled"},
    "benchmark": {"da": "Reference", "en": "Benchmark"},
    "limit_95": {"da": "95 %-grænser", "en": "95% limits"},
    "limit_99_8": {"da": "99,8 %-grænser", "en": "99.8% limits"},
    "funnel_within": {"da": "Inden for 95 %-grænserne", "en": "Within the 95% limits"},
    "funnel_between": {"da": "Mellem 95 %- og 99,8 %-grænserne", "en": "Between the 95% and 99.8% limits"},
    "funnel_above": {"da": "Over 99,8 %-grænsen", "en": "Above the 99.8% limit"},
    "funnel_below": {"da": "Under 99,8 %-grænsen", "en": "Below the 99.8% limit"},
    "share": {"da": "andel", "en": "share"},
    "omitted": {"da": "… {n} kommuner udeladt (se tabellen)",
                "en": "… {n} municipalities not shown (see the table)"},
    "suppressed_collapsed": {"da": "… {n} kommuner skjult (små tal)",
                             "en": "… {n} municipalities suppressed (small numbers)"},
    "rank": {"da": "nr. {rank}", "en": "no. {rank}"},
    # alt texts
    "alt_x": {"da": "Vandret akse", "en": "Horizontal axis"},
    "alt_y": {"da": "Lodret akse", "en": "Vertical axis"},
    "alt_colour": {"da": "Farve", "en": "Colour"},
    "alt_agreement": {"da": "Aftaleperioden er markeret.", "en": "The agreement period is marked."},
    "alt_trend": {"da": "Linjediagram", "en": "Line chart"},
    "alt_ranked_bars": {"da": "Rangordnet søjlediagram", "en": "Ranked bar chart"},
    "alt_funnel": {"da": "Tragtdiagram (funnel plot)", "en": "Funnel plot"},
    "alt_tile_map": {"da": "Kvadratkort over kommunerne", "en": "Tile map of the municipalities"},
    "alt_stacked_share": {"da": "Stablet diagram", "en": "Stacked chart"},
    "alt_sparkline": {"da": "Lille kurve", "en": "Sparkline"},
    "alt_bars_by_category": {"da": "Søjlediagram", "en": "Bar chart"},
    "alt_forest": {"da": "Forest plot", "en": "Forest plot"},
    "alt_counterfactual": {"da": "Observeret forløb og kontrafaktisk forløb",
                           "en": "Observed and counterfactual series"},
    "alt_burn_down": {"da": "Budgetforbrug", "en": "Budget burn-down"},
}
_MONTHS = {
    "da": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}

# --- tile grids ------------------------------------------------------------------------------------------
# Region Midtjylland, hand-placed (row, col), row 0 in the north: the Limfjord row, the middle belt from
# the west coast to Djursland, and the south-east from Hedensted to Samsø.
MIDTJYLLAND_TILES: dict[int, tuple[int, int]] = {
    665: (0, 0), 671: (0, 1), 779: (0, 2), 791: (0, 3), 730: (0, 4), 707: (0, 5),  # Lemvig ... Norddjurs
    661: (1, 1), 657: (1, 2), 740: (1, 3), 710: (1, 4), 706: (1, 5),  # Holstebro ... Syddjurs
    760: (1, 0), 756: (2, 2), 746: (2, 3), 751: (2, 4),  # Ringkøbing-Skjern, Ikast-Brande, Skanderborg, Aarhus
    766: (3, 2), 615: (3, 3), 727: (3, 4), 741: (3, 5),  # Hedensted, Horsens, Odder, Samsø
}
# All 98 municipalities, coarser: placed from approximate town-hall coordinates and adjusted by hand
# (Jutland in columns 1-5, Funen 6-8, Zealand 9-16 with the Copenhagen area spread out, Bornholm far east).
DENMARK_TILES: dict[int, tuple[int, int]] = {
    # Nordjylland
    860: (1, 5), 813: (1, 6), 849: (2, 4), 810: (2, 5), 825: (2, 7), 787: (3, 2), 851: (3, 5),
    773: (4, 2), 820: (4, 4), 840: (4, 5), 846: (4, 6),
    # Midtjylland
    665: (5, 1), 671: (5, 2), 779: (5, 3), 791: (5, 4), 730: (5, 5), 707: (5, 6),
    661: (6, 2), 657: (6, 3), 740: (6, 4), 710: (6, 5), 706: (6, 6),
    760: (7, 2), 756: (7, 3), 746: (7, 4), 751: (7, 5),
    766: (8, 4), 615: (8, 5), 727: (8, 6), 741: (8, 7),
    # Syddanmark: Jutland
    573: (8, 2), 530: (8, 3), 563: (9, 1), 561: (9, 2), 575: (9, 3), 630: (9, 4), 607: (9, 5),
    621: (10, 4), 550: (11, 3), 510: (11, 4), 580: (12, 4), 540: (12, 5),
    # Syddanmark: Funen and islands
    410: (9, 6), 480: (9, 7), 440: (9, 8), 420: (10, 6), 461: (10, 7), 450: (10, 8),
    430: (11, 6), 479: (11, 7), 482: (11, 8), 492: (12, 7),
    # Hovedstaden: North Zealand and the Copenhagen area
    270: (5, 12), 217: (5, 13), 260: (6, 11), 219: (6, 12), 210: (6, 13), 223: (6, 14),
    250: (7, 11), 240: (7, 12), 201: (7, 13), 230: (7, 14),
    151: (8, 12), 190: (8, 13), 173: (8, 14), 157: (8, 15),
    169: (9, 11), 165: (9, 12), 163: (9, 13), 159: (9, 14),
    183: (10, 12), 161: (10, 13), 175: (10, 14), 147: (10, 15), 101: (10, 16),
    187: (11, 13), 153: (11, 14), 167: (11, 15), 185: (11, 16), 155: (12, 16),
    400: (13, 17),
    # Sjælland
    306: (6, 10), 316: (7, 10), 326: (8, 9), 350: (8, 10), 265: (8, 11),
    330: (9, 9), 340: (9, 10), 329: (10, 10), 253: (10, 11), 370: (11, 10), 259: (11, 11), 269: (11, 12),
    390: (12, 10), 320: (12, 11), 336: (12, 12), 360: (13, 9), 376: (13, 10),
}
# Short names that fit a tile (the full name is in the hover); others use reference.municipalities().
TILE_SHORT_NAMES: dict[int, str] = {
    101: "Kbh.", 147: "Frb.", 151: "Ballerup", 153: "Brøndby", 157: "Gentofte", 159: "Gladsaxe",
    161: "Glostrup", 165: "Albertsl.", 167: "Hvidovre", 169: "Høje-T.", 173: "Lyngby", 175: "Rødovre",
    183: "Ishøj", 185: "Tårnby", 187: "Vallensb.", 190: "Furesø", 201: "Allerød", 210: "Fredensb.",
    217: "Helsingør", 219: "Hillerød", 223: "Hørsholm", 230: "Rudersdal", 240: "Egedal", 250: "Frederikss.",
    260: "Halsnæs", 270: "Gribskov", 306: "Odsherred", 326: "Kalundb.", 336: "Stevns", 376: "Guldborgs.",
    390: "Vordingb.", 400: "Bornholm", 430: "Faaborg-M.", 440: "Kerteminde", 461: "Odense", 479: "Svendborg",
    480: "Nordfyn", 482: "Langeland", 510: "Haderslev", 540: "Sønderborg", 573: "Varde", 580: "Aabenraa",
    607: "Fredericia", 615: "Horsens", 657: "Herning", 661: "Holstebro", 706: "Syddjurs", 707: "Norddjurs",
    710: "Favrskov", 740: "Silkeborg", 746: "Skanderborg", 756: "Ikast-Brande", 760: "Ringk.-Skjern",
    766: "Hedensted", 813: "Frederiksh.", 820: "Vesthimmerl.", 846: "Mariagerfj.", 849: "Jammerbugt",
    810: "Brønderslev",
}

# Shorter still for the national grid's smaller tiles (at most about 9 characters).
_DENMARK_SHORT: dict[int, str] = {
    849: "Jammerb.", 810: "Brønderl.", 820: "Vesthiml.", 813: "F.havn", 846: "Mariagerf.", 760: "Ringk.-Sk.",
    756: "Ikast-Br.", 746: "Skanderb.", 250: "F.sund", 376: "Guldb.", 430: "Faaborg", 440: "Kertem.",
    540: "Sønderb.", 607: "Fredcia.", 410: "Middelf.", 217: "Helsingør", 306: "Odsherr.", 482: "Langel.",
}

# --- small helpers -----------------------------------------------------------------------------------------
def _label(key: str, lang: str, **fmt: object) -> str:
    text = LABELS[key][lang]
    return text.format(**fmt) if fmt else text


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise FigureInputError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}.")
    return lang


def _check_columns(df: pd.DataFrame, columns: Sequence[str | None], what: str = "df") -> None:
    if not isinstance(df, pd.DataFrame):
        raise FigureInputError(f"{what} must be a pandas DataFrame, got {type(df).__name__}.")
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise FigureInputError(
            f"{what} lacks the column(s) {', '.join(map(str, missing))}; it has {', '.join(map(str, df.columns))}.")


def _hex_to_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = _hex_to_rgb(colour)
    return f"rgba({r},{g},{b},{alpha})"


def theme_colours() -> frozenset[str]:
    """Every colour the theme may use, as upper-case ``#RRGGBB`` (translucent tints use the same bases).

    Returns
    -------
    frozenset of str
        The palette, the neutrals and the stops of the sequential and diverging scales.
    """
    colours = set(PALETTE.values()) | set(NEUTRAL.values()) | set(COLORWAY)
    colours |= {c for _, c in SEQUENTIAL_SCALE} | {c for _, c in DIVERGING_SCALE}
    return frozenset(c.upper() for c in colours)


def _num_fmt(decimals: int) -> str:
    return f",.{int(decimals)}f"


@functools.lru_cache(maxsize=8192)
def _number_cached(value: float, sign: float, lang: str, decimals: int) -> str:
    return fmt_number(value, lang, decimals=decimals)


def _number(value: float, lang: str, decimals: int = 0) -> str:
    """:func:`analysis.i18n.fmt_number` of a float, memoised (babel costs ~0.1 ms a call, and a stacked chart
    formats hundreds of counts, most of them seen before). The sign is part of the key so that -0.0 and
    0.0 are formatted as babel formats each."""
    value = float(value)
    if value != value:  # NaN: never equal to a cached key, so do not fill the cache with it
        return fmt_number(value, lang, decimals=decimals)
    return _number_cached(value, math.copysign(1.0, value), lang, int(decimals))


def _fmt(value: object, lang: str, decimals: int) -> str:
    if value is None or pd.isna(value):
        return _label("suppressed", lang)
    return _number(float(value), lang, decimals)


def _as_time(series: pd.Series) -> tuple[pd.Series, bool]:
    """The series as datetimes if it holds dates (datetime, Period or ISO strings); else unchanged."""
    if isinstance(series.dtype, pd.PeriodDtype):
        return series.dt.to_timestamp(), True
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.tz_localize(None) if getattr(series.dt, "tz", None) is not None else series, True
    if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
        parsed = pd.to_datetime(series, errors="coerce", format="ISO8601")
        if len(series) and parsed.notna().sum() == series.notna().sum():
            return parsed, True
    return series, False


def _valid_times(x: pd.Series | np.ndarray) -> np.ndarray:
    """The datetime64 values of a time column, without the missing ones."""
    v = x.to_numpy() if isinstance(x, (pd.Series, pd.Index)) else np.asarray(x)
    return v[~np.isnat(v)]


def _is_monthly(x: pd.Series | np.ndarray) -> bool:
    valid = _valid_times(x)
    days = valid.astype("datetime64[D]")
    return bool(len(valid)) and bool((days == days.astype("datetime64[M]").astype("datetime64[D]")).all())


def _x_hover(is_time: bool, x: pd.Series | np.ndarray | None = None) -> str:
    if not is_time:
        return "%{x}"
    return "%{x|%Y-%m}" if x is not None and _is_monthly(x) else "%{x|%Y-%m-%d}"


def _date_ticks(x: pd.Series | np.ndarray, lang: str) -> dict[str, Any]:
    """Tick values and month names in ``lang`` for a time axis, and its range fitted to the data."""
    valid = _valid_times(x)
    if not len(valid):
        return {}
    ticks = _date_ticks_cached(pd.Timestamp(valid.min()), pd.Timestamp(valid.max()), _is_monthly(valid), lang)
    return {k: list(v) if isinstance(v, list) else v for k, v in ticks.items()}  # lists of its own


@functools.lru_cache(maxsize=256)
def _date_ticks_cached(lo: pd.Timestamp, hi: pd.Timestamp, monthly: bool, lang: str) -> dict[str, Any]:
    months = (hi.year - lo.year) * 12 + hi.month - lo.month
    if months <= 12:
        step, yearly = 1, False
    elif months <= 36:
        step, yearly = 3, False
    elif months <= 120:
        step, yearly = 12, True
    else:
        step, yearly = 24, True
    first = pd.Timestamp(lo.year, 1, 1) if yearly else pd.Timestamp(lo.year, lo.month, 1)
    ticks = [d for d in pd.date_range(first, hi, freq=f"{step}MS") if d >= lo]
    text = [str(d.year) if yearly else f"{_MONTHS[lang][d.month - 1]} {d.year}" for d in ticks]
    pad = pd.Timedelta(days=10) if lo != hi else pd.Timedelta(days=20)
    return dict(
        tickmode="array", tickvals=[d.strftime("%Y-%m-%d") for d in ticks], ticktext=text,
        range=[(lo - pad).strftime("%Y-%m-%d"), (hi + pad).strftime("%Y-%m-%d")],
        hoverformat="%Y-%m" if monthly else "%Y-%m-%d", type="date",
    )


# --- building a figure in one go --------------------------------------------------------------------------------
# Plotly validates (and deep-copies) every property on every ``add_trace``/``add_shape``/``update_*`` call, and
# re-validates the whole shapes tuple on each ``add_shape``: a figure built step by step spent most of its time
# there (50-170 ms each). The builders therefore collect traces, shapes and annotations as plain dicts in a
# :class:`_Spec` and construct the figure once. That construction skips plotly's per-property validation (the
# template alone costs ~8 ms to validate) and switches it back on afterwards, so whatever a page does to the
# figure later (``add_hline``, ``update_layout``) is validated as usual. The dicts hold exactly what validation
# would have stored: arrays as numpy arrays, lists of plain Python scalars; tests/test_figures.py rebuilds every
# figure *with* validation and checks that nothing changes, and compares every figure with a golden snapshot.
_TEMPLATE_JSON: dict[str, Any] = TEMPLATE.to_plotly_json()  # validated once, here; each figure gets a deep copy
_VALIDATE = False  # True: build every figure with plotly's full validation (slow; for tests)


def _merge(target: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Plotly's ``update`` semantics on plain dicts: nested dicts merge, anything else replaces."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        elif isinstance(value, Mapping):
            target[key] = _merge({}, value)
        else:
            target[key] = value
    return target


class _Spec:
    """A figure under construction: traces, layout, axes, shapes and annotations as plain dicts."""

    __slots__ = ("traces", "layout", "xaxis", "yaxis", "shapes", "annotations", "meta")

    def __init__(self, builder: str, lang: str, title: str | None) -> None:
        _check_lang(lang)
        self.traces: list[dict[str, Any]] = []
        self.meta: dict[str, Any] = {"builder": builder, "lang": lang}
        self.layout: dict[str, Any] = {"separators": SEPARATORS[lang], "title": {"text": title or ""}}
        self.xaxis: dict[str, Any] = {}
        self.yaxis: dict[str, Any] = {}
        self.shapes: list[dict[str, Any]] = []
        self.annotations: list[dict[str, Any]] = []

    def axes(self, x_title: str | None, y_title: str | None) -> None:
        _merge(self.xaxis, {"title": {"text": x_title or ""}})
        _merge(self.yaxis, {"title": {"text": y_title or ""}})

    def figure(self) -> go.Figure:
        layout: dict[str, Any] = {"template": _TEMPLATE_JSON, **self.layout,
                                  "meta": {"akutindblik": dict(self.meta)}}
        if self.xaxis:
            layout["xaxis"] = self.xaxis
        if self.yaxis:
            layout["yaxis"] = self.yaxis
        if self.shapes:  # plotly stores no empty tuple either
            layout["shapes"] = self.shapes
        if self.annotations:
            layout["annotations"] = self.annotations
        if _VALIDATE:  # the slow, fully validated construction of the same spec (tests compare the two)
            return go.Figure(data=self.traces, layout=layout)
        # go.Figure deep-copies the layout and the traces, so the shared template dict is never aliased
        fig = go.Figure(data=self.traces, layout=layout, _validate=False)
        fig._validate = True  # later changes by the pages are validated as usual
        fig._layout_obj._validate = True
        for trace in fig._data_objs:
            trace._validate = True
        return fig


def _rows(*columns) -> np.ndarray:
    """Columns side by side as an object array that keeps each value's type (``np.column_stack`` of a text and
    a number column turns the numbers into text, so hover formats would work on strings)."""
    out = np.empty((len(columns[0]), len(columns)), dtype=object)
    for i, column in enumerate(columns):
        out[:, i] = list(column)
    return out


def _values(values: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
    """A column as the numpy array plotly's validation stores for it (datetime64 stays datetime64).

    Numbers and naive datetimes are converted directly (what plotly does for them, without its ~0.5 ms
    dataframe-library detour); anything else (strings, booleans, categoricals ...) goes through plotly's own
    conversion."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "uifOM":
            return values
    elif isinstance(values, (pd.Series, pd.Index)) and isinstance(values.dtype, np.dtype) \
            and values.dtype.kind in "uifM":
        return values.to_numpy()
    return copy_to_readonly_numpy_array(values)


def _trace(kind: str, **props: object) -> dict[str, Any]:
    """A trace as a dict; properties that are None are left out, as plotly leaves them out."""
    props = {k: v for k, v in props.items() if v is not None}
    props["type"] = kind
    return props


def _sort_positions(x: pd.Series) -> np.ndarray:
    """Positions that sort ``x`` exactly as ``DataFrame.sort_values(x)`` orders its rows (missing last)."""
    return x.reset_index(drop=True).sort_values().index.to_numpy()


def _py(value: object) -> object:
    """A numpy scalar as the plain Python scalar plotly's validation stores in a list."""
    return value.item() if isinstance(value, np.generic) and not isinstance(value, np.datetime64) else value


def _no_data(spec: _Spec, lang: str) -> go.Figure:
    spec.annotations.append(dict(text=_label("no_data", lang), x=0.5, y=0.5, xref="paper", yref="paper",
                                 font=dict(size=FONT_SIZE + 2, color=NEUTRAL["muted"])))
    _merge(spec.xaxis, dict(showticklabels=False, showgrid=False))
    _merge(spec.yaxis, dict(showticklabels=False, showgrid=False))
    spec.meta["empty"] = True
    return spec.figure()


def _group_colours(groups: Sequence[object]) -> dict[object, str]:
    return {g: COLORWAY[i % len(COLORWAY)] for i, g in enumerate(groups)}


def _ci_level_text(ci_level: float, lang: str) -> str:
    pct = ci_level * 100
    return fmt_number(pct, lang, decimals=0 if float(pct).is_integer() else 1)


def _break_markers(region_code: int | None) -> list[tuple[pd.Timestamp, str]]:
    """(date, label key) for the LPR3 go-live (the region's, or every distinct date) and COVID-19 start."""
    table = reference.breaks()
    rows = list(zip(table["kind"].tolist(), table["region_code"].tolist(), table["start"].tolist()))
    lpr3 = [(region, start) for kind, region, start in rows if kind == "lpr3"]
    if region_code is not None:
        own = [(region, start) for region, start in lpr3 if region is not pd.NA and region == int(region_code)]
        lpr3 = own or lpr3
    markers = [(pd.Timestamp(d), "lpr3") for d in sorted({start for _, start in lpr3})]
    covid = [start for kind, _, start in rows if kind == "covid"]
    if covid:
        starts = [s for s in covid if not pd.isna(s)]
        markers.append((pd.Timestamp(min(starts)) if starts else pd.NaT, "covid"))
    return sorted(markers)


def _add_time_context(spec: _Spec, x: pd.Series, lang: str, *, agreement: bool, breaks: bool,
                      region_code: int | None) -> None:
    """Shade the agreement period and mark the LPR3 and COVID-19 breaks that fall inside the data's range."""
    valid = _valid_times(x)
    if not len(valid):
        return
    lo, hi = pd.Timestamp(valid.min()), pd.Timestamp(valid.max())
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    if agreement:
        start, end = pd.Timestamp(constants.AGREEMENT_START), pd.Timestamp(constants.AGREEMENT_END)
        if start <= hi and end >= lo:
            shapes.append(dict(
                type="rect", xref="x", yref="paper", x0=constants.AGREEMENT_START, x1=constants.AGREEMENT_END,
                y0=0, y1=1, layer="below", line=dict(width=0),
                fillcolor=_rgba(PALETTE["sky_blue"], _AGREEMENT_ALPHA),
                name=_label("agreement", lang), showlegend=True, legendrank=2000,
                label=dict(text=_label("agreement", lang), textposition="top center",
                           font=dict(size=TICK_SIZE - 1, color=NEUTRAL["muted"])),
            ))
            spec.meta["agreement"] = True
    if breaks:
        markers = [(d, k) for d, k in _break_markers(region_code) if lo <= d <= hi]
        previous: pd.Timestamp | None = None
        side = "left"
        for date, key in markers:
            # close markers (LPR3 a month apart) get their labels on opposite sides of the line
            side = "right" if previous is not None and (date - previous).days < 120 and side == "left" else "left"
            previous = date
            iso = date.strftime("%Y-%m-%d")
            shapes.append(dict(type="line", xref="x", yref="paper", x0=iso, x1=iso, y0=0, y1=1, layer="above",
                               line=dict(color=NEUTRAL["muted"], width=1.5, dash="dash"), name=f"break_{key}_{iso}"))
            text = _label(key, lang)
            if key == "lpr3" and region_code is None:
                day = f"{date.day}/{date.month}" if lang == "da" else f"{date.day} {_MONTHS['en'][date.month - 1]}"
                text = f"{text} {day}"
            annotations.append(dict(x=iso, xref="x", y=0.02, yref="paper", text=text, textangle=-90,
                                    xanchor="right" if side == "left" else "left", yanchor="bottom",
                                    xshift=-2 if side == "left" else 2, showarrow=False,
                                    font=dict(size=TICK_SIZE - 2, color=NEUTRAL["muted"]),
                                    name=f"break_{key}_{iso}"))
    spec.shapes.extend(shapes)
    spec.annotations.extend(annotations)


# --- theme application and alt text ------------------------------------------------------------------------
def apply_theme(fig: go.Figure, lang: str, *, font_scale: float = 1.0) -> go.Figure:
    """Give a figure the product's theme and the language's number separators.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        Changed in place and returned.
    lang : {"da", "en"}
        ``"da"`` sets ``separators=",."`` (``1.234,5``), ``"en"`` sets ``".,"`` (``1,234.5``).
    font_scale : float, default 1.0
        Multiplies the type sizes, e.g. 1.3 for the presentation mode on a meeting screen.

    Returns
    -------
    plotly.graph_objects.Figure
        The same figure.
    """
    _check_lang(lang)
    fig.update_layout(template=TEMPLATE, separators=SEPARATORS[lang])
    if font_scale != 1.0:
        fig.update_layout(font=dict(size=round(FONT_SIZE * font_scale)),
                          title=dict(font=dict(size=round(TITLE_SIZE * font_scale))))
        fig.update_xaxes(tickfont=dict(size=round(TICK_SIZE * font_scale)))
        fig.update_yaxes(tickfont=dict(size=round(TICK_SIZE * font_scale)))
    return fig


def alt_text(fig: go.Figure) -> str:
    """A short plain-language description of a figure for ``st.plotly_chart(alt=...)``.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        A figure made by a builder in this module (others get a description from title and axes).

    Returns
    -------
    str
        E.g. ``"Linjediagram: Forebyggelige indlæggelser. Vandret akse: Måned. Lodret akse: Pr. 1.000
        borgere 65+. Aftaleperioden er markeret."``
    """
    meta = (fig.layout.meta or {}).get("akutindblik", {}) if isinstance(fig.layout.meta, dict) else {}
    lang = meta.get("lang", "da") if meta.get("lang") in LANGUAGES else "da"
    builder = meta.get("builder")
    kind = LABELS.get(f"alt_{builder}", {}).get(lang, "")
    title = fig.layout.title.text or ""
    parts = [f"{kind}: {title}".strip(": ") if kind or title else ""]
    x_title = fig.layout.xaxis.title.text if fig.layout.xaxis and fig.layout.xaxis.title else None
    y_title = fig.layout.yaxis.title.text if fig.layout.yaxis and fig.layout.yaxis.title else None
    if x_title:
        parts.append(f"{_label('alt_x', lang)}: {x_title}")
    if y_title:
        parts.append(f"{_label('alt_y', lang)}: {y_title}")
    colour = meta.get("colour_title")
    if colour:
        parts.append(f"{_label('alt_colour', lang)}: {colour}")
    text = ". ".join(p.rstrip(". ") for p in parts if p) + "."
    if meta.get("agreement"):
        text += " " + _label("alt_agreement", lang)
    return text


def _ribbon_runs(present: np.ndarray) -> list[tuple[int, int]]:
    """The contiguous runs ``[start, stop)`` of positions at which ``present`` is true.

    A row missing the value or a limit (a suppressed month: value, lower and upper all NaN) ends a run, so a
    ribbon drawn per run breaks where the line breaks instead of bridging the gap.
    """
    if not present.any():
        return []
    edges = np.flatnonzero(np.diff(np.r_[False, present, False].astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _ribbons(xv: np.ndarray, yv: np.ndarray, lo: np.ndarray, hi: np.ndarray, *, colour: str, legendgroup: str,
             name: str, showlegend: bool) -> list[dict[str, Any]]:
    """One group's confidence ribbon: a polygon per contiguous run of complete rows, never across a gap.

    A run of a single time point (both neighbours suppressed) has no width to fill, so it is drawn as a
    point with a translucent vertical bar from lower to upper in the same colour. All pieces share the
    legend group; only one carries the legend entry (the first polygon, else the first point).
    """
    present = ~(pd.isna(xv) | pd.isna(yv) | pd.isna(lo) | pd.isna(hi))
    runs = _ribbon_runs(present)
    if not runs:
        return []
    carrier = next((i for i, (a, b) in enumerate(runs) if b - a > 1), 0)
    traces = []
    for i, (a, b) in enumerate(runs):
        common = dict(name=name, legendgroup=legendgroup, showlegend=showlegend and i == carrier,
                      hoverinfo="skip", meta="ci")
        if b - a > 1:
            traces.append(dict(
                type="scatter", x=np.concatenate([xv[a:b], xv[a:b][::-1]]),
                y=np.concatenate([hi[a:b], lo[a:b][::-1]]), fill="toself", mode="lines",
                line=dict(width=0, color=colour), fillcolor=_rgba(colour, _RIBBON_ALPHA), **common,
            ))
        else:
            mid = yv[a:b].astype(float)
            traces.append(dict(
                type="scatter", x=xv[a:b].copy(), y=mid, mode="markers", marker=dict(color=colour, size=6),
                error_y=dict(type="data", symmetric=False, array=hi[a:b].astype(float) - mid,
                             arrayminus=mid - lo[a:b].astype(float), color=_rgba(colour, 2 * _RIBBON_ALPHA),
                             thickness=6, width=0),
                **common,
            ))
    return traces


# --- builders -------------------------------------------------------------------------------------------------
def trend(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    lower: str | None = None,
    upper: str | None = None,
    group: str | None = None,
    lang: str,
    title: str,
    x_title: str,
    y_title: str,
    agreement: bool = True,
    breaks: bool = True,
    region_code: int | None = None,
    decimals: int = 1,
    ci_level: float = 0.95,
    y_from_zero: bool = True,
) -> go.Figure:
    """Lines over time per group with a confidence ribbon, the agreement period and the known breaks.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy: one row per time point (and group). Missing (suppressed) values leave gaps.
    x, y : str
        Columns of the time (datetime, Period or ISO date strings) and of the value.
    lower, upper : str, optional
        Columns of the interval limits; drawn as a ribbon when both are given, broken (like the line)
        wherever the value or a limit is missing; a lone time point between gaps gets a vertical bar.
    group : str, optional
        Column naming the series (municipality, crude/standardised ...), one line each.
    lang : {"da", "en"}
    title, x_title, y_title : str
        Translated by the caller; axis titles include the unit ("pr. 1.000 borgere 65+").
    agreement : bool, default True
        Shade the advisory agreement (:data:`analysis.constants.AGREEMENT_START` to ``AGREEMENT_END``).
    breaks : bool, default True
        Mark LPR3's go-live and the first COVID-19 lockdown (from :func:`analysis.reference.breaks`)
        with dashed vertical lines.
    region_code : int, optional
        Mark only this region's LPR3 date; without it every distinct LPR3 date is marked.
    decimals : int, default 1
        Decimals in the hover text.
    ci_level : float, default 0.95
        The interval's level, for its legend entry.
    y_from_zero : bool, default True
        Start the value axis at zero (honest for rates and counts).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    _check_lang(lang)
    _check_columns(df, [x, y, lower, upper, group])
    spec = _Spec("trend", lang, title)
    spec.axes(x_title, y_title)
    if df.empty:
        return _no_data(spec, lang)
    xs, is_time = _as_time(df[x])
    order = _sort_positions(xs)
    xs = xs.iloc[order]
    xv, yv = _values(xs), _values(df[y].iloc[order])
    has_ci = lower is not None and upper is not None
    lo = _values(df[lower].iloc[order]) if has_ci else None
    hi = _values(df[upper].iloc[order]) if has_ci else None
    gs = df[group].iloc[order] if group else None
    groups = list(pd.unique(gs)) if group else [None]
    colours = _group_colours(groups)
    ci_text = _label("ci", lang, level=_ci_level_text(ci_level, lang))
    fmt = _num_fmt(decimals)
    for i, g in enumerate(groups):
        rows = slice(None) if g is None else (gs == g).to_numpy()
        px, py = xv[rows], yv[rows]
        colour = colours[g]
        name = str(g) if g is not None else y_title
        legendgroup = f"g{i}"
        hover = f"<b>{name}</b><br>{_x_hover(is_time, xs[rows] if is_time else None)}: %{{y:{fmt}}}"
        custom = None
        if has_ci:
            plo, phi = lo[rows], hi[rows]
            spec.traces.extend(_ribbons(
                px, py, plo, phi, colour=colour, legendgroup=legendgroup,
                name=ci_text if len(groups) == 1 else f"{name}: {ci_text}", showlegend=len(groups) == 1))
            custom = _values(np.column_stack([plo, phi]))
            hover += f"<br>{ci_text}: %{{customdata[0]:{fmt}}}–%{{customdata[1]:{fmt}}}"
        spec.traces.append(_trace(
            "scatter", x=px, y=py, mode="lines", name=name, line=dict(color=colour, width=2.5),
            customdata=custom, hovertemplate=hover + "<extra></extra>", legendgroup=legendgroup,
            showlegend=group is not None or has_ci, connectgaps=False,
        ))
    if is_time:
        _merge(spec.xaxis, _date_ticks(xs, lang))
        _add_time_context(spec, xs, lang, agreement=agreement, breaks=breaks, region_code=region_code)
    if y_from_zero:
        spec.yaxis["rangemode"] = "tozero"
    return spec.figure()


def ranked_bars(
    df: pd.DataFrame,
    *,
    label: str,
    value: str,
    lower: str | None = None,
    upper: str | None = None,
    highlight: Sequence[object] | None = None,
    reference_value: float | None = None,
    reference_label: str | None = None,
    lang: str,
    title: str,
    x_title: str,
    decimals: int = 1,
    descending: bool = True,
    ci_level: float = 0.95,
    max_bars: int | None = None,
) -> go.Figure:
    """Horizontal bars, one per unit, sorted by value, with interval whiskers.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per unit (municipality); ``label`` must be unique.
    label, value : str
        Columns of the unit's name and its value. A missing value (suppressed) leaves a gap labelled
        "(skjult)" / "(suppressed)" at the bottom of the ranking.
    lower, upper : str, optional
        Columns of the interval limits.
    highlight : sequence, optional
        Labels of the selected units: drawn in vermillion with their names in bold.
    reference_value : float, optional
        A vertical dashed line, e.g. the region's value; ``reference_label`` names it in the legend.
    lang : {"da", "en"}
    title, x_title : str
        Translated by the caller; ``x_title`` includes the unit.
    decimals : int, default 1
    descending : bool, default True
        The highest value at the top.
    ci_level : float, default 0.95
        The interval's level, for the hover text.
    max_bars : int, optional
        At most this many ranked bars (e.g. 30 for all 98 municipalities): when more units have a value,
        the top ``ceil(max_bars / 2)`` and the bottom ``floor(max_bars / 2)`` are drawn with one separator
        row between them saying how many were left out ("… 64 kommuner udeladt (se tabellen)"). A
        highlighted unit is always drawn, in rank order just below the separator with its rank after its
        name ("nr. 50"). Nothing is left out if that would hide a single unit (the separator takes its
        row). If the limit bites (all units would take more than ``max_bars`` rows) and more than three
        units are suppressed, those not highlighted share one row too ("… 5 kommuner skjult (små
        tal)"). The figure's height follows the rows drawn, and its meta records ``omitted`` (ranked units
        left out) and ``suppressed_collapsed`` (suppressed units folded into one row). None (default)
        draws every unit.

    Returns
    -------
    plotly.graph_objects.Figure
        The bar trace lists the drawn units top to bottom; separator rows are text traces with
        ``meta`` ``"omitted"`` and ``"suppressed_collapsed"``.
    """
    _check_lang(lang)
    _check_columns(df, [label, value, lower, upper])
    spec = _Spec("ranked_bars", lang, title)
    spec.axes(x_title, None)
    if df.empty:
        return _no_data(spec, lang)
    if df[label].duplicated().any():
        dup = df.loc[df[label].duplicated(), label].iloc[0]
        raise FigureInputError(f"ranked_bars needs one row per {label}; {dup!r} appears more than once.")
    if max_bars is not None and (isinstance(max_bars, bool) or not isinstance(max_bars, (int, np.integer))
                                 or max_bars < 1):
        raise FigureInputError(f"max_bars must be a positive whole number or None, got {max_bars!r}.")
    data = df[list(dict.fromkeys(c for c in (label, value, lower, upper) if c is not None))]  # only what is drawn
    shown = data[data[value].notna()].sort_values(value, ascending=not descending, kind="stable")
    hidden = data[data[value].isna()].sort_values(label, kind="stable")
    chosen = {str(h) for h in (highlight or [])}
    head, middle, tail = shown, shown.iloc[:0], shown.iloc[:0]
    omitted, middle_rank = 0, {}
    if max_bars is not None and len(shown) > max_bars:
        rank = np.arange(len(shown))
        top, bottom = math.ceil(max_bars / 2), max_bars // 2
        in_head, in_tail = rank < top, rank >= len(shown) - bottom
        picked = shown[label].astype(str).isin(chosen).to_numpy() & ~in_head & ~in_tail
        left_out = int((~(in_head | in_tail | picked)).sum())
        if left_out > 1:  # leaving out one unit saves nothing: the separator would take its row
            head, middle, tail, omitted = shown[in_head], shown[picked], shown[in_tail], left_out
            middle_rank = {str(lab): int(r) + 1 for lab, r in zip(middle[label], rank[picked])}
    collapsed = hidden.iloc[:0]
    if (max_bars is not None and len(hidden) > 3
            and len(head) + len(middle) + len(tail) + bool(omitted) + len(hidden) > max_bars):
        fold = ~hidden[label].astype(str).isin(chosen)
        if fold.sum() > 1:
            hidden, collapsed = hidden[~fold], hidden[fold]
    data = pd.concat([head, middle, tail, hidden], ignore_index=True)
    labels = [str(v) for v in data[label]]
    colours = [PALETTE["vermillion"] if lab in chosen else PALETTE["blue"] for lab in labels]
    fmt = _num_fmt(decimals)
    has_ci = lower is not None and upper is not None
    error = None
    hover = f"<b>%{{y}}</b><br>%{{x:{fmt}}}"
    custom = None
    if has_ci:
        error = dict(type="data", symmetric=False, array=_values((data[upper] - data[value]).to_numpy(float)),
                     arrayminus=_values((data[value] - data[lower]).to_numpy(float)), color=NEUTRAL["text"],
                     thickness=1.5, width=4)
        custom = _values(np.column_stack([data[lower], data[upper]]))
        ci_text = _label("ci", lang, level=_ci_level_text(ci_level, lang))
        hover += f" ({ci_text}: %{{customdata[0]:{fmt}}}–%{{customdata[1]:{fmt}}})"
    spec.traces.append(_trace(
        "bar", x=_values(data[value].to_numpy(float)), y=labels, orientation="h", marker=dict(color=colours),
        error_x=error, customdata=custom, hovertemplate=hover + "<extra></extra>", showlegend=False,
        name=x_title,
    ))
    if not hidden.empty:
        hidden_labels = [str(v) for v in hidden[label]]
        spec.traces.append(_trace(
            "scatter", x=[0] * len(hidden_labels), y=hidden_labels, mode="text",
            text=[_label("suppressed", lang)] * len(hidden_labels),
            textposition="middle right", textfont=dict(color=NEUTRAL["muted"], size=TICK_SIZE),
            hovertemplate=f"<b>%{{y}}</b><br>{_label('suppressed', lang)}<extra></extra>", showlegend=False,
            name=_label("suppressed", lang), meta="suppressed",
        ))
    ticktext = [f"<b>{lab}</b>" if lab in chosen else lab for lab in labels]
    for lab, r in middle_rank.items():
        ticktext[labels.index(lab)] += f" ({_label('rank', lang, rank=r)})"
    rows, rowtext = list(labels), list(ticktext)
    # separator rows: after the top of the ranking, and after everything for the folded suppressed units
    for key, n, at in (("omitted", omitted, len(head)), ("suppressed_collapsed", len(collapsed), None)):
        if not n:
            continue
        text = _label(key, lang, n=n)
        row = text
        while row in rows:  # the separator's category must not coincide with a unit's name
            row += " "
        at = len(rows) if at is None else at
        rows.insert(at, row)
        rowtext.insert(at, "⋮")
        spec.traces.append(_trace(
            "scatter", x=[0], y=[row], mode="text", text=[text], textposition="middle right",
            textfont=dict(color=NEUTRAL["muted"], size=TICK_SIZE), hoverinfo="skip", showlegend=False,
            name=text, meta=key,
        ))
    _merge(spec.yaxis, dict(type="category", categoryorder="array", categoryarray=rows, autorange="reversed",
                            tickmode="array", tickvals=rows, ticktext=rowtext, showgrid=False))
    spec.xaxis["rangemode"] = "tozero"
    if reference_value is not None and not pd.isna(reference_value):
        name = reference_label or _label("benchmark", lang)
        spec.shapes.append(dict(
            type="line", xref="x", yref="paper", x0=float(reference_value), x1=float(reference_value), y0=0, y1=1,
            layer="above", line=dict(color=NEUTRAL["text"], width=2, dash="dash"),
            name=f"{name}: {_fmt(reference_value, lang, decimals)}", showlegend=True))
    spec.layout.update(height=int(160 + 30 * len(rows)), bargap=0.25)
    if max_bars is not None:
        spec.meta.update(omitted=omitted, suppressed_collapsed=len(collapsed))
    return spec.figure()


def funnel(
    df: pd.DataFrame,
    *,
    denominator: str,
    value: str,
    label: str,
    limits: pd.DataFrame,
    target: float,
    lang: str,
    title: str,
    x_title: str,
    y_title: str,
    target_label: str | None = None,
    decimals: int = 1,
) -> go.Figure:
    """Funnel plot: units against their denominator with 95 % and 99.8 % control limits around a target.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per unit. Units without a value (suppressed) are listed under the chart, not drawn.
    denominator, value, label : str
        Columns of the x value (population, expected count ...), the indicator and the unit's name.
    limits : pandas.DataFrame
        As made by :func:`analysis.rates.funnel_limits`: ``denominator``, ``lower_95``, ``upper_95``,
        ``lower_99_8``, ``upper_99_8`` on a fine grid of denominators.
    target : float
        The benchmark the limits surround (horizontal line).
    lang : {"da", "en"}
    title, x_title, y_title : str
        Translated by the caller, with units.
    target_label : str, optional
        Legend name of the target line (default "Reference" / "Benchmark").
    decimals : int, default 1

    Returns
    -------
    plotly.graph_objects.Figure
        Points in one trace per position (``trace.meta`` is ``"within"``, ``"between"``, ``"above"`` or
        ``"below"``): outside the 99.8 % limits in vermillion triangles up or bluish-green triangles down,
        between the 95 % and 99.8 % limits in orange, the rest in blue.

    Notes
    -----
    A unit's limits are interpolated linearly in log(denominator) from the ``limits`` grid.
    """
    _check_lang(lang)
    _check_columns(df, [denominator, value, label])
    limit_cols = ["denominator", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]
    _check_columns(limits, limit_cols, "limits")
    spec = _Spec("funnel", lang, title)
    spec.axes(x_title, y_title)
    if df.empty or limits.empty:
        return _no_data(spec, lang)
    lim = limits.sort_values("denominator")
    lim = lim[lim["denominator"] > 0]
    fmt = _num_fmt(decimals)
    # limit lines: 99.8 % dotted, 95 % dashed; lower and upper share one legend entry
    for level, dash, key in (("99_8", "dot", "limit_99_8"), ("95", "dash", "limit_95")):
        for side in ("upper", "lower"):
            spec.traces.append(_trace(
                "scatter", x=_values(lim["denominator"]), y=_values(lim[f"{side}_{level}"]), mode="lines",
                line=dict(color=NEUTRAL["muted"], width=1.5, dash=dash), name=_label(key, lang),
                legendgroup=key, showlegend=side == "upper", hoverinfo="skip",
            ))
    spec.traces.append(_trace(
        "scatter", x=[_py(lim["denominator"].min()), _py(lim["denominator"].max())], y=[_py(target), _py(target)],
        mode="lines",
        line=dict(color=NEUTRAL["text"], width=2), name=target_label or _label("benchmark", lang),
        hovertemplate=f"%{{y:{fmt}}}<extra></extra>",
    ))
    hidden = df[df[value].isna() | df[denominator].isna()]
    data = df.drop(hidden.index)
    if not data.empty:
        logx = np.log(lim["denominator"].to_numpy(float))
        at = np.log(data[denominator].clip(lower=lim["denominator"].min()).to_numpy(float))
        bounds = {c: np.interp(at, logx, lim[c].to_numpy(float)) for c in limit_cols[1:]}
        vals = data[value].to_numpy(float)
        position = np.where(vals > bounds["upper_99_8"], "above",
                   np.where(vals < bounds["lower_99_8"], "below",
                   np.where((vals > bounds["upper_95"]) | (vals < bounds["lower_95"]), "between", "within")))
        styles = {
            "within": (PALETTE["blue"], "circle", "funnel_within"),
            "between": (PALETTE["orange"], "circle", "funnel_between"),
            "above": (PALETTE["vermillion"], "triangle-up", "funnel_above"),
            "below": (PALETTE["bluish_green"], "triangle-down", "funnel_below"),
        }
        for key, (colour, symbol, label_key) in styles.items():
            part = data[position == key]
            if part.empty:
                continue
            outside = key in ("above", "below")
            spec.traces.append(_trace(
                "scatter", x=_values(part[denominator]), y=_values(part[value]),
                mode="markers+text" if outside else "markers",
                text=[str(v) for v in part[label]] if outside else None,
                textposition="bottom center" if key == "below" else "top center",
                textfont=dict(color=NEUTRAL["text"], size=TICK_SIZE - 1),
                marker=dict(color=colour, symbol=symbol, size=13 if outside else 10,
                            line=dict(color=NEUTRAL["background"], width=1)),
                customdata=_values(np.array([str(v) for v in part[label]], dtype=object)),
                hovertemplate=(f"<b>%{{customdata}}</b><br>{y_title}: %{{y:{fmt}}}<br>"
                               f"{x_title}: %{{x:,.0f}}<extra></extra>"),
                name=_label(label_key, lang), meta=key,
            ))
    if not hidden.empty:
        names = ", ".join(str(v) for v in hidden[label])
        spec.annotations.append(dict(text=f"{_label('suppressed', lang)}: {names}", x=0, xref="paper", y=-0.18,
                                     yref="paper", xanchor="left", yanchor="top", name="suppressed",
                                     font=dict(size=TICK_SIZE - 1, color=NEUTRAL["muted"])))
        spec.layout["margin"] = dict(b=100)
    spec.xaxis["tickformat"] = ",.0f"
    return spec.figure()


def _tile_text_colour(colour_rgb: tuple[float, float, float]) -> str:
    """White on dark tiles, near-black on light ones (WCAG relative luminance)."""
    def lin(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = colour_rgb
    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return NEUTRAL["background"] if lum < 0.25 else NEUTRAL["text"]


def _scale_colour(scale: list[list[float | str]], t: float) -> tuple[float, float, float]:
    t = min(max(t, 0.0), 1.0)
    for (p0, c0), (p1, c1) in zip(scale, scale[1:]):
        if t <= p1:
            f = 0.0 if p1 == p0 else (t - float(p0)) / (float(p1) - float(p0))
            a, b = _hex_to_rgb(str(c0)), _hex_to_rgb(str(c1))
            return tuple(a[i] + f * (b[i] - a[i]) for i in range(3))  # type: ignore[return-value]
    return _hex_to_rgb(str(scale[-1][1]))  # type: ignore[return-value]


def _short_name(code: int, names: Mapping[int, str]) -> str:
    return TILE_SHORT_NAMES.get(code) or names.get(code, str(code))


def tile_map(
    df: pd.DataFrame,
    *,
    code: str,
    value: str,
    lang: str,
    title: str,
    colorbar_title: str,
    layout: str = "auto",
    decimals: int = 1,
    midpoint: float | None = None,
    zmin: float | None = None,
    zmax: float | None = None,
    show_values: bool = True,
) -> go.Figure:
    """A tile grid map of the municipalities, one square each, coloured by value (no map tiles).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per municipality. Codes without a tile (aggregates such as a region) are ignored.
    code, value : str
        Columns of the 3-digit kommunekode and the value. A missing value is a grey tile "skjult".
    lang : {"da", "en"}
    title, colorbar_title : str
        Translated by the caller; the colour bar's title carries the unit.
    layout : {"auto", "midtjylland", "denmark"}, default "auto"
        The 19 municipalities of Region Midtjylland (:data:`MIDTJYLLAND_TILES`) or all 98
        (:data:`DENMARK_TILES`, coarser). "auto" takes Midtjylland when every code in ``df`` is there.
        Every tile of the layout is drawn; municipalities absent from ``df`` are grey "ingen data".
    decimals : int, default 1
    midpoint : float, optional
        Use the diverging scale centred here (e.g. 1 for observed/expected ratios).
    zmin, zmax : float, optional
        Fix the colour range (e.g. to compare two maps).
    show_values : bool, default True
        Write the value under the short name on each tile.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    _check_lang(lang)
    _check_columns(df, [code, value])
    if layout not in ("auto", "midtjylland", "denmark"):
        raise FigureInputError(f"layout must be 'auto', 'midtjylland' or 'denmark', got {layout!r}.")
    spec = _Spec("tile_map", lang, title)
    spec.meta["colour_title"] = colorbar_title
    codes = pd.to_numeric(df[code], errors="coerce")
    if df[code].notna().any() and codes[df[code].notna()].isna().any():
        raise FigureInputError(f"Column {code} must hold 3-digit municipality codes.")
    values = dict(zip(codes.dropna().astype(int), pd.to_numeric(df.loc[codes.notna(), value], errors="coerce")))
    known = {c for c in values if c in DENMARK_TILES}
    if layout == "auto":
        layout = "midtjylland" if known <= set(MIDTJYLLAND_TILES) else "denmark"
    tiles = MIDTJYLLAND_TILES if layout == "midtjylland" else DENMARK_TILES
    spec.meta["tile_layout"] = layout
    munis = reference.municipalities()
    names = dict(zip(munis["municipality_code"], munis["name"]))
    n_rows = max(r for r, _ in tiles.values()) + 1
    n_cols = max(c for _, c in tiles.values()) + 1
    z = np.full((n_rows, n_cols), np.nan)
    grey = np.full((n_rows, n_cols), np.nan)
    hover = np.full((n_rows, n_cols), "", dtype=object)
    shown = [v for c, v in values.items() if c in tiles and not pd.isna(v)]
    lo = zmin if zmin is not None else (min(shown) if shown else 0.0)
    hi = zmax if zmax is not None else (max(shown) if shown else 1.0)
    if midpoint is not None:
        half = max(abs(hi - midpoint), abs(midpoint - lo)) or 1.0
        lo, hi = midpoint - half, midpoint + half
    if hi == lo:
        hi = lo + 1.0
    scale = DIVERGING_SCALE if midpoint is not None else SEQUENTIAL_SCALE
    text_x, text_y, text, text_colours = [], [], [], []
    for muni, (r, c) in sorted(tiles.items()):
        v = values.get(muni, np.nan)
        full = names.get(muni, str(muni))
        if muni not in values:
            word = _label("no_value", lang)
        elif pd.isna(v):
            word = _label("suppressed_tile", lang)
        else:
            word = _number(float(v), lang, decimals)
        hover[r, c] = f"<b>{full}</b><br>{word}"
        if pd.isna(v):
            grey[r, c] = 1.0
            colour_text = NEUTRAL["text"]
        else:
            z[r, c] = float(v)
            colour_text = _tile_text_colour(_scale_colour(scale, (float(v) - lo) / (hi - lo)))
        short = (_DENMARK_SHORT.get(muni) if layout == "denmark" else None) or _short_name(muni, names)
        text_x.append(c)
        text_y.append(r)
        text.append(f"{short}<br>{word}" if show_values else short)
        text_colours.append(colour_text)
    gap = 3 if layout == "midtjylland" else 2
    spec.traces.append(_trace(
        "heatmap", z=_values(grey), colorscale=[[0, NEUTRAL["suppressed"]], [1, NEUTRAL["suppressed"]]],
        showscale=False, xgap=gap, ygap=gap, text=_values(hover), hovertemplate="%{text}<extra></extra>",
        zmin=0, zmax=1, name=_label("suppressed_tile", lang),
    ))
    spec.traces.append(_trace(
        "heatmap", z=_values(z), colorscale=scale, zmin=_py(lo), zmax=_py(hi), xgap=gap, ygap=gap,
        text=_values(hover), hovertemplate="%{text}<extra></extra>", name=colorbar_title,
        colorbar=dict(title=dict(text=colorbar_title, side="right"), tickformat=_num_fmt(decimals),
                      outlinewidth=0, thickness=16),
    ))
    spec.traces.append(_trace(
        "scatter", x=text_x, y=text_y, mode="text", text=text, hoverinfo="skip", showlegend=False,
        textfont=dict(color=text_colours, size=13 if layout == "midtjylland" else 9),
        name="labels",
    ))
    spec.xaxis.update(visible=False, range=[-0.5, n_cols - 0.5], showgrid=False)
    spec.yaxis.update(visible=False, autorange="reversed", scaleanchor="x", scaleratio=1, showgrid=False)
    spec.layout.update(height=560 if layout == "midtjylland" else 780, margin=dict(l=10, r=10, t=80, b=10))
    return spec.figure()


def stacked_share(
    df: pd.DataFrame,
    *,
    x: str,
    category: str,
    value: str,
    lang: str,
    title: str,
    x_title: str,
    y_title: str,
    normalise: bool = True,
    kind: str = "area",
    categories: Sequence[object] | None = None,
    agreement: bool = True,
    decimals: int = 1,
) -> go.Figure:
    """Stacked shares over time: discharge destinations, referral sources, outcomes.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy: one row per time point and category with a count (or amount).
    x, category, value : str
        Columns of the time, the category and the count.
    lang : {"da", "en"}
    title, x_title, y_title : str
        Translated by the caller; with ``normalise`` the y-axis is a percentage ("Andel (%)").
    normalise : bool, default True
        Show each category's percentage of the time point's total; else the stacked counts.
        Missing (suppressed) counts count as zero in the stack; their hover says so.
    kind : {"area", "bar"}, default "area"
    categories : sequence, optional
        Stacking order from the bottom (default: order of first appearance).
    agreement : bool, default True
        Shade the agreement period on a time axis.
    decimals : int, default 1

    Returns
    -------
    plotly.graph_objects.Figure
    """
    _check_lang(lang)
    _check_columns(df, [x, category, value])
    if kind not in ("area", "bar"):
        raise FigureInputError(f"kind must be 'area' or 'bar', got {kind!r}.")
    spec = _Spec("stacked_share", lang, title)
    spec.axes(x_title, y_title)
    if df.empty:
        return _no_data(spec, lang)
    xs, is_time = _as_time(df[x])
    data = pd.DataFrame({x: xs, category: df[category], value: df[value]}, copy=False) if is_time else df
    order = list(categories) if categories is not None else list(pd.unique(data[category]))
    # min_count=1 keeps an all-missing (suppressed) cell missing instead of summing it to zero
    wide = data.groupby([x, category], sort=True, dropna=False)[value].sum(min_count=1).unstack(category)
    wide = wide.reindex(columns=[c for c in order if c in wide.columns])
    missing = wide.isna()
    counts = wide.fillna(0.0)
    totals = counts.sum(axis=1)
    plotted = counts.div(totals.where(totals > 0), axis=0) * 100 if normalise else counts
    colours = _group_colours(order)
    fmt = _num_fmt(decimals)
    xh = _x_hover(is_time, pd.Series(wide.index)) if is_time else "%{x}"
    xv = _values(wide.index)
    for cat in wide.columns:
        count_text = [(_label("suppressed", lang) if miss else _number(n, lang, 0))
                      for n, miss in zip(counts[cat].tolist(), missing[cat].tolist())]
        hover = (f"<b>{cat}</b><br>{xh}: %{{y:{fmt}}} %" + " (n = %{customdata})" if normalise
                 else f"<b>{cat}</b><br>{xh}: %{{customdata}}")
        common = dict(x=xv, y=_values(plotted[cat]), name=str(cat), customdata=count_text,
                      hovertemplate=hover + "<extra></extra>")
        if kind == "area":
            spec.traces.append(_trace("scatter", **common, mode="lines", stackgroup="one",
                                      line=dict(width=0.5, color=colours[cat]), fillcolor=colours[cat]))
        else:
            spec.traces.append(_trace("bar", **common, marker=dict(color=colours[cat])))
    if kind == "bar":
        spec.layout.update(barmode="stack", bargap=0.1)
    if normalise:
        spec.yaxis.update(range=[0, 100], ticksuffix=" %" if lang == "da" else "%")
    if is_time:
        x_values = pd.Series(wide.index)
        _merge(spec.xaxis, _date_ticks(x_values, lang))
        _add_time_context(spec, x_values, lang, agreement=agreement, breaks=False, region_code=None)
        for shape in spec.shapes:  # an outline: a wash would be hidden by the areas
            _merge(shape, dict(layer="above", fillcolor=_rgba(NEUTRAL["background"], 0.0),
                               line=dict(color=NEUTRAL["text"], width=1.5, dash="dot"), label=dict(text="")))
    return spec.figure()


def sparkline(values: Sequence[float] | pd.Series, *, lang: str, decimals: int = 1,
              colour: str | None = None, height: int = 60) -> go.Figure:
    """A tiny line without axes for a key figure, the last point marked.

    Parameters
    ----------
    values : sequence of float or pandas.Series
        In time order; a Series with a DatetimeIndex uses it for the hover.
    lang : {"da", "en"}
    decimals : int, default 1
    colour : str, optional
        A theme colour (default Okabe-Ito blue).
    height : int, default 60
        Pixels.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    _check_lang(lang)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=float)
    series = pd.to_numeric(series, errors="coerce")
    colour = colour or PALETTE["blue"]
    if colour.upper() not in theme_colours():
        raise FigureInputError(f"colour must be one of the theme's colours, got {colour!r}.")
    spec = _Spec("sparkline", lang, None)
    is_time = isinstance(series.index, pd.DatetimeIndex)
    xs = _values(series.index) if is_time else list(range(len(series)))
    fmt = _num_fmt(decimals)
    hover = (f"%{{x|%Y-%m}}: %{{y:{fmt}}}" if is_time else f"%{{y:{fmt}}}") + "<extra></extra>"
    spec.traces.append(_trace("scatter", x=xs, y=_values(series.to_numpy(float)), mode="lines",
                              line=dict(color=colour, width=2), hovertemplate=hover, showlegend=False,
                              connectgaps=False))
    last = series.last_valid_index()
    if last is not None:
        pos = last if is_time else list(series.index).index(last)  # the date itself, or the position
        spec.traces.append(_trace("scatter", x=[_py(pos)], y=[_py(series[last])], mode="markers",
                                  marker=dict(color=colour, size=7), hovertemplate=hover, showlegend=False))
    spec.xaxis.update(visible=False, showgrid=False)
    spec.yaxis.update(visible=False, showgrid=False)
    spec.layout.update(height=height, margin=dict(l=2, r=8, t=4, b=4), showlegend=False, hovermode="x")
    return spec.figure()


def bars_by_category(
    df: pd.DataFrame,
    *,
    category: str,
    value: str,
    lower: str | None = None,
    upper: str | None = None,
    group: str | None = None,
    lang: str,
    title: str,
    x_title: str,
    y_title: str,
    decimals: int = 1,
    categories: Sequence[object] | None = None,
    ci_level: float = 0.95,
) -> go.Figure:
    """Vertical bars by category (diagnosis group, age band, sex), optionally grouped, with whiskers.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy: one row per category (and group). A missing value is labelled "(skjult)".
    category, value : str
    lower, upper : str, optional
        Interval limits.
    group : str, optional
        Side-by-side bars per group (e.g. sex, or crude vs standardised).
    lang : {"da", "en"}
    title, x_title, y_title : str
    decimals : int, default 1
    categories : sequence, optional
        Order along the axis (default: order of first appearance).
    ci_level : float, default 0.95
        The interval's level, for the hover text.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    _check_lang(lang)
    _check_columns(df, [category, value, lower, upper, group])
    spec = _Spec("bars_by_category", lang, title)
    spec.axes(x_title, y_title)
    if df.empty:
        return _no_data(spec, lang)
    order = [str(c) for c in (categories if categories is not None else pd.unique(df[category]))]
    groups = list(pd.unique(df[group])) if group else [None]
    colours = _group_colours(groups)
    fmt = _num_fmt(decimals)
    has_ci = lower is not None and upper is not None
    ci_text = _label("ci", lang, level=_ci_level_text(ci_level, lang))
    suppressed = _label("suppressed", lang)
    for g in groups:
        part = df if g is None else df[df[group] == g]
        cats = [str(c) for c in part[category]]
        vals = part[value].to_numpy(float)
        missing = np.isnan(vals)
        # a suppressed value is a zero-height bar in its own slot, labelled "(skjult)" above the baseline
        value_text = [suppressed if m else _number(v, lang, decimals) for v, m in zip(vals.tolist(), missing)]
        interval_text = [""] * len(vals)
        error = None
        if has_ci:
            lo, hi = part[lower].to_numpy(float), part[upper].to_numpy(float)
            error = dict(type="data", symmetric=False, array=_values(hi - vals), arrayminus=_values(vals - lo),
                         color=NEUTRAL["text"], thickness=1.5, width=4)
            interval_text = ["" if (m or np.isnan(a) or np.isnan(b)) else
                             f" ({ci_text}: {_fmt(a, lang, decimals)}–{_fmt(b, lang, decimals)})"
                             for a, b, m in zip(lo, hi, missing)]
        hover = f"<b>%{{x}}</b>{'' if g is None else '<br>' + str(g)}<br>%{{customdata[0]}}%{{customdata[1]}}"
        spec.traces.append(_trace(
            "bar", x=cats, y=_values(np.where(missing, 0.0, vals)), name=str(g) if g is not None else y_title,
            marker=dict(color=colours[g]), error_y=error,
            customdata=_values(np.column_stack([value_text, interval_text]).astype(object)),
            text=[suppressed if m else "" for m in missing], textposition="outside", cliponaxis=False,
            textfont=dict(color=NEUTRAL["muted"], size=TICK_SIZE - 1),
            hovertemplate=hover + "<extra></extra>", showlegend=g is not None,
        ))
    spec.xaxis.update(type="category", categoryorder="array", categoryarray=order, showgrid=False)
    spec.yaxis["rangemode"] = "tozero"
    spec.layout.update(barmode="group", bargap=0.25, bargroupgap=0.05)
    return spec.figure()


def forest(
    df: pd.DataFrame,
    *,
    label: str,
    estimate: str,
    lower: str,
    upper: str,
    pooled: Mapping[str, object] | None = None,
    null_value: float = 1.0,
    lang: str,
    title: str,
    x_title: str,
    log_x: bool = True,
    decimals: int = 2,
) -> go.Figure:
    """Forest plot: one estimate with its interval per unit, and the pooled estimate as a diamond.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per unit, drawn top to bottom in the frame's order. Missing estimates say "(skjult)".
    label, estimate, lower, upper : str
        Columns of the unit's name, the estimate (e.g. a rate ratio) and its interval.
    pooled : mapping, optional
        ``{"estimate": ..., "lower": ..., "upper": ...}`` and optionally ``"label"`` (default
        "Samlet" / "Pooled"): drawn as a diamond below the units.
    null_value : float, default 1.0
        The value of no effect (dashed vertical line): 1 for ratios, 0 for differences.
    lang : {"da", "en"}
    title, x_title : str
    log_x : bool, default True
        A logarithmic x-axis (ratios).
    decimals : int, default 2
        Decimals in the estimate column on the right.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    _check_lang(lang)
    _check_columns(df, [label, estimate, lower, upper])
    if pooled is not None and not {"estimate", "lower", "upper"} <= set(pooled):
        raise FigureInputError("pooled must have the keys 'estimate', 'lower' and 'upper'.")
    spec = _Spec("forest", lang, title)
    spec.axes(x_title, None)
    if df.empty and pooled is None:
        return _no_data(spec, lang)
    n = len(df)
    ys = list(range(n, 0, -1))  # first row at the top; the pooled diamond at 0
    labels = [str(v) for v in df[label]]
    est = df[estimate].to_numpy(float)
    lo = df[lower].to_numpy(float)
    hi = df[upper].to_numpy(float)
    fmt = _num_fmt(decimals)
    if n:
        spec.traces.append(_trace(
            "scatter", x=_values(est), y=ys, mode="markers",
            marker=dict(symbol="square", size=10, color=PALETTE["blue"]),
            error_x=dict(type="data", symmetric=False, array=_values(hi - est), arrayminus=_values(est - lo),
                         color=PALETTE["blue"], thickness=2, width=0),
            customdata=_values(_rows(labels, lo, hi)), showlegend=False, name=x_title,
            hovertemplate=(f"<b>%{{customdata[0]}}</b><br>%{{x:{fmt}}} "
                           f"(%{{customdata[1]:{fmt}}}–%{{customdata[2]:{fmt}}})<extra></extra>"),
        ))
    tickvals, ticktext = list(ys), list(labels)
    right = [f"{_fmt(e, lang, decimals)} ({_fmt(a, lang, decimals)}–{_fmt(b, lang, decimals)})"
             if not np.isnan(e) else _label("suppressed", lang) for e, a, b in zip(est, lo, hi)]
    if pooled is not None:
        pe, pl, pu = (float(pooled[k]) for k in ("estimate", "lower", "upper"))  # type: ignore[arg-type]
        plabel = str(pooled.get("label") or _label("pooled", lang))
        spec.traces.append(_trace(
            "scatter", x=[pl, pe, pu, pe, pl], y=[0, 0.35, 0, -0.35, 0], mode="lines", fill="toself",
            fillcolor=PALETTE["vermillion"], line=dict(color=PALETTE["vermillion"], width=1),
            name=plabel, showlegend=False, meta="pooled",
            hovertemplate=(f"<b>{plabel}</b><br>{_fmt(pe, lang, decimals)} "
                           f"({_fmt(pl, lang, decimals)}–{_fmt(pu, lang, decimals)})<extra></extra>"),
        ))
        tickvals.append(0)
        ticktext.append(f"<b>{plabel}</b>")
        right.append(f"<b>{_fmt(pe, lang, decimals)} ({_fmt(pl, lang, decimals)}–{_fmt(pu, lang, decimals)})</b>")
    for y_pos, text in zip(tickvals, right):
        spec.annotations.append(dict(x=1.0, xref="paper", xanchor="left", xshift=10, y=y_pos, yref="y", text=text,
                                     font=dict(size=TICK_SIZE, color=NEUTRAL["text"]), showarrow=False))
    spec.shapes.append(dict(type="line", xref="x", yref="paper", x0=_py(null_value), x1=_py(null_value), y0=0,
                            y1=1, line=dict(color=NEUTRAL["text"], width=1.5, dash="dash"), layer="below"))
    if pooled is not None:
        spec.shapes.append(dict(type="line", xref="x", yref="paper", x0=pe, x1=pe, y0=0, y1=1,
                                line=dict(color=PALETTE["vermillion"], width=1, dash="dot"), layer="below"))
    spec.yaxis.update(tickmode="array", tickvals=tickvals, ticktext=ticktext, showgrid=False,
                      range=[-0.8, n + 0.8], zeroline=False)
    if log_x:
        spec.xaxis["type"] = "log"
    spec.layout.update(height=int(170 + 30 * (n + 1)), margin=dict(r=190))
    return spec.figure()


def counterfactual(
    df: pd.DataFrame,
    *,
    x: str,
    observed: str,
    fitted: str,
    counterfactual: str,
    cf_lower: str,
    cf_upper: str,
    lang: str,
    title: str,
    x_title: str,
    y_title: str,
    region_code: int | None = None,
    decimals: int = 1,
    ci_level: float = 0.95,
    y_from_zero: bool = True,
) -> go.Figure:
    """The observed series, the model's fit and the counterfactual "without the agreement" with its band.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per time point; the counterfactual columns may be empty before the intervention.
    x, observed, fitted, counterfactual, cf_lower, cf_upper : str
        Columns of the time, the observed value (points), the fitted value (solid line) and the
        counterfactual with its interval (dashed line and band).
    lang : {"da", "en"}
    title, x_title, y_title : str
    region_code : int, optional
        Mark this region's LPR3 date (else every LPR3 date).
    decimals : int, default 1
    ci_level : float, default 0.95
    y_from_zero : bool, default True

    Returns
    -------
    plotly.graph_objects.Figure
    """
    _check_lang(lang)
    _check_columns(df, [x, observed, fitted, counterfactual, cf_lower, cf_upper])
    spec = _Spec("counterfactual", lang, title)
    spec.axes(x_title, y_title)
    if df.empty:
        return _no_data(spec, lang)
    xs, is_time = _as_time(df[x])
    order = _sort_positions(xs)
    xv = _values(xs)[order]
    col = {c: _values(df[c])[order] for c in (observed, fitted, counterfactual, cf_lower, cf_upper)}
    fmt = _num_fmt(decimals)
    xh = _x_hover(is_time, xv if is_time else None)
    ci_text = _label("ci", lang, level=_ci_level_text(ci_level, lang))
    cf_colour = PALETTE["vermillion"]
    band = ~(pd.isna(col[cf_lower]) | pd.isna(col[cf_upper]))
    if band.any():
        bx = xv[band]
        spec.traces.append(_trace(
            "scatter", x=np.concatenate([bx, bx[::-1]]),
            y=np.concatenate([col[cf_upper][band], col[cf_lower][band][::-1]]), fill="toself", mode="lines",
            line=dict(width=0, color=cf_colour), fillcolor=_rgba(cf_colour, _RIBBON_ALPHA), hoverinfo="skip",
            name=ci_text, legendgroup="cf", legendrank=1004,
        ))
    spec.traces.append(_trace(
        "scatter", x=xv, y=col[observed], mode="markers", name=_label("observed", lang), legendrank=1001,
        marker=dict(color=NEUTRAL["muted"], size=6),
        hovertemplate=f"<b>{_label('observed', lang)}</b><br>{xh}: %{{y:{fmt}}}<extra></extra>",
    ))
    spec.traces.append(_trace(
        "scatter", x=xv, y=col[fitted], mode="lines", name=_label("fitted", lang), legendrank=1002,
        line=dict(color=PALETTE["blue"], width=2.5),
        hovertemplate=f"<b>{_label('fitted', lang)}</b><br>{xh}: %{{y:{fmt}}}<extra></extra>",
    ))
    cf = ~pd.isna(col[counterfactual])
    spec.traces.append(_trace(
        "scatter", x=xv[cf], y=col[counterfactual][cf], mode="lines", name=_label("counterfactual", lang),
        legendgroup="cf", legendrank=1003, line=dict(color=cf_colour, width=2.5, dash="dash"),
        customdata=_values(np.column_stack([col[cf_lower][cf], col[cf_upper][cf]])) if cf.any() else None,
        hovertemplate=(f"<b>{_label('counterfactual', lang)}</b><br>{xh}: %{{y:{fmt}}}<br>{ci_text}: "
                       f"%{{customdata[0]:{fmt}}}–%{{customdata[1]:{fmt}}}<extra></extra>"),
    ))
    if is_time:
        _merge(spec.xaxis, _date_ticks(xv, lang))
        _add_time_context(spec, xv, lang, agreement=True, breaks=True, region_code=region_code)
    if y_from_zero:
        spec.yaxis["rangemode"] = "tozero"
    return spec.figure()


def burn_down(
    df: pd.DataFrame,
    *,
    x: str,
    cumulative_spend: str,
    budget: float,
    lang: str,
    title: str,
    x_title: str,
    y_title: str,
    projected_exhaustion: object | None = None,
    agreement: bool = True,
) -> go.Figure:
    """The agreement's cumulative spend against its budget, with the projected month it runs out.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per month with the cumulative spend (kr.).
    x, cumulative_spend : str
        Columns of the month and the cumulative spend.
    budget : float
        The total budget (horizontal dashed line), e.g. 3,000,000 kr.
    lang : {"da", "en"}
    title, x_title, y_title : str
    projected_exhaustion : date-like, optional
        The month the budget is projected to run out (a vertical marker); None when it lasts.
    agreement : bool, default True
        Shade the agreement period.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    _check_lang(lang)
    _check_columns(df, [x, cumulative_spend])
    spec = _Spec("burn_down", lang, title)
    spec.axes(x_title, y_title)
    if df.empty:
        return _no_data(spec, lang)
    xs, is_time = _as_time(df[x])
    order = _sort_positions(xs)
    data = pd.DataFrame({x: xs, cumulative_spend: df[cumulative_spend]}, copy=False).iloc[order]
    currency = _label("currency", lang)
    xh = _x_hover(is_time, data[x])
    spec.traces.append(_trace(
        "scatter", x=_values(data[x]), y=_values(data[cumulative_spend]), mode="lines+markers",
        name=_label("spend", lang), line=dict(color=PALETTE["blue"], width=2.5), marker=dict(size=6, color=PALETTE["blue"]),
        hovertemplate=f"<b>{_label('spend', lang)}</b><br>{xh}: %{{y:,.0f}} {currency}<extra></extra>",
    ))
    x_values = data[x]
    exhaustion = None
    if projected_exhaustion is not None and not pd.isna(projected_exhaustion):
        exhaustion = pd.Timestamp(projected_exhaustion) if is_time else projected_exhaustion
    if is_time and exhaustion is not None:
        x_values = pd.concat([x_values, pd.Series([exhaustion])], ignore_index=True)
    x_range = [_py(x_values.min()), _py(x_values.max())]
    spec.traces.append(_trace(
        "scatter", x=x_range, y=[_py(budget), _py(budget)], mode="lines", name=f"{_label('budget', lang)}: "
        f"{fmt_number(float(budget), lang)} {currency}", line=dict(color=PALETTE["vermillion"], width=2, dash="dash"),
        hovertemplate=f"<b>{_label('budget', lang)}</b>: %{{y:,.0f}} {currency}<extra></extra>",
    ))
    if exhaustion is not None:
        at = exhaustion.strftime("%Y-%m-%d") if isinstance(exhaustion, pd.Timestamp) else exhaustion
        when = (f"{_MONTHS[lang][exhaustion.month - 1]} {exhaustion.year}"
                if isinstance(exhaustion, pd.Timestamp) else str(exhaustion))
        spec.shapes.append(dict(type="line", xref="x", yref="paper", x0=_py(at), x1=_py(at), y0=0, y1=1,
                                layer="above", line=dict(color=PALETTE["vermillion"], width=2, dash="dot"),
                                name=f"{_label('exhaustion', lang)}: {when}", showlegend=True))
        spec.meta["projected_exhaustion"] = str(at)
    if is_time:
        _merge(spec.xaxis, _date_ticks(x_values, lang))
        _add_time_context(spec, x_values, lang, agreement=agreement, breaks=False, region_code=None)
    spec.yaxis.update(rangemode="tozero", tickformat=",.0f")
    return spec.figure()

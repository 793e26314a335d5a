"""Figure builders: one theme, language-correct numbers, the agreement and breaks where they belong.

Every builder runs on a small frame. The checks are what a reader of the charts relies on: titles and
axis titles are there, only the theme's colours are used (never Streamlit's ``#000001``-style
placeholders, which export as black), Danish figures write ``1.234,5`` and English ``1,234.5``, the
agreement period and the LPR3/COVID-19 breaks sit at the right dates, suppressed values are labelled
instead of crashing, and every figure serialises to JSON (no kaleido here; exports are tested elsewhere).
"""
from __future__ import annotations

import base64
import json
import math
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analysis import constants, figures, reference
from analysis.figures import FigureInputError

MONTHS = pd.date_range("2016-01-01", "2022-12-01", freq="MS")
MIDT = reference.municipalities().query("region_code == 1082")
COLOUR_RE = re.compile(r"#[0-9A-Fa-f]{6}\b|#[0-9A-Fa-f]{3}\b|rgba?\([^)]*\)")


# --- Streamlit's placeholder template, simulated ------------------------------------------------------
@pytest.fixture(autouse=True, scope="module")
def placeholder_default_template() -> Iterator[None]:
    """Make plotly's default template one with placeholder colours, as ``import streamlit`` does."""
    fake = go.layout.Template(layout=dict(
        colorway=[f"#{i:06X}" for i in range(1, 11)], font=dict(color="#000001"),
        paper_bgcolor="#000002", plot_bgcolor="#000003",
        xaxis=dict(gridcolor="#000004"), yaxis=dict(gridcolor="#000005")))
    pio.templates["placeholder_test"] = fake
    previous = pio.templates.default
    pio.templates.default = "placeholder_test"
    yield
    pio.templates.default = previous


# --- small frames -------------------------------------------------------------------------------------
def trend_frame() -> pd.DataFrame:
    rows = []
    for i, name in enumerate(["Aarhus", "Randers"]):
        rate = 20 + i + np.sin(np.arange(len(MONTHS)) / 3)
        rows.append(pd.DataFrame({"month": MONTHS, "municipality": name, "rate": rate,
                                  "lower": rate - 1.5, "upper": rate + 1.5}))
    df = pd.concat(rows, ignore_index=True)
    df.loc[5, ["rate", "lower", "upper"]] = np.nan  # one suppressed month
    return df


def municipality_frame() -> pd.DataFrame:
    df = MIDT[["municipality_code", "name"]].reset_index(drop=True).copy()
    df["rate"] = np.linspace(15, 33, len(df))
    df.loc[df["name"] == "Samsø", "rate"] = np.nan  # suppressed
    df["lower"], df["upper"] = df["rate"] - 2, df["rate"] + 2
    df["population"] = np.linspace(2_000, 60_000, len(df))
    return df


def funnel_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    den = np.geomspace(1_000, 100_000, 60)
    half95, half998 = 1.96 * 30 / np.sqrt(den), 3.09 * 30 / np.sqrt(den)
    limits = pd.DataFrame({"denominator": den, "lower_95": 25 - half95, "upper_95": 25 + half95,
                           "lower_99_8": 25 - half998, "upper_99_8": 25 + half998})
    units = pd.DataFrame({
        "name": ["Inside", "Warning", "High", "Low", "Hidden"],
        "population": [10_000, 10_000, 10_000, 10_000, 10_000],
        # at 10,000 the 95 % half-width is 0.59, the 99.8 % half-width 0.93
        "rate": [25.1, 25.75, 27.0, 23.0, np.nan],
    })
    return units, limits


def share_frame() -> pd.DataFrame:
    cats = ["home", "home_care", "acute_bed", "death"]
    rows = [(m, c, 10 + 5 * j + (i % 3)) for i, m in enumerate(MONTHS[:30]) for j, c in enumerate(cats)]
    df = pd.DataFrame(rows, columns=["month", "destination", "n"]).astype({"n": float})
    df.loc[3, "n"] = np.nan
    return df


def category_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "group": ["Pneumoni", "Urinvejsinfektion", "Dehydrering"] * 2,
        "sex": ["Kvinder"] * 3 + ["Mænd"] * 3,
        "rate": [3.2, np.nan, 1.1, 2.9, 2.2, 0.9],
    }).assign(lower=lambda d: d["rate"] - 0.3, upper=lambda d: d["rate"] + 0.3)


def forest_frame() -> pd.DataFrame:
    df = MIDT[["name"]].reset_index(drop=True).copy()
    df["rr"] = np.exp(np.linspace(-0.2, 0.1, len(df)))
    df["lower"], df["upper"] = df["rr"] * 0.85, df["rr"] * 1.18
    df.loc[3, ["rr", "lower", "upper"]] = np.nan
    return df


def counterfactual_frame() -> pd.DataFrame:
    df = pd.DataFrame({"month": MONTHS, "observed": 20 + np.cos(np.arange(len(MONTHS)))})
    df["fitted"] = 20.0
    after = df["month"] >= constants.AGREEMENT_START
    df["cf"] = np.where(after, 21.0, np.nan)
    df["cf_lower"], df["cf_upper"] = df["cf"] - 1.2, df["cf"] + 1.2
    return df


def burn_frame() -> pd.DataFrame:
    months = pd.date_range(constants.AGREEMENT_START, constants.AGREEMENT_END, freq="MS")
    return pd.DataFrame({"month": months, "spend": np.arange(1, len(months) + 1) * 210_000.0})


# Each builder with its titles: (name, build(lang), x title, y title)
BUILDERS: dict[str, Callable[[str], go.Figure]] = {
    "trend": lambda lang: figures.trend(
        trend_frame(), x="month", y="rate", lower="lower", upper="upper", group="municipality", lang=lang,
        title="Forebyggelige indlæggelser", x_title="Måned", y_title="Pr. 1.000 borgere 65+"),
    "ranked_bars": lambda lang: figures.ranked_bars(
        municipality_frame(), label="name", value="rate", lower="lower", upper="upper", highlight=["Aarhus"],
        reference_value=24.0, reference_label="Region Midtjylland", lang=lang, title="Kommuner",
        x_title="Pr. 1.000 borgere 65+"),
    "funnel": lambda lang: figures.funnel(
        funnel_inputs()[0], denominator="population", value="rate", label="name", limits=funnel_inputs()[1],
        target=25, lang=lang, title="Tragtdiagram", x_title="Borgere 65+", y_title="Pr. 1.000 borgere 65+"),
    "tile_map": lambda lang: figures.tile_map(
        municipality_frame(), code="municipality_code", value="rate", lang=lang, title="Kommunekort",
        colorbar_title="Pr. 1.000 borgere 65+"),
    "stacked_share": lambda lang: figures.stacked_share(
        share_frame(), x="month", category="destination", value="n", lang=lang, title="Udskrivelse",
        x_title="Måned", y_title="Andel (%)"),
    "sparkline": lambda lang: figures.sparkline([3.0, 2.5, np.nan, 2.8, 2.1], lang=lang),
    "bars_by_category": lambda lang: figures.bars_by_category(
        category_frame(), category="group", value="rate", lower="lower", upper="upper", group="sex", lang=lang,
        title="Diagnosegrupper", x_title="Diagnosegruppe", y_title="Pr. 1.000 borgere 65+"),
    "forest": lambda lang: figures.forest(
        forest_frame(), label="name", estimate="rr", lower="lower", upper="upper",
        pooled={"estimate": 0.93, "lower": 0.88, "upper": 0.99}, lang=lang, title="Effekt pr. kommune",
        x_title="Rate ratio (log-skala)"),
    "counterfactual": lambda lang: figures.counterfactual(
        counterfactual_frame(), x="month", observed="observed", fitted="fitted", counterfactual="cf",
        cf_lower="cf_lower", cf_upper="cf_upper", lang=lang, title="Aarhus", x_title="Måned",
        y_title="Pr. 1.000 borgere 65+", region_code=1082),
    "burn_down": lambda lang: figures.burn_down(
        burn_frame(), x="month", cumulative_spend="spend", budget=3_000_000, lang=lang, title="Budget",
        x_title="Måned", y_title="Kroner", projected_exhaustion="2020-11-01"),
}
TITLES = {  # builder: (title, x title, y title); None where the chart has no such text
    "trend": ("Forebyggelige indlæggelser", "Måned", "Pr. 1.000 borgere 65+"),
    "ranked_bars": ("Kommuner", "Pr. 1.000 borgere 65+", None),
    "funnel": ("Tragtdiagram", "Borgere 65+", "Pr. 1.000 borgere 65+"),
    "tile_map": ("Kommunekort", None, None),
    "stacked_share": ("Udskrivelse", "Måned", "Andel (%)"),
    "sparkline": (None, None, None),
    "bars_by_category": ("Diagnosegrupper", "Diagnosegruppe", "Pr. 1.000 borgere 65+"),
    "forest": ("Effekt pr. kommune", "Rate ratio (log-skala)", None),
    "counterfactual": ("Aarhus", "Måned", "Pr. 1.000 borgere 65+"),
    "burn_down": ("Budget", "Måned", "Kroner"),
}


@pytest.fixture(scope="module")
def built() -> dict[tuple[str, str], go.Figure]:
    """Every builder in both languages, built once for the module (under the placeholder default)."""
    assert pio.templates.default == "placeholder_test"
    return {(name, lang): build(lang) for name, build in BUILDERS.items() for lang in ("da", "en")}


def _colours(obj: object) -> Iterator[str]:
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _colours(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _colours(v)
    elif isinstance(obj, np.ndarray) and obj.dtype == object:
        for v in obj.ravel():
            yield from _colours(v)
    elif isinstance(obj, str):
        yield from COLOUR_RE.findall(obj)


def _as_hex(colour: str) -> str:
    if colour.startswith("#"):
        return colour.upper()
    r, g, b = (int(float(p)) for p in colour[colour.index("(") + 1:-1].split(",")[:3])
    return f"#{r:02X}{g:02X}{b:02X}"


# --- every builder ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_returns_a_figure_with_title_and_axis_titles(built, name):
    fig = built[(name, "da")]
    assert isinstance(fig, go.Figure)
    title, x_title, y_title = TITLES[name]
    if title:
        assert fig.layout.title.text == title
    if x_title:
        assert fig.layout.xaxis.title.text == x_title
    if y_title:
        assert fig.layout.yaxis.title.text == y_title
    assert fig.layout.meta["akutindblik"]["builder"] == name


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.parametrize("lang", ["da", "en"])
def test_only_theme_colours_and_no_placeholders(built, name, lang):
    spec = built[(name, lang)].to_dict()
    found = set(_colours(spec))
    assert found, "a themed figure names its colours"
    assert not [c for c in found if re.fullmatch(r"#0000(0[1-9A-Fa-f]|1[0-9A-Fa-f])", c)]
    allowed = figures.theme_colours()
    assert {_as_hex(c) for c in found} <= allowed, sorted({_as_hex(c) for c in found} - allowed)
    assert spec["layout"]["template"]["layout"]["colorway"] == figures.COLORWAY


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_separators_follow_the_language(built, name):
    assert built[(name, "da")].layout.separators == ",."
    assert built[(name, "en")].layout.separators == ".,"


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_exports_to_json_without_web_fonts(built, name):
    text = built[(name, "da")].to_json()
    spec = json.loads(text)
    assert spec["layout"]["title"]["text"] == (TITLES[name][0] or "")
    assert "http" not in json.dumps(spec["layout"]["template"]), "no fonts or assets fetched from the internet"
    assert "sans-serif" in spec["layout"]["template"]["layout"]["font"]["family"]


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_hover_numbers_follow_the_language(built, name):
    """Numbers in hovers are either plotly formats (``%{y:,.1f}``, which obey ``separators``) or texts
    already formatted for the language: never Python's ``1234.5``."""
    fig = built[(name, "da")]
    templates = [t.hovertemplate for t in fig.data if getattr(t, "hovertemplate", None)]
    assert templates
    for template in templates:
        for field in re.findall(r"%\{(y|x|customdata\[\d\])(:[^}]*)?\}", template):
            if field[1]:
                assert field[1].startswith(":,.") or field[1].startswith(":|"), template
    texts = json.dumps([getattr(t, "customdata", None) for t in fig.data if t.type == "bar"], default=str)
    assert not re.search(r"\d\.\d\b", texts), "pre-formatted Danish numbers use a decimal comma"


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_alt_text_names_title_and_axes_in_the_language(built, name):
    da, en = figures.alt_text(built[(name, "da")]), figures.alt_text(built[(name, "en")])
    title, x_title, y_title = TITLES[name]
    for part in (title, x_title, y_title):
        if part:
            assert part in da
    if x_title:
        assert "Vandret akse" in da and "Horizontal axis" in en
    assert da.endswith(".") and ".." not in da


@pytest.mark.parametrize("name", sorted(set(BUILDERS) - {"sparkline", "tile_map", "forest"}))
def test_empty_frame_gives_a_no_data_figure(name):
    empty = {
        "trend": lambda: figures.trend(trend_frame().iloc[:0], x="month", y="rate", lang="en", title="T",
                                       x_title="X", y_title="Y"),
        "ranked_bars": lambda: figures.ranked_bars(municipality_frame().iloc[:0], label="name", value="rate",
                                                   lang="en", title="T", x_title="X"),
        "funnel": lambda: figures.funnel(funnel_inputs()[0].iloc[:0], denominator="population", value="rate",
                                         label="name", limits=funnel_inputs()[1], target=25, lang="en",
                                         title="T", x_title="X", y_title="Y"),
        "stacked_share": lambda: figures.stacked_share(share_frame().iloc[:0], x="month", category="destination",
                                                       value="n", lang="en", title="T", x_title="X", y_title="Y"),
        "bars_by_category": lambda: figures.bars_by_category(category_frame().iloc[:0], category="group",
                                                             value="rate", lang="en", title="T", x_title="X",
                                                             y_title="Y"),
        "counterfactual": lambda: figures.counterfactual(
            counterfactual_frame().iloc[:0], x="month", observed="observed", fitted="fitted", counterfactual="cf",
            cf_lower="cf_lower", cf_upper="cf_upper", lang="en", title="T", x_title="X", y_title="Y"),
        "burn_down": lambda: figures.burn_down(burn_frame().iloc[:0], x="month", cumulative_spend="spend",
                                               budget=3e6, lang="en", title="T", x_title="X", y_title="Y"),
    }
    fig = empty[name]()
    assert fig.layout.title.text == "T"
    assert any("No data" in a.text for a in fig.layout.annotations)


def test_bad_input_gives_one_sentence_errors():
    with pytest.raises(FigureInputError, match="lacks the column"):
        figures.trend(trend_frame(), x="month", y="nope", lang="da", title="T", x_title="X", y_title="Y")
    with pytest.raises(FigureInputError, match="lang must be one of"):
        figures.sparkline([1, 2], lang="de")
    with pytest.raises(FigureInputError, match="more than once"):
        figures.ranked_bars(pd.DataFrame({"n": ["A", "A"], "v": [1, 2]}), label="n", value="v", lang="da",
                            title="T", x_title="X")
    with pytest.raises(FigureInputError, match="pooled"):
        figures.forest(forest_frame(), label="name", estimate="rr", lower="lower", upper="upper",
                       pooled={"estimate": 1.0}, lang="da", title="T", x_title="X")


def test_apply_theme_sets_template_separators_and_scales_type():
    fig = figures.apply_theme(go.Figure(), "en", font_scale=1.5)
    assert fig.layout.separators == ".,"
    assert fig.layout.template.layout.colorway == tuple(figures.COLORWAY)
    assert fig.layout.font.size == round(figures.FONT_SIZE * 1.5)
    assert fig.layout.legend.orientation is None or fig.layout.template.layout.legend.orientation == "h"
    assert fig.layout.template.layout.paper_bgcolor == "#FFFFFF"


# --- trend: the agreement and the breaks ----------------------------------------------------------------------
def _shapes(fig: go.Figure, kind: str) -> list:
    return [s for s in fig.layout.shapes if s.type == kind]


def test_trend_shades_the_agreement_period(built):
    rects = _shapes(built[("trend", "da")], "rect")
    assert len(rects) == 1
    assert (rects[0].x0, rects[0].x1) == ("2019-09-01", "2020-12-31")
    assert (rects[0].x0, rects[0].x1) == (constants.AGREEMENT_START, constants.AGREEMENT_END)
    assert rects[0].name == "Aftaleperiode" and rects[0].showlegend
    assert _shapes(built[("trend", "en")], "rect")[0].name == "Agreement period"


def test_trend_marks_both_lpr3_dates_and_covid_without_a_region(built):
    fig = built[("trend", "da")]
    lines = sorted(s.x0 for s in _shapes(fig, "line"))
    assert lines == ["2019-02-02", "2019-03-02", "2020-03-11"]
    texts = [a.text for a in fig.layout.annotations]
    assert sum("LPR3" in t for t in texts) == 2 and sum("COVID-19" in t for t in texts) == 1


def test_trend_marks_the_regions_own_lpr3_date():
    fig = figures.trend(trend_frame(), x="month", y="rate", lang="en", title="T", x_title="X", y_title="Y",
                        region_code=1083)  # Syddanmark went live a month after Midtjylland
    assert sorted(s.x0 for s in _shapes(fig, "line")) == ["2019-03-02", "2020-03-11"]
    fig = figures.trend(trend_frame(), x="month", y="rate", lang="en", title="T", x_title="X", y_title="Y",
                        region_code=1082)
    assert sorted(s.x0 for s in _shapes(fig, "line")) == ["2019-02-02", "2020-03-11"]


def test_trend_leaves_out_decorations_outside_the_data_or_when_asked():
    late = trend_frame().query("month >= '2021-06-01'")
    fig = figures.trend(late, x="month", y="rate", group="municipality", lang="da", title="T", x_title="X",
                        y_title="Y")
    assert not fig.layout.shapes
    fig = figures.trend(trend_frame(), x="month", y="rate", lang="da", title="T", x_title="X", y_title="Y",
                        agreement=False, breaks=False)
    assert not fig.layout.shapes and "markeret" not in figures.alt_text(fig)


def test_trend_ribbon_lines_and_gaps(built):
    fig = built[("trend", "da")]
    lines = [t for t in fig.data if t.mode == "lines" and t.fill is None]
    ribbons = [t for t in fig.data if t.fill == "toself"]
    assert [t.name for t in lines] == ["Aarhus", "Randers"]
    # Aarhus has a suppressed month (row 5): its ribbon is two polygons; Randers has none
    assert len(ribbons) == 3 and ribbons[0].fillcolor.startswith("rgba(0,114,178")
    assert np.isnan(np.asarray(lines[0].y, dtype=float)[5]), "a suppressed month stays a gap"
    assert "95 %-KI" in lines[0].hovertemplate and ":,.1f}" in lines[0].hovertemplate
    assert "95% CI" in [t for t in built[("trend", "en")].data if t.name == "Aarhus"][0].hovertemplate


def _ribbons_of(fig: go.Figure, legendgroup: str) -> list:
    return [t for t in fig.data if t.fill == "toself" and t.legendgroup == legendgroup]


def test_trend_ribbon_breaks_at_suppressed_months_like_the_line():
    months = pd.date_range("2019-01-01", periods=12, freq="MS")
    rate = np.linspace(10, 21, 12)
    df = pd.concat([
        pd.DataFrame({"month": months, "muni": "Gap", "rate": rate, "lower": rate - 1, "upper": rate + 1}),
        pd.DataFrame({"month": months, "muni": "Whole", "rate": rate + 5, "lower": rate + 4, "upper": rate + 6}),
    ], ignore_index=True)
    hidden = months[5:7]  # June and July 2019 suppressed: value and interval hidden
    df.loc[(df["muni"] == "Gap") & df["month"].isin(hidden), ["rate", "lower", "upper"]] = np.nan
    fig = figures.trend(df.sample(frac=1, random_state=1), x="month", y="rate", lower="lower", upper="upper",
                        group="muni", lang="da", title="T", x_title="X", y_title="Y", agreement=False,
                        breaks=False)
    lines = {t.name: t for t in fig.data if t.fill is None and t.mode == "lines"}
    assert set(lines) == {"Gap", "Whole"}
    gap, whole = _ribbons_of(fig, lines["Gap"].legendgroup), _ribbons_of(fig, lines["Whole"].legendgroup)
    assert len(gap) == 2 and len(whole) == 1
    first, second = (pd.to_datetime(pd.Series(t.x)) for t in gap)
    assert not set(first) & set(hidden) and not set(second) & set(hidden)
    assert first.max() < hidden.min() and hidden.max() < second.min()
    assert (first.min(), first.max(), second.min(), second.max()) == (months[0], months[4], months[7], months[11])
    assert set(pd.to_datetime(pd.Series(whole[0].x))) == set(months), "no gap: one ribbon over every month"
    # one legend entry per ribbon at most, and with one series exactly one
    single = figures.trend(df[df["muni"] == "Gap"], x="month", y="rate", lower="lower", upper="upper", lang="en",
                           title="T", x_title="X", y_title="Y", agreement=False, breaks=False)
    ribbons = [t for t in single.data if t.meta == "ci"]
    assert len(ribbons) == 2 and [t.showlegend for t in ribbons] == [True, False]
    assert {t.legendgroup for t in ribbons} == {"g0"} and {t.name for t in ribbons} == {"95% CI"}
    assert not any(t.showlegend for t in fig.data if t.meta == "ci"), "several series: lines carry the legend"


def test_trend_ribbon_single_points_and_value_gaps_are_robust():
    months = pd.date_range("2020-01-01", periods=7, freq="MS")
    rate = np.array([5.0, 6.0, np.nan, 7.0, np.nan, 8.0, 9.0])
    df = pd.DataFrame({"month": months, "rate": rate, "lower": rate - 1, "upper": rate + 1})
    df.loc[4, ["lower", "upper"]] = [7.0, 9.0]  # value suppressed, interval left over: still a break
    fig = figures.trend(df, x="month", y="rate", lower="lower", upper="upper", lang="da", title="T",
                        x_title="X", y_title="Y", agreement=False, breaks=False)
    polygons = [t for t in fig.data if t.meta == "ci" and t.fill == "toself"]
    points = [t for t in fig.data if t.meta == "ci" and t.fill is None]
    assert [len(set(t.x)) for t in polygons] == [2, 2]
    assert len(points) == 1 and pd.Timestamp(points[0].x[0]) == months[3], "a lone month is still drawn"
    bar = points[0].error_y
    assert points[0].y == (7.0,) and tuple(bar.array) == (1.0,) and tuple(bar.arrayminus) == (1.0,)
    assert points[0].hoverinfo == "skip" and bar.color.startswith("rgba(0,114,178")
    assert months[4] not in set(pd.to_datetime(pd.Series([x for t in polygons for x in t.x])))
    assert [t.showlegend for t in fig.data if t.meta == "ci"] == [True, False, False], "legend once, on a polygon"


def test_month_ticks_are_written_in_the_language():
    short = trend_frame().query("month < '2016-12-01'")
    da = figures.trend(short, x="month", y="rate", lang="da", title="T", x_title="X", y_title="Y")
    en = figures.trend(short, x="month", y="rate", lang="en", title="T", x_title="X", y_title="Y")
    assert "maj 2016" in da.layout.xaxis.ticktext and "okt 2016" in da.layout.xaxis.ticktext
    assert "2017" not in "".join(da.layout.xaxis.ticktext)
    assert "Oct 2016" in en.layout.xaxis.ticktext
    assert "2019" in figures.trend(trend_frame(), x="month", y="rate", lang="da", title="T", x_title="X",
                                   y_title="Y").layout.xaxis.ticktext


def test_trend_accepts_periods_and_iso_strings():
    df = trend_frame().query("municipality == 'Aarhus'")
    for x in (df["month"].dt.to_period("M"), df["month"].dt.strftime("%Y-%m-%d")):
        fig = figures.trend(df.assign(month=x), x="month", y="rate", lang="da", title="T", x_title="X",
                            y_title="Y")
        assert _shapes(fig, "rect")[0].x0 == "2019-09-01"


# --- ranked bars ------------------------------------------------------------------------------------------------
def test_ranked_bars_are_sorted_with_suppressed_last_and_labelled(built):
    fig = built[("ranked_bars", "da")]
    bars = fig.data[0]
    values = np.asarray(bars.x, dtype=float)
    shown = values[~np.isnan(values)]
    assert list(shown) == sorted(shown, reverse=True)
    assert list(bars.y)[-1] == "Samsø" and np.isnan(values[-1])
    suppressed = [t for t in fig.data if t.meta == "suppressed"]
    assert suppressed and list(suppressed[0].text) == ["(skjult)"] and list(suppressed[0].y) == ["Samsø"]
    assert [t for t in built[("ranked_bars", "en")].data if t.meta == "suppressed"][0].text == ("(suppressed)",)
    assert fig.layout.yaxis.autorange == "reversed", "the first bar is drawn at the top"


def test_ranked_bars_highlight_and_reference_line(built):
    fig = built[("ranked_bars", "da")]
    bars = fig.data[0]
    colours = dict(zip(bars.y, bars.marker.color))
    assert colours["Aarhus"] == figures.PALETTE["vermillion"]
    assert {c for name, c in colours.items() if name != "Aarhus"} == {figures.PALETTE["blue"]}
    assert "<b>Aarhus</b>" in fig.layout.yaxis.ticktext
    ref = _shapes(fig, "line")[0]
    assert ref.x0 == 24.0 and ref.name == "Region Midtjylland: 24,0" and ref.showlegend
    assert _shapes(built[("ranked_bars", "en")], "line")[0].name == "Region Midtjylland: 24.0"


def national_frame() -> pd.DataFrame:
    """98 units with distinct values: unit K00 highest (rank 1) down to K97 lowest (rank 98), shuffled."""
    df = pd.DataFrame({"name": [f"K{i:02d}" for i in range(98)], "rate": np.linspace(60.0, 11.5, 98)})
    df["lower"], df["upper"] = df["rate"] - 2, df["rate"] + 2
    return df.sample(frac=1, random_state=7).reset_index(drop=True)


def _ranked(df: pd.DataFrame, lang: str = "da", **kw) -> go.Figure:
    return figures.ranked_bars(df, label="name", value="rate", lower="lower", upper="upper", lang=lang,
                               title="T", x_title="X", **kw)


def test_ranked_bars_max_bars_keeps_top_bottom_and_the_selection():
    df = national_frame()
    fig = _ranked(df, max_bars=30, highlight=["K49"])  # K49 ranks 50th
    rows = list(fig.layout.yaxis.categoryarray)
    bars = fig.data[0]
    ranked = df.sort_values("rate", ascending=False)["name"].tolist()
    assert len(rows) <= 31 + 1 and len(bars.y) == 31
    assert set(ranked[:15]) | set(ranked[-15:]) | {"K49"} == set(bars.y)
    assert list(bars.y) == ranked[:15] + ["K49"] + ranked[-15:], "rank order kept, the selection in between"
    assert dict(zip(bars.y, bars.marker.color))["K49"] == figures.PALETTE["vermillion"]
    assert "<b>K49</b> (nr. 50)" in fig.layout.yaxis.ticktext
    separator = [t for t in fig.data if t.meta == "omitted"]
    assert len(separator) == 1 and separator[0].text == ("… 67 kommuner udeladt (se tabellen)",)
    assert rows.index(separator[0].y[0]) == 15, "one separator row, right below the top half"
    assert fig.layout.meta["akutindblik"]["omitted"] == 98 - 31
    full = _ranked(df, highlight=["K49"])
    assert fig.layout.height < full.layout.height / 2
    assert fig.layout.height == 160 + 30 * len(rows)
    en = _ranked(df, "en", max_bars=30)
    assert [t.text for t in en.data if t.meta == "omitted"] == [("… 68 municipalities not shown (see the table)",)]
    assert en.layout.meta["akutindblik"]["omitted"] == 68 and len(en.layout.yaxis.categoryarray) == 31
    assert en.layout.height == 160 + 30 * 31
    odd = _ranked(df, max_bars=7)
    assert list(odd.data[0].y) == ranked[:4] + ranked[-3:] and odd.layout.meta["akutindblik"]["omitted"] == 91


def test_ranked_bars_max_bars_none_or_not_needed_changes_nothing():
    df = national_frame()
    full = _ranked(df, highlight=["K49"])
    assert len(full.data[0].y) == 98 and len(full.layout.yaxis.categoryarray) == 98
    assert full.layout.height == 160 + 30 * 98 and "omitted" not in full.layout.meta["akutindblik"]
    assert not [t for t in full.data if t.meta == "omitted"]
    roomy = _ranked(df, max_bars=98)
    assert list(roomy.data[0].y) == list(full.data[0].y) and roomy.layout.meta["akutindblik"]["omitted"] == 0
    one_less = _ranked(df, max_bars=97)  # leaving out one unit would not save a row
    assert len(one_less.data[0].y) == 98 and one_less.layout.meta["akutindblik"]["omitted"] == 0
    with pytest.raises(FigureInputError, match="max_bars"):
        _ranked(df, max_bars=0)


def test_ranked_bars_max_bars_folds_many_suppressed_units_into_one_row():
    df = national_frame()
    df.loc[df["name"].isin(["K03", "K20", "K40", "K60", "K80", "K90"]), ["rate", "lower", "upper"]] = np.nan
    fig = _ranked(df, max_bars=30, highlight=["K60"])  # a suppressed selection keeps its own row
    folded = [t for t in fig.data if t.meta == "suppressed_collapsed"]
    assert len(folded) == 1 and folded[0].text == ("… 5 kommuner skjult (små tal)",)
    rows = list(fig.layout.yaxis.categoryarray)
    assert rows[-2:] == ["K60", folded[0].y[0]], "the suppressed units stay at the bottom"
    assert [t for t in fig.data if t.meta == "suppressed"][0].y == ("K60",)
    assert fig.layout.meta["akutindblik"]["suppressed_collapsed"] == 5
    assert fig.layout.meta["akutindblik"]["omitted"] == 92 - 30
    assert fig.layout.height == 160 + 30 * len(rows) and len(rows) == 30 + 1 + 1 + 1
    en = _ranked(df, "en", max_bars=30)
    assert [t.text for t in en.data if t.meta == "suppressed_collapsed"] == [
        ("… 6 municipalities suppressed (small numbers)",)]
    few = df[~df["name"].isin(["K03", "K20", "K40"])]  # three suppressed: listed one by one
    listed = _ranked(few, max_bars=30)
    assert not [t for t in listed.data if t.meta == "suppressed_collapsed"]
    assert len([t for t in listed.data if t.meta == "suppressed"][0].y) == 3
    plain = _ranked(df)
    assert len([t for t in plain.data if t.meta == "suppressed"][0].y) == 6, "default: every unit listed"


def test_ranked_bars_all_suppressed_does_not_crash():
    df = pd.DataFrame({"name": ["A", "B"], "rate": [np.nan, np.nan]})
    fig = figures.ranked_bars(df, label="name", value="rate", lang="da", title="T", x_title="X")
    assert [t for t in fig.data if t.meta == "suppressed"][0].text == ("(skjult)", "(skjult)")


# --- funnel -------------------------------------------------------------------------------------------------------
def test_funnel_colours_points_by_their_position_against_the_limits(built):
    fig = built[("funnel", "da")]
    points = {t.meta: t for t in fig.data if t.meta in ("within", "between", "above", "below")}
    assert {k: list(t.customdata) for k, t in points.items()} == {
        "within": ["Inside"], "between": ["Warning"], "above": ["High"], "below": ["Low"]}
    colours = {k: t.marker.color for k, t in points.items()}
    assert colours["above"] != colours["within"] and colours["below"] != colours["within"]
    assert colours["above"] == figures.PALETTE["vermillion"] and colours["within"] == figures.PALETTE["blue"]
    assert points["above"].marker.symbol == "triangle-up", "shape as well as colour: safe without colour vision"
    assert list(points["above"].text) == ["High"], "units outside the limits are named on the chart"


def test_funnel_draws_both_limits_and_the_target_and_lists_suppressed_units(built):
    fig = built[("funnel", "da")]
    names = {t.name for t in fig.data if t.showlegend is not False}
    assert {"95 %-grænser", "99,8 %-grænser", "Reference"} <= names
    assert any(a.text == "(skjult): Hidden" for a in fig.layout.annotations)
    assert {"95% limits", "99.8% limits"} <= {t.name for t in built[("funnel", "en")].data}


def test_funnel_accepts_the_limits_from_rates():
    from analysis.rates import funnel_limits

    limits = funnel_limits(np.geomspace(500, 100_000, 80), statistic="rate", target=30, multiplier=1000)
    units = pd.DataFrame({"name": ["A", "B"], "pop": [5_000, 40_000], "rate": [31.0, 45.0]})
    fig = figures.funnel(units, denominator="pop", value="rate", label="name", limits=limits, target=30,
                         lang="da", title="T", x_title="X", y_title="Y")
    assert {t.meta: list(t.customdata) for t in fig.data if t.meta}["above"] == ["B"]


# --- tile map -------------------------------------------------------------------------------------------------------
def test_midtjylland_tiles_cover_the_19_municipalities_with_unique_positions():
    assert set(figures.MIDTJYLLAND_TILES) == set(MIDT["municipality_code"])
    assert len(figures.MIDTJYLLAND_TILES) == 19
    assert len(set(figures.MIDTJYLLAND_TILES.values())) == 19


def test_denmark_tiles_cover_all_98_municipalities_with_unique_positions():
    codes = set(reference.municipalities()["municipality_code"])
    assert set(figures.DENMARK_TILES) == codes and len(codes) == 98
    assert len(set(figures.DENMARK_TILES.values())) == 98


def test_tile_layouts_roughly_follow_geography():
    tiles = figures.MIDTJYLLAND_TILES
    north = [665, 671, 779, 791, 730, 707]  # Lemvig, Struer, Skive, Viborg, Randers, Norddjurs
    south_east = [615, 766, 727, 741]  # Horsens, Hedensted, Odder, Samsø
    assert max(tiles[c][0] for c in north) < min(tiles[c][0] for c in south_east)
    assert tiles[665][1] < tiles[707][1], "Lemvig west of Norddjurs"
    assert tiles[760][1] < tiles[751][1], "Ringkøbing-Skjern west of Aarhus"
    dk = figures.DENMARK_TILES
    assert dk[860][0] < dk[751][0] < dk[540][0], "Hjørring north of Aarhus north of Sønderborg"
    assert dk[561][1] < dk[461][1] < dk[101][1] < dk[400][1], "Esbjerg, Odense, København, Bornholm west to east"


def test_tile_map_draws_every_municipality_and_suppressed_tiles_grey(built):
    fig = built[("tile_map", "da")]
    assert fig.layout.meta["akutindblik"]["tile_layout"] == "midtjylland"
    labels = [t for t in fig.data if t.name == "labels"][0]
    assert len(labels.text) == 19
    assert len(set(zip(labels.x, labels.y))) == 19
    samsoe = [txt for txt in labels.text if txt.startswith("Samsø")][0]
    assert samsoe == "Samsø<br>skjult"
    assert any(txt.startswith("Aarhus<br>") and "," in txt for txt in labels.text), "Danish decimal comma"
    grey, coloured = [t for t in fig.data if t.type == "heatmap"]
    r, c = figures.MIDTJYLLAND_TILES[741]
    assert grey.z[r][c] == 1 and np.isnan(coloured.z[r][c])
    assert coloured.colorbar.title.text == "Pr. 1.000 borgere 65+"
    en = [t for t in built[("tile_map", "en")].data if t.name == "labels"][0]
    assert "Samsø<br>suppressed" in en.text


def test_tile_map_text_stays_readable_on_dark_and_light_tiles(built):
    labels = [t for t in built[("tile_map", "da")].data if t.name == "labels"][0]
    assert set(labels.textfont.color) == {figures.NEUTRAL["text"], figures.NEUTRAL["background"]}


def test_tile_map_switches_to_the_national_grid_and_ignores_aggregates():
    df = reference.municipalities()[["municipality_code"]].assign(v=1.0)
    fig = figures.tile_map(pd.concat([df, pd.DataFrame({"municipality_code": [1082], "v": [2.0]})]),
                           code="municipality_code", value="v", lang="en", title="T", colorbar_title="C")
    assert fig.layout.meta["akutindblik"]["tile_layout"] == "denmark"
    assert len([t for t in fig.data if t.name == "labels"][0].text) == 98
    ratio = figures.tile_map(municipality_frame(), code="municipality_code", value="rate", lang="da",
                             title="T", colorbar_title="C", midpoint=24)
    coloured = [t for t in ratio.data if t.type == "heatmap"][1]
    assert coloured.zmin + coloured.zmax == pytest.approx(48)


# --- the other builders ------------------------------------------------------------------------------------------------
def test_stacked_share_sums_to_100_percent_per_month(built):
    fig = built[("stacked_share", "da")]
    stack = np.vstack([np.asarray(t.y, dtype=float) for t in fig.data])
    assert np.allclose(stack.sum(axis=0), 100)
    assert [t.name for t in fig.data] == ["home", "home_care", "acute_bed", "death"]
    assert "(skjult)" in list(fig.data[3].customdata), "a suppressed count is named in the hover"
    counts = figures.stacked_share(share_frame(), x="month", category="destination", value="n", lang="da",
                                   title="T", x_title="X", y_title="Y", normalise=False, kind="bar")
    assert counts.layout.barmode == "stack" and float(counts.data[0].y[0]) == 10.0


def test_sparkline_is_small_and_bare(built):
    fig = built[("sparkline", "da")]
    assert fig.layout.height <= 80 and fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert fig.data[-1].y == (2.1,), "the last value is marked"
    with pytest.raises(FigureInputError, match="theme's colours"):
        figures.sparkline([1, 2], lang="da", colour="#123456")


def test_bars_by_category_groups_and_labels_suppressed(built):
    fig = built[("bars_by_category", "da")]
    bars = [t for t in fig.data if t.type == "bar"]
    assert [b.name for b in bars] == ["Kvinder", "Mænd"] and fig.layout.barmode == "group"
    assert bars[0].marker.color != bars[1].marker.color
    women = bars[0]
    assert list(women.text) == ["", "(skjult)", ""] and list(women.y) == [3.2, 0.0, 1.1]
    assert women.customdata[1][0] == "(skjult)" and women.customdata[0][0] == "3,2"
    assert "95 %-KI: 2,9–3,5" in women.customdata[0][1]
    en = [t for t in built[("bars_by_category", "en")].data if t.type == "bar"][0]
    assert en.customdata[1][0] == "(suppressed)"


def test_forest_has_a_pooled_diamond_a_null_line_and_a_log_axis(built):
    fig = built[("forest", "da")]
    diamond = [t for t in fig.data if t.meta == "pooled"][0]
    assert diamond.fill == "toself" and sorted(set(diamond.x)) == [0.88, 0.93, 0.99]
    assert fig.layout.xaxis.type == "log"
    assert any(s.x0 == 1.0 and s.line.dash == "dash" for s in _shapes(fig, "line"))
    assert "<b>Samlet</b>" in fig.layout.yaxis.ticktext and "<b>Pooled</b>" in built[("forest", "en")].layout.yaxis.ticktext
    texts = [a.text for a in fig.layout.annotations]
    assert "<b>0,93 (0,88–0,99)</b>" in texts and "(skjult)" in texts
    assert "<b>0.93 (0.88–0.99)</b>" in [a.text for a in built[("forest", "en")].layout.annotations]
    # the hover's interval limits are numbers (formatted by the hover template), the name is text
    row = built[("forest", "da")].data[0].customdata[0]
    assert isinstance(row[0], str) and all(isinstance(v, float) for v in row[1:])


def test_counterfactual_has_observed_fitted_dashed_counterfactual_and_context(built):
    fig = built[("counterfactual", "da")]
    names = [t.name for t in fig.data]
    assert {"Observeret", "Model", "Uden aftalen (kontrafaktisk)"} <= set(names)
    cf = [t for t in fig.data if t.name == "Uden aftalen (kontrafaktisk)"][0]
    assert cf.line.dash == "dash" and min(cf.x) >= pd.Timestamp(constants.AGREEMENT_START)
    assert _shapes(fig, "rect")[0].x0 == "2019-09-01"
    assert sorted(s.x0 for s in _shapes(fig, "line")) == ["2019-02-02", "2020-03-11"]


def test_burn_down_marks_budget_and_projected_exhaustion(built):
    fig = built[("burn_down", "da")]
    budget = [t for t in fig.data if t.name.startswith("Budget")][0]
    assert budget.y == (3_000_000, 3_000_000) and budget.name == "Budget: 3.000.000 kr."
    marker = [s for s in _shapes(fig, "line")][0]
    assert marker.x0 == "2020-11-01" and marker.name == "Budget opbrugt (fremskrevet): nov 2020"
    assert "DKK" in built[("burn_down", "en")].data[1].name
    assert "3,000,000" in built[("burn_down", "en")].data[1].name


# --- golden snapshot: what every builder produces, value for value ---------------------------------------------------
# ``tests/fixtures/figures_golden.json`` holds ``fig.to_plotly_json()`` of every case below, captured from the
# builders as they were before a refactoring (e.g. the speed-ups). The test fails on any change of a trace, a
# shape, an annotation, a layout key or a value; a date may change representation (Timestamp, datetime64, ISO
# string) but not value, floats compare with a tight tolerance and numpy arrays equal lists. When a figure is
# *meant* to change, regenerate the snapshot deliberately and review the diff:
#
#     AKUT_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_figures.py -k golden
#
GOLDEN = Path(__file__).parent / "fixtures" / "figures_golden.json"
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]00:00:00(?:\.0+)?)?$")


def _golden_trend_single() -> pd.DataFrame:
    months = pd.date_range("2020-01-01", periods=7, freq="MS")
    rate = np.array([5.0, 6.0, np.nan, 7.0, np.nan, 8.0, 9.0])
    df = pd.DataFrame({"month": months, "rate": rate, "lower": rate - 1, "upper": rate + 1})
    df.loc[4, ["lower", "upper"]] = [7.0, 9.0]
    return df


def _golden_national(suppress: bool) -> pd.DataFrame:
    df = national_frame()
    if suppress:
        df.loc[df["name"].isin(["K03", "K20", "K40", "K60", "K80", "K90"]), ["rate", "lower", "upper"]] = np.nan
    return df


def _golden_cases() -> dict[str, Callable[[str], go.Figure]]:
    """Every builder, in the shapes the pages use (groups, ribbons with gaps, max_bars, no data ...)."""
    cases: dict[str, Callable[[str], go.Figure]] = dict(BUILDERS)
    cases.update({
        "trend_single_ribbon_gaps": lambda lang: figures.trend(
            _golden_trend_single(), x="month", y="rate", lower="lower", upper="upper", lang=lang, title="T",
            x_title="X", y_title="Y", agreement=False, breaks=False, decimals=2, ci_level=0.9),
        "trend_region_no_ci": lambda lang: figures.trend(
            trend_frame(), x="month", y="rate", group="municipality", lang=lang, title="T", x_title="X",
            y_title="Y", region_code=1083, y_from_zero=False),
        "trend_single_with_context": lambda lang: figures.trend(
            trend_frame().query("municipality == 'Aarhus'"), x="month", y="rate", lower="lower", upper="upper",
            lang=lang, title="T", x_title="X", y_title="Y"),
        "trend_iso_strings_short": lambda lang: figures.trend(
            trend_frame().query("municipality == 'Aarhus' and month < '2016-12-01'")
            .assign(month=lambda d: d["month"].dt.strftime("%Y-%m-%d")),
            x="month", y="rate", lang=lang, title="T", x_title="X", y_title="Y"),
        "trend_periods": lambda lang: figures.trend(
            trend_frame().query("municipality == 'Randers'").assign(month=lambda d: d["month"].dt.to_period("M")),
            x="month", y="rate", lower="lower", upper="upper", lang=lang, title="T", x_title="X", y_title="Y"),
        "trend_numeric_x": lambda lang: figures.trend(
            pd.DataFrame({"year": [2018, 2019, 2020], "v": [1.0, np.nan, 3.0]}), x="year", y="v", lang=lang,
            title="T", x_title="X", y_title="Y"),
        "trend_empty": lambda lang: figures.trend(
            trend_frame().iloc[:0], x="month", y="rate", lang=lang, title="T", x_title="X", y_title="Y"),
        "ranked_bars_max_bars": lambda lang: figures.ranked_bars(
            _golden_national(False), label="name", value="rate", lower="lower", upper="upper", lang=lang,
            title="T", x_title="X", max_bars=30, highlight=["K49"]),
        "ranked_bars_max_bars_folded": lambda lang: figures.ranked_bars(
            _golden_national(True), label="name", value="rate", lower="lower", upper="upper", lang=lang,
            title="T", x_title="X", max_bars=30, highlight=["K60"]),
        "ranked_bars_plain": lambda lang: figures.ranked_bars(
            _golden_national(True), label="name", value="rate", lang=lang, title="T", x_title="X",
            descending=False, decimals=2),
        "ranked_bars_empty": lambda lang: figures.ranked_bars(
            municipality_frame().iloc[:0], label="name", value="rate", lang=lang, title="T", x_title="X"),
        "funnel_empty": lambda lang: figures.funnel(
            funnel_inputs()[0].iloc[:0], denominator="population", value="rate", label="name",
            limits=funnel_inputs()[1], target=25, lang=lang, title="T", x_title="X", y_title="Y"),
        "tile_map_denmark_midpoint": lambda lang: figures.tile_map(
            reference.municipalities()[["municipality_code"]]
            .assign(v=lambda d: np.where(d["municipality_code"] % 7 == 0, np.nan,
                                         0.7 + (d["municipality_code"] % 13) / 20)),
            code="municipality_code", value="v", lang=lang, title="T", colorbar_title="C", midpoint=1.0,
            show_values=False),
        "tile_map_fixed_range": lambda lang: figures.tile_map(
            municipality_frame(), code="municipality_code", value="rate", lang=lang, title="T",
            colorbar_title="C", zmin=10, zmax=40, decimals=0),
        "stacked_share_bar_counts": lambda lang: figures.stacked_share(
            share_frame(), x="month", category="destination", value="n", lang=lang, title="T", x_title="X",
            y_title="Y", normalise=False, kind="bar", categories=["death", "acute_bed", "home_care", "home"]),
        "stacked_share_late_bar": lambda lang: figures.stacked_share(
            share_frame().query("month >= '2017-06-01'"), x="month", category="destination", value="n",
            lang=lang, title="T", x_title="X", y_title="Y", kind="bar"),
        "stacked_share_categorical_x": lambda lang: figures.stacked_share(
            share_frame().assign(month=lambda d: "Q" + d["month"].dt.quarter.astype(str)), x="month",
            category="destination", value="n", lang=lang, title="T", x_title="X", y_title="Y"),
        "stacked_share_empty": lambda lang: figures.stacked_share(
            share_frame().iloc[:0], x="month", category="destination", value="n", lang=lang, title="T",
            x_title="X", y_title="Y"),
        "sparkline_dated": lambda lang: figures.sparkline(
            pd.Series([3.0, 2.5, np.nan, 2.8, 2.1, np.nan], index=MONTHS[:6]), lang=lang, decimals=2,
            colour=figures.PALETTE["vermillion"], height=50),
        "sparkline_all_missing": lambda lang: figures.sparkline([np.nan, np.nan], lang=lang),
        "sparkline_long": lambda lang: figures.sparkline(
            pd.Series(20 + np.sin(np.arange(84) / 5), index=MONTHS), lang=lang),
        "bars_by_category_plain": lambda lang: figures.bars_by_category(
            category_frame().query("sex == 'Kvinder'"), category="group", value="rate", lang=lang, title="T",
            x_title="X", y_title="Y", categories=["Dehydrering", "Pneumoni", "Urinvejsinfektion"], decimals=2),
        "bars_by_category_empty": lambda lang: figures.bars_by_category(
            category_frame().iloc[:0], category="group", value="rate", lang=lang, title="T", x_title="X",
            y_title="Y"),
        "forest_no_pooled_linear": lambda lang: figures.forest(
            forest_frame(), label="name", estimate="rr", lower="lower", upper="upper", null_value=0.0,
            lang=lang, title="T", x_title="X", log_x=False, decimals=3),
        "forest_only_pooled": lambda lang: figures.forest(
            forest_frame().iloc[:0], label="name", estimate="rr", lower="lower", upper="upper",
            pooled={"estimate": 1.1, "lower": 0.9, "upper": 1.3, "label": "Alle"}, lang=lang, title="T",
            x_title="X"),
        "forest_empty": lambda lang: figures.forest(
            forest_frame().iloc[:0], label="name", estimate="rr", lower="lower", upper="upper", lang=lang,
            title="T", x_title="X"),
        "counterfactual_all_regions": lambda lang: figures.counterfactual(
            counterfactual_frame(), x="month", observed="observed", fitted="fitted", counterfactual="cf",
            cf_lower="cf_lower", cf_upper="cf_upper", lang=lang, title="T", x_title="X", y_title="Y",
            y_from_zero=False, ci_level=0.9),
        "counterfactual_no_cf": lambda lang: figures.counterfactual(
            counterfactual_frame().assign(cf=np.nan, cf_lower=np.nan, cf_upper=np.nan), x="month",
            observed="observed", fitted="fitted", counterfactual="cf", cf_lower="cf_lower", cf_upper="cf_upper",
            lang=lang, title="T", x_title="X", y_title="Y"),
        "counterfactual_empty": lambda lang: figures.counterfactual(
            counterfactual_frame().iloc[:0], x="month", observed="observed", fitted="fitted",
            counterfactual="cf", cf_lower="cf_lower", cf_upper="cf_upper", lang=lang, title="T", x_title="X",
            y_title="Y"),
        "burn_down_lasting": lambda lang: figures.burn_down(
            burn_frame(), x="month", cumulative_spend="spend", budget=5_000_000, lang=lang, title="T",
            x_title="X", y_title="Y", agreement=False),
        "burn_down_late_exhaustion": lambda lang: figures.burn_down(
            burn_frame(), x="month", cumulative_spend="spend", budget=2_500_000, lang=lang, title="T",
            x_title="X", y_title="Y", projected_exhaustion=pd.Timestamp("2021-04-01")),
        "burn_down_numeric_x": lambda lang: figures.burn_down(
            pd.DataFrame({"step": [1, 2, 3], "spend": [1.0, 2.0, 3.0]}), x="step", cumulative_spend="spend",
            budget=5.0, lang=lang, title="T", x_title="X", y_title="Y", projected_exhaustion=5),
        "burn_down_empty": lambda lang: figures.burn_down(
            burn_frame().iloc[:0], x="month", cumulative_spend="spend", budget=3e6, lang=lang, title="T",
            x_title="X", y_title="Y"),
    })
    return cases


def _golden_normalise(obj: object) -> object:
    """JSON-able and representation-free: arrays (numpy, tuples, plotly's base64 typed arrays) become lists,
    dates 'YYYY-MM-DD' strings (or full ISO when not midnight), numbers floats (NaN as the string 'NaN')."""
    if isinstance(obj, dict) and set(obj) in ({"dtype", "bdata"}, {"dtype", "bdata", "shape"}):
        # plotly's base64 typed array (how to_plotly_json writes numeric numpy arrays)
        array = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
        if "shape" in obj:
            array = array.reshape([int(n) for n in str(obj["shape"]).split(",")])
        return _golden_normalise(array)
    if isinstance(obj, dict):
        return {str(k): _golden_normalise(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return [_golden_normalise(v) for v in obj.tolist()] if obj.dtype.kind not in "mM" else \
            [_golden_normalise(pd.Timestamp(v)) for v in obj]
    if isinstance(obj, (list, tuple)):
        return [_golden_normalise(v) for v in obj]
    if isinstance(obj, (pd.Timestamp, np.datetime64)) or type(obj).__name__ in ("datetime", "date"):
        ts = pd.Timestamp(obj)
        if pd.isna(ts):
            return "NaT"
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat()
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, float, np.integer, np.floating)):
        value = float(obj)
        return "NaN" if np.isnan(value) else value
    if obj is None or obj is pd.NaT:
        return None if obj is None else "NaT"
    if isinstance(obj, str):
        m = _ISO_DATE.match(obj)
        return m.group(1) if m else obj
    if hasattr(obj, "to_plotly_json"):
        return _golden_normalise(obj.to_plotly_json())
    raise TypeError(f"cannot normalise {type(obj).__name__}: {obj!r}")


def _golden_diff(expected: object, actual: object, path: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{path}.{k}: missing" for k in expected.keys() - actual.keys()]
        out += [f"{path}.{k}: unexpected" for k in actual.keys() - expected.keys()]
        for k in expected.keys() & actual.keys():
            out += _golden_diff(expected[k], actual[k], f"{path}.{k}")
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}: length {len(actual)} != {len(expected)}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual)) for d in _golden_diff(e, a, f"{path}[{i}]")]
    if isinstance(expected, float) and isinstance(actual, float):
        close = math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-12)
        return [] if close else [f"{path}: {actual} != {expected}"]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{path}: {actual!r} != {expected!r}"]
    return []


def _golden_snapshot() -> dict[str, object]:
    return {f"{name}/{lang}": _golden_normalise(build(lang).to_plotly_json())
            for name, build in _golden_cases().items() for lang in ("da", "en")}


def test_golden_every_builder_produces_exactly_the_snapshot():
    actual = _golden_snapshot()
    if os.environ.get("AKUT_REGENERATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(actual, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n",
                          encoding="utf-8")
        pytest.skip(f"regenerated {GOLDEN.name} ({len(actual)} figures); review the diff before committing")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(actual) == sorted(expected), "the golden cases changed: regenerate the snapshot deliberately"
    problems = {key: _golden_diff(expected[key], actual[key]) for key in expected}
    problems = {k: v[:5] + ([f"... {len(v) - 5} more"] if len(v) > 5 else []) for k, v in problems.items() if v}
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


def _strict_diff(fast: object, slow: object, path: str = "") -> list[str]:
    """Differences in value *or type* (list vs tuple vs array, numpy vs Python scalars, dtypes)."""
    if type(fast) is not type(slow):
        return [f"{path}: {type(fast).__name__} != {type(slow).__name__} (validated)"]
    if isinstance(fast, dict):
        out = [f"{path}.{k}: only in one" for k in fast.keys() ^ slow.keys()]
        return out + [d for k in fast.keys() & slow.keys() for d in _strict_diff(fast[k], slow[k], f"{path}.{k}")]
    if isinstance(fast, (list, tuple)):
        if len(fast) != len(slow):
            return [f"{path}: length {len(fast)} != {len(slow)}"]
        return [d for i, (a, b) in enumerate(zip(fast, slow)) for d in _strict_diff(a, b, f"{path}[{i}]")]
    if isinstance(fast, np.ndarray):
        if fast.dtype != slow.dtype or fast.shape != slow.shape:
            return [f"{path}: {fast.dtype}{fast.shape} != {slow.dtype}{slow.shape} (validated)"]
        return [d for i, (a, b) in enumerate(zip(fast.ravel().tolist(), slow.ravel().tolist()))
                for d in _strict_diff(a, b, f"{path}[{i}]")]
    if isinstance(fast, float) and np.isnan(fast) and np.isnan(slow):
        return []
    return [] if fast == slow else [f"{path}: {fast!r} != {slow!r} (validated)"]


def test_fast_construction_stores_exactly_what_plotly_validation_stores(monkeypatch):
    """The builders construct figures without plotly's per-property validation (for speed). Building the same
    specs *with* validation must give identical figures, types included: no invalid property slips through,
    and nothing is stored in a form validation would have changed (a list it keeps as a list, a numpy array
    with the dtype it would give, plain Python numbers in lists)."""
    cases = _golden_cases()
    fast = {(name, lang): build(lang).to_plotly_json() for name, build in cases.items() for lang in ("da", "en")}
    monkeypatch.setattr(figures, "_VALIDATE", True)
    problems = {}
    for (name, lang), spec in fast.items():
        slow = cases[name](lang).to_plotly_json()
        diff = _strict_diff(spec, slow)
        if diff:
            problems[f"{name}/{lang}"] = diff[:5]
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


def test_fast_figures_validate_later_changes_as_usual():
    """Validation is switched back on after the fast construction: what a page does to a figure afterwards
    (``add_hline``, ``update_layout``, ``update_traces``) is checked and coerced as on any plotly figure."""
    for name, build in BUILDERS.items():
        fig = build("da")  # fresh: the module-scoped figures are shared by the other tests
        with pytest.raises(ValueError):
            fig.update_layout(not_a_layout_property=1)
        if fig.data:
            with pytest.raises(ValueError):
                fig.data[0].update(not_a_trace_property=1)
        fig.add_hline(y=1.0, line=dict(color=figures.NEUTRAL["text"], dash="dash"))
        assert fig.layout.shapes[-1].line.dash == "dash"
        with pytest.raises(ValueError):
            fig.add_shape(type="line", x0=0, x1=1, y0=0, y1=1, line=dict(dash="not-a-dash"))
    fig = figures.sparkline([1.0, 2.0], lang="da")
    fig.update_layout(height=90)
    assert fig.layout.height == 90
    with pytest.raises(ValueError):
        fig.update_layout(height="tall")
    assert figures.sparkline([1.0, 2.0], lang="da").layout.template.layout.font.family == figures.FONT_FAMILY
    fig.layout.template.layout.font.size = 99  # a figure's template is its own, not the module's
    assert figures.sparkline([1.0, 2.0], lang="da").layout.template.layout.font.size == figures.FONT_SIZE

"""Registry completeness: every indicator is defined, documented in Danish and English, and consistent."""
from __future__ import annotations

from dataclasses import FrozenInstanceError, fields

import pytest

from analysis import indicators
from analysis.indicators import Indicator, UnknownIndicatorError

REQUIRED_IDS = {
    "avoidable_65_per_1000",
    "acute_per_1000",
    "readmission_30d_pct",
    "los_mean_days",
    "los_median_days",
    "bed_days_per_1000",
    "faerdig_days_per_1000",
    "faerdig_cost_dkk",
    "acute_bed_stays_per_1000_65",
    "acute_bed_occupancy_pct",
    "acute_bed_gp_share_pct",
    "acute_bed_admitted_7d_pct",
}
ALL = indicators.all_indicators()


def test_registry_holds_the_required_indicators_once():
    ids = [i.id for i in ALL]
    assert len(ids) == len(set(ids))
    assert REQUIRED_IDS <= set(ids)
    assert indicators.ids() == tuple(ids)


@pytest.mark.parametrize("indicator", ALL, ids=lambda i: i.id)
def test_every_field_is_filled(indicator):
    for f in fields(Indicator):
        value = getattr(indicator, f.name)
        if isinstance(value, str):
            assert value.strip(), f"{indicator.id}.{f.name} is empty"
        elif isinstance(value, tuple):
            assert value, f"{indicator.id}.{f.name} is empty"


@pytest.mark.parametrize("indicator", ALL, ids=lambda i: i.id)
def test_every_text_exists_in_both_languages(indicator):
    bilingual = Indicator.bilingual_fields()
    for required in ("name", "numerator", "denominator", "age_group", "unit", "suppression", "formaal",
                     "indhold_og_afgraensning", "indikator", "forbehold", "datakilde"):
        assert required in bilingual
    for field in bilingual:
        da, en = indicator.text(field, "da"), indicator.text(field, "en")
        assert da.strip() and en.strip(), f"{indicator.id}.{field}"
    headings = [h for h, _ in indicator.sections("da")]
    assert headings == ["Formål", "Indhold og afgrænsning", "Indikator", "Forbehold ved fortolkning", "Datakilde"]
    assert [h for h, _ in indicator.sections("en")][0] == "Purpose"


@pytest.mark.parametrize("indicator", ALL, ids=lambda i: i.id)
def test_codes_are_valid_and_consistent(indicator):
    assert indicator.polarity in indicators.POLARITIES
    assert indicator.ci_method in indicators.CI_METHODS
    assert indicator.statistic in indicators.STATISTICS
    assert set(indicator.suppress_on) <= {"numerator", "denominator"}
    assert indicator.multiplier > 0
    expected_ci = {"rate": {"byar_exact"}, "proportion": {"wilson", "none"}, "mean": {"student_t"},
                   "median": {"median_order_statistic"}, "total": {"none"}}
    assert indicator.ci_method in expected_ci[indicator.statistic]
    if indicator.id.endswith("_per_1000") or "_per_1000_" in indicator.id:
        assert indicator.statistic == "rate" and indicator.multiplier == 1000
    if indicator.id.endswith("_pct"):
        assert indicator.statistic == "proportion" and indicator.multiplier == 100
    if indicator.id.endswith("_65") or "_65_" in indicator.id:
        assert indicator.min_age == 65


def test_get_and_unknown_ids():
    assert indicators.get("avoidable_65_per_1000").min_age == 65
    with pytest.raises(UnknownIndicatorError, match="known ids"):
        indicators.get("nonexistent")


def test_indicators_are_frozen():
    with pytest.raises(FrozenInstanceError):
        indicators.get("acute_per_1000").multiplier = 100  # type: ignore[misc]


def test_no_sql_or_placeholder_text_in_registry():
    for indicator in ALL:
        assert not any(f.name.lower() == "sql" for f in fields(Indicator))
        for f in fields(Indicator):
            value = getattr(indicator, f.name)
            if isinstance(value, str):
                assert "TODO" not in value and "TBD" not in value and "XXX" not in value

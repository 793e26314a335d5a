"""The shared filters: defaults, validation against the reference data, URL parameters and round trips."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import reference
from analysis.filters import AGE_GROUPS, DEFINITIONS, SEXES, FilterError, Filters, diagnosis_groups_of

MIDT = (615, 657, 661, 665, 671, 706, 707, 710, 727, 730, 740, 741, 746, 751, 756, 760, 766, 779, 791)  # DOMAIN.md


def test_defaults():
    f = Filters()
    assert (f.start, f.end, f.area, f.age_group, f.sex) == ("2016-01", "2022-12", "region:1082", "65+", "all")
    assert f.diagnosis_groups == () and f.definition == "dk_preventable_65" and f.standardised is False
    assert f.municipality_codes == MIDT  # Region Midtjylland's 19 municipalities, Horsens (615) included
    assert Filters.default(("2018-03", "2021-06")).start == "2018-03"
    assert Filters.default(("2018-03", "2021-06")).end == "2021-06"


def test_area_views():
    assert len(Filters(area="national").municipality_codes) == 98
    assert Filters(area="muni:751,730").area == "muni:730,751"  # sorted, so equal selections are equal keys
    assert Filters(area="muni:751,730") == Filters(area="muni:730,751,751")
    assert Filters(area="muni:773").comparison_region_codes == (1081,)  # Morsø is in Nordjylland
    assert Filters(area="muni:751,773").comparison_region_codes == (1081, 1082)
    assert Filters(area="national").comparison_region_codes == tuple(sorted(reference.regions()["region_code"]))


@pytest.mark.parametrize("kwargs", [
    {"start": "2019-13"}, {"start": "19-01"}, {"start": "2020-01", "end": "2019-12"},
    {"area": "region:9999"}, {"area": "muni:411"},  # Christiansø is not a municipality
    {"area": "muni:"}, {"area": "kommune:751"}, {"age_group": "90+"}, {"sex": "K"},
    {"definition": "nhs"}, {"diagnosis_groups": ("asthma",)},  # an OECD group, not a Danish-list group
    {"diagnosis_groups": "dehydration"}, {"standardised": "1"},
])
def test_invalid_values_raise(kwargs):
    with pytest.raises(FilterError):
        Filters(**kwargs)


def test_from_params_full_deep_link():
    params = {"start": "2019-09", "end": "2020-12", "area": "muni:751,730", "age": "80+", "sex": "F",
              "groups": "urinary_tract_infection,dehydration", "definition": "dk_preventable_65", "std": "1"}
    f, notices = Filters.from_params(params)
    assert notices == []
    assert f == Filters(start="2019-09", end="2020-12", area="muni:730,751", age_group="80+", sex="F",
                        diagnosis_groups=("dehydration", "urinary_tract_infection"), standardised=True)


def test_from_params_empty_gives_defaults():
    assert Filters.from_params({}) == (Filters(), [])
    assert Filters.from_params({}, data_range=("2017-01", "2021-12")) == (Filters(start="2017-01", end="2021-12"), [])


def test_bad_and_stale_params_fall_back_with_notices():
    params = {"start": "2019-1", "end": "2031-01", "area": "muni:751,999", "age": "old", "sex": "x",
              "groups": "nonsense", "definition": "pqi", "std": "yes", "stdpop": "2031",
              "unknown_key": "ignored"}
    f, notices = Filters.from_params(params, data_range=("2016-01", "2022-12"))
    assert f == Filters()  # every value reset
    assert notices == ["start", "end", "area", "age", "sex", "groups", "definition", "std", "stdpop"]


def test_standard_population_choice_in_the_url():
    # ESP 2013 is the default and stays out of the link; a year means Region Midtjylland's population
    assert Filters.from_params({"stdpop": "esp2013"}) == (Filters(), [])
    f, notices = Filters.from_params({"std": "1", "stdpop": "2019"}, data_range=("2016-01", "2022-12"))
    assert notices == [] and f.standard_year == 2019 and f.standard_label == "Region Midtjylland 2019"
    assert f.to_params(data_range=("2016-01", "2022-12")) == {"std": "1", "stdpop": "2019"}
    assert Filters().standard_label == "ESP 2013"
    for bad in ("19", "twenty", "2015"):  # not a year of the data
        assert Filters.from_params({"stdpop": bad}, data_range=("2016-01", "2022-12"))[1] == ["stdpop"]
    with pytest.raises(FilterError, match="standard_year"):
        Filters(standard_year=True)


def test_reversed_period_resets_both_ends():
    f, notices = Filters.from_params({"start": "2021-01", "end": "2019-01"})
    assert (f.start, f.end) == ("2016-01", "2022-12") and notices == ["start", "end"]


def test_groups_follow_the_definition():
    f, notices = Filters.from_params({"definition": "oecd_pqi", "groups": "copd,asthma"})
    assert f.diagnosis_groups == ("asthma", "copd") and notices == []
    # a stale definition resets to the Danish list, so OECD groups are stale too
    f, notices = Filters.from_params({"definition": "gone", "groups": "copd"})
    assert f.definition == "dk_preventable_65" and f.diagnosis_groups == () and notices == ["groups", "definition"]


def test_list_valued_params_use_the_last_value():
    f, notices = Filters.from_params({"sex": ["M", "F"]})
    assert f.sex == "F" and notices == []


def test_to_params_leaves_defaults_out():
    assert Filters().to_params() == {}
    assert Filters(sex="M", standardised=True).to_params() == {"sex": "M", "std": "1"}


_MUNIS = sorted(int(c) for c in reference.municipalities()["municipality_code"])
_REGIONS = sorted(int(c) for c in reference.regions()["region_code"])
_MONTHS = [f"{y}-{m:02d}" for y in range(2016, 2023) for m in range(1, 13)]


@st.composite
def filters_strategy(draw):
    i, j = sorted(draw(st.tuples(st.integers(0, len(_MONTHS) - 1), st.integers(0, len(_MONTHS) - 1))))
    area = draw(st.one_of(
        st.just("national"),
        st.sampled_from(_REGIONS).map(lambda r: f"region:{r}"),
        st.lists(st.sampled_from(_MUNIS), min_size=1, max_size=4).map(lambda c: "muni:" + ",".join(map(str, c))),
    ))
    definition = draw(st.sampled_from(DEFINITIONS))
    groups = tuple(draw(st.lists(st.sampled_from(diagnosis_groups_of(definition)), max_size=3)))
    return Filters(start=_MONTHS[i], end=_MONTHS[j], area=area, age_group=draw(st.sampled_from(AGE_GROUPS)),
                   sex=draw(st.sampled_from(SEXES)), diagnosis_groups=groups, definition=definition,
                   standardised=draw(st.booleans()), standard_year=draw(st.sampled_from([None, 2016, 2019, 2022])))


@settings(max_examples=150, deadline=None)
@given(filters_strategy(), st.sampled_from([None, ("2016-01", "2022-12"), ("2015-06", "2023-03")]))
def test_round_trip(f, data_range):
    params = f.to_params(data_range=data_range)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
    assert Filters.from_params(params, data_range=data_range) == (f, [])
    assert hash(f) == hash(Filters.from_params(params, data_range=data_range)[0])


def test_comparison_view_widens_a_selection_within_one_region():
    # Aarhus (751) and Randers (730) are both in Region Midtjylland (1082); Copenhagen (101) is not
    assert Filters(area="muni:751", sex="F").comparison_view() == Filters(area="region:1082", sex="F")
    assert Filters(area="muni:730,751").comparison_view().area == "region:1082"
    assert Filters(area="muni:101,751").comparison_view().area == "muni:101,751"
    assert Filters(area="national").comparison_view().area == "national"

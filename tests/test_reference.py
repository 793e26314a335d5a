"""Tests for the shipped reference data (data/reference/*.csv) and analysis/reference.py.

Reference values with provenance: municipality/region membership and ESP 2013 weights from DOMAIN.md
(Statistics Denmark's kommune list; Eurostat 2013 revision of the European Standard Population), LPR3
dates from eSundhed, the agreement from Region Midtjylland's announcement of 20 June 2019.
"""
from __future__ import annotations

import re
import shutil

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import constants, reference
from analysis.reference import ReferenceDataError

MIDTJYLLAND = {615, 657, 661, 665, 671, 706, 707, 710, 727, 730, 740, 741, 746, 751, 756, 760, 766, 779, 791}


# --- municipalities and regions ---------------------------------------------------------------------
def test_98_municipalities_with_unique_codes_and_names():
    m = reference.municipalities()
    assert len(m) == 98
    assert m["municipality_code"].is_unique
    assert m["name"].is_unique
    assert m["municipality_code"].between(101, 860).all()


@pytest.mark.parametrize(
    "region_code, region_name, n",
    [(1081, "Region Nordjylland", 11), (1082, "Region Midtjylland", 19), (1083, "Region Syddanmark", 22),
     (1084, "Region Hovedstaden", 29), (1085, "Region Sjælland", 17)],
)
def test_region_counts(region_code, region_name, n):
    m = reference.municipalities()
    in_region = m[m["region_code"] == region_code]
    assert len(in_region) == n
    assert (in_region["region_name"] == region_name).all()


def test_midtjylland_is_exactly_the_19_known_codes():
    m = reference.municipalities()
    assert set(m.loc[m["region_code"] == 1082, "municipality_code"]) == MIDTJYLLAND
    assert constants.MIDTJYLLAND in set(m["region_name"])


@pytest.mark.parametrize("code, region_code", [(615, 1082), (773, 1081), (787, 1081), (751, 1082), (400, 1084)])
def test_traps(code, region_code):
    m = reference.municipalities().set_index("municipality_code")
    assert m.loc[code, "region_code"] == region_code


def test_christianso_is_not_a_municipality():
    assert 411 not in set(reference.municipalities()["municipality_code"])


def test_populations_are_plausible():
    m = reference.municipalities()
    assert 5.7e6 < m["population_2019"].sum() < 5.9e6
    midt = m[m["region_code"] == 1082]
    assert 1.30e6 < midt["population_2019"].sum() < 1.34e6
    assert m["share_65plus_2019"].between(0.08, 0.40).all()
    samso = m.set_index("name").loc["Samsø"]
    assert samso["population_2019"] == 3700


@pytest.mark.parametrize(
    "name, code",
    [("Aarhus", 751), ("Århus", 751), ("ÅRHUS", 751), ("aarhus kommune", 751), ("Høje-Taastrup", 169),
     ("Høje Taastrup", 169), ("København", 101), ("Copenhagen", 101), ("Horsens", 615), ("Ringkøbing-Skjern", 760)],
)
def test_name_to_code(name, code):
    assert reference.municipality_name_to_code()[name.strip().casefold()] == code


def test_regions_and_lpr3_dates():
    r = reference.regions().set_index("region_code")
    assert len(r) == 5
    expected = {1081: "2019-03-02", 1082: "2019-02-02", 1083: "2019-03-02", 1084: "2019-02-02", 1085: "2019-02-02"}
    for code, day in expected.items():
        assert r.loc[code, "lpr3_go_live"] == pd.Timestamp(day)


# --- ESP 2013 ------------------------------------------------------------------------------------------
def test_esp2013():
    esp = reference.esp2013()
    assert len(esp) == 19
    assert esp["weight"].sum() == 100_000
    assert list(esp["age_band"]) == [b[0] for b in constants.AGE_BANDS]
    assert esp.iloc[-1][["age_band", "age_from", "age_to"]].tolist() == ["90+", 90, 120]
    assert esp.loc[esp["age_from"] >= 65, "weight"].tolist() == [5500, 5000, 4000, 2500, 1500, 1000]
    assert esp["weight"].iloc[0] == 5000


# --- code lists ------------------------------------------------------------------------------------------
def test_code_list_columns_and_prefix_form():
    cl = reference.code_lists()
    assert list(cl.columns) == reference.CODE_LIST_COLUMNS
    assert cl["prefix"].str.fullmatch(r"D[A-Z][0-9A-Z]{0,6}").all()
    assert not cl.duplicated(["list", "prefix"]).any()
    assert cl["verified"].dtype == bool
    required = {"dk_preventable_65", "dk_preventable_65_copd", "readmission_exclusion", "chronic_copd",
                "chronic_diabetes2", "oecd_pqi", "acsc_purdy2009"}
    assert required <= set(cl["list"])


def test_dk_preventable_has_the_9_groups():
    groups = set(reference.code_lists(list_id="dk_preventable_65")["group"])
    assert groups == {"dehydration", "constipation", "lower_respiratory", "urinary_tract_infection",
                      "gastroenteritis", "fractures", "nutritional_anaemia", "social_nursing", "pressure_ulcer"}


def test_copd_is_optional_and_separate():
    assert "DJ44" not in set(reference.code_lists(list_id="dk_preventable_65")["prefix"])
    copd = reference.code_lists(list_id="dk_preventable_65_copd")
    assert copd[["group", "prefix"]].values.tolist() == [["copd_optional", "DJ44"]]


def test_acsc_purdy_has_19_conditions():
    assert reference.code_lists(list_id="acsc_purdy2009")["group"].nunique() == 19


def test_unknown_list_is_a_clear_error():
    with pytest.raises(ReferenceDataError, match="no_such_list"):
        reference.code_lists(list_id="no_such_list")


@pytest.mark.parametrize(
    "code, list_id, group",
    [
        ("DJ189", "dk_preventable_65", "lower_respiratory"),
        ("J18.9", "dk_preventable_65", "lower_respiratory"),
        ("DJ22", "dk_preventable_65", "lower_respiratory"),
        ("DJ19", "dk_preventable_65", None),
        ("DN390", "dk_preventable_65", "urinary_tract_infection"),
        ("DN39", "dk_preventable_65", None),
        ("DN399", "dk_preventable_65", None),
        ("DS721", "dk_preventable_65", "fractures"),
        ("DS723", "dk_preventable_65", None),
        ("DE869", "dk_preventable_65", "dehydration"),
        ("DJ441", "dk_preventable_65", None),
        ("DJ441", "dk_preventable_65_copd", "copd_optional"),
        ("DC509", "readmission_exclusion", "cancer"),
        ("DO800", "readmission_exclusion", "pregnancy_birth"),
        ("DZ380", "readmission_exclusion", "pregnancy_birth"),
        ("DD509", "readmission_exclusion", None),
        ("DE119", "chronic_diabetes2", "diabetes_type2"),
        ("DI110", "oecd_pqi", "congestive_heart_failure"),
        ("DI119", "oecd_pqi", "hypertension"),
        ("DI110", "acsc_purdy2009", "congestive_heart_failure"),
        ("DI119", "acsc_purdy2009", "hypertension"),
        ("DE109", "acsc_purdy2009", None),  # E10.9 (without complications) is not in the list
    ],
)
def test_classify_real_lists(code, list_id, group):
    out = reference.classify(pd.Series([code]), list_id)
    assert out["group"].iloc[0] == group


def test_longest_prefix_wins():
    lists = pd.DataFrame({"list": ["t", "t", "t"], "group": ["broad", "hip", "femur_other"],
                          "prefix": ["DS72", "DS720", "DS7"]})
    out = reference.classify(pd.Series(["DS720", "DS7209", "DS729", "DS79", "DS1"]), "t", lists=lists)
    assert out["group"].tolist() == ["hip", "hip", "broad", "femur_other", None]
    assert out["prefix"].tolist() == ["DS720", "DS720", "DS72", "DS7", None]


def test_classify_keeps_index_and_handles_missing():
    codes = pd.Series(["dj18.9 ", None, float("nan"), "XYZ", "DJ189"], index=[10, 20, 30, 40, 50])
    out = reference.classify(codes, "dk_preventable_65")
    assert list(out.index) == [10, 20, 30, 40, 50]
    assert out["normalised"].tolist() == ["DJ189", None, None, None, "DJ189"]
    assert out["group"].tolist() == ["lower_respiratory", None, None, None, "lower_respiratory"]


# --- normalisation ------------------------------------------------------------------------------------------
NORMALISATION_CASES = [
    ("DJ189", "DJ189"), ("DJ18.9", "DJ189"), ("J18.9", "DJ189"), ("dj18.9 ", "DJ189"), (" j 18.9", "DJ189"),
    ("DN390", "DN390"), ("D50.1", "DD501"), ("DZ038A", "DZ038A"), ("DO", None), ("", None), ("XYZ", None),
    ("123", None), ("DJ1", None), ("DJ189ABCD1", None), ("J1", None), ("DJ18-9", None),
]


@pytest.mark.parametrize("raw, expected", NORMALISATION_CASES)
def test_normalise_diagnosis(raw, expected):
    assert reference.normalise_diagnosis(raw) == expected


def test_normalise_non_strings():
    assert reference.normalise_diagnosis(None) is None
    assert reference.normalise_diagnosis(float("nan")) is None


def test_vectorised_and_sql_agree_with_scalar():
    raws = [r for r, _ in NORMALISATION_CASES] + [None]
    expected = [reference.normalise_diagnosis(r) for r in raws]
    assert reference.normalise_diagnoses(pd.Series(raws)).tolist() == expected
    expression = reference.normalise_diagnosis_sql("code")
    con = duckdb.connect()
    got = [con.execute(f"SELECT {expression} FROM (SELECT CAST(? AS VARCHAR) AS code)", [r]).fetchone()[0]
           for r in raws]
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="DdJjNnSs0123456789. A", max_size=9))
def test_normalise_property(raw):
    out = reference.normalise_diagnosis(raw)
    if out is not None:
        assert re.fullmatch(reference.DIAGNOSIS_PATTERN, out)
        assert reference.normalise_diagnosis(out) == out  # idempotent
    assert reference.normalise_diagnoses(pd.Series([raw])).iloc[0] == out


# --- interventions, prices, breaks, beds --------------------------------------------------------------------
def test_agreement_row():
    iv = reference.interventions().set_index("intervention_id")
    row = iv.loc[constants.AGREEMENT_ID]
    assert row["start"] == pd.Timestamp(constants.AGREEMENT_START)
    assert row["end"] == pd.Timestamp(constants.AGREEMENT_END)
    assert row["budget_dkk"] == 3_000_000
    assert row["budget_split"] == "region:1500000|municipalities:1500000"
    assert set(row["municipalities"]) == MIDTJYLLAND and len(row["municipalities"]) == 19
    assert bool(row["fee_is_assumption"]) and row["fee_per_contact_dkk"] > 0


def test_prices_cover_the_analysis_years():
    p = reference.faerdigbehandling_prices().set_index("year")
    assert set(range(2007, 2027)) <= set(p.index)
    assert p.loc[2007, "price_dkk_per_day"] == 1650 and p.loc[2008, "price_dkk_per_day"] == 1650
    assert p.loc[2007, "verified"] and p.loc[2008, "verified"]
    assert not p.loc[2019, "verified"]
    assert 1800 <= p.loc[2019, "price_dkk_per_day"] <= 2200
    assert p["price_dkk_per_day"].is_monotonic_increasing


def test_breaks_have_lpr3_per_region():
    b = reference.breaks()
    lpr3 = b[b["kind"] == "lpr3"].set_index("region_code")["start"]
    regions = reference.regions().set_index("region_code")["lpr3_go_live"]
    assert len(lpr3) == 5
    for code, day in regions.items():
        assert lpr3.loc[code] == day
    assert set(b["kind"]) == {"lpr3", "covid", "strike", "policy"}
    covid = b[b["kind"] == "covid"].sort_values("start")
    assert covid["start"].iloc[0] == pd.Timestamp("2020-03-11")
    national = b[b["kind"] != "lpr3"]
    assert national["region_code"].isna().all()
    ended = b.dropna(subset=["end"])
    assert (ended["end"] >= ended["start"]).all()


def test_acute_bed_capacity_covers_all_municipalities():
    beds = reference.acute_bed_capacity()
    assert set(beds["municipality_code"]) == set(reference.municipalities()["municipality_code"])
    assert beds["beds"].between(1, 40).all()
    assert not beds["verified"].any()


# --- caching and errors ---------------------------------------------------------------------------------
def test_callers_cannot_mutate_the_cache():
    m = reference.municipalities()
    m.loc[0, "name"] = "changed"
    m.loc[:, "region_code"] = 0
    assert reference.municipalities().loc[0, "name"] != "changed"
    d = reference.municipality_name_to_code()
    d.clear()
    assert reference.municipality_name_to_code()


@pytest.fixture
def reference_copy(tmp_path, monkeypatch):
    """A writable copy of the reference directory, swapped in for the real one."""
    target = tmp_path / "reference"
    shutil.copytree(constants.REFERENCE_DIR, target)
    monkeypatch.setattr(constants, "REFERENCE_DIR", target)
    reference.clear_cache()
    yield target
    reference.clear_cache()


def test_missing_file_names_the_file(reference_copy):
    (reference_copy / "esp2013.csv").unlink()
    with pytest.raises(ReferenceDataError, match="esp2013.csv"):
        reference.esp2013()


@pytest.mark.parametrize(
    "file_name, loader, edit",
    [
        ("municipalities.csv", reference.municipalities, lambda t: t.replace("751,Aarhus", "751,Aarhus\n751,Dup", 1)),
        ("esp2013.csv", reference.esp2013, lambda t: t.replace(",5000\n", ",5001\n", 1)),
        ("diagnosis_codes.csv", reference.code_lists, lambda t: t.replace(",DE86,", ",E86,", 1)),
        ("diagnosis_codes.csv", reference.code_lists, lambda t: t.replace("version\n", "versions\n", 1)),
        ("regions.csv", reference.regions, lambda t: t.replace("2019-02-02", "2.2.2019", 1)),
        ("breaks.csv", reference.breaks, lambda t: t.replace(",lpr3,", ",other,", 1)),
        ("faerdigbehandling_prices.csv", reference.faerdigbehandling_prices, lambda t: t.replace(",true,", ",maybe,", 1)),
    ],
)
def test_malformed_file_names_the_file(reference_copy, file_name, loader, edit):
    path = reference_copy / file_name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=re.escape(file_name)):
        loader()


def test_reference_module_does_not_import_streamlit():
    source = (constants.PROJECT_ROOT / "analysis" / "reference.py").read_text(encoding="utf-8")
    assert "import streamlit" not in source and "from streamlit" not in source

"""Every page of the navigation renders (Streamlit AppTest) in every state a user can reach.

For each page in ``app.py``'s ``st.navigation``: the demo database, no database, an empty selection, a
deep link with every filter set, stale or malformed link values (reset with a notice), every single
municipality, and a title that is translated. The pages are read from ``app.py`` itself, so a page added
to the navigation is tested without touching this file.

Every single municipality: all 98, one AppTest rerun each on every page that needs data (about 2 minutes for
all pages on the 2-core machine), the smallest (741 Samsø, 825 Læsø) first.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import select

from analysis import constants, reference, store
from analysis.i18n import fmt_number, t

ROOT = Path(__file__).parent.parent
APP = str(ROOT / "app.py")


def _navigation_pages() -> list[str]:
    """The script paths of every page in app.py's ``PAGES`` table (file, title, icon, url path), in order."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    table = next(node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                 and any(getattr(target, "id", None) == "PAGES" for target in node.targets))
    return [f"pages/{row[0]}.py" for row in ast.literal_eval(table)]


PAGES = _navigation_pages()
MAIN_PAGES = ["pages/overview.py", "pages/avoidable.py"]
NEEDS_NO_DATA = {"pages/method.py"}  # the method page is reference text: it renders without a database
DATA_PAGES = [p for p in PAGES if p not in NEEDS_NO_DATA]
SMALLEST = [741, 825]  # Samsø, Læsø: the most suppression, checked first
ALL_MUNIS = SMALLEST + [int(c) for c in reference.municipalities()["municipality_code"] if int(c) not in SMALLEST]
DEEP_LINK = {"start": "2018-01", "end": "2021-06", "area": "muni:730,751", "age": "80+", "sex": "F",
             "groups": "dehydration,lower_respiratory", "definition": "dk_preventable_65", "std": "1",
             "stdpop": "2019", "lang": "en"}
EMPTY_SELECTION = {"start": "2016-01", "end": "2016-01", "area": "muni:741", "age": "0-64", "sex": "F",
                   "groups": "pressure_ulcer"}
STALE_LINK = {"area": "muni:999", "start": "2030-01", "definition": "foo"}


pytestmark = pytest.mark.usefixtures("app_environment")  # tests/conftest.py: full tracebacks, navigation only


def new_app(monkeypatch, db: Path, **params: str) -> AppTest:
    monkeypatch.setenv("AKUTINDBLIK_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    """First run (reads the URL into the filters; the default page's own failures are its own test), then
    the page."""
    at.run()
    return at.switch_page(page).run()


def errors(at: AppTest) -> list[str]:
    return [e.message + "\n" + "\n".join(e.stack_trace) for e in at.exception]


def assert_ok(at: AppTest, what: str) -> None:
    assert not at.exception, f"{what}:\n" + "\n\n".join(errors(at))


def infos(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


def test_the_navigation_lists_every_page_file():
    assert len(PAGES) >= 7
    missing = [p for p in PAGES if not (ROOT / p).is_file()]
    assert missing == [], f"pages in app.py's navigation without a file: {missing}"
    assert set(MAIN_PAGES) <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_the_demo_database_in_both_languages(monkeypatch, demo_db, page):
    at = open_page(new_app(monkeypatch, demo_db), page)
    assert_ok(at, page)
    if page not in NEEDS_NO_DATA:
        assert t("no_db_title", "da") not in infos(at)
    danish = [h.value for h in at.title]
    danish_placeholders = [m.placeholder for m in at.multiselect]
    select(at, lang="en")
    at.run()
    assert_ok(at, f"{page} in English")
    english = [h.value for h in at.title]
    assert danish and english and danish[0] != english[0], f"{page}: title {danish} is not translated"
    # an empty multiselect shows our text, not Streamlit's English default ("Choose options")
    english_placeholders = [m.placeholder for m in at.multiselect]
    assert danish_placeholders and all(d != e for d, e in zip(danish_placeholders, english_placeholders)), (
        f"{page}: untranslated placeholders {danish_placeholders} / {english_placeholders}")


@pytest.mark.parametrize("page", PAGES)
def test_page_without_a_database_says_so(monkeypatch, tmp_path, page):
    at = open_page(new_app(monkeypatch, tmp_path / "missing.duckdb"), page)
    assert_ok(at, page)
    if page not in NEEDS_NO_DATA:
        assert t("no_db_title", "da") in infos(at)


def test_data_page_flags_stays_that_are_probably_missing_a_discharge(monkeypatch, demo_db):
    con = store.connect_readonly(demo_db)
    checks = dict(store.cursor(con).execute("SELECT check_id, n FROM data_quality").fetchall())
    con.close()
    assert checks["open_stays_suspect"] > 0  # the demo plants bad discharge rows, so some stays stay open
    at = open_page(new_app(monkeypatch, demo_db), "pages/data.py")
    assert_ok(at, "data page")
    days = constants.OPEN_STAY_SUSPECT_DAYS
    metrics = {m.label: m.value for m in at.metric}
    for check in store.DATA_QUALITY_CHECKS:
        assert metrics[t(f"data_{check}", "da", days=days)] == fmt_number(checks[check], "da"), check
    warning = " ".join(w.value for w in at.warning)
    assert t("data_open_warning", "da", days=days, suspect=fmt_number(checks["open_stays_suspect"], "da"),
             merged=fmt_number(checks["contacts_merged_into_suspect"], "da")) in warning
    assert t("data_open_quarantined", "da", quarantined=fmt_number(checks["admissions_discharge_quarantined"],
                                                                   "da")) in warning


@pytest.fixture(scope="module")
def partial_dbs(demo_db, tmp_path_factory) -> dict[str, Path]:
    """Databases with only some kinds of extract loaded, from the demo's files."""
    from analysis.ingest import load_files

    files = demo_db.parent / "files"
    root = tmp_path_factory.mktemp("partial")
    loads = {"population_only": ["befolkning.csv"],
             "no_discharges": ["befolkning.csv", "admissions_2019.parquet", "admissions_2020.parquet"]}
    for name, kinds in loads.items():
        load_files([files / f for f in kinds], db_path=root / f"{name}.duckdb")
    return {name: root / f"{name}.duckdb" for name in loads}


@pytest.mark.parametrize("page", [p for p in DATA_PAGES if p != "pages/data.py"])  # Data: row counts of all
def test_page_says_which_extracts_are_missing(monkeypatch, partial_dbs, page):
    at = open_page(new_app(monkeypatch, partial_dbs["no_discharges"]), page)
    assert_ok(at, f"{page} without discharges")
    warning = " ".join(w.value for w in at.warning)
    for kind in ("discharges", "acute_bed_stays"):
        assert t(f"data_missing_{kind}", "da") in warning, f"{page}: {kind} not named as missing"
    assert t("data_missing_population", "da") not in warning
    # only population: not 'there is no database', but what is missing, and the page stops there
    at = open_page(new_app(monkeypatch, partial_dbs["population_only"]), page)
    assert_ok(at, f"{page} with population only")
    assert t("no_db_title", "da") not in infos(at)
    assert t("data_missing_admissions", "da") in " ".join(w.value for w in at.warning)
    assert not at.get("plotly_chart")


def open_link(at: AppTest, params: dict[str, str]) -> AppTest:
    """Open a link in a new session: the URL is read again on the next run (as on a session's first run)."""
    for key in list(at.query_params):
        del at.query_params[key]
    for key, value in params.items():
        at.query_params[key] = value
    at.session_state["_initialised"] = False
    return at.run()


def _check_empty_selection(at: AppTest) -> None:
    """One month, Samsø, 0-64 years, women, one rare group: empty or suppressed frames everywhere."""
    ss = at.session_state
    assert ss["f_munis"] == [741] and ss["f_age"] == "0-64" and tuple(ss["f_period"]) == ("2016-01", "2016-01")


def _check_deep_link(at: AppTest) -> None:
    ss = at.session_state
    assert tuple(ss["f_period"]) == ("2018-01", "2021-06"), f"period {ss['f_period']}"
    assert ss["f_munis"] == [730, 751] and ss["f_age"] == "80+" and ss["f_sex"] == "F"
    assert ss["f_groups"] == ["dehydration", "lower_respiratory"] and ss["f_std"] is True and ss["f_stdpop"] == 2019
    assert ss["lang"] == "en"
    assert t("notice_reset", "en", keys="").split(":")[0] not in infos(at)
    at.run()  # any click reruns the script: the linked filters must survive it
    assert not at.exception, errors(at)[0]
    assert tuple(at.session_state["f_period"]) == ("2018-01", "2021-06"), "the period is reset on the next rerun"
    assert at.session_state["f_munis"] == [730, 751] and at.session_state["f_age"] == "80+"


def _check_stale_link(at: AppTest) -> None:
    notice = t("notice_reset", "da", keys="").split(":")[0]
    assert notice in infos(at), "no reset notice"
    assert all(key in infos(at) for key in STALE_LINK), "the notice does not name the reset values"
    ss = at.session_state
    assert ss["f_munis"] == [] and ss["f_area"] == "region:1082" and ss["f_definition"] == "dk_preventable_65"


LINKS = [("empty selection", EMPTY_SELECTION, _check_empty_selection),
         ("deep link with every filter", DEEP_LINK, _check_deep_link),
         ("stale link", STALE_LINK, _check_stale_link)]


@pytest.mark.parametrize("page", PAGES)
def test_page_opened_from_links(monkeypatch, demo_db, page):
    """An empty selection, a deep link with every filter set, and a stale link (reset with a notice),
    each opened straight on the page in a new session; one AppTest per page, failures collected."""
    at = open_page(new_app(monkeypatch, demo_db), page)
    failures = []
    for name, params, check in LINKS:
        open_link(at, params)
        if at.exception:
            failures.append(f"{name}: " + errors(at)[0])
            continue
        try:
            check(at)
        except AssertionError as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, f"{page}:\n" + "\n\n".join(failures)


# page-level choices travel in the link too: (page, parameter, a non-default value, the default, widget key)
PAGE_CHOICES = [("pages/avoidable.py", "res", "quarter", "month", "forebyggelige_res"),
                ("pages/los.py", "scope", "avoidable", "acute", "liggetid_scope"),
                ("pages/los.py", "res", "quarter", "month", "liggetid_res"),
                ("pages/readmissions.py", "res", "year", "month", "genindlaeggelser_res"),
                ("pages/acute_beds.py", "res", "year", "month", "akutfunktioner_res"),
                ("pages/data.py", "measure", "acute_bed_stays", "episodes", "datagrundlag_measure")]


@pytest.mark.parametrize("page, param, value, default, key", PAGE_CHOICES)
def test_page_choices_are_in_the_link(monkeypatch, demo_db, page, param, value, default, key):
    at = open_page(new_app(monkeypatch, demo_db), page)
    open_link(at, {"area": "muni:751", param: value})
    assert_ok(at, page)
    assert at.session_state[key] == value, f"{page}: {param}={value} from the link was not used"
    at.run()  # the next click keeps it, and the URL carries it with the filters
    assert at.session_state[key] == value and at.query_params[param] in ([value], value)
    assert at.query_params["area"] in (["muni:751"], "muni:751")
    # back to the default: the parameter leaves the link
    at.session_state[key] = default
    at.run()
    assert param not in at.query_params
    # a value that is not an option falls back to the default with a small notice
    open_link(at, {param: "no-such-value"})
    assert_ok(at, page)
    assert at.session_state[key] == default
    assert any(t("notice_reset", "da", keys=param) in c.value for c in at.caption)


def _check_municipalities(monkeypatch, db: Path, page: str, codes: list[int]) -> None:
    """One AppTest per page; the municipality is changed through the sidebar's state and the page rerun."""
    at = open_page(new_app(monkeypatch, db), page)
    assert_ok(at, page)
    failures = {}
    for code in codes:
        select(at, f_munis=[code])
        at.run()
        if at.exception:
            failures[code] = errors(at)[0]
    assert not failures, f"{page} fails for {len(failures)} municipalities ({sorted(failures)}), e.g. " + next(
        f"{code}:\n{tb}" for code, tb in failures.items())


@pytest.mark.parametrize("page", DATA_PAGES)
def test_page_for_every_single_municipality(monkeypatch, demo_db, page):
    _check_municipalities(monkeypatch, demo_db, page, ALL_MUNIS)

"""Shipped reference data: municipalities, regions, ESP 2013, diagnosis code lists and more.

Every table lives as a versioned CSV under :data:`analysis.constants.REFERENCE_DIR` and is documented
(source, verified or assumed) in ``data/reference/README.md``. The loaders here read and validate those
files once (``functools.lru_cache``) and hand out *copies*, so a caller can never change the cache.

Diagnosis codes are handled in normalised SKS form (``DJ189``): :func:`normalise_diagnosis` for one
value, :func:`normalise_diagnoses` for a pandas Series and :func:`normalise_diagnosis_sql` for a DuckDB
expression, all implementing the same rule. :func:`classify` assigns each code to a group of a code list
by the longest matching prefix.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import constants

__all__ = [
    "ReferenceDataError",
    "municipalities",
    "regions",
    "esp2013",
    "code_lists",
    "interventions",
    "faerdigbehandling_prices",
    "breaks",
    "acute_bed_capacity",
    "municipality_name_to_code",
    "normalise_diagnosis",
    "normalise_diagnoses",
    "normalise_diagnosis_sql",
    "classify",
    "clear_cache",
    "CODE_LIST_COLUMNS",
    "DIAGNOSIS_PATTERN",
    "PREFIX_PATTERN",
]

CODE_LIST_COLUMNS = ["list", "group", "prefix", "label_da", "label_en", "source", "verified", "version"]
DIAGNOSIS_PATTERN = r"^D[A-Z][0-9]{2}[0-9A-Z]{0,4}$"  # a valid normalised SKS diagnosis code
PREFIX_PATTERN = r"^D[A-Z][0-9A-Z]{0,6}$"  # a code-list prefix ("DO" for a whole chapter is allowed)
_DIAGNOSIS_RE = re.compile(DIAGNOSIS_PATTERN)
_ICD_FORM_RE = re.compile(r"^[A-Z][0-9]{2}")  # bare ICD-10 (J18.9, D50.1): needs the SKS 'D' in front
_STRIP_RE = re.compile(r"[\s.]")
_TRUE = {"true", "1", "yes", "ja"}
_FALSE = {"false", "0", "no", "nej"}


class ReferenceDataError(ValueError):
    """A shipped reference file is missing or malformed; the message names the file."""


# --- reading and validation helpers --------------------------------------------------------------------
def _path(file_name: str) -> Path:
    return Path(constants.REFERENCE_DIR) / file_name


def _read(file_name: str, columns: list[str]) -> pd.DataFrame:
    """Read a reference CSV as text, checking that it exists, parses and has the expected columns."""
    path = _path(file_name)
    if not path.is_file():
        raise ReferenceDataError(f"Reference file {file_name} is missing from {path.parent}; restore it from git.")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ReferenceDataError(f"Reference file {file_name} could not be read as UTF-8 CSV: {exc}") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReferenceDataError(f"Reference file {file_name} lacks the column(s) {', '.join(missing)}.")
    if frame.empty:
        raise ReferenceDataError(f"Reference file {file_name} has no rows.")
    frame = frame[columns].copy()
    for col in columns:
        frame[col] = frame[col].astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
    return frame


def _int(frame: pd.DataFrame, col: str, file_name: str, *, nullable: bool = False) -> pd.Series:
    values = frame[col].replace("", None) if nullable else frame[col]
    out = pd.to_numeric(values, errors="coerce")
    bad = out.isna() & (values.notna() if nullable else True)
    if bad.any() or (out.dropna() % 1 != 0).any():
        row = int(bad.idxmax()) if bad.any() else int(((out % 1) != 0).idxmax())
        raise ReferenceDataError(
            f"Reference file {file_name}: column {col} must hold whole numbers (line {row + 2} does not).")
    return out.astype("Int64") if nullable else out.astype("int64")


def _float(frame: pd.DataFrame, col: str, file_name: str) -> pd.Series:
    out = pd.to_numeric(frame[col], errors="coerce")
    if out.isna().any():
        raise ReferenceDataError(
            f"Reference file {file_name}: column {col} must hold numbers (line {int(out.isna().idxmax()) + 2}).")
    return out.astype("float64")


def _bool(frame: pd.DataFrame, col: str, file_name: str) -> pd.Series:
    lowered = frame[col].str.lower()
    bad = ~lowered.isin(_TRUE | _FALSE)
    if bad.any():
        raise ReferenceDataError(
            f"Reference file {file_name}: column {col} must be true/false (line {int(bad.idxmax()) + 2}).")
    return lowered.isin(_TRUE).astype(bool)


def _date(frame: pd.DataFrame, col: str, file_name: str, *, nullable: bool = False) -> pd.Series:
    values = frame[col].replace("", None)
    out = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    bad = out.isna() & (values.notna() if nullable else True)
    if bad.any():
        raise ReferenceDataError(
            f"Reference file {file_name}: column {col} must hold ISO dates YYYY-MM-DD (line {int(bad.idxmax()) + 2}).")
    return out.astype("datetime64[ns]")


def _unique(frame: pd.DataFrame, cols: list[str], file_name: str) -> None:
    dup = frame.duplicated(cols, keep=False)
    if dup.any():
        raise ReferenceDataError(
            f"Reference file {file_name}: {'/'.join(cols)} must be unique (line {int(dup.idxmax()) + 2} repeats).")


def _text(frame: pd.DataFrame, cols: list[str], file_name: str) -> None:
    for col in cols:
        empty = frame[col] == ""
        if empty.any():
            raise ReferenceDataError(
                f"Reference file {file_name}: column {col} may not be empty (line {int(empty.idxmax()) + 2}).")


# --- cached loaders ---------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _municipalities() -> pd.DataFrame:
    f = "municipalities.csv"
    cols = ["municipality_code", "name", "region_code", "region_name", "name_aliases",
            "population_2019", "share_65plus_2019"]
    df = _read(f, cols)
    _text(df, ["name", "region_name"], f)
    df["municipality_code"] = _int(df, "municipality_code", f)
    df["region_code"] = _int(df, "region_code", f)
    df["population_2019"] = _int(df, "population_2019", f)
    df["share_65plus_2019"] = _float(df, "share_65plus_2019", f)
    _unique(df, ["municipality_code"], f)
    _unique(df, ["name"], f)
    if not df["municipality_code"].between(100, 999).all():
        raise ReferenceDataError(f"Reference file {f}: municipality_code must be a 3-digit kommunekode.")
    if not df["share_65plus_2019"].between(0, 1).all():
        raise ReferenceDataError(f"Reference file {f}: share_65plus_2019 must be a share between 0 and 1.")
    known = set(_regions()["region_code"])
    if not set(df["region_code"]) <= known:
        raise ReferenceDataError(f"Reference file {f}: region_code values must appear in regions.csv.")
    return df.sort_values("municipality_code").reset_index(drop=True)


@lru_cache(maxsize=1)
def _regions() -> pd.DataFrame:
    f = "regions.csv"
    df = _read(f, ["region_code", "region_name", "lpr3_go_live"])
    _text(df, ["region_name"], f)
    df["region_code"] = _int(df, "region_code", f)
    df["lpr3_go_live"] = _date(df, "lpr3_go_live", f)
    _unique(df, ["region_code"], f)
    return df.sort_values("region_code").reset_index(drop=True)


@lru_cache(maxsize=1)
def _esp2013() -> pd.DataFrame:
    f = "esp2013.csv"
    df = _read(f, ["age_band", "age_from", "age_to", "weight"])
    for col in ("age_from", "age_to", "weight"):
        df[col] = _int(df, col, f)
    expected = [(label, lo, hi) for label, lo, hi in constants.AGE_BANDS]
    if list(zip(df["age_band"], df["age_from"], df["age_to"])) != expected:
        raise ReferenceDataError(f"Reference file {f}: age bands must be the 19 bands of constants.AGE_BANDS, in order.")
    if int(df["weight"].sum()) != 100_000:
        raise ReferenceDataError(f"Reference file {f}: weights must sum to 100,000 (they sum to {df['weight'].sum()}).")
    return df


@lru_cache(maxsize=1)
def _code_lists() -> pd.DataFrame:
    f = "diagnosis_codes.csv"
    path = _path(f)
    if path.is_file():
        header = path.read_text(encoding="utf-8").splitlines()[:1]
        if header and header[0].strip().lstrip("\ufeff").split(",") != CODE_LIST_COLUMNS:
            raise ReferenceDataError(f"Reference file {f} must have exactly the columns {','.join(CODE_LIST_COLUMNS)}.")
    df = _read(f, CODE_LIST_COLUMNS)
    _text(df, ["list", "group", "prefix", "source", "version"], f)
    bad = ~df["prefix"].str.fullmatch(PREFIX_PATTERN)
    if bad.any():
        raise ReferenceDataError(
            f"Reference file {f}: prefix {df['prefix'][bad].iloc[0]!r} (line {int(bad.idxmax()) + 2}) is not in "
            "normalised SKS form (leading D, upper case, no dot).")
    df["verified"] = _bool(df, "verified", f)
    _unique(df, ["list", "prefix"], f)
    return df


@lru_cache(maxsize=1)
def _interventions() -> pd.DataFrame:
    f = "interventions.csv"
    cols = ["intervention_id", "name_da", "name_en", "municipalities", "start", "end", "budget_dkk",
            "budget_split", "fee_per_contact_dkk", "fee_is_assumption", "source"]
    df = _read(f, cols)
    _text(df, ["intervention_id", "name_da", "name_en", "municipalities", "source"], f)
    _unique(df, ["intervention_id"], f)
    df["start"] = _date(df, "start", f)
    df["end"] = _date(df, "end", f, nullable=True)
    df["budget_dkk"] = _float(df, "budget_dkk", f)
    df["fee_per_contact_dkk"] = _float(df, "fee_per_contact_dkk", f)
    df["fee_is_assumption"] = _bool(df, "fee_is_assumption", f)
    try:
        df["municipalities"] = df["municipalities"].map(lambda s: tuple(int(c) for c in s.split("|")))
    except ValueError as exc:
        raise ReferenceDataError(f"Reference file {f}: municipalities must be pipe-separated codes.") from exc
    unknown = set().union(*df["municipalities"]) - set(_municipalities()["municipality_code"])
    if unknown:
        raise ReferenceDataError(f"Reference file {f}: unknown municipality code(s) {sorted(unknown)}.")
    return df


@lru_cache(maxsize=1)
def _faerdigbehandling_prices() -> pd.DataFrame:
    f = "faerdigbehandling_prices.csv"
    df = _read(f, ["year", "price_dkk_per_day", "verified", "source"])
    df["year"] = _int(df, "year", f)
    df["price_dkk_per_day"] = _float(df, "price_dkk_per_day", f)
    df["verified"] = _bool(df, "verified", f)
    _unique(df, ["year"], f)
    return df.sort_values("year").reset_index(drop=True)


@lru_cache(maxsize=1)
def _breaks() -> pd.DataFrame:
    f = "breaks.csv"
    df = _read(f, ["id", "kind", "region_code", "start", "end", "label_da", "label_en", "source"])
    _text(df, ["id", "kind", "label_da", "label_en"], f)
    _unique(df, ["id"], f)
    kinds = {"lpr3", "covid", "strike", "policy"}
    if not set(df["kind"]) <= kinds:
        raise ReferenceDataError(f"Reference file {f}: kind must be one of {', '.join(sorted(kinds))}.")
    df["region_code"] = _int(df, "region_code", f, nullable=True)
    df["start"] = _date(df, "start", f)
    df["end"] = _date(df, "end", f, nullable=True)
    return df


@lru_cache(maxsize=1)
def _acute_bed_capacity() -> pd.DataFrame:
    f = "acute_bed_capacity.csv"
    df = _read(f, ["municipality_code", "year_from", "beds", "verified"])
    for col in ("municipality_code", "year_from", "beds"):
        df[col] = _int(df, col, f)
    df["verified"] = _bool(df, "verified", f)
    _unique(df, ["municipality_code", "year_from"], f)
    return df


def clear_cache() -> None:
    """Forget every loaded table so the next call re-reads the CSV files (after an edit, or in tests)."""
    for loader in (_municipalities, _regions, _esp2013, _code_lists, _interventions,
                   _faerdigbehandling_prices, _breaks, _acute_bed_capacity):
        loader.cache_clear()


# --- public loaders -----------------------------------------------------------------------------------------
def municipalities() -> pd.DataFrame:
    """All 98 Danish municipalities with their region.

    Returns
    -------
    pandas.DataFrame
        ``municipality_code`` (int), ``name``, ``region_code`` (int, 1081-1085), ``region_name``,
        ``name_aliases`` (pipe-separated, may be empty), ``population_2019`` (int, approximate, assumed)
        and ``share_65plus_2019`` (float, approximate, assumed). A fresh copy on every call.
    """
    return _municipalities().copy()


def regions() -> pd.DataFrame:
    """The 5 regions with their LPR3 go-live date (``region_code``, ``region_name``, ``lpr3_go_live``)."""
    return _regions().copy()


def esp2013() -> pd.DataFrame:
    """European Standard Population 2013: ``age_band``, ``age_from``, ``age_to`` (90+ → 120), ``weight``."""
    return _esp2013().copy()


def code_lists(*, list_id: str | None = None) -> pd.DataFrame:
    """Versioned diagnosis code lists, one row per prefix.

    Parameters
    ----------
    list_id : str, optional
        Return only this list (e.g. ``"dk_preventable_65"``); all lists when omitted.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CODE_LIST_COLUMNS`; ``verified`` is boolean.

    Raises
    ------
    ReferenceDataError
        If ``list_id`` names no list in the file.
    """
    df = _code_lists()
    if list_id is not None:
        if list_id not in set(df["list"]):
            raise ReferenceDataError(
                f"Code list {list_id!r} is not in diagnosis_codes.csv; known lists: {', '.join(sorted(set(df['list'])))}.")
        df = df[df["list"] == list_id]
    return df.reset_index(drop=True).copy()


def interventions() -> pd.DataFrame:
    """Interventions such as the advisory agreement; ``municipalities`` is a tuple of codes per row."""
    return _interventions().copy()


def faerdigbehandling_prices() -> pd.DataFrame:
    """Price per færdigbehandlingsdag (day waiting after ready for discharge) by year, with ``verified``."""
    return _faerdigbehandling_prices().copy()


def breaks() -> pd.DataFrame:
    """Known breaks in the series (LPR3, COVID-19, strike, policies); ``region_code`` NA means national."""
    return _breaks().copy()


def acute_bed_capacity() -> pd.DataFrame:
    """Municipal acute beds by municipality from ``year_from`` on (assumed values, ``verified`` False)."""
    return _acute_bed_capacity().copy()


def municipality_name_to_code() -> dict[str, int]:
    """Map every municipality name and alias to its code.

    Keys are casefolded; ``"<name> kommune"`` is also accepted. Look up with ``name.strip().casefold()``.

    Returns
    -------
    dict of str to int
        A new dict on every call.
    """
    out: dict[str, int] = {}
    for row in _municipalities().itertuples(index=False):
        names = [row.name] + [a for a in str(row.name_aliases).split("|") if a.strip()]
        for name in names:
            key = name.strip().casefold()
            for variant in (key, f"{key} kommune"):
                if out.setdefault(variant, int(row.municipality_code)) != int(row.municipality_code):
                    raise ReferenceDataError(
                        f"Reference file municipalities.csv: the name or alias {name!r} points to two municipalities.")
    return out


# --- diagnosis codes ------------------------------------------------------------------------------------------
def normalise_diagnosis(code: object) -> str | None:
    """Normalise one diagnosis code to SKS form, or ``None`` if it is not a valid code.

    Rule: strip, upper-case, remove dots and whitespace; if the result starts with a letter followed by two
    digits (bare ICD-10 such as ``J18.9`` or ``D50.1``) prefix ``D``; keep the result only if it matches
    :data:`DIAGNOSIS_PATTERN` (``^D[A-Z][0-9]{2}[0-9A-Z]{0,4}$``).

    Parameters
    ----------
    code : str
        The code as delivered (``DJ189``, ``DJ18.9``, ``J18.9``, ``dj18.9 ``...). Non-strings give ``None``.

    Returns
    -------
    str or None
        e.g. ``"DJ189"``.
    """
    if not isinstance(code, str):
        return None
    text = _STRIP_RE.sub("", code.upper())
    if _ICD_FORM_RE.match(text):
        text = "D" + text
    return text if _DIAGNOSIS_RE.match(text) else None


def normalise_diagnoses(codes: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_diagnosis`: same index, invalid or missing codes become ``None``."""
    text = codes.astype(object).where(codes.map(lambda v: isinstance(v, str)), None)
    text = text.astype("string").str.upper().str.replace(r"[\s.]", "", regex=True)
    text = text.where(~text.str.match(r"^[A-Z][0-9]{2}").fillna(False).astype(bool), "D" + text)
    valid = text.str.fullmatch(DIAGNOSIS_PATTERN).fillna(False).astype(bool)
    return text.where(valid).astype(object).where(valid, None)


def normalise_diagnosis_sql(column: str) -> str:
    """A DuckDB SQL expression normalising ``column`` by the rule of :func:`normalise_diagnosis`.

    Parameters
    ----------
    column : str
        A column name (an identifier, never a value); it is double-quoted in the expression.

    Returns
    -------
    str
        An expression yielding the normalised code or NULL, e.g. for ``SELECT ... AS primary_diagnosis``.
    """
    ident = '"' + column.replace('"', '""') + '"'
    cleaned = f"regexp_replace(upper(CAST({ident} AS VARCHAR)), '[\\s.]', '', 'g')"
    prefixed = (f"(CASE WHEN regexp_matches({cleaned}, '^[A-Z][0-9]{{2}}') "
                f"THEN 'D' || {cleaned} ELSE {cleaned} END)")
    return f"(CASE WHEN regexp_full_match({prefixed}, '{DIAGNOSIS_PATTERN[1:-1]}') THEN {prefixed} END)"


def classify(codes: pd.Series, list_id: str, *, lists: pd.DataFrame | None = None) -> pd.DataFrame:
    """Assign each diagnosis code to a group of a code list by the longest matching prefix.

    Parameters
    ----------
    codes : pandas.Series
        Diagnosis codes in any accepted form; they are normalised first.
    list_id : str
        The code list, e.g. ``"dk_preventable_65"`` or ``"readmission_exclusion"``.
    lists : pandas.DataFrame, optional
        Code lists with at least ``list``, ``group`` and ``prefix`` (default: :func:`code_lists`).

    Returns
    -------
    pandas.DataFrame
        Same index as ``codes``; columns ``code`` (as given), ``normalised`` (or None), ``group`` and
        ``prefix`` (the matching prefix); ``group`` and ``prefix`` are None when no prefix matches.

    Raises
    ------
    ReferenceDataError
        If the list does not exist.
    """
    table = code_lists(list_id=list_id) if lists is None else lists[lists["list"] == list_id]
    if table.empty:
        raise ReferenceDataError(f"Code list {list_id!r} has no prefixes.")
    by_length: dict[int, dict[str, tuple[str, str]]] = {}
    for p, g in zip(table["prefix"], table["group"]):
        by_length.setdefault(len(p), {})[p] = (str(p), str(g))
    lengths = sorted(by_length, reverse=True)

    # Work on the distinct values only: extracts repeat a few thousand codes millions of times.
    positions, uniques = pd.factorize(codes.astype(object), use_na_sentinel=True)
    distinct = [normalise_diagnosis(u) for u in uniques]
    matched: list[tuple[str, str] | None] = []
    for norm in distinct:
        hit = None
        if norm is not None:
            for length in lengths:  # longest prefix first
                hit = by_length[length].get(norm[:length])
                if hit is not None:
                    break
        matched.append(hit)
    lookup_norm = pd.array(distinct + [None], dtype=object)
    lookup_group = pd.array([m[1] if m else None for m in matched] + [None], dtype=object)
    lookup_prefix = pd.array([m[0] if m else None for m in matched] + [None], dtype=object)
    # factorize marks missing values with -1, which indexes the trailing None.
    return pd.DataFrame(
        {
            "code": codes,
            "normalised": pd.Series(lookup_norm[positions], index=codes.index, dtype=object),
            "group": pd.Series(lookup_group[positions], index=codes.index, dtype=object),
            "prefix": pd.Series(lookup_prefix[positions], index=codes.index, dtype=object),
        },
        index=codes.index,
    )

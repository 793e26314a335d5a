"""Row-level validation of a staged extract, as set-based DuckDB SQL.

:func:`typed_select` builds one ``SELECT`` over a staging table (text columns ``c0 … cN`` plus ``_line``)
that parses every canonical column and decides, per row, the first problem found: ``reason_code`` (see
``schema.QUARANTINE_REASONS``), the ``bad_column`` and a one-sentence ``reason``. Rows whose
``reason_code`` is NULL are valid. Values (allowed codes, municipality codes, date formats, the load time)
are passed as parameters; identifiers come only from the schema (an allow-list) and the staging table's
own ``cK`` names.
"""
from __future__ import annotations

from analysis.constants import MAX_AGE, MIN_AGE
from analysis.schema import Kind

# Date-time formats tried after DuckDB's own ISO parser (Danish exports: dd-mm-yyyy and dd.mm.yyyy).
TIMESTAMP_FORMATS = [
    "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H.%M",
]

# SQL macros used by the validation queries; created once per connection.
MACROS = r"""
CREATE OR REPLACE TEMP MACRO ak_num(v) AS TRY_CAST(
    CASE WHEN regexp_full_match(trim(v), '-?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]*)?')
         THEN replace(replace(trim(v), '.', ''), ',', '.')
         ELSE replace(trim(v), ',', '.') END AS DOUBLE);
CREATE OR REPLACE TEMP MACRO ak_int(v) AS CASE WHEN ak_num(v) = floor(ak_num(v)) AND abs(ak_num(v)) < 2e9
    THEN CAST(ak_num(v) AS BIGINT) END;
CREATE OR REPLACE TEMP MACRO ak_ts(v, fmts) AS coalesce(TRY_CAST(trim(v) AS TIMESTAMP), try_strptime(trim(v), fmts));
CREATE OR REPLACE TEMP MACRO ak_dx(v) AS (
    WITH t AS (SELECT regexp_replace(upper(v), '[\s\.]', '', 'g') AS s)
    SELECT CASE WHEN regexp_full_match(x, 'D[A-Z][0-9]{2}[0-9A-Z]{0,4}') THEN x END
    FROM (SELECT CASE WHEN regexp_matches(s, '^[A-Z][0-9]') THEN 'D' || s ELSE s END AS x FROM t));
CREATE OR REPLACE TEMP MACRO ak_cpr_date(v) AS
    regexp_extract(v, '(^|[^0-9])([0-9]{6})-?[0-9]{4}([^0-9]|$)', 2);
CREATE OR REPLACE TEMP MACRO ak_looks_like_cpr(v) AS
    v IS NOT NULL AND regexp_matches(v, '(^|[^0-9])[0-9]{6}-?[0-9]{4}([^0-9]|$)')
    AND try_strptime(ak_cpr_date(v), '%d%m%y') IS NOT NULL;
CREATE OR REPLACE TEMP MACRO ak_band_ok(a, b) AS a IS NOT NULL AND b IS NOT NULL AND a <= b
    AND least(a // 5, 18) = least(b // 5, 18) AND a >= 0 AND b <= 120;
"""

_TYPE_PROBLEM = {
    "timestamp": ("unparseable_date", "cannot be read as a date/time (expected e.g. 2019-03-31 14:05 or 31-03-2019)"),
    "int": ("unparseable_number", "is not a whole number"),
    "number": ("unparseable_number", "is not a number"),
    "code": ("unknown_municipality", "is not one of the 98 municipality codes"),
    "sex": ("invalid_sex", "is not F or M (K is read as F)"),
    "diagnosis": ("invalid_diagnosis", "is not an ICD-10/SKS diagnosis code (e.g. DJ189 or J18.9)"),
    "enum": ("invalid_value", "is not an allowed value"),
    "age_band": ("invalid_age_band", "is neither a whole year of age nor a 5-year band such as 65-69 or 90+"),
}


_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT"}


def _native_kind(duck_type: str | None, column_type: str) -> str | None:
    """Which native (non-text) source column can be used without a text round trip."""
    if not duck_type:
        return None
    t = duck_type.upper()
    if column_type == "timestamp" and (t.startswith("TIMESTAMP") or t == "DATE"):
        return "timestamp"
    if column_type in ("int", "code") and t in _INTEGER_TYPES:
        return "integer"
    if column_type == "number" and (t in _INTEGER_TYPES or t in ("DOUBLE", "FLOAT") or t.startswith("DECIMAL")):
        return "number"
    return None


def _q(text: str) -> str:
    """A SQL string literal for fixed text written in this module (never for data values)."""
    return "'" + text.replace("'", "''") + "'"


class SqlParams:
    """Collects parameter values and hands out ``$pN`` placeholders."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def add(self, value: object) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return "$" + name


def _mapped(raw: str, column: str, value_map: dict[str, str], params: SqlParams) -> str:
    """CASE expression translating source codes (case-insensitive) to canonical ones via the mapping."""
    if not value_map:
        return "lower(" + raw + ")"
    keys = params.add(list(value_map.keys()))
    vals = params.add(list(value_map.values()))
    return ("coalesce(" + vals + "[list_position(" + keys + ", lower(" + raw + "))], lower(" + raw + "))")


def typed_select(
    kind: Kind,
    source_cols: dict[str, str],
    *,
    table: str,
    value_maps: dict[str, dict[str, str]],
    municipality_codes: list[int],
    now: object,
    params: SqlParams,
    where: str = "",
    source_types: dict[str, str] | None = None,
) -> str:
    """SQL selecting parsed canonical columns, ``_line``, ``raw_key`` and the first problem of each row.

    ``source_cols`` maps a canonical column to the staging column (``cK``) that holds it; optional columns
    absent from the file are NULL. ``source_types`` gives the staging column's DuckDB type where it is not
    text (Parquet): a native timestamp or integer column is used as it is, without a text round trip.
    """
    source_types = source_types or {}
    kinds_used = {c.type for c in kind.columns}
    munis = params.add(municipality_codes) if "code" in kinds_used else ""
    now_param = params.add(now) if "timestamp" in kinds_used else ""
    fmts = ""
    # The query is built in layers so that every expression is computed once per row:
    # raws (trimmed text) -> prep (cheap intermediates) -> parsed values -> index of the first failed check
    # -> reason code, column and sentence (built only for failing rows).
    raws: list[str] = []
    prep: list[str] = []
    parsed: list[str] = []
    checks: list[tuple[str, str, str, str]] = []  # (condition, column, code, message SQL)
    for col in kind.columns:
        src = source_cols.get(col.name)
        name = col.name
        raw = "raw_" + name
        native = _native_kind(source_types.get(name), col.type) if src else None
        if native:
            raws.append(src + " AS " + raw)
        elif src and source_types.get(name):  # another native type: read it as text
            raws.append("NULLIF(trim(CAST(" + src + " AS VARCHAR)), '') AS " + raw)
        else:
            raws.append(("NULLIF(trim(" + src + "), '')" if src else "CAST(NULL AS VARCHAR)") + " AS " + raw)
        if native == "timestamp":
            expr = "CAST(" + raw + " AS TIMESTAMP)"
        elif native == "integer" and col.type == "int":
            expr = "CAST(" + raw + " AS BIGINT)"
        elif native == "integer":  # municipality code stored as a number
            parsed.append("CAST(" + raw + " AS BIGINT) AS _i_" + name)
            expr = None
        elif native == "number":
            expr = "CAST(" + raw + " AS DOUBLE)"
        elif col.type == "text":
            expr = raw
        elif col.type == "timestamp":
            fmts = fmts or params.add(TIMESTAMP_FORMATS)  # only when a text date column needs it
            expr = "coalesce(TRY_CAST(" + raw + " AS TIMESTAMP), try_strptime(" + raw + ", " + fmts + "))"
        elif col.type in ("int", "code"):
            # fast path: a plain number; slow path (Danish decimal comma / thousands dot) only when needed
            prep.append("TRY_CAST(" + raw + " AS DOUBLE) AS _d_" + name)
            whole = "CASE WHEN _d_{n} = floor(_d_{n}) AND abs(_d_{n}) < 2e9 THEN CAST(_d_{n} AS BIGINT) END"
            expr = "coalesce(" + whole.format(n=name) + ", ak_int(" + raw + "))"
            if col.type == "code":
                parsed.append(expr + " AS _i_" + name)
                expr = None
        elif col.type == "number":
            expr = ("CASE WHEN contains(" + raw + ", '.') OR contains(" + raw + ", ',') THEN ak_num(" + raw
                    + ") ELSE TRY_CAST(" + raw + " AS DOUBLE) END")
        elif col.type == "sex":
            prep.append(_mapped(raw, name, value_maps.get("sex", {}), params) + " AS _m_" + name)
            expr = "CASE WHEN upper(_m_" + name + ") IN ('F', 'M') THEN upper(_m_" + name + ") END"
        elif col.type == "enum":
            prep.append(_mapped(raw, name, value_maps.get(name, {}), params) + " AS _m_" + name)
            allowed = params.add(list(col.values))
            expr = "CASE WHEN list_contains(" + allowed + ", _m_" + name + ") THEN _m_" + name + " END"
        elif col.type == "diagnosis":
            prep.append("replace(replace(upper(" + raw + "), '.', ''), ' ', '') AS _s_" + name)
            parsed.append("CASE WHEN substr(_s_{n}, 2, 1) BETWEEN '0' AND '9' THEN 'D' || _s_{n} ELSE _s_{n} END"
                          " AS _x_{n}".format(n=name))
            expr = None
        elif col.type == "age_band":
            prep.append("regexp_extract(" + raw + ", '^([0-9]+) *(?:([-–]) *([0-9]+)|(\\+))?$', ['a', 'dash', 'b', 'plus'])"
                        " AS _band")
            parsed.append("TRY_CAST(nullif(_band.a, '') AS INTEGER) AS age_from_raw")
            parsed.append("CASE WHEN _band.plus = '+' THEN " + str(MAX_AGE) + " WHEN _band.b <> '' THEN"
                          " TRY_CAST(_band.b AS INTEGER) ELSE TRY_CAST(nullif(_band.a, '') AS INTEGER) END AS age_to_raw")
            checks.append(("raw_age IS NULL", name, "missing_value", _q("'age' is empty")))
            checks.append((
                "NOT coalesce(ak_band_ok(age_from_raw, age_to_raw), false)", name, "invalid_age_band",
                _q("age '") + " || raw_age || " + _q("' " + _TYPE_PROBLEM["age_band"][1]),
            ))
            continue
        else:  # pragma: no cover - the schema only uses the types above
            raise ValueError(f"unknown column type {col.type}")
        if expr is not None:
            parsed.append(expr + " AS " + name)
        if not col.nullable:
            checks.append((raw + " IS NULL", name, "missing_value", _q(f"'{name}' is empty")))
        if col.type != "text":
            code, text = _TYPE_PROBLEM[col.type]
            checks.append((
                raw + " IS NOT NULL AND " + name + " IS NULL", name, code,
                _q(f"{name} '") + " || " + raw + " || " + _q("' " + text),
            ))
        if name == "age":
            checks.append((
                "age NOT BETWEEN " + str(MIN_AGE) + " AND " + str(MAX_AGE), name, "age_out_of_range",
                _q("age ") + " || age || " + _q(f" is outside {MIN_AGE}-{MAX_AGE}"),
            ))
        if col.type == "timestamp":
            checks.append((
                name + " > " + now_param, name, "future_date",
                _q(f"{name} ") + " || " + name + " || " + _q(" lies after the time of loading"),
            ))
        if name in ("gp_advice_contacts", "population"):
            checks.append((name + " < 0", name, "invalid_value", _q(f"{name} is negative")))
    # Second-stage parsed values that depend on first-stage ones.
    final: list[str] = []
    for col in kind.columns:
        if col.type == "code":
            final.append("CASE WHEN list_contains(" + munis + ", _i_{n}) THEN _i_{n} END AS {n}".format(n=col.name))
        elif col.type == "diagnosis":
            final.append("CASE WHEN regexp_full_match(_x_{n}, 'D[A-Z][0-9]{{2}}[0-9A-Z]{{0,4}}') THEN _x_{n} END AS {n}"
                         .format(n=col.name))
    # Cross-column rules of each kind.
    if kind.name == "acute_bed_stays":
        checks.append(("ended_at < started_at", "ended_at", "end_before_start", _q("the stay ends before it starts")))
        checks.append((
            "ended_at IS NOT NULL AND outcome IS NULL AND raw_outcome IS NULL", "outcome", "missing_value",
            _q("'outcome' is empty although the stay has ended"),
        ))
    key_raw = "raw_" + kind.key[0] if len(kind.key) == 1 else "CAST(NULL AS VARCHAR)"
    fail_sql = "CASE " + " ".join("WHEN " + c + " THEN " + str(i) for i, (c, _, _, _) in enumerate(checks)) + " END"
    code_sql = "CASE _fail " + " ".join("WHEN " + str(i) + " THEN " + _q(code) for i, (_, _, code, _) in enumerate(checks)) + " END"
    col_sql = "CASE _fail " + " ".join("WHEN " + str(i) + " THEN " + _q(col) for i, (_, col, _, _) in enumerate(checks)) + " END"
    msg_sql = "CASE _fail " + " ".join("WHEN " + str(i) + " THEN " + m for i, (_, _, _, m) in enumerate(checks)) + " END"
    layer1 = "SELECT " + ", ".join(raws) + ", _line FROM " + table + (" WHERE " + where if where else "")
    layer2 = "SELECT *" + "".join(", " + p for p in prep) + " FROM (" + layer1 + ")"
    layer3 = "SELECT *, " + ", ".join(parsed) + " FROM (" + layer2 + ")"
    layer4 = "SELECT *" + "".join(", " + f for f in final) + " FROM (" + layer3 + ")"
    layer5 = "SELECT *, " + fail_sql + " AS _fail FROM (" + layer4 + ")"
    keep = [c.name for c in kind.columns if c.type != "age_band"]
    if kind.name == "population":
        keep += ["age_from_raw", "age_to_raw"]
    return (
        "SELECT " + ", ".join(keep) + ", _line, CAST(" + key_raw + " AS VARCHAR) AS raw_key, " + code_sql + " AS reason_code, "
        + col_sql + " AS bad_column, " + msg_sql + " AS reason FROM (" + layer5 + ")"
    )

"""The shared sidebar filters as one value: parsed from and written to the URL.

Every page reads the same :class:`Filters` (period, area, age group, sex, diagnosis groups, indicator
definition, crude or standardised). The app binds each filter to a URL query parameter, so a copied link
reproduces the view; :meth:`Filters.from_params` turns those parameters back into a ``Filters`` and
falls back to the default for every value that is malformed or stale (a municipality code that does not
exist, a month outside the data), returning the names of the parameters it reset so the page can show a
small notice instead of an error. :meth:`Filters.to_params` is the reverse; a value equal to its
default is left out, so links stay short.

URL parameters
--------------
========== ================================================ ===========================
key        value                                            default
========== ================================================ ===========================
start      first month, ``YYYY-MM``                         first month of the data
end        last month (inclusive), ``YYYY-MM``              last month of the data
area       ``national``, ``region:<code>`` or ``muni:<codes>`` ``region:1082``
           (one or more comma-separated kommunekoder)       (Region Midtjylland)
age        ``65+``, ``all``, ``0-64``, ``65-79``, ``80+``   ``65+``
sex        ``all``, ``F``, ``M``                            ``all``
groups     comma-separated diagnosis groups of the          empty (all groups)
           chosen definition
definition ``dk_preventable_65``, ``oecd_pqi``,             ``dk_preventable_65``
           ``acsc_purdy2009``
std        ``1`` (standardised) or ``0`` (crude)            ``0``
stdpop     standard population of standardised rates:       ``esp2013``
           ``esp2013`` or a year (``2019``: Region
           Midtjylland's own population that year)
========== ================================================ ===========================

Nothing here touches the database or Streamlit; validation uses :mod:`analysis.reference`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import lru_cache

from analysis import reference

__all__ = [
    "AGE_GROUPS",
    "AREA_NATIONAL",
    "DEFAULT_AREA",
    "DEFAULT_END",
    "DEFAULT_START",
    "DEFINITIONS",
    "PARAM_KEYS",
    "SEXES",
    "STANDARD_ESP2013",
    "STANDARD_REGION_CODE",
    "FilterError",
    "Filters",
    "diagnosis_groups_of",
]

DEFAULT_START, DEFAULT_END = "2016-01", "2022-12"  # the demo data's span; used when no data range is known
AREA_NATIONAL = "national"
DEFAULT_AREA = "region:1082"  # Region Midtjylland: the product's home region
AGE_GROUPS = ("65+", "all", "0-64", "65-79", "80+")  # 65+ first: the national indicator's population
SEXES = ("all", "F", "M")
DEFINITIONS = ("dk_preventable_65", "oecd_pqi", "acsc_purdy2009")
STANDARD_ESP2013 = "esp2013"
STANDARD_REGION_CODE = 1082  # "the region's own population": Region Midtjylland's, by age band x sex
# URL key -> field name, in the order parameters are written
PARAM_KEYS = {
    "start": "start",
    "end": "end",
    "area": "area",
    "age": "age_group",
    "sex": "sex",
    "groups": "diagnosis_groups",
    "definition": "definition",
    "std": "standardised",
    "stdpop": "standard_year",
}
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class FilterError(ValueError):
    """A filter value that cannot be used (one sentence saying which value and what is allowed)."""


@lru_cache(maxsize=1)
def _municipality_regions() -> dict[int, int]:
    m = reference.municipalities()
    return dict(zip(m["municipality_code"].astype(int), m["region_code"].astype(int)))


@lru_cache(maxsize=1)
def _region_codes() -> frozenset[int]:
    return frozenset(int(c) for c in reference.regions()["region_code"])


@lru_cache(maxsize=8)
def diagnosis_groups_of(definition: str) -> tuple[str, ...]:
    """The diagnosis groups of a definition's code list, sorted (e.g. ``dehydration``, ``fractures``)."""
    if definition not in DEFINITIONS:
        raise FilterError(f"definition must be one of {', '.join(DEFINITIONS)}, got {definition!r}.")
    return tuple(sorted(set(reference.code_lists(list_id=definition)["group"])))


def _check_month(value: str, name: str) -> str:
    match = _MONTH_RE.match(value) if isinstance(value, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise FilterError(f"{name} must be a month written YYYY-MM (e.g. 2019-09), got {value!r}.")
    return value


def _normalise_area(area: str) -> str:
    """The canonical spelling of an area, or FilterError (unknown region or municipality code)."""
    if not isinstance(area, str):
        raise FilterError(f"area must be text such as 'region:1082', got {area!r}.")
    text = area.strip()
    if text == AREA_NATIONAL:
        return text
    kind, _, rest = text.partition(":")
    if kind == "region":
        try:
            code = int(rest)
        except ValueError:
            raise FilterError(f"area {area!r}: a region is written region:<code>, e.g. region:1082.") from None
        if code not in _region_codes():
            raise FilterError(f"area {area!r}: {code} is not a region code ({', '.join(map(str, sorted(_region_codes())))}).")
        return f"region:{code}"
    if kind == "muni":
        try:
            codes = sorted({int(c) for c in rest.split(",") if c.strip()})
        except ValueError:
            raise FilterError(f"area {area!r}: municipalities are written muni:<code>[,<code>...], e.g. muni:751,730.") from None
        unknown = [c for c in codes if c not in _municipality_regions()]
        if not codes or unknown:
            raise FilterError(f"area {area!r}: unknown municipality code(s) {', '.join(map(str, unknown)) or '(none given)'}.")
        return "muni:" + ",".join(str(c) for c in codes)
    raise FilterError(f"area must be 'national', 'region:<code>' or 'muni:<codes>', got {area!r}.")


@dataclass(frozen=True)
class Filters:
    """The shared filters of every page (immutable, hashable: usable as a cache key).

    Attributes
    ----------
    start, end : str
        First and last month of the period, ``YYYY-MM``, both included; ``start <= end``.
    area : str
        ``'national'``, ``'region:<region_code>'`` or ``'muni:<codes>'`` (codes sorted and de-duplicated
        on construction, so ``'muni:751,730'`` becomes ``'muni:730,751'``).
    age_group : str
        One of :data:`AGE_GROUPS`. Indicators with their own age limit (avoidable admissions and acute-bed
        stays are 65+) use the overlap of the two.
    sex : str
        ``'all'``, ``'F'`` or ``'M'``.
    diagnosis_groups : tuple of str
        Groups of ``definition``'s code list to include (sorted, unique); empty means all groups.
    definition : str
        The avoidable-admission definition: one of :data:`DEFINITIONS`.
    standardised : bool
        Show directly age-sex-standardised rates where the indicator has them.
    standard_year : int or None
        The standard population of those rates: None for the European Standard Population 2013 (the
        default), or a year for Region Midtjylland's own population of that year (age band x sex).

    Raises
    ------
    FilterError
        On construction with a value outside the allowed ones (one sentence naming it).
    """

    start: str = DEFAULT_START
    end: str = DEFAULT_END
    area: str = DEFAULT_AREA
    age_group: str = "65+"
    sex: str = "all"
    diagnosis_groups: tuple[str, ...] = ()
    definition: str = "dk_preventable_65"
    standardised: bool = False
    standard_year: int | None = None

    def __post_init__(self) -> None:
        _check_month(self.start, "start")
        _check_month(self.end, "end")
        if self.start > self.end:
            raise FilterError(f"start ({self.start}) must not be after end ({self.end}).")
        object.__setattr__(self, "area", _normalise_area(self.area))
        if self.age_group not in AGE_GROUPS:
            raise FilterError(f"age_group must be one of {', '.join(AGE_GROUPS)}, got {self.age_group!r}.")
        if self.sex not in SEXES:
            raise FilterError(f"sex must be one of {', '.join(SEXES)}, got {self.sex!r}.")
        if self.definition not in DEFINITIONS:
            raise FilterError(f"definition must be one of {', '.join(DEFINITIONS)}, got {self.definition!r}.")
        groups = self.diagnosis_groups
        if isinstance(groups, str) or not all(isinstance(g, str) for g in groups):
            raise FilterError("diagnosis_groups must be a tuple of group names.")
        groups = tuple(sorted(set(groups)))
        unknown = [g for g in groups if g not in diagnosis_groups_of(self.definition)]
        if unknown:
            raise FilterError(f"diagnosis group(s) {', '.join(unknown)} are not groups of {self.definition}.")
        object.__setattr__(self, "diagnosis_groups", groups)
        if not isinstance(self.standardised, bool):
            raise FilterError(f"standardised must be True or False, got {self.standardised!r}.")
        if self.standard_year is not None and (
                isinstance(self.standard_year, bool) or not isinstance(self.standard_year, int)
                or not 1900 <= self.standard_year <= 2100):
            raise FilterError(f"standard_year must be None (ESP 2013) or a year such as 2019, got {self.standard_year!r}.")

    @property
    def standard_label(self) -> str:
        """``'ESP 2013'`` or ``'Region Midtjylland 2019'`` (names are not translated)."""
        return "ESP 2013" if self.standard_year is None else f"Region Midtjylland {self.standard_year}"

    # --- derived views ---------------------------------------------------------------------------
    @property
    def area_kind(self) -> str:
        """``'national'``, ``'region'`` or ``'muni'``."""
        return self.area.partition(":")[0]

    @property
    def region_code(self) -> int | None:
        """The region of a ``region:`` area (None otherwise)."""
        return int(self.area.partition(":")[2]) if self.area_kind == "region" else None

    @property
    def municipality_codes(self) -> tuple[int, ...]:
        """Every municipality of the area (all 98 for ``national``), sorted."""
        regions = _municipality_regions()
        if self.area_kind == "national":
            return tuple(sorted(regions))
        if self.area_kind == "region":
            return tuple(sorted(c for c, r in regions.items() if r == self.region_code))
        return tuple(int(c) for c in self.area.partition(":")[2].split(","))

    @property
    def comparison_region_codes(self) -> tuple[int, ...]:
        """The regions whose municipalities are compared (all five for ``national``)."""
        regions = _municipality_regions()
        if self.area_kind == "national":
            return tuple(sorted(set(regions.values())))
        return tuple(sorted({regions[c] for c in self.municipality_codes}))

    def comparison_view(self) -> Filters:
        """These filters with the area widened to the region whose municipalities are compared, when the
        selection lies in one region (a comparison table is then the same for every selection in it, and
        can be cached once; the caller marks its own municipalities)."""
        regions = self.comparison_region_codes
        if self.area_kind == "muni" and len(regions) == 1:
            return replace(self, area=f"region:{regions[0]}")
        return self

    # --- defaults and URL parameters -------------------------------------------------------------
    @classmethod
    def default(cls, data_range: tuple[str, str] | None = None) -> Filters:
        """The default filters: the whole data range (or 2016-01..2022-12), Region Midtjylland, 65+."""
        if data_range:
            return cls(start=data_range[0], end=data_range[1])
        return cls()

    @classmethod
    def from_params(
        cls, params: Mapping[str, str], *, data_range: tuple[str, str] | None = None
    ) -> tuple[Filters, list[str]]:
        """Filters from URL query parameters; bad or stale values fall back to their defaults.

        Parameters
        ----------
        params : mapping of str to str
            The query parameters (``st.query_params`` or a plain dict); unknown keys are ignored. A list
            value (repeated parameter) uses its last element.
        data_range : (str, str), optional
            First and last month of the data (``queries.data_range(con)``): the default period, and months
            outside it count as stale.

        Returns
        -------
        (Filters, list of str)
            The filters and the URL keys whose values were dropped (e.g. ``['area', 'groups']``), in
            :data:`PARAM_KEYS` order. When ``start``/``end`` are each valid but in the wrong order, both
            are reset. Groups that do not belong to the (possibly reset) definition drop the whole
            ``groups`` value.
        """
        default = cls.default(data_range)
        values: dict[str, object] = {}
        dropped: list[str] = []

        def raw(key: str) -> str | None:
            if key not in params:
                return None
            value = params[key]
            if isinstance(value, (list, tuple)):
                value = value[-1] if value else None
            return None if value is None else str(value).strip()

        def month(key: str) -> None:
            text = raw(key)
            if text is None or text == "":
                return
            try:
                _check_month(text, key)
            except FilterError:
                dropped.append(key)
                return
            if data_range and not data_range[0] <= text <= data_range[1]:
                dropped.append(key)
                return
            values[PARAM_KEYS[key]] = text

        month("start")
        month("end")
        if values.get("start", default.start) > values.get("end", default.end):
            for key in ("start", "end"):
                if PARAM_KEYS[key] in values:
                    values.pop(PARAM_KEYS[key])
                    dropped.append(key)

        text = raw("area")
        if text:
            try:
                values["area"] = _normalise_area(text)
            except FilterError:
                dropped.append("area")
        for key, allowed in (("age", AGE_GROUPS), ("sex", SEXES), ("definition", DEFINITIONS)):
            text = raw(key)
            if text:
                if text in allowed:
                    values[PARAM_KEYS[key]] = text
                else:
                    dropped.append(key)
        text = raw("std")
        if text:
            if text in ("1", "0"):
                values["standardised"] = text == "1"
            else:
                dropped.append("std")
        text = raw("stdpop")
        if text and text != STANDARD_ESP2013:
            years = range(int(data_range[0][:4]), int(data_range[1][:4]) + 1) if data_range else range(1900, 2101)
            if text.isdigit() and int(text) in years:
                values["standard_year"] = int(text)
            else:
                dropped.append("stdpop")
        text = raw("groups")
        if text:
            groups = tuple(sorted({g.strip() for g in text.split(",") if g.strip()}))
            definition = values.get("definition", default.definition)
            if groups and set(groups) <= set(diagnosis_groups_of(str(definition))):
                values["diagnosis_groups"] = groups
            else:
                dropped.append("groups")
        order = list(PARAM_KEYS)
        return replace(default, **values), sorted(set(dropped), key=order.index)

    def to_params(self, *, data_range: tuple[str, str] | None = None) -> dict[str, str]:
        """URL query parameters for these filters; values equal to the default are left out.

        ``Filters.from_params(f.to_params(data_range=r), data_range=r)`` gives back ``f`` with no notices.
        """
        default = Filters.default(data_range)
        out: dict[str, str] = {}
        for key, name in PARAM_KEYS.items():
            value = getattr(self, name)
            if value == getattr(default, name):
                continue
            if name == "diagnosis_groups":
                out[key] = ",".join(value)
            elif name == "standardised":
                out[key] = "1" if value else "0"
            elif name == "standard_year":
                out[key] = str(value)
            else:
                out[key] = str(value)
        return out

    def as_dict(self) -> dict[str, object]:
        """Plain field values (for logging and cache keys)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

"""Column and code mapping: a source's own (often Danish) names and codes onto the canonical contract.

A mapping is a TOML file with two parts::

    [columns]
    kommunekode = "municipality_code"   # source column (case-insensitive) = canonical column

    [values.sex]
    k = "F"                              # source value (case-insensitive) = canonical value

The shipped default (``data/mapping/default.toml``) knows the common Danish names; a user file given with
``--mapping`` is read on top of it and wins where both name the same thing.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from analysis.constants import DEFAULT_MAPPING_FILE
from analysis.schema import KINDS


class MappingError(ValueError):
    """The mapping file cannot be used (unreadable, or it names a column that is not in the contract)."""


def normalise_name(name: str) -> str:
    """Header names compare case-insensitively, with spaces and dashes read as underscores."""
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


CANONICAL_COLUMNS = sorted({c for k in KINDS.values() for c in k.names})


@dataclass
class Mapping:
    """Source column name -> canonical column, and per canonical column: source value -> canonical value."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def canonical(self, source_name: str) -> str | None:
        key = normalise_name(source_name)
        if key in CANONICAL_COLUMNS:
            return key
        return self.columns.get(key)

    def merged(self, other: "Mapping") -> "Mapping":
        values = {k: dict(v) for k, v in self.values.items()}
        for col, table in other.values.items():
            values.setdefault(col, {}).update(table)
        return Mapping({**self.columns, **other.columns}, values, self.sources + other.sources)


def read_mapping(path: Path) -> Mapping:
    """Read one mapping TOML file; raise :class:`MappingError` naming the file and the problem."""
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise MappingError(f"mapping file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"mapping file {path} is not valid TOML: {exc}") from exc
    unknown = set(doc) - {"columns", "values"}
    if unknown:
        raise MappingError(f"mapping file {path}: unknown section(s) {sorted(unknown)}; use [columns] and [values.<column>]")
    columns: dict[str, str] = {}
    for src, target in doc.get("columns", {}).items():
        if target not in CANONICAL_COLUMNS:
            raise MappingError(
                f"mapping file {path}: column '{src}' maps to '{target}', which is not a canonical column "
                f"(expected one of: {', '.join(CANONICAL_COLUMNS)})"
            )
        columns[normalise_name(src)] = target
    values: dict[str, dict[str, str]] = {}
    for col, table in doc.get("values", {}).items():
        if col not in CANONICAL_COLUMNS or not isinstance(table, dict):
            raise MappingError(f"mapping file {path}: [values.{col}] must name a canonical column and list source = target pairs")
        values[col] = {str(k).strip().lower(): str(v) for k, v in table.items()}
    return Mapping(columns, values, [str(path)])


def load_mapping(user_file: Path | str | None = None) -> Mapping:
    """The default mapping, with ``user_file`` (if given) read on top of it."""
    mapping = read_mapping(DEFAULT_MAPPING_FILE)
    if user_file is not None:
        mapping = mapping.merged(read_mapping(Path(user_file)))
    return mapping

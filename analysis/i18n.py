"""Every text the interface shows, in Danish (default) and English, and number formatting per language.

Pages never hard-code a visible string: they call :func:`t`. A test checks that every key has both
languages.
"""
from __future__ import annotations

from babel.numbers import format_decimal

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
_LOCALE = {"da": "da_DK", "en": "en_GB"}

from analysis.texts import TEXT_MODULES

# One table of every interface text, merged from analysis/texts/*.py (one module per page, so that pages
# can be edited independently). A key may be defined only once: tests/test_architecture.py checks it.
TEXTS: dict[str, dict[str, str]] = {k: v for module in TEXT_MODULES for k, v in module.TEXTS.items()}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fmt: object) -> str:
    """The text for ``key`` in ``lang`` (falls back to Danish), with ``{name}`` fields filled from ``fmt``."""
    entry = TEXTS[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**fmt) if fmt else text


def fmt_number(value: float | int, lang: str = DEFAULT_LANGUAGE, *, decimals: int = 0) -> str:
    """Danish: 1.234,5 — English: 1,234.5."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_LOCALE.get(lang, "da_DK"))

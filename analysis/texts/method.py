"""Texts of the method page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
}

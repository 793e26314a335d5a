"""Texts of the data page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
}

"""Texts of the overview page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
}

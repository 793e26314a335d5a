"""Texts of the los page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
}

"""Texts of the avoidable page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
}

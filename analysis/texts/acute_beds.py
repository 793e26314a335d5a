"""Texts of the acute_beds page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
}

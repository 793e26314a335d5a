"""Texts of the readmissions page (Danish and English)."""

TEXTS: dict[str, dict[str, str]] = {
}

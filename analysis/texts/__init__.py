"""Interface texts, one module per page; ``analysis.i18n`` merges them into one table."""
from analysis.texts import acute_beds, avoidable, common, data, effect, los, method, overview, readmissions

TEXT_MODULES = [common, overview, avoidable, los, readmissions, acute_beds, data, method, effect]

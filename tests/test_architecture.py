"""Architecture rules: imports point one way (pages -> analysis), texts exist in both languages."""
from __future__ import annotations

import ast
from pathlib import Path

from analysis.i18n import LANGUAGES, TEXTS

ROOT = Path(__file__).parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_analysis_never_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "analysis").rglob("*.py") if "streamlit" in _imports(p)]
    assert offenders == [], f"analysis/ must stay importable without Streamlit: {offenders}"


def test_every_text_exists_in_every_language():
    missing = [(key, lang) for key, entry in TEXTS.items() for lang in LANGUAGES if not entry.get(lang)]
    assert missing == []


def test_pages_use_only_known_text_keys():
    used: set[str] = set()
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t" and node.args:
                if isinstance(node.args[0], ast.Constant):
                    used.add(node.args[0].value)
    assert used and used <= set(TEXTS), sorted(used - set(TEXTS))


def test_no_text_key_is_defined_twice():
    from analysis.texts import TEXT_MODULES

    seen: dict[str, str] = {}
    clashes = []
    for module in TEXT_MODULES:
        for key in module.TEXTS:
            if key in seen:
                clashes.append((key, seen[key], module.__name__))
            seen[key] = module.__name__
    assert clashes == []

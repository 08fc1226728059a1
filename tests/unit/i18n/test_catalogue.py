"""The Simplified Chinese catalogue against the source: every msgid translated, every
placeholder kept, nothing stale.

Msgids are extracted here exactly as `pybabel extract` does it: the method map of babel.cfg
(python for server/, jinja2 for web/templates/) and the default keywords plus `N_` and the
second argument of `translate`. To bring the catalogue up to date after a failure:

    pybabel extract -F babel.cfg -k N_ -k translate:2 -o /tmp/messages.pot .
    pybabel update -i /tmp/messages.pot -d web/locale -l zh --ignore-obsolete

then translate the new (empty or fuzzy) entries in web/locale/zh/LC_MESSAGES/messages.po."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from server.i18n import CATALOGUE_DIR, translate
from server.settings import REPO_ROOT

BABEL_CFG = REPO_ROOT / "babel.cfg"
CATALOGUE = CATALOGUE_DIR / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["N_", "translate:2"])}

# A printf conversion: `%(name)s`, `%s`, `%.1f`, `%%` …
CONVERSION = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
HAN = re.compile(r"[\u4e00-\u9fff]")

Key = tuple[str | tuple[str, ...], str | None]  # (msgid or (singular, plural), msgctxt)


@cache
def extracted() -> dict[Key, list[str]]:
    """Every msgid in the source tree, with where it occurs."""
    with BABEL_CFG.open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(BABEL_CFG))
    found: dict[Key, list[str]] = defaultdict(list)
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(REPO_ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else tuple(message)
        found[(msgid, context)].append(f"{filename}:{lineno}")
    return dict(found)


@cache
def catalogue() -> Catalog:
    with CATALOGUE.open("rb") as po:
        return read_po(po)


def _entries():
    return [m for m in catalogue() if m.id]


def _texts(value) -> list[str]:
    """A msgid or msgstr as its list of forms (one, or several for plurals)."""
    if isinstance(value, str):
        return [value]
    return [v or "" for v in value]


def _conversions(text: str) -> set[str]:
    return {m.group(0) for m in CONVERSION.finditer(text)}


def _describe(key: Key) -> str:
    msgid, context = key
    where = ", ".join(extracted().get(key, [])[:3])
    label = repr(msgid) if context is None else f"{msgid!r} (context {context!r})"
    return f"{label} at {where}" if where else label


def test_extraction_covers_python_and_templates():
    places = [place for places in extracted().values() for place in places]
    assert any(place.startswith("server/") for place in places), "no msgid found in server/"
    assert any(place.startswith("web/templates/") for place in places), (
        "no msgid found in web/templates/"
    )


def test_catalogue_header():
    cat = catalogue()
    headers = dict(cat.mime_headers)
    assert headers.get("Language") == "zh_CN"
    assert cat.plural_forms == "nplurals=1; plural=0;"
    assert cat.charset.lower() == "utf-8"


def test_every_msgid_has_a_chinese_translation():
    cat = catalogue()
    untranslated = []
    for key in extracted():
        msgid, context = key
        entry = cat.get(msgid, context=context)
        forms = _texts(entry.string) if entry is not None else []
        if entry is None or entry.fuzzy or not forms or not all(f.strip() for f in forms):
            state = "missing" if entry is None else "fuzzy" if entry.fuzzy else "empty"
            untranslated.append(f"{state}: {_describe(key)}")
    assert not untranslated, "msgids without a zh translation:\n" + "\n".join(untranslated)


def test_translations_keep_their_placeholders():
    wrong = []
    for entry in _entries():
        expected = set().union(*(_conversions(t) for t in _texts(entry.id)))
        for form in _texts(entry.string):
            if not form:
                continue  # reported by the translation test
            found = _conversions(form)
            stray = "%" in CONVERSION.sub("", form)
            if found != expected or stray:
                wrong.append(
                    f"{entry.id!r}: msgid has {sorted(expected)}, translation {form!r} has "
                    f"{sorted(found)}" + (" and a stray '%'" if stray else "")
                )
    assert not wrong, "translations that change the placeholders:\n" + "\n".join(wrong)


def test_catalogue_holds_no_obsolete_entries():
    keys = set(extracted())
    stale = [
        repr(entry.id) if entry.context is None else f"{entry.id!r} (context {entry.context!r})"
        for entry in _entries()
        if (entry.id, entry.context) not in keys
    ]
    stale += [f"{entry.id!r} (kept as #~)" for entry in catalogue().obsolete.values()]
    assert not stale, "catalogue entries no longer in the source:\n" + "\n".join(stale)


def test_translate_answers_in_the_chosen_language():
    chinese = translate("zh", "Log in")
    assert chinese != "Log in"
    assert HAN.search(chinese), chinese
    assert translate("en", "Log in") == "Log in"

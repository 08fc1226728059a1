"""Translation: English msgids in the code and templates, Simplified Chinese by default.

The catalogue is `web/locale/<locale>/LC_MESSAGES/messages.po`, compiled in memory at start,
so there is no build step to forget."""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import pass_context

from server.settings import WEB_DIR

LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"
LOCALE_NAMES = {"zh": "中文", "en": "English"}
CATALOGUE_DIR = WEB_DIR / "locale"


@cache
def translations(locale: str) -> gettext.NullTranslations:
    path = CATALOGUE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def N_(message: str) -> str:
    """Marks a msgid for extraction where it is translated later, at render time."""
    return message


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The user's own choice, else the browser's first supported language, else Chinese."""
    if chosen in LOCALES:
        return chosen
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag[:2] in LOCALES:
            return tag[:2]
    return DEFAULT_LOCALE


def request_locale(request) -> str:
    user = request.scope.get("user")
    chosen = getattr(user, "locale", "") or request.cookies.get("lang")
    return negotiate(chosen, request.headers.get("accept-language"))


def translate(locale: str, message: str, params: dict | None = None) -> str:
    text = translations(locale).gettext(message)
    return text % params if params else text


# Punctuation differs by language (Chinese: full-width ： and （）), so a label and its value, or
# a text and a remark in brackets, are put together by the catalogue; the templates' `labelled`
# and `aside` macros (web/templates/_macros.html) use the same msgids.
LABELLED = N_("%(label)s: %(value)s")
ASIDE = N_("%(text)s (%(remark)s)")
# Chinese enumerates with 、, English with a comma.
LISTED = N_("%(list)s, %(item)s")


def labelled(locale: str, label: str, value: str) -> str:
    """`label: value`, punctuated for `locale` (日期：2020-02-01)."""
    return translate(locale, LABELLED, {"label": label, "value": value})


def aside(locale: str, text: str, remark: str) -> str:
    """`text (remark)`, punctuated for `locale` (张三（zhangsan）)."""
    return translate(locale, ASIDE, {"text": text, "remark": remark})


def listed(locale: str, items) -> str:
    """`items` enumerated for `locale` (联系人、拨打号码; Who was called, Number called)."""
    words = iter(items)
    text = next(words, "")
    for item in words:
        text = translate(locale, LISTED, {"list": text, "item": item})
    return text


def field_errors(locale: str, problems) -> dict[str, str]:
    """Field name → translated message, for problems carrying field, message and params."""
    return {p.field: translate(locale, p.message, p.params) for p in problems}


@pass_context
def _template_gettext(context, message: str) -> str:
    return translations(context["locale"]).gettext(message)


@pass_context
def _template_ngettext(context, singular: str, plural: str, n: int) -> str:
    return translations(context["locale"]).ngettext(singular, plural, n)


def install(environment) -> None:
    """Give a Jinja environment `_`, `gettext` and `{% trans %}`, answering in the locale the
    page is rendered for."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(_template_gettext, _template_ngettext, newstyle=True)

"""Notice bodies: Markdown to HTML, then sanitised against an allow-list.

markdown-it passes raw HTML through, and nh3 (the Rust ammonia sanitiser) is the one place
that decides what may reach a page: scripts, event handlers, styles, frames and
`javascript:` links never do, whatever the office pastes in."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "del", "s", "blockquote", "code", "pre",
    "h1", "h2", "h3", "h4", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_parser = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


@lru_cache(maxsize=256)
def to_html(text: str) -> Markup:
    """Safe HTML for a Markdown text; cached because the hall screen shows the same few
    notices every minute."""
    rendered = _parser.render(text or "")
    clean = nh3.clean(
        rendered,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)

"""Verdict explanations are written in Markdown; readers get sanitised HTML.

markdown-it renders CommonMark with raw HTML switched off (a ``<script>`` typed into an explanation
stays text); nh3 (the ammonia sanitiser) then keeps only the tags a verdict needs and http(s) or
mailto links, each marked ``nofollow``. Two layers, so a bug in one is not a hole.
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML safe to put in a page: headings below the page's own, links marked nofollow."""
    html = _MARKDOWN.render(text or "")
    # The page has its h1 (the claim) and h2 (sections): an explanation's "# Heading" becomes an h3.
    for level in (4, 3, 2, 1):  # h1..h4 down two levels (h5, h6 stay: there is no h7)
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above

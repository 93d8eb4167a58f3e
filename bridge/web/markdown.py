"""Article Markdown as HTML, the one renderer of the help center's pages and the studio's
preview. Raw HTML is disabled, and markdown-it drops `javascript:`, `vbscript:`, `file:` and
`data:` links, so article text can never inject markup or script."""

import functools

from markdown_it import MarkdownIt


@functools.cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_article(body: str) -> str:
    return _markdown().render(body)

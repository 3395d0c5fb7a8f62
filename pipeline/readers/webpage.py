"""Saved web pages (``.html``, ``.htm``, ``.xhtml``): the article's own text and where it came from.

trafilatura finds the main text of a page and leaves out navigation, cookie banners, sidebars, ads
and footers; its Markdown output keeps headings (``##``), numbered and bulleted lists and tables,
so the layout the extractor relies on survives; bold and italic marks are left out of the stored
text, so quotes read as the page does. Its metadata gives the title, the page's URL
(canonical link or ``og:url``), the site's name and the publication date. Nothing is fetched.
"""

from __future__ import annotations

import re
from functools import cache

import trafilatura
from trafilatura.settings import use_config
from trafilatura.utils import load_html

from pipeline.offsets import rewrite
from pipeline.readers.document import Document, Unreadable
from pipeline.readers.markdown import emphasis_edits
from pipeline.vocab import HTML, NO_ARTICLE

# A page whose main text has fewer words than this holds no article (a menu, a form, a login page).
MIN_ARTICLE_WORDS = 30


@cache
def _config():
    config = use_config()
    # trafilatura's timeout works by a signal, which only the main thread may set; pages are small.
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


def read_html(data: bytes) -> Document:
    """The page's main text as Markdown, with its title, URL, site name and date."""
    tree = load_html(data)
    if tree is None:
        raise Unreadable(NO_ARTICLE, "The file could not be parsed as a web page; open it in a browser "
                         "and save it again (Save Page As, HTML only), or copy its text into a .txt file.")
    meta = trafilatura.extract_metadata(tree)
    text = trafilatura.extract(tree, output_format="markdown", include_formatting=True, include_links=False,
                               include_images=False, include_comments=False, include_tables=True,
                               deduplicate=False, config=_config())
    n_words = len(re.findall(r"\w+", text or ""))
    if n_words < MIN_ARTICLE_WORDS:
        raise Unreadable(NO_ARTICLE, f"The page has no article text ({n_words} words outside navigation, "
                         "banners and footers); save the article's own page, or copy its text into a .txt file.")
    return Document(
        text=rewrite(text.strip("\n") + "\n", emphasis_edits(text.strip("\n") + "\n"))[0],
        format=HTML,
        title=meta.title or None,
        url=meta.url or None,
        site_name=meta.sitename or meta.hostname or None,
        published=meta.date or None,
    )

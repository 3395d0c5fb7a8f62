"""Near-duplicate articles: the same text with trivial differences counts once.

Exact copies are caught by their bytes. The same article saved twice with a changed line, other
line endings or whitespace, or once as a web page and once as text, has other bytes but almost
the same words. Each article's cleaned text is cut into word 5-grams ("shingles"); two articles
whose shingle sets have a Jaccard similarity of at least ``NEAR_DUPLICATE_JACCARD`` are the same
article, and the later one (in path order) is a near-duplicate of the first. datasketch's MinHash
estimates the similarity and its LSH index finds the candidates, so a folder of thousands of
articles is not compared pair by pair.

The threshold: one article against itself with a line changed, a paragraph added or its page
furniture left in (a browser's "Save as text") keeps 0.85–1.0 of its shingles, while different
articles on the same topic share under 0.1 (the seeds, the dev set), and even the benchmark's
articles, recombined from the same sections, stay under 0.5. 0.7 sits between, with room for
MinHash's error (about ±0.04 with 128 permutations).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

from pipeline.models import Article

NEAR_DUPLICATE_JACCARD = 0.7
_SHINGLE_WORDS = 5
_PERMUTATIONS = 128
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class NearDuplicate:
    """``source_id`` repeats ``kept`` (a source id), with this estimated Jaccard similarity."""

    source_id: str
    kept: str
    similarity: float


def shingles(text: str) -> set[bytes]:
    """The article's word 5-grams, lowercased, punctuation, markup and whitespace ignored.

    >>> sorted(shingles("Hold it.\\n\\n**Hold** it"))
    [b'hold it hold it']
    """
    tokens = _WORD.findall(text.lower())
    n = min(_SHINGLE_WORDS, len(tokens))
    return {" ".join(tokens[i : i + n]).encode() for i in range(len(tokens) - n + 1)} if tokens else set()


def _minhash(text: str) -> MinHash:
    m = MinHash(num_perm=_PERMUTATIONS)  # the same seed, so every article's permutations are the same
    m.update_batch(sorted(shingles(text)))
    return m


def find_near_duplicates(articles: Sequence[Article]) -> list[NearDuplicate]:
    """Each article that repeats an earlier one, and the earlier one it repeats (the most similar)."""
    index = MinHashLSH(threshold=NEAR_DUPLICATE_JACCARD, num_perm=_PERMUTATIONS)
    kept: dict[str, tuple[int, MinHash]] = {}
    found = []
    for article in articles:
        m = _minhash(article.clean_text)
        # the most similar earlier article; among equals the first (query order is a set's)
        similar = sorted((-m.jaccard(kept[k][1]), kept[k][0], k) for k in index.query(m))
        if similar and -similar[0][0] >= NEAR_DUPLICATE_JACCARD:
            j, _, k = similar[0]
            found.append(NearDuplicate(article.source_id, k, round(-j, 2)))
        else:
            index.insert(article.source_id, m)
            kept[article.source_id] = (len(kept), m)
    return found

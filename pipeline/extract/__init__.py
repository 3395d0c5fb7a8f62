"""Stage 2: from cleaned articles, what a physiotherapist would write down.

Extraction is one spaCy pipeline of backkb's registered components (``pipeline.nlp`` assembles
it; each can also be added to any pipeline with ``nlp.add_pipe``):

1. ``backkb_layout``: layout blocks (``doc.spans["block"]``); a block boundary is a sentence boundary;
2. ``backkb_exercises``: names and unnamed descriptions of exercises (``doc.spans["exercise"]``);
3. ``backkb_context``: ConText scope — whether each exercise is recommended or to be avoided;
4. ``backkb_advice``: advice that is not an exercise (``doc.spans["advice"]``);
5. ``backkb_doses``: dose quantities (``doc.spans["dose"]``);
6. ``backkb_attribution``: the exercise of each dose, and the steps of each exercise (``doc.spans["step"]``).

This module turns such a ``Doc`` into the plain records the later stages read, with raw offsets
through ``Article.raw_span``, and runs the pipeline over many articles with ``nlp.pipe``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import vocab
from pipeline.models import Advice, Article, Dosage, Extraction, Mention, Step

# Small batches: ~1,000-word articles make nlp.pipe hold a lot per batch (64 peaked at 1.2 GB a process).
BATCH_SIZE = 8


class _Records:
    """The records of one article's ``Doc``; a class only to share the offset map and mention ids."""

    def __init__(self, article: Article, doc: Doc) -> None:
        self.article, self.doc = article, doc
        self.by_span: dict[tuple[int, int], Mention] = {}

    def raw(self, span: Span) -> tuple[int, int, str]:
        rs, re_ = self.article.raw_span(span.start_char, span.end_char)
        return rs, re_, self.article.raw_text[rs:re_]

    def raw_at(self, at: list[int] | None) -> tuple[int | None, int | None, str | None]:
        """Raw offsets and text of the cleaned-text character span ``at`` (``None``s for none)."""
        if not at:
            return None, None, None
        rs, re_ = self.article.raw_span(*at)
        return rs, re_, self.article.raw_text[rs:re_]

    def mentions(self) -> list[Mention]:
        sid = self.article.source_id
        unique: dict[str, Mention] = {}
        for span in self.doc.spans.get("exercise", []):
            rs, re_, surface = self.raw(span)
            qs, qe, quote = self.raw_at(span._.polarity_quote_at)
            cs, ce, _cue = self.raw_at(span._.polarity_cue_at)
            m = unique.setdefault(f"{sid}:{rs}", Mention(f"{sid}:{rs}", sid, surface, span._.name, rs, re_,
                                                           _stored(span._.polarity), span._.named, span._.method,
                                                           span._.confidence, quote, qs, qe, cs, ce))
            self.by_span[(span.start_char, span.end_char)] = m
        return sorted(unique.values(), key=lambda m: m.char_start)

    def owners(self, span: Span) -> list[Mention]:
        return [self.by_span[(s, e)] for s, e in span._.exercise_at or () if (s, e) in self.by_span]

    def dosages(self) -> list[Dosage]:
        out = []
        for dose in self.doc.spans.get("dose", []):
            rs, re_, evidence = self.raw(dose)
            out.extend(Dosage(m.mention_id, m.source_id, dose.label_, dose._.min, dose._.max, dose._.per_side,
                              dose._.approx, evidence, rs, re_) for m in self.owners(dose))
        return out

    def steps(self) -> list[Step]:
        out = []
        for step in self.doc.spans.get("step", []):
            rs, re_, evidence = self.raw(step)
            out.extend(Step(m.mention_id, m.source_id, step._.step_no, evidence, rs, re_) for m in self.owners(step))
        return out

    def advice(self) -> list[Advice]:
        out = []
        for span in self.doc.spans.get("advice", []):
            rs, re_, evidence = self.raw(span)
            out.append(Advice(self.article.source_id, span.label_, span._.stance, evidence, rs, re_))
        return out


def _stored(polarity: str) -> str:
    """The KB's polarity of a span's: a caution ("if it hurts, stop the bridge") is still a recommendation."""
    return vocab.AVOID if polarity == vocab.AVOID else vocab.RECOMMEND


def extract_article(article: Article, doc: Doc) -> Extraction:
    """The records of one article, given the extraction pipeline's ``Doc`` of ``article.clean_text``."""
    records = _Records(article, doc)
    mentions = records.mentions()
    return Extraction(tuple(mentions), tuple(records.steps()), tuple(records.dosages()), tuple(records.advice()))


def docs_of(articles: Sequence[Article], nlp: Language, jobs: int = 1) -> Iterator[Doc]:
    """The pipeline's docs of the articles' cleaned texts, in order, batched over ``jobs`` processes."""
    return nlp.pipe((a.clean_text for a in articles), batch_size=BATCH_SIZE, n_process=max(jobs, 1))


def merge(parts: Iterable[Extraction]) -> Extraction:
    """One extraction from many (articles are independent)."""
    mentions, steps, dosages, advice = [], [], [], []
    for p in parts:
        mentions.extend(p.mentions)
        steps.extend(p.steps)
        dosages.extend(p.dosages)
        advice.extend(p.advice)
    return Extraction(tuple(mentions), tuple(steps), tuple(dosages), tuple(advice))


def extract_each(articles: Sequence[Article], nlp: Language, jobs: int = 1,
                 progress: Callable[[int, int], None] | None = None) -> list[Extraction]:
    """One extraction per article, in order; the result does not depend on ``jobs``."""
    out: list[Extraction] = []
    for article, doc in zip(articles, docs_of(articles, nlp, jobs), strict=True):
        out.append(extract_article(article, doc))
        if progress and (len(out) % 64 == 0 or len(out) == len(articles)):
            progress(len(out), len(articles))
    return out


def extract(articles: Sequence[Article], nlp: Language, jobs: int = 1) -> Extraction:
    """Extract mentions, steps, dosages and advice from every article."""
    return merge(extract_each(articles, nlp, jobs))

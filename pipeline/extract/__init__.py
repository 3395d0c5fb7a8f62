"""Stage 2: from cleaned articles, what a physiotherapist would write down.

``extract`` runs spaCy over every article in one ``nlp.pipe`` batch and, per article:

1. finds exercise names in headings and prose (``mentions``) and their polarity (``context``);
2. splits the article into sections: a heading that names an exercise owns the blocks up to the
   next heading; elsewhere each paragraph is its own context;
3. attributes each dosage quantity (``quantities``) to the exercise of its section, or of its
   paragraph (the name in the same sentence, else the paragraph's only exercise, also when the dose
   comes before the name), or to every exercise when a sentence states it for all of them; an
   avoided exercise gets no dose (a dose in its section is for the alternative offered instead);
4. collects the steps of each exercise section (``steps``) and non-exercise advice (``advice``).

Every record carries raw offsets through ``Article.raw_span``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.advice import find_advice
from pipeline.extract.context import AVOID, polarity, states_for_all
from pipeline.extract.doses import find_quantities, has_side_cue
from pipeline.extract.mentions import NameHit, find_descriptions, find_names
from pipeline.extract.steps import step_spans
from pipeline.models import Advice, Article, Block, Dosage, Extraction, Mention, Quantity, Step
from pipeline.resolve import core_name

# Attributes whose count is per side when the exercise is done on each side in turn.
_SIDED = frozenset({"hold_s", "reps", "hold_target_s", "reps_target"})
# Small batches: ~1,000-word articles make nlp.pipe hold a lot per batch (64 peaked at 1.2 GB a process).
BATCH_SIZE = 8
# Articles per unit of work handed to a worker process: large enough to batch well in nlp.pipe,
# small enough to show progress and balance two cores.
CHUNK = 64


@dataclass(frozen=True)
class _Section:
    """Blocks ``[first, last)`` about one exercise (``owner``), or a stretch with no exercise heading."""

    first: int
    last: int
    owner: Mention | None


class _ArticleExtractor:
    """Extraction for one article; a class only to share its lookups between the small steps."""

    def __init__(self, article: Article, doc: Doc) -> None:
        self.article, self.doc = article, doc
        self.blocks: tuple[Block, ...] = article.blocks
        self.block_starts = [b.start for b in self.blocks]
        self.section_by_block: dict[int, _Section] = {}

    # -- offsets ---------------------------------------------------------------------------------
    def raw(self, start: int, end: int) -> tuple[int, int, str]:
        rs, re_ = self.article.raw_span(start, end)
        return rs, re_, self.article.raw_text[rs:re_]

    def block_of(self, char: int) -> int:
        return max(bisect_right(self.block_starts, char) - 1, 0)

    # -- mentions ----------------------------------------------------------------------------------
    def mention(self, hit: NameHit, polarity_: str) -> Mention:
        rs, re_, surface = self.raw(hit.start, hit.end)
        sid = self.article.source_id
        return Mention(f"{sid}:{rs}", sid, surface, hit.name, rs, re_, polarity_, hit.named, hit.method,
                       hit.confidence)

    def mentions(self) -> tuple[list[tuple[NameHit, Mention]], list[_Section]]:
        hits = find_names(self.doc, self.blocks)
        heading_hits = {self.block_of(h.start): h for h in hits if h.in_heading}
        sections: list[_Section] = []
        pairs: list[tuple[NameHit, Mention]] = []
        start, owner = 0, None
        for i, block in enumerate(self.blocks):
            if block.kind != "heading":
                continue
            sections.append(_Section(start, i, owner))
            hit = heading_hits.get(i)
            owner = self.mention(hit, AVOID if hit.heading_avoid else "recommend") if hit else None
            if owner is not None and hit is not None:
                pairs.append((hit, owner))
            start = i + 1
        sections.append(_Section(start, len(self.blocks), owner))
        self.section_by_block = {}
        for sec in sections:
            for b in range(sec.first, sec.last):
                self.section_by_block[b] = sec
            if sec.first > 0:
                self.section_by_block[sec.first - 1] = sec  # a heading belongs to the section it opens
        owners = [s for s in sections if s.owner is not None]
        hits = hits + self.descriptions(hits)
        for hit in hits:
            if hit.in_heading:
                continue
            span = self.doc.char_span(hit.start, hit.end, alignment_mode="expand")
            pol = polarity(self.doc, span.start, span.end) if span is not None else "recommend"
            section = self.section_of(sections, self.block_of(hit.start))
            if (pol != AVOID and section in owners and section.owner.polarity == AVOID
                    and _same_exercise(section.owner.name, hit.name)):
                pol = AVOID
            pairs.append((hit, self.mention(hit, AVOID if pol == AVOID else "recommend")))
        return pairs, sections

    def descriptions(self, hits: Sequence[NameHit]) -> list[NameHit]:
        """Unnamed mentions in blocks that no exercise heading owns and that name no exercise."""
        named_blocks = {self.block_of(h.start) for h in hits}
        out: list[NameHit] = []
        for b, block in enumerate(self.blocks):
            section = self.section_by_block.get(b)
            if block.kind == "heading" or b in named_blocks or (section is not None and section.owner is not None):
                continue
            out.extend(find_descriptions(self.article.clean_text, block.text_start, block.end))
        return out

    def section_of(self, sections: Sequence[_Section], block: int) -> _Section:
        return self.section_by_block.get(block, sections[-1])

    # -- dosages ---------------------------------------------------------------------------------
    def owner_of(self, q: Quantity, sections: Sequence[_Section],
                 prose: Sequence[tuple[NameHit, Mention]]) -> list[Mention]:
        b = self.block_of(q.start)
        if self.blocks and self.blocks[b].kind == "heading":
            return []
        section = self.section_of(sections, b)
        if section.owner is not None:
            return [section.owner] if section.owner.polarity != AVOID else []
        block = self.blocks[b] if self.blocks else None
        here = [(h, m) for h, m in prose if block and block.start <= h.start < block.end]
        sent = self.doc.char_span(q.start, q.end, alignment_mode="expand")
        if sent is not None and self.doc.has_annotation("SENT_START"):
            s = sent[0].sent
            same = [(h, m) for h, m in here if s.start_char <= h.start < s.end_char]
            if same:
                return [min(same, key=lambda hm: abs(hm[0].start - q.start))[1]]
            if not here and states_for_all(s):
                return self.every_exercise(sections, prose)
        distinct = {core_name(m.name) for _h, m in here}
        if len(distinct) == 1:
            return [min(here, key=lambda hm: abs(hm[0].start - q.start))[1]]
        return []

    @staticmethod
    def every_exercise(sections: Sequence[_Section], prose: Sequence[tuple[NameHit, Mention]]) -> list[Mention]:
        chosen: dict[str, Mention] = {}
        for m in [s.owner for s in sections if s.owner] + [m for _h, m in prose]:
            if m.polarity != AVOID:
                chosen.setdefault(core_name(m.name), m)
        return list(chosen.values())

    def context_text(self, q: Quantity, sections: Sequence[_Section]) -> str:
        b = self.block_of(q.start)
        section = self.section_of(sections, b)
        if section.owner is None:
            block = self.blocks[b]
            return self.article.clean_text[block.start : block.end]
        lo = self.blocks[section.first].start if section.first < len(self.blocks) else 0
        hi = self.blocks[section.last - 1].end if section.last > section.first else lo
        return self.article.clean_text[lo:hi]

    def dosages(self, sections: Sequence[_Section], prose: Sequence[tuple[NameHit, Mention]]) -> list[Dosage]:
        out = []
        for q in find_quantities(self.doc):
            owners = self.owner_of(q, sections, prose)
            if not owners:
                continue
            sided = q.per_side or (q.attribute in _SIDED and has_side_cue(self.context_text(q, sections)))
            rs, re_, evidence = self.raw(q.start, q.end)
            for m in owners:
                out.append(Dosage(m.mention_id, m.source_id, q.attribute, q.min_value, q.max_value,
                                  sided, q.approx, evidence, rs, re_))
        return out

    # -- steps and advice --------------------------------------------------------------------------
    def steps(self, sections: Sequence[_Section]) -> list[Step]:
        out = []
        for section in sections:
            owner = section.owner
            if owner is None or owner.polarity == AVOID:
                continue
            for no, (start, end) in enumerate(step_spans(self.doc, self.blocks[section.first : section.last]), 1):
                rs, re_, evidence = self.raw(start, end)
                out.append(Step(owner.mention_id, owner.source_id, no, evidence, rs, re_))
        return out

    def advice(self) -> list[Advice]:
        out = []
        for hit in find_advice(self.doc):
            rs, re_, evidence = self.raw(hit.start, hit.end)
            out.append(Advice(self.article.source_id, hit.topic, hit.stance, evidence, rs, re_))
        return out

    def run(self) -> Extraction:
        pairs, sections = self.mentions()
        prose = [(h, m) for h, m in pairs if not h.in_heading]
        mentions = _unique(m for _h, m in pairs)
        return Extraction(tuple(mentions), tuple(self.steps(sections)), tuple(self.dosages(sections, prose)),
                          tuple(self.advice()))


def _same_exercise(a: str, b: str) -> bool:
    ca, cb = core_name(a), core_name(b)
    return bool(ca and cb) and (ca == cb or ca in cb or cb in ca)


def _unique(mentions: Iterable[Mention]) -> list[Mention]:
    seen: dict[str, Mention] = {}
    for m in mentions:
        seen.setdefault(m.mention_id, m)
    return sorted(seen.values(), key=lambda m: (m.source_id, m.char_start))


def extract_article(article: Article, doc: Doc) -> Extraction:
    """Everything extracted from one article, given its spaCy doc (of ``article.clean_text``)."""
    return _ArticleExtractor(article, doc).run()


def docs_of(articles: Sequence[Article], nlp: Language) -> Iterator[Doc]:
    """spaCy docs of the articles' cleaned texts, batched."""
    return nlp.pipe((a.clean_text for a in articles), batch_size=BATCH_SIZE)


def merge(parts: Iterable[Extraction]) -> Extraction:
    """One extraction from many (articles are independent)."""
    mentions, steps, dosages, advice = [], [], [], []
    for p in parts:
        mentions.extend(p.mentions)
        steps.extend(p.steps)
        dosages.extend(p.dosages)
        advice.extend(p.advice)
    return Extraction(tuple(mentions), tuple(steps), tuple(dosages), tuple(advice))


# The model of the parent process, inherited by forked workers so that none loads it again.
_WORKER_NLP: Language | None = None


def _extract_chunk(articles: Sequence[Article]) -> list[Extraction]:
    assert _WORKER_NLP is not None
    return [extract_article(a, d) for a, d in zip(articles, docs_of(articles, _WORKER_NLP), strict=True)]


def extract_each(articles: Sequence[Article], nlp: Language, jobs: int = 1,
                 progress: Callable[[int, int], None] | None = None) -> list[Extraction]:
    """One extraction per article, in order, using ``jobs`` processes; the result does not depend on ``jobs``.

    Workers are forked after the model is loaded, so they share it instead of loading it again.
    """
    global _WORKER_NLP
    chunks = [articles[i : i + CHUNK] for i in range(0, len(articles), CHUNK)]
    parallel = jobs > 1 and len(chunks) > 1
    out: list[Extraction] = []
    _WORKER_NLP = nlp
    try:
        with (ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))
              if parallel else contextlib.nullcontext()) as pool:
            for part in (pool.map if pool else map)(_extract_chunk, chunks):
                out.extend(part)
                if progress:
                    progress(len(out), len(articles))
        return out
    finally:
        _WORKER_NLP = None


def extract(articles: Sequence[Article], nlp: Language, jobs: int = 1) -> Extraction:
    """Extract mentions, steps, dosages and advice from every article."""
    return merge(extract_each(articles, nlp, jobs))

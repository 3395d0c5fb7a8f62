"""Plain frozen records passed between the stages.

Offsets named ``start``/``end`` index an article's cleaned text; offsets named ``char_start``/
``char_end`` index its raw text (kb-contract.md, "Offsets"). Only ``Article.raw_span`` turns one
into the other, so there is exactly one place where provenance can go wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.offsets import OffsetMap


@dataclass(frozen=True)
class Source:
    """One file found in the raw folder, accepted (``status == "ok"``) or not.

    ``n_chars`` is the length of the text offsets index (the decoded file, or the text extracted
    from HTML, PDF or DOCX). Where the article came from (``url``, ``site_name``, ``published``, an
    ISO date, ``retrieved``, ``licence``) comes from the file's own metadata or the folder's manifest.
    """

    source_id: str
    path: str
    sha256: str
    status: str  # vocab.SOURCE_STATUSES
    status_detail: str
    title: str | None
    n_chars: int
    format: str = "text"  # vocab.SOURCE_FORMATS
    url: str | None = None
    site_name: str | None = None
    published: str | None = None
    retrieved: str | None = None
    licence: str | None = None


@dataclass(frozen=True)
class Dropped:
    """A stretch of raw text that cleaning removed, and the one-word reason why."""

    char_start: int
    char_end: int
    text: str
    reason: str  # vocab.DROPPED_REASONS


@dataclass(frozen=True)
class Block:
    """A unit of the article's layout in the cleaned text.

    ``kind`` is ``heading``, ``item`` (a numbered or bulleted list item) or ``paragraph``;
    ``number`` is the list number of a numbered item or numbered heading ("3. Wall Sits").
    ``text_start`` skips the list marker, so ``clean_text[text_start:end]`` is the item's words.
    """

    kind: str
    start: int
    end: int
    text_start: int
    number: int | None = None
    bullet: bool = False


@dataclass(frozen=True)
class Article:
    """An accepted source after cleaning: what the extractor reads, and how to point back."""

    source: Source
    raw_text: str  # the text offsets index: the decoded file, or the extracted text (documents.source_text)
    clean_text: str
    offsets: OffsetMap = field(repr=False)
    dropped: tuple[Dropped, ...]

    @property
    def source_id(self) -> str:
        return self.source.source_id

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw offsets of the cleaned-text span ``[start, end)``, widened over any normalised text."""
        return self.offsets.start(start), self.offsets.end(end)


@dataclass(frozen=True)
class Ingested:
    """Every source found (with its status) and the articles that were accepted."""

    sources: tuple[Source, ...]
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Quantity:
    """A dosage quantity found in a sentence, before it is attributed to an exercise.

    ``start``/``end`` are cleaned-text offsets of the evidence (e.g. "Hold for 15 to 30 secs").
    ``None`` bounds are open: "up to 10" is ``(None, 10)``, "at least 2" is ``(2, None)``.
    """

    attribute: str  # vocab.DOSE_ATTRIBUTES
    min_value: float | None
    max_value: float | None
    start: int
    end: int
    approx: bool = False
    per_side: bool = False


@dataclass(frozen=True)
class Mention:
    """A place where a source names (or describes, ``named=False``) an exercise.

    ``name`` is the cleaned text of the name (spinner synonyms undone), which resolution compares;
    ``surface`` is the raw text at ``char_start:char_end``. ``polarity_evidence`` is the sentence,
    line or heading its polarity was decided in (raw offsets ``polarity_char_start:_end``), and
    ``cue_char_start:_end`` the ConText trigger in it that made the mention avoid.
    """

    mention_id: str
    source_id: str
    surface: str
    name: str
    char_start: int
    char_end: int
    polarity: str  # vocab.POLARITIES
    named: bool
    method: str
    confidence: float
    polarity_evidence: str | None = None
    polarity_char_start: int | None = None
    polarity_char_end: int | None = None
    cue_char_start: int | None = None
    cue_char_end: int | None = None


@dataclass(frozen=True)
class Step:
    mention_id: str
    source_id: str
    step_no: int
    evidence: str
    char_start: int
    char_end: int


@dataclass(frozen=True)
class Dosage:
    mention_id: str
    source_id: str
    attribute: str  # vocab.DOSE_ATTRIBUTES
    min_value: float | None
    max_value: float | None
    per_side: bool
    approx: bool
    evidence: str
    char_start: int
    char_end: int


@dataclass(frozen=True)
class Advice:
    """Guidance that is not an exercise: a topic (rest, heat, …) and the source's stance on it."""

    source_id: str
    topic: str  # vocab.ADVICE_TOPICS
    stance: str  # vocab.ADVICE_STANCES
    evidence: str
    char_start: int
    char_end: int


@dataclass(frozen=True)
class Extraction:
    mentions: tuple[Mention, ...]
    steps: tuple[Step, ...]
    dosages: tuple[Dosage, ...]
    advice: tuple[Advice, ...]


@dataclass(frozen=True)
class Exercise:
    """One distinct exercise after merging mentions across sources."""

    exercise_id: str
    name: str
    aliases: tuple[str, ...]
    n_sources: int


@dataclass(frozen=True)
class Link:
    """How a mention was tied to its exercise: ``method`` is e.g. ``alias``, ``exact``, ``fuzzy``."""

    mention_id: str
    exercise_id: str
    method: str
    confidence: float


@dataclass(frozen=True)
class Relation:
    """Two different exercises that are closely related (a forward bend and a toe touch)."""

    exercise_a: str
    exercise_b: str
    relation: str  # vocab.RELATION_KINDS


@dataclass(frozen=True)
class Resolution:
    exercises: tuple[Exercise, ...]
    links: tuple[Link, ...]
    relations: tuple[Relation, ...]

"""Every enumerated value of the knowledge base, in one place: the stages, the report, the exports,
the SQL data tests and the README all take their lists from here, so they cannot drift apart.

What each value means to a reader (a dose attribute's label and units, a dropped reason's gloss)
lives beside it, because the report, the conflicts and the exports all show it.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---------------------------------------------------------------- doses


@dataclass(frozen=True)
class DoseAttribute:
    """One value of ``dosages.attribute``, and how people read a number of it.

    ``sided``: the count is one side's when the exercise is done on each side in turn, so a side
    cue ("each leg", "then switch sides") in the dose's sentence or its exercise's section makes it
    per side. That holds for holds and repetitions (and their goals). Sets, total time and
    frequencies count the whole exercise: "2 sets (one set for each side)" is 2 sets in all, and
    "twice a day, both sides" is twice a day.
    """

    name: str
    label: str  # the report's heading: "Hold"
    unit: str  # after a number in the report and its charts: "s", "× per day"
    conflict_unit: str  # after a number in a conflict's value, which stands alone: "s hold", "times a day"
    facet: str  # the report's row in the sources-side-by-side table: "Repetitions" holds reps and sets
    sided: bool
    period: str | None = None  # a frequency's period: "day", "week"


# In the order a reader expects them.
DOSE_ATTRIBUTES: dict[str, DoseAttribute] = {a.name: a for a in (
    DoseAttribute("hold_s", "Hold", "s", "s hold", "Hold", sided=True),
    DoseAttribute("reps", "Repetitions", "reps", "reps", "Repetitions", sided=True),
    DoseAttribute("sets", "Sets", "sets", "sets", "Repetitions", sided=False),
    DoseAttribute("per_day", "Times per day", "× per day", "times a day", "Frequency", sided=False, period="day"),
    DoseAttribute("per_week", "Times per week", "× per week", "times a week", "Frequency", sided=False,
                  period="week"),
    DoseAttribute("total_s", "Total time", "s", "s in all", "Total time", sided=False),
    DoseAttribute("hold_target_s", "Hold (goal)", "s", "s hold (target)", "Goal", sided=True),
    DoseAttribute("reps_target", "Repetitions (goal)", "reps", "reps (target)", "Goal", sided=True),
)}
SIDED_ATTRIBUTES = frozenset(a.name for a in DOSE_ATTRIBUTES.values() if a.sided)
FREQUENCY_ATTRIBUTES = tuple(a.name for a in DOSE_ATTRIBUTES.values() if a.period)
# Days in a frequency's period: "once a day" is 7 times a week when sources are compared (conflicts.py).
PERIOD_DAYS = {"day": 1, "week": 7}

# ---------------------------------------------------------------- sources and cleaning

SOURCE_OK = "ok"
NEAR_DUPLICATE, IGNORED, MANIFEST = "near_duplicate", "ignored", "manifest"
NO_TEXT_LAYER, ENCRYPTED, DAMAGED, NO_ARTICLE = "no_text_layer", "encrypted", "damaged", "no_article"
# ``sources.status``: ok, or why the file was not used (README.md, "Files the build will not use").
SOURCE_STATUSES = (SOURCE_OK, "empty", "not_text", "duplicate", "too_large", "error",
                   NEAR_DUPLICATE, IGNORED, MANIFEST, NO_TEXT_LAYER, ENCRYPTED, DAMAGED, NO_ARTICLE)

# ``sources.format``: how a file's text was read (README.md, "Formats"). Offsets of ``text`` and
# ``markdown`` sources index the decoded file; those of the others index the extracted text.
TEXT, MARKDOWN, HTML, PDF, DOCX = "text", "markdown", "html", "pdf", "docx"
SOURCE_FORMATS = (TEXT, MARKDOWN, HTML, PDF, DOCX)
EXTRACTED_FORMATS = (HTML, PDF, DOCX)

# ``dropped.reason``: what cleaning removed (README.md, "Dropped reasons"; the report shows the gloss).
DROPPED_REASONS: dict[str, str] = {
    "ad": "product ads and pitches, sponsor and affiliate notices, and the sentences that carry a pitch on",
    "banner": "short Title-Case lines the page repeats",
    "byline": 'author boxes, "reviewed by" and "updated on" lines',
    "caption": "image captions and credits",
    "copy_protection": '"content is protected" notices',
    "cta": 'calls-to-action ("get your free …", "click here", "subscribe")',
    "meta": 'a meta description pasted into the text (a question hook, then "Discover…")',
    "navigation": '"next post" links, "read more", tag and category lines',
    "seo_stuffing": "the title phrase repeated inside or after sentences and headings",
    "social": 'share buttons and "Pin On …" lines',
    "url": "bare or mangled URLs, or a sentence that is little more than one",
}

# ---------------------------------------------------------------- exercises and advice

RECOMMEND, AVOID, CAUTION = "recommend", "avoid", "caution"
# ``mentions.polarity`` (kb-contract.md): what a source says about an exercise.
POLARITIES = (RECOMMEND, AVOID)
# What the ConText component may set on an exercise span: a caution ("if it hurts, stop doing the
# bridge") qualifies a recommended exercise, so a mention stores it as recommend.
SPAN_POLARITIES = (*POLARITIES, CAUTION)

# ``advice.topic`` and ``advice.stance``: guidance that is not an exercise, and the source's stance.
ADVICE_TOPICS = ("rest", "activity", "heat", "cold", "posture", "lifting", "medication", "doctor", "stretching")
ADVICE_STANCES = (RECOMMEND, AVOID, "limit")

# ``relations.relation``: two different exercises that are close (a forward bend and a toe touch).
RELATION_KINDS = ("related", "variant")

# ---------------------------------------------------------------- conflicts and review

CONFLICT_KINDS = ("numeric_disjoint", "polarity", "advice")
# A reviewer's verdict on a conflict (curated/reviews.csv); ``conflicts.status`` is one of them or open.
REVIEW_VERDICTS = ("prefer-a", "prefer-b", "both-valid", "not-a-conflict")
OPEN = "open"
CONFLICT_STATUSES = (OPEN, *REVIEW_VERDICTS)
# ``conflict_sources.side``: the two sides of a conflict (``source_a`` is the first source of side a).
CONFLICT_SIDES = ("a", "b")

# ``positions.position``: a source's advice rows on one question, summed up (pipeline/positions.py).
# for / against: it answers one way; bounded: the for side within a bound ("rest up to 3 days, then
# move"); conditional: only under a condition ("if the pain gets worse, take time off"); mixed: both
# ways, unbounded; unstated: it speaks of the question's topics without answering it ("use heat", no
# time given, on heat or cold first). Only for or bounded against against is a conflict.
FOR, AGAINST, BOUNDED, CONDITIONAL, MIXED, UNSTATED = "for", "against", "bounded", "conditional", "mixed", "unstated"
POSITIONS = (FOR, AGAINST, BOUNDED, CONDITIONAL, MIXED, UNSTATED)
# ``position_rows.reading``: how a question reads one advice row: on its side, within a bound, under a
# condition, compatible with either side ("move as tolerated" against "take it easy"), or neutral.
PLAIN, COMPATIBLE, NEUTRAL = "plain", "compatible", "neutral"
READINGS = (PLAIN, BOUNDED, CONDITIONAL, COMPATIBLE, NEUTRAL)

# ---------------------------------------------------------------- the KB's enumerated columns

# "table.column" → the values it may hold; the accepted-values data test is rendered from this.
ACCEPTED_VALUES: dict[str, tuple[str, ...]] = {
    "sources.status": SOURCE_STATUSES,
    "sources.format": SOURCE_FORMATS,
    "mentions.polarity": POLARITIES,
    "dosages.attribute": tuple(DOSE_ATTRIBUTES),
    "dropped.reason": tuple(DROPPED_REASONS),
    "advice.topic": ADVICE_TOPICS,
    "advice.stance": ADVICE_STANCES,
    "conflicts.kind": CONFLICT_KINDS,
    "conflicts.status": CONFLICT_STATUSES,
    "conflict_sources.side": CONFLICT_SIDES,
    "positions.position": POSITIONS,
    "position_rows.reading": READINGS,
    "relations.relation": RELATION_KINDS,
}


def accepted_values_sql() -> str:
    """A data test (a query that must return no rows): each enumerated column's values outside its list.

    >>> print(accepted_values_sql().splitlines()[2])
    UNION ALL SELECT 'mentions.polarity', polarity FROM mentions WHERE polarity NOT IN ('recommend', 'avoid')
    """
    selects = []
    for key, values in ACCEPTED_VALUES.items():
        table, column = key.split(".")
        aliases = (" AS col", " AS value") if not selects else ("", "")
        listed = ", ".join(f"'{v}'" for v in values)
        selects.append(f"SELECT '{key}'{aliases[0]}, {column}{aliases[1]} FROM {table} "
                       f"WHERE {column} NOT IN ({listed})")
    return "-- Enumerated columns hold only the values pipeline/vocab.py lists.\n" + "\nUNION ALL ".join(selects)

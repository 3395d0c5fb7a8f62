"""The prose a real page wraps its exercises in: introduction, causes, symptoms, when to see a
doctor, a disclaimer, the author, links to read next.

Every sentence is made here from our own templates and word lists (nothing is quoted from any
page), so the benchmark's corpus has the share of non-exercise text real pages have without
copying any. The words are those such pages use: causes mention lifting and sitting, a disclaimer
names exercise programs, a review date has a year. Which of them the pipeline must read closely is
the pipeline's business; nothing here is written to avoid or to meet its cues.

    >>> from random import Random
    >>> section("causes", Random(0), 1)[0] in KINDS["causes"].headings
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from random import Random

_SLOT = re.compile(r"\{(\w+)\}")

SLOTS: dict[str, tuple[str, ...]] = {
    "opener": ("If you have ever had one, you know", "Anyone who has been through one will tell you",
               "Ask a friend who has had one and you will hear", "Doctors see it every week:"),
    "spasm_is": ("a back spasm can stop you in your tracks", "few things ruin a morning like a seized lower back",
                 "the lower back can lock up without much warning", "a spasm turns simple chores into hard work"),
    "when": ("while you reach for something on a high shelf", "as you get out of the car after a long trip",
             "first thing in the morning", "halfway through a busy day", "after a weekend of yard work"),
    "period": ("a few days", "a week or two", "48 hours", "two to three days", "a couple of weeks"),
    "cause": ("Dehydration", "A strained muscle", "Long hours at a desk", "A sudden awkward twist",
              "Carrying a heavy bag on one shoulder", "Poor sleep", "Emotional stress", "A long drive",
              "Low magnesium", "Overuse during sport", "An old injury", "Weak core muscles",
              "Lifting something heavy with a rounded back", "Sitting in one position for hours"),
    "condition": ("arthritis of the spine", "a bulging disc", "spinal stenosis", "thinning bones",
                  "a pinched nerve"),
    "state": ("tired", "cold", "short of fluids", "overworked", "already tight"),
    "feeling": ("a tight knot that will not let go", "a sharp, gripping pain", "a deep ache that comes in waves",
                "a cramp that catches the breath", "a band of tension across the lower back"),
    "pain_does": ("spread into the buttocks or hips", "ease when you lie still and flare when you move",
                  "come and go over several hours", "feel worse in the morning", "build slowly over the day"),
    "sign": ("stiffness that makes it hard to stand up straight", "a visible bulge where the muscle has tightened",
             "soreness that lingers after the cramp fades", "trouble finding a comfortable position in bed"),
    "task": ("tie your shoes", "get out of a chair", "sleep through the night", "turn to look behind you",
             "carry the shopping", "play with your children"),
    "red_flag": ("the pain follows a fall or an accident", "you feel numbness in the groin or legs",
                 "you have a fever as well as back pain", "the pain keeps you awake at night",
                 "you lose weight without trying", "your legs feel weak"),
    "urgency": ("straight away", "the same day", "promptly", "without delay"),
    "emergency": ("you cannot control your bladder or bowels", "both legs go numb", "the pain is crushing and sudden"),
    "month": ("January", "March", "May", "July", "September", "November"),
    "year": ("2021", "2022", "2023", "2024"),
    "name": ("Dana Whitfield", "Marcus Ode", "Priya Raman", "Tom Keller", "Lena Sorensen", "Sam Achebe"),
    "profession": ("health writer", "former nurse", "sports journalist", "medical editor", "fitness writer"),
    "city": ("Leeds", "Portland", "Melbourne", "Toronto", "Cork", "Denver"),
    "pronoun": ("She", "He", "They"),
    "years": ("five", "eight", "ten", "twelve", "fifteen"),
    "hobby": ("hiking with the dog", "gardening", "baking bread", "cycling to work", "reading crime novels"),
    "subject": ("journalism", "nursing", "public health", "biology", "English literature"),
    "topic": ("Sleeping Well With Back Pain", "Choosing an Office Chair", "What Your Mattress Says About You",
              "Ten Myths About Back Pain", "Staying Active as You Age"),
}


@dataclass(frozen=True)
class Kind:
    """One kind of filler: its headings (None: it follows the title without one) and sentence templates."""

    headings: tuple[str, ...] | None
    sentences: tuple[str, ...]


KINDS: dict[str, Kind] = {
    "intro": Kind(None, (
        "{opener} {spasm_is}.",
        "It often strikes {when}.",
        "Most spasms settle on their own within {period}, but they are hard to forget.",
        "In this article we look at why spasms happen, what they feel like and what you can do about them.",
        "Knowing what sets off a spasm makes the next one easier to prevent.",
        "Readers often ask us how to tell a simple spasm from something more serious.",
        "Back trouble is among the most common reasons people miss work.",
        "The muscles that run along the spine work all day, and now and then they protest.",
        "A spasm is not usually a sign of lasting damage, even when it hurts a great deal.",
        "We asked physiotherapists and doctors what they tell their own patients.",
        "What follows is a plain guide, written for people rather than for specialists.",
    )),
    "causes": Kind(("What Causes Back Spasms?", "Common Causes of Back Spasms", "Why Do Back Muscles Spasm?",
                    "Risk Factors"), (
        "{cause} is one of the most common triggers.",
        "{cause} can leave the muscles along the spine tired and irritable.",
        "Muscles that are {state} are more likely to cramp.",
        "In older adults, {condition} may also play a part.",
        "Sometimes no single cause can be found.",
        "Spasms are the body's way of guarding an area it believes is hurt.",
        "People whose work keeps them on their feet all day are not spared either.",
        "{cause} and {cause_lower} often go together.",
        "A muscle that has been injured once tends to tighten again more easily.",
        "Cold weather seems to make some people more prone to them.",
        "Pregnancy changes posture and puts extra load on the lower back.",
    )),
    "symptoms": Kind(("Symptoms of a Back Spasm", "What Does a Back Spasm Feel Like?", "Signs to Look For"), (
        "Most people describe {feeling}.",
        "The pain may {pain_does}.",
        "Some people also notice {sign}.",
        "A bad spasm can make it hard to {task}.",
        "The muscles may feel hard or knotted to the touch.",
        "Symptoms vary a great deal from one person to the next.",
        "Others feel {feeling} that fades after a few minutes.",
        "Coughing or sneezing can set off a fresh wave of pain.",
        "Unlike nerve pain, a spasm rarely causes tingling in the feet.",
        "Many people find it hard to {task} for the first day or so.",
    )),
    "doctor": Kind(("When to See a Doctor", "When to Get Help", "Red Flags"), (
        "See a doctor {urgency} if {red_flag}.",
        "Call your doctor if the pain has not improved after {period}.",
        "Get emergency care if {emergency}.",
        "A doctor can look for other causes and may suggest physical therapy or medication.",
        "Tell your doctor about any medicines you already take.",
        "It is also worth seeing someone if {red_flag}.",
        "Scans are rarely needed for a simple spasm.",
        "A pharmacist can advise on what is safe for you to take.",
        "Keep a note of when the pain started and what makes it better or worse.",
    )),
    "disclaimer": Kind(("Disclaimer", "Medical Disclaimer", "Important Note"), (
        "This article is for general information only and is not a substitute for professional medical advice.",
        "Always talk to a qualified health professional before starting a new exercise program.",
        "Do not ignore professional advice or delay seeking it because of something you have read here.",
        "The authors and publisher accept no responsibility for any harm that may result.",
        "Links on this page may earn us a small commission at no extra cost to you.",
        "This page was last reviewed in {month} {year}.",
        "Our editorial team checks every article against current guidance.",
        "Your own circumstances may call for a different approach.",
    )),
    "author": Kind(("About the Author", "Meet the Writer"), (
        "{name} is a {profession} based in {city}.",
        "{pronoun} has written about back health for more than {years} years.",
        "When not writing, {name} enjoys {hobby}.",
        "{pronoun} studied {subject} at university.",
        "Before turning to writing, {name} worked in a busy hospital clinic.",
    )),
    "related": Kind(("Related Articles", "Keep Reading", "You May Also Like"), (
        "Read next: {topic}.",
        "Sign up for our newsletter for weekly tips on living well.",
        "More from our team: {topic}.",
        "Have a question for our experts? Send it in and we may answer it in a future piece.",
    )),
}
BEFORE = ("intro", "causes", "symptoms")  # kinds that come before the exercises; the others after them


def fill(template: str, rng: Random) -> str:
    """The template with each ``{slot}`` replaced by a word of ``SLOTS[slot]`` (``{x_lower}``: lower-cased)."""

    def word(m: re.Match[str]) -> str:
        slot = m[1].removesuffix("_lower")
        choice = rng.choice(SLOTS[slot])
        return choice[0].lower() + choice[1:] if slot != m[1] else choice

    return _SLOT.sub(word, template)


class Page:
    """The filler of one page: each template is used once, so no sentence repeats."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.left = {kind: rng.sample(k.sentences, len(k.sentences)) for kind, k in KINDS.items()}

    def paragraph(self, kind: str) -> str:
        """Two to four sentences of one kind (fewer when its templates run out; empty when none are left)."""
        n = self.rng.randint(2, 4)
        picked, self.left[kind] = self.left[kind][:n], self.left[kind][n:]
        return " ".join(fill(t, self.rng) for t in picked)

    def section(self, kind: str, paragraphs: int) -> list[str]:
        """One filler section: its heading (if its kind has one), then its paragraphs."""
        headings = KINDS[kind].headings
        body = [p for p in (self.paragraph(kind) for _ in range(paragraphs)) if p]
        return ([self.rng.choice(headings)] if headings and body else []) + body


def section(kind: str, rng: Random, paragraphs: int) -> list[str]:
    """The blocks of one filler section of a page of its own."""
    return Page(rng).section(kind, paragraphs)


def filler(rng: Random, chars: float) -> tuple[list[str], list[str]]:
    """About ``chars`` characters of filler (less when the templates run out), as the blocks before
    the exercises and those after.

    The introduction always comes; then kinds in a random order, a section each, until the text is
    long enough; once every kind has a section, they get a paragraph more each in turn.
    """
    page = Page(rng)
    order = ["intro", *rng.sample([k for k in KINDS if k != "intro"], len(KINDS) - 1)]
    sections: dict[str, list[str]] = {}
    size, k = 0, 0
    while size < chars and any(page.left.values()):
        kind = order[k % len(order)]
        k += 1
        blocks = page.section(kind, rng.randint(1, 2)) if kind not in sections else [page.paragraph(kind)]
        blocks = [b for b in blocks if b]
        if blocks:
            sections.setdefault(kind, []).extend(blocks)
            size += sum(len(b) + 2 for b in blocks)
    before = [b for kind in BEFORE if kind in sections for b in sections[kind]]
    after = [b for kind in order if kind not in BEFORE and kind in sections for b in sections[kind]]
    return before, after

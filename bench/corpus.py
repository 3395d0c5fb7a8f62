"""Make N articles for scale tests by recombining and perturbing the source articles' sections.

The benchmark needs thousands of articles that cost the pipeline what real ones cost: the same
length, layout, dosage phrases, noise, and the prose around the exercises. It does not need them
to be true, so this is a corpus for timing, never for accuracy. The sources are the seed articles
(``raw/``) and the dev set's texts (``../shared/eval/dev/texts``, where present). Each source is
split into blocks (at blank lines, and before heading-like lines) and the blocks into sections (a
heading and what follows it). A new article is a random title, a body of sections drawn from every
source in a random order with the numbers in dosage phrases changed, about as long as a source;
around the body, the filler a real page has (``filler``: an introduction, causes, symptoms, when to
see a doctor, a disclaimer, the author), a ``FILLER_SHARE`` of the article; and noise lines
(social buttons, a URL, a repeated banner, a product pitch).

Everything comes from one ``random.Random(seed)`` drawn article after article, so the same
``(n, seed)`` gives byte-identical files, and the first ``n`` articles of ``n + 1`` are those of
``n`` (the benchmark adds "one new article" that way). Nothing here quotes the sources: their
text is read at run time, and the filler is made from our own templates.

    python bench/corpus.py --n 100 --out /tmp/corpus --seed 0
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random

try:
    from bench.filler import filler
except ImportError:  # run as a script, `python bench/corpus.py`: this folder is on sys.path
    from filler import filler

ROOT = Path(__file__).resolve().parents[1]
RAW_DIR = ROOT / "raw"
DEV_DIR = ROOT.parent / "shared" / "eval" / "dev" / "texts"
# The share of an article that is filler, drawn per article: most of a real page is not exercises.
FILLER_SHARE = (0.35, 0.65)

_BOM = "\ufeff"
_HEADING_MAX_WORDS = 10
_HEADING_END = re.compile(r"[.!?:;,]$")
# A line this long is a paragraph of its own, not an item of a list.
_PARAGRAPH_CHARS = 120
# Sections are cut into pieces of about this many characters, so articles can be made to length.
_PIECE_CHARS = 1500

_WORD_NUMBERS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
)
_WORD_VALUES = {w: i for i, w in enumerate(_WORD_NUMBERS)} | {"thirty": 30, "sixty": 60}
_NUMBER = r"(?:\d{1,3}|" + "|".join(sorted(_WORD_VALUES, key=len, reverse=True)) + ")"
_UNIT = r"(?:seconds?|secs?|minutes?|mins?|hours?|times|reps?|repetitions?|sets?|breaths?|counts?|days?|weeks?)"
# A dose: "30 seconds", "8 to 10 times", "three seconds", "2-3 sets".
DOSE = re.compile(
    rf"\b(?P<a>{_NUMBER})(?:(?P<sep>\s*(?:to|-|–|or)\s*)(?P<b>{_NUMBER}))?(?P<gap>\s+)(?P<unit>{_UNIT})\b",
    re.IGNORECASE,
)

# Noise of the kinds the cleaner drops; the wording is ours, only its shape follows the web.
_SHARE_LINES = ("Share this article", "Share on Facebook", "Tweet", "Pin it", "Email this page", "Print")
_PRODUCTS = ("heating pad", "posture corrector", "massage gun", "relief cream", "back brace", "magnesium capsules")
_PITCH_ADJECTIVES = ("best-selling", "clinically proven", "all-natural", "fast-acting", "doctor-formulated")
_DOMAINS = ("example.com", "example.org", "example.net")


@dataclass(frozen=True)
class Dose:
    """Where a dose is in a block, and its parts: ``a``, ``sep``, ``b`` are "8", " to ", "10" in "8 to 10 times"."""

    start: int
    end: int
    a: str
    sep: str
    b: str
    tail: str


@dataclass(frozen=True)
class Template:
    """A block with its doses found once, so that making thousands of variants needs no regex."""

    text: str
    doses: tuple[Dose, ...]

    @classmethod
    def of(cls, text: str) -> Template:
        return cls(text, tuple(Dose(m.start(), m.end(), m["a"], m["sep"] or "", m["b"] or "", m["gap"] + m["unit"])
                               for m in DOSE.finditer(text)))

    def render(self, rng: Random) -> str:
        """The block with every dose's numbers changed (see ``vary_numbers``)."""
        if not self.doses:
            return self.text
        parts, pos = [], 0
        for d in self.doses:
            a = _vary(_number_value(d.a), rng)
            parts += [self.text[pos : d.start], _number_text(a, d.a)]
            if d.b:
                # A range keeps its order and width.
                parts += [d.sep, _number_text(a + max(1, _number_value(d.b) - _number_value(d.a)), d.b)]
            parts.append(d.tail)
            pos = d.end
        parts.append(self.text[pos:])
        return "".join(parts)


@dataclass(frozen=True)
class Section:
    """A heading (None for an article's opening) and the blocks it owns."""

    heading: str | None
    body: tuple[Template, ...]

    @property
    def size(self) -> int:
        return len(self.heading or "") + sum(len(b.text) + 2 for b in self.body)


@dataclass(frozen=True)
class Pool:
    """What articles are made of: every raw section, every heading, and the raw articles' lengths."""

    sections: tuple[Section, ...]
    headings: tuple[str, ...]
    lengths: tuple[int, ...]


def is_heading(line: str) -> bool:
    """A short line without closing punctuation that starts with a capital: "Pelvic Tilt Stretch"."""
    words = line.split()
    return 0 < len(words) <= _HEADING_MAX_WORDS and line[:1].isupper() and not _HEADING_END.search(line)


def blocks_of(text: str) -> list[str]:
    """The text's blocks: split at blank lines, before and after every heading-like line, and around
    every paragraph-long line.

    Scraped articles often have no blank lines at all, so headings and long lines are the only marks;
    runs of short lines (a list) stay together.
    """
    blocks: list[str] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        current: list[str] = []
        for line in chunk.split("\n"):
            line = line.rstrip()
            if not line.strip():
                continue
            alone = is_heading(line.strip()) or len(line) > _PARAGRAPH_CHARS
            if alone:
                if current:
                    blocks.append("\n".join(current))
                blocks.append(line.strip() if is_heading(line.strip()) else line)
                current = []
            else:
                current.append(line)
        if current:
            blocks.append("\n".join(current))
    return blocks


def sections_of(blocks: list[str]) -> list[Section]:
    """Group blocks under the heading before them (blocks before the first heading form an opening),
    and cut long sections into pieces of about ``_PIECE_CHARS``: the heading stays with the first.
    """
    sections: list[Section] = []
    heading: str | None = None
    body: list[str] = []

    def close() -> None:
        piece: list[str] = []
        first = True
        for block in body:
            piece.append(block)
            if sum(len(b) for b in piece) >= _PIECE_CHARS:
                sections.append(Section(heading if first else None, tuple(map(Template.of, piece))))
                piece, first = [], False
        if piece or (first and heading is not None):
            sections.append(Section(heading if first else None, tuple(map(Template.of, piece))))

    for block in blocks:
        if "\n" not in block and is_heading(block):
            close()
            heading, body = block, []
        else:
            body.append(block)
    close()
    return sections


def default_sources() -> list[Path]:
    """The seed articles, and the dev texts where this checkout sits beside ``shared/``."""
    return [RAW_DIR, *([DEV_DIR] if DEV_DIR.is_dir() else [])]


def load_pool(sources: Path | Sequence[Path]) -> Pool:
    """Read every text file below the ``sources`` folders (sorted, so the pool does not depend on the file system)."""
    folders = [sources] if isinstance(sources, Path) else list(sources)
    sections: list[Section] = []
    lengths: list[int] = []
    files = sorted(p for folder in folders for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace").removeprefix(_BOM)
        if not text.strip() or "\x00" in text:
            continue
        lengths.append(len(text))
        sections.extend(s for s in sections_of(blocks_of(text)) if s.body)
    if not sections:
        raise ValueError(f"No article with text in {', '.join(map(str, folders))} to make a corpus from.")
    headings = tuple(dict.fromkeys(s.heading for s in sections if s.heading)) or ("Exercises",)
    return Pool(tuple(sections), headings, tuple(lengths))


def _number_value(token: str) -> int:
    return int(token) if token.isdigit() else _WORD_VALUES[token.lower()]


def _number_text(value: int, like: str) -> str:
    """``value`` written as ``like`` was: digits stay digits, a word stays a word while one exists."""
    if like.isdigit() or value >= len(_WORD_NUMBERS):
        return str(value)
    word = _WORD_NUMBERS[value]
    return word.capitalize() if like[:1].isupper() else word


def _vary(value: int, rng: Random) -> int:
    """A different plausible count: between half and twice the original, never the same, at least 1."""
    low, high = max(1, value // 2), max(3, value * 2)
    choice = rng.randint(low, high - 1)
    return choice + 1 if choice >= value else choice


def vary_numbers(text: str, rng: Random) -> str:
    """Change the numbers of every dose in ``text`` ("hold for 30 seconds" → "hold for 41 seconds").

    A range keeps its order ("8 to 10 times" → "5 to 7 times"), so the text stays a plausible dose;
    a number written as a word stays a word ("three seconds" → "five seconds").
    """
    return Template.of(text).render(rng)


def _pitch(rng: Random) -> str:
    product = rng.choice(_PRODUCTS)
    return (f"Try our {rng.choice(_PITCH_ADJECTIVES)} {product} for fast relief, "
            f"now {rng.choice((10, 15, 20, 25, 30))}% off with free shipping.")


def _noise(rng: Random, pool: Pool, index: int) -> list[str]:
    """The noise lines of one article; always a URL naming the article, so no two files are the same."""
    lines = [f"https://www.{rng.choice(_DOMAINS)}/articles/{index}-{rng.getrandbits(32):08x}"]
    if rng.random() < 0.8:
        lines += [f"Pin On {rng.choice(pool.headings)}" for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.7:
        lines.append(rng.choice(_SHARE_LINES))
    if rng.random() < 0.6:
        lines.append(_pitch(rng))
    return lines


def _body(pool: Pool, rng: Random) -> list[str]:
    """Sections in a random order with varied doses, about as long as a source article."""
    target = rng.choice(pool.lengths) * rng.uniform(0.8, 1.25)
    blocks: list[str] = []
    size = 0
    while size < target:
        section = rng.choice(pool.sections)
        if section.size > 1.5 * (target - size) and size > target / 2:
            break
        if section.heading:
            blocks.append(section.heading)
        blocks.extend(b.render(rng) for b in section.body)
        size += section.size
    return blocks


def compose(pool: Pool, rng: Random, index: int) -> str:
    """One article: a title, filler before and after a body of sections, noise lines among them."""
    title = rng.choice(pool.headings)
    body = _body(pool, rng)
    share = rng.uniform(*FILLER_SHARE)
    before, after = filler(rng, sum(len(b) + 2 for b in body) * share / (1 - share))
    blocks = [title, *before, *body, *after]
    noise = _noise(rng, pool, index)
    if rng.random() < 0.7:
        # A banner: a Title-Case line the page repeats.
        noise += [rng.choice(pool.headings)] * rng.randint(2, 3)
    for line in noise:
        blocks.insert(rng.randint(1, len(blocks)), line)
    return "\n\n".join(blocks) + "\n"


def generate(sources: Path | Sequence[Path], n: int, out: Path, seed: int = 0) -> list[Path]:
    """Write ``n`` articles ``gen_000000.txt`` … into ``out``, made from the articles in the ``sources`` folders.

    Other files in ``out`` are left alone. Returns the paths written, in order.
    """
    if n < 0:
        raise ValueError(f"n must not be negative (got {n}).")
    pool = load_pool(sources)
    rng = Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = out / f"gen_{i:06d}.txt"
        path.write_bytes(compose(pool, rng, i).encode("utf-8"))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of articles to write")
    parser.add_argument("--out", type=Path, required=True, help="folder to write them into")
    parser.add_argument("--seed", type=int, default=0, help="the same seed gives the same files (default 0)")
    parser.add_argument("--raw", type=Path, nargs="+", default=default_sources(),
                        help=f"folders of articles to recombine (default {RAW_DIR} and {DEV_DIR}, where it exists)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    paths = generate(args.raw, args.n, args.out, args.seed)
    print(f"wrote {len(paths)} articles to {args.out} in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

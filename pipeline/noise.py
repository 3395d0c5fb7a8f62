"""Find the noise in a scraped article: what to drop, and the one-word reason why.

Rules, all driven by ``resources/noise.json``:

- whole lines: sponsor and affiliate notices, social-share and "Pin On" lines, copy-protection
  notices, navigation ("next post"), bylines, image captions, calls-to-action, bare URLs
  (``line_patterns``);
- banners: a short Title-Case line that the page repeats ("Stop Your Pain Today!" four times);
- product ads: a line or a run of sentences that pitches a product (a product term together with a
  pitch phrase, or a product line the page repeats), and the sentences that carry the pitch on
  ("This potent formula…", "It contains…");
- meta descriptions: a question hook followed by "Discover…"/"Learn… now!";
- SEO stuffing: the title phrase repeated inside or after sentences and headings;
- calls-to-action and URLs inside sentences: the sentence, or only the URL when the sentence has
  real content besides it.

The reasons are the fixed list ``vocab.DROPPED_REASONS``; README.md documents them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from pipeline import lexicons
from pipeline.offsets import Edit, merge_edits
from pipeline.vocab import DROPPED_REASONS

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'%&-]*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=\S)")
_MIN_BANNER_WORDS = 5
_MAX_BANNER_WORDS = 12
_MAX_TITLE_WORDS = 15
_MAX_AD_LINE_WORDS = 30
_SHARED_NGRAM = 4
# A sentence with fewer words than this besides its URL is a link, not content.
_MIN_WORDS_BESIDE_URL = 8
# A title this long, repeated with its capitals inside the text, is SEO stuffing; shorter titles
# ("Lower Back Spasms") recur naturally in prose.
_MIN_STUFFED_TITLE_WORDS = 4


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str

    @property
    def words(self) -> list[str]:
        return _WORD.findall(self.text)


@dataclass(frozen=True)
class _Rules:
    line_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    sentence_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    url_token: re.Pattern[str]
    product: re.Pattern[str]
    pitch: re.Pattern[str]
    continuation: re.Pattern[str]
    meta_hook: re.Pattern[str]
    meta_closer: re.Pattern[str]
    section_labels: frozenset[str]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _rules() -> _Rules:
    data = lexicons.load("noise")

    def compiled(section: dict[str, list[str]]) -> tuple[tuple[str, re.Pattern[str]], ...]:
        unknown = set(section) - set(DROPPED_REASONS)
        if unknown:  # a typo would record a reason no one documents
            raise ValueError(f"noise.json: unknown dropped reasons {sorted(unknown)}")
        return tuple((reason, re.compile(p, re.IGNORECASE)) for reason, ps in section.items() for p in ps)

    return _Rules(
        line_patterns=compiled(data["line_patterns"]),
        sentence_patterns=compiled(data["sentence_patterns"]),
        url_token=re.compile(data["url_token"], re.IGNORECASE),
        product=re.compile(rf"(?<!\w)(?:{_alternation(data['product_terms'])})(?!\w)", re.IGNORECASE),
        pitch=re.compile(rf"(?<!\w)(?:{_alternation(data['pitch_phrases'])})(?!\w)", re.IGNORECASE),
        continuation=re.compile(rf"^(?:{_alternation(data['continuation_openers'])})\b", re.IGNORECASE),
        meta_hook=re.compile(rf"^(?:{_alternation(data['meta_hook_verbs'])})\b", re.IGNORECASE),
        meta_closer=re.compile(rf"(?:{_alternation(data['meta_closers'])})\s*$", re.IGNORECASE),
        section_labels=frozenset(data["section_labels"]),
    )


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw_line in text.split("\n"):
        stripped = raw_line.strip()
        if stripped:
            lead = len(raw_line) - len(raw_line.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw_line) + 1
    return out


def _sentences(line: _Line) -> list[_Line]:
    out, pos = [], 0
    for m in [*_SENTENCE_END.finditer(line.text), None]:
        end = m.start() if m else len(line.text)
        piece = line.text[pos:end]
        if piece.strip():
            out.append(_Line(line.start + pos, line.start + end, piece))
        pos = m.end() if m else end
    return out


def _key(text: str) -> str:
    """A line's identity for repetition: its words, lowercased, without list numbers."""
    words = [w.lower() for w in _WORD.findall(text)]
    return " ".join(words[1:] if words and words[0].isdigit() else words)


def _title_case(words: list[str]) -> bool:
    content = [w for w in words if len(w) > 3 or w[0].isupper()]
    return bool(content) and sum(w[0].isupper() for w in content) / len(content) >= 0.6


def is_title_like(text: str) -> bool:
    """A short line without closing punctuation: a title or heading rather than prose."""
    words = _WORD.findall(text)
    return 0 < len(words) <= _MAX_TITLE_WORDS and not re.search(r"[.!?,;:]$", text.strip())


def _line_reason(line: _Line, rules: _Rules) -> str | None:
    for reason, pattern in rules.line_patterns:
        if pattern.search(line.text):
            return reason
    return None


def _is_meta(line: _Line, rules: _Rules) -> bool:
    sentences = _sentences(line)
    if len(sentences) < 2 or not sentences[0].text.rstrip().endswith("?"):
        return False
    return any(rules.meta_hook.match(s.text.strip()) for s in sentences[1:]) or bool(
        rules.meta_closer.search(line.text)
    )


def _ngrams(words: list[str]) -> set[tuple[str, ...]]:
    lowered = [w.lower() for w in words]
    return {tuple(lowered[i : i + _SHARED_NGRAM]) for i in range(len(lowered) - _SHARED_NGRAM + 1)}


def _ad_lines(lines: list[_Line], rules: _Rules) -> set[int]:
    """Short product lines that repeat one pitch with variations ("For sleep. X drops", "For pain. X drops").

    A single pitch inside prose is left to the sentence rule, and a line repeated word for word to
    the banner rule, so that advice mentioning a product ("apply a warm cream") is not an ad.
    """
    candidates = {
        i for i, ln in enumerate(lines) if rules.product.search(ln.text) and len(ln.words) <= _MAX_AD_LINE_WORDS
    }
    grams = {i: _ngrams(lines[i].words) for i in candidates}
    owners: dict[tuple[str, ...], set[str]] = {}
    for i, gs in grams.items():
        for g in gs:
            owners.setdefault(g, set()).add(_key(lines[i].text))
    return {i for i in candidates if any(len(owners[g]) > 1 for g in grams[i])}


def _banner_lines(lines: list[_Line], rules: _Rules, title_index: int | None) -> dict[int, str]:
    """Short Title-Case lines the page repeats; repeats of the title count as SEO stuffing."""
    counts = Counter(_key(ln.text) for ln in lines)
    title_key = _key(lines[title_index].text) if title_index is not None else None
    out = {}
    for i, ln in enumerate(lines):
        key, words = _key(ln.text), ln.words
        if i == title_index or counts[key] < 2 or key in rules.section_labels:
            continue
        if key == title_key:
            out[i] = "seo_stuffing"
        elif (_MIN_BANNER_WORDS <= len(words) <= _MAX_BANNER_WORDS and _title_case(words)
              and not ln.text.endswith(".")):
            out[i] = "banner"
    return out


def _sentence_edits(line: _Line, rules: _Rules) -> list[Edit]:
    edits: list[Edit] = []
    pitching = False
    for s in _sentences(line):
        text = s.text.strip()
        if (rules.product.search(text) and rules.pitch.search(text)) or (pitching and rules.continuation.match(text)):
            edits.append(Edit(s.start, s.end, reason="ad"))
            pitching = True
            continue
        pitching = False
        reason = next((r for r, p in rules.sentence_patterns if p.search(text)), None)
        urls = list(rules.url_token.finditer(text))
        if urls:
            rest = rules.url_token.sub(" ", text)
            if reason or len(_WORD.findall(rest)) < _MIN_WORDS_BESIDE_URL:
                edits.append(Edit(s.start, s.end, reason=reason or "url"))
                continue
            offset = s.start + (len(s.text) - len(s.text.lstrip()))
            edits.extend(Edit(offset + m.start(), offset + m.end(), reason="url") for m in urls)
        elif reason:
            edits.append(Edit(s.start, s.end, reason=reason))
    return edits


def _stuffing_edits(text: str, line: _Line, title: str) -> list[Edit]:
    """The title phrase repeated, capitals and all, inside a line, with the space before it."""
    pattern = re.compile(r"[ \t]*" + r"\s+".join(re.escape(w) for w in title.split()))
    return [Edit(m.start() + line.start, m.end() + line.start, reason="seo_stuffing")
            for m in pattern.finditer(text[line.start : line.end])]


def find_noise(text: str) -> tuple[list[Edit], str | None]:
    """Edits that remove the noise from ``text`` (each with its reason), and the article's title.

    The title is the first line that survives the line rules and looks like a title; it is kept
    once, and its repeats elsewhere are SEO stuffing.
    """
    rules = _rules()
    lines = _lines(text)
    dropped: dict[int, str] = {}
    for i in _ad_lines(lines, rules):
        dropped[i] = "ad"
    for i, ln in enumerate(lines):
        if i in dropped:
            continue
        reason = _line_reason(ln, rules) or ("meta" if _is_meta(ln, rules) else None)
        if reason:
            dropped[i] = reason
    title_index = next((i for i, ln in enumerate(lines) if i not in dropped), None)
    if title_index is not None and not is_title_like(lines[title_index].text):
        title_index = None
    for i, reason in _banner_lines(lines, rules, title_index).items():
        dropped.setdefault(i, reason)
    title = lines[title_index].text if title_index is not None else None

    line_edits = [Edit(lines[i].start, lines[i].end, reason=r) for i, r in sorted(dropped.items())]
    inner: list[Edit] = []
    stuffing: list[Edit] = []
    for i, ln in enumerate(lines):
        if i in dropped or i == title_index:
            continue
        inner.extend(_sentence_edits(ln, rules))
        if title and len(title.split()) >= _MIN_STUFFED_TITLE_WORDS:
            stuffing.extend(_stuffing_edits(text, ln, title))
    return merge_edits(line_edits, inner, stuffing), title

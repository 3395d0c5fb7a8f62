"""The benchmark's corpus generator and runner. Timings are measured by `make bench`, never asserted here."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from random import Random

import pytest

from bench.corpus import DOSE, blocks_of, default_sources, generate, sections_of, vary_numbers
from bench.filler import KINDS, filler
from pipeline.config import ROOT
from pipeline.ingest import ingest
from tests.conftest import DEV, RAW

BENCH = ROOT / "bench"


def contents(paths: list[Path]) -> list[bytes]:
    return [p.read_bytes() for p in paths]


def lines_of(paths: list[Path]) -> list[list[str]]:
    return [p.read_text(encoding="utf-8").splitlines() for p in paths]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate(RAW, 30, tmp_path_factory.mktemp("corpus"), seed=0)


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    first = generate(RAW, 12, tmp_path / "a", seed=0)
    second = generate(RAW, 12, tmp_path / "b", seed=0)
    assert [p.name for p in first] == [p.name for p in second]
    assert contents(first) == contents(second)


def test_another_seed_gives_other_articles(tmp_path: Path) -> None:
    zero = contents(generate(RAW, 12, tmp_path / "a", seed=0))
    one = contents(generate(RAW, 12, tmp_path / "b", seed=1))
    assert all(a != b for a, b in zip(zero, one, strict=True))


def test_one_more_article_keeps_the_others(tmp_path: Path) -> None:
    """The benchmark's incremental row adds article N+1 to a corpus of N: the N must not change."""
    small = contents(generate(RAW, 8, tmp_path / "a", seed=3))
    large = contents(generate(RAW, 9, tmp_path / "b", seed=3))
    assert large[:8] == small


def test_every_article_is_distinct_and_ingests_ok(corpus: list[Path]) -> None:
    ingested = ingest(corpus[0].parent)
    assert len(corpus) == 30
    assert Counter(s.status for s in ingested.sources) == {"ok": 30}


def test_articles_are_about_as_long_as_the_raw_ones(corpus: list[Path]) -> None:
    raw_sizes = [p.stat().st_size for p in RAW.iterdir()]
    mean = sum(p.stat().st_size for p in corpus) / len(corpus)
    assert min(raw_sizes) / 2 < mean < max(raw_sizes) * 1.5


def test_doses_in_the_corpus_differ_from_the_raw_ones(corpus: list[Path]) -> None:
    raw_doses = {m[0] for p in RAW.iterdir() for m in DOSE.finditer(p.read_text(encoding="utf-8"))}
    made = {m[0] for p in corpus for m in DOSE.finditer(p.read_text(encoding="utf-8"))}
    assert made - raw_doses


@pytest.mark.parametrize("text", ["Hold for 30 seconds.", "Do 2 sets a day.", "Repeat 12 times", "count 5 breaths"])
def test_vary_numbers_changes_the_number_and_keeps_the_unit(text: str) -> None:
    varied = vary_numbers(text, Random(0))
    assert varied != text
    assert re.sub(r"\d+", "#", varied) == re.sub(r"\d+", "#", text)


def test_vary_numbers_keeps_a_range_in_order_and_words_as_words() -> None:
    for seed in range(20):
        rng = Random(seed)
        low, high = map(int, re.findall(r"\d+", vary_numbers("Repeat 8 to 10 times.", rng)))
        assert low < high
        assert re.fullmatch(r"Hold (one|two|three|four|five|six) seconds", vary_numbers("Hold three seconds", rng))


def test_vary_numbers_leaves_other_numbers_alone() -> None:
    assert vary_numbers("Step 3 of the 2020 guide", Random(0)) == "Step 3 of the 2020 guide"


def test_noise_lines_are_injected(corpus: list[Path]) -> None:
    lines = [line for article in lines_of(corpus) for line in article]
    assert any(line.startswith("Pin On ") for line in lines)
    assert any(re.fullmatch(r"https?://\S+", line) for line in lines)
    assert any(line.startswith(("Share", "Tweet", "Email", "Print", "Pin it")) for line in lines)
    assert any("% off" in line for line in lines)
    repeated = [article for article in lines_of(corpus)
                if any(n >= 2 for line, n in Counter(article).items() if line.strip())]
    assert repeated, "no article repeats a banner line"


def test_injected_noise_is_what_the_cleaner_drops(corpus: list[Path]) -> None:
    """The corpus is only worth timing if cleaning has the noise to remove that real pages give it."""
    reasons = {d.reason for a in ingest(corpus[0].parent).articles for d in a.dropped}
    assert {"social", "url", "banner", "ad"} <= reasons


def test_blocks_split_at_blank_lines_and_headings() -> None:
    text = "A first line of prose.\nSide Plank Hold\nLie on your side.\n\nAnother paragraph.\n"
    blocks = blocks_of(text)
    assert blocks == ["A first line of prose.", "Side Plank Hold", "Lie on your side.", "Another paragraph."]
    sections = sections_of(blocks)
    assert [s.heading for s in sections] == [None, "Side Plank Hold"]
    assert [b.text for b in sections[1].body] == ["Lie on your side.", "Another paragraph."]


def test_the_corpus_is_made_from_the_seeds_and_the_dev_texts() -> None:
    sources = default_sources()
    assert sources[0] == RAW
    assert (DEV / "texts" in sources) == (DEV / "texts").is_dir()


def test_articles_have_filler_around_the_exercises(corpus: list[Path]) -> None:
    """Every article opens with an introduction, and filler sections of other kinds come too."""
    headings = {h for kind in KINDS.values() for h in kind.headings or ()}
    lines = [set(article) for article in lines_of(corpus)]
    assert all(article & headings for article in lines)
    seen = {h for article in lines for h in article & headings}
    assert len(seen) > len(KINDS)


def test_filler_never_repeats_a_sentence_and_stops_near_its_length() -> None:
    for seed in range(10):
        before, after = filler(Random(seed), 1500)
        sentences = [s for block in before + after for s in re.split(r"(?<=[.?!]) ", block)]
        assert len(sentences) == len(set(sentences))
        assert 1500 <= sum(len(b) + 2 for b in before + after) < 2500


def test_a_folder_without_text_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(ValueError, match="No article"):
        generate(tmp_path, 3, tmp_path / "out")


def test_corpus_cli_writes_the_articles(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    done = subprocess.run([sys.executable, str(BENCH / "corpus.py"), "--n", "3", "--out", str(out), "--seed", "0"],
                          capture_output=True, text=True, check=True)
    assert sorted(p.name for p in out.iterdir()) == ["gen_000000.txt", "gen_000001.txt", "gen_000002.txt"]
    assert "wrote 3 articles" in done.stderr


@pytest.mark.model
def test_run_writes_the_table(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--sizes", "5", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    table = out.read_text(encoding="utf-8")
    assert table in done.stdout
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    assert header == ["N", "jobs", "articles/s", "words/s", "ingest s", "extract s", "resolve s", "load s",
                      "total s", "peak MB (1 proc)", "peak MB (all procs)", "spaCy floor s", "build/floor",
                      "model skipped", "resolve share", "s/article", "CPU s/article"]
    five = next(r for r in rows if r.startswith("| 5 |"))
    assert len(five.strip("|").split("|")) == len(header)
    assert re.search(r"\d+ (PASS|FAIL)", five)
    assert re.search(r"\| \d+\.\d% \|", five), "no share of tokens the model skipped"
    incremental = next(r for r in rows if r.startswith("| 5 + 1 (incremental)"))
    assert len(incremental.strip("|").split("|")) == len(header)
    assert "1 extracted" in incremental or "n/a (no cache)" in incremental
    for target in ("bare spaCy", "resolution", "peak memory", "linear", "incremental"):
        assert any(target in r and ("PASS" in r or "FAIL" in r or "n/a" in r) for r in rows), target
    assert "N=5:" in done.stderr

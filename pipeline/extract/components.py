"""Import every backkb component, so that their factories are registered.

An installed package registers them through its ``spacy_factories`` entry points (``pyproject.toml``),
so ``nlp.add_pipe("backkb_doses")`` works in any pipeline; importing this module does the same
where the package is used from a source tree.
"""

from pipeline.extract import advice, attribution, context, exercises, gate, gated_model, layout
from pipeline.extract.doses import component as doses

__all__ = ["advice", "attribution", "context", "doses", "exercises", "gate", "gated_model", "layout"]

"""Find doses in an article: "hold for 15 to 30 seconds", "repeat 8 to 12 times", "twice a day".

Rules rather than a model: the articles phrase doses in a handful of stock ways, and a rule that
misfires can be read and fixed. Per sentence that holds a number:

1. ``Matcher`` patterns (``patterns``) find quantity phrases, a number expression with its unit
   ("three to five seconds", "3 sets of 10", "twice"), and the bare numbers a cue makes into a
   quantity ("count to 10", "work up to 30"); ``numbers`` reads their values.
2. A ``PhraseMatcher`` finds cue words: hold, repeat, rest, start, progression, non-dosage.
3. ``reader`` classifies each quantity with the cues of its sentence (``sentence`` holds what it
   keeps about one), ``scan`` walks the sentences of a doc, and ``fields`` reads labelled lines
   and table cells ("Sets: 2", "Hold: 5 sec | Repeat: 10", a column under "Reps").

Only token text is read, so the rules give the same answer on ``spacy.blank("en")`` and on the
trained pipeline. Every word comes from ``resources/quantities.json`` (``lexicon``); the distances
the rules allow are ``Settings``. ``find_quantities`` returns ``Quantity`` records; the
``backkb_doses`` component (``component``) writes the same doses to ``doc.spans["dose"]``.
"""

from pipeline.extract.doses import component
from pipeline.extract.doses.fields import field_quantities
from pipeline.extract.doses.scan import find_quantities
from pipeline.extract.doses.settings import Settings
from pipeline.extract.doses.sides import has_side_cue

__all__ = ["Settings", "component", "field_quantities", "find_quantities", "has_side_cue"]

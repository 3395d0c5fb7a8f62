"""The dose reader's numeric settings: the ``default_config`` of the ``backkb_doses`` component.

Words are data in ``resources/quantities.json``; how far apart they may stand is a setting, so a
pipeline can tune it in its config (``nlp.add_pipe("backkb_doses", config={"max_cue_gap": 6})``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Token distances the rules allow (frozen, so compiled matchers can be cached per settings)."""

    max_cue_gap: int = 8
    """A cue further than this from its quantity is context, not part of the quoted evidence."""
    interval_window: int = 3
    """An interval word this close before a duration makes it a timer ("every single 50 minutes")."""
    target_gap: int = 6
    """Words allowed between a progression head and its "to 30" ("work your way up to 30")."""
    period_gap: int = 3
    """Words allowed between a rep count and a daily period ("5 repetitions of this stretch each day")."""
    total_min_s: float = 60.0
    """A do-verb's duration this long or longer is time spent on a dynamic exercise ("do this for 2 minutes")."""
    max_duration_s: float = 1800.0
    """A longer hold or time spent is no dose ("in the 1990s they held …": a decade, not 1990 seconds)."""


DEFAULTS = Settings()

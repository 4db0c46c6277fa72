"""Exceptions raised by the scoring package (stdlib only)."""

from __future__ import annotations


class ScoringInputError(ValueError):
    """A video or image given to the scorer is missing, unreadable or empty.

    Subclasses :class:`ValueError` so callers that already catch bad-input
    errors keep working; the message is meant to be shown to a person as is.
    """

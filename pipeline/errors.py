"""Errors whose message is meant for the user, as is, in the UI and the API."""
from pipeline.engines.base import EngineInputError, JobCancelled, TransientEngineError


class StudioError(ValueError):
    """Something the user asked for cannot be done; the message says why and what to do instead."""


class NotFound(StudioError):
    pass


__all__ = ["StudioError", "NotFound", "EngineInputError", "JobCancelled", "TransientEngineError"]

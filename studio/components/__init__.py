"""Small shared UI pieces: the user-error wrapper, HTML formatting (jobs, scores, badges) and layout helpers."""
from studio.components.errors import user_errors
from studio.components.layout import bind, current_tab, poll, private, quick

__all__ = ["bind", "current_tab", "poll", "private", "quick", "user_errors"]

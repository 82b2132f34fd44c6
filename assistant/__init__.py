"""Report Assistant: ask questions of a pile of news reports; every claim cites the exact sentence."""
from . import _offline  # noqa: F401  (sets the offline switches before anything heavy is imported)
from .conversation import Conversation
from .core import Assistant
from .errors import AssistantError, IndexUnavailable, IngestLocked, InputError, ReadError
from .settings import Settings, get_settings
from .types import Answer, Article, Citation, FileFailure, Filters, IngestReport, Passage, ReportInfo

__all__ = [
    "Assistant", "Conversation", "Settings", "get_settings", "Answer", "Article", "Citation", "FileFailure", "Filters",
    "IngestReport", "Passage", "ReportInfo", "AssistantError", "InputError", "ReadError", "IndexUnavailable",
    "IngestLocked",
]

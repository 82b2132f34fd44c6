"""Domain errors. Every message names the input that caused it and how to fix it."""


class AssistantError(Exception):
    """Base class for every error the assistant raises on purpose."""


class InputError(AssistantError, ValueError):
    """A question, filter or setting that cannot be used as given."""


class ReadError(AssistantError):
    """A file or record that cannot be read as a report."""


class IndexUnavailable(AssistantError):
    """The index (Chroma or the catalog) is missing, corrupt or unreachable."""


class IngestLocked(AssistantError):
    """Another ingest holds the index."""

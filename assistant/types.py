"""Plain data that flows between the stages: Article -> Chunk -> Passage -> Answer(citations).

Nothing here imports a framework; every stage and every adapter speaks these types.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """One report: its stable id, metadata and full text (citations point into ``text``)."""

    id: str
    title: str
    text: str
    source: str = ""
    published: dt.date | None = None
    url: str = ""
    author: str = ""
    origin: str = ""  # the file (and record) it was read from

    @property
    def date_str(self) -> str:
        return self.published.isoformat() if self.published else ""


@dataclass(frozen=True)
class Chunk:
    """A piece of an article: ``article.text[start:end] == text`` always holds."""

    id: str
    report_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ReportInfo:
    """What the index knows about a stored report (without its text)."""

    id: str
    title: str
    source: str
    published: dt.date | None
    url: str
    author: str
    origin: str
    chunks: int = 0

    @property
    def date_str(self) -> str:
        return self.published.isoformat() if self.published else ""


@dataclass
class Passage:
    """A retrieved chunk with its score and the metadata of its report."""

    chunk_id: str
    report_id: str
    text: str
    start: int
    end: int
    score: float
    title: str = ""
    source: str = ""
    published: dt.date | None = None
    url: str = ""
    author: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        return d


@dataclass(frozen=True)
class Citation:
    """A quoted sentence and where it sits: ``report_text[start:end] == quote``."""

    n: int
    report_id: str
    quote: str
    start: int
    end: int
    title: str = ""
    source: str = ""
    published: dt.date | None = None
    url: str = ""
    chunk_id: str = ""
    author: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        return d


@dataclass
class Answer:
    """The outcome of ``ask``: an answer with citations, or a refusal (``refused`` is True)."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    refused: bool = False
    confidence: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "refused": self.refused,
            "confidence": self.confidence,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "timings": self.timings,
        }


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some sources, authors, reports (ids) and a publication date range (inclusive)."""

    sources: tuple[str, ...] = ()
    after: dt.date | None = None
    before: dt.date | None = None
    authors: tuple[str, ...] = ()  # stored author fields ("Jane Doe", "Jane Doe and Sam Roe")
    reports: tuple[str, ...] = ()  # report ids

    @property
    def empty(self) -> bool:
        return not (self.sources or self.authors or self.reports) and self.after is None and self.before is None


@dataclass
class FileFailure:
    path: str
    reason: str


@dataclass
class IngestReport:
    """What one ``ingest`` call did, report by report (ids), and which inputs failed and why."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"removed {len(self.removed)}, failed {len(self.failed)}; "
            f"{self.chunks_embedded} chunks embedded in {self.seconds:.1f} s"
        )

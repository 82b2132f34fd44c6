"""Reading reports: files and folders in, ``Article`` (or ``FileFailure``) out.

Formats: .txt/.md (optional ``---`` front matter), .html/.htm (trafilatura), .pdf (pypdf), .json (array, one
object, or an object with a list under articles/reports/records/data) and .jsonl (one record a line).
``Article.text`` is the text citations index into: it is never altered after it is made here.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .dates import dateline_date, parse_date
from .errors import ReadError
from .types import Article, FileFailure

__all__ = ["iter_reports", "read_file", "parse_date", "report_id"]

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".json", ".jsonl")
DEFAULT_MAX_BYTES = 100_000_000
SIDECAR_SUFFIX = ".meta.json"
TITLE_MAX = 300
# One report's text at most (about 5,000 chunks, several minutes of embedding on a CPU). News reports are 2-50 KB;
# a longer "report" is a book, a dump or a mistake, and would crowd every answer. max_file_mb still caps whole files
# (a .json/.jsonl collection may hold many reports).
MAX_REPORT_CHARS = 5_000_000

# Record keys and the aliases each may be written as, in order of preference.
_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "text": ("body", "text", "content"),
    "date": ("published_at", "date", "published", "publication_date"),
    "source": ("source", "site", "publisher"),
    "url": ("url", "link"),
    "author": ("author",),
}
_LIST_KEYS = ("articles", "reports", "records", "data")
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # control characters, bar \t \n \v \f \r
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # JSON may escape lone surrogates ("\\ud800"): not text, nothing can encode them


def report_id(key: str) -> str:
    """A stable 16-hex id for a report: the first 16 hex digits of sha1(key)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def iter_reports(inputs: Sequence[str | Path], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | FileFailure]:
    """Walk files and folders (recursively, sorted, hidden entries and ``*.meta.json`` sidecars skipped).

    Yields one ``Article`` per report and one ``FileFailure`` per file or record that cannot be read; never
    raises for bad input. A file reached twice (e.g. through a symlink) is read once.
    """
    seen_dirs: set[str] = set()
    seen_files: set[str] = set()
    for raw in [inputs] if isinstance(inputs, (str, Path)) else inputs:
        path = Path(raw)
        if not os.path.lexists(path):
            yield FileFailure(str(path), "no such file or folder")
            continue
        if path.is_dir():
            yield from _walk(path, seen_dirs, seen_files, max_bytes)
        elif path.name.endswith(SIDECAR_SUFFIX):
            yield FileFailure(str(path), "this is a sidecar metadata file (*.meta.json), not a report; "
                                         "pass the report file it describes")
        else:
            yield from _read_once(path, seen_files, max_bytes)


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """Read one file into its reports; raise ``ReadError`` if the file, or any record in it, cannot be read."""
    path = Path(path)
    articles: list[Article] = []
    failures: list[FileFailure] = []
    for item in _read_any(path, max_bytes):
        (articles if isinstance(item, Article) else failures).append(item)
    if failures:
        first = failures[0]
        more = f" (and {len(failures) - 1} more bad records)" if len(failures) > 1 else ""
        where = "" if first.path == str(path) else f"{first.path}: "
        raise ReadError(f"{where}{first.reason}{more}")
    return articles


# ---------------------------------------------------------------------------------------------- walking


def _walk(folder: Path, seen_dirs: set[str], seen_files: set[str], max_bytes: int) -> Iterator[Article | FileFailure]:
    real = os.path.realpath(folder)
    if real in seen_dirs:  # a symlink loop, or the same folder given twice
        return
    seen_dirs.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except PermissionError:
        yield FileFailure(str(folder), "permission denied: cannot list this folder")
        return
    except OSError as e:
        yield FileFailure(str(folder), f"cannot list this folder: {e.strerror or e}")
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name.endswith(SIDECAR_SUFFIX):
            continue
        if os.path.isdir(entry.path):  # follows symlinks; a loop stops at the seen_dirs check
            yield from _walk(Path(entry.path), seen_dirs, seen_files, max_bytes)
        else:
            yield from _read_once(Path(entry.path), seen_files, max_bytes)


def _read_once(path: Path, seen_files: set[str], max_bytes: int) -> Iterator[Article | FileFailure]:
    real = os.path.realpath(path)
    if real in seen_files:
        return
    seen_files.add(real)
    yield from _read_any(path, max_bytes)


def _read_any(path: Path, max_bytes: int) -> Iterator[Article | FileFailure]:
    """Read one file, turning every ``ReadError`` into a ``FileFailure`` for that file."""
    try:
        yield from _read_path(path, max_bytes)
    except ReadError as e:
        yield FileFailure(str(path), str(e))


def _read_path(path: Path, max_bytes: int) -> Iterator[Article | FileFailure]:
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        shown = f"'{ext}'" if ext else "(no extension)"
        raise ReadError(f"unsupported file type {shown}; supported: {' '.join(SUPPORTED)}")
    data = _read_bytes(path, max_bytes)
    real = str(path.resolve())
    if ext in (".json", ".jsonl"):
        yield from _read_json(path, real, _decode(data), jsonl=ext == ".jsonl")
        return
    if ext == ".pdf":
        explicit, guessed, text = {}, *_read_pdf(data)
    elif ext in (".html", ".htm"):
        explicit, guessed, text = {}, *_read_html(_decode(data))
    else:
        explicit, guessed, text = _read_text(_decode(data))
    yield _make_article(explicit, guessed, text, key_path=real, origin=real, sidecar=_read_sidecar(path))


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError("not a regular file (a folder, device, pipe or socket?)")
        if st.st_size > max_bytes:
            raise ReadError(f"file is {_mb(st.st_size)} MB, over the limit of {_mb(max_bytes)} MB; "
                            "raise the max_file_mb setting")
        with open(path, "rb") as f:
            return f.read(max_bytes + 1)
    except FileNotFoundError:
        raise ReadError("no such file or folder (a broken symbolic link?)") from None
    except PermissionError:
        raise ReadError("permission denied: cannot open the file; check its permissions") from None
    except OSError as e:
        raise ReadError(f"cannot read the file: {e.strerror or e}") from None


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}".removesuffix(".0")


# ---------------------------------------------------------------------------------------------- decoding

_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (BOM optional), UTF-16/32 with a BOM, else cp1252/latin-1; refuse binary data."""
    if not data:
        raise ReadError("the file is empty")
    bom = next((codec for bom, codec in _BOMS if data.startswith(bom)), None)
    if bom is None and b"\x00" in data:
        raise ReadError("looks like a binary file, not text")
    text = None
    for codec in (bom,) if bom else ("utf-8-sig", "cp1252", "latin-1"):  # latin-1 decodes any bytes
        try:
            text = data.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise ReadError(f"starts with a {bom.upper()} byte order mark but is not valid {bom.upper()}")
    if len(_CONTROL.findall(text)) > 0.10 * len(text):
        raise ReadError("looks like a binary file, not text")
    return _check_not_blank(text.removeprefix("\ufeff"))


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_not_blank(text: str) -> str:
    if not text.strip():
        raise ReadError("the file contains only whitespace" if text else "the file is empty")
    return text


# ---------------------------------------------------------------------------------------------- formats


def _read_text(text: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Split optional front matter off a .txt/.md file; guess title and date from the body if not given."""
    text = _newlines(text)
    meta, body = _front_matter(text)
    if not body.strip():
        raise ReadError("has front matter but no text after it")
    return meta, {"date": dateline_date(body)}, body


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    if not text.startswith("---\n"):
        return {}, text
    end = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
    if end is None:
        return {}, text
    block = text[4 : 4 + end.start()]
    meta: dict[str, str] = {}
    for line in block.split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _FRONT_KEY.match(line)
        if m:
            meta[m.group(1).lower()] = m.group(2).strip().strip("'\"")
        elif not line[:1].isspace() and not line.lstrip().startswith("- "):
            return {}, text  # not key: value lines, so a horizontal rule rather than front matter
    if not meta:
        return {}, text
    body_start = 4 + end.end()
    if text[body_start : body_start + 1] == "\n":
        body_start += 1
    return _pick_fields(meta, strict=False), text[body_start:]


def _read_html(html: str) -> tuple[dict[str, Any], str]:
    import trafilatura  # heavy; imported only when an HTML file is read

    try:  # lxml and trafilatura raise many exception types on odd markup; all mean "cannot read this page"
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
        doc = doc.as_dict() if hasattr(doc, "as_dict") else doc  # trafilatura 2 returns a Document, 1 a dict
    except Exception as e:  # noqa: BLE001
        raise ReadError(f"could not parse the HTML ({type(e).__name__}: {e})") from None
    text = _newlines((doc or {}).get("text") or "")
    if not text.strip():
        raise ReadError("no readable text found in the HTML")
    url = doc.get("url") or ""
    meta = {"title": doc.get("title"), "date": doc.get("date"), "author": doc.get("author"),
            "source": doc.get("sitename"), "url": url if re.match(r"https?://", url) else ""}
    return meta, text


def _read_pdf(data: bytes) -> tuple[dict[str, Any], str]:
    import pypdf

    reader = None
    try:  # pypdf raises many exception types on damaged files; all of them mean "cannot read this PDF"
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError("PDF is encrypted with a password; save an unencrypted copy and ingest that")
        text = _newlines("\n\n".join((page.extract_text() or "") for page in reader.pages))
    except ReadError:
        raise
    except Exception as e:  # noqa: BLE001
        if reader is not None and reader.is_encrypted:
            raise ReadError(f"PDF is encrypted and could not be opened ({type(e).__name__}: {e}); "
                            "save an unencrypted copy and ingest that") from None
        raise ReadError(f"not a readable PDF ({type(e).__name__}: {e})") from None
    if not text.strip():
        raise ReadError("no text found in the PDF (only scanned images? run OCR on it first)")
    meta: dict[str, Any] = {"date": dateline_date(text)}
    try:  # metadata is optional and often malformed: keep what reads cleanly
        info = reader.metadata
        if info is not None:
            meta.update(title=info.title, author=info.author)
            if meta["date"] is None and isinstance(info.creation_date, dt.datetime):
                meta["date"] = parse_date(info.creation_date.date().isoformat())
    except Exception:  # noqa: BLE001
        pass
    return {k: v for k, v in meta.items() if isinstance(v, (str, dt.date))}, text


def _read_json(path: Path, real: str, text: str, jsonl: bool) -> Iterator[Article | FileFailure]:
    """Records of .json/.jsonl; a bad record (or line) fails alone, as ``file#N`` (1-based) or ``file:LINE``."""
    if jsonl:
        records: list[tuple[str, Any]] = []
        for n, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                try:
                    records.append((f":{n}", json.loads(line)))
                except json.JSONDecodeError as e:
                    records.append((f":{n}", ReadError(f"line {n} is not valid JSON: {e.msg} (column {e.colno})")))
        label = "line"
    else:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise ReadError(f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
        records = [(f"#{i}", r) for i, r in enumerate(_records_of(doc), start=1)]
        label = "record"
    for suffix, record in records:
        n = suffix[1:]
        try:
            if isinstance(record, ReadError):
                raise record
            if not isinstance(record, dict):
                raise ReadError(f"{label} {n} is {_kind(record)}, not an object")
            meta = _pick_fields(record, strict=True)
            body = meta.pop("text", None)
            if body is None:
                raise ReadError(f"{label} {n} has no text (expected one of {'/'.join(_FIELDS['text'])})")
            if not body.strip():
                raise ReadError(f"{label} {n} has empty text")
            yield _make_article(meta, {}, _newlines(body), key_path=real + suffix, origin=real + suffix)
        except ReadError as e:
            msg = str(e)
            if not msg.startswith(f"{label} {n}"):
                msg = f"{label} {n}: {msg}"
            yield FileFailure(f"{path}{suffix}", msg)


def _records_of(doc: Any) -> list[Any]:
    if isinstance(doc, list):
        records = doc
    elif isinstance(doc, dict):  # one record, or an object holding a list of them
        lists = [doc[k] for k in _LIST_KEYS if isinstance(doc.get(k), list)]
        records = lists[0] if lists and not any(k in doc for k in _FIELDS["text"]) else [doc]
    else:
        raise ReadError(f"expected a JSON array of records or an object, got {_kind(doc)}")
    if not records:
        raise ReadError("the JSON holds no records")
    return records


def _pick_fields(record: dict[str, Any], strict: bool) -> dict[str, Any]:
    """Map a record's keys (any alias) to title/text/date/source/url/author; wrong types raise if ``strict``."""
    out: dict[str, Any] = {}
    for field, aliases in _FIELDS.items():
        for key in aliases:
            value = record.get(key)
            if value is None:
                continue
            if not isinstance(value, str):
                if strict:
                    raise ReadError(f"field '{key}' should be text, got {_kind(value)}")
                continue
            out[field] = _SURROGATE.sub("\ufffd", value)
            break
    return out


def _kind(value: Any) -> str:
    kinds = {bool: "a boolean", int: "a number", float: "a number", dict: "an object", list: "a list", str: "a string"}
    return kinds.get(type(value), "null")


def _read_sidecar(path: Path) -> dict[str, Any]:
    side = path.with_name(path.name + SIDECAR_SUFFIX)
    if not side.is_file():
        return {}
    try:
        doc = json.loads(side.read_text(encoding="utf-8-sig"))
        if not isinstance(doc, dict):
            raise ReadError(f"should hold a JSON object, got {_kind(doc)}")
        meta = _pick_fields(doc, strict=True)
    except json.JSONDecodeError as e:
        raise ReadError(f"its metadata file {side.name} is not valid JSON: {e.msg} (line {e.lineno}, "
                        f"column {e.colno})") from None
    except (OSError, UnicodeDecodeError, ReadError) as e:
        raise ReadError(f"its metadata file {side.name}: {e}") from None
    meta.pop("text", None)
    return meta


# ---------------------------------------------------------------------------------------------- articles


def _make_article(explicit: dict[str, Any], guessed: dict[str, Any], text: str, key_path: str, origin: str,
                  sidecar: dict[str, Any] | None = None) -> Article:
    """Merge metadata field by field (explicit > sidecar > guessed; empty values do not count) and build it."""
    if len(text) > MAX_REPORT_CHARS:
        raise ReadError(f"the report is {len(text):,} characters long, over the limit of {MAX_REPORT_CHARS:,} for one "
                        "report; split it into separate reports")
    merged: dict[str, Any] = {}
    for layer in (guessed, sidecar or {}, explicit):
        if isinstance(layer.get("date"), str):  # an unparseable date counts as none, so a lower layer's shows
            layer = {**layer, "date": parse_date(layer["date"])}
        merged.update({k: v for k, v in layer.items() if v})
    url = _collapse(merged.get("url") or "")
    title = _clean_title(merged.get("title") or "") or _clean_title(re.sub(r"^#{1,6}\s+", "", _first_line(text)))
    return Article(id=report_id(url or key_path), title=title, text=text, source=_collapse(merged.get("source") or ""),
                   published=merged.get("date"), url=url, author=_collapse(merged.get("author") or ""), origin=origin)


def _first_line(text: str) -> str:
    return next((line for line in text.split("\n") if line.strip()), "")


def _collapse(value: str) -> str:
    """One line of metadata: control characters (terminal escapes, NUL) become spaces, runs of space one."""
    return " ".join(_CONTROL.sub(" ", value).split())


def _clean_title(title: str) -> str:
    """Collapse whitespace; cap at TITLE_MAX characters, cut at a word boundary, ending in '…'."""
    title = _collapse(title)
    if len(title) <= TITLE_MAX:
        return title
    cut = title[: TITLE_MAX - 1]
    space = cut.rfind(" ")
    if title[TITLE_MAX - 1] != " " and space > TITLE_MAX // 2:  # drop the word the cut went through
        cut = cut[:space]
    return cut.rstrip() + "…"

"""Reading reports: every format and every way a file can be bad, on small files made in tmp_path."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from assistant.errors import ReadError
from assistant.reading import iter_reports, parse_date, read_file, report_id
from assistant.types import Article, FileFailure

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "iran-commander-baghdad-de-escalation.txt"
MULTIHOP = REPO.parent / "shared" / "data" / "multihop-rag" / "corpus.json"


def _all(*inputs) -> list[Article | FileFailure]:
    return list(iter_reports([str(i) for i in inputs]))


def _one(path: Path) -> Article:
    items = _all(path)
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def _failure(path: Path) -> FileFailure:
    items = _all(path)
    assert len(items) == 1 and isinstance(items[0], FileFailure), items
    return items[0]


def _pdf(path: Path, lines: list[str], title: str | None = None) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4))
    for i, line in enumerate(lines):
        fig.text(0.05, 0.9 - 0.1 * i, line)
    fig.savefig(path, format="pdf", metadata={"Title": title} if title else None)
    return path


# ---------------------------------------------------------------------------------------------- text files


def test_seed_report():
    article = _one(SEED)
    assert article.title == "Revealed: Iranian commander flew to Iraq to call off anti-US militia strikes"
    assert article.published == dt.date(2024, 2, 1)
    assert article.text == SEED.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert article.origin == str(SEED.resolve())
    assert article.id == hashlib.sha1(str(SEED.resolve()).encode()).hexdigest()[:16] == report_id(str(SEED.resolve()))
    assert (article.source, article.url, article.author) == ("The National", "", "")  # source from its sidecar


def test_front_matter_markdown(tmp_path):
    body = "# Floods hit Riverton\n\nThe river rose two metres overnight.\n"
    f = tmp_path / "floods.md"
    f.write_text("---\ntitle: \"Riverton floods\"\nsource: Riverton Gazette\ndate: 2024-03-12\n"
                 "url: https://gazette.example/floods\nauthor: Ann Lee\n---\n" + body, encoding="utf-8")
    a = _one(f)
    assert a.text == body
    assert (a.title, a.source, a.published, a.url, a.author) == (
        "Riverton floods", "Riverton Gazette", dt.date(2024, 3, 12), "https://gazette.example/floods", "Ann Lee")
    assert a.id == report_id("https://gazette.example/floods")


def test_markdown_heading_title_without_front_matter(tmp_path):
    f = tmp_path / "h.md"
    f.write_text("\n# Floods hit Riverton\n\nPublished: 12 March 2024\nUpdated: 13 March 2024\nText.\n", encoding="utf-8")
    a = _one(f)
    assert (a.title, a.published) == ("Floods hit Riverton", dt.date(2024, 3, 12))


def test_horizontal_rule_is_not_front_matter(tmp_path):
    f = tmp_path / "rule.md"
    f.write_text("---\nJust a rule above a headline\n---\nBody text.\n", encoding="utf-8")
    a = _one(f)
    assert a.text == "---\nJust a rule above a headline\n---\nBody text.\n"
    assert a.title == "---"


def test_sidecar_metadata(tmp_path):
    f = tmp_path / "report.txt"
    f.write_text("Port strike ends\nPosted: 3 Jan 2024\nDock workers returned on Tuesday.\n", encoding="utf-8")
    (tmp_path / "report.txt.meta.json").write_text(json.dumps(
        {"source": "Harbour News", "url": "https://harbour.example/strike", "author": "B. Khan"}), encoding="utf-8")
    items = _all(tmp_path)  # the sidecar itself is not read as a report
    assert len(items) == 1
    a = items[0]
    assert (a.title, a.source, a.url, a.author, a.published) == (
        "Port strike ends", "Harbour News", "https://harbour.example/strike", "B. Khan", dt.date(2024, 1, 3))


def test_bad_sidecar_fails_the_report(tmp_path):
    f = tmp_path / "report.txt"
    f.write_text("Some text\n", encoding="utf-8")
    (tmp_path / "report.txt.meta.json").write_text("{oops", encoding="utf-8")
    assert _failure(f).reason.startswith("its metadata file report.txt.meta.json is not valid JSON")


def test_crlf_and_bom_normalised(tmp_path):
    f = tmp_path / "win.txt"
    f.write_bytes(b"\xef\xbb\xbfTitle line\r\nSecond line\rThird\r\n")
    a = _one(f)
    assert a.text == "Title line\nSecond line\nThird\n"
    assert a.title == "Title line"


def test_latin1_file(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("Café à Paris\nLe marché est ouvert.\n".encode("latin-1"))
    a = _one(f)
    assert a.title == "Café à Paris"
    assert a.text == "Café à Paris\nLe marché est ouvert.\n"


def test_utf16_bom_file(tmp_path):
    f = tmp_path / "wide.txt"
    f.write_bytes("Zürich talks resume\nDelegates met again.\n".encode("utf-16"))
    a = _one(f)
    assert a.title == "Zürich talks resume"
    assert a.text == "Zürich talks resume\nDelegates met again.\n"


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "the file is empty"),
    (b"  \n\t\n  ", "the file contains only whitespace"),
    (bytes(range(256)) * 4, "looks like a binary file, not text"),
    (b"\x01\x02\x03\x04 abc \x05\x06\x07", "looks like a binary file, not text"),
])
def test_bad_text_files(tmp_path, content, reason):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    assert _failure(f).reason == reason
    with pytest.raises(ReadError, match=reason):
        read_file(f)


def test_long_title_capped(tmp_path):
    f = tmp_path / "long.txt"
    f.write_text(("word " * 2000).strip() + "\nbody\n", encoding="utf-8")
    a = _one(f)
    assert len(a.title) <= 300 and a.title.endswith("word…")
    assert a.title == ("word " * 60).strip() + "…"
    g = tmp_path / "cut.txt"
    g.write_text("abc " + "x" * 10 + " " + "verylongword " * 30 + "\nbody\n", encoding="utf-8")
    assert _one(g).title == "abc " + "x" * 10 + " " + ("verylongword " * 21).strip() + "…"


def test_unparseable_and_future_dates_kept_as_unknown(tmp_path):
    (tmp_path / "a.txt").write_text("Report A\nDate: sometime soon\nText.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ntitle: Report B\ndate: 2999-01-01\n---\nText.\n", encoding="utf-8")
    items = _all(tmp_path)
    assert [(a.title, a.published) for a in items] == [("Report A", None), ("Report B", None)]


def test_size_limit(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("x" * 2_500_000, encoding="utf-8")
    [failure] = list(iter_reports([f], max_bytes=1_000_000))
    assert failure.reason == "file is 2.5 MB, over the limit of 1 MB; raise the max_file_mb setting"


# ---------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("value", "expected"), [
    ("2023-11-27T08:45:59+00:00", dt.date(2023, 11, 27)),
    ("February 01, 2024, 5:58 PM", dt.date(2024, 2, 1)),
    ("1 Feb 2024", dt.date(2024, 2, 1)),
    ("Thursday, February 1, 2024 at 5:58 PM EST", dt.date(2024, 2, 1)),
    ("2024-02-01Z", dt.date(2024, 2, 1)),
    ("20240201", dt.date(2024, 2, 1)),
    ("banana", None),
    ("3 hours ago", None),
    ("Feb 1", None),
    ("February 2024", None),
    ("2024", None),
    ("by John in 2021", None),
    ("", None),
    ("2024-13-45", None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_parse_date_future():
    soon = dt.date.today() + dt.timedelta(days=1)
    later = dt.date.today() + dt.timedelta(days=3)
    assert parse_date(soon.isoformat()) == soon
    assert parse_date(later.isoformat()) is None


# ---------------------------------------------------------------------------------------------- html

NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Bridge reopens after repairs | Valley Times</title>
<meta property="og:site_name" content="Valley Times">
<meta property="og:title" content="Bridge reopens after repairs">
<meta name="author" content="Carla Mendes">
<meta property="article:published_time" content="2024-01-15T09:30:00Z">
<link rel="canonical" href="https://valleytimes.example/news/bridge-reopens">
<script>window.ads = [1, 2, 3];</script>
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article>
<h1>Bridge reopens after repairs</h1>
<p>The Old Mill bridge reopened to traffic on Monday after six months of repairs to its steel frame.</p>
<p>Engineers replaced forty corroded beams and resurfaced the deck, the county council said in a statement.</p>
<p>Commuters had faced a detour of twelve kilometres while the crossing was closed to cars and lorries.</p>
</article>
<footer>Copyright Valley Times</footer>
</body></html>
"""


def test_html_news_page(tmp_path):
    f = tmp_path / "bridge.html"
    f.write_text(NEWS_PAGE, encoding="utf-8")
    a = _one(f)
    assert a.title == "Bridge reopens after repairs"
    assert a.source == "Valley Times"
    assert a.author == "Carla Mendes"
    assert a.published == dt.date(2024, 1, 15)
    assert a.url == "https://valleytimes.example/news/bridge-reopens"
    assert a.id == report_id("https://valleytimes.example/news/bridge-reopens")
    assert "forty corroded beams" in a.text and "Commuters had faced a detour" in a.text
    assert "window.ads" not in a.text


def test_html_only_script_and_style(tmp_path):
    f = tmp_path / "empty.htm"
    f.write_text("<html><head><style>p { color: red }</style></head>"
                 "<body><script>var x = 1;</script></body></html>", encoding="utf-8")
    assert _failure(f).reason == "no readable text found in the HTML"


def test_malformed_html_still_read(tmp_path):
    f = tmp_path / "broken.html"
    f.write_text("<html><body><p>Storm warning issued for the coast <b>tonight <div>Residents should "
                 "stay indoors and secure loose objects, officials said.", encoding="utf-8")
    a = _one(f)
    assert "Storm warning issued for the coast" in a.text
    assert "stay indoors" in a.text
    assert a.title.startswith("Storm warning issued")
    assert a.published is None  # no date on the page, and none is invented


# ---------------------------------------------------------------------------------------------- pdf


def test_pdf(tmp_path):
    f = _pdf(tmp_path / "floods.pdf", ["Quarterly flood report for Riverton", "Published: 12 March 2024"],
             title="Riverton flood report")
    a = _one(f)
    assert "Quarterly flood report for Riverton" in a.text
    assert a.title == "Riverton flood report"
    assert a.published == dt.date(2024, 3, 12)


def test_pdf_title_from_first_line(tmp_path):
    a = _one(_pdf(tmp_path / "notitle.pdf", ["Harvest outlook improves", "Farmers expect a good year."]))
    assert a.title == "Harvest outlook improves"


def test_corrupt_pdf(tmp_path):
    good = _pdf(tmp_path / "good.pdf", ["Some words here"]).read_bytes()
    f = tmp_path / "corrupt.pdf"
    f.write_bytes(good[: len(good) // 3])
    assert _failure(f).reason.startswith("not a readable PDF (")
    g = tmp_path / "garbage.pdf"
    g.write_bytes(b"this is not a pdf at all")
    assert _failure(g).reason.startswith("not a readable PDF (")


def test_encrypted_pdf(tmp_path):
    from pypdf import PdfWriter

    plain = _pdf(tmp_path / "plain.pdf", ["Secret budget figures"])
    writer = PdfWriter(clone_from=plain)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    f = tmp_path / "locked.pdf"
    with open(f, "wb") as out:
        writer.write(out)
    assert _failure(f).reason.startswith("PDF is encrypted")


# ---------------------------------------------------------------------------------------------- json


def _record(i: int, **extra) -> dict:
    return {"title": f"Story {i}", "body": f"Body of story {i}.", "published_at": "2023-11-27T08:45:59+00:00",
            "source": "Wire", "url": f"https://wire.example/{i}", **extra}


def test_json_array(tmp_path):
    f = tmp_path / "a.json"
    f.write_text(json.dumps([_record(1), _record(2, author=None)]), encoding="utf-8")
    items = _all(f)
    assert [(a.title, a.text, a.source, a.published, a.url) for a in items] == [
        ("Story 1", "Body of story 1.", "Wire", dt.date(2023, 11, 27), "https://wire.example/1"),
        ("Story 2", "Body of story 2.", "Wire", dt.date(2023, 11, 27), "https://wire.example/2"),
    ]
    assert items[0].id == report_id("https://wire.example/1")
    assert items[1].origin == f"{f.resolve()}#2"


def test_json_object_with_articles_and_aliases(tmp_path):
    f = tmp_path / "o.json"
    f.write_text(json.dumps({"articles": [
        {"text": "First line is the title\nMore text.", "date": "1 Feb 2024", "site": "S", "link": "https://x.example"},
        {"content": "No url here.", "publisher": "P"},
    ]}), encoding="utf-8")
    a, b = _all(f)
    assert (a.title, a.published, a.source, a.url) == ("First line is the title", dt.date(2024, 2, 1), "S",
                                                        "https://x.example")
    assert (b.title, b.source, b.url) == ("No url here.", "P", "")
    assert b.id == report_id(f"{f.resolve()}#2")


def test_json_single_object(tmp_path):
    f = tmp_path / "one.json"
    f.write_text(json.dumps(_record(7)), encoding="utf-8")
    assert _one(f).title == "Story 7"


def test_jsonl_with_bad_middle_line(tmp_path):
    f = tmp_path / "r.jsonl"
    f.write_text(json.dumps(_record(1)) + "\n{not json\n" + json.dumps(_record(3)) + "\n", encoding="utf-8")
    items = _all(f)
    assert [type(x).__name__ for x in items] == ["Article", "FileFailure", "Article"]
    assert items[1].path == f"{f}:2"
    assert items[1].reason.startswith("line 2 is not valid JSON: Expecting property name")
    with pytest.raises(ReadError, match="r.jsonl:2: line 2 is not valid JSON"):
        read_file(f)


def test_wrong_typed_fields_and_missing_body(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps([_record(1, title=42), _record(2, body=["a", "b"]), {"title": "No body"}, "str",
                             _record(5)]), encoding="utf-8")
    items = _all(f)
    assert [(x.path, x.reason) for x in items[:4]] == [
        (f"{f}#1", "record 1: field 'title' should be text, got a number"),
        (f"{f}#2", "record 2: field 'body' should be text, got a list"),
        (f"{f}#3", "record 3 has no text (expected one of body/text/content)"),
        (f"{f}#4", "record 4 is a string, not an object"),
    ]
    assert isinstance(items[4], Article) and items[4].title == "Story 5"


def test_truncated_json(tmp_path):
    f = tmp_path / "t.json"
    f.write_text('[{"title": "A", "body": "x"},\n {"title": "B", "bo', encoding="utf-8")
    assert _failure(f).reason == "not valid JSON: Unterminated string starting at (line 2, column 17)"


def test_empty_json_array(tmp_path):
    f = tmp_path / "e.json"
    f.write_text("[]", encoding="utf-8")
    assert _failure(f).reason == "the JSON holds no records"


@pytest.mark.skipif(not MULTIHOP.is_file(), reason="shared multihop-rag corpus not present")
def test_multihop_corpus():
    items = _all(MULTIHOP)
    assert len(items) == 609
    assert all(isinstance(a, Article) and a.source and a.published and a.url for a in items)
    assert len({a.id for a in items}) == 609
    assert items[0].title == "200+ of the best deals from Amazon's Cyber Monday sale"
    assert items[0].published == dt.date(2023, 11, 27)


# ---------------------------------------------------------------------------------------------- walking


def test_walk_order_hidden_unsupported_and_missing(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("Two\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("One\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.txt").write_text("hidden\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("hidden\n", encoding="utf-8")
    (tmp_path / "c.xyz").write_text("?", encoding="utf-8")
    items = _all(tmp_path, tmp_path / "missing.txt", tmp_path / "a.txt")  # a.txt again: read once
    assert [a.title for a in items if isinstance(a, Article)] == ["One", "Two"]
    assert [(x.path, x.reason) for x in items if isinstance(x, FileFailure)] == [
        (str(tmp_path / "c.xyz"), "unsupported file type '.xyz'; supported: .txt .md .html .htm .pdf .json .jsonl"),
        (str(tmp_path / "missing.txt"), "no such file or folder"),
    ]


def test_symlink_loop(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "r.txt").write_text("Only report\n", encoding="utf-8")
    os.symlink(tmp_path, d / "loop")
    os.symlink(d, d / "self")
    items = _all(tmp_path)
    assert [a.title for a in items] == ["Only report"]


def test_unreadable_file(tmp_path):
    f = tmp_path / "locked.txt"
    f.write_text("Secret\n", encoding="utf-8")
    f.chmod(0)
    try:
        if os.access(f, os.R_OK):
            pytest.skip("running with privileges that read a chmod 000 file (root)")
        assert _failure(f).reason == "permission denied: cannot open the file; check its permissions"
    finally:
        f.chmod(0o644)


def test_read_file_raises(tmp_path):
    with pytest.raises(ReadError, match="unsupported file type '.xyz'"):
        read_file(tmp_path / "x.xyz")
    f = tmp_path / "ok.txt"
    shutil.copy(SEED, f)
    [a] = read_file(f)
    assert a.published == dt.date(2024, 2, 1)


def test_pipe_broken_link_and_explicit_sidecar(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "broken.txt")
    side = tmp_path / "x.txt.meta.json"
    side.write_text("{}", encoding="utf-8")
    items = _all(tmp_path, side)  # in a folder the sidecar is skipped; named on its own it is refused
    assert [(Path(x.path).name, x.reason.split(" (")[0].split(";")[0]) for x in items] == [
        ("broken.txt", "no such file or folder"),
        ("pipe.txt", "not a regular file"),
        ("x.txt.meta.json", "this is a sidecar metadata file"),
    ]

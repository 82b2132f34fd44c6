"""HTML for the chat UI. Report text is untrusted: every value from a report or a user passes through ``esc``.

Links to a report point at ``/report/<id>?start=..&end=..#ra-hl``: the page's script (``VIEWER_JS``) opens them in
the in-page report viewer; without script they open the server-rendered report page (``report_page``).
"""
import html
import re
from typing import Iterator
from urllib.parse import quote

from .types import Answer, Article, Citation, IngestReport, Passage, ReportInfo

_MARKER = re.compile(r"\[(\d+)\]")
CONTEXT_CHARS = 240  # characters of the surrounding passage shown on each side of a cited sentence


def esc(value: object) -> str:
    """HTML-escape (quotes too) and flatten newlines, so no markup or Markdown block can start inside a value."""
    return html.escape(str(value if value is not None else ""), quote=True).replace("\n", " ")


def report_href(report_id: str, start: int = 0, end: int = 0) -> str:
    return f"/report/{quote(report_id, safe='')}?start={int(start)}&end={int(end)}#ra-hl"


def safe_url(url: str) -> str:
    """The url if it is http(s), else empty (no javascript: or data: links from a report)."""
    return url if isinstance(url, str) and re.match(r"^https?://[^\s\"'<>]+$", url) else ""


def _meta(title: str, source: str, published, url: str, author: str = "") -> str:
    bits = [esc(source or "unknown source"), esc(published.isoformat() if published else "undated")]
    if author:
        bits.insert(1, "by " + esc(author))
    link = safe_url(url)
    if link:
        bits.append(f'<a class="ra-url" href="{esc(link)}" target="_blank" rel="noopener noreferrer nofollow">{esc(link)}</a>')
    return " · ".join(bits)


def _excerpt(text: str, start: int, end: int) -> str:
    """``text`` with [start:end] highlighted, trimmed to CONTEXT_CHARS around it."""
    a, b = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    before, cited, after = text[a:start], text[start:end], text[end:b]
    return (("…" if a > 0 else "") + esc(" ".join(before.split()) + (" " if before[-1:].isspace() else ""))
            + f'<mark class="ra-quote">{esc(cited)}</mark>'
            + esc((" " if after[:1].isspace() else "") + " ".join(after.split())) + ("…" if b < len(text) else ""))


def _passage_for(c: Citation, passages: list[Passage]) -> Passage | None:
    for p in passages:
        if p.report_id == c.report_id and p.start <= c.start and c.end <= p.end:
            return p
    return None


def citation_item(c: Citation, passages: list[Passage]) -> str:
    p = _passage_for(c, passages)
    excerpt = (_excerpt(p.text, c.start - p.start, c.end - p.start) if p
               else f'<mark class="ra-quote">{esc(c.quote)}</mark>')
    return (f'<li class="ra-source" data-n="{c.n}"><a class="ra-src" href="{report_href(c.report_id, c.start, c.end)}">'
            f'[{c.n}] {esc(c.title or "untitled")}</a><div class="ra-meta">{_meta(c.title, c.source, c.published, c.url, c.author)}'
            f'</div><div class="ra-passage">{excerpt}</div></li>')


def answer_text_html(ans: Answer, upto: int | None = None) -> str:
    """The answer's sentences (the first ``upto`` lines) with each ``[n]`` a link to its cited sentence."""
    by_n = {c.n: c for c in ans.citations}
    lines = [ln for ln in ans.text.split("\n") if ln.strip()]
    out = []
    for line in lines[:upto]:
        def link(m: re.Match) -> str:
            c = by_n.get(int(m.group(1)))
            return (f'<a class="ra-cite" href="{report_href(c.report_id, c.start, c.end)}" title="{esc(c.title)}">'
                    f'[{c.n}]</a>') if c else m.group(0)
        out.append(f'<p class="ra-line">{_MARKER.sub(link, esc(line))}</p>')
    return "".join(out)


def render_answer(ans: Answer, upto: int | None = None, sources: bool = True) -> str:
    """An answer (sentences with ``[n]`` links, then the Sources block), or a refusal with the closest passages."""
    if ans.refused:
        return render_refusal(ans)
    body = f'<div class="ra-answer">{answer_text_html(ans, upto)}'
    if sources and ans.citations:
        items = "".join(citation_item(c, ans.passages) for c in ans.citations)
        body += f'<div class="ra-sources"><div class="ra-sources-title">Sources</div><ol>{items}</ol></div>'
    return body + "</div>"


def stream_answer(ans: Answer) -> Iterator[str]:
    """Growing renderings of an answer, one sentence more each time, the last with its Sources block."""
    n = len([ln for ln in ans.text.split("\n") if ln.strip()])
    if not ans.refused:
        for k in range(1, n):
            yield render_answer(ans, upto=k, sources=False)
    yield render_answer(ans)


def render_refusal(ans: Answer, shown: int = 3) -> str:
    items = "".join(
        f'<li><a class="ra-src" href="{report_href(p.report_id, p.start, p.end)}">{esc(p.title or "untitled")}</a>'
        f'<div class="ra-meta">{_meta(p.title, p.source, p.published, p.url, p.author)}</div>'
        f'<div class="ra-passage">{esc(" ".join(p.text.split())[:400])}…</div></li>'
        for p in ans.passages[:shown])
    closest = (f'<div class="ra-sources-title">Closest passages</div><ol>{items}</ol>' if items
               else "<p>No passage came close (is the index empty? Add reports in the Reports tab).</p>")
    return (f'<div class="ra-refusal"><p class="ra-refusal-title"><strong>The reports do not contain an answer to '
            f'this question.</strong></p>{closest}</div>')


def render_error(message: str) -> str:
    return f'<div class="ra-error">⚠ {esc(message)}</div>'


def answer_plain(ans: Answer) -> str:
    """Plain text for API clients: the answer, then the sources (or the closest passages of a refusal)."""
    lines = [ans.text, ""]
    if ans.refused:
        lines.append("Closest passages:")
        lines += [f"- {p.title} ({p.source or 'unknown source'}, {p.published or 'undated'})" for p in ans.passages[:3]]
    else:
        lines.append("Sources:")
        lines += [f"[{c.n}] {c.title} ({c.source or 'unknown source'}, {c.published or 'undated'}) {c.url}".rstrip()
                  for c in ans.citations]
    return "\n".join(lines).strip()


def reports_table(reports: list[ReportInfo]) -> str:
    if not reports:
        return '<p class="ra-empty">No reports yet: upload files above (or run <code>report-assistant ingest</code>).</p>'
    rows = "".join(
        f'<tr><td><a class="ra-src" href="{report_href(r.id)}">{esc(r.title or "untitled")}</a></td><td>{esc(r.source)}</td>'
        f'<td>{esc(r.date_str)}</td><td>{r.chunks}</td></tr>' for r in reports)
    return ('<table class="ra-reports"><thead><tr><th>Title</th><th>Source</th><th>Date</th><th>Chunks</th></tr>'
            f'</thead><tbody>{rows}</tbody></table>')


def totals(stats: dict) -> str:
    span = f", {stats['first_date']} to {stats['last_date']}" if stats.get("first_date") else ""
    note = ("" if stats.get("index_current", True) else
            " **These reports were embedded or chunked with other settings (e.g. before an upgrade): run"
            " `report-assistant ingest` on the same reports (as `make run` does) to re-embed them.**")
    return (f"**{stats['reports']} reports**, {stats['chunks']} chunks, {stats['sources']} sources{span}. "
            f"Embedder: {stats['embedder']}; store: {stats['chroma']}.{note}")


def ingest_results(rows: list[tuple[str, str, str]]) -> str:
    """Per-file outcome rows of (file name, outcome, detail)."""
    if not rows:
        return ""
    body = "".join(f'<tr class="ra-{esc(o)}"><td>{esc(n)}</td><td>{esc(o)}</td><td>{esc(d)}</td></tr>' for n, o, d in rows)
    return f'<table class="ra-ingest"><thead><tr><th>File</th><th>Result</th><th>Detail</th></tr></thead><tbody>{body}</tbody></table>'


def outcome(rep: IngestReport) -> tuple[str, str]:
    """(outcome, detail) of ingesting one file."""
    if rep.added:
        return "added", f"{rep.chunks_embedded} chunks embedded"
    if rep.updated:
        return "updated", f"{rep.chunks_embedded} chunks embedded"
    if rep.unchanged:
        return "unchanged", "already in the index"
    if rep.failed:
        return "failed", "; ".join(f.reason for f in rep.failed)
    return "failed", "no report found in the file"


def report_page(art: Article, start: int = 0, end: int = 0) -> str:
    """A whole report as a standalone page, the span [start:end] highlighted (the no-script fallback of the viewer)."""
    text = art.text
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end > start:
        body = (esc_block(text[:start]) + f'<mark id="ra-hl">{esc_block(text[start:end])}</mark>' + esc_block(text[end:]))
    else:
        body = f'<span id="ra-hl"></span>{esc_block(text)}'
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{esc(art.title)}</title>'
            '<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}'
            '.text{white-space:pre-wrap}mark{background:#ffe066}</style></head><body>'
            f'<h1>{esc(art.title)}</h1><p>{_meta(art.title, art.source, art.published, art.url, art.author)}</p>'
            f'<div class="text">{body}</div></body></html>')


def esc_block(text: str) -> str:
    """Escape keeping newlines (for pre-wrap blocks)."""
    return html.escape(text, quote=True)


CSS = """
.ra-answer p.ra-line{margin:0 0 .4em 0}
a.ra-cite{font-weight:600;text-decoration:none;padding:0 .1em;cursor:pointer}
.ra-sources{margin-top:.6em;border-top:1px solid var(--border-color-primary);padding-top:.4em;font-size:.92em}
.ra-sources-title{font-weight:700;margin-bottom:.2em}
.ra-sources ol,.ra-refusal ol{margin:.2em 0 0 1.2em;padding:0}
.ra-meta{opacity:.8;font-size:.9em}
.ra-passage{margin:.2em 0 .6em 0}
mark.ra-quote,#ra-viewer mark{background:#ffe066;color:#000;padding:0 .1em}
.ra-refusal{border-left:4px solid #d9822b;background:rgba(217,130,43,.08);padding:.4em .8em}
.ra-error{border-left:4px solid #c0392b;background:rgba(192,57,43,.08);padding:.4em .8em}
table.ra-reports,table.ra-ingest{width:100%;border-collapse:collapse;font-size:.92em}
table.ra-reports td,table.ra-reports th,table.ra-ingest td,table.ra-ingest th{border-bottom:1px solid var(--border-color-primary);padding:.25em .4em;text-align:left}
tr.ra-failed td{color:#c0392b}
#ra-viewer{position:fixed;top:0;right:0;width:min(46rem,92vw);height:100vh;z-index:1000;background:var(--background-fill-primary,#fff);
  box-shadow:-4px 0 16px rgba(0,0,0,.25);display:flex;flex-direction:column}
#ra-viewer header{padding:.8em 1em;border-bottom:1px solid #ccc}
#ra-viewer .ra-viewer-title{font-weight:700;font-size:1.1em;margin-right:2em}
#ra-viewer .ra-viewer-close{position:absolute;top:.5em;right:.8em;font-size:1.4em;cursor:pointer;background:none;border:none}
#ra-viewer .ra-viewer-text{white-space:pre-wrap;overflow:auto;padding:1em;line-height:1.5;flex:1}
"""

# The report viewer: intercepts clicks on report links, fetches /api/report/<id> and shows the text with DOM text
# nodes only (never innerHTML), so nothing in a report can run.
VIEWER_JS = """
<script>
(function () {
  function node(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text; return e; }
  function close() { var v = document.getElementById("ra-viewer"); if (v) v.remove(); }
  async function openReport(id, start, end) {
    var r = await fetch("/api/report/" + encodeURIComponent(id), {credentials: "same-origin"});
    close();
    var v = node("div"); v.id = "ra-viewer"; v.setAttribute("role", "dialog");
    var head = node("header"), btn = node("button", "ra-viewer-close", "\\u00d7");
    btn.setAttribute("aria-label", "Close report"); btn.onclick = close; head.appendChild(btn);
    var body = node("div", "ra-viewer-text");
    if (!r.ok) { head.appendChild(node("div", "ra-viewer-title", "Report not found")); }
    else {
      var a = await r.json();
      head.appendChild(node("div", "ra-viewer-title", a.title || "untitled"));
      var meta = node("div", "ra-meta", [a.source || "unknown source", a.published || "undated"].join(" \\u00b7 "));
      if (/^https?:\\/\\//.test(a.url || "")) { var l = node("a", "ra-url", a.url); l.href = a.url;
        l.target = "_blank"; l.rel = "noopener noreferrer nofollow"; meta.append(" \\u00b7 ", l); }
      head.appendChild(meta);
      var t = a.text || ""; start = Math.max(0, Math.min(start, t.length)); end = Math.max(start, Math.min(end, t.length));
      body.appendChild(document.createTextNode(t.slice(0, start)));
      var m = node("mark", "ra-hl", t.slice(start, end)); m.id = "ra-hl"; body.appendChild(m);
      body.appendChild(document.createTextNode(t.slice(end)));
    }
    v.appendChild(head); v.appendChild(body); document.body.appendChild(v);
    var hl = document.getElementById("ra-hl"); if (hl && end > start) hl.scrollIntoView({block: "center"});
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest("a[href]") : null;
    if (!a) return;
    var u = new URL(a.getAttribute("href"), window.location.href);
    var m = u.pathname.match(/\\/report\\/([0-9a-f]{16})$/);
    if (!m || u.origin !== window.location.origin) return;
    ev.preventDefault(); ev.stopPropagation();
    openReport(m[1], parseInt(u.searchParams.get("start") || "0", 10), parseInt(u.searchParams.get("end") || "0", 10));
  }, true);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") close(); });
})();
</script>
"""

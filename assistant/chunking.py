"""Sentence-aware chunks that fit the embedder's window, with exact offsets into the report's text."""
from __future__ import annotations

import re
from typing import Callable, Sequence

from .sentences import sentence_spans
from .types import Article, Chunk

TokenCounter = Callable[[Sequence[str]], list[int]]
_SPECIAL_TOKENS = 2  # [CLS] and [SEP]
_WORD = re.compile(r"\S+")


def header(article: Article) -> str:
    """The short context line indexed with every chunk: 'title. source, date.'"""
    parts = [article.title.strip().rstrip(".")]
    meta = ", ".join(p for p in (article.source, article.date_str) if p)
    if meta:
        parts.append(meta)
    return ". ".join(p for p in parts if p) + "."


def indexed_text(article_header: str, chunk_text: str) -> str:
    """What is embedded and keyword-indexed for a chunk (offsets never refer to this)."""
    return f"{article_header}\n{chunk_text}" if article_header else chunk_text


def chunk_article(
    article: Article,
    count_tokens: TokenCounter,
    max_tokens: int = 200,
    overlap_sentences: int = 1,
    with_header: bool = True,
) -> list[Chunk]:
    """Pack whole sentences into chunks of at most ``max_tokens`` word pieces (header included)."""
    text = article.text
    head_tokens = count_tokens([header(article)])[0] if with_header else 0
    budget = max(16, max_tokens - head_tokens - _SPECIAL_TOKENS)
    spans = _fit_spans(text, sentence_spans(text), count_tokens, budget)
    if not spans:
        return []
    sizes = count_tokens([text[s:e] for s, e in spans])

    groups: list[tuple[int, int]] = []  # [first, last] sentence index of each chunk
    i = 0
    while i < len(spans):
        j, used = i, sizes[i]
        while j + 1 < len(spans) and used + sizes[j + 1] <= budget:
            j += 1
            used += sizes[j]
        groups.append((i, j))
        if j + 1 >= len(spans):
            break
        nxt = max(i + 1, j + 1 - overlap_sentences)  # repeat up to N sentences, always move forward
        i = nxt
    chunks = []
    for n, (a, b) in enumerate(groups):
        s, e = spans[a][0], spans[b][1]
        chunks.append(Chunk(id=f"{article.id}-{n:04d}", report_id=article.id, index=n, start=s, end=e, text=text[s:e]))
    return chunks


def _fit_spans(
    text: str, spans: list[tuple[int, int]], count_tokens: TokenCounter, budget: int
) -> list[tuple[int, int]]:
    """Split any sentence longer than the budget at word boundaries."""
    sizes = count_tokens([text[s:e] for s, e in spans]) if spans else []
    out: list[tuple[int, int]] = []
    for (s, e), size in zip(spans, sizes):
        if size <= budget:
            out.append((s, e))
            continue
        words = [(m.start(), m.end()) for m in _WORD.finditer(text, s, e)]
        word_sizes = count_tokens([text[ws:we] for ws, we in words])
        start, used = words[0][0], 0
        last_end = words[0][1]
        for (ws, we), n in zip(words, word_sizes):
            if used and used + n > budget:
                out.append((start, last_end))
                start, used = ws, 0
            if n > budget:  # a single absurd "word" (e.g. a 1 MB line of one token): cut by characters
                out.extend(_cut_chars(ws, we, count_tokens, budget, text))
                start, used, last_end = we, 0, we
                continue
            used += n
            last_end = we
        if last_end > start:
            out.append((start, last_end))
    return out


def _cut_chars(s: int, e: int, count_tokens: TokenCounter, budget: int, text: str) -> list[tuple[int, int]]:
    step = max(8, budget * 2)  # word pieces are at least one character; two characters each is conservative
    pieces = []
    while s < e:
        end = min(e, s + step)
        while count_tokens([text[s:end]])[0] > budget and end - s > 1:
            end = s + (end - s) // 2
        pieces.append((s, end))
        s = end
    return pieces

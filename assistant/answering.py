"""Answerers: turn a question and retrieved passages into an ``Answer`` whose sentences carry citations.

``Answerer`` is the swappable part (implement ``answer``). ``ExtractiveAnswerer``, the default, quotes the
sentences that best answer the question, scored by IDF-weighted term coverage and dense similarity (every sentence
whose vector was stored at ingest; otherwise the best by term coverage, embedded at question time), and refuses
when none is supported well enough.
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from . import answer_types
from .assignment import assign
from .dates import near
from .embedding import Embedder
from .person_names import NamedPerson, asks_for_people, asks_for_person, named_person
from .pronouns import organisation_referents, people, referents, sentences_naming
from .query_analysis import LIST_QUESTION, Facets, Part, author_names
from .sentences import sentence_stems
from .settings import AnsweringSettings
from .terms import content_stems, fold, local_weights, stem, words
from .types import Answer, Citation, Passage

REFUSAL = "The reports do not contain an answer to this question."
_NEGATION = re.compile(r"\b(not|no|never|none|neither|nor|without|n't)\b|n't\b", re.I)
# what a negation governs: the words after it up to a clause break ("did not suspend attacks", "never said that")
_NEGATED = re.compile(r"(?:\b(?:not|no|never|none|neither|nor|without)\b|n't\b)([^,;:.?!]*)", re.I)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
# The frame of "what is the name of ...?": its noun says what kind of answer is wanted, not a word the evidence
# shares ("the name of the company that ..." is answered by a sentence naming the company, rarely by one with "name").
_FRAME = re.compile(r"^\s*(what|which)\s+(is|was|are|were)\s+the\s+(full\s+)?(names?|titles?|number|types?|kinds?|amount)\s+of\b",
                    re.I)
# "What did Jane Doe write about X?": once the author is known, these words say who wrote, not what
_AUTHORING = re.compile(r"\b(writ(?:e|es|ing|ten)|wrote|authored|author|column|byline)\b", re.I)
_LEAD_START = 100  # the opening line (a dateline, byline or standfirst) is not the lead
_FULL_SENTENCE_CHARS = 150
_LONG_SENTENCE_CHARS = 300  # longer sentences hold several claims and many words: weaker as a pointed citation
IdfLookup = Callable[[Sequence[str]], dict[str, float]]
VectorLookup = Callable[[Sequence[str]], dict[str, np.ndarray]]


class Answerer(ABC):
    @abstractmethod
    def answer(self, question: str, passages: list[Passage], question_vector: np.ndarray | None = None,
               facets: Facets | None = None) -> Answer:
        """An answer citing only the given passages, or a refusal (``refused=True``) with them attached.

        ``facets`` is what question analysis found (named publishers, dates, time order), for answerers that use it.
        """


@dataclass
class _Candidate:
    passage: Passage
    rank: int
    start: int  # offsets in the report
    end: int
    quote: str
    lexical: float = 0.0
    dense: float = 0.0
    score: float = 0.0
    stems: frozenset[str] = frozenset()  # its content stems, with the name its "he" / "she" stands for (pronoun_names)
    vector: np.ndarray | None = None
    prior: float = 1.0  # lead and length priors: multiply the score when choosing among sentences (not for refusal)
    support: float = 0.0  # the score before the date-range preference: what the refusal threshold sees
    lexical_support: float = 0.0  # the term coverage the support counts (without the named publishers' names)
    person: str = ""  # in a list of people, the person it is cited for, when the sentence does not write the name


class ExtractiveAnswerer(Answerer):
    def __init__(self, embedder: Embedder, idf: IdfLookup, settings: AnsweringSettings,
                 sentence_vectors: VectorLookup | None = None):
        """``sentence_vectors``: chunk ids -> their sentences' stored vectors (``Catalog.sentence_vectors``); without
        it, or for chunks without them, the sentences worth a dense score are embedded at question time."""
        self.embedder, self.idf, self.s = embedder, idf, settings
        self.sentence_vectors = sentence_vectors if settings.stored_sentence_vectors else None

    def answer(self, question, passages, question_vector=None, facets=None) -> Answer:
        idf = self._idf_once(question, facets)
        cands = self.score(question, passages, question_vector, facets, idf)
        best = max((c.support for c in cands), default=0.0)  # how well the reports answer it, date preference aside
        if best < self.s.min_support:
            return Answer(question=question, text=REFUSAL, passages=passages, refused=True, confidence=round(best, 4))
        chosen = self.select(question, cands, facets, idf)
        person = self._person(question, passages, cands, chosen)
        if person is not None and not any(c is person[1] for c in chosen):  # candidates compare by identity
            chosen.insert(0, person[1])
        citations, parts = [], []
        for n, c in enumerate(chosen, 1):
            p = c.passage
            citations.append(Citation(n=n, report_id=p.report_id, quote=c.quote, start=c.start, end=c.end, title=p.title,
                                      source=p.source, published=p.published, url=p.url, chunk_id=p.chunk_id,
                                      author=p.author))
            parts.append(f"{c.person}: {c.quote} [{n}]" if c.person else f"{c.quote} [{n}]")
        if person is not None:
            who, where = person
            n = next(n for n, c in enumerate(chosen, 1) if c is where)
            parts.insert(0, f"{who.name} is named in {who.reports} of the {who.read} reports read [{n}]")
        if facets and facets.order and self.s.date_order:
            parts.extend(_date_order(citations))
        if facets:
            parts.extend(_date_reading(facets))
        return Answer(question=question, text="\n".join(parts), citations=citations, passages=passages,
                      confidence=round(best, 4))

    def _person(self, question: str, passages: list[Passage], cands: list[_Candidate],
                chosen: list[_Candidate]) -> tuple[NamedPerson, _Candidate] | None:
        """For a question asking for one person ("Who ...?", "Which pop star ...?"; not "Which players ...?"), the
        person most of the reports read name and the question does not, or else the one the chosen sentences call by
        surname alone (``person_names``, ``person_from_quotes``), with the sentence to cite
        for the name: a chosen one naming them in full, else the best-scored such sentence read. None when no person
        qualifies or no sentence names them in full."""
        if not (self.s.person_line and asks_for_person(question)):
            return None
        quoted = [c.quote for c in chosen] if self.s.person_from_quotes else []
        who = named_person(question, [(p.report_id, p.text) for p in passages], quoted=quoted)
        if who is None:
            return None
        where = next((c for c in chosen if who.name in c.quote), None)  # a quoted sentence that names them
        if where is None:
            where = max((c for c in cands if who.name in c.quote), key=lambda c: c.score * c.prior, default=None)
        return (who, where) if where is not None else None

    # -- scoring ----------------------------------------------------------------------------------------
    def _idf_once(self, question: str, facets: Facets | None) -> IdfLookup:
        """One catalog lookup for the stems of the question and of its parts, served from then on."""
        stems = set(content_stems(_asked(question, facets)))
        for part in self._parts(facets):
            stems |= _part_stems(part)
        known = self.idf(sorted(stems))
        return lambda terms: {t: known[t] for t in terms} if known.keys() >= set(terms) else self.idf(terms)

    def score(self, question: str, passages: list[Passage], qvec: np.ndarray | None,
              facets: Facets | None = None, idf_lookup: IdfLookup | None = None) -> list[_Candidate]:
        lookup = idf_lookup or self.idf
        q_stems = set(content_stems(_asked(question, facets)))
        # what the refusal score asks a sentence to share: not the publishers' names as the question writes them,
        # which their reports rarely print ("What did the New York Times report about X?")
        s_stems = q_stems
        if facets and facets.source_names and self.s.support_without_sources:
            s_stems = (q_stems - {t for name in facets.source_names for t in content_stems(name)}) or q_stems
        if not q_stems or not passages:
            return []
        idf = lookup(sorted(q_stems))
        negated = _NEGATION.search(question) is not None
        one_clause = not _described(facets)
        wanted = answer_types.fits(question, self.s.count_near_noun, self.s.who_needs_name and one_clause,
                                   self.s.why_needs_reason, self.s.kind_needs_word and one_clause)
        neg_weight = sum(idf.values()) / len(idf) if negated else 0.0
        total = (sum(idf.values()) + neg_weight) or 1.0
        s_total = (sum(idf[t] for t in s_stems) + neg_weight) or 1.0
        cands: dict[tuple[str, int], _Candidate] = {}
        stored = self.sentence_vectors([p.chunk_id for p in passages]) if self.sentence_vectors else {}
        before = _previous_sentences(passages) if self.s.context_carry else {}
        named = _referred_names(passages, self.s.pronoun_names, self.s.organisation_names)
        said_by = _speaker(question, facets) if self.s.speaker_check else None
        about = answer_types.named_about(question) if self.s.name_penalty < 1 else None
        naming = _naming_people(passages, question, about) if about else None
        for rank, p in enumerate(passages):
            sentences = sentence_stems(p.text)
            rows = stored.get(p.chunk_id)  # rows in ``sentence_spans`` order; another count: embed at question time
            rows = rows if rows is not None and len(rows) == len(sentences) else [None] * len(sentences)
            for (s, e, stems), vector in zip(sentences, rows):
                key = (p.report_id, p.start + s)
                if key in cands:
                    if cands[key].vector is None and cands[key].end == p.start + e:
                        cands[key].vector = vector
                    continue
                quote = p.text[s:e]
                if not stems:
                    continue
                polar = negated and _NEGATION.search(quote) is not None
                held = stems | named[key] if key in named else stems
                lex = _coverage(q_stems, held, idf, polar, before.get(key), self.s.context_carry) / total
                lex_s = lex if s_stems is q_stems else \
                    _coverage(s_stems, held, idf, polar, before.get(key), self.s.context_carry) / s_total
                cands[key] = _Candidate(p, rank, p.start + s, p.start + e, quote, lexical=lex, lexical_support=lex_s,
                                        stems=held, prior=self._prior(p.start + s, len(quote)), vector=vector)
        pool = _pool(list(cands.values()), self.s.dense_sentences, self.s.per_passage_candidates)
        have = {id(c) for c in pool}
        pool.extend(c for c in cands.values() if c.vector is not None and id(c) not in have)  # stored: all of them
        for part in self._parts(facets):  # each part's best sentences by its own words get a dense score too
            part_stems = _part_stems(part)
            part_idf = lookup(sorted(part_stems))
            mine = [c for c in cands.values() if c.passage.source in part.sources]
            mine.sort(key=lambda c: -_coverage(part_stems, c.stems, part_idf, False))
            have = {id(c) for c in pool}
            pool.extend(c for c in mine[: self.s.part_candidates] if id(c) not in have)
        if qvec is None:
            qvec = self.embedder.embed_query(question)
        todo = [c for c in pool if c.vector is None]
        for c, v in zip(todo, self.embedder.embed_batch([c.quote for c in todo]) if todo else []):
            c.vector = v
        for c in pool:
            c.dense = float(np.dot(qvec, c.vector))
            factor = 1.0
            fits = wanted(c.quote) if wanted is not None else None
            if not _SENTENCE_END.search(c.quote):  # a headline, caption or label line: weaker evidence than prose,
                factor *= 0.8 if fits else self.s.headline_factor  # unless it holds the kind asked for ("Updated: ...")
            if fits is False:  # cannot hold the kind of answer asked for
                factor *= self.s.answer_type_penalty
            if naming is not None and (c.passage.report_id, c.start) not in naming:  # names no one: no name to give
                factor *= self.s.name_penalty
            if said_by and said_by not in c.stems:  # not said by the one asked about ("he" counts as their name)
                factor *= self.s.answer_type_penalty
            rest = 0.5 * max(c.dense, 0.0) + 0.05 / (1 + c.rank)
            c.score = (0.5 * c.lexical + rest) * factor
            c.support = (0.5 * c.lexical_support + rest) * factor
        self._prefer_local_terms(pool, list(cands.values()), q_stems, idf, question)
        self._prefer_named_reports(pool, facets)
        self._prefer_recent(pool, facets)
        verb = answer_types.asked_verb(question) if one_clause else None
        if verb:  # "Has Israel confirmed the attack?": a sentence saying whether it confirmed it, when one answers
            self._prefer(pool, lambda c: verb in c.stems, self.s.verb_penalty)
        return sorted(pool, key=lambda c: -c.score)

    def _prefer_local_terms(self, pool: list[_Candidate], read: list[_Candidate], q_stems: set[str],
                            idf: dict[str, float], question: str) -> None:
        """In choosing what to cite (not in deciding whether the reports answer the question at all), a sentence
        gains ``local_term_weight`` times its share of the question's term weight, where a term weighs its IDF times
        its rarity among the reports read (``terms.local_weights``): words every report shares say what the reports
        are about, a word one report holds points at the detail asked for. Passages of one report: no effect.
        Words a negation in the question governs ("which groups did not suspend attacks?") get no weight: the
        report holding "suspend" is as likely to say the opposite of what is asked."""
        w = self.s.local_term_weight
        if not w:
            return
        by_report: dict[str, set[str]] = {}
        for c in read:  # every sentence read, by report
            by_report.setdefault(c.passage.report_id, set()).update(c.stems)
        if len(by_report) < 2:
            return
        terms = q_stems - {t for m in _NEGATED.finditer(question) for t in content_stems(m.group(1))}
        local = local_weights(terms, idf, list(by_report.values()))
        total = sum(local.values())
        if not total:
            return
        for c in pool:
            c.score += w * sum(local[t] for t in terms & c.stems) / total

    def _prefer_named_reports(self, pool: list[_Candidate], facets: Facets | None) -> None:
        """When the question names when reports were published ("reported last week") or who wrote them ("what did
        Jane Doe write"), and such a report answers it (a sentence at the refusal threshold), the sentences of other
        reports count ``range_penalty`` (``author_penalty``) times, in choosing what to cite (not in deciding whether
        the reports answer the question at all)."""
        ranges = facets.preferred_ranges if facets else []
        if ranges:
            self._prefer(pool, lambda c: any(r.contains(c.passage.published) for r in ranges), self.s.range_penalty)
        by_named = set(facets.author_reports) if facets else set()
        if by_named:
            self._prefer(pool, lambda c: c.passage.report_id in by_named, self.s.author_penalty)

    def _prefer(self, pool: list[_Candidate], inside: Callable[[_Candidate], bool], penalty: float) -> None:
        if penalty >= 1.0:
            return
        ins = {id(c) for c in pool if inside(c)}
        if any(c.support >= self.s.min_support for c in pool if id(c) in ins):
            for c in pool:
                if id(c) not in ins:
                    c.score *= penalty

    def _prefer_recent(self, pool: list[_Candidate], facets: Facets | None) -> None:
        """"What is the latest on X?": a sentence loses up to ``recency_penalty`` of its score by how old its report
        is among the reports read (the newest loses nothing)."""
        if not (facets and facets.recency and self.s.recency_penalty):
            return
        dates = [c.passage.published for c in pool if c.passage.published]
        if len(set(dates)) < 2:
            return
        first, last = min(dates), max(dates)
        for c in pool:
            d = c.passage.published
            age = (last - d).days / (last - first).days if d else 1.0
            c.score *= 1.0 - self.s.recency_penalty * age

    def _prior(self, start: int, chars: int) -> float:
        """News puts the gist in its lead: a sentence among a report's first ``lead_chars`` characters (after the
        opening line) gets ``lead_boost``; the opening line itself sums up the story in the question's words but
        rarely states the detail asked for (``opening_factor``); short fragments carry little evidence: (chars /
        150) ** ``length_prior``; very long sentences match many words by their size alone: (300 / chars) **
        ``long_prior``."""
        if start < _LEAD_START:
            lead = self.s.opening_factor
        else:
            lead = self.s.lead_boost if start < self.s.lead_chars else 1.0
        long = (_LONG_SENTENCE_CHARS / chars) ** self.s.long_prior if chars > _LONG_SENTENCE_CHARS else 1.0
        return lead * long * min(1.0, chars / _FULL_SENTENCE_CHARS) ** self.s.length_prior

    def _all_parts(self, facets: Facets | None) -> list[Part]:
        if not (facets and facets.parts and self.s.part_selection):
            return []
        return [p for p in facets.parts if self.s.clause_parts or not p.clause]

    def _parts(self, facets: Facets | None) -> list[Part]:
        return [p for p in self._all_parts(facets) if p.own]

    def select(self, question: str, cands: list[_Candidate], facets: Facets | None = None,
               idf_lookup: IdfLookup | None = None) -> list[_Candidate]:
        parts = self._all_parts(facets)
        if parts:
            chosen = self._select_per_part(cands, parts, idf_lookup or self.idf)
            if chosen:
                return chosen
        if facets and facets.mentions and self.s.facet_selection:
            chosen = self._select_per_source(cands, facets)
            if chosen:
                return chosen
        listing = facets.listing if facets else bool(LIST_QUESTION.match(question))
        limit = self.s.max_sentences * (2 if listing else 1)
        if self.s.people_lists and asks_for_people(question):
            chosen = self._select_per_person(question, cands, limit)
            if chosen:
                return chosen
        # never above the best sentence: date preferences may have lowered every score below min_support
        floor = min(max(self.s.min_support, cands[0].score * (0.75 if listing else 0.85)), cands[0].score)
        asked = set(content_stems(_asked(question, facets))) if self.s.novel_citations and not listing else None
        held: set[str] = set()
        chosen: list[_Candidate] = []
        for c in cands:
            if c.score < floor or len(chosen) >= limit:
                break
            if any(_same_text(c.quote, o.quote) for o in chosen):
                continue
            if asked is not None and chosen and not (asked & c.stems) - held:  # says nothing more of the question
                continue
            chosen.append(c)
            held |= c.stems
        return chosen

    def _select_per_person(self, question: str, cands: list[_Candidate], limit: int) -> list[_Candidate]:
        """"Which US officials are quoted ...?": for each person the sentences read name (or call "he" / "she") and
        the question does not, their best sentence, best first, up to ``limit``, down to ``people_share`` of the first
        person's: what people say rarely repeats the question's words ("we will judge this group ... by what they
        do," said State Department spokesman Matthew Miller)."""
        asked = {fold(w) for w in words(question)}
        best: dict[tuple[str, ...], _Candidate] = {}
        for c in cands:  # best first, so the first person's sentence scores highest
            if best and c.score < self.s.people_share * next(iter(best.values())).score:
                break
            for name in _persons_of(c):
                if not any(fold(w) in asked for t in name for w in words(t)):
                    best.setdefault(name, c)
        chosen: list[_Candidate] = []
        for name, c in sorted(best.items(), key=lambda nc: -nc[1].score):
            if len(chosen) < limit and not any(c is o for o in chosen):
                full = " ".join(name)
                c.person = "" if full in c.quote else full  # "Barbara Leaf: She gave little detail ..."
                chosen.append(c)
        return chosen

    def _select_per_source(self, cands: list[_Candidate], facets: Facets) -> list[_Candidate]:
        """For each publisher the question names N times, the best sentence of each of its N best reports."""
        floor = self.s.min_support * self.s.facet_floor
        chosen: list[_Candidate] = []
        for source, times in facets.mentions.items():
            per_report: dict[str, _Candidate] = {}
            for c in sorted(cands, key=lambda c: -c.score * c.prior):
                if c.passage.source == source and c.score >= floor:
                    per_report.setdefault(c.passage.report_id, c)
            chosen.extend(list(per_report.values())[:times])
        return sorted(chosen, key=lambda c: -c.score)

    def _select_per_part(self, cands: list[_Candidate], parts: list[Part], lookup: IdfLookup) -> list[_Candidate]:
        """For each part of the question, a sentence from a report of the publishers it names, each from a different
        report: with ``joint_parts`` the choice with the highest total part score, else each part's best in question
        order among the reports left. A part with words of its own scores sentences by the whole question and, with
        ``part_share``, by the part: its MiniLM similarity (``part_dense_share``) and its term coverage. A part
        mostly describes the report it asks about ("the X report on the operator's safety lapses"), often in other
        words than the sentence it points at, so the part and its meaning weigh most. A part without words of its
        own is matched by the whole question alone."""
        scored = [c for c in cands if c.vector is not None]  # the sentences that have a dense score
        order: dict[str, int] = {}
        for c in sorted(scored, key=lambda c: c.rank):
            order.setdefault(c.passage.report_id, len(order))
        floor = self.s.min_support * self.s.facet_floor
        vectors = self.embedder.embed_batch([p.text for p in parts if p.own]) if any(p.own for p in parts) else []
        own_vectors = iter(vectors)
        chosen: list[_Candidate] = []
        used: set[str] = set()
        slots: list[list[tuple[float, _Candidate]]] = []
        for part in parts:
            if part.own:
                stems, vec = _part_stems(part), next(own_vectors)
                idf = lookup(sorted(stems))
                total = sum(idf.values()) or 1.0

                def fit(c: _Candidate) -> float:
                    dense = self.s.part_dense_share
                    own = ((1 - dense) * _coverage(stems, c.stems, idf, False) / total
                           + dense * max(float(np.dot(vec, c.vector)), 0.0))
                    return (1 - self.s.part_share) * c.score + self.s.part_share * own
            else:
                def fit(c: _Candidate) -> float:
                    return c.score if c.score >= floor else -1.0
            for source in part.sources if not part.own else [None]:
                pool = [c for c in scored if c.passage.report_id not in used
                        and (c.passage.source == source if source else not part.sources or c.passage.source in part.sources)]
                # "the report published on October 7, 2023": that day's reports first, then the day's either side
                # (time zones move a report's date by a day), then any
                exact = [c for c in pool if c.passage.published in part.dates] if self.s.exact_day_first else []
                pool = exact or [c for c in pool if near(c.passage.published, part.dates)] or pool
                if part.clause:  # a clause of a question naming its publishers once: only a sentence that answers it
                    pool = [c for c in pool if c.score >= self.s.clause_floor]
                ranked = [(fit(c) * c.prior + self.s.report_rank_bonus / (1 + order[c.passage.report_id]), c) for c in pool]
                ranked = [rc for rc in ranked if rc[0] >= 0]
                if self.s.joint_parts:  # chosen together below
                    slots.append(ranked)
                elif ranked:
                    best = max(ranked, key=lambda rc: rc[0])[1]
                    chosen.append(best)
                    used.add(best.passage.report_id)
        return _jointly(slots) if self.s.joint_parts else chosen


def _jointly(slots: list[list[tuple[float, _Candidate]]]) -> list[_Candidate]:
    """Each slot's sentence, from distinct reports, with the highest total score (``assignment.assign``); a slot
    may take its best sentence of any report, and gets none only when every report it has is taken."""
    best: list[dict[str, tuple[float, _Candidate]]] = []
    for ranked in slots:
        per_report: dict[str, tuple[float, _Candidate]] = {}
        for sc, c in sorted(ranked, key=lambda rc: -rc[0]):
            per_report.setdefault(c.passage.report_id, (sc, c))
        best.append(per_report)
    taken = assign([{rid: sc for rid, (sc, _) in per_report.items()} for per_report in best])
    return [per_report[rid][1] for per_report, rid in zip(best, taken) if rid is not None]


def _part_stems(part: Part) -> set[str]:
    """The part's content stems, without the publisher names (reports rarely name their own publisher)."""
    names = {t for src in part.sources for t in content_stems(src)}
    return set(content_stems(_FRAME.sub(" ", part.text))) - names


def _pool(cands: list[_Candidate], overall: int, per_passage: int) -> list[_Candidate]:
    """Sentences worth a dense score: the best by term coverage overall, and the best few of every passage."""
    by_lex = sorted(cands, key=lambda c: (-c.lexical, c.rank))
    keep = {id(c): c for c in by_lex[:overall]}
    seen: dict[str, int] = {}
    for c in by_lex:
        if seen.get(c.passage.chunk_id, 0) < per_passage:
            seen[c.passage.chunk_id] = seen.get(c.passage.chunk_id, 0) + 1
            keep.setdefault(id(c), c)
    return list(keep.values())


def _asked(question: str, facets: Facets | None) -> str:
    """The words a sentence must share to answer the question: without the frame ("what is the name of"), without
    when the reports were published ("reported last week", "before the attack"), which the dates answer, not the text,
    and without the authors it names."""
    question = _FRAME.sub(" ", question)
    for r in facets.ranges if facets else []:
        question = question.replace(r.text, " ")
    if facets and facets.authors:  # reports rarely name their own author, or say that they were written
        for name in (n for a in facets.authors for n in author_names(a)):
            question = question.replace(name, " ")
        question = _AUTHORING.sub(" ", question)
    return question


def _speaker(question: str, facets: Facets | None) -> str | None:
    """Who "What did X say ...?" asks about (``answer_types.speaker``), unless X is a publisher or an author the
    question names ("What did TechCrunch say ...?", "What did Jane Doe write ...?": their reports rarely name them)."""
    question = _asked(question, facets)
    for name in facets.source_names if facets else []:
        question = question.replace(name, " ")
    return answer_types.speaker(question)


def _date_reading(facets: Facets) -> list[str]:
    """How the question's relative dates were read ("'last week' read as reports published ..."), so the user can
    check the window the answer searched first."""
    read = [r.describe() for r in facets.ranges if r.relative]
    return [f"Dates: {'; '.join(read)}."] if read else []


def _described(facets: Facets | None) -> bool:
    """A question of several long clauses or parts describes what it asks for clause by clause ("Who is the
    individual who A, and who B?"): a sentence supporting one clause need not name the answer."""
    return bool(facets and (facets.clauses or facets.parts))


def _date_order(citations: list[Citation]) -> list[str]:
    """One line putting the cited reports in publication order, when they have dates and there are several."""
    first: dict[str, Citation] = {}
    for c in citations:
        if c.published:
            first.setdefault(c.report_id, c)
    if len(first) < 2:
        return []
    ordered = sorted(first.values(), key=lambda c: c.published)
    steps = [f"{c.source or 'a report'} of {c.published.isoformat()} [{c.n}]" for c in ordered]
    return ["In publication order: " + ", then ".join(steps) + "."]


def _coverage(q_stems: set[str], stems: frozenset[str], idf: dict[str, float], polarity_match: bool,
              before: frozenset[str] | None = None, carry: float = 0.0) -> float:
    """IDF mass of the question's stems found in the sentence (a stem sharing a 6-letter prefix counts: suspend ~
    suspension), plus one average term's weight when both the question and the sentence are negated, plus ``carry``
    times the mass of those the sentence lacks and the sentence ``before`` it holds: a news sentence leans on the one
    before ("... launched a drone attack against Haifa. Israel has not confirmed the attack.", "... Mr Doyle said. He
    said: 'Unless we sort out the situation in Gaza ...'")."""
    found = _found(q_stems, stems)
    got = sum(idf[t] for t in found)
    if before and carry:
        got += carry * sum(idf[t] for t in _found(q_stems - found, before))
    if polarity_match:
        got += sum(idf.values()) / len(idf)
    return got


def _found(q_stems: set[str], stems: frozenset[str]) -> set[str]:
    """The question's stems the sentence holds, as such or by a shared 6-letter prefix."""
    found = q_stems & stems
    rest = [t for t in q_stems - found if len(t) >= 6]
    if rest:
        prefixes = {s[:6] for s in stems if len(s) >= 6}
        found |= {t for t in rest if t[:6] in prefixes}
    return found


def _previous_sentences(passages: list[Passage]) -> dict[tuple[str, int], frozenset[str]]:
    """For each sentence read (keyed by report and start), the stems of the sentence before it in a passage read."""
    out: dict[tuple[str, int], frozenset[str]] = {}
    for p in passages:
        sentences = sentence_stems(p.text)
        for (_, _, stems), (s, _, _) in zip(sentences, sentences[1:]):
            out[(p.report_id, p.start + s)] = stems
    return out


def _referred_names(passages: list[Passage], persons: bool = True,
                    organisations: bool = True) -> dict[tuple[str, int], frozenset[str]]:
    """For each sentence read whose "he" / "she" refers to a person named before it in its passage (``persons``), or
    whose "the group" / "the company" ... to an organisation the passage called so (``organisations``), keyed by
    report and start, the stems of that name: "He added that ..." holds "Lloyd Austin" for the answerer, "..., the
    group added" "True Promise Corps"."""
    out: dict[tuple[str, int], frozenset[str]] = {}
    for p in passages:
        found = [referents(p.text)] if persons else []
        found += [organisation_referents(p.text)] if organisations else []
        for refs in found:
            for s, tokens in refs.items():
                key = (p.report_id, p.start + s)
                out[key] = out.get(key, frozenset()) | frozenset(content_stems(" ".join(tokens)))
    return out


def _persons_of(c: _Candidate) -> set[tuple[str, ...]]:
    """The persons a candidate sentence names, or calls "he" / "she" (``pronouns``), within its passage."""
    p = c.passage
    s, e = c.start - p.start, c.end - p.start
    found = {name for at, name in people(p.text) if s <= at < e}
    ref = referents(p.text).get(s)
    return found | {ref} if ref else found


def _naming_people(passages: list[Passage], question: str, about: frozenset[str]) -> set[tuple[str, int]]:
    """The sentences read (report, start) that name a person the question does not name, next to a word the
    question says of them."""
    asked = frozenset(stem(w) for w in words(question))
    return {(p.report_id, p.start + s) for p in passages
            for s in sentences_naming(p.text, asked, about, answer_types.NAME_WINDOW)}


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())

"""One explicit settings object, read from the environment (prefix ``ASSISTANT_``) at the edge.

Nested stages use ``__``: ``ASSISTANT_RETRIEVAL__TOP_K=8``. Unknown keys are rejected.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class _Stage(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(_Stage):
    model_path: str = Field("", description="Folder of a sentence-transformers model; empty = the packaged all-MiniLM-L6-v2.")
    backend: Literal["onnx", "int8", "torch"] = Field(
        "onnx", description="'onnx' = ONNX Runtime with int8 weights, built once from the packaged weights into cache_dir (fastest); "
        "'int8' = torch with int8 dynamic quantization; 'torch' = the float model."
    )
    batch_size: int = Field(32, ge=1, description="Texts per forward pass in bulk calls (torch backends; onnx embeds one text per pass).")
    threads: int = Field(0, ge=0, description="Cores used by bulk embedding (ingest); 0 = all cores.")
    cache_dir: str = Field("", description="Where the onnx backend keeps its built model; empty = ~/.cache/report-assistant.")
    sentence_vectors: bool = Field(True, description="Also embed every sentence at ingest (stored in the catalog) for re-scoring retrieval candidates by their best sentence; false = ingest about 2x faster, without sentence_dense_boost and clause_dense_boost.")


class ChunkingSettings(_Stage):
    max_tokens: int = Field(256, ge=32, le=256, description="Word pieces per chunk, header and special tokens included (must stay within the embedder's window).")
    overlap_sentences: int = Field(1, ge=0, le=5, description="Sentences repeated at the start of the next chunk.")
    header: bool = Field(True, description="Prefix the embedded/indexed text with 'title. source, date.' (offsets still refer to the report).")


class RetrievalSettings(_Stage):
    top_k: int = Field(10, ge=1, le=100, description="Passages returned by search and used by ask; also the window ranked as one list (bridge hop, publisher lead): a search asking for more passages adds the next ones of a deeper ranking after these, one asking for fewer gets the first of these.")
    candidates: int = Field(50, ge=1, le=1000, description="Candidates taken from each of the keyword and dense sides before combining.")
    keyword_memory_chunks: int = Field(100_000, ge=0, description="Hold the keyword index in memory (BM25 with numpy, the same scores as SQLite FTS5's; about 1.5-2 KB a chunk, read in the background after the first search and after each change) while it has at most this many chunks; above it, or 0, every keyword search runs in FTS5 (10-20 ms a search at 8,000 chunks and 126 ms at 100,000, against 1-2 ms).")
    dense_memory_chunks: int = Field(50_000, ge=0, description="Search the chunk vectors exactly in memory (a copy of the vector store's, 1.5 KB a chunk, read in the background once the keyword index is held in memory, and again after each change; the same filters as the keyword search) while the index has at most this many chunks; above it, or 0, every dense search goes to Chroma's HNSW index (a filtered one takes 11-30 ms there at 8,000 chunks, against under 1 ms in memory), and so does one over more than dense_memory.EXACT_ROWS (20,000) rows, where a full scan is slower than HNSW. Needs keyword_memory_chunks to cover the index too.")
    dense_weight: float = Field(0.3, ge=0.0, le=1.0, description="Weight of the dense score in the combination (0 = keyword only).")
    report_decay: float = Field(0.8, gt=0.0, le=1.0, description="Each further chunk of an already chosen report has its score multiplied by this (diversity; 1 = off).")
    diversity_after: int = Field(3, ge=0, le=100, description="The first N passages are the best-scored ones whatever their report; report diversity orders the rest (0 = diversity from the first).")
    source_facets: bool = Field(True, description="One sub-retrieval per publisher the question names, merged into the top-k.")
    source_names_as_written: bool = Field(True, description="Find the publishers a question names as people write them: in any case when their capitalised words are capitalised ('CNBC', 'Fox News'), with or without 'the', by initials ('NYT') or a leading acronym ('the BBC'), a one-word name without its web domain and in words ('CBS Sports' for 'CBSSports.com'); false = only as stored, as before the 2026-11-27 evening session.")
    part_queries: Literal["off", "keyword", "both"] = Field("both", description="In a question in parts ('Does X say A, while Y says B?'), each named publisher's sub-retrieval searches with its own part's words ('keyword'), or also its own part's vector ('both').")
    author_facets: bool = Field(True, description="Authors the question names by full name ('What did Jane Doe write about X?'), matched against the stored author fields: one sub-retrieval within their reports, and their reports get named_source_boost.")
    clause_sources: bool = Field(False, description="True: a long clause that names publishers ('..., is mentioned by TechCrunch for B, ...') is searched only within their reports, by its clause sub-query and by the bridge hop (the default from the 2026-11-27 morning session to the 2026-11-27/28 night session); false (the default): the sub-query searches every report and the hop every publisher the question names. On dev with the 7-bit encoder, false puts all evidence reports in the top 10 for 0.851 of the questions against 0.845, for citation P / R 0.463 / 0.394 against 0.467 / 0.397.")
    coordinated_clauses: bool = Field(True, description="In finding a question's long clauses, a short piece joined to its neighbour by a bare 'and' / 'or' ('app distribution and payment processing') stays in its clause, and a publisher's name is never cut ('The Independent - Life and Style'); false cuts at every break, as before the 2026-11-27 morning session.")
    clause_queries: bool = Field(True, description="A question with two or more long clauses (4+ content words) gets one sub-retrieval per clause, with the clause's words and vector, over every report (or the publishers the clause names: clause_sources).")
    part_date_queries: bool = Field(True, description="A question part naming a date ('the X report published on October 7, 2023') gets a second sub-retrieval within that day's reports of its publishers.")
    date_ranges: bool = Field(True, description="Publication-date ranges the question names ('reported last week', 'articles from late November', 'published before October 31, 2023', 'reported before the attack') get a sub-retrieval within the range; relative ones are counted back from the newest report (or today: relative_dates), events dated by the earliest report on them.")
    relative_dates: Literal["newest", "today"] = Field("newest", description="What 'last week', 'this month' or 'late November' count back from: 'newest' = the newest report in the index (a folder read as of its newest report, e.g. an archive), 'today' = the machine's date (a folder kept up to date).")
    range_boost: float = Field(0.2, ge=0.0, le=2.0, description="Relative boost for reports published inside a date range the question names (not when the question compares reports over time).")
    recency_boost: float = Field(0.2, ge=0.0, le=2.0, description="For a question asking for the latest reporting ('What is the latest on X?'), the relative boost of the newest candidates (scaled by date between the oldest and newest candidate); 0 = off.")
    date_boost: float = Field(0.2, ge=0.0, le=2.0, description="Relative boost for reports published on a date the question names.")
    near_date_share: float = Field(0.5, ge=0.0, le=1.0, description="Share of date_boost for reports published a day before or after a date the question names (time zones move a report's date by a day); 1 = the same as that day.")
    rerank_depth: int = Field(40, ge=0, le=200, description="Candidates re-scored with the boosts below before the final top-k (0 = off).")
    sentence_boost: float = Field(0.5, ge=0.0, le=5.0, description="Added to a candidate's relative score times the share of the question's IDF mass in its best single sentence.")
    local_term_boost: float = Field(0.2, ge=0.0, le=5.0, description="Added to a candidate's relative score times the share of the question's term weight in its best single sentence, where a term weighs its IDF times its rarity among the candidates re-scored (log((N + 1) / (n + 0.5)), n of N holding it): the words that tell apart candidates sharing the question's topic; 0 = off.")
    clause_sentence_boost: float = Field(0.25, ge=0.0, le=5.0, description="In a question with two or more long clauses, added to a candidate's relative score times the largest share of one clause's IDF mass held by its best single sentence (each clause is often told by a different report); 0 = off.")
    sentence_dense_boost: float = Field(0.3, ge=0.0, le=5.0, description="Added to a candidate's relative score times the cosine between the question's vector and its best single sentence's (sentence vectors are stored at ingest); 0 = off.")
    clause_dense_boost: float = Field(0.15, ge=0.0, le=5.0, description="In a question with two or more long clauses, added to a candidate's relative score times the largest cosine between one clause's vector and one of its sentences'; 0 = off.")
    bridge_hop: bool = Field(True, description="A question asking for an entity it does not name, in two or more long clauses ('Who is the individual tried for A, who also did B?'): the name most of the first passages share is searched again with each clause's words, and each clause's best new report joins the passages after the first bridge_keep.")
    bridge_person: bool = Field(True, description="For a bridge-hop question asking for a person ('Who is the individual ...?'), search with the surname of the person most of the first passages' reports name (in full and by surname alone), when there is one, instead of the name most of them share (which can be a company or an acronym, 'FTX').")
    bridge_keep: int = Field(4, ge=0, le=100, description="Passages the bridge hop leaves in place (its reports follow them; 6 until the 2026-11-27 late-morning session).")
    bridge_repeats_first: bool = Field(True, description="The bridge hop's reports take the places of further chunks of reports listed higher up (lowest first) before they push other reports off the list; false = they push down everything after the kept passages, as before the 2026-11-27 late-morning session.")
    named_source_boost: float = Field(0.3, ge=0.0, le=5.0, description="Added to the relative score of candidates from a publisher the question names.")
    named_source_lead: bool = Field(True, description="A question naming two or more publishers: the best passage of each named publisher among the first top_k comes first, in rank order, then the rest as ranked.")


class AnsweringSettings(_Stage):
    max_sentences: int = Field(4, ge=1, le=20, description="Most sentences quoted in one answer (list questions may use up to twice this).")
    min_support: float = Field(0.3475, ge=0.0, le=1.0, description="Refuse when the best evidence sentence scores below this (calibrated on MultiHop dev by the eval report's refusal-threshold chance).")
    passages: int = Field(10, ge=1, description="Retrieved passages the answerer reads.")
    list_reports: int = Field(2, ge=0, le=10, description="List questions ('Which groups ...?') also read every chunk of the top N reports (0 = off).")
    stored_sentence_vectors: bool = Field(True, description="Give every sentence of the passages a dense similarity score from the vectors stored at ingest (embedding.sentence_vectors); false = only the sentences below, embedded at question time.")
    dense_sentences: int = Field(12, ge=1, description="Sentences (best by term coverage) that also get a dense similarity score (besides those with stored vectors).")
    per_passage_candidates: int = Field(1, ge=0, description="Best sentences (by term coverage) of every passage that get a dense score.")
    facet_selection: bool = Field(True, description="For each publisher the question names, cite the best sentence of its best reports.")
    exact_day_first: bool = Field(True, description="For a part of the question naming a report's date ('the X report published on October 7'), cite from a report of that very day when one was read, before one of the day before or after.")
    part_selection: bool = Field(True, description="For a question in parts that name publishers ('Does X say A, while Y says B?'), cite the best sentence for each part, scored by the part's own words too.")
    part_candidates: int = Field(3, ge=0, description="Best sentences (by the part's term coverage) of each part's publishers that get a dense score.")
    clause_parts: bool = Field(True, description="A question that names its publishers once but has two or more long clauses ('Which company, scrutinized by TechCrunch for A, also claimed B?', '..., as reported by TechCrunch?') cites one sentence per clause, each from a different report of those publishers.")
    clause_floor: float = Field(0.35, ge=0.0, le=1.0, description="A clause of such a question is cited only with a sentence scoring at least this (else it gets no sentence of its own).")
    part_share: float = Field(0.7, ge=0.0, le=1.0, description="A part with words of its own: weight of the part's own score against the whole question's in choosing the part's sentence (0.5 until the 2026-11-27 morning session).")
    part_dense_share: float = Field(0.7, ge=0.0, le=1.0, description="Within a part's own score, weight of its MiniLM similarity to the part against its share of the part's terms (0.5 until the 2026-11-27 morning session).")
    joint_parts: bool = Field(True, description="Choose the parts' sentences together: one per part (per publisher, for a part without words of its own), each from a different report, with the highest total part score (an exact assignment); false = part by part in question order, where an earlier part can take the report a later part fits best.")
    report_rank_bonus: float = Field(0.05, ge=0.0, le=1.0, description="Added to a sentence's part score divided by 1 + its report's retrieval rank.")
    local_term_weight: float = Field(0.3, ge=0.0, le=5.0, description="When the passages come from two or more reports, in choosing what to cite (not in the refusal score), added to a sentence's score times its share of the question's term weight, where a term weighs its IDF times its rarity among the reports read (log((R + 1) / (r + 0.5)), r of R holding it); words a negation in the question governs get none; 0 = off.")
    lead_boost: float = Field(1.2, ge=1.0, le=3.0, description="When choosing among sentences, factor for one in a report's lead (its first lead_chars characters after the opening line); 1 = off.")
    lead_chars: int = Field(400, ge=100, description="Where a report's lead ends (characters).")
    opening_factor: float = Field(0.8, ge=0.0, le=1.0, description="When choosing among sentences, factor for one starting in a report's opening line (its first 100 characters: a summary of the story, rarely the detail asked for); 1 = off.")
    long_prior: float = Field(1.0, ge=0.0, le=4.0, description="When choosing among sentences, factor (300 / chars) ** this for sentences over 300 characters (they match many of the question's words by their size alone and carry several claims); 0 = off.")
    length_prior: float = Field(0.3, ge=0.0, le=2.0, description="When choosing among sentences, factor (chars / 150) ** this for sentences under 150 characters (fragments carry little evidence); 0 = off.")
    novel_citations: bool = Field(True, description="A question without parts, named publishers or a list: a further sentence (scoring at least 0.85 of the best) is cited only when it holds a word of the question no sentence cited before it holds ('he' / 'she' and 'the group' count as their names); false = every such sentence, up to max_sentences.")
    facet_floor: float = Field(0.75, ge=0.0, le=1.0, description="A named publisher's best sentence is cited when it scores at least this share of min_support.")
    headline_factor: float = Field(0.6, ge=0.0, le=1.0, description="Score factor for a line without a sentence's end (a headline, sub-heading, caption or label), in choosing what to cite and in the refusal score; 0.8 when the question asks for a kind of answer (a time, a number, ...) the line holds ('Updated: February 01, 2024, 5:58 PM' for 'When was the report last updated?'). 0.8 for every such line until the 2026-11-28 morning session.")
    answer_type_penalty: float = Field(0.6, ge=0.0, le=1.0, description="Score factor for sentences without the kind of answer asked for (a number for 'how many', a time for 'when'); 1 = off.")
    support_without_sources: bool = Field(True, description="The refusal score leaves the names of the publishers the question names out of the words a sentence should share (their reports rarely print them: 'What did the New York Times report about X?' was refused for lacking 'New York Times'); choosing what to cite still counts them. False = as before the 2026-11-27 evening session.")
    count_near_noun: bool = Field(True, description="'How many <things> were <done> ...?': a sentence holds the answer only when a number stands within 3 words of the things counted or of the verb ('three American soldiers', 'wounded about 40'), not anywhere in it; false = any number will do, as before the 2026-11-27 evening session.")
    context_carry: float = Field(0.25, ge=0.0, le=1.0, description="A sentence's term coverage also counts, this many times, the question's words it lacks and the sentence before it (in a passage read) holds: news sentences lean on the one before ('Israel has not confirmed the attack.' after '... a drone attack against Haifa.'); in the refusal score too; 0 = off.")
    pronoun_names: bool = Field(True, description="A sentence whose 'he' / 'she' refers to a person named before it in its passage (a name with 'Mr' / 'Ms' / 'Dr', or written in full and either next to a verb of saying or also by surname alone; the last one within 600 characters) holds that person's name for the answerer, in every choice of what to cite and in the refusal score: 'He added that US adversaries do not have a one-and-done mindset' answers 'Does Lloyd Austin expect the attacks to stop?'; false = only the names a sentence writes.")
    organisation_names: bool = Field(True, description="A sentence whose 'the group' / 'the company' / 'the militia' ... refers to an organisation its passage called by that word before it ('The True Promise Corps, a small group within the network', 'a group called X'; the last one within 600 characters) holds that organisation's name for the answerer, as pronoun_names does for persons: '..., the group added' answers 'Until when does the True Promise Corps say its attacks will go on?'; false = only the names a sentence writes.")
    name_penalty: float = Field(0.3, ge=0.0, le=1.0, description="'What is the name of the commander ...?', 'What were the names of the soldiers ...?': score factor for sentences that name no person the question does not name within 4 words of what the question says of them (no verb of saying between; a person as pronouns.people finds them); 1 = off.")
    people_lists: bool = Field(True, description="A question asking for several people ('Which US officials are quoted ...?', 'Who are ...?'): cite the best sentence (scoring at least people_share of the first person's best) of each person the sentences read name or call 'he' / 'she' (as pronoun_names finds persons) and the question does not, best first; false = the sentences best for the question, whoever they name.")
    people_share: float = Field(0.4, ge=0.0, le=1.0, description="people_lists: a person is listed when their best sentence scores at least this share of the first person's best sentence (what people say rarely repeats the question's words).")
    why_needs_reason: bool = Field(True, description="'Why ...?', 'What was the purpose of ...?': a sentence holds the answer only when it says a reason or purpose ('because', 'to prevent', 'made to', 'after', 'amid', 'fears', 'believed', ...); others count answer_type_penalty times.")
    speaker_check: bool = Field(True, description="'What did Iraq's prime minister say about X?', 'How did Barbara Leaf describe X?': a sentence holds the answer only when it holds the head word of who is asked about ('minister', 'Leaf'; a 'he' / 'she' referring to them counts: pronoun_names); others count answer_type_penalty times. Not for 'What did the TechCrunch article say ...?' (a report is no speaker).")
    kind_needs_word: bool = Field(True, description="'What kind of drone was used?', 'Which type of response ...?' (or model, brand, sort, variety, genre, category, form, class, style) in one clause (not a question of several long clauses or parts): a sentence holds the answer only when a word before the thing says what kind ('a multi-tiered response', 'Shahed drones'; not a stopword, a number or a word of the question) or 'such as', 'like', 'called', 'named', 'known as', 'including' follows it; 'launched a drone attack' does not; others count answer_type_penalty times.")
    who_needs_name: bool = Field(True, description="'Who ...?' in one clause (not a question of several long clauses or parts, which describes the one asked for clause by clause): a sentence holds the answer only when it names someone or something the question does not (a capitalised word after its first, not a stopword or a day or month: 'attributed by Washington to the Islamic Resistance in Iraq', 'an Iraqi politician'); other sentences count answer_type_penalty times.")
    verb_penalty: float = Field(0.6, ge=0.0, le=1.0, description="A yes/no question of one clause whose subject is a name ('Has Israel confirmed the drone attack on Haifa?', 'Does Lloyd Austin expect ...?'): when a sentence holding its verb ('confirm') answers it (a sentence at min_support), the others count this many times in choosing what to cite (not in the refusal score), so 'Israel has not confirmed the attack.' comes before '... said it had launched a drone attack against ... Haifa'; not for the reports' own verbs ('Has TechCrunch reported ...?'); 1 = off.")
    range_penalty: float = Field(0.3, ge=0.0, le=1.0, description="Score factor for sentences of reports published outside a date range the question names ('reported last week'), when a report inside it answers the question (a sentence at min_support); not used when the question compares reports over time; 1 = off.")
    author_penalty: float = Field(0.3, ge=0.0, le=1.0, description="Score factor for sentences of reports not written by an author the question names ('What did Jane Doe write about X?'), when a report of theirs answers the question (a sentence at min_support); 1 = off.")
    recency_penalty: float = Field(0.3, ge=0.0, le=1.0, description="For a question asking for the latest reporting, when choosing what to cite, a sentence loses up to this share of its score by how old its report is among the reports read (not in the refusal score); 0 = off.")
    refuse_unknown_outlets: bool = Field(True, description="Refuse when the question needs reports from a publisher the index holds none of.")
    date_order: bool = Field(True, description="When the question asks about time order, add a line putting the cited reports in date order.")
    person_from_quotes: bool = Field(True, description="When no person is named by enough of the reports read for the person line, the person the answer's quoted sentences call by surname alone ('Altman was the main speaker ...'), if the passages write the name in full, refer to it by he / she, and at least 2 reports name it; false = the line only for the person most reports name, as before the 2026-11-27 evening session.")
    person_line: bool = Field(True, description="A question asking for one person ('Who ...?', 'Which pop star ...?'; not 'Which players ...?'): when most of the reports read name one person the question does not (in full and by surname alone), the answer starts with that name and how many reports name them, citing a sentence that names them in full.")


class Settings(BaseSettings):
    """Everything the assistant can be told. ``Settings()`` reads ``ASSISTANT_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="forbid")

    data_dir: Path = Field(Path(".assistant"), description="Where the index (catalog + embedded Chroma) lives.")
    chroma_url: str = Field("", description="http://host:port of a Chroma server; empty = embedded Chroma under data_dir.")
    collection: str = Field("reports", min_length=3, description="Chroma collection name.")
    max_file_mb: int = Field(100, ge=1, description="Files larger than this are refused at ingest.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answering: AnsweringSettings = Field(default_factory=AnsweringSettings)
    host: str = Field("127.0.0.1", description="Address the app binds (ASSISTANT_HOST).")
    port: int = Field(7860, ge=1, le=65535, description="Port of the app (ASSISTANT_PORT; GRADIO_SERVER_PORT is honoured when this is unset).")
    username: str = Field("", description="With password: require this login for the UI and the JSON endpoint.")
    password: SecretStr = Field(SecretStr(""), description="Password for username.")
    upload_max_mb: int = Field(20, ge=1, description="Largest file the app accepts as an upload (MB).")
    upload_types: list[str] = Field([".txt", ".md", ".html", ".htm", ".pdf", ".json", ".jsonl"],
                                    description="File extensions the app accepts as uploads.")


def get_settings(value: Settings | dict[str, Any] | None = None) -> Settings:
    """Settings from an object, a dict of overrides (on top of the environment), or the environment alone."""
    if isinstance(value, Settings):
        return value
    return Settings(**(value or {}))

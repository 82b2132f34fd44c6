"""Report diversity in the final ranking: the best-scored chunks lead whatever their report, then each further chunk
of a report already ranked counts less, so a second report's evidence is not crowded out."""
from assistant.retrieval import _diversify

RANKED = [("a-0001", 1.0), ("a-0002", 0.95), ("a-0003", 0.9), ("b-0001", 0.85), ("a-0004", 0.8), ("c-0001", 0.5)]


def ids(ranked):
    return [cid for cid, _ in ranked]


def test_diversity_from_the_first_chunk():
    # a-2 counts 0.95 * 0.8 = 0.76 < b-1 0.85; a-3 then counts 0.9 * 0.8 = 0.72 against c-1's 0.5 ...
    assert ids(_diversify(RANKED, 0.8)) == ["a-0001", "b-0001", "a-0002", "a-0003", "c-0001", "a-0004"]


def test_the_first_chunks_lead_and_count_as_already_ranked():
    # a-1..a-3 stay on top; a-4 then counts 0.8 * 0.8 ** 3 = 0.41, below b-1 and c-1
    got = _diversify(RANKED, 0.8, head=3)
    assert ids(got) == ["a-0001", "a-0002", "a-0003", "b-0001", "c-0001", "a-0004"]
    assert dict(got) == dict(RANKED)  # scores are kept as they were


def test_no_decay_or_a_head_longer_than_the_list_changes_nothing():
    assert _diversify(RANKED, 1.0, head=2) == RANKED
    assert _diversify(RANKED, 0.8, head=10) == RANKED

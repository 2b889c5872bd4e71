"""BM25 against its peers on one fixture: bm25s (same scores to the bit, same
rankings, ties to the lower document), rank_bm25 (same rankings), and the term-id
encoder against the tokenizer and bm25s.tokenize."""

import random

import bm25s
import numpy as np
import pytest
import Stemmer
from rank_bm25 import BM25Plus

from nlpkit.retrieval.bm25 import BM25Index
from nlpkit.retrieval.tokenize import BATCH, TermEncoder, Tokenizer

WORDS = (
    "wing wings lift drag swept supersonic heat heated heating transfer boundary "
    "layer plate plates shock waves blunt bodies hypersonic flow flows buckling "
    "thin cylindrical shells axial compression flutter panels aeroelastic analysis "
    "the of and in a an at under"
).split()
METHODS = ("lucene", "robertson", "atire", "bm25l", "bm25+")


def make_texts(n: int, seed: int, length=(3, 25)) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        words = rng.choices(WORDS, k=rng.randint(*length))
        texts.append(
            " ".join(w.capitalize() if rng.random() < 0.2 else w for w in words)
        )
    return texts


DOCS = make_texts(60, 0)
QUERIES = make_texts(25, 1, (1, 6)) + ["wing wing flutter", "zeppelin", "the of"]


def ranked(ids, scores) -> list[tuple[int, float]]:
    return [(int(i), float(s)) for i, s in zip(ids, scores) if s > 0]


def assert_same_ranking(got, want, *, tol=0.0, cut=False):
    """Same scores rank by rank; ids differ only in order among equal scores (within
    tol); nlpkit puts equal scores in document order. cut: the list stops at k, so
    the last group of equal scores may hold other documents."""
    assert len(got) == len(want)
    scores = [s for _, s in want]
    if tol:
        assert [s for _, s in got] == pytest.approx(scores, rel=tol)
    else:
        assert [s for _, s in got] == scores
    start = 0
    for p in range(1, len(want) + 1):
        if p < len(want) and scores[p - 1] - scores[p] <= tol * abs(scores[p]):
            continue
        if not (cut and p == len(want)):
            assert {i for i, _ in got[start:p]} == {j for j, _ in want[start:p]}
        start = p
    for (i, s), (j, t) in zip(got, got[1:]):
        if s == t:
            assert i < j


@pytest.mark.parametrize("method", METHODS)
def test_bm25_same_scores_and_rankings_as_bm25s(method):
    tokens = Tokenizer()(DOCS)
    queries = Tokenizer()(QUERIES)
    index = BM25Index.build(DOCS, tokens=tokens, method=method)
    peer = bm25s.BM25(k1=1.2, b=0.75, method=method)
    peer.index(tokens, show_progress=False)
    # the same score matrix, column by column, to the bit
    mine, theirs = index.retriever.scores, peer.scores
    for term, j in peer.vocab_dict.items():
        if term == "":
            continue
        i = index.retriever.vocab_dict[term]
        a = slice(mine["indptr"][i], mine["indptr"][i + 1])
        b = slice(theirs["indptr"][j], theirs["indptr"][j + 1])
        assert mine["indices"][a].tolist() == theirs["indices"][b].tolist()
        assert mine["data"][a].tolist() == theirs["data"][b].tolist()
    k = 10
    found = index.search_tokens(queries, k)
    number = {d.id: n for n, d in enumerate(index.docs)}
    for query, hits in zip(queries, found):
        known = [t for t in query if t in peer.vocab_dict]
        if not known:
            assert hits == []
            continue
        ids, scores = peer.retrieve([known], k=k, show_progress=False)
        got = [(number[h.id], h.score) for h in hits]
        assert_same_ranking(got, ranked(ids[0], scores[0]), cut=len(got) == k)
    assert found[-2] == []  # an unknown word
    if method in ("lucene", "atire"):
        assert found[-1] == []  # stopwords only


def test_bm25_same_rankings_as_rank_bm25():
    # rank_bm25's BM25Plus has the same formula as bm25s' "bm25+" (its BM25L and
    # BM25Okapi do not: a tf factor, an idf floor), in float64
    tokens = Tokenizer()(DOCS)
    index = BM25Index.build(DOCS, tokens=tokens, method="bm25+")
    peer = BM25Plus(tokens, k1=1.2, b=0.75, delta=0.5)
    for query, hits in zip(QUERIES, index.search_batch(QUERIES, k=len(DOCS))):
        terms = Tokenizer()([query])[0]
        if not terms:
            continue
        scores = peer.get_scores(terms)
        order = sorted(range(len(DOCS)), key=lambda d: (-scores[d], d))
        want = [(d, float(scores[d])) for d in order if scores[d] > 0]
        got = [(int(h.id), h.score) for h in hits]
        assert_same_ranking(got, want, tol=1e-5)


def test_encoder_same_terms_as_tokenizer_and_bm25s():
    texts = [*DOCS, "", "Ünïcode wörds: naïve CAFÉ façade", "a b c", "x\x00y zz\x00ww"]
    texts += make_texts(BATCH + 50, 2)  # more than one batch
    tokenizer = Tokenizer()
    encoder = TermEncoder(tokenizer)
    ids, offsets = encoder.encode_texts(texts)
    assert ids.dtype == np.int32 and len(offsets) == len(texts) + 1
    terms = {i: t for t, i in encoder.vocab.items()}
    got = [[terms[i] for i in ids[a:b]] for a, b in zip(offsets[:-1], offsets[1:])]
    assert got == tokenizer(texts)
    assert got[len(DOCS)] == [] and got[len(DOCS) + 2] == []
    assert got[len(DOCS) + 3] == ["zz", "ww"]  # SEP inside a text splits words
    peer = bm25s.tokenize(
        texts,
        stopwords="en",
        stemmer=Stemmer.Stemmer("english"),
        return_ids=False,
        show_progress=False,
    )
    assert got == peer
    # the same words given as term lists, and queries with unknown words dropped
    again = TermEncoder(Tokenizer())
    ids2, offsets2 = again.encode_terms(got)
    assert offsets2.tolist() == offsets.tolist()
    terms2 = list(again.vocab)
    assert [terms2[i] for i in ids2] == [terms[i] for i in ids]
    encoder.grow = False
    q_ids, q_offsets = encoder.encode_texts(["Zeppelin wings", "quux"])
    assert q_offsets.tolist() == [0, 1, 1]
    assert terms[int(q_ids[0])] == "wing"


def test_encoder_ascii_and_unicode_batches_give_the_same_ids():
    # ASCII batches are split and interned by numba, others by regex: the terms,
    # their ids and the per-text offsets must not depend on which path a text took
    ascii_texts = [
        "Tab\tand\nnewline, under_score x9 42 it's o'clock-ish: a I",
        "wings WINGS wing's\x00lift",
        *make_texts(BATCH + 10, 3),
    ]
    unicode_first = ["Wings über flutter naïve", *ascii_texts]
    tokenizer = Tokenizer()
    for texts in (ascii_texts, unicode_first):
        encoder = TermEncoder(Tokenizer())
        ids, offsets = encoder.encode_texts(texts)
        terms = list(encoder.vocab)
        got = [[terms[i] for i in ids[a:b]] for a, b in zip(offsets[:-1], offsets[1:])]
        assert got == tokenizer(texts)
        assert got[-len(ascii_texts) + 1][:3] == ["wing", "wing", "wing"]
        assert "lift" in got[-len(ascii_texts) + 1]
        # the same words searched later, ASCII and not, with growth stopped
        encoder.grow = False
        q_ids, q_offsets = encoder.encode_texts(["flutter zeppelin", "FLÜTTER flutter"])
        assert [terms[i] for i in q_ids] == ["flutter", "flutter"]
        assert q_offsets.tolist() == [0, 1, 2]
        assert len(encoder.vocab) == len(terms)

"""nlpkit's word2vec kernel: its parts against plain numpy, and what it learns
against gensim's own training on a corpus with a known structure."""

import numpy as np
import pytest
from gensim.models import Word2Vec

import nlpkit.vectors.train as train_module
from nlpkit.vectors import _w2v
from nlpkit.vectors.train import train_word2vec


def test_the_table_index_finds_what_bisecting_the_whole_table_finds():
    rng = np.random.default_rng(0)
    cum = np.cumsum(rng.integers(1, 5000, size=3000)).astype(np.uint32)
    big = cum.astype(np.int64)
    index, shift = _w2v.table_index(big)
    for rnd in rng.integers(0, 1 << 48, size=2000).tolist() + [0, (1 << 48) - 1]:
        draw = (rnd >> 16) % int(big[-1])
        expected = int(np.searchsorted(big, draw, side="left"))  # gensim's bisect_left
        assert _w2v._negative(rnd, big, index, shift) == expected


def test_ids_keep_first_seen_order_and_encode_drops_unknown_words():
    corpus = _w2v.ids_from_lists([["b", "a", "b"], [], ["c", "a"], ["c"]])
    assert corpus.words == ["b", "a", "c"]
    assert corpus.word_counts() == {"b": 2, "a": 2, "c": 2}
    assert corpus.lengths.tolist() == [3, 2, 1]
    ids, starts = corpus.encode({"a": 0, "c": 1})
    assert ids.tolist() == [0, 1, 0, 1] and corpus.ids is None
    assert starts.tolist() == [0, 1, 3, 4]  # one sentence per non-empty line


def test_shares_split_tokens_evenly_even_inside_one_long_line():
    starts = np.array([0, 10, 10, 1000], dtype=np.int64)
    parts = _w2v.shares(starts, 2)
    assert [p.tolist() for p in parts] == [[0, 10, 500], [500, 1000]]
    single = _w2v.shares(np.array([0, 7], dtype=np.int64), 3)
    assert [p.tolist() for p in single] == [[0, 2], [2, 4], [4, 7]]


def planted_corpus(n_sentences=3000, seed=0):
    """Two topics of 12 words; each sentence draws from one topic only."""
    rng = np.random.default_rng(seed)
    topics = [[f"{t}{i}" for i in range(12)] for t in "xy"]
    return topics, [
        [topics[k][j] for j in rng.integers(0, 12, size=10)]
        for k in rng.integers(0, 2, size=n_sentences)
    ]


def separation(vectors, topics) -> float:
    """Mean cosine within a topic minus mean cosine across the two topics."""
    unit = {w: vectors[w] / np.linalg.norm(vectors[w]) for t in topics for w in t}
    within = [unit[a] @ unit[b] for t in topics for a in t for b in t if a < b]
    across = [unit[a] @ unit[b] for a in topics[0] for b in topics[1]]
    return float(np.mean(within) - np.mean(across))


@pytest.mark.parametrize("sg", [True, False])
def test_word2vec_learns_the_planted_topics_as_well_as_gensim(sg, monkeypatch):
    monkeypatch.setattr(train_module, "KERNEL_MIN_TOKENS_X_EPOCHS", 0)
    topics, sentences = planted_corpus()
    # enough passes for both to settle: on a few thousand words gensim's learning
    # rate, which falls once per 10,000-word batch, is not comparable to the per
    # sentence fall of nlpkit's
    settings = dict(window=5, min_count=1, epochs=5, seed=1)
    theirs = Word2Vec(sentences, vector_size=16, workers=1, sg=int(sg), **settings)
    for threads in (1, 2):
        ours = train_word2vec(sentences, sg=sg, dim=16, threads=threads, **settings)
        assert np.isfinite(ours.vectors).all()
        gap = separation(ours, topics)
        assert gap > 0.75, gap
        assert gap > separation(theirs.wv, topics) - 0.05


@pytest.mark.parametrize("sg", [True, False])
def test_the_kernel_is_gensims_algorithm(tmp_path, sg):
    """One line (one gensim batch) at a constant learning rate, one thread, the
    random stream gensim's worker starts from: the same vectors to float rounding."""
    import copy

    _, sentences = planted_corpus(40)
    line = [w for s in sentences for w in s]
    path = tmp_path / "line.txt"
    path.write_text(" ".join(line) + "\n", encoding="utf-8")
    corpus = _w2v.ids_from_lists([line])
    settings = dict(vector_size=16, window=5, min_count=1, workers=1, sg=int(sg))
    theirs = Word2Vec(epochs=1, seed=1, alpha=0.025, min_alpha=0.025, **settings)
    theirs.build_vocab_from_freq(corpus.word_counts(), corpus_count=1)
    ours = copy.deepcopy(theirs)
    initial = theirs.wv.vectors.copy()
    start = copy.deepcopy(theirs.random)
    rnd = (2**24) * start.randint(0, 2**24) + start.randint(0, 2**24)
    theirs.train(
        corpus_file=str(path), total_examples=1, total_words=len(line), epochs=1
    )
    ids, starts = corpus.encode(ours.wv.key_to_index)
    index, shift = _w2v.table_index(ours.cum_table.astype(np.int64))
    keep = np.asarray(ours.wv.expandos["sample_int"], np.int64)
    _w2v.train_share(
        ids, starts, ours.wv.vectors, ours.syn1neg, ours.cum_table.astype(np.int64),
        index, shift, keep, _w2v.sigmoid_table(), sg, True, 5, 5, 0.025, 0.025, 1,
        int(rnd), 1.0,
    )  # fmt: skip
    assert not np.allclose(ours.wv.vectors, initial, atol=1e-3)  # it did train
    np.testing.assert_allclose(ours.wv.vectors, theirs.wv.vectors, atol=1e-5)
    np.testing.assert_allclose(ours.syn1neg, theirs.syn1neg, atol=1e-5)

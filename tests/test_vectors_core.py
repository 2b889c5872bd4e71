"""Co-occurrence counting, PPMI/SVD and GloVe on small fixtures."""

import random
from collections import Counter

import numpy as np
import pytest

from nlpkit.vectors.cooc import (
    CoocCounter,
    CoocMatrix,
    cooccurrence_by_document,
    count_cooccurrence,
    doc_term_matrix,
)
from nlpkit.vectors.corpus import TokenCorpus, simple_tokenize, split_sentences
from nlpkit.vectors.glove import fit_glove, train_glove
from nlpkit.vectors.ppmi import ppmi, svd_embeddings, train_ppmi_svd
from nlpkit.vectors.vocab import Vocabulary

EXAMPLE = (
    "Data Science is popular these days. Quality of data is popular issue among "
    "companies."
)


def naive_counts(sentences, window, harmonic=False, direction="symmetric"):
    counts = Counter()
    for tokens in sentences:
        for t, word in enumerate(tokens):
            for s in range(max(0, t - window), t):
                w = 1.0 / (t - s) if harmonic else 1.0
                if direction in ("symmetric", "left"):
                    counts[(word, tokens[s])] += w
                if direction in ("symmetric", "right"):
                    counts[(tokens[s], word)] += w
    return counts


def test_issue_example_sentence_context():
    for cooc in (
        cooccurrence_by_document([EXAMPLE], context="sentence"),
        count_cooccurrence([EXAMPLE], context="sentence", window=50),
    ):
        row = cooc.row("data")
        assert row["popular"] == 2
        assert row["science"] == 1
        assert row["quality"] == 1
        assert "data" not in row


def test_tokenizer_and_sentences():
    assert simple_tokenize("Don't stop-me now, OK?") == [
        "don't",
        "stop-me",
        "now",
        "ok",
    ]
    assert split_sentences(EXAMPLE) == [
        "Data Science is popular these days.",
        "Quality of data is popular issue among companies.",
    ]


@pytest.mark.parametrize("direction", ["symmetric", "left", "right"])
@pytest.mark.parametrize("harmonic", [False, True])
def test_window_counts_match_naive_loop(direction, harmonic):
    rng = random.Random(0)
    words = [f"w{i}" for i in range(30)]
    sentences = [
        [rng.choice(words) for _ in range(rng.randint(1, 25))] for _ in range(200)
    ]
    cooc = count_cooccurrence(
        sentences,
        window=3,
        direction=direction,
        weighting="harmonic" if harmonic else "none",
        chunk_tokens=500,  # many chunks: their matrices are summed
    )
    expected = naive_counts(sentences, 3, harmonic, direction)
    got = {}
    coo = cooc.matrix.tocoo()
    for i, j, v in zip(coo.row, coo.col, coo.data):
        got[(cooc.vocab.words[i], cooc.vocab.words[j])] = v
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value)


def test_min_count_max_size_and_oov_positions():
    tokens = [["a", "b", "a", "c", "a", "b", "d"]]
    cooc = count_cooccurrence(tokens, window=1, min_count=2)
    assert cooc.vocab.words == ["a", "b"]
    assert cooc.row("a") == {"b": 3.0}
    assert count_cooccurrence(tokens, window=1, max_size=1).vocab.words == ["a"]
    # dropping OOV words first brings their neighbours together (GloVe tools)
    vocab = Vocabulary(["a", "d"], [3, 1])
    kept = count_cooccurrence([["a", "x", "d"]], window=1, vocab=vocab)
    dropped = count_cooccurrence(
        [["a", "x", "d"]], window=1, vocab=vocab, drop_oov=True
    )
    assert kept.nnz == 0 and dropped.row("a") == {"d": 1.0}


def test_doc_term_matrix_matches_countvectorizer():
    from sklearn.feature_extraction.text import CountVectorizer

    docs = ["the cat sat on the mat", "the dog ate the cat", "a bird"]
    X, vocab = doc_term_matrix(docs)
    cv = CountVectorizer(token_pattern=r"\w+")
    Y = cv.fit_transform(docs)
    order = [cv.vocabulary_[w] for w in vocab.words]
    assert (X.toarray() == Y.toarray()[:, order]).all()


def test_counter_serialization_round_trip():
    counter = CoocCounter(window=2)
    counter.add_contexts([["a", "b", "c"], ["b", "c", "d", "a"]])
    clone = CoocCounter.from_bytes(counter.to_bytes())
    clone.add_contexts([["a", "d"]])
    counter.add_contexts([["a", "d"]])
    assert (clone.to_matrix().matrix != counter.to_matrix().matrix).nnz == 0
    assert clone.to_bytes() == counter.to_bytes()


def test_cooc_matrix_disk_round_trip(tmp_path):
    cooc = count_cooccurrence([EXAMPLE], context="sentence", window=3)
    loaded = CoocMatrix.from_disk(cooc.to_disk(tmp_path / "m"))
    assert loaded.vocab.words == cooc.vocab.words
    assert (loaded.matrix != cooc.matrix).nnz == 0
    assert loaded.settings == cooc.settings


def test_empty_corpus_and_min_count_errors():
    with pytest.raises(ValueError, match="E101"):
        count_cooccurrence([[]])
    with pytest.raises(ValueError, match="E101"):
        count_cooccurrence(TokenCorpus(texts=["", "  ", "..."]))
    with pytest.raises(ValueError, match="E102"):
        count_cooccurrence([["a", "b"]], min_count=3)
    with pytest.raises(ValueError, match="E108"):
        count_cooccurrence([["a", "b"]], window=0)


def planted_corpus(n=600, seed=0, noise=0.1):
    """Two topics: words of one cluster co-occur mostly with each other.

    A little cross-topic noise gives the across-cluster pairs small counts: GloVe fits
    only observed pairs, so without them biases alone could explain the counts.
    """
    rng = random.Random(seed)
    animals = ["cat", "dog", "horse", "cow", "sheep", "goat"]
    metals = ["iron", "gold", "copper", "silver", "zinc", "tin"]
    sentences = []
    for _ in range(n):
        group, other = (animals, metals) if rng.random() < 0.5 else (metals, animals)
        sentences.append(
            [rng.choice(other if rng.random() < noise else group) for _ in range(8)]
        )
    return sentences, animals, metals


def _cluster_gap(wv, a, b):
    def mean_sim(xs, ys):
        return np.mean([wv.similarity(x, y) for x in xs for y in ys if x != y])

    within = (mean_sim(a, a) + mean_sim(b, b)) / 2
    return within, mean_sim(a, b)


def test_glove_recovers_planted_clusters():
    sentences, animals, metals = planted_corpus()
    wv = train_glove(sentences, dim=10, window=4, min_count=1, epochs=30, x_max=10)
    within, across = _cluster_gap(wv, animals, metals)
    assert within > 0.5 > across
    assert np.isfinite(wv.vectors).all()
    costs = wv.meta["costs"]
    assert costs[-1] < costs[0]


def test_glove_deterministic_with_seed_one_thread():
    sentences, _, _ = planted_corpus(200)
    cooc = count_cooccurrence(sentences, window=3, weighting="harmonic")
    a, _ = fit_glove(cooc, dim=8, epochs=3, seed=7, threads=1)
    b, _ = fit_glove(cooc, dim=8, epochs=3, seed=7, threads=1)
    c, _ = fit_glove(cooc, dim=8, epochs=3, seed=8, threads=1)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    d, _ = fit_glove(cooc, dim=8, epochs=3, seed=7, threads=2)
    assert np.isfinite(d).all()


def test_ppmi_and_svd():
    sentences, animals, metals = planted_corpus()
    cooc = count_cooccurrence(sentences, window=4)
    weighted = ppmi(cooc.matrix, alpha=0.75)
    assert weighted.nnz > 0 and (weighted.data > 0).all()
    assert np.isfinite(weighted.data).all()
    emb = svd_embeddings(weighted, 4)
    assert emb.shape == (len(cooc.vocab), 4)
    wv = train_ppmi_svd(sentences, dim=4, window=4, min_count=1)
    within, across = _cluster_gap(wv, animals, metals)
    assert within > across + 0.5
    with pytest.raises(ValueError, match="E108"):
        svd_embeddings(weighted, 100)
    with pytest.raises(ValueError, match="E108"):
        ppmi(cooc.matrix, alpha=0)


def test_cooccurrence_of_a_token_file_read_in_bulk_is_the_same(tmp_path):
    from nlpkit.vectors.cooc import _read_token_file
    from nlpkit.vectors.corpus import TokenCorpus

    path = tmp_path / "tokens.txt"
    path.write_text(
        "the cat sat on the mat\n\nthe dog's half-brother sat\n a  cat\tsat \n",
        encoding="utf-8",
    )
    assert _read_token_file(TokenCorpus(path)) is not None  # the bulk path is taken
    for options in ({}, {"min_count": 2, "weighting": "harmonic", "drop_oov": True}):
        fast = count_cooccurrence(TokenCorpus(path), window=2, **options)
        slow = count_cooccurrence(
            TokenCorpus(path, tokenizer=str.split), window=2, **options
        )
        assert fast.vocab.words == slow.vocab.words
        assert (fast.matrix != slow.matrix).nnz == 0

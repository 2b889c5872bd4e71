"""Window and by-document counts built straight to CSR: the same cells as the hash
table (CoocCounter), the numpy/scipy peer of the benchmark and scipy's X.T @ X."""

import random

import numpy as np
import pytest
import scipy.sparse as sp

from benchmarks.bench_cooc import peer_window
from nlpkit.vectors._window import LEFT, RIGHT, SYMMETRIC, CsrSum, window_csr
from nlpkit.vectors.cooc import (
    CoocCounter,
    cooccurrence_by_document,
    count_cooccurrence,
    doc_term_matrix,
)
from nlpkit.vectors.corpus import TokenCorpus
from nlpkit.vectors.vocab import Vocabulary

MODES = {"symmetric": SYMMETRIC, "left": LEFT, "right": RIGHT}


def zipf_ids(n_words=300, n_contexts=400, seed=0, oov=0.05):
    """Frequency-ranked ids (some -1) in contexts of 0 to 40 tokens."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 40, n_contexts)
    ids = np.minimum(rng.zipf(1.3, int(lengths.sum())) - 1, n_words - 1)
    ids[rng.random(len(ids)) < oov] = -1
    return ids.astype(np.int64), lengths


def hash_table_counts(ids, lengths, n_words, window, direction, harmonic):
    words = [f"w{i}" for i in range(n_words)]
    counter = CoocCounter(
        window=window,
        direction=direction,
        weighting="harmonic" if harmonic else "none",
        vocab=Vocabulary(words, np.arange(n_words, 0, -1)),
    )
    counter.add_ids(ids, lengths)
    new_id = np.arange(n_words)
    from nlpkit.vectors import _kernels as K

    indptr, indices, data = K.to_csr(
        counter.keys, counter.vals, counter.dense, counter.offsets, new_id, n_words
    )
    return sp.csr_matrix((data, indices, indptr), shape=(n_words, n_words))


@pytest.mark.parametrize("direction", ["symmetric", "left", "right"])
@pytest.mark.parametrize("window", [1, 3, 12])
def test_window_csr_equals_the_hash_table(direction, window):
    ids, lengths = zipf_ids()
    starts = np.concatenate([[0], np.cumsum(lengths)])
    got = window_csr(ids, starts, 300, window, MODES[direction], False)
    expected = hash_table_counts(ids, lengths, 300, window, direction, False)
    assert got.has_canonical_format
    assert (got != expected).nnz == 0
    assert got.nnz == expected.nnz and (got.data > 0).all()
    # harmonic weights: the same cells, sums equal up to the order of additions
    got = window_csr(ids, starts, 300, window, MODES[direction], True)
    expected = hash_table_counts(ids, lengths, 300, window, direction, True)
    assert np.array_equal(got.indices, expected.indices)
    assert np.allclose(got.data, expected.data, rtol=1e-12, atol=0)


def test_window_csr_left_is_the_transpose_of_right():
    ids, lengths = zipf_ids(seed=3)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    left = window_csr(ids, starts, 300, 4, LEFT, False)
    right = window_csr(ids, starts, 300, 4, RIGHT, False)
    both = window_csr(ids, starts, 300, 4, SYMMETRIC, False)
    assert (left != right.T).nnz == 0
    assert (both != left + right).nnz == 0


def test_chunks_sum_to_the_one_pass_counts():
    rng = random.Random(1)
    words = [f"w{i}" for i in range(50)]
    sentences = [
        [rng.choice(words) for _ in range(rng.randint(1, 30))] for _ in range(300)
    ]
    whole = count_cooccurrence(sentences, window=4, chunk_tokens=10**9)
    for chunk_tokens in (1, 7, 500):
        chunked = count_cooccurrence(sentences, window=4, chunk_tokens=chunk_tokens)
        assert chunked.vocab.words == whole.vocab.words
        assert chunked.matrix.has_canonical_format
        assert (chunked.matrix != whole.matrix).nnz == 0


def test_csr_sum_merges_blocks_of_any_size():
    rng = np.random.default_rng(0)
    blocks = [sp.random(40, 40, density=d, format="csr", random_state=rng) for d in
              (0.5, 0.01, 0.2, 0.02, 0.02, 0.3, 0.0)]  # fmt: skip
    total = CsrSum()
    for block in blocks:
        total.add(block)
    assert len(total.parts) < len(blocks)
    assert np.allclose(total.total().toarray(), sum(b.toarray() for b in blocks))
    assert CsrSum().total() is None


def test_rows_follow_a_given_vocabulary():
    # not in frequency order, and one word never seen: rows are the vocabulary's
    vocab = Vocabulary(["c", "a", "zz", "b"], [1, 1, 1, 1])
    cooc = count_cooccurrence([["a", "b", "a", "c", "a"]], window=1, vocab=vocab)
    assert cooc.shape == (4, 4)
    assert cooc.row("a") == {"b": 2.0, "c": 2.0}
    assert cooc.row("c") == {"a": 2.0}
    assert cooc.row("zz") == {}


def test_token_file_counts_equal_the_numpy_scipy_peer(tmp_path):
    rng = random.Random(2)
    words = [f"w{i}" for i in range(80)] + ["é", "naïve"]
    path = tmp_path / "tokens.txt"
    lines = [
        " ".join(rng.choice(words) for _ in range(rng.randint(1, 25)))
        for _ in range(500)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ours = count_cooccurrence(
        TokenCorpus(path, format="txt", tokenizer="whitespace"), window=5
    )
    peer, peer_words = peer_window(path, 5)
    perm = np.array([ours.vocab.index[w] for w in peer_words])
    coo = peer.tocoo()
    mapped = sp.csr_matrix(
        (coo.data.astype(np.float64), (perm[coo.row], perm[coo.col])),
        shape=ours.shape,
    )
    assert ours.nnz == peer.nnz
    assert (ours.matrix != mapped).nnz == 0


def test_doc_term_matrix_of_a_token_file_read_in_bulk_is_the_same(tmp_path):
    path = tmp_path / "docs.txt"
    path.write_text(
        "the cat sat on the mat\n\nthe dog ate the cat\n  a  bird\tsat \nthe the\n",
        encoding="utf-8",
    )
    for options in ({}, {"max_size": 3}, {"min_count": 2}):
        fast, fast_vocab = doc_term_matrix(
            TokenCorpus(path, tokenizer="whitespace"), **options
        )
        slow, slow_vocab = doc_term_matrix(
            TokenCorpus(path, tokenizer=str.split), **options
        )
        assert fast_vocab.words == slow_vocab.words
        assert fast.shape == slow.shape and (fast != slow).nnz == 0


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("n_words,doc_len", [(120, 60), (3000, 8)])
def test_by_document_equals_scipy_product(binary, n_words, doc_len):
    # dense rows (scanned) and sparse rows (sorted) of the row-by-row product
    rng = random.Random(4)
    words = [f"w{i}" for i in range(n_words)]
    docs = [
        [rng.choice(words) for _ in range(rng.randint(0, doc_len))]
        for _ in range(90 if doc_len > 10 else 2000)
    ]
    cooc = cooccurrence_by_document(docs, binary=binary)
    X, vocab = doc_term_matrix(docs)
    if binary:
        X.data[:] = 1.0
    expected = (X.T @ X).tocsr()
    expected.setdiag(0)
    expected.eliminate_zeros()
    assert cooc.vocab.words == vocab.words
    assert cooc.matrix.has_canonical_format
    assert (cooc.matrix != expected).nnz == 0


def test_token_file_in_several_blocks_is_the_same(tmp_path, monkeypatch):
    import nlpkit.vectors.cooc as cooc_module

    rng = random.Random(5)
    path = tmp_path / "tokens.txt"
    lines = [" ".join(f"w{rng.randint(0, 40)}" for _ in range(rng.randint(1, 20)))
             for _ in range(200)]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = TokenCorpus(path, tokenizer="whitespace")
    options = {"window": 3, "weighting": "harmonic", "drop_oov": True, "min_count": 3}
    whole = count_cooccurrence(corpus, **options)
    X_whole, _ = doc_term_matrix(corpus)
    monkeypatch.setattr(cooc_module, "ID_BLOCK_TOKENS", 50)
    blocks = count_cooccurrence(corpus, chunk_tokens=1, **options)
    X_blocks, _ = doc_term_matrix(corpus, chunk_tokens=1)
    assert blocks.vocab.words == whole.vocab.words
    assert np.array_equal(blocks.matrix.indices, whole.matrix.indices)
    assert np.allclose(blocks.matrix.data, whole.matrix.data, rtol=1e-12, atol=0)
    assert (X_blocks != X_whole).nnz == 0 and X_blocks.shape == X_whole.shape

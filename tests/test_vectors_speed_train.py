"""Token lists in memory: fastText, and word2vec below 1M tokens x epochs, go to
gensim as they are (the same vectors as gensim's own in-memory training); above it
word2vec gets gensim's vocabulary and nlpkit's kernel; nlpkit's errors for empty
corpora."""

import numpy as np
import pytest
from gensim.models import FastText, Word2Vec

import nlpkit.vectors.train as train_module
from nlpkit.vectors.train import train_fasttext, train_word2vec

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()
SENTENCES = [
    [WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(6 + i % 5)] for i in range(200)
]
SETTINGS = dict(window=3, min_count=2, epochs=2, seed=3)


@pytest.mark.parametrize(
    "cls,train", [(Word2Vec, train_word2vec), (FastText, train_fasttext)]
)
def test_small_token_lists_train_as_gensim_in_memory_does(cls, train):
    theirs = cls(
        sentences=SENTENCES, vector_size=8, workers=1, negative=5, sg=1, hs=0,
        **SETTINGS,
    ).wv  # fmt: skip
    ours = train(SENTENCES, dim=8, threads=1, **SETTINGS)
    assert ours.words == list(theirs.index_to_key)
    assert ours.meta["n_tokens"] == sum(len(s) for s in SENTENCES)
    np.testing.assert_array_equal(
        np.asarray([ours[w] for w in ours.words]), theirs.vectors
    )


@pytest.mark.parametrize("sg", [True, False])
def test_word2vec_token_lists_get_gensims_vocabulary_and_one_result_per_seed(
    sg, monkeypatch
):
    monkeypatch.setattr(train_module, "KERNEL_MIN_TOKENS_X_EPOCHS", 0)
    theirs = Word2Vec(sentences=SENTENCES, vector_size=8, workers=1, sg=int(sg),
                      **SETTINGS).wv  # fmt: skip
    ours = train_word2vec(SENTENCES, sg=sg, dim=8, threads=1, **SETTINGS)
    assert ours.words == list(theirs.index_to_key)
    assert ours.meta["n_tokens"] == sum(len(s) for s in SENTENCES)
    again = train_word2vec(SENTENCES, sg=sg, dim=8, threads=1, **SETTINGS)
    np.testing.assert_array_equal(ours.vectors, again.vectors)
    other = train_word2vec(
        SENTENCES, sg=sg, dim=8, threads=1, **{**SETTINGS, "seed": 4}
    )
    assert not np.array_equal(ours.vectors, other.vectors)


def test_token_lists_without_tokens_or_frequent_words_raise():
    with pytest.raises(ValueError, match="E101"):
        train_word2vec([[], []], min_count=1)
    with pytest.raises(ValueError, match="E102"):
        train_word2vec([["a", "b"], ["c"]], min_count=5)
    with pytest.raises(ValueError, match="E108"):
        train_word2vec(SENTENCES, negative=0)


def test_only_tokens_times_epochs_choose_the_loop(monkeypatch, tmp_path):
    from nlpkit.vectors import _w2v
    from nlpkit.vectors.corpus import TokenCorpus

    kernel = _w2v.train
    calls = []

    def spy(model, corpus, threads):
        calls.append(corpus.n_tokens)
        kernel(model, corpus, threads)

    monkeypatch.setattr(_w2v, "train", spy)
    n = sum(len(s) for s in SENTENCES)
    monkeypatch.setattr(train_module, "KERNEL_MIN_TOKENS_X_EPOCHS", 2 * n)
    path = tmp_path / "corpus.txt"
    path.write_text("".join(" ".join(s) + "\n" for s in SENTENCES), encoding="utf-8")
    inputs = [SENTENCES, TokenCorpus(path), TokenCorpus(path, tokenizer=str.split)]
    for corpus in inputs:
        train_word2vec(corpus, dim=8, min_count=2, epochs=1, threads=1)
    assert calls == []  # gensim's loop
    for corpus in inputs:
        train_word2vec(corpus, dim=8, min_count=2, epochs=2, threads=1)
    assert calls == [n, n, n]  # nlpkit's kernel

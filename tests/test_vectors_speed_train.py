"""Token lists in memory: fastText goes to gensim as it is (the same vectors as
gensim's own in-memory training); word2vec gets gensim's vocabulary and nlpkit's
kernel; nlpkit's errors for empty corpora."""

import numpy as np
import pytest
from gensim.models import FastText, Word2Vec

from nlpkit.vectors.train import train_fasttext, train_word2vec

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()
SENTENCES = [
    [WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(6 + i % 5)] for i in range(200)
]
SETTINGS = dict(window=3, min_count=2, epochs=2, seed=3)


def test_fasttext_token_lists_train_as_gensim_in_memory_does():
    theirs = FastText(
        sentences=SENTENCES, vector_size=8, workers=1, negative=5, sg=1, hs=0,
        **SETTINGS,
    ).wv  # fmt: skip
    ours = train_fasttext(SENTENCES, dim=8, threads=1, **SETTINGS)
    assert ours.words == list(theirs.index_to_key)
    assert ours.meta["n_tokens"] == sum(len(s) for s in SENTENCES)
    np.testing.assert_array_equal(
        np.asarray([ours[w] for w in ours.words]), theirs.vectors
    )


@pytest.mark.parametrize("sg", [True, False])
def test_word2vec_token_lists_get_gensims_vocabulary_and_one_result_per_seed(sg):
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

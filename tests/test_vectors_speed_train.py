"""Token lists in memory go to gensim as they are: the same vectors as gensim's
own in-memory training, and nlpkit's errors for empty corpora."""

import numpy as np
import pytest
from gensim.models import FastText, Word2Vec

from nlpkit.vectors.train import train_fasttext, train_word2vec

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()
SENTENCES = [
    [WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(6 + i % 5)] for i in range(200)
]


@pytest.mark.parametrize(
    "cls,train", [(Word2Vec, train_word2vec), (FastText, train_fasttext)]
)
def test_token_lists_train_as_gensim_in_memory_does(cls, train):
    settings = dict(window=3, min_count=2, epochs=2, seed=3, negative=5, sg=1, hs=0)
    theirs = cls(sentences=SENTENCES, vector_size=8, workers=1, **settings).wv
    ours = train(SENTENCES, dim=8, window=3, min_count=2, epochs=2, seed=3, threads=1)
    assert ours.words == list(theirs.index_to_key)
    assert ours.meta["n_tokens"] == sum(len(s) for s in SENTENCES)
    np.testing.assert_array_equal(
        np.asarray([ours[w] for w in ours.words]), theirs.vectors
    )


def test_token_lists_without_tokens_or_frequent_words_raise():
    with pytest.raises(ValueError, match="E101"):
        train_word2vec([[], []], min_count=1)
    with pytest.raises(ValueError, match="E102"):
        train_word2vec([["a", "b"], ["c"]], min_count=5)

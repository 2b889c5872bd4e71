"""WordVectors speaks gensim's KeyedVectors API and gives gensim's numbers."""

import numpy as np
import pytest
from gensim.models import FastText, KeyedVectors

from nlpkit.vectors.kv import WordVectors

WORDS = ["king", "queen", "man", "woman", "apple", "pear", "car", "bus", "paris"]


@pytest.fixture(scope="module")
def pair():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(WORDS), 12)).astype("float32")
    ours = WordVectors(WORDS, vectors)
    theirs = KeyedVectors(12)
    theirs.add_vectors(WORDS, vectors)
    return ours, theirs


def test_gensim_names(pair):
    ours, theirs = pair
    assert ours.key_to_index == theirs.key_to_index
    assert ours.index_to_key == theirs.index_to_key
    assert ours.vector_size == theirs.vector_size == 12
    for norm in (False, True):
        assert ours.get_vector("car", norm=norm) == pytest.approx(
            theirs.get_vector("car", norm=norm), abs=1e-6
        )


def test_gensim_queries_match(pair):
    ours, theirs = pair
    for pos, neg in [(["king", "woman"], ["man"]), ("apple", None), (["car"], "bus")]:
        got = ours.most_similar_cosmul(positive=pos, negative=neg, topn=4)
        want = theirs.most_similar_cosmul(positive=pos, negative=neg, topn=4)
        assert [w for w, _ in got] == [w for w, _ in want]
        assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-5)
    words = ["king", "queen", "man", "apple"]
    assert ours.doesnt_match(words) == theirs.doesnt_match(words)
    words = ["car", "bus", "pear", "paris"]
    assert ours.doesnt_match(words) == theirs.doesnt_match(words)
    got = ours.n_similarity(["king", "man"], ["queen", "woman", "paris"])
    want = theirs.n_similarity(["king", "man"], ["queen", "woman", "paris"])
    assert got == pytest.approx(want, abs=1e-5)


def test_to_gensim_from_gensim_lossless(pair):
    ours, theirs = pair
    kv = ours.to_gensim()
    assert isinstance(kv, KeyedVectors)
    assert kv.index_to_key == WORDS
    assert np.array_equal(kv.vectors, ours.vectors)
    assert kv.most_similar("king", topn=3) == theirs.most_similar("king", topn=3)
    back = WordVectors.from_gensim(kv)
    assert back.words == ours.words and np.array_equal(back.vectors, ours.vectors)


def test_to_gensim_keeps_subwords():
    sentences = [["the", "cat", "sat", "on", "the", "mat"], ["a", "cat", "ran"]] * 20
    model = FastText(sentences, vector_size=8, min_count=1, epochs=2, seed=1)
    ours = WordVectors.from_gensim(model.wv)
    kv = ours.to_gensim()
    assert np.array_equal(kv.vectors_ngrams, model.wv.vectors_ngrams)
    assert kv.get_vector("cats") == pytest.approx(model.wv.get_vector("cats"), abs=1e-6)
    assert kv.get_vector("cat") == pytest.approx(model.wv.get_vector("cat"), abs=1e-6)
    again = WordVectors.from_gensim(kv)
    assert np.array_equal(again.ngrams, ours.ngrams)
    assert again.get("cats") == pytest.approx(ours.get("cats"), abs=1e-6)

"""fastText training without gensim's fill of unused n-gram buckets: the same word
vectors and used buckets as gensim, zeros elsewhere, and compact folders."""

import numpy as np
import pytest
from gensim.models import FastText
from gensim.models.fasttext import FastTextKeyedVectors
from gensim.models.keyedvectors import prep_vectors

from nlpkit.vectors._subwords import compose, random_rows, used_buckets
from nlpkit.vectors.kv import WordVectors
from nlpkit.vectors.train import train_fasttext

WORDS = "apple apricot banana blueberry cherry grape lemon lime mango melon".split()
SENTENCES = [
    [WORDS[(i * 3 + j * 7) % len(WORDS)] for j in range(5 + i % 4)] for i in range(150)
]


@pytest.mark.parametrize("dim", [8, 7])
def test_random_rows_are_gensims_rows(dim):
    full = prep_vectors((500, dim), seed=11)
    rows = np.array([0, 1, 2, 17, 18, 250, 499])
    np.testing.assert_array_equal(random_rows(rows, dim, 11), full[rows])
    assert random_rows(np.zeros(0, dtype=np.int64), dim, 11).shape == (0, dim)


def test_compose_is_gensims_adjust_vectors():
    kv = FastTextKeyedVectors(6, 2, 4, 300, count=len(WORDS))
    kv.index_to_key = list(WORDS)
    kv.key_to_index = {w: i for i, w in enumerate(WORDS)}
    kv.vectors_vocab = prep_vectors((len(WORDS), 6), seed=3)
    kv.vectors_ngrams = prep_vectors((300, 6), seed=4)
    kv.recalc_char_ngram_buckets()
    FastTextKeyedVectors.adjust_vectors(kv)
    ours = compose(kv.vectors_vocab, kv.vectors_ngrams, kv.buckets_word)
    np.testing.assert_array_equal(ours, kv.vectors)


def test_training_leaves_unused_buckets_zero_and_the_rest_as_gensim():
    settings = dict(window=3, min_count=2, epochs=2, seed=5, negative=5, sg=1, hs=0)
    subwords = dict(min_n=3, max_n=5, bucket=5000)
    theirs = FastText(
        sentences=SENTENCES, vector_size=8, workers=1, **subwords, **settings
    ).wv
    ours = train_fasttext(
        SENTENCES, dim=8, window=3, min_count=2, epochs=2, seed=5, threads=1,
        minn=3, maxn=5, bucket=5000,
    )  # fmt: skip
    used = used_buckets(theirs.buckets_word)
    assert 0 < len(used) < 5000
    np.testing.assert_array_equal(ours.ngrams[used], theirs.vectors_ngrams[used])
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    unused = np.setdiff1d(np.arange(5000), used)
    assert not ours.ngrams[unused].any()
    # an unseen word is built from the n-grams training saw
    np.testing.assert_allclose(ours["apples"], theirs["apples"], atol=0.05)


def test_folders_keep_only_used_buckets_and_load_back(tmp_path):
    wv = train_fasttext(SENTENCES, dim=8, min_count=2, epochs=1, bucket=20_000)
    wv.to_disk(tmp_path / "v")
    names = {p.name for p in (tmp_path / "v").iterdir()}
    assert {"ngram_rows.npy", "ngram_vectors.npy"} <= names
    assert "ngrams.npy" not in names
    back = WordVectors.from_disk(tmp_path / "v")
    np.testing.assert_array_equal(back.ngrams, wv.ngrams)
    np.testing.assert_array_equal(back["cherries"], wv["cherries"])

    # buckets that all hold values (gensim's random fill) are kept as one matrix,
    # and the folder's compact files from before are removed
    dense = WordVectors(
        wv.words, wv.vectors, ngrams=prep_vectors((20_000, 8), seed=1),
        subword=wv.subword,
    )  # fmt: skip
    dense.to_disk(tmp_path / "v")
    names = {p.name for p in (tmp_path / "v").iterdir()}
    assert "ngrams.npy" in names and "ngram_rows.npy" not in names
    np.testing.assert_array_equal(
        WordVectors.from_disk(tmp_path / "v").ngrams, dense.ngrams
    )


def test_compact_rows_outside_the_buckets_are_a_clear_error(tmp_path):
    wv = train_fasttext(SENTENCES, dim=8, min_count=2, epochs=1, bucket=20_000)
    wv.to_disk(tmp_path / "v")
    np.save(tmp_path / "v" / "ngram_rows.npy", np.array([25_000]))
    np.save(tmp_path / "v" / "ngram_vectors.npy", np.ones((1, 8), np.float32))
    with pytest.raises(ValueError, match="E110"):
        WordVectors.from_disk(tmp_path / "v")

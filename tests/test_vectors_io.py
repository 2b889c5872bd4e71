"""WordVectors: formats, round trips, queries, evaluation and bad input."""

import numpy as np
import pytest
from gensim.test.utils import datapath

from nlpkit.vectors.evaluate import (
    evaluate_analogies,
    evaluate_similarity,
    read_pairs,
)
from nlpkit.vectors.kv import WordVectors, load_vectors
from nlpkit.vectors.train import train_fasttext, train_vectors, train_word2vec

WORDS = ["king", "queen", "man", "woman", "paris", "france", "rome", "italy"]


@pytest.fixture
def wv():
    rng = np.random.default_rng(0)
    return WordVectors(WORDS, rng.normal(size=(len(WORDS), 6)).astype("float32"))


def test_round_trip_every_format(wv, tmp_path):
    paths = {
        "nlpkit": wv.to_disk(tmp_path / "nlpkit"),
        "word2vec": wv.save_word2vec(tmp_path / "w2v.txt"),
        "word2vec-binary": wv.save_word2vec(tmp_path / "w2v.bin", binary=True),
        "glove": wv.save_glove(tmp_path / "glove.txt"),
    }
    for fmt, path in paths.items():
        for given in (fmt, None):  # explicit and detected format
            loaded = load_vectors(path, format=given)
            assert loaded.words == WORDS, fmt
            np.testing.assert_allclose(loaded.vectors, wv.vectors, rtol=1e-6)
    # the nlpkit directory holds no pickle: plain .npy + JSON
    assert sorted(p.name for p in paths["nlpkit"].iterdir()) == [
        "meta.json",
        "vectors.npy",
        "words.json",
    ]


def test_gensim_writes_what_we_read(wv, tmp_path):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(wv.dim)
    kv.add_vectors(WORDS, wv.vectors)
    kv.save_word2vec_format(str(tmp_path / "g.bin"), binary=True)
    kv.save_word2vec_format(str(tmp_path / "g.txt"), binary=False)
    for name in ("g.bin", "g.txt"):
        loaded = load_vectors(tmp_path / name)
        np.testing.assert_allclose(loaded["rome"], wv["rome"], rtol=1e-5)


def test_fasttext_round_trip_keeps_subwords(tmp_path):
    wv = train_fasttext(
        [datapath("lee_background.cor")], dim=16, epochs=1, min_count=5, bucket=5000
    )
    assert wv.has_subwords and "qwertyunseen" not in wv
    oov = wv["qwertyunseen"]
    assert np.linalg.norm(oov) > 0
    loaded = load_vectors(wv.to_disk(tmp_path / "ft"))
    assert loaded.has_subwords
    np.testing.assert_allclose(loaded["qwertyunseen"], oov, rtol=1e-6)
    # .vec (word2vec text) keeps the words only
    vec = load_vectors(wv.save_word2vec(tmp_path / "ft.vec"))
    assert len(vec) == len(wv) and not vec.has_subwords


def test_facebook_bin_loads_with_subwords(tmp_path):
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model

    model = FastText(
        sentences=[["hello", "world", "again"]] * 20, vector_size=8, min_count=1,
        bucket=1000, epochs=1,
    )  # fmt: skip
    save_facebook_model(model, str(tmp_path / "m.bin"))
    wv = load_vectors(tmp_path / "m.bin")
    assert wv.has_subwords and wv.words[0] in ("hello", "world", "again")
    np.testing.assert_allclose(wv["helloo"], model.wv["helloo"], rtol=1e-5)


def test_truncated_and_malformed_files(wv, tmp_path):
    path = wv.save_word2vec(tmp_path / "w.bin", binary=True)
    data = path.read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[: len(data) - 10])
    with pytest.raises(ValueError, match="E104"):
        load_vectors(tmp_path / "cut.bin")
    text = wv.save_word2vec(tmp_path / "w.txt").read_text()
    lines = text.splitlines()
    (tmp_path / "cut.txt").write_text("\n".join(lines[:-2]) + "\n")
    with pytest.raises(ValueError, match="E104.*header says 8 words"):
        load_vectors(tmp_path / "cut.txt")
    (tmp_path / "ragged.txt").write_text(
        lines[0] + "\n" + lines[1] + "\n" + lines[2][:30] + "\n"
    )
    with pytest.raises(ValueError, match=r"E104.*:3"):
        load_vectors(tmp_path / "ragged.txt")
    (tmp_path / "nan.txt").write_text("a 1 2\nb nan 1\n")
    with pytest.raises(ValueError, match="E109"):
        load_vectors(tmp_path / "nan.txt", format="glove")
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(ValueError, match="E104.*no vectors"):
        load_vectors(tmp_path / "empty.txt", format="glove")
    with pytest.raises(FileNotFoundError, match="E001"):
        load_vectors(tmp_path / "missing.txt")


def test_mismatched_dimensions(wv):
    with pytest.raises(ValueError, match="E103"):
        WordVectors(["a", "b"], np.zeros((3, 4)))
    with pytest.raises(ValueError, match="E103"):
        WordVectors(["a"], np.zeros((1, 4)), ngrams=np.zeros((10, 5)), subword={})
    with pytest.raises(ValueError, match="E103"):
        wv.nearest(np.ones(3))


def test_queries_and_unknown_words(wv):
    assert wv.similarity("king", "king") == pytest.approx(1.0)
    top = wv.most_similar("king", topn=3)
    assert len(top) == 3 and "king" not in [w for w, _ in top]
    assert [w for w, _ in wv.analogy("man", "king", "woman", topn=2)]
    assert len(wv.analogy("man", "king", "woman", topn=2, method="mul")) == 2
    with pytest.raises(KeyError, match="E105.*'zzz'"):
        wv.most_similar("zzz")
    with pytest.raises(KeyError, match="E105"):
        wv.analogy("poland", "warsaw", "england")


def test_word2vec_and_cbow_and_bad_input():
    corpus = [datapath("lee_background.cor")]
    sg = train_word2vec(corpus, dim=16, epochs=1, min_count=5, threads=1)
    cbow = train_vectors(corpus, algorithm="cbow", dim=16, epochs=1, min_count=5)
    assert sg.meta["algorithm"] == "skipgram" and cbow.meta["algorithm"] == "cbow"
    assert np.isfinite(sg.vectors).all() and len(sg) > 1000
    with pytest.raises(ValueError, match="E101"):
        train_word2vec([[]], min_count=1)
    with pytest.raises(ValueError, match="E102"):
        train_word2vec([["a", "b", "c"]], min_count=5)
    with pytest.raises(ValueError, match="E107"):
        train_vectors(corpus, algorithm="lda")


def test_similarity_and_analogy_evaluation(tmp_path):
    words = ["cat", "dog", "car", "truck", "a", "b", "c", "d"]
    vecs = np.array(
        [[1, 0.1], [1, 0.2], [0.1, 1], [0.2, 1], [1, 0], [0, 1], [1, 0.05], [0.05, 1]],
        dtype="float32",
    )
    wv = WordVectors(words, vecs)
    sims = tmp_path / "sims.txt"
    sims.write_text("cat dog 9\ncar truck 8.5\ncat car 1\ndog unicorn 5\n")
    res = evaluate_similarity(wv, sims)
    assert res.n_pairs == 4 and res.n_oov == 1 and res.spearman > 0.8
    questions = tmp_path / "q.txt"
    questions.write_text(": s1\na b c d\nx y z w\n")
    ana = evaluate_analogies(wv, questions)
    assert ana.n_questions == 1 and ana.n_oov == 1
    assert ana.sections["s1"]["add"] == 1.0
    (tmp_path / "bad.txt").write_text("no scores here\n")
    with pytest.raises(ValueError, match="E112"):
        read_pairs(tmp_path / "bad.txt")
    # gensim's bundled sets resolve by name
    assert read_pairs(datapath("wordsim353.tsv"))


# A plain token file, and files the fast path must refuse: the tokenizer would drop
# or split something, or the line and token boundaries would differ.
TOKEN_FILES = {
    "tokens": ("the king's half-brother\n\n  a  b\tc \r\nq\n", True),
    "utf8": ("héllo wörld\nça va\n", True),
    "no-final-newline": ("a b\nc", True),
    "punctuation": ("the king , the queen .\n", False),
    "lone-hyphen": ("a - b\n", False),
    "uppercase": ("The King\n", False),
    "utf8-uppercase": ("Ça va\n", False),
    "lone-cr": ("a b\rc d\n", False),
    "nbsp": ("a\u00a0b\n", False),
    "bom": ("\ufeffa b\n", False),
}


@pytest.mark.parametrize("name", sorted(TOKEN_FILES))
def test_token_file_fast_path_gives_the_corpus_tokens(tmp_path, name):
    from nlpkit.vectors.corpus import TokenCorpus
    from nlpkit.vectors.tokenfile import Interner, NotATokenFile, iter_token_blocks

    text, direct = TOKEN_FILES[name]
    path = tmp_path / "corpus.txt"
    path.write_bytes(text.encode("utf-8"))
    corpus = TokenCorpus(path)
    interner = Interner(capacity=16)  # tiny, so the tables must grow
    try:
        blocks = list(iter_token_blocks(corpus, interner, block_bytes=4))
    except NotATokenFile:
        assert not direct
        return
    assert direct
    words = interner.words()
    ids = np.concatenate([b[0] for b in blocks]).tolist()
    lengths = np.concatenate([b[1] for b in blocks]).tolist()
    expected = list(corpus)
    assert [words[i] for i in ids] == [t for tokens in expected for t in tokens]
    assert lengths == [len(tokens) for tokens in expected]
    counts = dict(zip(words, interner.word_counts().tolist()))
    assert counts == {w: ids.count(words.index(w)) for w in words}


@pytest.mark.parametrize("kernel_from", [0, None])
def test_vectors_train_on_a_token_file_in_place(tmp_path, monkeypatch, kernel_from):
    if kernel_from is not None:  # nlpkit's loop; None: gensim's (a small corpus)
        monkeypatch.setattr(
            "nlpkit.vectors.train.KERNEL_MIN_TOKENS_X_EPOCHS", kernel_from
        )
    from gensim.models import FastText, Word2Vec

    from nlpkit.vectors.corpus import TokenCorpus
    from nlpkit.vectors.train import _count_token_file

    path = tmp_path / "corpus.txt"
    path.write_text(
        "".join(
            " ".join(WORDS[(i * 3 + j) % len(WORDS)] for j in range(9 + i % 5)) + "\n"
            for i in range(300)
        ),
        encoding="utf-8",
    )
    # the user's file is used as it is, counted in one pass
    found, counts, n_tokens, n_sentences = _count_token_file(TokenCorpus(path))
    assert found == path and n_sentences == 300 and sum(counts.values()) == n_tokens
    settings = dict(window=5, min_count=5, epochs=2, seed=1, negative=5, sample=1e-3)
    settings.update(sg=1, hs=0)
    # fastText is gensim's own training: the same vectors as gensim's
    theirs = FastText(corpus_file=str(path), vector_size=8, workers=1, **settings).wv
    for corpus in (TokenCorpus(path), TokenCorpus(path, tokenizer=str.split)):
        ours = train_fasttext(corpus, dim=8, threads=1, epochs=2)
        assert ours.words == list(theirs.index_to_key)
        np.testing.assert_array_equal(
            np.asarray([ours[w] for w in ours.words]), theirs.vectors
        )
    # word2vec: gensim's vocabulary; the file read in place and the same file
    # streamed line by line give the same ids and counts, so the same vectors
    theirs = Word2Vec(corpus_file=str(path), vector_size=8, workers=1, **settings).wv
    direct = train_word2vec(TokenCorpus(path), dim=8, threads=1, epochs=2)
    streamed = train_word2vec(
        TokenCorpus(path, tokenizer=str.split), dim=8, threads=1, epochs=2
    )
    assert direct.words == streamed.words == list(theirs.index_to_key)
    assert direct.meta["n_tokens"] == streamed.meta["n_tokens"] == n_tokens
    np.testing.assert_array_equal(direct.vectors, streamed.vectors)

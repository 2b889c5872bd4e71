"""spaCy integration: vectors component, floret tables, co-occurrence collector,
the train_vectors callback and a `spacy train` smoke run with subword vectors."""

import random
from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.tokens import DocBin

from nlpkit.vectors.floret import floret_agreement
from nlpkit.vectors.train import train_fasttext, train_word2vec

ROOT = Path(__file__).resolve().parent.parent
FRUITS = ["strawberry", "blueberry", "raspberry", "cranberry", "gooseberry"]
VEHICLES = ["automobile", "snowmobile", "locomotive", "motorbike", "truck"]


def texts(n=300, seed=0):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        f = rng.sample(FRUITS, 2)
        v = rng.sample(VEHICLES, 2)
        out.append((f"I ate a {f[0]} and a {f[1]} with cream.", "FRUIT"))
        out.append((f"He drove the {v[0]} past the {v[1]} today.", "VEHICLE"))
    return out


@pytest.fixture(scope="module")
def fasttext_wv():
    return train_fasttext(
        [t for t, _ in texts()], dim=24, epochs=10, min_count=1, bucket=20000, threads=1
    )


def cos(a, b):
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_component_subword_vectors_for_unseen_words(fasttext_wv):
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_vectors").set_vectors(fasttext_wv)
    doc = nlp("Elderberry strawberry truck")
    assert "elderberry" not in fasttext_wv
    unseen, seen, unrelated = doc
    assert unseen.has_vector and np.linalg.norm(unseen.vector) > 0
    assert unseen.similarity(seen) > unseen.similarity(unrelated)
    assert doc.vector.shape == (24,) and np.isfinite(doc.vector).all()
    assert doc[0:2].similarity(doc[0:1]) > doc[0:2].similarity(doc[2:3])
    other = nlp("blueberry")
    assert doc.similarity(other) == pytest.approx(
        cos(doc.vector, other.vector), abs=1e-6
    )


def test_component_serialization(fasttext_wv, tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_vectors").set_vectors(fasttext_wv)
    expected = nlp("elderberry jam").vector
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    np.testing.assert_allclose(loaded("elderberry jam").vector, expected, rtol=1e-6)
    data = nlp.get_pipe("nlpkit_vectors").to_bytes()
    clone = spacy.blank("en").add_pipe("nlpkit_vectors").from_bytes(data)
    assert clone.to_bytes() == data
    with pytest.raises(FileNotFoundError):
        clone.from_disk(tmp_path / "missing")


def test_component_from_config_path_and_missing_vectors(fasttext_wv, tmp_path):
    fasttext_wv.to_disk(tmp_path / "vec")
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_vectors", config={"path": str(tmp_path / "vec")})
    assert nlp("strawberry")[0].has_vector
    empty = spacy.blank("en")
    empty.add_pipe("nlpkit_vectors")
    with pytest.raises(ValueError, match="E111"):
        empty("text")


def test_component_without_subwords_gives_zero_for_unknown():
    wv = train_word2vec([t for t, _ in texts(50)], dim=8, min_count=1, epochs=1)
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_vectors").set_vectors(wv)
    doc = nlp("strawberry zzzunknown")
    assert doc[0].has_vector and not doc[1].has_vector
    assert not doc[1].vector.any()
    assert doc[1].similarity(doc[0]) == 0.0


def test_floret_table_gives_unseen_words_subword_vectors(fasttext_wv):
    nlp = spacy.blank("en")
    nlp.vocab.vectors = fasttext_wv.to_spacy_vectors(nlp.vocab, mode="floret")
    assert nlp.vocab.vectors.mode == "floret"
    doc = nlp("Elderberry strawberry truck")
    assert np.linalg.norm(doc[0].vector) > 0
    assert doc[0].similarity(doc[1]) > doc[0].similarity(doc[2])
    # the fitted table reproduces fastText's vectors of seen words; unseen words
    # agree less, as their unseen n-grams are random rows in fastText
    assert floret_agreement(fasttext_wv, nlp.vocab.vectors, FRUITS + VEHICLES) > 0.9
    unseen = ["elderberry", "mulberry", "minibus", "strawberries"]
    assert floret_agreement(fasttext_wv, nlp.vocab.vectors, unseen) > 0.5


def test_default_table_and_vectors_pipeline(fasttext_wv, tmp_path):
    nlp = spacy.blank("en")
    nlp.vocab.vectors = fasttext_wv.to_spacy_vectors(nlp.vocab)
    assert nlp("Strawberry")[0].has_vector  # LOWER keys for lowercased vectors
    out = fasttext_wv.to_spacy(tmp_path / "spacy", mode="floret")
    loaded = spacy.load(out)
    assert loaded.vocab.vectors.mode == "floret"
    assert np.linalg.norm(loaded("elderberry")[0].vector) > 0


def test_cooc_collector_counts_filters_and_serializes(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    collector = nlp.add_pipe(
        "nlpkit_cooc", config={"window": 20, "context": "sentence"}
    )
    text = (
        "Data Science is popular these days. Quality of data is popular issue "
        "among companies."
    )
    docs = list(nlp.pipe([text]))
    assert docs[0].text == text
    row = collector.matrix().row("data")
    assert (row["popular"], row["science"], row["quality"]) == (2, 1, 1)
    data = collector.to_bytes()
    clone = spacy.blank("en").add_pipe("nlpkit_cooc").from_bytes(data)
    assert clone.to_bytes() == data
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert loaded.get_pipe("nlpkit_cooc").matrix().row("data") == row
    # filters: stop words out, original case kept
    nlp2 = spacy.blank("en")
    c2 = nlp2.add_pipe(
        "nlpkit_cooc",
        config={"skip_stop": True, "attr": "text", "context": "doc", "window": 20},
    )
    nlp2(text)
    m = c2.matrix()
    assert "is" not in m.vocab and "Data" in m.vocab and "." not in m.vocab


def test_cooc_collector_bad_config():
    from spacy.util import ConfigValidationError

    with pytest.raises(ConfigValidationError):
        spacy.blank("en").add_pipe("nlpkit_cooc", config={"attr": "pos"})


def test_train_vectors_callback_on_docbin(tmp_path):
    from spacy.util import registry

    nlp = spacy.blank("en")
    db = DocBin(docs=[nlp.make_doc(t) for t, _ in texts(50)])
    db.to_disk(tmp_path / "train.spacy")
    callback = registry.callbacks.get("nlpkit.train_vectors.v1")(
        corpus=str(tmp_path / "train.spacy"),
        dim=8,
        epochs=2,
        output=str(tmp_path / "v"),
    )
    callback(nlp)
    assert nlp.vocab.vectors.mode == "floret" and nlp.vocab.vectors.shape[1] == 8
    assert (tmp_path / "v" / "vectors.npy").exists()
    assert spacy.load(tmp_path / "v" / "spacy").vocab.vectors.mode == "floret"


def write_corpus(tmp_path):
    nlp = spacy.blank("en")
    for name, seed in (("train", 0), ("dev", 1)):
        db = DocBin()
        for text, label in texts(40, seed):
            doc = nlp.make_doc(text)
            doc.cats = {
                "FRUIT": float(label == "FRUIT"),
                "VEHICLE": float(label == "VEHICLE"),
            }
            db.add(doc)
        db.to_disk(tmp_path / f"{name}.spacy")


def test_spacy_train_with_nlpkit_vectors(tmp_path):
    from spacy.cli.train import train

    write_corpus(tmp_path)
    overrides = {
        "paths.train": str(tmp_path / "train.spacy"),
        "paths.dev": str(tmp_path / "dev.spacy"),
        "paths.vectors_output": str(tmp_path / "vectors"),
        "training.max_steps": 40,
        "training.eval_frequency": 20,
    }
    config = ROOT / "pipelines" / "vectors_textcat.cfg"
    train(config, tmp_path / "out", overrides=overrides)
    nlp = spacy.load(tmp_path / "out" / "model-last")
    vectors = nlp.vocab.vectors
    assert vectors.mode == "floret" and vectors.shape[1] == 32
    doc = nlp("Elderberry strawberry truck")
    assert np.linalg.norm(doc[0].vector) > 0
    assert doc[0].similarity(doc[1]) > doc[0].similarity(doc[2])
    assert set(doc.cats) == {"FRUIT", "VEHICLE"}
    # the tok2vec input for an unseen word is its subword vector, not zeros
    static = nlp.vocab.vectors.get_batch([nlp.vocab.strings.add("elderberry")])
    assert np.abs(static).sum() > 0
    # [initialize] vectors = the vectors pipeline saved by the callback
    overrides2 = {
        **overrides,
        "initialize.before_init": None,
        "initialize.vectors": str(tmp_path / "vectors" / "spacy"),
        "training.max_steps": 10,
    }
    train(config, tmp_path / "out2", overrides=overrides2)
    nlp2 = spacy.load(tmp_path / "out2" / "model-last")
    np.testing.assert_allclose(nlp2.vocab.vectors.data, vectors.data)

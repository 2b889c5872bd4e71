"""Self-training the few-shot classifiers on unlabelled texts."""

import logging

import numpy as np
import pytest
import spacy
from spacy.training import Example

from nlpkit.classify import LinearClassifier
from nlpkit.classify.selftrain import confident_rows, self_train

LABELS = ["NEG", "POS"]


def planted(n_per_label, rng, dim=40, shift=0.6):
    """Two labels apart along the first axis only, the other axes pure noise."""
    X = rng.normal(size=(2 * n_per_label, dim))
    X[:n_per_label, 0] -= shift * 2
    X[n_per_label:, 0] += shift * 2
    Y = np.repeat(np.eye(2), n_per_label, axis=0)
    return X, Y


def accuracy(clf, X, Y):
    return float((clf.predict_proba(X).argmax(1) == Y.argmax(1)).mean())


def test_confident_rows_takes_a_share_of_each_predicted_label():
    scores = np.array(
        [[0.9, 0.1], [0.6, 0.4], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55], [0.1, 0.9]]
    )
    # label 0: rows 0, 2, 1 by confidence; label 1: rows 5, 3, 4
    assert confident_rows(scores, 0.67).tolist() == [0, 2, 3, 5]
    assert confident_rows(scores, 1.0).tolist() == [0, 1, 2, 3, 4, 5]
    assert confident_rows(scores, 0.1).tolist() == []


def test_self_training_beats_the_few_labelled_examples():
    """With 3 labelled points per label in 40 noisy dimensions the classifier leans
    on noise; the pseudo-labelled cloud shows which axis separates the labels."""
    gains = []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        X, Y = planted(3, rng)
        U, _ = planted(500, rng)
        Xt, Yt = planted(500, rng)

        def make():
            return LinearClassifier(LABELS, C=1.0)

        base = make().fit(X, Y)
        tuned, stats = self_train(make, X, Y, U, rounds=2, fraction=0.5)
        assert stats.n_unlabelled == 1000
        assert len(stats.added) == 2
        assert all(sum(added.values()) > 0 for added in stats.added)
        gains.append(accuracy(tuned, Xt, Yt) - accuracy(base, Xt, Yt))
    assert np.mean(gains) > 0.05, gains


def test_self_training_zero_rounds_is_the_plain_fit():
    rng = np.random.default_rng(0)
    X, Y = planted(5, rng)
    U, _ = planted(50, rng)
    plain = LinearClassifier(LABELS).fit(X, Y)
    same, stats = self_train(lambda: LinearClassifier(LABELS), X, Y, U, rounds=0)
    assert stats.added == []
    np.testing.assert_allclose(same.W, plain.W)


@pytest.mark.parametrize(
    "rounds,fraction,code",
    [(-1, 0.5, "E221"), (1.5, 0.5, "E221"), (1, 0.0, "E221"), (1, 1.5, "E221")],
)
def test_self_training_settings_checked(rounds, fraction, code):
    rng = np.random.default_rng(0)
    X, Y = planted(3, rng)
    with pytest.raises(ValueError, match=code):
        self_train(
            lambda: LinearClassifier(LABELS), X, Y, X, rounds=rounds, fraction=fraction
        )


def test_self_training_needs_an_exclusive_classifier():
    rng = np.random.default_rng(0)
    X, Y = planted(3, rng)
    with pytest.raises(ValueError, match="E222"):
        self_train(lambda: LinearClassifier(LABELS, exclusive=False), X, Y, X)


# the spaCy component: [initialize.components.textcat] unlabelled = path

WORDS = {
    "good": 1.0,
    "great": 1.0,
    "fine": 1.0,
    "lovely": 1.0,
    "bad": -1.0,
    "awful": -1.0,
    "poor": -1.0,
    "dreadful": -1.0,
}
FILLER = ["film", "plot", "cast", "story", "music", "ending", "scene", "actor"]


def vectors_nlp():
    rng = np.random.default_rng(0)
    nlp = spacy.blank("en")
    for word in list(WORDS) + FILLER:
        vector = rng.normal(size=12) * 0.8
        vector[0] = 3 * WORDS.get(word, 0.0)
        nlp.vocab.set_vector(word, vector)
    nlp.add_pipe("nlpkit_vectors_textcat", name="textcat", config={"C": 1.0})
    return nlp


def labelled(nlp):
    data = [("good film", "POS"), ("awful plot", "NEG")]
    return [
        Example.from_dict(
            nlp.make_doc(text), {"cats": {lab: float(lab == gold) for lab in LABELS}}
        )
        for text, gold in data
    ]


def unlabelled_texts():
    rng = np.random.default_rng(1)
    words = list(WORDS)
    return [
        f"{rng.choice(words)} {rng.choice(FILLER)} {rng.choice(FILLER)}"
        for _ in range(60)
    ]


def test_component_self_trains_from_a_file_named_in_the_config(tmp_path, caplog):
    path = tmp_path / "unlabelled.txt"
    path.write_text("\n".join(unlabelled_texts()) + "\n\n", encoding="utf8")
    nlp = vectors_nlp()
    nlp.config["initialize"]["components"]["textcat"] = {
        "unlabelled": str(path),
        "self_train_rounds": 1,
        "self_train_fraction": 1.0,
    }
    examples = labelled(nlp)
    with caplog.at_level(logging.INFO, logger="nlpkit"):
        nlp.initialize(lambda: examples)
    assert "self-trained on 60 unlabelled texts" in caplog.text
    plain = vectors_nlp()
    plain.initialize(lambda: labelled(plain))
    textcat = nlp.get_pipe("textcat")
    assert not np.allclose(textcat.clf.W, plain.get_pipe("textcat").clf.W)
    for text in ("lovely music", "poor ending"):
        cats = nlp(text).cats
        assert max(cats, key=cats.get) == ("POS" if text.startswith("l") else "NEG")
    nlp.to_disk(tmp_path / "model")
    loaded = spacy.load(tmp_path / "model")
    assert loaded("dreadful cast").cats == nlp("dreadful cast").cats


def test_component_self_trains_from_python_docs():
    nlp = vectors_nlp()
    textcat = nlp.get_pipe("textcat")
    docs = [nlp.make_doc(t) for t in unlabelled_texts()]
    acc = textcat.fit(labelled(nlp), unlabelled=docs, self_train_rounds=2)
    assert acc == 1.0
    assert textcat.labels == tuple(LABELS)


def test_component_empty_unlabelled_file_is_an_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("\n  \n", encoding="utf8")
    nlp = vectors_nlp()
    with pytest.raises(Exception, match="E005|E223"):
        nlp.get_pipe("textcat").initialize(
            lambda: labelled(nlp), nlp=nlp, unlabelled=str(path)
        )
    with pytest.raises(ValueError, match="E223"):
        nlp.get_pipe("textcat").initialize(
            lambda: labelled(nlp), nlp=nlp, unlabelled=["", " "]
        )


def test_component_self_training_multilabel_is_an_error():
    nlp = vectors_nlp()
    nlp.remove_pipe("textcat")
    nlp.add_pipe("nlpkit_vectors_textcat", name="textcat", config={"exclusive": False})
    with pytest.raises(ValueError, match="E222"):
        nlp.get_pipe("textcat").initialize(
            lambda: labelled(nlp), nlp=nlp, unlabelled=["good film"]
        )

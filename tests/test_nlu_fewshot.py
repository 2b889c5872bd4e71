"""The few-shot text classifiers: embeddings + a linear classifier."""

import numpy as np
import pytest
import spacy
from spacy.training import Example
from thinc.api import ConfigValidationError

from nlpkit.classify import LinearClassifier
from nlpkit.components.fewshot_textcat import (
    FewShotTextCategorizer,
    VectorsTextCategorizer,
)

TRAIN = [
    ("I loved this movie, it was wonderful", "POS"),
    ("great acting and a fine, moving story", "POS"),
    ("a delightful and charming film", "POS"),
    ("terrible and boring, a waste of time", "NEG"),
    ("I hated every minute of this awful film", "NEG"),
    ("dull plot and bad acting", "NEG"),
]
MULTI = [
    ("the striker scored a goal in the match", ["SPORT"]),
    ("parliament passed the new budget law", ["POLITICS"]),
    ("the minister attended the football final", ["SPORT", "POLITICS"]),
    ("a recipe for apple pie with cinnamon", []),
]
TEXTS = ["what a wonderful film", "boring and awful", "", "   "]


def make_examples(nlp, data, labels):
    examples = []
    for text, gold in data:
        gold = [gold] if isinstance(gold, str) else gold
        cats = {label: float(label in gold) for label in labels}
        examples.append(Example.from_dict(nlp.make_doc(text), {"cats": cats}))
    return examples


@pytest.fixture(scope="module")
def fewshot_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_fewshot_textcat", config={"C": 10.0})
    examples = make_examples(nlp, TRAIN, ["POS", "NEG"])
    nlp.initialize(lambda: examples)
    return nlp


def add_toy_vectors(nlp):
    rng = np.random.default_rng(0)
    pos, neg = rng.normal(size=16), rng.normal(size=16)
    words = {w for text, _ in TRAIN + MULTI for w in text.replace(",", "").split()}
    for word in sorted(words | {"what", "wonderful", "boring", "awful"}):
        base = pos if word in "loved great delightful wonderful charming fine" else 0
        base = neg if word in "terrible boring hated awful dull bad" else base
        nlp.vocab.set_vector(word, base + 0.1 * rng.normal(size=16))


@pytest.mark.parametrize("classifier", ["logistic_regression", "linear_svc"])
def test_fewshot_lifecycle(fewshot_nlp, classifier, tmp_path):
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(
        "nlpkit_fewshot_textcat", config={"classifier": classifier, "C": 10.0}
    )
    examples = make_examples(nlp, TRAIN, ["POS", "NEG"])
    nlp.initialize(lambda: examples)
    assert isinstance(textcat, FewShotTextCategorizer)
    assert textcat.labels == ("POS", "NEG")
    # fitted until the training data is classified without error
    assert textcat.fit(examples) == 1.0
    doc = nlp("what a wonderful film")
    assert doc.cats["POS"] > doc.cats["NEG"]
    assert nlp("boring and awful").cats["NEG"] > 0.5
    nlp.to_disk(tmp_path)
    nlp2 = spacy.load(tmp_path)
    for text in TEXTS:
        assert nlp(text).cats == pytest.approx(nlp2(text).cats)
    batched = [doc.cats for doc in nlp2.pipe(TEXTS, batch_size=2)]
    for cats, text in zip(batched, TEXTS):
        assert cats == pytest.approx(nlp2(text).cats, abs=1e-5)
    scores = nlp2.evaluate(examples)
    assert scores["cats_score"] == 1.0
    for key in ("cats_macro_auc", "cats_f_per_type", "cats_micro_f"):
        assert key in scores
    data = nlp2.get_pipe("nlpkit_fewshot_textcat").to_bytes()
    textcat3 = spacy.blank("en").add_pipe("nlpkit_fewshot_textcat")
    assert textcat3.from_bytes(data).to_bytes() == data


def test_fewshot_multilabel(tmp_path):
    nlp = spacy.blank("en")
    config = {"exclusive": False, "C": 20.0, "threshold": 0.5}
    textcat = nlp.add_pipe("nlpkit_fewshot_textcat", config=config)
    examples = make_examples(nlp, MULTI, ["SPORT", "POLITICS"])
    nlp.initialize(lambda: examples)
    assert textcat.fit(examples) == 1.0
    doc = nlp("the minister attended the football final")
    assert doc.cats["SPORT"] > 0.5 and doc.cats["POLITICS"] > 0.5
    assert sum(doc.cats.values()) > 1.0
    scores = nlp.evaluate(examples)
    assert scores["cats_score"] == 1.0
    nlp.to_disk(tmp_path)
    assert spacy.load(tmp_path)("a recipe").cats == pytest.approx(nlp("a recipe").cats)


def test_fewshot_empty_docs(fewshot_nlp):
    docs = list(fewshot_nlp.pipe(["", " ", "fine"]))
    for doc in docs:
        assert set(doc.cats) == {"POS", "NEG"}
        assert sum(doc.cats.values()) == pytest.approx(1.0)
    textcat = fewshot_nlp.get_pipe("nlpkit_fewshot_textcat")
    assert textcat.predict([]).shape == (0, 2)


def test_fewshot_predict_does_not_mutate(fewshot_nlp):
    doc = fewshot_nlp.make_doc("a fine film")
    fewshot_nlp.get_pipe("nlpkit_fewshot_textcat").predict([doc])
    assert doc.cats == {}


def test_fewshot_unseen_label_warns(fewshot_nlp):
    nlp = fewshot_nlp
    examples = make_examples(
        nlp, [("a so-so film", "NEUTRAL")], ["POS", "NEG", "NEUTRAL"]
    )
    with pytest.warns(UserWarning, match=r"W202.*NEUTRAL"):
        nlp.evaluate(examples)


def test_fewshot_untrained_raises():
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_fewshot_textcat")
    with pytest.raises(ValueError, match="E208"):
        nlp("not trained")


def test_fewshot_two_labels_in_exclusive_raises():
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_fewshot_textcat")
    examples = make_examples(nlp, MULTI, ["SPORT", "POLITICS"])
    with pytest.raises(ValueError, match="E206"):
        nlp.initialize(lambda: examples)


@pytest.mark.parametrize(
    "config",
    [{"C": "strong"}, {"exclusive": "maybe"}, {"threshold": [0.5]}, {"model": 3}],
)
def test_fewshot_config_validation(config):
    nlp = spacy.blank("en")
    with pytest.raises(ConfigValidationError):
        nlp.add_pipe("nlpkit_fewshot_textcat", config=config)


def test_unknown_classifier_raises():
    with pytest.raises(ValueError, match="E201"):
        spacy.blank("en").add_pipe(
            "nlpkit_fewshot_textcat", config={"classifier": "forest"}
        )


def test_from_disk_missing_dir(tmp_path):
    textcat = spacy.blank("en").add_pipe("nlpkit_vectors_textcat")
    with pytest.raises(ValueError, match="E210"):
        textcat.from_disk(tmp_path / "missing")


def test_vectors_textcat_lifecycle(tmp_path):
    nlp = spacy.blank("en")
    add_toy_vectors(nlp)
    textcat = nlp.add_pipe("nlpkit_vectors_textcat", config={"C": 10.0})
    examples = make_examples(nlp, TRAIN, ["POS", "NEG"])
    nlp.initialize(lambda: examples)
    assert isinstance(textcat, VectorsTextCategorizer)
    assert textcat.fit(examples) == 1.0
    assert nlp("what a wonderful film").cats["POS"] > 0.5
    nlp.to_disk(tmp_path)
    nlp2 = spacy.load(tmp_path)
    for text in TEXTS:
        assert nlp(text).cats == pytest.approx(nlp2(text).cats)
    for doc, text in zip(nlp2.pipe(TEXTS, batch_size=2), TEXTS):
        assert doc.cats == pytest.approx(nlp2(text).cats)
    assert "cats_score" in nlp2.evaluate(examples)


def test_vectors_textcat_needs_vectors():
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_vectors_textcat")
    examples = make_examples(nlp, TRAIN, ["POS", "NEG"])
    with pytest.raises(ValueError, match="E209"):
        nlp.initialize(lambda: examples)


def test_linear_classifier_round_trip():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(1, 0.3, (10, 4)), rng.normal(-1, 0.3, (10, 4))])
    Y = np.array([[1, 0]] * 10 + [[0, 1]] * 10)
    clf = LinearClassifier(["A", "B"]).fit(X, Y)
    clf2 = LinearClassifier.from_dict(clf.to_dict())
    assert np.allclose(clf.predict_proba(X), clf2.predict_proba(X))
    assert (clf.predict_proba(X).argmax(1) == Y.argmax(1)).all()
    with pytest.raises(ValueError, match="E204"):
        LinearClassifier(["A", "B"]).fit(np.full((2, 4), np.nan), Y[[0, 10]])

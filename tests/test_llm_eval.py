import json
import re

import pytest
import spacy
from typer.testing import CliRunner

from nlpkit.cli import app
from nlpkit.evaluate.generation import (
    accuracy,
    bleu_score,
    doc_metrics,
    evaluate_generation,
    judge_scores,
    rouge_scores,
    span_prf,
)


def test_rouge_worked_example():
    scores = rouge_scores(["It is very cold outside"], ["It is cold outside"])
    r1, r2 = scores["rouge1"], scores["rouge2"]
    assert r1["recall"] == pytest.approx(1.0)
    assert r1["precision"] == pytest.approx(0.8)
    assert round(r1["fmeasure"], 2) == 0.89
    assert round(r2["recall"], 2) == 0.67
    assert r2["precision"] == pytest.approx(0.5)
    assert round(r2["fmeasure"], 2) == 0.57
    assert set(scores) == {"rouge1", "rouge2", "rougeL", "rougeLsum"}


def test_rouge_lsum_uses_newlines_as_sentences():
    ref = "the cat sat.\nthe dog ran."
    pred = "the dog ran.\nthe cat sat."
    scores = rouge_scores([pred], [ref])
    assert scores["rougeLsum"]["fmeasure"] == pytest.approx(1.0)
    assert scores["rougeL"]["fmeasure"] < 1.0


def test_bleu_matches_sacrebleu_and_bounds():
    import sacrebleu

    preds = ["the cat is on the mat", "there is a dog"]
    refs = ["the cat is on the mat", "a dog is there"]
    out = bleu_score(preds, refs)
    assert out["bleu"] == pytest.approx(sacrebleu.corpus_bleu(preds, [refs]).score)
    assert bleu_score(refs, refs)["bleu"] == pytest.approx(100.0)
    assert 0.0 < out["bleu"] < 100.0


def test_task_metrics():
    assert accuracy(["a", "b", "a"], ["a", "a", "a"]) == pytest.approx(2 / 3)
    pred = [[(0, 2, "PER"), (5, 6, "ORG")], []]
    gold = [[(0, 2, "PER")], [(1, 3, "LOC")]]
    out = span_prf(pred, gold)
    assert (out["p"], out["r"]) == (0.5, 0.5)
    assert out["per_label"]["PER"]["f"] == 1.0 and out["per_label"]["LOC"]["r"] == 0.0
    with pytest.raises(ValueError, match="E413"):
        accuracy(["a"], [])


def test_doc_metrics_llm_vs_gold():
    nlp = spacy.blank("en")
    pred, gold = nlp("Ann met Bob"), nlp("Ann met Bob")
    pred.ents = [pred.char_span(0, 3, label="PERSON")]
    gold.ents = [
        gold.char_span(0, 3, label="PERSON"),
        gold.char_span(8, 11, label="PERSON"),
    ]
    pred.cats, gold.cats = {"pos": 0.9, "neg": 0.1}, {"pos": 1.0, "neg": 0.0}
    out = doc_metrics([pred], [gold])
    assert out["ents_p"] == 1.0 and out["ents_r"] == 0.5
    assert out["cats_accuracy"] == 1.0


class OverlapJudge:
    """A judge that scores the word overlap of a pair: satisfies score(pairs)."""

    def score(self, pairs):
        out = []
        for a, b in pairs:
            wa, wb = set(a.lower().split()), set(b.lower().split())
            out.append(len(wa & wb) / max(len(wa | wb), 1))
        return out


def test_judge_and_evaluate_generation():
    out = judge_scores(
        OverlapJudge(), ["capital of france", "x"], ["capital of france", "y"]
    )
    assert out == {"judge_mean": 0.5, "judge_pass": 0.5}
    scores = evaluate_generation(
        ["Positive.", "negative"],
        ["positive", "positive"],
        metrics=["accuracy", "judge", "bleu"],
        judge=OverlapJudge(),
    )
    assert scores["accuracy"] == 0.5 and "bleu" in scores and "judge_mean" in scores
    with pytest.raises(ValueError, match="E412"):
        evaluate_generation(["a"], ["a"], metrics=["meteor"])


def test_cli_eval_prints_table(tmp_path):
    path = tmp_path / "preds.jsonl"
    rows = [
        {"prediction": "It is very cold outside", "reference": "It is cold outside"}
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = CliRunner().invoke(
        app, ["llm", "eval", str(path), "--metrics", "rouge,bleu"]
    )
    assert result.exit_code == 0, result.output
    assert "ROUGE-1 F1" in result.output and "0.8889" in result.output
    assert "ROUGE-2 recall" in result.output and "0.6667" in result.output
    assert re.search(r"pairs\s*│\s*1 │", result.output)  # a count, not 1.0000
    bad = CliRunner().invoke(app, ["llm", "eval", str(path), "--pred-field", "nope"])
    assert bad.exit_code == 1 and "E413" in bad.output


def test_cli_run_with_test_server(tmp_path):
    from nlpkit.llm.testserver import TestLLMServer

    corpus = tmp_path / "in.txt"
    corpus.write_text("first line of text\nsecond [fail] line\n")
    with TestLLMServer() as srv:
        result = CliRunner().invoke(
            app,
            ["llm", "run", str(corpus), "-o", str(tmp_path / "out"), "--task", "prompt",
             "--template", "{{ text }}", "--base-url", srv.url("ok"), "--model", "m",
             "--cache", str(tmp_path / "c.sqlite")],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    from nlpkit.batch import iter_output

    rows = list(iter_output(tmp_path / "out"))
    assert [r["llm_output"] for r in rows] == ["text", None]
    assert rows[1]["llm_error"].startswith("[E403]")
    rejects = (tmp_path / "out" / "llm_rejects.jsonl").read_text().splitlines()
    assert len(rejects) == 1 and json.loads(rejects[0])["line"] == 2
    assert "requests sent" in result.output

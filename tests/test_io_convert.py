import json
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from typer.testing import CliRunner

from nlpkit.cli import app
from nlpkit.io import read_rejects
from nlpkit.io.convert import convert

FIXTURES = Path(__file__).resolve().parent / "fixtures"
runner = CliRunner()


def load(path):
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def test_convert_iob_to_spacy(tmp_path):
    out = tmp_path / "train.spacy"
    summary = convert(FIXTURES / "ner" / "train.iob", out, token_prefix="en:")
    assert (summary.read, summary.written, summary.rejected) == (10, 10, 0)
    docs = load(out)
    assert [(e.text, e.label_) for e in docs[0].ents] == [
        ("Maria Okafor", "PER"),
        ("Northwind Labs", "ORG"),
        ("Lisbon", "LOC"),
    ]
    assert docs[0].user_data["id"] == "train.iob:1"
    grouped = convert(FIXTURES / "ner" / "train.iob", tmp_path / "g.spacy", n_sents=4)
    assert grouped.written == 3


def test_convert_jsonl_with_misaligned_entity_is_rejected(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"text": "Ada met Bob", "entities": [[0, 3, "PER"]]})
        + "\n"
        + json.dumps({"text": "Ada met Bob", "entities": [[0, 2, "PER"]]})
        + "\n{oops\n",
        encoding="utf-8",
    )
    summary = convert(src, tmp_path / "out.jsonl")
    assert (summary.read, summary.written, summary.rejected) == (3, 1, 2)
    entries = read_rejects(summary.rejects_path)
    assert [e["line"] for e in entries] == [2, 3]
    assert entries[0]["reason"].startswith("entity [0, 2) 'PER' does not align")
    row = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert row["ents"][0]["text"] == "Ada"


def test_cli_convert_lenient_and_strict(tmp_path):
    src = tmp_path / "s.iob"
    src.write_text(
        "Ada\tB-PER\n\nthe\tO\nBBC\tI-ORG\n\nParis\tB-LOC\n", encoding="utf-8"
    )
    out = tmp_path / "s.spacy"
    result = runner.invoke(
        app, ["convert", str(src), "-o", str(out), "--scheme", "iob2"]
    )
    assert result.exit_code == 0, result.output
    assert "1 record(s) rejected" in result.output
    assert len(load(out)) == 2
    (entry,) = read_rejects(tmp_path / "s.rejects.jsonl")
    assert entry["line"] == 3 and "invalid tag sequence" in entry["reason"]
    result = runner.invoke(
        app,
        [
            "convert",
            str(src),
            "-o",
            str(tmp_path / "t.spacy"),
            "--strict",
            "-O",
            "scheme=iob2",
        ],
    )
    assert result.exit_code == 1
    assert "s.iob:3: invalid tag sequence" in result.output
    assert not (tmp_path / "t.spacy").exists()


def test_cli_convert_textcat_and_missing_file(tmp_path):
    src = tmp_path / "sst.txt"
    src.write_text("1 a fine film\n0 a dull one\n", encoding="utf-8")
    out = tmp_path / "sst.spacy"
    result = runner.invoke(app, ["convert", str(src), "-o", str(out), "-f", "labelled"])
    assert result.exit_code == 0 and "W060" not in result.output, result.output
    assert [d.cats for d in load(out)] == [{"1": 1.0}, {"0": 1.0}]
    result = runner.invoke(
        app, ["convert", str(tmp_path / "nope.iob"), "-o", str(out), "--strict"]
    )
    assert result.exit_code == 1 and "File not found" in result.output
    # lenient too: a missing input fails before anything is written
    result = runner.invoke(
        app, ["convert", str(tmp_path / "nope.iob"), "-o", str(tmp_path / "n.spacy")]
    )
    assert result.exit_code == 1
    assert f"File not found: {tmp_path / 'nope.iob'}" in result.output
    assert not (tmp_path / "n.spacy").exists()
    assert not (tmp_path / "n.rejects.jsonl").exists()


def test_demo_convert_step(tmp_path):
    from nlpkit.demo import step_convert

    summary = step_convert(tmp_path)
    assert summary == {
        "step": "convert sample corpora",
        "ner": "202 written, 0 rejected",
        "reviews": "200 written, 0 rejected",
    }
    assert len(load(tmp_path / "convert" / "ner.spacy")) == 202


def test_convert_in_shards(tmp_path):
    out = tmp_path / "shards"
    result = runner.invoke(
        app,
        ["convert", str(FIXTURES / "ner" / "train.iob"), str(out), "--shard-size", "4"],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "00000.spacy",
        "00001.spacy",
        "00002.spacy",
    ]
    assert [len(load(p)) for p in sorted(out.iterdir())] == [4, 4, 2]
    corpus = spacy.training.Corpus(str(out))
    assert len(list(corpus(spacy.blank("en")))) == 10

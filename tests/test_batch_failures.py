"""Failures fail: bad input and bad options before any model loads, nothing
written, too many rejects, over-long texts, damaged input files."""

import errno
import gzip
import json

import pytest
import spacy
from batch_components import write_corpus
from typer.testing import CliRunner

import nlpkit
from nlpkit.batch import RunFailed, iter_output, iter_rejects
from nlpkit.cli import app
from nlpkit.errors import CorpusError
from nlpkit.io import Record, register_format

# Loading this fails (E009): an error about the input or an option proves that
# the input and the options were checked first.
NO_MODEL = "no_such_pipeline_xyz"


def test_missing_input_fails_before_the_model_loads(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(CorpusError, match="E001.*missing.jsonl"):
        nlpkit.process(NO_MODEL, tmp_path / "missing.jsonl", out)
    with pytest.raises(CorpusError, match="E006"):
        nlpkit.process(NO_MODEL, str(tmp_path / "*.jsonl"), out)
    assert not out.exists()
    result = CliRunner().invoke(
        app, ["process", NO_MODEL, str(tmp_path / "nope.jsonl"), "-o", str(out)]
    )
    assert result.exit_code == 1 and "E001" in result.output


@pytest.mark.parametrize(
    "option,value,code,exit_code",
    [
        ("--output-format", "csv", "E061", 2),
        ("--input-format", "xml", "E061", 2),
        ("--max-reject-rate", "2", "E520", 1),
    ],
)
def test_bad_option_values_fail_before_the_model_loads(
    tmp_path, option, value, code, exit_code
):
    corpus = write_corpus(tmp_path / "c.jsonl", 3)
    args = ["process", NO_MODEL, str(corpus), "-o", str(tmp_path / "out")]
    result = CliRunner().invoke(app, [*args, option, value])
    assert result.exit_code == exit_code
    assert code in result.output and option in result.output


def test_nothing_written_fails_with_the_cause(tmp_path):
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text("not json\n{broken\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(RunFailed, match=r"E517.*all 2 record\(s\).*bad.jsonl:1") as e:
        nlpkit.process(spacy.blank("en"), corpus, out)
    assert (e.value.summary.read, e.value.summary.rejected) == (2, 2)
    assert str(out / "rejects-*.jsonl") in str(e.value)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "E517" in manifest["failure"]
    args = ["process", "blank:en", str(corpus), "-o", str(tmp_path / "out2")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and "E517" in result.output

    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(RunFailed, match="E517.*no records"):
        nlpkit.process(spacy.blank("en"), empty, tmp_path / "out3")


def test_max_reject_rate(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "Good."}\nnot json\n{"text": "Fine."}\n')
    summary = nlpkit.process(spacy.blank("en"), corpus, tmp_path / "a")
    assert (summary.written, summary.rejected) == (2, 1)  # partial: no error
    nlpkit.process(spacy.blank("en"), corpus, tmp_path / "b", max_reject_rate=0.5)
    with pytest.raises(RunFailed, match=r"E518.*1 of 3.*33\.3%.*c.jsonl:2"):
        nlpkit.process(spacy.blank("en"), corpus, tmp_path / "c", max_reject_rate=0.2)
    args = ["process", "blank:en", str(corpus), "-o", str(tmp_path / "d")]
    result = CliRunner().invoke(app, [*args, "--max-reject-rate", "0.2"])
    assert result.exit_code == 1 and "E518" in result.output


def test_long_texts_are_rejected_with_their_place(tmp_path):
    long_text = "word " * 100
    corpus = write_corpus(tmp_path / "c.jsonl", 5, extra={3: long_text})
    out = tmp_path / "out"
    summary = nlpkit.process(spacy.blank("en"), corpus, out, max_length=200)
    assert (summary.written, summary.rejected) == (4, 1)
    (reject,) = iter_rejects(out)
    assert reject["line"] == 4 and reject["source"].endswith("c.jsonl")
    assert "exceeds max_length 200" in reject["reason"]
    # Default: the pipeline's own limit; raising it lets the text through.
    nlp = spacy.blank("en")
    nlp.max_length = 200
    summary = nlpkit.process(nlp, corpus, tmp_path / "o2")
    assert summary.rejected == 1
    summary = nlpkit.process(nlp, corpus, tmp_path / "o3", max_length=1000)
    assert (summary.written, summary.rejected) == (5, 0)
    args = ["process", "blank:en", str(corpus), "-o", str(tmp_path / "o4")]
    result = CliRunner().invoke(app, [*args, "--max-length", "200"])
    assert result.exit_code == 0, result.output
    assert "exceeds max_length" in next(iter_rejects(tmp_path / "o4"))["reason"]


def truncated_gz(path, n=400):
    data = "".join(
        json.dumps({"id": f"g{i}", "text": f"Doc {i} has some words in it " * 4}) + "\n"
        for i in range(n)
    ).encode()
    packed = gzip.compress(data)
    path.write_bytes(packed[: len(packed) // 2])
    return path


def test_truncated_gz_is_an_input_fault(tmp_path):
    bad = truncated_gz(tmp_path / "a.jsonl.gz")
    good = write_corpus(tmp_path / "b.jsonl", 3)
    out = tmp_path / "out"
    summary = nlpkit.process(spacy.blank("en"), [bad, good], out)
    assert summary.written > 3 and summary.rejected == 1
    assert [d["id"] for d in iter_output(out)][-3:] == ["d00000", "d00001", "d00002"]
    (reject,) = iter_rejects(out)
    assert reject["source"].endswith("a.jsonl.gz") and "gzip" in reject["reason"]
    args = ["process", "blank:en", str(bad), "-o", str(tmp_path / "s"), "--strict"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "a.jsonl.gz" in result.output and "E506" not in result.output


@register_format("batch_test_broken", extensions=(".broken",))
def read_broken(path, *, rejects, **options):
    """A reader that gives up after one record, as on a failing disk."""
    yield Record(text="The first record.", id="b1", source=str(path), line=1)
    raise OSError(errno.EIO, "Input/output error", str(path))


def test_reader_fault_names_the_file_and_lenient_goes_on(tmp_path):
    bad = tmp_path / "a.broken"
    bad.write_text("anything")
    good = write_corpus(tmp_path / "b.jsonl", 2)
    out = tmp_path / "out"
    summary = nlpkit.process(spacy.blank("en"), [bad, good], out)
    assert (summary.read, summary.written, summary.rejected) == (4, 3, 1)
    assert [d["id"] for d in iter_output(out)] == ["b1", "d00000", "d00001"]
    (reject,) = iter_rejects(out)
    assert "E519" in reject["reason"] and "Input/output error" in reject["reason"]
    assert reject["source"] == str(bad)
    with pytest.raises(CorpusError, match=r"E519.*a\.broken"):
        nlpkit.process(spacy.blank("en"), [bad, good], tmp_path / "s", strict=True)

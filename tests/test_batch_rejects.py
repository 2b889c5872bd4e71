"""Rejects accounting: read = written + rejected, per shard and exactly once."""

import json
import os

import pytest
import spacy
from batch_components import HERE, write_corpus
from spacy.tokens import Doc

import nlpkit
from nlpkit.batch import iter_output, iter_rejects


def failing_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("batch_test_fail_on", config={"marker": "BOOM"})
    return nlp


def test_component_crash_rejects_one_record_and_continues(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 50, extra={7: "This BOOM breaks."})
    with corpus.open("a", encoding="utf-8") as f:
        f.write("not json\n")
        f.write('{"id": "span", "text": "Bad span", "entities": [[0, 2, "X"]]}\n')
    out = tmp_path / "out"
    summary = nlpkit.process(failing_nlp(), corpus, out, shard_size=20, batch_size=8)
    assert (summary.read, summary.written, summary.rejected) == (52, 49, 3)
    ids = [d["id"] for d in iter_output(out)]
    assert "d00007" not in ids and len(ids) == 49
    # The rest of the failing batch was written, in order.
    assert ids[:8] == [f"d{i:05d}" for i in (0, 1, 2, 3, 4, 5, 6, 8)]
    rejects = list(iter_rejects(out))
    crash, bad_json, bad_span = rejects
    assert crash["id"] == "d00007" and crash["shard"] == 0 and crash["line"] == 8
    assert "E507" in crash["reason"] and "batch_test_fail_on" in crash["reason"]
    assert "ValueError: cannot handle 'BOOM'" in crash["reason"]
    assert crash["raw"] == "This BOOM breaks."
    assert bad_json["line"] == 51 and "malformed JSON" in bad_json["reason"]
    assert bad_span["line"] == 52 and "does not align" in bad_span["reason"]
    manifest = json.loads((out / "manifest.json").read_text())
    for entry in manifest["shards"].values():
        assert entry["read"] == entry["written"] + entry["rejected"]
    assert manifest["shards"]["0"]["rejects"] == "rejects-00000.jsonl"
    assert manifest["shards"]["1"]["rejects"] is None


def test_rejects_are_exactly_once_after_resume(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 60, extra={5: "BOOM", 45: "BOOM"})
    out = tmp_path / "out"
    nlpkit.process(failing_nlp(), corpus, out, shard_size=20)
    # Forget shard 2 as if the run had died before recording it: it is redone.
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["shards"]["2"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    summary = nlpkit.process(failing_nlp(), corpus, out, shard_size=20, resume=True)
    assert summary.shards_skipped == 2
    assert (summary.read, summary.written, summary.rejected) == (60, 58, 2)
    assert [r["id"] for r in iter_rejects(out)] == ["d00005", "d00045"]


def test_strict_raises_on_component_error(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 5, extra={2: "BOOM"})
    with pytest.raises(ValueError, match="cannot handle"):
        nlpkit.process(failing_nlp(), corpus, tmp_path / "out", strict=True)


def test_attrs_with_aliases_and_extensions(tmp_path):
    if not Doc.has_extension("batch_test_score"):
        Doc.set_extension("batch_test_score", default=None)
    nlp = spacy.blank("en")

    @spacy.Language.component("batch_test_scorer")
    def scorer(doc):
        doc._.batch_test_score = len(doc) / 10
        return doc

    nlp.add_pipe("batch_test_scorer")
    corpus = write_corpus(tmp_path / "c.jsonl", 3)
    out = tmp_path / "out"
    attrs = ["tokens", "entities", "_.batch_test_score"]
    nlpkit.process(nlp, corpus, out, attrs=attrs)
    first = next(iter(iter_output(out)))
    assert set(first) == {"id", "tokens", "ents", "batch_test_score"}
    assert first["batch_test_score"] == pytest.approx(0.9)  # 9 tokens
    with pytest.raises(ValueError, match="E511.*colour"):
        nlpkit.process(nlp, corpus, tmp_path / "o2", attrs=["colour"])
    with pytest.raises(ValueError, match="E511.*_.missing"):
        nlpkit.process(nlp, corpus, tmp_path / "o3", attrs=["_.missing"])


def test_two_processes_equal_one(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 120, extra={33: "BOOM"})
    one = nlpkit.process(failing_nlp(), corpus, tmp_path / "one", shard_size=16)
    two = nlpkit.process(
        failing_nlp(), corpus, tmp_path / "two", shard_size=16, n_process=2
    )
    assert (two.read, two.written, two.rejected, two.workers) == (120, 119, 1, 2)
    assert (one.read, one.written, one.rejected) == (120, 119, 1)
    assert list(iter_output(tmp_path / "one")) == list(iter_output(tmp_path / "two"))


@pytest.mark.slow
def test_spawned_workers_load_the_pipeline_from_bytes(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 40, extra={3: "BOOM"})
    summary = nlpkit.process(
        failing_nlp(),
        corpus,
        tmp_path / "out",
        shard_size=10,
        n_process=2,
        code=[HERE],
        backend_options={"start_method": "spawn"},
    )
    assert (summary.read, summary.written, summary.rejected) == (40, 39, 1)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    workers = {entry["worker"] for entry in manifest["shards"].values()}
    assert f":{os.getpid()}" not in " ".join(workers)


@pytest.mark.slow
def test_recycled_workers_give_the_same_output(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 60, extra={3: "BOOM"})
    one = nlpkit.process(failing_nlp(), corpus, tmp_path / "one", shard_size=10)
    summary = nlpkit.process(
        failing_nlp(),
        corpus,
        tmp_path / "out",
        shard_size=10,
        code=[HERE],
        backend_options={"recycle_after": 2},
    )
    assert (summary.read, summary.written, summary.rejected) == (60, 59, 1)
    assert (one.read, one.written, one.rejected) == (60, 59, 1)
    assert list(iter_output(tmp_path / "out")) == list(iter_output(tmp_path / "one"))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    workers = [entry["worker"] for entry in manifest["shards"].values()]
    assert len(set(workers)) >= 3  # 6 shards, a fresh process every 2

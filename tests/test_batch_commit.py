"""The commit protocol: attempts under their own names, one committed per shard by
the driver, checked by size on resume; output on an fsspec file system."""

import json
import logging

import pytest
import spacy
from batch_components import write_corpus

import nlpkit
from nlpkit.batch import iter_output
from nlpkit.batch.commit import commit, is_committed, remove_orphans
from nlpkit.batch.manifest import Manifest
from nlpkit.batch.shards import CollectingRejects, JobSpec, cut_shards
from nlpkit.batch.storage import ATTEMPT_RE, Storage, attempt_name
from nlpkit.batch.worker import run_shard
from nlpkit.io import read_corpus


def with_bad_line(corpus, after: int):
    lines = corpus.read_text().splitlines(keepends=True)
    lines.insert(after, "{not json\n")
    corpus.write_text("".join(lines))
    return corpus


def one_shard(corpus):
    rejects = CollectingRejects()
    records = read_corpus(corpus, format="jsonl", rejects=rejects)
    return next(cut_shards(records, rejects, 1000))


def new_manifest(storage):
    return Manifest.new(storage, inputs=[], pipeline={}, options={})


@pytest.mark.parametrize("where", ["local", "memory"])
def test_two_racing_attempts_leave_one_committed_copy(tmp_path, where):
    url = (
        str(tmp_path / "out") if where == "local" else f"memory://race-{tmp_path.name}"
    )
    storage = Storage(url)
    storage.makedirs()
    task = one_shard(with_bad_line(write_corpus(tmp_path / "c.jsonl", 30), 4))
    job = JobSpec(output_dir=storage.url)
    nlp = spacy.blank("en")
    # Three executions of shard 0: two report back, one (a worker declared dead)
    # finishes writing but its result never reaches the driver.
    first, second, silent = (run_shard(nlp, task, job) for _ in range(3))
    assert len({first.attempt, second.attempt, silent.attempt}) == 3
    assert first.docs_sha256 == second.docs_sha256 == silent.docs_sha256
    manifest = new_manifest(storage)
    assert commit(storage, manifest, second) is True
    assert commit(storage, manifest, first) is False
    assert remove_orphans(storage, manifest) == 2  # the silent docs + rejects
    entry = manifest.shards["0"]
    assert entry["attempt"] == second.attempt
    names = storage.names()
    assert sorted(names) == sorted([entry["docs"], entry["rejects"]])
    if where == "local":
        assert names == ["docs-00000.jsonl", "rejects-00000.jsonl"]
    else:
        assert entry["docs"] == attempt_name("docs-00000.jsonl", second.attempt)
    assert storage.size(entry["docs"]) == entry["docs_size"]
    assert is_committed(storage, manifest, 0)


def test_truncated_shard_is_redone_on_resume(tmp_path, caplog):
    corpus = write_corpus(tmp_path / "c.jsonl", 50)
    out = tmp_path / "out"
    nlpkit.process(
        spacy.blank("en"), corpus, out, shard_size=10, output_format="parquet"
    )
    reference = list(iter_output(out))
    docs = out / "docs-00002.parquet"
    docs.write_bytes(docs.read_bytes()[:100])  # what a node crash can leave
    with caplog.at_level(logging.WARNING, logger="nlpkit"):
        summary = nlpkit.process(
            spacy.blank("en"),
            corpus,
            out,
            shard_size=10,
            output_format="parquet",
            resume=True,
        )
    assert (summary.shards, summary.shards_skipped) == (5, 4)
    assert "W511" in caplog.text and "docs-00002.parquet" in caplog.text
    assert list(iter_output(out)) == reference


def test_process_to_fsspec_url_and_resume(tmp_path):
    corpus = with_bad_line(write_corpus(tmp_path / "c.jsonl", 44), 7)
    url = f"memory://run-{tmp_path.name}"
    first = nlpkit.process(spacy.blank("en"), corpus, url, shard_size=10)
    assert (first.read, first.written, first.rejected) == (45, 44, 1)
    assert first.output == url
    storage = Storage(url)
    manifest = json.loads(storage.read_bytes("manifest.json"))
    assert manifest["status"] == "complete"
    names = storage.names()
    assert all(ATTEMPT_RE.match(n) for n in names if n.startswith("docs-"))
    assert not [n for n in names if ".tmp-" in n]
    ids = [d["id"] for d in iter_output(url)]
    assert ids == [f"d{i:05d}" for i in range(44)]
    again = nlpkit.process(spacy.blank("en"), corpus, url, shard_size=10, resume=True)
    assert (again.shards, again.shards_skipped, again.processed) == (5, 5, 0)
    assert storage.names() == names


def test_unknown_protocol_is_a_clear_error(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", 5)
    with pytest.raises(ValueError, match="E530"):
        nlpkit.process(spacy.blank("en"), corpus, "nosuchfs://bucket/run")


def test_commit_log_is_replayed_and_compacted(tmp_path):
    storage = Storage(tmp_path / "out")
    storage.makedirs()
    manifest = new_manifest(storage)
    manifest.save(status="running")
    manifest.open_log(every=60.0)  # flushed by close() here, not by the timer
    for i in range(3):
        manifest.record(i, {"docs": f"docs-{i:05d}.jsonl", "read": 1})
    manifest.log.flush()
    manifest.record(3, {"docs": "docs-00003.jsonl", "read": 1})
    # What a driver killed now leaves: manifest.json without shards, plus the log.
    assert json.loads(storage.read_bytes("manifest.json"))["shards"] == {}
    assert sorted(Manifest.load(storage).shards) == ["0", "1", "2"]
    manifest.save(status="complete")
    assert not [n for n in storage.names() if n.startswith("commits-")]
    saved = json.loads(storage.read_bytes("manifest.json"))
    assert sorted(saved["shards"]) == ["0", "1", "2", "3"]
    assert Manifest.load(storage).shards == saved["shards"]
